"""Issue 18, item 5: go to definition opens one place, hover on `path:LINE` shows the code.

In-process (the engine's features on a real workspace in a temporary directory); the same
through a real client is in tests/test_lsp_navigation_hover.py and the Neovim end-to-end test.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from parity_lsp.config import Config
from parity_lsp.engine import parse_matrix
from parity_lsp.features.hover import hover
from parity_lsp.features.navigate import definition
from parity_lsp.workspace.index import Workspace

MATRIX = "docs/parity/m.md"
HEADER = (
    "| Capability | Status | Evidence (Code) | Evidence (Tests) | Evidence (CI) | Owner |\n"
    "|---|---|---|---|---|---|\n"
)

LEDGER_RS = """\
//! Schedule ticks.

use std::collections::HashSet;
use std::fmt;

/// Remembers which ticks were already evaluated.
pub struct TickLedger {
    seen: HashSet<String>,
}

impl TickLedger {
    pub fn new() -> Self {
        Self { seen: HashSet::new() }
    }
}

impl fmt::Display for TickLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ticks", self.seen.len())
    }
}

impl fmt::Debug for TickLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TickLedger({:?})", self.seen)
    }
}
"""
LEDGER = "crates/core/src/ledger.rs"
STRUCT_LINE = 7  # 1-based: `pub struct TickLedger {`
DISPLAY_FMT, DEBUG_FMT = 18, 24  # 1-based lines of the two `fn fmt`

RUNS_PY = '''\
"""Runs."""


class RunTable:
    """Rows of runs."""

    def render(self):
        return "\\n".join(self.rows)


def list_runs(status):
    return [r for r in RUNS if r.status == status]
'''


def workspace(tmp_path: Path, cells: list[str], files: dict[str, str] | None = None) -> tuple[Workspace, str]:
    rows = "".join(f"| Cap {i} | Partial | {c} | | | @me |\n" for i, c in enumerate(cells))
    text = "# Matrix\n\n" + HEADER + rows
    for rel, content in {LEDGER: LEDGER_RS, "python/runs.py": RUNS_PY, MATRIX: text, **(files or {})}.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")
    (tmp_path / ".parity-lsp.toml").write_text("")
    return Workspace(tmp_path, Config()), text


def targets(tmp_path: Path, cell: str, needle: str, delta: int = 1) -> list[tuple[str, int]]:
    ws, text = workspace(tmp_path, [cell])
    m = parse_matrix(MATRIX, text)
    return [(t.path, t.line + 1) for t in definition(ws, m, text.index(needle) + delta)]


def hover_text(tmp_path: Path, cell: str, needle: str, delta: int = 1, files: dict[str, str] | None = None):
    ws, text = workspace(tmp_path, [cell], files)
    m = parse_matrix(MATRIX, text)
    h = hover(ws, m, text.index(needle) + delta)
    assert h is not None
    return h.markdown


# --- go to definition: one place --------------------------------------------------------------


def test_definition_of_a_struct_is_the_struct_not_its_impl_blocks(tmp_path):
    """`TickLedger` is a struct and three `impl` blocks: F12 / `gd` opens the struct."""
    assert targets(tmp_path, f"`{LEDGER}` (`TickLedger`)", "TickLedger`)") == [(LEDGER, STRUCT_LINE)]


def test_definition_of_a_method_is_the_method(tmp_path):
    assert targets(tmp_path, f"`{LEDGER}` (`TickLedger::new`)", "::new") == [(LEDGER, 12)]


def test_a_method_in_two_impl_blocks_goes_where_the_cited_line_is(tmp_path):
    """`fmt` is defined by `impl Display` and by `impl Debug`: the cited line picks one; with no
    line, the first (the one PM304 measures drift against)."""
    cell = f"`{LEDGER}:{DEBUG_FMT + 1}` (`TickLedger::fmt`)"
    assert targets(tmp_path, cell, "::fmt") == [(LEDGER, DEBUG_FMT)]
    assert targets(tmp_path, f"`{LEDGER}` (`TickLedger::fmt`)", "::fmt") == [(LEDGER, DISPLAY_FMT)]


def test_definition_of_a_class_and_a_function_in_python(tmp_path):
    assert targets(tmp_path, "`python/runs.py` (`RunTable`)", "RunTable`") == [("python/runs.py", 4)]
    assert targets(tmp_path, "`python/runs.py` (`RunTable.render`)", ".render") == [("python/runs.py", 7)]


def test_a_symbol_that_is_not_defined_goes_nowhere(tmp_path):
    assert targets(tmp_path, f"`{LEDGER}` (`Gone`)", "Gone") == []


# --- hover on path:LINE: the code around the line -----------------------------------------------


def test_hover_on_path_line_shows_the_code_around_the_line_with_the_line_marked(tmp_path):
    md = hover_text(tmp_path, f"`{LEDGER}:8`", "ledger.rs")
    assert md == (
        f"`{LEDGER}` — 27 lines\n\n"
        "```rust\n"
        "   5 |\n"
        "   6 | /// Remembers which ticks were already evaluated.\n"
        "   7 | pub struct TickLedger {\n"
        ">  8 |     seen: HashSet<String>,\n"
        "   9 | }\n"
        "  10 |\n"
        "  11 | impl TickLedger {\n"
        "```"
    )
    # the same with the cursor on the line number
    assert hover_text(tmp_path, f"`{LEDGER}:8`", ":8", 1) == md


@pytest.mark.parametrize(
    "cited, marked, shown",
    [
        (":1", [1], (1, 4)),  # no lines before the first
        (":27", [27], (24, 27)),  # none after the last
        (":2-3", [2, 3], (1, 6)),  # a range: every cited line marked
        ("#L10-L11", [10, 11], (7, 14)),
    ],
)
def test_hover_excerpt_at_the_edges_and_for_ranges(tmp_path, cited, marked, shown):
    md = hover_text(tmp_path, f"`{LEDGER}{cited}`", "ledger.rs")
    body = md.split("```rust\n", 1)[1].rsplit("\n```", 1)[0].split("\n")
    numbers = [int(line[1:].split("|")[0]) for line in body]
    assert numbers == list(range(shown[0], shown[1] + 1))
    assert [n for n, line in zip(numbers, body, strict=True) if line.startswith(">")] == marked


def test_hover_on_a_long_range_shows_at_most_twelve_cited_lines(tmp_path):
    md = hover_text(tmp_path, f"`{LEDGER}:2-26`", "ledger.rs")
    body = md.split("```rust\n", 1)[1].rsplit("\n```", 1)[0].split("\n")
    assert sum(line.startswith(">") for line in body) == 12
    assert body[-2:] == ["> 13 |         Self { seen: HashSet::new() }", "   … | (13 more cited lines)"]


def test_hover_on_a_line_past_the_end_says_so(tmp_path):
    md = hover_text(tmp_path, f"`{LEDGER}:40`", "ledger.rs")
    assert md == f"`{LEDGER}` — 27 lines\n\nline 40 is past the end of the file (27 lines)"


def test_hover_fence_comes_from_the_language_registry(tmp_path):
    assert "```python\n" in hover_text(tmp_path, "`python/runs.py:8`", "runs.py")
    # a file of no registered language: a plain fence
    md = hover_text(tmp_path, "`notes/plan.txt:2`", "plan.txt", files={"notes/plan.txt": "a\nb\nc\n"})
    assert md.endswith("```\n  1 | a\n> 2 | b\n  3 | c\n```")


def test_hover_fence_is_longer_than_the_backticks_in_the_code(tmp_path):
    """A Markdown file or a doc comment with a fenced block cannot close the hover's fence."""
    doc = "# Guide\n\n```sh\nparity-lsp check\n```\n\nDone.\n"
    md = hover_text(tmp_path, "`docs/guide.md:4`", "guide.md", files={"docs/guide.md": doc})
    assert "\n````\n  1 | # Guide\n" in md and md.endswith("\n  7 | Done.\n````")


def test_hover_on_path_line_with_a_symbol_shows_the_line_on_the_path_and_the_symbol_on_it(tmp_path):
    cell = f"`{LEDGER}:8` (`TickLedger`)"
    on_path = hover_text(tmp_path, cell, "ledger.rs")
    assert ">  8 |     seen: HashSet<String>," in on_path
    on_symbol = hover_text(tmp_path, cell, "TickLedger`")
    assert "`TickLedger` — struct, lines 6-9" in on_symbol


def test_hover_on_a_cited_file_with_crlf_line_endings(tmp_path):
    crlf = textwrap.dedent("""\
        fn a() {}
        fn b() {}
        fn c() {}
        """).replace("\n", "\r\n")
    md = hover_text(tmp_path, "`src/w.rs:2`", "w.rs", files={"src/w.rs": crlf})
    assert md.endswith("```rust\n  1 | fn a() {}\n> 2 | fn b() {}\n  3 | fn c() {}\n```")
