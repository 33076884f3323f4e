"""Outline, workspace symbols, folding, table summaries and evidence links (engine side)."""

import os

from parity_lsp.analysis import Analysis
from parity_lsp.engine import parse_matrix
from parity_lsp.features.links import document_links
from parity_lsp.features.outline import (
    CAPABILITY,
    GROUP,
    document_symbols,
    folding_ranges,
    match_score,
    table_summaries,
    workspace_symbols,
)
from parity_lsp.findings import Finding, Severity
from parity_lsp.text import Span
from parity_lsp.workspace.fs import FileSystem

STATUSES = ("Implemented", "Partial", "Designed", "Planned", "Exception")
HEAD = "| Capability | Status | Evidence (Code) | Evidence (Tests) | Evidence (CI) | Owner |\n|---|---|---|---|---|---|\n"

DOC = (
    "# Parity matrix\n"  # 0
    "\n"  # 1
    "## Scheduling\n"  # 2
    "\n"  # 3
    + HEAD  # 4, 5
    + "| Cron ticks 🚀 | Implemented | — | — | — | @a |\n"  # 6
    "| Backfill | **Planned** | — | — | — | @b |\n"  # 7
    "\n"  # 8
    "Notes about scheduling.\n"  # 9
    "\n"  # 10
    "```md\n"  # 11
    "## not a heading\n"  # 12
    "```\n"  # 13
    "\n"  # 14
    "## Sensors\n"  # 15
    + HEAD  # 16, 17
    + "| Sensor cursor | partial | — | — | — | @c |\n"  # 18
    "| | Done | — | — | — | @d |\n"  # 19
    "\n"  # 20
    + HEAD  # 21, 22
    + "| Sensor eval | Implemented | — | — | — | @e |\n"  # 23
    "\n"  # 24
    "## Appendix\n"  # 25
    "\n"  # 26
    "Text.\n"  # 27
)


def test_document_symbols_groups_then_capabilities_with_status():
    m = parse_matrix("docs/parity/m.md", DOC)
    nodes = document_symbols(m)
    assert [(n.name, n.kind) for n in nodes] == [("Scheduling", GROUP), ("Sensors", GROUP)]
    sched, sensors = nodes
    assert [(c.name, c.kind, c.detail) for c in sched.children] == [
        ("Cron ticks 🚀", CAPABILITY, "Implemented"),
        ("Backfill", CAPABILITY, "Planned"),
    ]
    # both tables under "Sensors" are one group; an empty capability still gets a name
    assert [c.name for c in sensors.children] == ["Sensor cursor", "(no capability, line 20)", "Sensor eval"]
    # ranges: the group from its heading through its last table; a capability is its row
    idx = m.index
    assert idx.position(sched.span.start) == (2, 0) and idx.line_of(sched.span.end) == 7
    assert DOC[sched.selection.start : sched.selection.end] == "Scheduling"
    assert idx.line_of(sensors.span.end) == 23
    row = sched.children[0]
    assert idx.line_of(row.span.start) == 6 and row.span == m.tables[0].rows[0].span
    assert DOC[row.selection.start : row.selection.end] == "Cron ticks 🚀"
    empty = sensors.children[1]
    assert empty.selection == empty.span


def test_tables_without_a_heading_and_csv_are_flat():
    m = parse_matrix("docs/parity/m.md", HEAD + "| A | Partial | | | | |\n")
    assert [(n.name, n.kind, n.detail) for n in document_symbols(m)] == [("A", CAPABILITY, "Partial")]
    csv = parse_matrix("docs/parity/m.csv", "Capability,Status\nA,Implemented\nB,Planned\n")
    assert [(n.name, n.detail) for n in document_symbols(csv)] == [("A", "Implemented"), ("B", "Planned")]
    assert [(f.start_line, f.end_line, f.kind) for f in folding_ranges(csv)] == [(0, 2, "table")]


def test_folding_ranges_for_tables_and_group_sections():
    m = parse_matrix("docs/parity/m.md", DOC)
    folds = [(f.start_line, f.end_line, f.kind) for f in folding_ranges(m)]
    assert folds == [
        (2, 13, GROUP),  # through the fenced block; the fake heading inside it does not end it
        (4, 7, "table"),
        (15, 23, GROUP),  # trailing blank line left out, ends before "## Appendix"
        (16, 19, "table"),
        (21, 23, "table"),
    ]


