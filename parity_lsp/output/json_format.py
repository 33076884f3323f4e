"""`--format json`: exactly the SPEC section 6 object, keys in the documented order.

Invariant: no keys beyond the schema (consumers validate strictly); positions are 1-based,
columns in code points, end exclusive; `fix` is null when the finding has no fix.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
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
    """`json.dumps(obj, indent=2, ensure_ascii=False)`, byte for byte. With an indent, `json`
    encodes in Python, not C: 31,654 diagnostics took 215 ms of a 100k `check`. Diagnostics
    and their fixes (fixed sets of keys, SPEC 6) are written from templates, their strings
    escaped by `json`'s C escaper; the header goes through `json.dumps`."""
    obj = to_json_obj(report)
    diagnostics = obj.pop("diagnostics")
    head = json.dumps(obj, indent=2, ensure_ascii=False)  # `{ ... \n}`: never empty
    items = "[\n" + ",\n".join(map(_diagnostic_text, diagnostics)) + "\n  ]" if diagnostics else "[]"
    return head[:-2] + ',\n  "diagnostics": ' + items + "\n}"


def _diagnostic_text(d: dict[str, Any]) -> str:
    fix = d["fix"]
    esc = _esc
    if fix is None:
        fix_text = "null"
    else:  # json.dumps with an indent would also leave a reference cycle per call (its closures)
        edits = ",".join(
            f'\n          {{\n            "path": {esc(e["path"])},\n            "line": {_int(e["line"])},'
            f'\n            "column": {_int(e["column"])},\n            "end_line": {_int(e["end_line"])},'
            f'\n            "end_column": {_int(e["end_column"])},\n            "content": {esc(e["content"])}\n          }}'
            for e in fix["edits"]
        )
        edits_text = f"[{edits}\n        ]" if edits else "[]"
        fix_text = f'{{\n        "message": {esc(fix["message"])},\n        "edits": {edits_text}\n      }}'
    return (
        f'    {{\n      "path": {esc(d["path"])},\n      "line": {_int(d["line"])},\n      "column": {_int(d["column"])},'
        f'\n      "end_line": {_int(d["end_line"])},\n      "end_column": {_int(d["end_column"])},'
        f'\n      "severity": {esc(d["severity"])},\n      "code": {esc(d["code"])},'
        f'\n      "message": {esc(d["message"])},\n      "fix": {fix_text}\n    }}'
    )


_esc = encode_basestring  # json's own string escaper (ensure_ascii=False), in C


def _int(value: Any) -> str:
    return int.__repr__(value) if type(value) is int else json.dumps(value)
