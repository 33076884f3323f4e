"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning.

Invariant: valid SARIF 2.1.0, one run. Columns: SARIF's default column kind is UTF-16 code
units, which is what GitHub assumes. When `Report.source_lines` holds every file a location
points into, columns are converted to UTF-16 code units and `columnKind` is
"utf16CodeUnits"; otherwise conversion is impossible and the run declares
`columnKind: "unicodeCodePoints"` with code point columns. Either way the numbers are right
for the declared kind. What the run covered is in `run.properties` (matrices, rows, included
files without a matrix table) and its notices in `invocations[0].toolExecutionNotifications`;
a run that checked nothing has `executionSuccessful: false`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import NotRequired, TypedDict
from urllib.parse import quote

import parity_lsp
from parity_lsp.findings import Severity
from parity_lsp.output.report import Report
from parity_lsp.rules.base import RuleInfo
from parity_lsp.text import units_in

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "parityLsp/v1"

LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


# --- the shape of what is written (the parts of SARIF 2.1.0 this module uses) -----------------


class _Text(TypedDict):
    text: str


class _Help(TypedDict):
    text: str
    markdown: str


class _Configuration(TypedDict):
    level: str


class _RuleDescriptor(TypedDict):
    id: str
    name: str
    shortDescription: _Text
    fullDescription: NotRequired[_Text]
    help: NotRequired[_Help]
    defaultConfiguration: _Configuration


class _Region(TypedDict):
    startLine: int
    startColumn: int
    endLine: NotRequired[int]
    endColumn: NotRequired[int]


class _ArtifactLocation(TypedDict):
    uri: str
    uriBaseId: str


class _PhysicalLocation(TypedDict):
    artifactLocation: _ArtifactLocation
    region: _Region


class _Location(TypedDict):
    physicalLocation: _PhysicalLocation


class _RelatedLocation(TypedDict):
    id: int
    physicalLocation: _PhysicalLocation
    message: _Text


class _Replacement(TypedDict):
    deletedRegion: _Region
    insertedContent: _Text


class _ArtifactChange(TypedDict):
    artifactLocation: _ArtifactLocation
    replacements: list[_Replacement]


class _Fix(TypedDict):
    description: _Text
    artifactChanges: list[_ArtifactChange]


class _Result(TypedDict):
    ruleId: str
    ruleIndex: int
    level: str
    message: _Text
    locations: list[_Location]
    partialFingerprints: dict[str, str]
    relatedLocations: NotRequired[list[_RelatedLocation]]
    fixes: NotRequired[list[_Fix]]


class _Driver(TypedDict):
    name: str
    version: str
    rules: list[_RuleDescriptor]


class _Tool(TypedDict):
    driver: _Driver


class _Uri(TypedDict):
    uri: str


class _NotificationDescriptor(TypedDict):
    id: str


class _Notification(TypedDict):
    descriptor: _NotificationDescriptor
    level: str
    message: _Text


class _Invocation(TypedDict):
    executionSuccessful: bool
    toolExecutionNotifications: list[_Notification]


class _RunProperties(TypedDict):
    matrices: int
    rows: int
    filesChecked: int
    filesWithoutMatrixTable: list[str]


class _Run(TypedDict):
    tool: _Tool
    invocations: list[_Invocation]
    originalUriBaseIds: dict[str, _Uri]
    columnKind: str
    results: list[_Result]
    properties: _RunProperties


# "$schema" is not an identifier: the functional form.
SarifLog = TypedDict("SarifLog", {"$schema": str, "version": str, "runs": list[_Run]})


def sarif_level(severity: Severity) -> str:
    return LEVELS[severity]


def _uri(path: str) -> str:
    """A relative URI reference for a workspace-relative path (forward slashes, %-encoded)."""
    posix = path.replace("\\", "/")
    return quote(posix, safe="/")


def _root_uri(root: str) -> str:
    uri = (
        PurePath(root).as_uri() if PurePath(root).is_absolute() else quote(root.replace("\\", "/"), safe="/:")
    )
    return uri if uri.endswith("/") else uri + "/"


class _Columns:
    """Converts 1-based code point columns to the run's column kind."""

    def __init__(self, report: Report, paths: set[str]) -> None:
        self.lines = report.source_lines
        self.utf16 = all(p in self.lines for p in paths)

    @property
    def kind(self) -> str:
        return "utf16CodeUnits" if self.utf16 else "unicodeCodePoints"

    def __call__(self, path: str, line: int, column: int) -> int:
        if not self.utf16:
            return column
        lines = self.lines[path]
        if not 1 <= line <= len(lines):
            return column
        prefix = lines[line - 1][: max(0, column - 1)]
        return units_in(prefix, "utf-16") + 1


