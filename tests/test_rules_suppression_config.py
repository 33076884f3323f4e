"""Suppression comments and configuration: severity, select, ignore, vocabularies (docs/spec/configuration.md)."""

from __future__ import annotations

import contextlib
import io
import json

from rulekit import (
    MATRIX,
    at,
    check,
    codes,
    in_row,
    matrix,
    one,
    only,
    row_line,
    workspace,
    write,
)

from parity_lsp import cli
from parity_lsp.config import load_config
from parity_lsp.workspace.index import Workspace

MISSING = "`src/missing.rs`"


def row(cap: str, **cells: str) -> dict:
    """A row with a missing path (PM301, error) and an unassigned owner (PM103, info)."""
    return {"cap": cap, "code": MISSING, "owner": "TBD", **cells}


def seen(diags) -> list[tuple[str, int]]:
    return [(d["code"], d["line"]) for d in diags]


# --- suppression comments -------------------------------------------------------------------


def test_disable_before_a_table_applies_to_that_table_only(tmp_path):
    first = matrix([row("A")], before_table="<!-- parity-lsp: disable PM103 -->")
    second = matrix([row("B")], title="", group="## Second group")
    root = workspace(tmp_path, {MATRIX: first + "\n" + second})
    a, b = row_line(root, "A"), row_line(root, "B")
    assert seen(check(root)) == [("PM301", a), ("PM301", b), ("PM103", b)]


def test_disable_without_codes_silences_every_rule_of_the_table(tmp_path):
    text = matrix([row("A", status="Implemeted")], before_table="<!-- parity-lsp: disable -->\n")
    root = workspace(tmp_path, {MATRIX: text})
    assert check(root) == []


def test_disable_several_codes_and_a_directive_inside_the_table(tmp_path):
    rows = [row("A"), "<!-- parity-lsp: disable PM301 -->", row("B")]
    root = workspace(
        tmp_path, {MATRIX: matrix(rows, before_table="<!-- parity-lsp: disable PM101, PM102 -->")}
    )
    # a `disable` inside a table applies to the whole table, rows above it included
    assert codes(check(root)) == ["PM103", "PM103"]


def test_disable_next_line_applies_to_the_next_row_only(tmp_path):
    rows = [
        row("A"),
        "<!-- parity-lsp: disable-next-line PM301 -->",
        row("B"),
        row("C"),
        "<!-- parity-lsp: disable-next-line -->",
        row("D"),
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    a, b, c = (row_line(root, x) for x in "ABC")
    assert seen(check(root)) == [("PM301", a), ("PM103", a), ("PM103", b), ("PM301", c), ("PM103", c)]
    # the suppressed row keeps its other diagnostics at their exact position
    assert at(one([d for d in check(root) if d["line"] == b], "PM103")) == in_row(root, "B", "TBD")


def test_disable_next_line_right_below_the_delimiter_row(tmp_path):
    rows = ["<!-- parity-lsp: disable-next-line PM301 -->", row("A"), row("B")]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    a, b = row_line(root, "A"), row_line(root, "B")
    assert seen(check(root)) == [("PM103", a), ("PM301", b), ("PM103", b)]


def test_suppression_applies_to_workspace_rule_pm003(tmp_path):
    rows = [{"cap": "Ticks"}, "<!-- parity-lsp: disable-next-line PM003 -->", {"cap": "Ticks"}]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    [d] = check(root)
    assert (d["code"], d["line"]) == ("PM003", row_line(root, "Ticks"))


def test_directive_for_another_code_suppresses_nothing(tmp_path):
    rows = ["<!-- parity-lsp: disable-next-line PM304 -->", row("A")]
    root = workspace(tmp_path, {MATRIX: matrix(rows, before_table="<!-- parity-lsp: disable PM999 -->")})
    assert codes(check(root)) == ["PM301", "PM103"]


# --- severity, select, ignore ---------------------------------------------------------------


def test_severity_override_and_off(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([row("A")])})
    diags = check(root, severity={"PM301": "warning", "PM103": "off"})
    [d] = diags
    assert (d["code"], d["severity"]) == ("PM301", "warning")
    assert at(d) == in_row(root, "A", "src/missing.rs")


