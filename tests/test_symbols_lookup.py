"""The public interface: language detection, lookup rules, word search, and the never-raise /
linear-time invariant on garbage and on large inputs."""

from __future__ import annotations

import dataclasses
import functools
import random
from textwrap import dedent

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.workspace.symbols import (
    Definition,
    _scanner,
    find_definitions,
    language_for_path,
    lookup,
    word_occurrences,
)
from parity_lsp.workspace.symbols._common import normalize_newlines

PATHS = ["a.rs", "a.py", "a.go", "a.ts", "a.js"]


def scan_unguarded(path: str, text: str) -> list:
    """The language scanner itself, without `find_definitions`' safety net: an internal
    exception fails the test instead of silently yielding no definitions."""
    recs = _scanner(language_for_path(path))(normalize_newlines(text))
    for r in recs:
        assert isinstance(r.name, str) and isinstance(r.qualname, str)
        assert 0 <= r.start_line <= r.line <= r.end_line
    return recs


# --- language detection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path,lang",
    [
        ("crates/core/src/lib.rs", "rust"),
        ("src/a.py", "python"),
        ("stubs/a.pyi", "python"),
        ("cmd/main.go", "go"),
        ("src/a.ts", "typescript"),
        ("src/A.tsx", "typescript"),
        ("src/a.mts", "typescript"),
        ("src/a.cts", "typescript"),
        ("types/index.d.ts", "typescript"),
        ("src/a.js", "javascript"),
        ("src/A.jsx", "javascript"),
        ("src/a.mjs", "javascript"),
        ("src/a.cjs", "javascript"),
        ("SRC/A.RS", "rust"),
        ("win\\path\\a.py", "python"),
        ("README.md", None),
        ("Makefile", None),
        ("src/Main.java", "java"),
        ("app/Foo.kts", "kotlin"),
        ("Tests/AppTests/AppTests.swift", "swift"),
        ("src/Calc.CS", "csharp"),
        ("lib/a.c", "c"),
        ("include/a.h", "cpp"),
        ("src/a.cc", "cpp"),
        ("spec/a_spec.rb", "ruby"),
        ("Rakefile", "ruby"),
        ("a.scala", None),
        ("a.rs.bak", None),
        ("dir.rs/file", None),
        ("", None),
    ],
)
def test_language_for_path(path, lang):
    assert language_for_path(path) == lang


def test_unknown_language_returns_none():
    assert find_definitions("notes.txt", "fn main() {}") is None
    assert find_definitions("a.scala", "def x = 1") is None


# --- lookup -----------------------------------------------------------------------------


def _d(qualname, kind="fn", line=0, start=None, end=None, is_test=False, name=None):
    return Definition(
        name=name or qualname.split("::")[-1],
        qualname=qualname,
        kind=kind,
        line=line,
        start_line=line if start is None else start,
        end_line=line if end is None else end,
        is_test=is_test,
    )


def test_lookup_forms_on_rust():
    src = dedent(
        """\
        pub struct Parser { pub input: String }
        impl Parser {
            pub fn parse_row(&self) {}
        }
        pub fn parse_row() {}
        impl fmt::Display for Parser {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) }
        }
        #[cfg(test)]
        mod tests {
            #[test]
            fn parse_row_works() {}
        }
        """
    )
    ds = find_definitions("src/parser.rs", src)
    method = next(d for d in ds if d.qualname == "Parser::parse_row")
    free = next(d for d in ds if d.qualname == "parse_row")
    fmt_ = next(d for d in ds if d.qualname == "Parser::fmt")
    test = next(d for d in ds if d.qualname == "tests::parse_row_works")

    # exact qualname matches come first; a bare name matches every definition with that name
    assert lookup(ds, "parse_row") == [free, method]
    assert lookup(ds, "parse_row()") == [free, method]
    assert lookup(ds, "Parser::parse_row") == [method]
    assert lookup(ds, "Parser::parse_row()") == [method]
    assert lookup(ds, "Parser.parse_row") == [method]
    assert lookup(ds, "crate::parser::Parser::parse_row") == [method]
    assert lookup(ds, "crate::parser::parse_row") == [free]
    assert lookup(ds, "`Parser::parse_row`") == [method]
    # trait impl methods: by the type and by the trait
    assert lookup(ds, "Parser::fmt") == [fmt_]
    assert lookup(ds, "Display::fmt") == [fmt_]
    assert lookup(ds, "std::fmt::Display::fmt") == [fmt_]
    # struct fields
    assert [d.kind for d in lookup(ds, "Parser::input")] == ["field"]
    assert [d.kind for d in lookup(ds, "Parser.input")] == ["field"]
    # tests, with or without their module
    assert lookup(ds, "parse_row_works") == [test]
    assert lookup(ds, "tests::parse_row_works") == [test]
    # a type prefix that is not in the file does not match a free function
    assert lookup(ds, "Lexer::parse_row") == []
    assert lookup(ds, "missing") == []
    assert lookup(ds, "") == []
    assert lookup([], "parse_row") == []


