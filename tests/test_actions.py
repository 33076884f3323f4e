"""Code actions, engine side: quick fixes, fix all, refactors (features/actions.py)."""

from __future__ import annotations

from pathlib import Path

from rulekit import CI_REF, MATRIX, TEST_REF, csv_matrix, git, git_init, matrix, sources, workspace

from parity_lsp.analysis import Analysis
from parity_lsp.engine import parse_matrix
from parity_lsp.features.actions import FIX_ALL, QUICKFIX, REFACTOR, code_actions, fix_all
from parity_lsp.findings import Edit, Finding, Fix, Severity
from parity_lsp.fixer import plan_fixes
from parity_lsp.text import Span

GOOD = {"status": "Implemented", "code": "`src/ledger.rs:7` (`record`)", "tests": TEST_REF, "ci": CI_REF}


def setup(tmp_path: Path, rows, rel: str = MATRIX, text: str | None = None):
    files = {**sources(), ".parity-lsp.toml": "", rel: text if text is not None else matrix(rows)}
    root = workspace(tmp_path, files)
    analysis = Analysis(root)
    analysis.check_all()
    return root, analysis


def at(analysis: Analysis, needle: str, *, rel: str = MATRIX, nth: int = 0, end: str | None = None, **kw):
    """Actions for the range from `needle` (its start) to the end of `end` (default: a cursor)."""
    m = analysis.check(rel).matrix
    start = -1
    for _ in range(nth + 1):
        start = m.text.index(needle, start + 1)
    stop = start if end is None else m.text.index(end, start) + len(end)
    cfg = analysis.ws.config
    return code_actions(
        m,
        analysis.findings(rel),
        Span(start, stop),
        statuses=cfg.statuses,
        proof_levels=cfg.proof_levels,
        config=cfg,
        **kw,
    )


def apply(text: str, edits) -> str:
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        text = text[: e.span.start] + e.content + text[e.span.end :]
    return text


def rewrite(root: Path, edits, rel: str = MATRIX) -> Analysis:
    """Apply `edits` to the matrix on disk and check it again from scratch."""
    p = root / rel
    p.write_bytes(apply(p.read_bytes().decode("utf-8"), edits).encode("utf-8"))
    analysis = Analysis(root)
    analysis.check_all()
    return analysis


def codes(analysis: Analysis, rel: str = MATRIX) -> list[str]:
    return sorted(f.code for f in analysis.findings(rel))


def titles(actions) -> list[tuple[str, str]]:
    return [(a.kind, a.title) for a in actions]


# --- quick fixes ----------------------------------------------------------------------------


def test_quick_fix_of_the_finding_under_the_cursor_is_preferred_and_removes_it(tmp_path):
    root, analysis = setup(tmp_path, [{**GOOD, "cap": "Ticks", "status": "Implemnted"}])
    findings = analysis.findings(MATRIX)
    assert [f.code for f in findings] == ["PM101"]
    actions = at(analysis, "Implemnted", only=[QUICKFIX])
    (fix,) = actions
    assert (fix.kind, fix.title, fix.preferred, fix.findings) == (
        QUICKFIX,
        "Replace with `Implemented`",
        True,
        (0,),
    )
    assert fix.edits == findings[0].fix.edits
    assert codes(rewrite(root, fix.edits)) == []


def test_cursor_touching_the_end_of_a_finding_still_gets_its_fix(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "status": "Implemnted"}])
    assert titles(at(analysis, " | unit", only=[QUICKFIX])) == [(QUICKFIX, "Replace with `Implemented`")]


def test_no_quick_fix_away_from_findings(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "cap": "Ticks", "status": "Implemnted"}])
    assert at(analysis, "Ticks", only=[QUICKFIX]) == []


def test_near_miss_names_are_offered_unsafe_and_not_preferred(tmp_path):
    root, analysis = setup(tmp_path, [{**GOOD, "code": "`src/ledger.rs` (`recrd`)"}])
    (f,) = [f for f in analysis.findings(MATRIX) if f.code == "PM303"]
    assert f.message == "symbol `recrd` is not defined in `src/ledger.rs` (did you mean `record`?)"
    actions = at(analysis, "recrd", only=[QUICKFIX])
    assert [(a.title, a.preferred) for a in actions] == [("Replace with `record`", False)]
    assert actions[0].edits == f.fix.edits and not f.fix.safe
    assert "PM303" not in codes(rewrite(root, actions[0].edits))


def test_range_over_several_findings_offers_each_fix(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "status": "Implemnted", "proof": "unit tests"}])
    actions = at(analysis, "Implemnted", end="unit tests", only=[QUICKFIX])
    assert [a.title for a in actions] == ["Replace with `Implemented`", "Replace with `unit`"]
    assert all(a.preferred for a in actions)


