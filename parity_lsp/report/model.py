"""The parity report: what a CheckResult means for the people who read summaries.

Invariant: pure data computed from the engine's own output (matrices + findings) and the
workspace's answers (exception ids, cited tests, proof levels). No rule is re-judged here: a
row is *verified* exactly when the engine found no error on it (Implemented), or when it cites
a declared exception id and PM206/PM207 raised no error on it (Exception). Designed and Planned
rows are never counted as shipped; Partial is counted apart.

Definitions (per group and overall):
- claimed parity: rows whose Status is Implemented;
- verified parity: Implemented rows with zero ERROR findings, plus Exception rows citing a
  declared exception id with no PM206/PM207 error;
- broken claims: Implemented or Exception rows that are not verified;
- proof-level coverage: for Implemented rows, the required level (Proof Level Required; the
  highest level named) against the achieved level (the best level among the cited tests that
  resolve, classified by PM204's `level_of_test`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_OWNER, COL_PROOF, Matrix, Row, plain_value
from parity_lsp.roles import EXCEPTION, MEANINGS, PARTIAL, PLANNED, SHIPPED, Vocabulary
from parity_lsp.rules._gating import cited_tests
from parity_lsp.rules.context import Resolver, RowContext
from parity_lsp.rules.pm204_proof_level_unmet import _SPLIT as PROOF_SPLIT
from parity_lsp.rules.pm204_proof_level_unmet import level_of_test
from parity_lsp.workspace.index import Workspace

if TYPE_CHECKING:
    from parity_lsp.config import Config
    from parity_lsp.report.compare import Comparison

REPORT_VERSION = 1
_TEMPLATE_NAMES = {
    SHIPPED: "Implemented",
    PARTIAL: "Partial",
    PLANNED: "Designed/Planned",
    EXCEPTION: "Exception",
}
UNKNOWN_STATUS = "Unknown"
UNASSIGNED = "(unassigned)"
NO_GROUP = "(no heading)"
EXCEPTION_RULES = ("PM206", "PM207")

# Proof outcome of a row (only judged for rows that name a known required level)
PROOF_MET, PROOF_BELOW, PROOF_UNCLASSIFIED, PROOF_NO_TEST, PROOF_NOT_REQUIRED = (
    "met",
    "below",
    "unclassified",
    "no-test",
    "not-required",
)


VERDICT_VERIFIED, VERDICT_BROKEN, VERDICT_PARTIAL, VERDICT_NOT_SHIPPED, VERDICT_UNKNOWN, VERDICT_OTHER = (
    "verified",
    "broken",
    "partial",
    "not-shipped",
    "unknown",
    "other",
)


@dataclass(slots=True)
class Diagnostic:
    code: str
    severity: str  # error | warning | info | hint
    line: int  # 1-based
    column: int  # 1-based, code points
    message: str


@dataclass(slots=True)
class RowReport:
    path: str  # workspace-relative matrix path
    line: int  # 1-based line of the row
    group: str
    capability: str
    status: str  # as written (plain value)
    # the status it counts as: in a template table the configured status it matches
    # (case-insensitively); in a table read by its roles the table's own word (`done`, `✅`);
    # "Unknown" when it has no meaning
    status_key: str
    meaning: str | None  # shipped, partial, planned, exception (docs/spec/matrix.md#status-meanings), or None
    owner: str  # as written, or "(unassigned)" for placeholders
    required_level: str | None
    achieved_level: str | None
    proof: str  # met | below | unclassified | no-test | not-required
    claimed: bool  # the status means shipped (Implemented)
    verified: bool
    broken: bool  # claimed (Implemented) or Exception, and not verified
    exception_ids: list[str]  # declared exception ids the row cites
    diagnostics: list[Diagnostic]

    @property
    def link(self) -> str:
        """`path#L12`: relative to the workspace root."""
        return f"{self.path}#L{self.line}"

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def verdict(self) -> str:
        """verified | broken | partial | not-shipped | unknown | other: what the row amounts to."""
        if self.verified:
            return VERDICT_VERIFIED
        if self.broken:
            return VERDICT_BROKEN
        if self.meaning == PARTIAL:
            return VERDICT_PARTIAL
        if self.meaning == PLANNED:
            return VERDICT_NOT_SHIPPED
        if self.status_key == UNKNOWN_STATUS:
            return VERDICT_UNKNOWN
        return VERDICT_OTHER

    @property
    def has_problems(self) -> bool:
        """An open problem: any error or warning on the row."""
        return any(d.severity in ("error", "warning") for d in self.diagnostics)


@dataclass(slots=True)
class ProofCoverage:
    """Implemented rows by required level: how many reach it."""

    required: int = 0  # Implemented rows naming a known required level
    met: int = 0
    below: int = 0
    unclassified: int = 0  # tests resolve, but no proof-level glob classifies them
    no_test: int = 0  # no cited test resolves

    def add(self, outcome: str) -> None:
        if outcome == PROOF_NOT_REQUIRED:
            return
        self.required += 1
        if outcome == PROOF_MET:
            self.met += 1
        elif outcome == PROOF_BELOW:
            self.below += 1
        elif outcome == PROOF_UNCLASSIFIED:
            self.unclassified += 1
        else:
            self.no_test += 1


@dataclass(slots=True)
class Totals:
    rows: int = 0
    by_status: dict[str, int] = field(default_factory=dict)  # every configured status + Unknown
    claimed: int = 0  # Implemented
    verified: int = 0  # verified Implemented + verified Exception
    verified_implemented: int = 0
    exceptions: int = 0
    verified_exceptions: int = 0
    partial: int = 0
    not_shipped: int = 0  # Designed + Planned
    unknown: int = 0  # status not in the vocabulary (or empty)
    broken: int = 0
    proof: ProofCoverage = field(default_factory=ProofCoverage)
    proof_by_level: dict[str, ProofCoverage] = field(default_factory=dict)

    def add(self, row: RowReport) -> None:
        self.rows += 1
        self.by_status[row.status_key] = self.by_status.get(row.status_key, 0) + 1
        meaning = row.meaning
        if row.claimed:
            self.claimed += 1
            if row.verified:
                self.verified_implemented += 1
            self.proof.add(row.proof)
            if row.required_level is not None:
                self.proof_by_level.setdefault(row.required_level, ProofCoverage()).add(row.proof)
        if meaning == EXCEPTION:
            self.exceptions += 1
            if row.verified:
                self.verified_exceptions += 1
        if meaning == PARTIAL:
            self.partial += 1
        if meaning == PLANNED:
            self.not_shipped += 1
        if row.status_key == UNKNOWN_STATUS:
            self.unknown += 1
        if row.verified:
            self.verified += 1
        if row.broken:
            self.broken += 1


@dataclass(slots=True)
class GroupReport:
    name: str
    path: str  # matrix file of the group
    line: int  # 1-based line of the heading (or of the first table)
    totals: Totals
    rows: list[RowReport]


@dataclass(slots=True)
class OwnerReport:
    owner: str
    rows: list[RowReport]  # rows of this owner with an open problem (error or warning)
    broken: int
    errors: int
    warnings: int


@dataclass(slots=True)
class OtherFinding:
    """A finding on no row: table headers, governing documents, unreadable files."""

    path: str
    diagnostic: Diagnostic


@dataclass(slots=True)
class ParityReport:
    root: str
    files: list[str]
    # the statuses counted: the configured vocabulary (when a template table was read), the
    # words of the tables read by their roles (by meaning), then "Unknown" when used
    statuses: list[str]
    proof_levels: list[str]
    groups: list[GroupReport]
    overall: Totals
    rows: list[RowReport]
    owners: list[OwnerReport]
    other: list[OtherFinding]
    unreadable: dict[str, str]
    compare: Comparison | None = None  # when --compare was asked
    meanings: dict[str, str] = field(default_factory=dict)  # status counted -> its meaning
    legacy: bool = True  # only the template's vocabulary was read (the report speaks of it)

    def named(self, meaning: str) -> str:
        """How the report names a meaning: the template's words when only they were read
        (`Implemented`, `Designed/Planned`), else the meaning and the words that have it
        (`shipped (done, ✅)`)."""
        if self.legacy:
            return _TEMPLATE_NAMES[meaning]
        words = [s for s, m in self.meanings.items() if m == meaning]
        return f"{meaning} ({', '.join(words)})" if words else meaning

    @property
    def broken_claims(self) -> list[RowReport]:
        return [r for r in self.rows if r.broken]


# --- construction ------------------------------------------------------------------------------


def _status_key(status: str, vocabulary: Vocabulary) -> tuple[str, str | None]:
    """(the status a row counts as, its meaning): see `RowReport.status_key`."""
    match = vocabulary.match(status)
    if match is None:
        return UNKNOWN_STATUS, None
    if vocabulary.legacy:
        return match.value, match.meaning
    return (status.strip() if match.exact else match.value), match.meaning


def _owner(row: Row, placeholders: tuple[str, ...]) -> str:
    owner = row.value(COL_OWNER).strip()
    folded = {p.strip().casefold() for p in placeholders}
    if owner.casefold() in folded:
        return UNASSIGNED
    return owner


def _required_level(row: Row, levels: list[str]) -> str | None:
    cell = row.cell(COL_PROOF)
    if cell is None or not cell.value.strip():
        return None
    order = {lvl.lower(): i for i, lvl in enumerate(levels)}
    wanted = [order[p] for p in PROOF_SPLIT.split(cell.value.strip().lower()) if p in order]
    return levels[max(wanted)] if wanted else None


def _achieved_level(ctx: RowContext, levels: list[str]) -> tuple[str | None, bool]:
    """(best level of the cited tests that resolve, whether any cited test resolves)."""
    order = {lvl.lower(): i for i, lvl in enumerate(levels)}
    tests = cited_tests(ctx)
    best: tuple[int, str] | None = None
    for t in tests:
        level = level_of_test(ctx, t.target.path, t.target.name)
        if level is None or level.lower() not in order:
            continue
        rank = order[level.lower()]
        if best is None or rank > best[0]:
            best = (rank, level)
    return (best[1] if best else None), bool(tests)


def _proof_outcome(required: str | None, achieved: str | None, any_test: bool, levels: list[str]) -> str:
    if required is None:
        return PROOF_NOT_REQUIRED
    if not any_test:
        return PROOF_NO_TEST
    if achieved is None:
        return PROOF_UNCLASSIFIED
    order = {lvl.lower(): i for i, lvl in enumerate(levels)}
    return PROOF_MET if order[achieved.lower()] >= order[required.lower()] else PROOF_BELOW


def _diagnostic(matrix: Matrix, f: Finding) -> Diagnostic:
    line, col = matrix.index.position(f.span.start) if matrix.text else (0, 0)
    return Diagnostic(f.code, f.severity.label, line + 1, col + 1, f.message)


def _exception_ids(ws: Workspace, row: Row) -> list[str]:
    """Declared exception ids cited anywhere in the row, in order of appearance."""
    pattern = ws.config.exception_id_re
    declared = None
    out: list[str] = []
    for cell in row.cells:
        for m in pattern.finditer(cell.text):
            if declared is None:
                declared = ws.exception_ids()
            if m.group(0) in declared and m.group(0) not in out:
                out.append(m.group(0))
    return out


def _findings_by_row(
    matrix: Matrix, findings: list[Finding]
) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """Findings of `matrix` keyed by id(row) of the row whose span holds their start; the rest."""
    rows = sorted(matrix.rows(), key=lambda r: r.span.start)
    starts = [r.span.start for r in rows]
    by_row: dict[int, list[Finding]] = {}
    rest: list[Finding] = []
    for f in findings:
        i = bisect.bisect_right(starts, f.span.start) - 1
        if i >= 0 and rows[i].span.start <= f.span.start <= rows[i].span.end:
            by_row.setdefault(id(rows[i]), []).append(f)
        else:
            rest.append(f)
    return by_row, rest


def build_report(
    ws: Workspace, matrices: list[Matrix], findings: list[Finding], unreadable: dict[str, str] | None = None
) -> ParityReport:
    """The report of `matrices` (already checked) given the engine's `findings` for them."""
    config = ws.config
    statuses = list(config.statuses)
    levels = list(config.proof_levels)
    resolver = Resolver(ws)
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    matrix_paths = {m.path for m in matrices}

    groups: list[GroupReport] = []
    legacy = True  # every table read so far has the template's vocabulary
    seen_words: dict[str, str] = {}  # words of tables read by roles -> meaning
    group_index: dict[tuple[str, str], GroupReport] = {}
    all_rows: list[RowReport] = []
    other: list[OtherFinding] = []
    for matrix in sorted(matrices, key=lambda m: m.path):
        per_row, rest = _findings_by_row(matrix, by_path.get(matrix.path, []))
        other.extend(OtherFinding(matrix.path, _diagnostic(matrix, f)) for f in rest)
        for table in matrix.tables:
            name = plain_value(table.group) if table.group else NO_GROUP
            key = (matrix.path, name)
            group = group_index.get(key)
            if group is None:
                line = (table.group_line if table.group_line is not None else table.header_line) + 1
                group = GroupReport(name, matrix.path, line, Totals(), [])
                group_index[key] = group
                groups.append(group)
            vocabulary = config.vocabulary(table.roles.template)
            legacy = legacy and vocabulary.legacy
            for row in table.rows:
                rr = _row_report(
                    ws, resolver, matrix, row, name, per_row.get(id(row), []), vocabulary, levels
                )
                if not vocabulary.legacy and rr.meaning is not None:
                    seen_words.setdefault(rr.status_key, rr.meaning)
                group.rows.append(rr)
                group.totals.add(rr)
                all_rows.append(rr)

    # findings on files that are not checked matrices (e.g. unreadable ones)
    for path, fs in sorted(by_path.items()):
        if path in matrix_paths:
            continue
        for f in fs:
            other.append(OtherFinding(path, Diagnostic(f.code, f.severity.label, 1, 1, f.message)))

    meanings = {s: m for s in statuses if (m := meaning_of_configured(config, s)) is not None}
    if not legacy:
        if not any(t.roles.template for m in matrices for t in m.tables):
            statuses, meanings = [], {}  # no template table: its five words would all count 0
        for meaning in MEANINGS:
            for word, m in seen_words.items():
                if m == meaning and word not in meanings:
                    statuses.append(word)
                    meanings[word] = m
    overall = Totals()
    for rr in all_rows:
        overall.add(rr)
    for g in groups:
        _fill_statuses(g.totals, statuses)
    _fill_statuses(overall, statuses)
    shown_statuses = statuses + ([UNKNOWN_STATUS] if overall.unknown else [])
    return ParityReport(
        root=str(ws.root),
        files=sorted(matrix_paths),
        statuses=shown_statuses,
        proof_levels=levels,
        groups=groups,
        overall=overall,
        rows=all_rows,
        owners=_owners(all_rows),
        other=other,
        unreadable=dict(unreadable or {}),
        meanings=meanings,
        legacy=legacy,
    )