def test_lookup_longest_suffix_and_tolerated_prefixes():
    ds = [
        _d("a::b::f"),
        _d("b::f", line=1),
        _d("f", line=2),
        _d("Other::f", line=3),
    ]
    assert [d.qualname for d in lookup(ds, "a::b::f")] == ["a::b::f"]
    # a symbol that is a suffix of longer qualnames matches them, the closest first
    assert [d.qualname for d in lookup(ds, "b::f")] == ["b::f", "a::b::f"]
    # lowercase (module-like) prefixes not in the file are tolerated
    assert [d.qualname for d in lookup(ds, "crate::x::y::f")] == ["f"]
    # ... a capitalised one (a type) must be there
    assert [d.qualname for d in lookup(ds, "Missing::f")] == []
    assert [d.qualname for d in lookup(ds, "f")] == ["f", "a::b::f", "b::f", "Other::f"]


def test_lookup_python_forms():
    src = dedent(
        """\
        class TestParser:
            def test_row(self):
                pass

        @pytest.mark.parametrize("x", [1, 2])
        def test_param(x):
            pass
        """
    )
    ds = find_definitions("tests/test_parser.py", src)
    m = next(d for d in ds if d.name == "test_row")
    p = next(d for d in ds if d.name == "test_param")
    assert lookup(ds, "TestParser.test_row") == [m]
    assert lookup(ds, "TestParser::test_row") == [m]
    assert lookup(ds, "tests/test_parser.py::TestParser::test_row") == [m]
    assert lookup(ds, "test_param[1]") == [p]
    assert lookup(ds, "test_row") == [m]


def test_lookup_go_subtests_and_ts_titles():
    go = find_definitions("x_test.go", "package x\nfunc TestParse(t *testing.T) {\n}\n")
    assert [d.name for d in lookup(go, "TestParse/empty_input")] == ["TestParse"]
    ts = find_definitions(
        "x.test.ts",
        'describe("parser", () => {\n  it("handles a.b::c paths", () => {});\n});\n',
    )
    t = next(d for d in ts if d.is_test)
    assert lookup(ts, "handles a.b::c paths") == [t]
    assert lookup(ts, "parser::handles a.b::c paths") == [t]
    assert lookup(ts, "parser handles a.b::c paths") == [t]


def test_lookup_never_raises_on_odd_symbols():
    ds = [_d("A::b"), _d("<T as Tr>", kind="impl", name="T")]
    for sym in ["(", ")", "::", ".", "<", ">", "()()()", "<<a as>>::", "\x00", "a" * 10000, "💥::x"]:
        assert isinstance(lookup(ds, sym), list)
    assert lookup(ds, None) == []  # type: ignore[arg-type]


# --- word search --------------------------------------------------------------------------


def test_word_occurrences():
    text = "parse_row(x)\nnot_parse_row\r\nvalue = parse_row\rparse_rows\n  parse_row parse_row\n"
    assert word_occurrences(text, "parse_row") == [0, 2, 4]
    assert word_occurrences(text, "crate::m::parse_row()") == [0, 2, 4]
    assert word_occurrences(text, "Type.parse_row") == [0, 2, 4]
    assert word_occurrences(text, "missing") == []
    assert word_occurrences(text, "") == []
    assert word_occurrences("a.b(c)", "(") == []
    assert word_occurrences("$x and x", "x") == [0]


# --- never raise, fast enough ----------------------------------------------------------------

