"""Every registered scanner on bad input (issue 17: "bad input still never crashes"): garbage
made of each language's own pieces, binary-looking text, unbalanced braces and strings, and
big files. The scanner itself (not the symbol finder, which would catch and log a crash) never
raises, and every record lies inside the text. A scan for some names (`wanted`) answers every
lookup of those names as a full scan does. Growth: time at N and 4N, never a wall-clock bound."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp import languages
from parity_lsp.workspace.symbols import Definition, find_definitions, lookup
from parity_lsp.workspace.symbols._common import normalize_newlines

SCALE = max(1, settings.default.max_examples // 100)  # 20 under `make fuzz`
LANGS = [lang.id for lang in languages.languages()]
TREE_SITTER = [lang.id for lang in languages.languages() if lang.requires]

COMMON = ["{", "}", "(", ")", "[", "]", "<", ">", ";", ",", ":", "::", ".", "=", '"', "'", "`", "\\"]
COMMON += ["/*", "*/", "//", "#", "\n", "\r\n", "\r", " ", "\t", "x", "Foo", "é", "🚀", "\x00", "\ufeff"]
PIECES = {
    "swift": ["class T: XCTestCase ", "struct S ", "func testA() ", "@Test ", '@Test(.disabled("r")) ']
    + ["@Suite ", "extension E ", 'throw XCTSkip("s")', "protocol P ", "init() ", "let x = 1"],
    "java": ["class C ", "@Test ", '@Disabled("r") ', "void m() ", "interface I ", "@Nested "]
    + ["enum E ", "record R(int a) ", "package a.b;", "/** d */", "int f = 1;"],
    "kotlin": ["class C ", "object O ", "companion object ", "fun f() ", "fun `a b`() ", "@Test "]
    + ["@Ignore ", "val x = 1", "typealias T = S", "inner class I "],
    "csharp": ["namespace N ", "namespace N;", "class C ", "[Test] ", '[Fact(Skip = "r")] ']
    + ["[Ignore] ", "public void M() ", "int P { get; set; }", "/// <summary>"],
    "c": ["int f(void) ", "struct s ", "typedef int t;", "#define M(a) a", "enum e ", "static "],
    "cpp": ["namespace n ", "class C ", "TEST(A, B) ", "TEST_F(A, DISABLED_B) ", "template <typename T> "]
    + ['TEST_CASE("n", "[.]") ', 'SECTION("s") ', "int C::m() ", "#include <x>"],
    "ruby": ['describe "a" do', 'it "b" do', 'xit "c" do', "end", "class C < Minitest::Test"]
    + ["def test_a", "skip", "module M", "RSpec.describe X do", "def self.x", "=begin", "=end"],
    "rust": ["fn f() ", "#[test]", "#[ignore]", "#[cfg_attr(miri, ignore)]", "mod m ", "impl T "]
    + ["struct S ", 'r#"', "'a", "macro_rules! m "],
    "python": ["def f():", "class C:", "@pytest.mark.skip", "    ", "async def g():", '"""']
    + ["pytestmark = ", "lambda: 0"],
    "go": ["func F() ", "func (r *T) M() ", "type T struct ", "func TestA(t *testing.T) ", "t.Skip()"],
    "typescript": ['describe("a", () => ', 'it("b", () => ', "it.skip(", "function f() ", "class C "]
    + ["const x = ", "=>", "`${", "export "],
}
PIECES["javascript"] = PIECES["typescript"]


def texts(lang_id: str) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(COMMON + PIECES[lang_id])
    return st.one_of(
        st.lists(pieces, max_size=120).map("".join),
        st.text(max_size=400),
        st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
        st.binary(max_size=400).map(lambda b: b.decode("utf-8", "replace")),
    )


def _check_records(lang_id: str, text: str) -> None:
    text = normalize_newlines(text)
    lang = languages.by_id(lang_id)
    assert lang is not None
    recs = languages.scanner(lang)(text)  # the scanner itself: an exception fails the test
    n_lines = text.count("\n") + 1
    for r in recs:
        assert 0 <= r.start_line <= r.line <= r.end_line < n_lines, (
            r.qualname,
            r.start_line,
            r.line,
            r.end_line,
        )
        assert isinstance(r.name, str) and isinstance(r.qualname, str) and r.name
        assert len(r.signature) <= 200


@pytest.mark.parametrize(
    "text", ['it.skip(""', 'it("", () => {})', 'describe("", () => { it("a", () => {}) })']
)
def test_a_test_with_an_empty_title_is_not_recorded(text):
    """Found by the test below: `it.skip(""` was a test named "" (no row can cite it)."""
    _check_records("typescript", text)
    assert [r.qualname for r in languages.scanner(languages.by_id("typescript"))(text)] in ([], ["a"])


