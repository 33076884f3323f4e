"""The common input of every output format: findings with their positions resolved.

Invariant: plain data plus pure conversion. Positions here are what the CLI prints
(docs/spec/cli.md#json-output): 1-based lines and columns, columns in Unicode code points, end exclusive.
Formats only read a `Report`; they never touch the file system.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from parity_lsp.findings import Edit, Finding, Severity
from parity_lsp.rules.base import RuleInfo
from parity_lsp.text import LineIndex, Span

# (edit, line, column, end_line, end_column): 1-based, code points, end exclusive.
LocatedEdit = tuple[Edit, int, int, int, int]


@dataclass(slots=True)
class Located:
    """A finding with positions resolved: what every format prints."""

    finding: Finding
    line: int
    column: int
    end_line: int
    end_column: int
    fix_edits: list[LocatedEdit] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.finding.path

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    @property
    def message(self) -> str:
        return self.finding.message

    def sort_key(self) -> tuple[str, int, int, str, int, int, str]:
        # docs/spec/cli.md#json-output: path, line, column, code; the rest only makes ties deterministic.
        return (self.path, self.line, self.column, self.code, self.end_line, self.end_column, self.message)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user must know about the run itself, not about a row: which root was
    chosen and why, what was not checked, that nothing was (`kind` is stable, for machines)."""

    kind: str  # "root", "nested-projects", "no-matrix-table", "nothing-checked"
    message: str
    paths: tuple[str, ...] = ()  # workspace-relative files or directories it is about
    level: str = "note"  # "note" | "warning" | "error" (SARIF's notification levels)


@dataclass(slots=True)
class Report:
    root: str  # absolute workspace root
    files_checked: int
    diagnostics: list[Located]  # sorted by (path, line, column, code); see `locate`
    rules: dict[str, RuleInfo] = field(default_factory=dict)  # code -> rule info (SARIF, junit)
    # Optional: path -> lines of the file (without line breaks). Text output shows source
    # context from it; SARIF uses it to convert columns to UTF-16 code units.
    source_lines: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # workspace-relative matrix files checked (junit)
    # What was checked: matrices (files holding at least one matrix table) and their rows;
    # files the include globs matched that hold no matrix table (not errors: a charter, a plan);
    # notices about the run. Never silent: an output says what it covered.
    matrices: int = 0
    rows: int = 0
    without_table: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def nothing_checked(self) -> bool:
        """No matrix was checked and no file has a finding: the run proves nothing."""
        return self.matrices == 0 and not self.diagnostics

    def summary(self) -> dict[str, int]:
        """Counts per severity label, always with all four keys, most severe first."""
        counts = {"error": 0, "warning": 0, "info": 0, "hint": 0}
        for d in self.diagnostics:
            counts[d.finding.severity.label] += 1
        return counts


def _resolve(index: LineIndex, span: Span) -> tuple[int, int, int, int]:
    line, col = index.position(span.start)
    end_line, end_col = index.position(span.end)
    return line + 1, col + 1, end_line + 1, end_col + 1


def locate(findings: Iterable[Finding], index_for: Callable[[str], LineIndex]) -> list[Located]:
    """Resolve spans to 1-based positions with `index_for(path)` and sort (the order of
    docs/spec/cli.md#json-output).

    `index_for` is called at most once per path. A path it cannot provide (raises KeyError,
    LookupError or OSError, e.g. a finding on a file that could not be read) resolves against an
    empty text, i.e. to 1:1.
    """
    cache: dict[str, LineIndex] = {}

    def index(path: str) -> LineIndex:
        idx = cache.get(path)
        if idx is None:
            try:
                idx = index_for(path)
            except (LookupError, OSError):
                idx = LineIndex("")
            cache[path] = idx
        return idx

    located: list[Located] = []
    append = located.append
    path = None
    starts: list[int] = []
    size = 0
    for finding in findings:
        if finding.path != path:  # findings come grouped by path: its index is looked up once
            path = finding.path
            idx = index(path)
            starts, size = idx.line_starts, len(idx.text)
        # LineIndex.position, inlined (called once per finding: tens of thousands in a large check)
        span = finding.span
        start = 0 if span.start < 0 else size if span.start > size else span.start
        end = 0 if span.end < 0 else size if span.end > size else span.end
        line = bisect_right(starts, start) - 1
        end_line = line if end == start else bisect_right(starts, end) - 1
        edits: list[LocatedEdit] = []
        fix = finding.fix
        if fix is not None and fix.safe:
            for edit in fix.edits:
                edits.append((edit, *_resolve(index(edit.path), edit.span)))
        append(
            Located(
                finding, line + 1, start - starts[line] + 1, end_line + 1, end - starts[end_line] + 1, edits
            )
        )
    located.sort(key=Located.sort_key)
    return located


def source_lines_from(paths: Iterable[str], index_for: Callable[[str], LineIndex]) -> dict[str, list[str]]:
    """`Report.source_lines` for `paths`, built from the same indexes `locate` used."""
    out: dict[str, list[str]] = {}
    for path in paths:
        if path in out:
            continue
        try:
            idx = index_for(path)
        except (LookupError, OSError):
            continue
        out[path] = [idx.line_text(i) for i in range(idx.line_count)]
    return out


def make_report(
    root: str,
    files: list[str],
    findings: Iterable[Finding],
    index_for: Callable[[str], LineIndex],
    rules: dict[str, RuleInfo] | None = None,
    with_source_lines: bool = True,
    *,
    matrices: int | None = None,
    rows: int = 0,
    without_table: Iterable[str] = (),
    notices: Iterable[Notice] = (),
) -> Report:
    """Convenience: locate `findings` and fill `source_lines` for every path they mention
    (unless the caller's format does not read them: `with_source_lines=False`). `matrices`
    defaults to the number of `files`."""
    findings = list(findings)
    diagnostics = locate(findings, index_for)
    paths: list[str] = []
    if with_source_lines:
        for f in findings:
            paths.append(f.path)
            if f.fix is not None:
                paths.extend(e.path for e in f.fix.edits)
            paths.extend(r.path for r in f.related)
    return Report(
        root=root,
        files_checked=len(files),
        diagnostics=diagnostics,
        rules=dict(rules or {}),
        source_lines=source_lines_from(paths, index_for),
        files=list(files),
        matrices=len(files) if matrices is None else matrices,
        rows=rows,
        without_table=list(without_table),
        notices=list(notices),
    )