def test_findings_named_by_the_client_are_fixed_even_outside_the_range(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "cap": "Ticks", "status": "Implemnted"}])
    (i,) = [i for i, f in enumerate(analysis.findings(MATRIX)) if f.code == "PM101"]
    actions = at(analysis, "Ticks", only=[QUICKFIX], extra=[i, 99])
    assert [(a.title, a.findings) for a in actions] == [("Replace with `Implemented`", (i,))]


# --- downgrade ------------------------------------------------------------------------------


def test_pm201_quick_fix_is_the_downgrade_and_the_refactor_is_not_offered_twice(tmp_path):
    root, analysis = setup(tmp_path, [{**GOOD, "cap": "Ticks", "tests": "—"}])
    assert codes(analysis) == ["PM201"]
    on_cell = at(analysis, "—")
    quick = [a for a in on_cell if a.kind == QUICKFIX]
    assert [(a.title, a.preferred) for a in quick] == [("Downgrade to Partial", False)]
    assert [a.title for a in on_cell if a.kind == REFACTOR] == ["Insert row from template"]
    # elsewhere on the row, or when only refactors are asked for, it is a refactor
    (refactor,) = [a for a in at(analysis, "Ticks") if a.title == "Downgrade to Partial"]
    assert (
        refactor.kind == REFACTOR
        and refactor.edits == quick[0].edits
        and refactor.findings == quick[0].findings
    )
    assert "Downgrade to Partial" in [a.title for a in at(analysis, "—", only=["refactor"])]
    after = rewrite(root, refactor.edits)
    assert codes(after) == [] and after.check(MATRIX).matrix.tables[0].rows[0].status == "Partial"


def test_downgrade_any_implemented_row_keeps_emphasis(tmp_path):
    _root, analysis = setup(tmp_path, [{**GOOD, "cap": "Ticks", "status": "**Implemented**"}])
    assert codes(analysis) == []
    (a,) = [a for a in at(analysis, "Ticks") if a.title == "Downgrade to Partial"]
    assert [e.content for e in a.edits] == ["Partial"]
    assert "| **Partial** |" in apply(analysis.check(MATRIX).matrix.text, a.edits)


def test_downgrade_several_rows_and_never_a_partial_row(tmp_path):
    rows = [
        {**GOOD, "cap": "A"},
        {**GOOD, "cap": "B", "status": "Partial"},
        {**GOOD, "cap": "C", "status": "✅ Implemented"},
    ]
    _root, analysis = setup(tmp_path, rows)
    (a,) = [a for a in at(analysis, "| A |", end="| C |") if "Partial" in a.title]
    assert a.title == "Downgrade 2 rows to Partial"
    text = apply(analysis.check(MATRIX).matrix.text, a.edits)
    assert [r.status for r in parse_matrix(MATRIX, text).rows()] == ["Partial", "Partial", "✅ Partial"]
    assert not [a for a in at(analysis, "| B |") if "Partial" in a.title]


def test_no_downgrade_on_a_status_that_only_mentions_the_word(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "cap": "A", "status": "Not implemented"}])
    assert not [a for a in at(analysis, "| A |") if "Partial" in a.title]


# --- add missing columns --------------------------------------------------------------------


def test_add_missing_columns_anywhere_in_the_table(tmp_path):
    header = [
        "Capability",
        "Arco Feature",
        "Status",
        "Proof Level Required",
        "Evidence (Code)",
        "Evidence (Tests)",
        "Evidence (CI)",
    ]
    rows = [["Ticks", "F", "Partial", "unit", "", "", ""], ["Runs", "F", "Planned", "unit", "", "", ""]]
    root, analysis = setup(tmp_path, rows, text=matrix(rows, header=header))
    assert codes(analysis) == ["PM001"]
    (a,) = [a for a in at(analysis, "Runs") if a.title == "Add missing columns"]
    assert a.kind == REFACTOR and a.findings == (0,)
    # on the header the engine's own fix is the quick fix; the refactor is not listed twice
    on_header = at(analysis, "Capability")
    assert [(x.kind, x.title) for x in on_header if x.edits == a.edits and x.kind != FIX_ALL] == [
        (QUICKFIX, "Add columns Owner, Notes")
    ]
    after = rewrite(root, a.edits)
    assert "PM001" not in codes(after) and "PM002" not in codes(after)
    assert list(after.check(MATRIX).matrix.tables[0].columns)[-2:] == ["owner", "notes"]


def test_no_add_columns_on_a_complete_table(tmp_path):
    _, analysis = setup(tmp_path, [GOOD])
    assert "Add missing columns" not in [a.title for a in at(analysis, "Implemented")]


# --- insert row from template ---------------------------------------------------------------