def test_severity_override_raises_info_to_error(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([row("A")])})
    assert {d["code"]: d["severity"] for d in check(root, severity={"PM103": "error"})} == {
        "PM301": "error",
        "PM103": "error",
    }


def test_select_codes_and_prefixes(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([row("A", status="Implemeted")])})
    assert codes(check(root)) == ["PM101", "PM301", "PM103"]
    assert codes(check(root, select="PM1")) == ["PM101", "PM103"]
    assert codes(check(root, select=["PM301", "PM103"])) == ["PM301", "PM103"]
    assert codes(check(root, select="ALL")) == codes(check(root))


def test_ignore_beats_select(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([row("A", status="Implemeted")])})
    assert codes(check(root, ignore=("PM3", "PM2"))) == ["PM101", "PM103"]
    assert codes(check(root, select="PM1", ignore=("PM103",))) == ["PM101"]


def test_config_file_dot_parity_lsp_toml(tmp_path):
    root = workspace(
        tmp_path,
        {
            MATRIX: matrix([row("A")]),
            ".parity-lsp.toml": """
            ignore = ["PM103"]

            [severity]
            PM301 = "info"
        """,
        },
    )
    [d] = check(root)
    assert (d["code"], d["severity"]) == ("PM301", "info")


def test_config_in_pyproject_and_custom_include(tmp_path):
    root = workspace(
        tmp_path,
        {
            "handbook/capabilities.md": matrix([row("A")]),
            "pyproject.toml": """
            [project]
            name = "x"

            [tool.parity-lsp]
            include = ["handbook/*.md"]
            select = ["PM3"]
        """,
        },
    )
    [d] = check(root)
    assert (d["path"], d["code"]) == ("handbook/capabilities.md", "PM301")


def test_the_default_globs_match_parity_in_any_case_a_configured_glob_as_written(tmp_path):
    # found trying a TypeScript repository: `docs/PARITY.md` was "nothing checked: no matrix file"
    root = workspace(
        tmp_path,
        {
            "docs/PARITY.md": matrix([row("A")]),
            "Feature-Parity.md": matrix([row("B")]),
            "notes/p.md": matrix([row("C")]),
        },
    )
    assert {d["path"] for d in check(root)} == {"docs/PARITY.md", "Feature-Parity.md"}
    assert Workspace(root).matrix_files() == ["Feature-Parity.md", "docs/PARITY.md"]
    (root / ".parity-lsp.toml").write_text('include = ["docs/parity*.md"]\n')
    assert Workspace(root, load_config(root)[0]).matrix_files() == []


def test_vocabulary_and_placeholder_config(tmp_path):
    rows = [
        {"cap": "A", "status": "Shipped", "proof": "smoke", "owner": "nobody"},
        {"cap": "B", "status": "Partial", "proof": "unit", "owner": "TBD"},
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    diags = check(
        root, statuses=("Shipped", "Partial"), proof_levels=("smoke", "unit"), owner_placeholders=("nobody",)
    )
    d = one(diags, "PM103")
    assert at(d) == in_row(root, "A", "nobody")
    assert only(diags, "PM101") == [] and only(diags, "PM102") == []
    d = one(check(root, statuses=("Implemented", "Partial")), "PM101")
    assert d["message"].startswith("unknown status `Shipped`: expected one of Implemented, Partial")


# --- the CLI applies the same selection -----------------------------------------------------


def _cli_check(*args: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["check", "--format", "json", *args])
    return code, json.loads(out.getvalue())


def test_cli_select_ignore_and_config_file(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([row("A", status="Implemeted")])})
    code, report = _cli_check("--root", str(root), "--select", "PM1,PM301", "--ignore", "PM103")
    assert code == 1
    assert [d["code"] for d in report["diagnostics"]] == ["PM101", "PM301"]
    assert report["summary"] == {"error": 2, "warning": 0, "info": 0, "hint": 0}
    write(root, {".parity-lsp.toml": '[severity]\nPM101 = "warning"\nPM301 = "off"\n'})
    code, report = _cli_check("--root", str(root), "--select", "PM1,PM301", "--ignore", "PM103")
    assert code == 0  # only a warning left; --fail-on defaults to error
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("PM101", "warning")]
