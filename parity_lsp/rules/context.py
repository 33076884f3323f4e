"""What a rule sees: the row/table/matrix under check and lazy access to resolved evidence.

Invariant: resolution is computed once per reference per check run (cached here), so rules can
ask freely; rules never touch the file system except through these objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from parity_lsp import languages, roles
from parity_lsp.findings import DeferredFix, Finding, Fix, Related, Severity
from parity_lsp.model import Evidence, Matrix, Reference, RefKind, Row, Table
from parity_lsp.parse.evidence import looks_like_test_name, parse_evidence
from parity_lsp.roles import StatusMatch, Vocabulary
from parity_lsp.rules.base import RuleInfo
from parity_lsp.text import Span
from parity_lsp.workspace.files import compile_globs
from parity_lsp.workspace.fs import FileStat
from parity_lsp.workspace.index import SourceFile, Workspace, find_name, resolve_reference_path
from parity_lsp.workspace.symbols import Definition

if TYPE_CHECKING:
    from parity_lsp.config import Config


_T = TypeVar("_T")


class _once(Generic[_T]):
    """`functools.cached_property` without its lock: on Python 3.11 each first access takes
    one, and a check of 20,000 rows makes ~50,000 first accesses (a row's status, meaning,
    label). The value is stored in the instance's `__dict__`, where later accesses find it
    before this (non-data) descriptor: computed once per object, as with `cached_property`."""

    __slots__ = ("func", "name")

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _once[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> _T | _once[_T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(slots=True)
class Resolved:
    """A path reference resolved against the workspace."""

    ref: Reference
    rel: str | None  # normalized workspace-relative path; None when it escapes the root
    escapes: bool
    stat: FileStat | None
    _ws: Workspace = field(repr=False)
    _source: SourceFile | None = field(default=None, repr=False)
    # a bare file name (`CalcTests.swift`) not at the root: the workspace's files of that base
    # name (one: `rel` is it; several: ambiguous, PM309; none: PM301)
    by_name: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return self.stat is not None

    @property
    def is_dir(self) -> bool:
        return self.stat is not None and self.stat.kind == "dir"

    @property
    def is_file(self) -> bool:
        return self.stat is not None and self.stat.kind == "file"

    @property
    def source(self) -> SourceFile | None:
        if self._source is None and self.is_file and self.rel is not None:
            self._source = self._ws.source(self.rel)
        return self._source

    def lookup(self, symbol: str) -> list[Definition] | None:
        """Definitions of `symbol` in the file; None when the language is not understood."""
        src = self.source
        return None if src is None else src.lookup(symbol)


@dataclass(slots=True)
class NameResolution:
    """A bare name (`test_parse_row`, `CalcTests.testAdd`) resolved against the workspace's
    definitions: where it is defined, where it only occurs (files of understood languages that
    do not define it), and files of languages not understood where the word occurs."""

    name: str
    defined: list[tuple[str, Definition]]
    mentioned: list[str]
    unknown: list[str]

    @property
    def files(self) -> list[str]:
        """The files defining it, each once, in order."""
        return list(dict.fromkeys(f for f, _ in self.defined))

    def tests(self) -> list[tuple[str, Definition]]:
        return [(f, d) for f, d in self.defined if d.is_test]


_LAST_NAME_WORD = re.compile(r"\w+(?=\W*$)")


class Suggestions(Enum):
    """When rules compute the fixes that cost a search (a missing path's nearest path, the
    file now defining its symbol)."""

    NOW = "now"  # a CLI report prints unsafe suggestions too
    WHEN_ASKED = "when asked"  # an editor: `Finding.deferred`, computed by fix-all or the quick-fix menu
    SAFE_ONLY = "safe only"  # outputs that show safe fixes only (JSON, SARIF, `fix`): no suggestion search


class Resolver:
    def __init__(self, ws: Workspace, suggestions: Suggestions = Suggestions.NOW) -> None:
        self.ws = ws
        self.suggestions = suggestions
        # (rel, escapes, stat) per (path, link base): not the file's content, which the
        # workspace's bounded source cache owns (a check of 10,000 rows must not pin every file)
        self._cache: dict[tuple[str, str | None], tuple[str | None, bool, FileStat | None]] = {}
        # answers rules derive from a whole table or matrix during this run (PM101's table words)
        self.memo: dict[Hashable, Any] = {}
        self._by_name: dict[str, tuple[str, ...]] = {}  # a bare file name -> the files so named
        self._names: dict[str, NameResolution] = {}  # bare names resolved during this run
        self._prefetched: set[str] = set()  # matrices whose bare names were searched at once

    def resolve(self, ref: Reference) -> Resolved:
        if not ref.path:  # a bare name, a glob or a command: no file of its own
            return Resolved(ref, None, False, None, self.ws)
        key = (ref.path, ref.link_base if ref.is_link else None)
        hit = self._cache.get(key)
        if hit is None:
            fs = self.ws.fs
            rel = resolve_reference_path(ref.path, ref.link_base if ref.is_link else None, fs)
            if rel is None or fs.escapes(rel):
                hit = self._cache[key] = (None, True, None)
            else:
                hit = self._cache[key] = (rel, False, fs.stat(rel))
        rel, escapes, stat = hit
        by_name: tuple[str, ...] = ()
        if stat is None and not escapes and rel is not None and "/" not in rel and not ref.is_link:
            # a bare file name not at the root resolves by its base name
            # (docs/spec/evidence.md#references-as-teams-write-them)
            by_name = self._files_named(rel)
            if len(by_name) == 1:
                rel, stat = by_name[0], self.ws.fs.stat(by_name[0])
        return Resolved(ref, rel, escapes, stat, self.ws, by_name=by_name)

    def _files_named(self, base: str) -> tuple[str, ...]:
        found = self._by_name.get(base)
        if found is None:
            found = self._by_name[base] = tuple(self.ws.files_named(base))
        return found

    def resolve_name(self, name: str, matrix: Matrix | None = None) -> NameResolution:
        """Where a bare name is defined in the workspace (memoized for the run). The first
        question about a matrix searches the words of every bare name it cites at once (one
        read of each source file)."""
        found = self._names.get(name)
        if found is not None:
            return found
        if matrix is not None and matrix.path not in self._prefetched:
            self._prefetched.add(matrix.path)
            words = [w for n in cited_names(matrix) if (w := _last_word(n))]
            if words:
                self.ws.names.files_with(words)
        defined, mentioned, unknown = find_name(self.ws, name)
        found = self._names[name] = NameResolution(name, defined, mentioned, unknown)
        return found


class _Base:
    matrix: Matrix
    ws: Workspace
    resolver: Resolver

    @property
    def config(self) -> Config:
        return self.ws.config

    def finding(
        self,
        rule: RuleInfo,
        span: Span,
        message: str,
        fix: Fix | None = None,
        related: list[Related] | None = None,
        severity: Severity | None = None,
        tags: tuple[str, ...] = (),
        alternatives: list[Fix] | None = None,
        deferred: DeferredFix | None = None,
    ) -> Finding:
        return Finding(
            code=rule.code,
            severity=severity if severity is not None else rule.severity,
            path=self.matrix.path,
            span=span,
            message=message,
            fix=fix,
            related=related or [],
            tags=tags,
            alternatives=alternatives or [],
            deferred=deferred,
        )

    def resolve(self, ref: Reference) -> Resolved:
        return self.resolver.resolve(ref)


@dataclass
class RowContext(_Base):
    row: Row
    matrix: Matrix
    ws: Workspace
    resolver: Resolver
    # per-row memo shared by rules (e.g. CI verdicts): each reader annotates what it reads
    cache: dict[Hashable, Any] = field(default_factory=dict)
    resolved: dict[int, Resolved] = field(default_factory=dict, repr=False)  # id(reference) -> its Resolved

    def finding(
        self,
        rule: RuleInfo,
        span: Span,
        message: str,
        fix: Fix | None = None,
        related: list[Related] | None = None,
        severity: Severity | None = None,
        tags: tuple[str, ...] = (),
        alternatives: list[Fix] | None = None,
        deferred: DeferredFix | None = None,
    ) -> Finding:
        """A finding of this row. A fix that would rewrite text inside a "Missing proof: …"
        segment is never safe, whichever rule made it: that text names what is not there yet
        (a plan), and `parity-lsp fix` must leave it as written."""
        if (fix is not None and fix.safe) or (deferred is not None and deferred.safe is not None):
            missing = self.missing_spans()
            if missing:
                if fix is not None and fix.safe and _touches(fix, missing):
                    fix = Fix(fix.message, fix.edits, safe=False)
                if deferred is not None and deferred.safe is not None:
                    deferred = _unsafe_inside(deferred, missing)
        return super().finding(rule, span, message, fix, related, severity, tags, alternatives, deferred)

    def missing_spans(self) -> tuple[Span, ...]:
        """Where the row's "Missing proof: …" references are (each reference's whole text)."""
        found: tuple[Span, ...] | None = self.cache.get("missing_spans")
        if found is None:
            found = self.cache["missing_spans"] = tuple(r.full_span for r in self.refs() if r.in_missing)
        return found

    def resolve(self, ref: Reference) -> Resolved:
        # a row's references are resolved by most rules (~16 asks a row): one `Resolved`
        # (and its source) each
        found = self.resolved.get(id(ref))
        if found is None or found.ref is not ref:
            found = self.resolved[id(ref)] = self.resolver.resolve(ref)
        return found

    @property
    def table(self) -> Table:
        """The row's table (the engine checks rows of tables, which it keeps alive). Not a
        cached_property: on Python 3.11 its first access takes a lock, which cost more than the
        later accesses save."""
        table = self.row.table
        if table is None:
            raise LookupError(f"row at line {self.row.line + 1} is in no table")
        return table

    def evidence(self, column: str) -> Evidence:
        """The parsed evidence of one column (its normalized header name)."""
        return self.row.evidence.get(column) or Evidence()

    def refs(self, role: str | None = None, kind: RefKind | None = None) -> tuple[Reference, ...]:
        """The row's references: all of them, or those playing `role` (code, tests, ci, or
        `roles.DOC`): the references of that role's columns, and those of a mixed `evidence`
        column classified as that role (`role_of`)."""
        key = ("refs", role, kind)  # every rule asks: answered once per row
        found: tuple[Reference, ...] | None = self.cache.get(key)
        if found is None:
            every = self._all_refs()
            found = self.cache[key] = tuple(
                r
                for r in every
                if (kind is None or r.kind == kind) and (role is None or self.role_of(r) == role)
            )
        return found

    def _all_refs(self) -> tuple[Reference, ...]:
        found: tuple[Reference, ...] | None = self.cache.get("all refs")
        if found is None:
            found = self.cache["all refs"] = tuple(r for ev in self.row.evidence.values() for r in ev.refs)
        return found

    def role_of(self, ref: Reference) -> str | None:
        """What a reference proves: its column's role, or for a mixed `evidence` column what it
        resolves to — a workflow → ci; a document (`.md`, ...) → `roles.DOC` (no proof); a file
        a test convention names (`tests/`, `test_x.py`, `FooTests.swift`) or whose cited names
        are test definitions → tests; other code → code."""
        role = ref.role
        if role != roles.EVIDENCE:
            return role
        memo: dict[int, str] = self.cache.setdefault("role of", {})
        found = memo.get(id(ref))
        if found is None:
            found = memo[id(ref)] = self._classify(ref)
        return found

    def name_resolution(self, name: str) -> NameResolution:
        """`Resolver.resolve_name` for a bare name of this row's matrix."""
        return self.resolver.resolve_name(name, self.matrix)

    def _classify(self, ref: Reference) -> str:
        if ref.kind == RefKind.CI:
            return roles.CI
        if ref.kind == RefKind.NAME:
            # a name defined as a test, or (defined nowhere) written as one, is a test
            for sym in ref.symbols:
                found = self.name_resolution(sym.name)
                if found.tests() or (not found.defined and looks_like_test_name(sym.name)):
                    return roles.TESTS
            return roles.CODE
        if ref.kind in (RefKind.GLOB, RefKind.COMMAND):
            return roles.CODE
        if roles.is_document(ref.path):
            return roles.DOC
        res = self.resolve(ref)
        rel = res.rel or ref.path
        if languages.is_test_file(rel) or roles.in_test_directory(rel):
            return roles.TESTS
        if ref.symbols and res.is_file and not res.escapes:
            for sym in ref.symbols:
                defs = res.lookup(sym.name)
                if defs and any(d.is_test for d in defs):
                    return roles.TESTS
        return roles.CODE

    def path_refs(self) -> tuple[Reference, ...]:
        """Every reference naming a file or directory (workflow files included)."""
        found: tuple[Reference, ...] | None = self.cache.get("path_refs")
        if found is None:
            found = self.cache["path_refs"] = tuple(r for r in self.refs() if r.path)
        return found

    @property
    def status(self) -> str:
        return self.row.status

    @_once
    def status_key(self) -> str:
        """The row's status, trimmed and lower-cased (what `status_is` compares)."""
        return self.row.status.strip().lower()

    def status_is(self, *names: str) -> bool:
        key = self.status_key  # asked by several rules on every row: computed once
        return any(key == name.lower() for name in names)

    @property
    def vocabulary(self) -> Vocabulary:
        """The status vocabulary of the row's table (`roles.Vocabulary`)."""
        return self.config.vocabulary(self.table.roles.template)

    @_once
    def status_match(self) -> StatusMatch | None:
        """What the row's status matches in its table's vocabulary (None: no meaning)."""
        return self.vocabulary.match(self.row.status)

    @_once
    def meaning(self) -> str | None:
        """The row's status meaning: shipped, partial, planned, exception, or None."""
        found = self.status_match
        return found.meaning if found is not None else None

    def means(self, *meanings: str) -> bool:
        return self.meaning in meanings

    @_once
    def status_label(self) -> str:
        """How messages name the row's status: the template's word in a template table with
        the template's vocabulary (`Implemented row ...`, as always); else the row's own word,
        quoted (`` `done` row ...``)."""
        match = self.status_match
        if self.vocabulary.legacy and match is not None:
            return match.value
        return f"`{self.row.status}`"

    @_once
    def relaxed(self) -> bool:
        """Planned rows (Designed/Planned) only describe intent: missing evidence is a warning there."""
        return self.meaning == roles.PLANNED

    def in_missing_cell(self, ref: Reference) -> bool:
        """The reference sits in a "Missing proof: …" segment (named as absent, not claimed)."""
        return ref.in_missing

    def forbidden(self, rel: str) -> bool:
        globs = self.config.forbidden_evidence
        if not globs:
            return False
        key = (globs, rel)  # asked for every reference by several rules: one glob match per path
        found = _FORBIDDEN.get(key)
        if found is None:
            if len(_FORBIDDEN) > 100_000:
                _FORBIDDEN.clear()
            found = _FORBIDDEN[key] = bool(_globs(globs).match_file(rel))
        return found