GARBAGE = [
    "",
    "\x00\x01\x02\xff\xfe",
    "}{)(][" * 50,
    "{{{{{{{{{{" * 100,
    "}}}}}}}}}}" * 100,
    '"' * 101 + "'" * 77 + "`" * 33,
    'r#"' * 40 + "/*" * 40,
    "\\" * 99,
    "fn fn fn struct impl<<<< for for where {",
    "def class async def @@@ (((( '''",
    "func func type ( const ( var (",
    "function class describe(it(test(`${`${",
    "/" * 300 + "*" * 300,
    "#[#[#[#![" * 30,
    "\ufeff\r\r\n\n\u2028\u2029\x0b\x0c",
    "é中文𝄞" * 100,
    "\ud800\udfff",  # lone surrogates
    "'\\u{" * 50 + "'a" * 50,
    "impl" + " <" * 2000,
    "class A:\n" + "    " * 500 + "def f(): pass\n",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("text", GARBAGE)
def test_fixed_garbage_never_raises(path, text):
    scan_unguarded(path, text)
    ds = find_definitions(path, text)
    assert isinstance(ds, list)
    for d in ds:
        assert isinstance(d, Definition)
        assert 0 <= d.start_line <= d.line <= d.end_line
    for d in ds[:5]:
        assert isinstance(lookup(ds, d.qualname), list)


def _random_source(seed: int, size: int) -> str:
    rng = random.Random(seed)
    atoms = [
        "fn ",
        "struct ",
        "impl ",
        "mod ",
        "def ",
        "class ",
        "func ",
        "function ",
        "describe(",
        "it(",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "<",
        ">",
        ";",
        ":",
        "::",
        ",",
        "\n",
        "\n    ",
        " ",
        '"',
        "'",
        "`",
        "/*",
        "*/",
        "//",
        "#",
        "#[test]",
        "@",
        'r#"',
        '"#',
        "${",
        "\\",
        "=",
        "=>",
        "->",
        "x",
        "Name",
        "test_a",
        "TestB",
        "pub ",
        "async ",
        "export ",
        "const ",
    ]
    return "".join(rng.choice(atoms) for _ in range(size))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000), st.sampled_from(PATHS))
def test_random_bytes_never_raise(data, path):
    text = data.decode("utf-8", errors="replace")
    scan_unguarded(path, text)
    ds = find_definitions(path, text)
    assert isinstance(ds, list)
    for d in ds:
        assert 0 <= d.start_line <= d.line <= d.end_line


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=1500), st.sampled_from(PATHS), st.text(max_size=40))
def test_random_text_never_raises(text, path, symbol):
    scan_unguarded(path, text)
    ds = find_definitions(path, text)
    assert isinstance(ds, list)
    assert isinstance(lookup(ds, symbol), list)
    assert isinstance(word_occurrences(text, symbol), list)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(PATHS))
def test_random_token_soup_never_raises(seed, path):
    text = _random_source(seed, 400)
    scan_unguarded(path, text)
    ds = find_definitions(path, text)
    assert isinstance(ds, list)
    for d in ds:
        assert 0 <= d.start_line <= d.line <= d.end_line


SAMPLES = {
    "a.rs": '/// doc\n#[test]\nfn t_{i}() {{ let s = "{{"; }}\nimpl T{i} {{ fn m(&self) {{}} }}\n',
    "a.py": "@pytest.mark.skip\ndef test_{i}():\n    s = '{{'\n    return s\n\nclass C{i}:\n    def m(self): pass\n",
    "a.go": "// Doc\nfunc Test{i}(t *testing.T) {{\n\ts := `{{`\n\t_ = s\n}}\ntype T{i} struct {{ A int }}\n",
    "a.ts": 'describe("s{i}", () => {{\n  it("t", () => {{ const r = /{{/; }});\n}});\nexport function f{i}() {{}}\n',
}


@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_two_megabyte_file_completes(path):
    unit = SAMPLES[path]
    parts = []
    size = 0
    i = 0
    while size < 2_000_000:
        chunk = unit.format(i=i)
        parts.append(chunk)
        size += len(chunk)
        i += 1
    text = "".join(parts)
    ds = find_definitions(path, text)
    assert ds is not None and len(ds) >= i
    assert sum(1 for d in ds if d.is_test) >= i
    assert lookup(ds, ds[-1].qualname)


@functools.cache
def _two_megabytes_of_garbage() -> str:
    """The same 2 MB of token soup for every language: generated once per run (0.3 s each time)."""
    return _random_source(12345, 700_000)


@pytest.mark.parametrize("path", PATHS)
def test_two_megabyte_garbage_completes(path):
    text = _two_megabytes_of_garbage()
    assert len(text) > 2_000_000
    scan_unguarded(path, text)