def _region(cols: _Columns, path: str, line: int, column: int, end_line: int, end_column: int) -> _Region:
    return {
        "startLine": line,
        "startColumn": cols(path, line, column),
        "endLine": end_line,
        "endColumn": cols(path, end_line, end_column),
    }


def _physical(path: str, region: _Region) -> _PhysicalLocation:
    return {
        "artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT},
        "region": region,
    }


def _rule_descriptor(code: str, info: RuleInfo | None, fallback_level: str) -> _RuleDescriptor:
    if info is None:
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": code},
            "defaultConfiguration": {"level": fallback_level},
        }
    doc = info.doc.strip() or info.summary
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": sarif_level(info.severity)},
    }


def _fingerprint(code: str, path: str, message: str, occurrence: int) -> str:
    data = "\x1f".join((code, path, message, str(occurrence))).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


def _paths(report: Report) -> set[str]:
    paths: set[str] = set()
    for d in report.diagnostics:
        f = d.finding
        paths.add(f.path)
        paths.update(edit.path for edit, *_ in d.fix_edits)
        paths.update(r.path for r in f.related)
    return paths


def to_sarif_obj(report: Report) -> SarifLog:
    cols = _Columns(report, _paths(report))

    # Rules: every known rule (sorted by code), plus any code that only appears in results.
    codes = sorted(set(report.rules) | {d.finding.code for d in report.diagnostics})
    fallback = {d.finding.code: sarif_level(d.finding.severity) for d in report.diagnostics}
    rules = [_rule_descriptor(c, report.rules.get(c), fallback.get(c, "warning")) for c in codes]
    rule_index = {c: i for i, c in enumerate(codes)}

    seen: dict[tuple[str, str, str], int] = {}
    results: list[_Result] = []
    for d in report.diagnostics:
        f = d.finding
        key = (f.code, f.path, f.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        result: _Result = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": sarif_level(f.severity),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": _physical(
                        f.path, _region(cols, f.path, d.line, d.column, d.end_line, d.end_column)
                    )
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(f.code, f.path, f.message, occurrence)},
        }
        if f.related:
            related: list[_RelatedLocation] = []
            for i, r in enumerate(f.related):
                line = r.line + 1
                region: _Region = {"startLine": line, "startColumn": cols(r.path, line, r.column + 1)}
                if r.end_line is not None or r.end_column is not None:
                    end_line = (r.end_line if r.end_line is not None else r.line) + 1
                    region["endLine"] = end_line
                    if r.end_column is not None:
                        region["endColumn"] = cols(r.path, end_line, r.end_column + 1)
                related.append(
                    {"id": i, "physicalLocation": _physical(r.path, region), "message": {"text": r.message}}
                )
            result["relatedLocations"] = related
        if f.fix is not None and f.fix.safe and d.fix_edits:
            changes: dict[str, list[_Replacement]] = {}
            for edit, line, column, end_line, end_column in d.fix_edits:
                changes.setdefault(edit.path, []).append(
                    {
                        "deletedRegion": _region(cols, edit.path, line, column, end_line, end_column),
                        "insertedContent": {"text": edit.content},
                    }
                )
            result["fixes"] = [
                {
                    "description": {"text": f.fix.message},
                    "artifactChanges": [
                        {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}, "replacements": reps}
                        for path, reps in changes.items()
                    ],
                }
            ]
        results.append(result)

    run: _Run = {
        "tool": {
            "driver": {
                "name": "parity-lsp",
                "version": parity_lsp.__version__,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.nothing_checked,
                "toolExecutionNotifications": [
                    {"descriptor": {"id": n.kind}, "level": n.level, "message": {"text": n.message}}
                    for n in report.notices
                ],
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(report.root)}},
        "columnKind": cols.kind,
        "results": results,
        "properties": {
            "matrices": report.matrices,
            "rows": report.rows,
            "filesChecked": report.files_checked,
            "filesWithoutMatrixTable": list(report.without_table),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report) -> str:
    return json.dumps(to_sarif_obj(report), indent=2, ensure_ascii=False)


__all__ = ["render_sarif", "sarif_level", "to_sarif_obj"]
