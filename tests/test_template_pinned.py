"""Issue 17 acceptance: the template in `../shared/seeds/` behaves exactly as before column
roles and status meanings. Its findings (codes, positions, severities, messages) and its report
totals were recorded by `parity-lsp check --format json` / `report --format json` on `main`
without issue 17 (at the last merge of main into this work), and must not change. (Templates are only checked when named: see
tests/test_matrix_templates.py.)
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from parity_lsp import cli

SEED = Path("/work/shared/seeds/dagster-parity-matrix-template.md")
TEMPLATE = "docs/parity/dagster-parity-matrix-template.md"

# (its wording as issue 18 changed it on main, independently of issue 17)
_NO_JOB = (
    "CI reference `.github/workflows/ci.yml` names no job and command: add (job `ID`: `COMMAND`) after it"
)
_NO_TEST = "Implemented row has no proving test that resolves (every cited test is missing)"
# (code, line, column, end_column, severity, message), as main printed them before issue 17
BEFORE = [
    (
        "PM501",
        4,
        4,
        44,
        "error",
        "governing document `docs/parity/dagster-parity-01-charter.md` does not exist",
    ),
    ("PM301", 29, 94, 136, "error", "`crates/arco-flow/src/orchestration/events/` does not exist"),
    ("PM201", 29, 140, 198, "error", _NO_TEST),
    (
        "PM301",
        29,
        141,
        197,
        "error",
        "`crates/arco-flow/tests/orchestration_automation_tests.rs` does not exist",
    ),
    ("PM202", 29, 201, 245, "error", _NO_JOB),
    ("PM401", 29, 202, 226, "error", "workflow `.github/workflows/ci.yml` does not exist"),
    ("PM103", 29, 248, 251, "info", "owner is unassigned (`TBD`)"),
    ("PM301", 30, 103, 148, "error", "`crates/arco-flow/src/orchestration/compactor/` does not exist"),
    ("PM201", 30, 152, 206, "error", _NO_TEST),
    ("PM301", 30, 153, 205, "error", "`crates/arco-flow/tests/orchestration_sensor_tests.rs` does not exist"),
    ("PM202", 30, 209, 253, "error", _NO_JOB),
    ("PM401", 30, 210, 234, "error", "workflow `.github/workflows/ci.yml` does not exist"),
    ("PM103", 30, 256, 259, "info", "owner is unassigned (`TBD`)"),
    ("PM301", 31, 82, 127, "error", "`crates/arco-flow/src/orchestration/compactor/` does not exist"),
    ("PM201", 31, 131, 185, "error", _NO_TEST),
    ("PM301", 31, 132, 184, "error", "`crates/arco-flow/tests/orchestration_schema_tests.rs` does not exist"),
    ("PM202", 31, 188, 232, "error", _NO_JOB),
    ("PM401", 31, 189, 213, "error", "workflow `.github/workflows/ci.yml` does not exist"),
    ("PM103", 31, 235, 238, "info", "owner is unassigned (`TBD`)"),
]
REPORT_BEFORE = {
    "rows": 3,
    "by_status": {"Implemented": 3, "Partial": 0, "Designed": 0, "Planned": 0, "Exception": 0},
    "claimed": 3,
    "verified": 0,
    "broken": 3,
    "not_shipped": 0,
    "partial": 0,
}


@pytest.fixture
def seeded(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not on this machine")
    root = tmp_path / "ws"
    (root / "docs/parity").mkdir(parents=True)
    shutil.copy(SEED, root / TEMPLATE)
    (root / ".git").mkdir()
    return root


def _run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue()


def test_the_seed_template_findings_are_unchanged(seeded):
    code, out = _run("check", "--root", str(seeded), "--format", "json", str(seeded / TEMPLATE))
    assert code == 1
    got = [
        (d["code"], d["line"], d["column"], d["end_column"], d["severity"], d["message"])
        for d in json.loads(out)["diagnostics"]
    ]
    assert got == BEFORE


def test_the_seed_template_report_is_unchanged(seeded):
    code, out = _run("report", "--root", str(seeded), "--format", "json", str(seeded / TEMPLATE))
    assert code == 0
    report = json.loads(out)
    assert report["statuses"] == ["Implemented", "Partial", "Designed", "Planned", "Exception"]
    assert {k: report["overall"][k] for k in REPORT_BEFORE} == REPORT_BEFORE
    assert [(r["status_key"], r["verdict"]) for r in report["rows"]] == [("Implemented", "broken")] * 3
