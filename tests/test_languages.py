"""The language registry (issue 17 item 6, issue 20 item 4): one module per language plus one
registry line, asked by every place that knows about languages; grammars load lazily; a
grammar that cannot load means "not understood", never "not defined"."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from rulekit import MATRIX, at, check, in_row, matrix, one, only, row_line, workspace

from parity_lsp import languages
from parity_lsp.engine import parse_matrix
from parity_lsp.features.completion import complete
from parity_lsp.features.hover import hover
from parity_lsp.languages import Language, PartialRecs
from parity_lsp.parse.evidence import is_path_candidate
from parity_lsp.workspace.index import Workspace
from parity_lsp.workspace.symbols import PartialDefinitions, find_definitions, language_for_path, lookup
from parity_lsp.workspace.symbols._common import Rec
from parity_lsp.workspace.tree import file_category

REPO = Path(__file__).resolve().parent.parent


def test_every_registry_line_is_a_module_with_one_language():
    langs = languages.languages()
    assert [lang.id for lang in langs] == list(languages.MODULES)
    seen: dict[str, str] = {}
    for lang in langs:
        assert lang.name and lang.fence and lang.scanner.count(":") == 1
        for ext in lang.extensions:
            assert ext.startswith(".") and ext == ext.lower(), ext
            assert seen.setdefault(ext, lang.id) == lang.id, f"{ext} is {seen[ext]} and {lang.id}"
        assert languages.for_path("src/x" + lang.extensions[0]) is lang
        assert callable(languages.scanner(lang))
        for module in lang.requires:  # the grammar wheels are dependencies: installed here
            __import__(module)


def test_nothing_of_tree_sitter_is_imported_at_start():
    """Issue 19: `import parity_lsp`, the CLI and the server's start (with its pre-imports)
    load no grammar; the first Java file loads tree-sitter and Java's grammar only."""
    code = textwrap.dedent(
        """
        import sys
        import parity_lsp, parity_lsp.cli
        from parity_lsp.lsp import server
        server.create_server()
        for module in server._first_check_modules():
            __import__(module)
        from parity_lsp import languages
        languages.languages()
        before = sorted(m for m in sys.modules if "tree_sitter" in m)
        from parity_lsp.workspace.symbols import find_definitions
        find_definitions("A.java", "class A { void f() {} }")
        after = sorted(m for m in sys.modules if "tree_sitter" in m)
        print(before, after)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, after = out.strip().split("] [")
    assert before == "[" and {m.split(".")[0] for m in re.findall(r"'([\w.]+)'", after)} == {
        "tree_sitter",
        "tree_sitter_java",
    }


def test_the_pre_commit_hook_pattern_comes_from_the_registry():
    """`files:` of .pre-commit-hooks.yaml names every registered language's files: after a
    language or an extension is added, `make pre-commit-hooks` rewrites the line."""
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    expected = languages.pre_commit_code_line()
    assert expected in text.split("\n"), f"run `make pre-commit-hooks`; the line must read:\n{expected}"
    for hook in yaml.safe_load(text):  # parity-lsp and parity-lsp-fix
        files = re.compile(hook["files"])
        for lang in languages.languages():
            for ext in lang.extensions:
                assert files.search(f"src/a{ext}"), ext
            for name in lang.filenames:
                assert files.search(f"sub/{name}") and not files.search(f"sub/{name}.txt"), name
        assert not files.search("src/a.scala") and not files.search("Makefile")


def test_the_pre_commit_line_is_rewritten_from_the_registry():
    stale = "  files: |\n    (?x)(\n      | \\.(rs|py)$  " + languages.PRE_COMMIT_MARK + "\n    )"
    fresh = languages.update_pre_commit_hooks(stale)
    assert fresh.split("\n")[2] == languages.pre_commit_code_line() and "swift" in fresh


def test_the_readme_lists_the_registered_languages():
    readme = (REPO / "README.md").read_text()
    assert languages.markdown_table() in readme, "README's language table: paste languages.markdown_table()"


def test_source_extensions_are_paths_and_sources():
    for ext in (".swift", ".kt", ".cs", ".cc", ".hpp", ".rb", ".java"):
        assert is_path_candidate("Calc" + ext)
        assert file_category("src/Calc" + ext) == (True, False, False)
    assert file_category("Tests/AppTests/CalcTests.swift")[1]
    assert file_category("spec/calc_spec.rb")[1] and file_category("src/test/java/a/CalcTest.java")[1]
    assert language_for_path("lib/tasks/Rakefile") == "ruby"


# --- a language added by one module + one registry line --------------------------------------------


def _fake_scan(text: str) -> list[Rec]:
    """`fake` files: `def NAME` defines NAME until the next blank line; `test NAME` a test,
    `skip NAME` a disabled one."""
    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"(def|test|skip) (\w+)", line)
        if m:
            end = next((j - 1 for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines) - 1)
            kind = "fn" if m.group(1) == "def" else "test"
            disabled = "skip" if m.group(1) == "skip" else None
            out.append(Rec(m.group(2), m.group(2), kind, i, i, end, kind == "test", disabled, line))
    return out


FAKE = Language(
    id="fake",
    name="Fake",
    extensions=(".fk",),
    scanner="test_languages:_fake_scan",
    fence="fakelang",
    tests="`test NAME`",
    disabled="`skip NAME`",
)


@pytest.fixture
def fake_language():
    languages.register(FAKE)
    try:
        yield FAKE
    finally:
        languages.unregister("fake")


FAKE_SRC = "def parse\n  body\n  more\n\ntest parses\n  ok\n\nskip flaky\n  later\n"


def test_a_registered_language_is_picked_up_by_symbols_rules_hover_and_completion(tmp_path, fake_language):
    rows = [
        {"cap": "defined", "code": "`src/a.fk:2` (`parse`)"},
        {"cap": "drift", "code": "`src/a.fk:5` (`parse`)"},
        {"cap": "undefined", "code": "`src/a.fk` (`render`)"},
        {"cap": "disabled", "tests": "`src/a.fk` (`flaky`)"},
    ]
    root = workspace(tmp_path, {"src/a.fk": FAKE_SRC, MATRIX: matrix(rows)})
    diags = check(root)
    assert [(d["code"], d["line"]) for d in diags if d["code"] in ("PM303", "PM304", "PM305", "PM308")] == [
        ("PM304", row_line(root, "drift")),
        ("PM303", row_line(root, "undefined")),
        ("PM308", row_line(root, "disabled")),
    ]
    assert one(diags, "PM303")["message"] == "symbol `render` is not defined in `src/a.fk`"  # understood
    ws = Workspace(root)
    text = (root / MATRIX).read_text()
    m = parse_matrix(MATRIX, text)
    h = hover(ws, m, text.index("parse`)") + 1)
    assert "```fakelang\ndef parse\n  body\n  more\n```" in h.markdown
    line_start = text.index("| defined")
    before = text[: text.index("(`parse`)", line_start) + 2]
    items = complete(ws, MATRIX, before + text[len(before) :], len(before))
    assert [c.label for c in items][:3] == ["parse", "parses", "flaky"]
    assert "```fakelang" in items[0].documentation


def test_without_the_registry_line_the_language_is_not_understood(tmp_path):
    root = workspace(
        tmp_path, {"src/a.fk": FAKE_SRC, MATRIX: matrix([{"cap": "x", "code": "`src/a.fk` (`render`)"}])}
    )
    d = one(check(root), "PM303")
    assert (
        d["message"]
        == "symbol `render` does not occur in `src/a.fk` (language not understood; searched for the word)"
    )


# --- a grammar that cannot load, a file that does not parse ---------------------------------------------


def _missing_grammar_scan(text: str) -> list[Rec]:
    from parity_lsp.languages._treesitter import TreeSitterSpec, scan

    return scan(TreeSitterSpec("tree_sitter_not_installed", "(x) @item.x"), text)


def test_a_grammar_that_cannot_load_means_not_understood_logged_once(tmp_path, caplog):
    lang = Language(
        id="ghost",
        name="Ghost",
        extensions=(".ghost",),
        scanner="test_languages:_missing_grammar_scan",
        requires=("tree_sitter", "tree_sitter_not_installed"),
    )
    languages.register(lang)
    try:
        rows = [
            {"cap": "word there", "code": "`src/a.ghost` (`Ledger.record`)"},
            {"cap": "word absent", "code": "`src/a.ghost` (`Ledger.replay`)"},
        ]
        root = workspace(tmp_path, {"src/a.ghost": "class Ledger { fn record() {} }\n", MATRIX: matrix(rows)})
        with caplog.at_level(logging.WARNING, logger="parity_lsp.workspace"):
            assert find_definitions("b.ghost", "x") is None
            diags = check(root)
    finally:
        languages.unregister("ghost")
    a, b = only(diags, "PM303")
    assert (a["line"], a["severity"]) == (row_line(root, "word there"), "info")
    assert "found only by word search at line 1" in a["message"]
    assert b["line"] == row_line(root, "word absent") and "language not understood" in b["message"]
    warnings = [r.getMessage() for r in caplog.records if "Ghost" in r.getMessage()]
    assert warnings == [
        "Ghost files are searched for as words: the scanner cannot be loaded (install tree-sitter, tree-sitter-not-installed)"
    ]


BROKEN_KOTLIN = """\
class CalcTest {
    @Test
    fun adds() { assertEquals(2, 1 + 1) }

    @Disabled("flaky")
    @Test
    fun flaky() {}

    companion object { fun make() = CalcTest() }
}
object Registry { val x = 1; fun get(): Int = x }
"""


def test_a_file_the_grammar_cannot_read_entirely_never_says_not_defined(tmp_path):
    """tree-sitter-kotlin 1.1 cannot read `object R { val x = 1; … }` on one line, and loses
    the class around it: the names it found are found; a name it did not is "not understood"
    (a word search), not PM305 "not defined"."""
    defs = find_definitions("src/CalcTest.kt", BROKEN_KOTLIN)
    assert isinstance(defs, PartialDefinitions)
    assert lookup(defs, "adds") and lookup(defs, "CalcTest.adds") is None
    rows = [
        {"cap": "found", "tests": "`src/CalcTest.kt` (`adds`)"},
        {"cap": "unread", "tests": "`src/CalcTest.kt` (`CalcTest.adds`)"},
        {"cap": "absent", "tests": "`src/CalcTest.kt` (`CalcTest.renders`)"},
    ]
    root = workspace(tmp_path, {"src/CalcTest.kt": BROKEN_KOTLIN, MATRIX: matrix(rows)})
    diags = [d for d in check(root) if d["code"] == "PM305"]
    assert [(d["line"], d["severity"]) for d in diags] == [
        (row_line(root, "unread"), "info"),
        (row_line(root, "absent"), "error"),
    ]
    assert "found only by word search" in diags[0]["message"]
    assert at(diags[1]) == in_row(root, "absent", "CalcTest.renders")
    assert "searched for the word" in diags[1]["message"]


def test_partial_records_stay_partial_through_the_symbol_finder():
    assert isinstance(find_definitions("a.fk2", "x"), type(None))
    assert issubclass(PartialRecs, list) and PartialDefinitions() == []