def test_insert_row_after_the_cursor_row(tmp_path):
    root, analysis = setup(tmp_path, [{**GOOD, "cap": "A"}, {**GOOD, "cap": "B"}])
    (a,) = [a for a in at(analysis, "| A |") if a.title == "Insert row from template"]
    (edit,) = a.edits
    assert edit.content == "\n| New capability | | Planned | unit | | | | TBD | |"
    after = rewrite(root, a.edits)
    rows = list(after.check(MATRIX).matrix.rows())
    assert [r.capability for r in rows] == ["A", "New capability", "B"]
    assert (rows[1].status, rows[1].value("owner")) == ("Planned", "TBD")
    assert set(codes(after)) <= {"PM103"}  # owner TBD is reported as unassigned, nothing else


def test_insert_row_on_the_header_comes_first_and_follows_the_header_shape(tmp_path):
    header = [
        "Owner",
        "Capability",
        "Status",
        "Extra",
        "Arco Feature",
        "Proof Level Required",
        "Evidence (Code)",
        "Evidence (Tests)",
        "Evidence (CI)",
        "Notes",
    ]
    rows = [["@me", "A", "Planned", "x", "F", "unit", "", "", "", "n"]]
    root, analysis = setup(tmp_path, rows, text=matrix(rows, header=header))
    (a,) = [a for a in at(analysis, "Extra") if a.title == "Insert row from template"]
    assert a.edits[0].content == "\n| TBD | New capability | Planned | | | unit | | | | |"
    after = rewrite(root, a.edits)
    assert [r.capability for r in after.check(MATRIX).matrix.rows()] == ["New capability", "A"]
    assert "PM002" not in codes(after)


def test_insert_row_keeps_crlf_and_pipe_less_style(tmp_path):
    text = (
        "# M\r\n\r\nCapability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) | "
        "Evidence (CI) | Owner | Notes\r\n--- | --- | --- | --- | --- | --- | --- | --- | ---\r\n"
        "A | F | Planned | unit | — | — | — | @me | n\r\nB | F | Planned | unit | — | — | — | @me | n\r\n"
    )
    root, analysis = setup(tmp_path, None, text=text)
    (a,) = [a for a in at(analysis, "A | F") if a.title == "Insert row from template"]
    assert a.edits[0].content == "\r\nNew capability | | Planned | unit | | | | TBD | |"
    p = root / MATRIX
    p.write_bytes(apply(text, a.edits).encode())
    new = p.read_bytes().decode()
    assert "\r\nNew capability | | Planned | unit | | | | TBD | |\r\nB |" in new and "\n" not in new.replace(
        "\r\n", ""
    )
    after = Analysis(root)
    assert [r.capability for r in after.check(MATRIX).matrix.rows()] == ["A", "New capability", "B"]
    assert "PM002" not in codes(after)


def test_insert_row_in_a_csv_matrix(tmp_path):
    rel = "docs/parity/m-parity.csv"
    root, analysis = setup(tmp_path, None, rel=rel, text=csv_matrix([{"cap": "A", "status": "Planned"}]))
    (a,) = [a for a in at(analysis, "A,", rel=rel) if a.title == "Insert row from template"]
    assert a.edits[0].content == "\nNew capability,,Planned,unit,,,,TBD,"
    after = rewrite(root, a.edits, rel)
    assert [r.capability for r in after.check(rel).matrix.rows()] == ["A", "New capability"]
    assert "PM002" not in codes(after, rel)


def test_template_follows_the_configured_vocabulary(tmp_path):
    _root, analysis = setup(tmp_path, [{**GOOD, "cap": "A"}])
    m = analysis.check(MATRIX).matrix
    pos = m.text.index("| A |")
    (a,) = [
        a
        for a in code_actions(
            m, [], Span(pos, pos), statuses=("Done", "Todo"), proof_levels=("smoke", "full")
        )
        if a.title == "Insert row from template"
    ]
    assert a.edits[0].content == "\n| New capability | | Todo | smoke | | | | TBD | |"


def test_no_refactors_outside_tables(tmp_path):
    _, analysis = setup(tmp_path, [GOOD])
    assert at(analysis, "# Parity matrix") == []


# --- fix all --------------------------------------------------------------------------------


def test_fix_all_applies_every_safe_fix_and_nothing_unsafe(tmp_path):
    rows = [
        {**GOOD, "cap": "A", "status": "Implemnted", "proof": "unit tests"},
        {**GOOD, "cap": "B", "tests": "—"},
    ]
    root, analysis = setup(tmp_path, rows)
    assert codes(analysis) == ["PM101", "PM102", "PM201"]
    (a,) = at(analysis, "# Parity", only=["source.fixAll"])
    assert (a.kind, a.title) == (FIX_ALL, "Fix all safe problems (2 fixes)")
    findings = analysis.findings(MATRIX)
    assert sorted(findings[i].code for i in a.findings) == ["PM101", "PM102"]
    assert codes(rewrite(root, a.edits)) == ["PM201"]  # the downgrade is a claim change: never automatic