def meaning_of_configured(config: Config, status: str) -> str | None:
    """What a word of the `statuses` vocabulary means in a template table."""
    return config.vocabulary(True).meaning(status)


def _fill_statuses(totals: Totals, statuses: list[str]) -> None:
    ordered = {s: totals.by_status.get(s, 0) for s in statuses}
    if totals.by_status.get(UNKNOWN_STATUS):
        ordered[UNKNOWN_STATUS] = totals.by_status[UNKNOWN_STATUS]
    totals.by_status = ordered


def _row_report(
    ws: Workspace,
    resolver: Resolver,
    matrix: Matrix,
    row: Row,
    group: str,
    findings: list[Finding],
    vocabulary: Vocabulary,
    levels: list[str],
) -> RowReport:
    status = row.status
    key, meaning = _status_key(status, vocabulary)
    ctx = RowContext(row, matrix, ws, resolver)
    required = _required_level(row, levels)
    achieved, any_test = _achieved_level(ctx, levels)
    errors = [f for f in findings if f.severity >= Severity.ERROR]
    ids: list[str] = []
    if meaning == SHIPPED:
        verified = not errors
    elif meaning == EXCEPTION and not vocabulary.legacy and not ws.exception_docs():
        verified = False  # no exceptions document to point to: shown apart (as PM206 asks nothing)
    elif meaning == EXCEPTION:
        ids = _exception_ids(ws, row)
        verified = bool(ids) and not any(f.code in EXCEPTION_RULES for f in errors)
    else:
        verified = False
    claimed = meaning == SHIPPED
    broken = (
        meaning == SHIPPED or (meaning == EXCEPTION and (vocabulary.legacy or bool(ws.exception_docs())))
    ) and not verified
    diagnostics = [_diagnostic(matrix, f) for f in sorted(findings, key=lambda f: (f.span.start, f.code))]
    return RowReport(
        path=matrix.path,
        line=row.line + 1,
        group=group,
        capability=row.capability,
        status=status,
        status_key=key,
        meaning=meaning,
        owner=_owner(row, ws.config.owner_placeholders),
        required_level=required,
        achieved_level=achieved,
        proof=_proof_outcome(required, achieved, any_test, levels),
        claimed=claimed,
        verified=verified,
        broken=broken,
        exception_ids=ids,
        diagnostics=diagnostics,
    )


def _owners(rows: list[RowReport]) -> list[OwnerReport]:
    by_owner: dict[str, list[RowReport]] = {}
    for r in rows:
        if r.has_problems:
            by_owner.setdefault(r.owner or UNASSIGNED, []).append(r)
    out = [
        OwnerReport(
            owner, rs, sum(r.broken for r in rs), sum(r.errors for r in rs), sum(r.warnings for r in rs)
        )
        for owner, rs in by_owner.items()
    ]
    out.sort(key=lambda o: (-o.broken, -o.errors, -o.warnings, o.owner.casefold()))
    return out


def percent(part: int, whole: int) -> str:
    """'36%', rounded, but never 100% short of all nor 0% above none; '—' when `whole` is 0."""
    if whole <= 0:
        return "—"
    value = round(part * 100 / whole)
    if part < whole:
        value = min(value, 99)
    if part > 0:
        value = max(value, 1)
    return f"{value}%"
