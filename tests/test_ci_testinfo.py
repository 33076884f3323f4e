"""The Rust test scanner against the originals it replaced (Hypothesis-generated Rust-ish
text): its comment/string blanking (testinfo._blank_rust) against a character-by-character
oracle, and its test-function scan (testinfo.rust_tests) against the token-by-token one."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parity_lsp.workspace.ci.testinfo import _blank_rust, find_rust_test


def oracle(text: str) -> str:
    """The original scanner: one character at a time."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = (
            re.match(r'b?r(#*)"', text[i : i + 260])
            if c in "br" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))
            else None
        )
        if m:
            end = text.find('"' + m.group(1), i + m.end())
            j = n if end == -1 else end + 1 + len(m.group(1))
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1 : j - 1]) + '"')
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1 : j - 1]) + '"')
            i = j
            continue
        if c == "'":
            m = re.match(r"'(?:\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'", text[i : i + 12])
            if m:
                out.append("' '")
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


PIECES = [
    "b",
    "r",
    "#",
    '"',
    "'",
    "/",
    "*",
    "\\",
    "\n",
    "x",
    " ",
    "_",
    'br"',
    'r#"',
    '"#',
    "//",
    "/*",
    "*/",
    "'a'",
    "'\\n'",
    "'a",
    "\\u{1F600}",
    "é",
    "🚀",
    "fn t() {}",
    "#[test]",
    "mod m {",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_blanking_matches_the_character_oracle(text):
    assert _blank_rust(text) == oracle(text)


def test_blanking_keeps_code_and_newlines():
    src = 'fn a() { let s = "fn fake() {}"; } // fn b\n/* fn c */ fn d<\'x>(c: char) { let _ = \'}\'; }\nlet r = r#"fn e"#;\n'
    out = _blank_rust(src)
    assert len(out) == len(src) and out.count("\n") == src.count("\n")
    assert re.findall(r"fn (\w+)", out) == ["a", "d"]


def test_a_test_inside_a_raw_string_is_not_a_test():
    src = '#[test]\nfn real() {}\nconst S: &str = r#"\n#[test]\nfn fake() {}\n"#;\n'
    assert find_rust_test(src, "real").is_test
    assert find_rust_test(src, "fake") is None


# --- the test-function scanner against the token-by-token original ----------------------------

_TOKEN = re.compile(
    r"(?P<attr>#!?\s*\[)|(?P<mod>\bmod\s+(?P<modname>[A-Za-z_]\w*)\s*\{)|(?P<fn>\bfn\s+(?P<fnname>[A-Za-z_]\w*))"
    r"|(?P<open>\{)|(?P<close>\})|(?P<semi>;)"
)


def original_rust_tests(text: str) -> list[tuple]:
    """The original `rust_tests`: every token of one alternation, attributes closed by counting
    brackets one character at a time."""
    src = _blank_rust(text)
    out, stack, attrs, i = [], [], [], 0
    for m in _TOKEN.finditer(src):
        if m.start() < i:
            continue
        if m.group("attr"):
            start = m.end() - 1
            depth, j = 0, start
            while j < len(src):
                if src[j] == "[":
                    depth += 1
                elif src[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            attrs.append(" ".join(src[start + 1 : j].split()))
            i = j + 1
            continue
        if m.group("mod"):
            stack.append(m.group("modname"))
        elif m.group("fn"):
            out.append(
                (
                    m.group("fnname"),
                    [n for n in stack if n is not None],
                    any(re.match(r"^ignore\b", a) or re.search(r"cfg_attr\(.*\bignore\b", a) for a in attrs),
                    any(
                        re.match(r"^(?:\w+::)*(?:test|rstest|test_case|quickcheck|proptest)\b", a)
                        for a in attrs
                    ),
                )
            )
        elif m.group("open"):
            stack.append(None)
        elif m.group("close") and stack:
            stack.pop()
        attrs = []
    return out


RUST_PIECES = [
    "#[test]",
    "#[ignore]",
    "#[cfg_attr(x, ignore)]",
    "#![allow(x)]",
    "#[a[b]]",
    "#[",
    "[",
    "]",
    "mod m {",
    "mod",
    "m",
    "od",
    "fn f",
    "fn",
    "f",
    "n",
    "{",
    "}",
    ";",
    " ",
    "\n",
    "x",
    "_",
    "tokio::test",
    "//",
    '"',
    "'a'",
    "#[rstest]",
    "fn t() {}",
    "mod inner {",
    '#[x = "]"]',
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(RUST_PIECES), max_size=60).map("".join))
def test_test_functions_match_the_original_scanner(text):
    from parity_lsp.workspace.ci.testinfo import rust_tests

    got = [(t.name, t.modules, t.ignored, t.is_test) for t in rust_tests.__wrapped__(text)]
    assert got == original_rust_tests(text)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(RUST_PIECES), max_size=60).map("".join))