@pytest.mark.parametrize("path", PATHS)
def test_pathological_nesting_and_long_lines_complete(path):
    # one huge line (minified-style), deep nesting, and many unterminated openers
    text = ("function a(){" + "x(" * 20000 + "}" + " fn b() {}" * 20000) + "\n"
    scan_unguarded(path, text)
    text = "(" * 200_000 + "def f(): pass\n" + "[" * 100_000
    scan_unguarded(path, text)
    text = "{" * 100_000 + "}" * 100_000 + "\n" + "x = (\n" * 50_000
    scan_unguarded(path, text)


def test_results_are_frozen_definitions():
    ds = find_definitions("a.rs", "fn main() {}\n")
    assert ds == [
        Definition(
            name="main",
            qualname="main",
            kind="fn",
            line=0,
            start_line=0,
            end_line=0,
            is_test=False,
            disabled=None,
            signature="fn main()",
        )
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds[0].name = "x"  # type: ignore[misc]


# --- a lookup of some names scans for those names only, and answers the same -------------------

from pathlib import Path  # noqa: E402

from parity_lsp.workspace.symbols import lookup_names  # noqa: E402

RUST_FILES = sorted(Path(__file__).parent.glob("fixtures/**/*.rs"))
RUST_PIECES = [
    "fn a() {}\n",
    "fn b(x: u8) -> u8 { x }\n",
    "pub async fn a() {}\n",
    "impl T {\n",
    "impl Tr for T {\n",
    "trait Tr {\n",
    "fn m(&self);\n",
    "}\n",
    "mod tests {\n",
    "#[test]\n",
    "#[ignore]\n",
    "/// doc\n",
    "struct T { a: u8, m: u8 }\n",
    "enum E { a, b }\n",
    "const a: u8 = 1;\n",
    "fn outer() { fn a() {} }\n",
    "macro_rules! m { () => {} }\n",
    "type a = u8;\n",
    "// fn a\n",
    '"fn a"\n',
    "{\n",
    ";\n",
]
SYMBOL_FORMS = [
    "{n}",
    "{n}()",
    "T::{n}",
    "Tr::{n}",
    "<T as Tr>::{n}",
    "tests::{n}",
    "crate::tests::{n}",
    "E::{n}",
    "T.{n}",
    "{n}[case]",
    "{n}/sub",
    "`{n}`",
]


def same_answers(path: str, text: str, symbol: str, defs: list | None = None) -> None:
    """`defs`: the full scan of `text` when the caller has it (one scan for every name and form
    of a file, not one per name)."""
    full = lookup(find_definitions(path, text) if defs is None else defs, symbol)
    wanted = lookup_names(symbol)
    assert wanted is not None and lookup(find_definitions(path, text, wanted), symbol) == full, symbol


@pytest.mark.parametrize("path", RUST_FILES, ids=lambda p: p.name)
def test_a_names_only_scan_answers_like_a_full_one_on_real_files(path):
    text = path.read_text()
    defs = find_definitions(str(path), text)
    names = {d.name for d in defs} | {"missing_name"}
    for name in sorted(names):
        for form in SYMBOL_FORMS:
            same_answers(str(path), text, form.format(n=name), defs)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(RUST_PIECES), max_size=30).map("".join),
    st.sampled_from(SYMBOL_FORMS),
    st.sampled_from(["a", "b", "m", "T", "outer", "tests"]),
)
def test_a_names_only_scan_answers_like_a_full_one(text, form, name):
    same_answers("x.rs", text, form.format(n=name))


# --- line numbers: counted for the first few asks, then from the table of line starts -------------

from bisect import bisect_right  # noqa: E402

from parity_lsp.workspace.symbols._common import Lines  # noqa: E402


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(["\n", "a", "é", " ", "{}", "\n\n"]), max_size=40).map("".join),
    st.lists(st.integers(min_value=-3, max_value=90), min_size=1, max_size=40),
)
def test_lines_answer_as_the_table_of_line_starts(text, offsets):
    lines = Lines(text)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    for offset in offsets:  # counted until the budget is spent, then from the table: both are used
        assert lines.line(offset) == bisect_right(starts, offset) - 1, offset
    assert lines.starts == starts and lines.count == len(starts)
    assert [lines.start_of(i) for i in range(-1, len(starts) + 1)] == [0, *starts, starts[-1]]