@dataclass
class TableContext(_Base):
    table: Table
    matrix: Matrix
    ws: Workspace
    resolver: Resolver


@dataclass
class MatrixContext(_Base):
    matrix: Matrix
    ws: Workspace
    resolver: Resolver


@dataclass
class WorkspaceContext:
    """What workspace-scoped rules see. A matrix model may have been updated row by row in the
    editor: rows then keep the offsets of the text they were parsed from, and their line (which
    edits in place do not change) is what locates them: see `current_span`."""

    matrices: list[Matrix]
    ws: Workspace
    rows: dict[int, Row] = field(default_factory=dict)  # id(finding) -> its row (for suppressions)

    def finding(
        self,
        rule: RuleInfo,
        matrix: Matrix,
        span: Span,
        message: str,
        related: list[Related] | None = None,
        row: Row | None = None,
    ) -> Finding:
        f = Finding(rule.code, rule.severity, matrix.path, span, message, related=related or [])
        if row is not None:
            self.rows[id(f)] = row
        return f

    @staticmethod
    def current_span(matrix: Matrix, row: Row, span: Span) -> Span:
        """`span` of `row`, moved to where the row's line starts in the matrix's current text."""
        delta = matrix.index.line_start(row.line) - row.span.start
        return Span(span.start + delta, span.end + delta) if delta else span


