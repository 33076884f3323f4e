"""What the engine reports: findings with their fixes and related locations.

Invariant: plain data. A finding carries everything a front end needs (code, severity,
span, message, related locations, fix edits); front ends only convert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from parity_lsp.text import Span


class Severity(IntEnum):
    """Ordered: a larger value is more severe."""

    HINT = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        value = value.strip().lower()
        aliases = {"information": "info", "warn": "warning", "err": "error"}
        value = aliases.get(value, value)
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning, info or hint)") from None


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `span` of the file at `path` (workspace-relative) with `content`."""

    path: str
    span: Span
    content: str

    def __reduce__(self) -> tuple[type[Edit], tuple[str, Span, str]]:
        # by value, as Span (check -j workers send findings back)
        return (Edit, (self.path, self.span, self.content))


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    safe: bool = True  # applied by `parity-lsp fix`; unsafe fixes are editor-only

    def __reduce__(self) -> tuple[type[Fix], tuple[str, tuple[Edit, ...], bool]]:
        return (Fix, (self.message, self.edits, self.safe))

    def shifted(self, delta: int, path: str) -> Fix:
        """The same fix with its edits in `path` moved `delta` code points."""
        return Fix(
            self.message,
            tuple(
                Edit(e.path, Span(e.span.start + delta, e.span.end + delta), e.content)
                if e.path == path
                else e
                for e in self.edits
            ),
            self.safe,
        )


@dataclass(frozen=True, slots=True)
class DeferredFix:
    """A fix computed when someone asks for it (an editor's quick-fix menu or its fix-all):
    finding it can cost a listing of the workspace or a search through dozens of files, and
    most are never looked at. `safe` finds the safe fix, `suggest` the unsafe suggestion
    offered when there is none (either may be None). `delta`: code points the finding moved in
    `path` since it was made (row edits above it)."""

    safe: Callable[[], Fix | None] | None
    suggest: Callable[[], Fix | None] | None
    path: str
    delta: int = 0

    def shifted(self, delta: int) -> DeferredFix:
        return DeferredFix(self.safe, self.suggest, self.path, self.delta + delta)

    def _moved(self, fix: Fix | None) -> Fix | None:
        return fix.shifted(self.delta, self.path) if fix is not None and self.delta else fix

    def resolve_safe(self) -> Fix | None:
        return self._moved(self.safe()) if self.safe is not None else None

    def resolve(self) -> Fix | None:
        fix = self.resolve_safe()
        if fix is None and self.suggest is not None:
            fix = self._moved(self.suggest())
        return fix


@dataclass(frozen=True, slots=True)
class Related:
    """A location elsewhere that explains the finding (0-based line/column, code points)."""

    path: str
    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None

    def __reduce__(self) -> tuple[type[Related], tuple[str, int, int, str, int | None, int | None]]:
        return (Related, (self.path, self.line, self.column, self.message, self.end_line, self.end_column))


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    path: str  # workspace-relative path of the file the finding is in
    span: Span
    message: str
    fix: Fix | None = None
    related: list[Related] = field(default_factory=list)
    tags: tuple[str, ...] = ()  # "unnecessary" / "deprecated"
    alternatives: list[Fix] = field(default_factory=list)  # editor-only extra quick fixes
    deferred: DeferredFix | None = None  # a fix not computed yet, when `fix` is None (see `suggestion`)

    def __reduce__(self) -> tuple[Callable[..., Finding], _FindingFields]:
        # by value: the dataclass's own pickling (by attribute dict) made pickling the findings
        # in the workers and unpickling them in the parent a large share of a parallel check
        return (
            _unpickle_finding,
            (
                self.code,
                int(self.severity),
                self.path,
                self.span,
                self.message,
                self.fix,
                self.related,
                self.tags,
                self.alternatives,
                self.deferred,
            ),
        )

    def suggestion(self) -> Fix | None:
        """`fix`, or the deferred fix or suggestion computed now (once)."""
        if self.fix is None and self.deferred is not None:
            self.fix = self.deferred.resolve()
            self.deferred = None
        return self.fix

    def safe_fix(self) -> Fix | None:
        """The safe fix, if there is one (a deferred one is computed now, without the unsafe
        suggestion: fix-all asks every finding of a file)."""
        deferred = self.deferred
        if self.fix is None and deferred is not None and deferred.safe is not None:
            fix = deferred.resolve_safe()
            if fix is not None:
                self.fix, self.deferred = fix, None
            else:
                self.deferred = DeferredFix(None, deferred.suggest, deferred.path, deferred.delta)
        return self.fix if self.fix is not None and self.fix.safe else None

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.span.start, self.code)


_SEVERITIES = tuple(Severity)  # by value: Severity.ERROR is _SEVERITIES[3]


# What `Finding.__reduce__` sends: its fields in order, the severity as a plain int.
_FindingFields = tuple[
    str, int, str, Span, str, Fix | None, list[Related], tuple[str, ...], list[Fix], DeferredFix | None
]


def _unpickle_finding(
    code: str,
    severity: int,
    path: str,
    span: Span,
    message: str,
    fix: Fix | None,
    related: list[Related],
    tags: tuple[str, ...],
    alternatives: list[Fix],
    deferred: DeferredFix | None,
) -> Finding:
    return Finding(
        code, _SEVERITIES[severity], path, span, message, fix, related, tags, alternatives, deferred
    )