def test_fix_all_matches_the_cli_conflict_rule(tmp_path):
    _, analysis = setup(tmp_path, [GOOD])
    m = analysis.check(MATRIX).matrix
    first = Fix("first", (Edit(MATRIX, Span(10, 20), "a"),))
    overlapping = Fix("second", (Edit(MATRIX, Span(15, 25), "b"),))
    disjoint = Fix("third", (Edit(MATRIX, Span(30, 31), "c"), Edit(MATRIX, Span(40, 40), "d")))
    unsafe = Fix("unsafe", (Edit(MATRIX, Span(50, 51), "e"),), safe=False)
    other_file = Fix("elsewhere", (Edit("src/lib.rs", Span(0, 1), "f"),))
    findings = [
        Finding("PM101", Severity.ERROR, MATRIX, Span(0, 1), "x", fix=f)
        for f in (first, overlapping, disjoint, unsafe, other_file)
    ]
    a = fix_all(m, findings)
    assert a.findings == (0, 2) and a.title == "Fix all safe problems (2 fixes)"
    assert apply(m.text, a.edits) == plan_fixes({MATRIX: m.text}, [f.fix for f in findings])[MATRIX].updated


def test_no_fix_all_without_safe_fixes(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "tests": "—"}])
    assert at(analysis, "# Parity", only=["source"]) == []


def test_only_filters_kinds_hierarchically(tmp_path):
    _, analysis = setup(tmp_path, [{**GOOD, "cap": "A", "status": "Implemnted"}])
    kinds = lambda only: sorted({a.kind for a in at(analysis, "Implemnted", only=only)})  # noqa: E731
    assert kinds(None) == sorted([QUICKFIX, FIX_ALL, REFACTOR])
    assert kinds(["quickfix"]) == [QUICKFIX]
    assert kinds(["source"]) == kinds(["source.fixAll"]) == kinds([FIX_ALL]) == [FIX_ALL]
    assert kinds(["refactor"]) == kinds(["refactor.rewrite"]) == [REFACTOR]
    assert kinds(["refactor.extract"]) == [] and kinds(["source.organizeImports"]) == []


def test_the_editor_finds_a_missing_paths_safe_fix_only_when_asked(tmp_path):
    # Where git history says a missing file went needs `git log`; the first diagnostics of a
    # matrix do not wait for it. Fix-all and the quick-fix menu ask for it.
    rows = [{**GOOD, "cap": "A", "code": "`src/store.rs` (`persist`)"}]
    root = workspace(
        tmp_path,
        {**sources(), ".parity-lsp.toml": "", "src/store.rs": "pub fn persist() {}\n", MATRIX: matrix(rows)},
    )
    git_init(root)
    git(root, "mv", "src/store.rs", "src/tick_store.rs")
    git(root, "commit", "-q", "-m", "rename")
    analysis = Analysis(root)
    analysis.check(MATRIX)
    (missing,) = [f for f in analysis.findings(MATRIX) if f.code == "PM301"]
    assert missing.fix is None and missing.deferred is not None
    assert analysis.ws._files is None and analysis.ws._renames is None  # nothing listed nor asked git
    (a,) = at(analysis, "# Parity", only=["source.fixAll"])
    assert a.title == "Fix all safe problems (1 fix)"
    assert (
        missing.fix.safe
        and missing.fix.message == "Replace with `src/tick_store.rs` (renamed in git history)"
    )
    assert codes(rewrite(root, a.edits)) == []


def test_a_similar_path_is_never_in_fix_all(tmp_path):
    rows = [{**GOOD, "cap": "A", "code": "`src/ledgr.rs:7` (`record`)"}]
    _, analysis = setup(tmp_path, rows)
    (missing,) = [f for f in analysis.findings(MATRIX) if f.code == "PM301"]
    assert at(analysis, "# Parity", only=["source.fixAll"]) == []
    suggestion = missing.suggestion()  # the quick-fix menu still offers it
    assert not suggestion.safe and suggestion.message == "Replace with `src/ledger.rs`"


def test_a_missing_path_without_a_safe_fix_still_gets_its_suggestion_after_fix_all_asked(tmp_path):
    rows = [{**GOOD, "cap": "A", "code": "`src/elsewhere/gone.rs` (`record`)"}]
    _, analysis = setup(tmp_path, rows)
    (missing,) = [f for f in analysis.findings(MATRIX) if f.code == "PM301"]
    assert at(analysis, "# Parity", only=["source.fixAll"]) == []  # no safe fix: nothing to apply
    assert missing.fix is None and missing.deferred is not None and missing.deferred.safe is None
    suggestion = missing.suggestion()
    assert (
        not suggestion.safe
        and suggestion.message == "Replace with `src/ledger.rs`, where `record` is defined"
    )
