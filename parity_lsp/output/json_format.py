"""`--format json`: the docs/spec/cli.md#json-output object, keys in the documented order, plus what the run
covered (issue 16/17, "never silent"): `matrices` and `rows` checked, the included
`files_without_matrix_table`, and `notices` about the run (the root chosen, what was skipped,
that nothing was checked), each `{"kind", "level", "message", "paths"}`.

Invariant: the keys of docs/spec/cli.md#json-output exactly as documented (these four only added
after `summary`);
positions are 1-based, columns in code points, end exclusive; `fix` is null when the finding
has no fix.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TypedDict

from parity_lsp.output.report import Located, Notice, Report

SCHEMA_VERSION = 1


# The docs/spec/cli.md#json-output object, key for key (the order of the keys is the order written).
class JsonEdit(TypedDict):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str


class JsonFix(TypedDict):
    message: str
    edits: list[JsonEdit]


class JsonDiagnostic(TypedDict):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str
    code: str
    message: str
    fix: JsonFix | None


class JsonNotice(TypedDict):
    kind: str
    level: str
    message: str
    paths: list[str]


class JsonHeader(TypedDict):
    version: int
    root: str
    files_checked: int
    summary: dict[str, int]  # severity label -> count, all four labels
    matrices: int
    rows: int
    files_without_matrix_table: list[str]
    notices: list[JsonNotice]


class JsonReport(JsonHeader):
    diagnostics: list[JsonDiagnostic]


def _diagnostic(d: Located) -> JsonDiagnostic:
    f = d.finding
    fix: JsonFix | None = None
    if f.fix is not None and f.fix.safe:  # docs/spec/cli.md#json-output: `fix` is null when none is safe
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


def _notice(n: Notice) -> JsonNotice:
    return {"kind": n.kind, "level": n.level, "message": n.message, "paths": list(n.paths)}


def _header(report: Report) -> JsonHeader:
    return {
        "version": SCHEMA_VERSION,
        "root": report.root,
        "files_checked": report.files_checked,
        "summary": report.summary(),
        "matrices": report.matrices,
        "rows": report.rows,
        "files_without_matrix_table": list(report.without_table),
        "notices": [_notice(n) for n in report.notices],
    }


def to_json_obj(report: Report) -> JsonReport:
    return {**_header(report), "diagnostics": [_diagnostic(d) for d in report.diagnostics]}


def render_json(report: Report) -> str:
    """`json.dumps(to_json_obj(report), indent=2, ensure_ascii=False)`, byte for byte. With an
    indent, `json` encodes in Python, not C: slow for tens of thousands of diagnostics.
    Diagnostics and their fixes (fixed sets of keys, docs/spec/cli.md#json-output) are written from
    templates, their
    strings escaped by `json`'s C escaper; the header goes through `json.dumps`."""
    head = json.dumps(_header(report), indent=2, ensure_ascii=False)  # `{ ... \n}`: never empty
    diagnostics = report.diagnostics
    if not diagnostics:
        return head[:-2] + ',\n  "diagnostics": []\n}'
    # One join of every piece: joining the items first, then the document around them, made
    # two more copies of a 10 MB text at the end of a 100k check (the peak of its memory).
    escaped = _Escaped()  # paths, codes and severities repeat: escaped once each
    pieces = [head[:-2], ',\n  "diagnostics": [\n']
    append = pieces.append
    separator = ""
    for d in diagnostics:
        append(separator)
        append(_diagnostic_text(d, escaped))
        separator = ",\n"
    append("\n  ]\n}")
    return "".join(pieces)


class _Escaped(dict[str, str]):
    """str -> its JSON string literal, escaped on first use."""

    def __missing__(self, value: str) -> str:
        found = self[value] = _esc(value)
        return found


def _diagnostic_text(d: Located, once: _Escaped) -> str:
    """`_diagnostic(d)` as json.dumps(indent=2) writes it at its depth in the document."""
    f = d.finding
    esc = _esc
    fix = f.fix
    if fix is None or not fix.safe:  # docs/spec/cli.md#json-output: `fix` is null when none is safe
        fix_text = "null"
    else:  # json.dumps with an indent would also leave a reference cycle per call (its closures)
        edits = ",".join(
            f'\n          {{\n            "path": {once[edit.path]},\n            "line": {_int(line)},'
            f'\n            "column": {_int(column)},\n            "end_line": {_int(end_line)},'
            f'\n            "end_column": {_int(end_column)},'
            f'\n            "content": {esc(edit.content)}\n          }}'
            for edit, line, column, end_line, end_column in d.fix_edits
        )
        edits_text = f"[{edits}\n        ]" if edits else "[]"
        fix_text = f'{{\n        "message": {esc(fix.message)},\n        "edits": {edits_text}\n      }}'
    return (
        f'    {{\n      "path": {once[f.path]},\n      "line": {_int(d.line)},'
        f'\n      "column": {_int(d.column)},'
        f'\n      "end_line": {_int(d.end_line)},\n      "end_column": {_int(d.end_column)},'
        f'\n      "severity": {once[f.severity.label]},\n      "code": {once[f.code]},'
        f'\n      "message": {esc(f.message)},\n      "fix": {fix_text}\n    }}'
    )


_esc = encode_basestring  # json's own string escaper (ensure_ascii=False), in C


def _int(value: int) -> str:
    return int.__repr__(value) if type(value) is int else json.dumps(value)