def test_without_ignore_or_mod_no_test_is_ignored_or_in_a_module(text):
    """run_cargo skips the scan of a file holding neither `ignore` nor `mod`: every fn there
    must then be outside inline modules and not ignored (the names the scan would give)."""
    from parity_lsp.workspace.ci.testinfo import rust_tests

    if "ignore" in text or "mod" in text:
        return
    for t in rust_tests.__wrapped__(text):
        assert (t.modules, t.ignored) == ([], False)


def test_a_plain_integration_test_file_gets_the_verdict_of_a_scanned_one(tmp_path):
    """The same verdicts with and without the skipped scan: a file with `mod`/`ignore` words
    takes the scan; one without takes the shortcut; both name the test as libtest does."""
    from parity_lsp.workspace.ci import run_cargo
    from parity_lsp.workspace.ci.commands import parse_command
    from parity_lsp.workspace.ci.model import TestTarget
    from parity_lsp.workspace.ci.projects import cargo_target_for_file
    from parity_lsp.workspace.fs import FileSystem

    (tmp_path / "Cargo.toml").write_text('[package]\nname = "core"\nversion = "0.1.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src/lib.rs").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/plain.rs").write_text("#[test]\nfn alpha() {}\n")
    (tmp_path / "tests/marked.rs").write_text(
        "#[test]\n#[ignore]\nfn alpha() {}\nmod inner {\n#[test]\nfn beta() {}\n}\n"
    )
    fs = FileSystem(tmp_path)
    outcomes = {}
    for cmd_text in (
        "cargo test",
        "cargo test alpha",
        "cargo test -- --exact alpha",
        "cargo test inner::beta",
    ):
        cmd = parse_command(cmd_text)
        for path, name in (
            ("tests/plain.rs", "alpha"),
            ("tests/marked.rs", "alpha"),
            ("tests/marked.rs", "beta"),
        ):
            target = cargo_target_for_file(fs, path)
            v = run_cargo._names(fs, cmd, target, TestTarget(path, name))
            outcomes[cmd_text, path, name] = v.outcome
    assert outcomes == {
        ("cargo test", "tests/plain.rs", "alpha"): "runs",
        ("cargo test", "tests/marked.rs", "alpha"): "does_not_run",  # #[ignore]
        ("cargo test", "tests/marked.rs", "beta"): "runs",
        ("cargo test alpha", "tests/plain.rs", "alpha"): "runs",
        ("cargo test alpha", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test alpha", "tests/marked.rs", "beta"): "does_not_run",
        ("cargo test -- --exact alpha", "tests/plain.rs", "alpha"): "runs",
        ("cargo test -- --exact alpha", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test -- --exact alpha", "tests/marked.rs", "beta"): "does_not_run",
        ("cargo test inner::beta", "tests/plain.rs", "alpha"): "does_not_run",
        ("cargo test inner::beta", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test inner::beta", "tests/marked.rs", "beta"): "runs",
    }