def test_table_summaries_count_statuses_and_problems():
    m = parse_matrix("docs/parity/m.md", DOC)
    t2 = m.tables[1]
    findings = [
        Finding("PM101", Severity.ERROR, m.path, t2.rows[1].cells[1].span, "unknown status"),
        Finding("PM004", Severity.WARNING, m.path, t2.rows[1].cells[0].span, "empty"),
        Finding("PM103", Severity.INFO, m.path, t2.rows[0].cells[0].span, "info is not counted"),
        Finding("PM301", Severity.ERROR, m.path, m.tables[0].rows[0].span, "one"),
        Finding("PM301", Severity.ERROR, m.path, m.tables[0].rows[1].span, "two"),
        Finding("PM301", Severity.ERROR, "other.md", Span(t2.span.start, t2.span.start), "other file"),
    ]
    s1, s2, s3 = table_summaries(m, findings, STATUSES)
    assert s1.title == "1 Implemented · 1 Planned — 2 errors"
    # status case folded to the vocabulary; unknown values counted as written, after it
    assert s2.title == "1 Partial · 1 Done — 1 error, 1 warning"
    assert s3.title == "1 Implemented — no problems"
    assert m.index.line_of(s2.span.start) == 16 and m.index.line_of(s2.span.end) == 16
    empty = parse_matrix("m.md", HEAD)
    assert table_summaries(empty, [], STATUSES)[0].title == "no rows — no problems"
    blank = parse_matrix("m.md", HEAD + "| A | | | | | |\n| B | Planned | | | | |\n")
    assert table_summaries(blank, [], STATUSES)[0].title == "1 Planned · 1 no status — no problems"


def test_match_score_is_fuzzy_ish():
    assert match_score("", "Anything") == 1
    ranked = ["cron", "Cron ticks", "Sensor cron", "Recron", "cursor ron"]
    scores = [match_score("cron", n) for n in ranked]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert match_score("ticks cron", "Cron ticks") is not None
    assert match_score("crtk", "Cron ticks") is not None  # subsequence
    assert match_score("xyz", "Cron ticks") is None


def test_workspace_symbols_across_matrices(tmp_path):
    (tmp_path / ".parity-lsp.toml").write_text("")
    (tmp_path / "docs/parity").mkdir(parents=True)
    (tmp_path / "docs/parity/a.md").write_text(DOC, encoding="utf-8")
    (tmp_path / "docs/parity/b.md").write_text(
        "## Runs\n\n" + HEAD + "| Run cursor | Designed | | | | |\n", encoding="utf-8"
    )
    analysis = Analysis(tmp_path)
    hits = workspace_symbols(analysis, "cursor")
    assert [(h.name, h.path, h.status, h.group) for h in hits] == [
        ("Run cursor", "docs/parity/b.md", "Designed", "Runs"),
        ("Sensor cursor", "docs/parity/a.md", "partial", "Sensors"),
    ]
    h = hits[0]
    assert h.matrix.text[h.span.start : h.span.end] == "| Run cursor | Designed | | | | |"
    everything = workspace_symbols(analysis, "")
    assert len(everything) == 5  # the row without a capability is not a symbol
    assert [h.name for h in workspace_symbols(analysis, "snsr")] == ["Sensor cursor", "Sensor eval"]
    assert len(workspace_symbols(analysis, "", limit=2)) == 2


def _tree(root, files):
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")


def test_document_links_for_existing_files_with_lines(tmp_path):
    outside = tmp_path / "outside"
    _tree(outside, {"secret.rs": "fn s() {}\n"})
    root = tmp_path / "root"
    _tree(
        root,
        {
            "src/a.py": "x\n" * 30,
            "src/b.rs": "fn b() {}\n",
            "tests/t.py": "def test_x(): pass\n",
            ".github/workflows/ci.yml": "jobs: {}\n",
            "docs/parity/local.md": "# local\n",
            "docs/governance.md": "# gov\n",
            "crates/core/lib.rs": "",
        },
    )
    os.symlink(outside, root / "linked")
    text = (
        "Governed by `docs/governance.md`.\n\n"
        "| Capability | Status | Evidence (Code) | Evidence (Tests) | Evidence (CI) |\n|---|---|---|---|---|\n"
        "| 日本 🚀 | Implemented | `src/a.py:12` (`f`); `src/b.rs#L2-L4`; [x](local.md) | `tests/t.py` (`test_x`) "
        "| `.github/workflows/ci.yml` (job `test`: `pytest`) |\n"
        "| B | Planned | `src/gone.py`; `../etc/passwd`; `/etc/passwd`; `linked/secret.rs`; `crates/core/` | — | — |\n"
    )
    m = parse_matrix("docs/parity/m.md", text)
    links = document_links(m, FileSystem(root))
    got = [(text[link.span.start : link.span.end], link.target, link.fragment) for link in links]
    assert got == [
        ("docs/governance.md", "docs/governance.md", ""),
        ("src/a.py:12", "src/a.py", "L12"),
        ("src/b.rs#L2-L4", "src/b.rs", "L2-L4"),
        ("local.md", "docs/parity/local.md", ""),  # a Markdown link: relative to the matrix
        ("tests/t.py", "tests/t.py", ""),
        (".github/workflows/ci.yml", ".github/workflows/ci.yml", ""),
    ]
    assert links[1].tooltip == "Open src/a.py at line 12"
    assert links[2].tooltip == "Open src/b.rs, lines 2–4"