@pytest.mark.parametrize("lang_id", LANGS)
def test_scanners_never_raise_and_stay_inside_the_text(lang_id):
    @settings(
        max_examples=60 * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(texts(lang_id))
    def run(text: str) -> None:
        _check_records(lang_id, text)

    run()


def _names(defs: list[Definition]) -> list[str]:
    out = []
    for d in defs[:40]:
        out += [d.name, d.qualname, d.qualname.replace("::", ".")]
    return out


@pytest.mark.parametrize("lang_id", TREE_SITTER + ["rust"])
def test_a_scan_for_some_names_answers_as_a_full_scan(lang_id):
    lang = languages.by_id(lang_id)
    assert lang is not None and lang.partial_scan
    path = "src/a" + lang.extensions[0]

    @settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.sampled_from(COMMON[:20] + PIECES[lang_id] + ["\n"] * 6), max_size=150).map("".join))
    def run(text: str) -> None:
        full = find_definitions(path, text)
        if full is None:
            return
        for name in _names(full) + ["Foo.missing"]:
            from parity_lsp.workspace.symbols import lookup_names

            wanted = lookup_names(name)
            if wanted is None:
                continue
            partial = find_definitions(path, text, wanted)
            assert partial is not None
            assert lookup(partial, name) == lookup(full, name), name

    run()


@pytest.mark.parametrize(
    ("path", "text", "name", "qualname"),
    [
        # found by the comparison above: a broken text where a method's range holds a module
        ("src/a.rb", "def self.x{}}module M", "M", "x::M"),
        # valid code: an RSpec example inside a helper method, a local class inside a method
        ("spec/a_spec.rb", 'class S\n  def self.behaves\n    it "works" do\n    end\n  end\nend\n', "works", "S::behaves::works"),
        ("src/A.java", "class A {\n  void f() {\n    class L {\n      void g() {}\n    }\n  }\n}\n", "g", "A::f::L::g"),
    ],
)  # fmt: skip
def test_an_item_of_another_name_still_holds_what_it_holds_in_a_scan_for_some_names(
    path, text, name, qualname
):
    from parity_lsp.workspace.symbols import lookup_names

    full = find_definitions(path, text)
    wanted = lookup_names(name)
    assert full is not None and wanted is not None
    partial = find_definitions(path, text, wanted)
    assert partial is not None
    assert (
        [d.qualname for d in partial if d.name == name]
        == [d.qualname for d in full if d.name == name]
        == [qualname]
    )


# --- big files, growth --------------------------------------------------------------------------

UNBALANCED = {
    "swift": 'class A: XCTestCase {\n  func testA() { if x { "unterminated\n',
    "java": "class A {\n  @Test void a() { if (x) { /* open\n",
    "kotlin": 'class A {\n  @Test fun a() { if (x) { "open\n',
    "csharp": 'namespace N { class A {\n  [Test] public void M() { if (x) { @"open\n',
    "c": "int f(void) {\n  if (x) { /* open\n",
    "cpp": 'namespace n { TEST(A, B) {\n  if (x) { R"(open\n',
    "ruby": 'describe "a" do\n  it "b" do\n    if x then\n',
}
REALISTIC = {
    "swift": "final class T{i}: XCTestCase {{\n    func testA{i}() throws {{\n        XCTAssertEqual(1, 1)\n    }}\n}}\n",
    "java": "class T{i} {{\n    @Test\n    void a{i}() {{\n        assertEquals(1, 1);\n    }}\n}}\n",
    "kotlin": "class T{i} {{\n    @Test\n    fun a{i}() {{\n        assertEquals(1, 1)\n    }}\n}}\n",
    "csharp": "public class T{i}\n{{\n    [Test]\n    public void A{i}() {{ Assert.True(true); }}\n}}\n",
    "c": "/* f{i} */\nint f{i}(int a) {{\n    return a + {i};\n}}\n",
    "cpp": "TEST(Suite{i}, Name{i}) {{\n  EXPECT_EQ({i}, {i});\n}}\n",
    "ruby": 'describe "s{i}" do\n  it "t{i}" do\n    expect({i}).to eq({i})\n  end\nend\n',
}


def _cpu(fn, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


@pytest.mark.parametrize("lang_id", TREE_SITTER)
def test_a_big_file_scans_in_linear_time(lang_id):
    """A realistic file of N and 4N bytes, and an unbalanced one (every block opens a brace or a
    string it never closes): 4x the text costs well under 16x the time."""
    lang = languages.by_id(lang_id)
    assert lang is not None
    scan = languages.scanner(lang)

    def realistic(n: int) -> str:
        return "".join(REALISTIC[lang_id].format(i=i) for i in range(n))

    def unbalanced(n: int) -> str:
        return UNBALANCED[lang_id] * n

    for make, n in ((realistic, 300), (unbalanced, 200)):
        small, big = make(n), make(4 * n)
        t_small = max(_cpu(lambda s=small: scan(s)), 1e-3)
        # one run at 4N; a second (the best of two) only when that one alone is over the bound:
        # another run can only lower the best time, so one under it already decides
        t_big = _cpu(lambda b=big: scan(b), 1)
        if t_big / t_small >= 10:
            t_big = min(t_big, _cpu(lambda b=big: scan(b), 1))
        assert t_big / t_small < 10, (make.__name__, len(small), t_small, len(big), t_big)


def test_a_one_megabyte_file_of_each_language_is_scanned_or_not_understood():
    """1 MB of unbalanced code: a record list inside the text, or (past the parse budget) an
    empty partial result, which the symbol finder reports as "not understood"."""
    for lang_id in TREE_SITTER:
        text = UNBALANCED[lang_id] * (1_000_000 // len(UNBALANCED[lang_id]))
        _check_records(lang_id, text)
