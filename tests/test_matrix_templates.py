"""Issue 16, item 4: a matrix *template* (`docs/parity/*-template.md`) matches the default
include globs, but its example rows are not claims. It is not checked unless the user names it
(command line, an `include` glob that says "template") — and then it is checked like any matrix.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from rulekit import MATRIX, check, matrix, run, sources, workspace

from parity_lsp import cli

TEMPLATE = "docs/parity/dagster-parity-matrix-template.md"
# the template's example rows: placeholders that resolve nowhere (PM201, PM301, PM402, ...)
EXAMPLE_ROWS = [
    {
        "cap": "Example capability",
        "status": "Implemented",
        "code": "`crates/core/src/lib.rs:120` (`symbol`)",
        "tests": "`crates/core/tests/x.rs` (`test_name`)",
        "ci": "`.github/workflows/ci.yml` (job `test`: `cargo test -p core`)",
    }
]


def _repo(tmp_path, template_rel=TEMPLATE):
    return workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix([{"cap": "Good row", "status": "Partial", "code": "`src/ledger.rs`"}]),
            template_rel: matrix(EXAMPLE_ROWS, title="# Parity matrix template"),
        },
    )


@pytest.mark.parametrize(
    "rel",
    [
        TEMPLATE,
        "docs/parity/parity_template.md",
        "docs/parity/parity.template.md",
        "docs/parity/TEMPLATE.md",
        "docs/parity/Parity-Matrix-Template.md",
        "docs/parity/templates/parity-matrix.md",
    ],
)
def test_templates_are_not_checked_by_default(tmp_path, rel):
    root = _repo(tmp_path, rel)
    result, diags = run(root)
    assert [m.path for m in result.matrices] == [MATRIX]
    assert [d for d in diags if d["path"] == rel] == []


def test_a_matrix_about_templates_is_still_a_matrix(tmp_path):
    # only a name that *is* a template is left out, not one that mentions templates
    root = _repo(tmp_path, "docs/parity/jinja-templates-parity.md")
    result, _ = run(root)
    assert sorted(m.path for m in result.matrices) == sorted(
        [MATRIX, "docs/parity/jinja-templates-parity.md"]
    )


def test_a_template_named_on_the_command_line_is_checked(tmp_path):
    root = _repo(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--root", str(root), "--format", "json", str(root / TEMPLATE)])
    assert code == 1, err.getvalue()
    report = json.loads(out.getvalue())
    assert report["files_checked"] == 1
    assert {d["path"] for d in report["diagnostics"]} == {TEMPLATE}
    assert {"PM201", "PM301", "PM402"} <= {d["code"] for d in report["diagnostics"]}


def test_an_include_glob_that_names_templates_checks_them(tmp_path):
    root = _repo(tmp_path)
    diags = check(root, include=["docs/parity/**/*.md", "docs/parity/*-template.md"])
    assert "PM201" in {d["code"] for d in diags if d["path"] == TEMPLATE}


def test_exclude_still_applies_with_templates_left_out(tmp_path):
    root = _repo(tmp_path)
    result, _ = run(root, exclude=[MATRIX])
    assert result.matrices == []
