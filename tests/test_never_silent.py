"""Never silent (issue 16 item 9, issue 17 item 4, docs/spec/cli.md#never-silent): a file that is not a matrix, a
directory or workspace with no matrix, a root chosen without a marker — the user is told, in
the CLI (stderr, the last line, every format's structure), in CI (exit status) and in the
editor (an information-level PM005 on the open document)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from lspkit import open_doc, pushed, session, uri, wait_for, write_tree
from lsprotocol import types
from test_cli import GOOD_CODE, GOOD_ROW, HEADER, make_repo, run, user_env

from parity_lsp.analysis import Analysis
from parity_lsp.config import Config
from parity_lsp.engine import check_paths
from parity_lsp.findings import Severity
from parity_lsp.workspace.index import Workspace

LOOKALIKE = textwrap.dedent(
    """\
    # Parity

    | Feature | Status | Owner |
    |---|---|---|
    | Tick keys | Implemented | @sched |

    ```markdown
    | Capability | Status |
    |---|---|
    ```

    | Name | Value |
    |---|---|
    | a | b |
    """
)
GLOBS = "docs/parity/**/*.md, **/*parity*.md, **/*parity*.csv, **/*parity*.tsv"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")
    return root


def engine(root: Path, paths: list[str] | None = None, named: list[str] | None = None):
    return check_paths(Workspace(root, Config()), paths, named=named)


# --- PM005: what the engine says about a file that is not a matrix -----------------------------


def test_a_named_file_without_a_matrix_table_is_pm005_saying_what_was_found(tmp_path):
    write(tmp_path, {"docs/parity/m.md": LOOKALIKE})
    result = engine(tmp_path, ["docs/parity/m.md"])
    (f,) = result.findings
    assert (f.code, f.severity) == ("PM005", Severity.ERROR)
    # issue 17: the roles each column was given, and what is missing (a table with a status and
    # an evidence column would be a matrix: `Feature | Status | Evidence (Tests)` is one now)
    assert f.message == (
        "no matrix table: the table at line 3 (`Feature | Status | Owner`) has no evidence column "
        "(its columns: `Feature` capability, `Status` status, `Owner` owner); nor does the other table "
        "(line 12) (a matrix table needs a status column and an evidence column: for an evidence column, "
        'a header naming tests, code, CI or evidence, or `tests = ["…"]` in [columns])'
    )
    assert LOOKALIKE[f.span.start : f.span.end] == "| Feature | Status | Owner |"
    assert result.checked == [] and result.without_table == []


def test_pm005_for_a_file_with_no_table_and_for_a_csv_header(tmp_path):
    write(
        tmp_path,
        {
            "notes.md": "# Notes\n\nNo table here.\n",
            "docs/m-parity.csv": "Feature,State,Owner\nTick,done,@a\n",
        },
    )
    result = engine(tmp_path, ["docs/m-parity.csv", "notes.md"])
    by_path = {f.path: f for f in result.findings}
    assert sorted(by_path) == ["docs/m-parity.csv", "notes.md"]  # the CSV's parse problem is PM005's
    assert {f.code for f in result.findings} == {"PM005"}
    assert by_path["notes.md"].message == (
        "no matrix table: `notes.md` holds no table; a matrix table needs a status column and an evidence column"
    )
    assert by_path["docs/m-parity.csv"].message == (
        "no matrix table: the header row (`Feature | State | Owner`) has no evidence column (its columns: "
        "`Feature` capability, `State` status, `Owner` owner) (a matrix table needs a status column and an "
        'evidence column: for an evidence column, a header naming tests, code, CI or evidence, or `tests = ["…"]` '
        "in [columns])"
    )


def test_files_the_globs_match_without_a_table_are_counted_not_errors(tmp_path):
    write(
        tmp_path,
        {
            "src/lib.rs": textwrap.dedent(GOOD_CODE),
            "docs/parity/m.md": HEADER + GOOD_ROW,
            "docs/parity/charter.md": "# Charter\n",
            "docs/parity/plan.md": LOOKALIKE,
        },
    )
    result = engine(tmp_path)
    assert result.findings == []
    assert [m.path for m in result.checked] == ["docs/parity/m.md"] and result.rows == 1
    assert result.without_table == ["docs/parity/charter.md", "docs/parity/plan.md"]
    # a directory's files are not named one by one: counted the same way
    result = engine(tmp_path, ["docs/parity/charter.md", "docs/parity/m.md"], named=[])
    assert result.findings == [] and result.without_table == ["docs/parity/charter.md"]


# --- the CLI: the last line, exit statuses, one line on stderr ---------------------------------


def test_the_last_line_says_what_was_checked(tmp_path):
    root = make_repo(
        tmp_path,
        {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + GOOD_ROW, "docs/parity/charter.md": "# C\n"},
    )
    proc = run("check", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "1 matrix, 1 row: all checks passed (1 included file had no matrix table)\n"
    assert proc.stderr == (
        "parity-lsp: note: 1 included file had no matrix table and was not checked: docs/parity/charter.md\n"
    )
    data = json.loads(run("check", "--format", "json", cwd=root).stdout)
    assert (data["files_checked"], data["matrices"], data["rows"]) == (1, 1, 1)
    assert data["files_without_matrix_table"] == ["docs/parity/charter.md"]
    assert [n["kind"] for n in data["notices"]] == ["no-matrix-table"]


def test_check_file_that_is_not_a_matrix_is_an_error(tmp_path):
    root = make_repo(tmp_path, {"docs/notes.md": "# Notes\n"})
    proc = run("check", "docs/notes.md", cwd=root)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("docs/notes.md:1:1: PM005 no matrix table: `docs/notes.md` holds no table")
    assert lines[-1] == "0 matrices: 1 error"
    # PM005 turned off: nothing was checked, and that is not a pass either
    proc = run("check", "docs/notes.md", "--ignore", "PM005", cwd=root)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        (
            f"parity-lsp: error: nothing checked: no matrix table in docs/notes.md (workspace root {root}; "
            "PM005 is not selected)"
        )
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_check_dir_with_no_matrix_exits_2_with_one_line(tmp_path, fmt):
    root = make_repo(tmp_path, {"docs/parity/m.md": HEADER + GOOD_ROW, "src/lib.rs": GOOD_CODE})
    (root / "empty").mkdir()
    proc = run("check", "empty", "--format", fmt, cwd=root)
    assert proc.returncode == 2
    why = (
        f"nothing checked: no matrix file under empty/ (include globs: {GLOBS}; workspace root {root}): "
        "set `include` in .parity-lsp.toml, or name the file"
    )
    assert proc.stderr.splitlines() == [f"parity-lsp: error: {why}"]
    if fmt == "text":
        assert proc.stdout == ""
    elif fmt == "json":
        data = json.loads(proc.stdout)
        assert data["matrices"] == 0 and data["diagnostics"] == []
        assert data["notices"] == [{"kind": "nothing-checked", "level": "error", "message": why, "paths": []}]
    elif fmt == "sarif":
        (inv,) = json.loads(proc.stdout)["runs"][0]["invocations"]
        assert inv["executionSuccessful"] is False
        assert inv["toolExecutionNotifications"][0]["message"]["text"] == why
    elif fmt == "github":
        assert proc.stdout.startswith(
            "::error title=parity-lsp::nothing checked: no matrix file under empty/"
        )
    else:
        assert 'errors="1"' in proc.stdout and "nothing checked" in proc.stdout


def test_a_workspace_where_every_table_is_skipped_says_so(tmp_path):
    root = make_repo(tmp_path, {"docs/parity/m.md": LOOKALIKE, "docs/parity/charter.md": "# C\n"})
    for args in (["check"], ["fix"], ["report"]):
        proc = run(*args, cwd=root)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.splitlines() == [
            (
                "parity-lsp: error: nothing checked: 2 files in the workspace match the include globs but "
                "hold no matrix table (a table with a status column and an evidence column): docs/parity/charter.md, "
                f"docs/parity/m.md (workspace root {root}); `parity-lsp check FILE` says what is missing"
            )
        ]
        assert proc.stdout == ""
    # and naming the file says what is missing
    proc = run("check", "docs/parity/m.md", cwd=root)
    assert proc.returncode == 1 and "has no evidence column (its columns: `Feature` capability" in proc.stdout


def test_report_with_no_matrix_writes_nothing(tmp_path):
    root = make_repo(tmp_path, {"docs/readme.md": "# x\n"})
    proc = run("report", "-o", "out.html", "--format", "html", cwd=root)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert not (root / "out.html").exists()


# --- the root: chosen without a marker, said; projects below with their own root left out --------


def test_without_a_root_marker_the_root_chosen_is_said(tmp_path):
    scratch = tmp_path / "scratch"
    write(scratch, {"src/lib.rs": textwrap.dedent(GOOD_CODE), "docs/parity/m.md": HEADER + GOOD_ROW})
    assert not any(
        (d / m).exists() for d in scratch.parents for m in (".git", "pyproject.toml", ".parity-lsp.toml")
    )
    proc = run("check", "docs/parity/m.md", cwd=scratch)
    # the current directory, not the file's (`src/lib.rs` resolves against the project's top)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "1 matrix, 1 row: all checks passed\n"
    assert proc.stderr.splitlines() == [
        (
            f"parity-lsp: warning: no .git, pyproject.toml or .parity-lsp.toml in {scratch}/docs/parity or above "
            f"it: using {scratch} (the current directory) as the workspace root (--root DIR, or a "
            ".parity-lsp.toml at the project's top, to choose)"
        )
    ]
    data = json.loads(run("check", "--format", "json", cwd=scratch).stdout)
    assert [n["kind"] for n in data["notices"]] == ["root"] and data["root"] == str(scratch)


def test_a_scratch_directory_of_projects_is_not_checked_as_one(tmp_path):
    # issue 16 item 9: from a large scratch directory with no marker, `check` walked every
    # project below it and reported 135,685 findings (their evidence is relative to their root)
    scratch = tmp_path / "scratch"
    for name in ("alpha", "beta"):
        write(
            scratch / name, {"src/lib.rs": textwrap.dedent(GOOD_CODE), "docs/parity/m.md": HEADER + GOOD_ROW}
        )
        (scratch / name / ".git").mkdir()
    proc = run("check", cwd=scratch)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("parity-lsp: error: nothing checked: no matrix file in the workspace")
    assert f"workspace root {scratch}, chosen without a root marker" in line
    assert line.endswith(
        f"; left out 2 projects below {scratch} that have their own root (alpha/, beta/): check each from its own root"
    )
    data = json.loads(run("check", "--format", "json", cwd=scratch).stdout)
    assert data["diagnostics"] == []
    (nested,) = [n for n in data["notices"] if n["kind"] == "nested-projects"]
    assert nested["paths"] == ["alpha", "beta"]
    assert "left out 2 projects below" in nested["message"] and "(alpha/, beta/)" in nested["message"]
    # one of them, named: its own root, checked as it should be
    proc = run("check", "alpha", cwd=scratch)
    assert proc.returncode == 0 and proc.stdout == "1 matrix, 1 row: all checks passed\n", proc.stderr
    assert proc.stderr == ""


def test_an_enormous_tree_without_a_marker_is_not_walked(tmp_path, monkeypatch):
    from parity_lsp import cli

    scratch = tmp_path / "scratch"
    for i in range(12):
        (scratch / f"d{i}" / "sub").mkdir(parents=True)
    monkeypatch.setattr(cli, "MAX_UNMARKED_DIRS", 10)
    monkeypatch.chdir(scratch)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["check"])
    assert code == 2 and out.getvalue() == ""
    (line,) = err.getvalue().splitlines()
    assert line.startswith(
        f"parity-lsp: error: no workspace root: no .git, pyproject.toml or .parity-lsp.toml in {scratch}"
    )
    assert "more than 10 directories: not walked" in line
    with redirect_stdout(out), redirect_stderr(err):
        assert cli.main(["check", "--root", str(scratch)]) == 2  # asked for: walked (and nothing there)


# --- exit statuses: documented, and an internal error has its own ------------------------------


def test_exit_statuses_are_documented_in_help():
    for args in (["--help"], ["check", "--help"]):
        proc = run(*args)
        assert proc.returncode == 0
        text = " ".join(proc.stdout.split())
        assert "exit status: 0 checked, nothing at or above --fail-on" in text
        assert "2 usage or configuration error; nothing to check" in text
        assert "3 internal error of parity-lsp" in text


def test_an_internal_error_is_exit_3_with_one_line(tmp_path):
    root = make_repo(tmp_path, {"docs/parity/m.md": HEADER + GOOD_ROW})
    code = (
        "import parity_lsp.cli as cli\n"
        "def boom(*a, **k):\n    raise RuntimeError('a bug')\n"
        "cli.check_paths = boom\ncli.run()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "check"],
        cwd=root,
        capture_output=True,
        text=True,
        env=user_env(),
        timeout=60,
    )
    assert proc.returncode == 3
    (line,) = proc.stderr.splitlines()
    assert line.startswith("parity-lsp: internal error: RuntimeError('a bug') at <string>:3 (parity-lsp ")
    assert line.endswith("`check`: please report this)")


# --- the editor: the document you open is told why it is not a matrix ------------------------------


def test_the_editor_tells_an_open_document_why_it_is_not_a_matrix(tmp_path):
    write(tmp_path, {".parity-lsp.toml": "", "docs/parity/charter.md": "# Charter\n", "README.md": LOOKALIKE})
    analysis = Analysis(tmp_path)
    # closed: a charter next to the matrix is not reported (the CLI counts it)
    assert analysis.findings("docs/parity/charter.md") == []
    analysis.open_document("docs/parity/charter.md", "# Charter\n", 1)
    (f,) = analysis.findings("docs/parity/charter.md")
    assert (f.code, f.severity) == ("PM005", Severity.INFO)
    assert (
        "matches the include glob `docs/parity/**/*.md`: if it is not a matrix, add it to `exclude`"
        in f.message
    )
    analysis.close_document("docs/parity/charter.md")
    assert analysis.findings("docs/parity/charter.md") == []
    # a Markdown file outside the globs whose table looks like a matrix: the hint on its header
    assert analysis.is_matrix_document("README.md", LOOKALIKE)
    analysis.open_document("README.md", LOOKALIKE, 1)
    (f,) = analysis.findings("README.md")
    assert (f.code, f.severity) == ("PM005", Severity.INFO)
    assert LOOKALIKE[f.span.start : f.span.end].startswith("| Feature | Status")
    # a table that does not look like one (no column named like a capability) is left alone
    assert not analysis.is_matrix_document("NOTES.md", "| Name | Status |\n|---|---|\n| a | done |\n")


async def test_the_editor_shows_the_notice_through_the_protocol(tmp_path):
    root = write_tree(tmp_path, {"README.md": LOOKALIKE})
    async with session(root) as lsp:
        # a workspace with no matrix: the log says so, as a warning
        (warning,) = await wait_for(
            lambda: [m for m in lsp.log_messages if "no matrix in" in m.message], what="the warning"
        )
        assert (
            warning.type == types.MessageType.Warning
            and "include globs: docs/parity/**/*.md" in warning.message
        )
        open_doc(lsp, root, "README.md")
        (d,) = await pushed(lsp, uri(root, "README.md"))
        assert (d.code, d.severity) == ("PM005", types.DiagnosticSeverity.Information)
        assert (d.range.start.line, d.range.end.line) == (2, 2)
        assert "has no evidence column (its columns: `Feature` capability" in d.message


def test_no_root_marker_fallback_keeps_paths_outside_the_current_directory(tmp_path):
    # a PATH outside the current directory, with no marker: its own directory is the root
    scratch = tmp_path / "scratch"
    write(scratch, {"src/lib.rs": textwrap.dedent(GOOD_CODE), "docs/parity/m.md": HEADER + GOOD_ROW})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run("check", str(scratch), cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"using {scratch} as the workspace root" in proc.stderr
    assert os.path.isdir(elsewhere)
