"""`--format json`: exactly the SPEC section 6 object, keys in the documented order.

Invariant: no keys beyond the schema (consumers validate strictly); positions are 1-based,
columns in code points, end exclusive; `fix` is null when the finding has no fix.
"""

from __future__ import annotations

import json
from typing import Any

from parity_lsp.output.report import Located, Report

SCHEMA_VERSION = 1


def _diagnostic(d: Located) -> dict[str, Any]:
    f = d.finding
    fix: dict[str, Any] | None = None
    if f.fix is not None and f.fix.safe:  # SPEC 6: `fix` is null when none is safe
        fix = {
            "message": f.fix.message,
            "edits": [
                {
                    "path": edit.path,
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                    "content": edit.content,
                }
                for edit, line, column, end_line, end_column in d.fix_edits
            ],
        }
    return {
        "path": f.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "severity": f.severity.label,
        "code": f.code,
        "message": f.message,
        "fix": fix,
    }


def to_json_obj(report: Report) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "root": report.root,
        "files_checked": report.files_checked,
        "summary": report.summary(),
        "diagnostics": [_diagnostic(d) for d in report.diagnostics],
    }


def render_json(report: Report) -> str:
    return json.dumps(to_json_obj(report), indent=2, ensure_ascii=False)
