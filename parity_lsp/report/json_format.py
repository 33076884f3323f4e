"""`parity-lsp report --format json`: the report as one JSON object (stable keys, version 1)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypedDict

from parity_lsp.report.model import REPORT_VERSION, ParityReport, ProofCoverage, RowReport, Totals

if TYPE_CHECKING:
    from parity_lsp.report.compare import RowChange

# --- the shape of the object (keys in the order written) ------------------------------------------


class CoverageJson(TypedDict):
    required: int
    met: int
    below: int
    unclassified: int
    no_test: int


class TotalsJson(TypedDict):
    rows: int
    by_status: dict[str, int]
    claimed: int
    verified: int
    verified_implemented: int
    exceptions: int
    verified_exceptions: int
    partial: int
    not_shipped: int
    unknown_status: int
    broken: int
    proof: CoverageJson
    proof_by_level: dict[str, CoverageJson]


class RowDiagnosticJson(TypedDict):
    code: str
    severity: str
    line: int
    column: int
    message: str


class RowJson(TypedDict):
    path: str
    line: int
    link: str
    group: str
    capability: str
    status: str
    status_key: str
    meaning: (
        str | None
    )  # shipped, partial, planned, exception (docs/spec/matrix.md#status-meanings), or null: no meaning
    owner: str
    required_level: str | None
    achieved_level: str | None
    proof: str
    claimed: bool
    verified: bool
    broken: bool
    verdict: str
    exception_ids: list[str]
    diagnostics: list[RowDiagnosticJson]


class GroupJson(TypedDict):
    name: str
    path: str
    line: int
    link: str
    totals: TotalsJson


class OwnerRowJson(TypedDict):
    capability: str
    link: str
    broken: bool


class OwnerJson(TypedDict):
    owner: str
    broken: int
    errors: int
    warnings: int
    rows: list[OwnerRowJson]


class OtherFindingJson(TypedDict):
    path: str
    code: str
    severity: str
    line: int
    column: int
    message: str


class BriefRowJson(TypedDict):
    path: str
    line: int
    link: str
    group: str
    status: str
    verified: bool
    codes: list[str]


class ChangeJson(TypedDict):
    kind: str
    capability: str
    before: BriefRowJson | None
    after: BriefRowJson | None


class CompareJson(TypedDict):
    rev: str
    commit: str
    base: TotalsJson
    regressions: list[ChangeJson]
    improvements: list[ChangeJson]
    other_changes: list[ChangeJson]


class ReportJson(TypedDict):
    version: int
    root: str
    files: list[str]
    statuses: list[str]
    status_meanings: dict[str, str]  # each status counted -> shipped | partial | planned | exception
    proof_levels: list[str]
    overall: TotalsJson
    groups: list[GroupJson]
    broken_claims: list[RowJson]
    owners: list[OwnerJson]
    rows: list[RowJson]
    other_findings: list[OtherFindingJson]
    unreadable: dict[str, str]
    compare: CompareJson | None


# --- building it ----------------------------------------------------------------------------------


def _coverage(c: ProofCoverage) -> CoverageJson:
    return {
        "required": c.required,
        "met": c.met,
        "below": c.below,
        "unclassified": c.unclassified,
        "no_test": c.no_test,
    }


def totals_dict(t: Totals) -> TotalsJson:
    return {
        "rows": t.rows,
        "by_status": dict(t.by_status),
        "claimed": t.claimed,
        "verified": t.verified,
        "verified_implemented": t.verified_implemented,
        "exceptions": t.exceptions,
        "verified_exceptions": t.verified_exceptions,
        "partial": t.partial,
        "not_shipped": t.not_shipped,
        "unknown_status": t.unknown,
        "broken": t.broken,
        "proof": _coverage(t.proof),
        "proof_by_level": {lvl: _coverage(c) for lvl, c in t.proof_by_level.items()},
    }


def row_dict(r: RowReport, link_base: str = "") -> RowJson:
    return {
        "path": r.path,
        "line": r.line,
        "link": link_base + r.link,
        "group": r.group,
        "capability": r.capability,
        "status": r.status,
        "status_key": r.status_key,
        "meaning": r.meaning,
        "owner": r.owner,
        "required_level": r.required_level,
        "achieved_level": r.achieved_level,
        "proof": r.proof,
        "claimed": r.claimed,
        "verified": r.verified,
        "broken": r.broken,
        "verdict": r.verdict,
        "exception_ids": list(r.exception_ids),
        "diagnostics": [
            {"code": d.code, "severity": d.severity, "line": d.line, "column": d.column, "message": d.message}
            for d in r.diagnostics
        ],
    }


def report_dict(report: ParityReport, link_base: str = "") -> ReportJson:
    out: ReportJson = {
        "version": REPORT_VERSION,
        "root": report.root,
        "files": list(report.files),
        "statuses": list(report.statuses),
        "status_meanings": dict(report.meanings),
        "proof_levels": list(report.proof_levels),
        "overall": totals_dict(report.overall),
        "groups": [
            {
                "name": g.name,
                "path": g.path,
                "line": g.line,
                "link": f"{link_base}{g.path}#L{g.line}",
                "totals": totals_dict(g.totals),
            }
            for g in report.groups
        ],
        "broken_claims": [row_dict(r, link_base) for r in report.broken_claims],
        "owners": [
            {
                "owner": o.owner,
                "broken": o.broken,
                "errors": o.errors,
                "warnings": o.warnings,
                "rows": [
                    {"capability": r.capability, "link": link_base + r.link, "broken": r.broken}
                    for r in o.rows
                ],
            }
            for o in report.owners
        ],
        "rows": [row_dict(r, link_base) for r in report.rows],
        "other_findings": [
            {
                "path": o.path,
                "code": o.diagnostic.code,
                "severity": o.diagnostic.severity,
                "line": o.diagnostic.line,
                "column": o.diagnostic.column,
                "message": o.diagnostic.message,
            }
            for o in report.other
        ],
        "unreadable": dict(report.unreadable),
        "compare": None,
    }
    cmp = report.compare
    if cmp is not None:
        out["compare"] = {
            "rev": cmp.rev,
            "commit": cmp.commit,
            "base": totals_dict(cmp.base),
            "regressions": [_change(c, link_base) for c in cmp.regressions],
            "improvements": [_change(c, link_base) for c in cmp.improvements],
            "other_changes": [_change(c, link_base) for c in cmp.other],
        }
    return out


def _brief(r: RowReport | None, link_base: str) -> BriefRowJson | None:
    if r is None:
        return None
    return {
        "path": r.path,
        "line": r.line,
        "link": link_base + r.link,
        "group": r.group,
        "status": r.status,
        "verified": r.verified,
        "codes": sorted({d.code for d in r.diagnostics if d.severity == "error"}),
    }


def _change(c: RowChange, link_base: str) -> ChangeJson:
    return {
        "kind": c.kind,
        "capability": c.capability,
        "before": _brief(c.before, link_base),
        "after": _brief(c.after, link_base),
    }


def render_json(report: ParityReport, link_base: str = "") -> str:
    return json.dumps(report_dict(report, link_base), indent=2, ensure_ascii=False)