def _last_word(name: str) -> str:
    m = _LAST_NAME_WORD.search(name)
    return m.group() if m is not None else ""


def cited_names(matrix: Matrix) -> list[str]:
    """Every bare name the matrix's rows cite (`RefKind.NAME`)."""
    out: list[str] = []
    for table in matrix.tables:
        for row in table.rows:
            cells = row.cells
            for idx, role in table.roles.evidence_columns:
                if idx >= len(cells):
                    continue
                # parsed here, not kept on the row: a closed matrix's rows drop their references
                # once checked, and a 10,000-row matrix must not hold them all at once
                cell = cells[idx]
                for ref in parse_evidence(cell.text, cell.start, table.path, role, table.parsed).refs:
                    if ref.kind == RefKind.NAME and not ref.in_missing:
                        out.extend(s.name for s in ref.symbols)
    return out


def _touches(fix: Fix, spans: tuple[Span, ...]) -> bool:
    return any(s.start <= e.span.start and e.span.end <= s.end for e in fix.edits for s in spans)


def _unsafe_inside(deferred: DeferredFix, spans: tuple[Span, ...]) -> DeferredFix:
    """`deferred` whose safe fix, when it touches `spans`, is offered as a suggestion instead."""
    safe, suggest = deferred.safe, deferred.suggest
    assert safe is not None
    computed: list[Fix | None] = []

    def safe_fix() -> Fix | None:
        if not computed:
            computed.append(safe())
        return computed[0]

    def checked_safe() -> Fix | None:
        fix = safe_fix()
        return None if fix is not None and _touches(fix, spans) else fix

    def suggestion() -> Fix | None:
        fix = safe_fix()
        if fix is not None and _touches(fix, spans):
            return Fix(fix.message, fix.edits, safe=False)
        return suggest() if suggest is not None else None

    return DeferredFix(checked_safe, suggestion, deferred.path, deferred.delta)


class GlobMatcher(Protocol):
    """Compiled gitignore-style globs (`workspace.files.compile_globs`)."""

    def match_file(self, file: str, /) -> bool: ...


_GLOB_CACHE: dict[tuple[str, ...], GlobMatcher] = {}
_FORBIDDEN: dict[tuple[tuple[str, ...], str], bool] = {}


def _globs(globs: tuple[str, ...]) -> GlobMatcher:
    spec = _GLOB_CACHE.get(globs)
    if spec is None:
        spec = _GLOB_CACHE[globs] = compile_globs(globs)
    return spec
