"""A long-lived analysis of a workspace: what the language server keeps between requests.

Invariant: no LSP types. Holds the workspace (with open buffers overlaid), the parsed matrices
and their findings, keyed by content version; answers "which matrices are affected by a
change to file X". The CLI's one-shot `engine.check_paths` and this class call the same engine
functions.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import itertools
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict

from parity_lsp.config import Config, ConfigProblem, apply_settings, load_config
from parity_lsp.engine import (
    check_across,
    check_matrix,
    check_row,
    iter_check_matrix,
    parse_matrix,
    parse_matrix_steps,
    read_matrix,
    read_matrix_text,
)
from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.incremental import (
    changed_lines,
    install_rows,
    reparse_rows,
    row_positions,
    shift_finding,
    shift_findings,
)
from parity_lsp.model import Matrix, RefKind, Row
from parity_lsp.rules.context import Resolver, Suggestions
from parity_lsp.rules.pm005_no_matrix_table import looks_like_matrix
from parity_lsp.text import LineIndex, Span
from parity_lsp.workspace.files import is_matrix_name
from parity_lsp.workspace.fs import normalize_rel
from parity_lsp.workspace.index import Workspace, is_project_file, resolve_reference_path

STALE_FOR = 1.0  # seconds a matrix waiting for its background check answers with its old findings
MANY_CREATED_OR_DELETED = 64  # files in one batch of events beyond which matrices are checked in full
_PARSES = itertools.count(1)


class _FullCheckOptions(TypedDict):
    """Keyword options of `engine.check_matrix` for a full check (see `_full_check_options`)."""

    release: bool
    after_row: Callable[[Row], None]


@dataclass(slots=True)
class MatrixState:
    model: Matrix  # the latest text; after row edits only the edited rows' spans are current
    findings: list[Finding]  # valid for `model.text`
    # workspace path the matrix's evidence names -> lines of the rows naming it (-1: a governing
    # document of the matrix; a link under both of its readings). A file event re-checks the
    # rows it finds here (see `Analysis.file_changed`); a row edit adds its row's paths.
    cited: dict[str, tuple[int, ...]] = field(default_factory=dict)  # tuples: 1/4 of a set's size
    key: object = None  # content version the findings were computed for
    consistent: bool = True  # every span of `matrix` is valid for `matrix.text` (see incremental.py)
    rows_at: dict[int, tuple[Row, int]] | None = None  # line -> (row, position), for incremental updates
    full_checks: int = 0  # how many times the whole matrix was checked (tests, benchmarks)
    row_checks: int = 0  # how many rows were re-checked incrementally
    # Which full parse the capabilities come from: row edits that change a capability force a
    # full check (incremental.py), so the same parse id means the same capabilities (PM003).
    parse_id: int = field(default_factory=lambda: next(_PARSES))
    waiting_since: float | None = None  # time.monotonic() a file event sent it to a full check
    # Staged diagnostics (`Analysis.check(staged=True)`): the lines of the rows whose semantic
    # rules have not run yet. `findings` then holds the syntactic findings of every row and the
    # complete findings of the rows checked in full since (edited); `later` the semantic
    # findings of the rows done in the background, by line, with the offset the line started
    # at then (row edits do not shift them: they are placed once, when the last row is done).
    pending: set[int] = field(default_factory=set)
    later: dict[int, tuple[int, list[Finding]]] = field(default_factory=dict)

    def current(self) -> list[Finding]:
        """What is known for the text: the complete findings when nothing is pending, else a
        subset of them (the syntactic ones and the rows checked in full)."""
        return self.findings

    def held(self, line: int) -> list[Finding]:
        """The semantic findings the background found for the row at `line` (kept in `later`
        until the last row is done), placed for the current text."""
        entry = self.later.get(line)
        if entry is None:
            return []
        start, row_findings = entry
        delta = self.model.index.line_start(line) - start
        return (
            list(row_findings)
            if not delta
            else [shift_finding(f, delta, self.model.path) for f in row_findings]
        )

    def settle(self) -> None:
        """Nothing is pending any more: the semantic findings of the background join the rest."""
        if self.pending or not self.later:
            return
        found = list(self.findings)
        for line in self.later:
            found.extend(self.held(line))
        found.sort(key=_order)
        self.findings = found
        self.later = {}

    @property
    def matrix(self) -> Matrix:
        """The model with every span valid for its text (re-parsed lazily after row edits)."""
        if not self.consistent:
            self.model = parse_matrix(self.model.path, self.model.text, self.model.columns)
            self.rows_at = row_positions(self.model)
            self.consistent = True
        return self.model


@dataclass(slots=True)
class MatrixCounts:
    """What a check of the workspace covered (see `Analysis.counts`)."""

    matrices: int = 0  # files holding a matrix table: what `check` and the report count
    unreadable: int = 0
    without_table: int = 0  # included by the globs, but no matrix table in them


class Analysis:
    def __init__(
        self, root: Path, settings: dict[str, Any] | None = None, max_files: int | None = None
    ) -> None:
        self.root = Path(root).resolve()
        self.settings: dict[str, Any] = dict(settings or {})  # the editor's (JSON)
        self.config_problems: list[ConfigProblem] = []
        self.max_files = max_files  # a bound on the file list (a root the user did not choose)
        self.ws = Workspace(self.root, self._load_config(), max_files=max_files)
        self.states: dict[str, MatrixState] = {}
        # Matrices a file event sent back to a full check, as they were: their capabilities keep
        # the workspace-scoped findings (PM003) steady until the new check is stored.
        self.revalidating: dict[str, MatrixState] = {}
        self.open_matrices: set[str] = set()  # open documents that hold a matrix table
        # Subtrees ("dir/") that hold other, nested workspace folders: their matrices are theirs
        # (a document belongs to the folder whose path is its longest prefix).
        self.foreign: tuple[str, ...] = ()
        self.cross: dict[str, list[Finding]] = {}  # workspace-scoped findings per matrix
        # the states `cross` was computed from: (path, parse id) of each
        self._cross_signature: tuple[tuple[str, int], ...] | None = None
        # matrices whose workspace-scoped findings changed since a front end last asked
        # (`take_cross_changed`): they must be published again, not only the one that changed
        self.cross_changed: set[str] = set()
        self.changes = 0  # counts file events and configuration reloads (see check_in_steps)
        # rel -> the last `findings` answer merged with workspace-scoped findings, and what from
        self._with_cross: dict[str, tuple[list[Finding], list[Finding], list[Finding]]] = {}
        self.defer_until = 0.0  # time.monotonic() before which background checking pauses

    # --- configuration --------------------------------------------------------------------

    def _load_config(self) -> Config:
        config, problems, _path = load_config(self.root)
        if self.settings:
            config, more = apply_settings(config, self.settings, "<editor settings>")
            problems = problems + more
        self.config_problems = problems
        return config

    def reload_config(self, settings: dict[str, Any] | None = None) -> None:
        if settings is not None:
            self.settings = dict(settings)
        fs = self.ws.fs
        config = self._load_config()
        fs.max_file_bytes = config.max_file_bytes
        self.ws = Workspace(self.root, config, fs, max_files=self.max_files)
        self.states.clear()
        self.revalidating.clear()
        self.cross_changed.update(self.cross)
        self.cross.clear()
        self._with_cross.clear()
        self._cross_signature = None
        self.changes += 1

    def apply_settings(self, settings: dict[str, Any]) -> bool:
        """The editor's settings (pulled or pushed): the configuration is reloaded, and every
        cache dropped, only when they differ from the ones in use. Returns True when reloaded.
        (The first pull usually repeats the initialization options; reloading then threw away
        the work of the document opened meanwhile.)"""
        if dict(settings) == self.settings:
            return False
        self.reload_config(settings)
        return True

    # --- documents ------------------------------------------------------------------------

    def rel(self, path: str | Path) -> str | None:
        return self.ws.fs.to_rel(path)

    def open_document(self, rel: str, text: str, version: object) -> None:
        self.ws.fs.set_overlay(rel, text, version)
        self.ws.forget(rel)

    def close_document(self, rel: str) -> tuple[list[str], bool]:
        """The buffer of `rel` is closed: the disk is current again. Returns the matrices to
        publish again, and whether `rel` is no matrix of the workspace any more (an unsaved
        buffer, or a document that only the editor held as a matrix): it is forgotten, its
        rows no longer count for workspace-scoped findings, and its diagnostics are to be
        cleared (publishing it would check the disk: "does not exist")."""
        self.ws.fs.clear_overlay(rel)
        self.ws.forget(rel)
        self.open_matrices.discard(rel)
        affected = self.file_changed(rel, False)
        gone = not self.ws.is_matrix_file(rel) or self.is_foreign(rel)
        if gone:
            self.forget_matrix(rel)
            affected = [p for p in affected if p != rel]
        return affected, gone

    def forget_matrix(self, rel: str) -> None:
        """`rel` is no matrix of this workspace any more: drop what was computed for it."""
        self.states.pop(rel, None)
        self.revalidating.pop(rel, None)
        self.cross.pop(rel, None)
        self._with_cross.pop(rel, None)
        self.cross_changed.discard(rel)  # nothing to publish for it (its front end clears it)

    def is_foreign(self, rel: str) -> bool:
        """Does `rel` lie in a nested workspace folder (whose matrices are its own)?"""
        return bool(self.foreign) and (rel + "/").startswith(self.foreign)

    def set_foreign(self, subtrees: Iterable[str]) -> None:
        """The nested workspace folders (workspace-relative directories) changed."""
        foreign = tuple(sorted(d.rstrip("/") + "/" for d in subtrees))
        if foreign == self.foreign:
            return
        self.foreign = foreign
        for rel in [*self.states, *self.revalidating]:
            if self.is_foreign(rel):
                self.forget_matrix(rel)
        self.open_matrices = {rel for rel in self.open_matrices if not self.is_foreign(rel)}

    def matrix_paths(self) -> list[str]:
        """Matrix files of the workspace plus open documents that hold a matrix table (those of
        nested workspace folders left out)."""
        paths = set(self.ws.matrix_files()) | self.open_matrices
        if self.foreign:
            paths = {p for p in paths if not self.is_foreign(p)}
        return sorted(paths)

    def is_matrix_document(self, rel: str, text: str) -> bool:
        if not is_matrix_name(rel):
            return False
        if self.ws.is_matrix_file(rel):
            return True
        matrix = parse_matrix(rel, text, self.ws.config.column_spec)
        # a table that looks like a matrix but is not one is told why (PM005, information)
        return bool(matrix.tables) or looks_like_matrix(matrix) is not None

    # --- checking -------------------------------------------------------------------------

    def check(self, rel: str, staged: bool = False) -> MatrixState | None:
        """See `_check`; the disk is stat-ed once a path while it runs (`FileSystem.snapshot`)."""
        with self.ws.fs.snapshot():
            return self._check(rel, staged)

    def _check(self, rel: str, staged: bool = False) -> MatrixState | None:
        """(Re)check one matrix if its content changed since the last check: only the edited
        rows when the edit allows it (incremental.py), else the whole matrix. `staged`: a whole
        matrix is checked for its syntactic rules only, its rows left `pending` for the semantic
        ones (`complete`, `complete_in_steps`): what an editor shows first. Only the first check
        of a matrix is staged; later ones (an edit, a file event) are complete."""
        state = self.states.get(rel)
        version = self.ws.fs.version(rel)
        if state is not None and version is not None and state.key == version:
            return state
        # (a file without a matrix table has no rows to update: checked again in full, which is
        # cheap, and tells whether it is open: PM005's notice is for the document in the editor)
        if state is not None and state.model.text and state.model.tables and state.rows_at is not None:
            src = self.ws.fs.read_text(rel)
            if src.text is not None and self._update_rows(state, src.text):
                state.key = src.version
                return state
        full_checks = state.full_checks + 1 if state is not None else 1
        matrix, problem = read_matrix(self.ws, rel)
        if matrix is None:  # unreadable: the problem says why
            findings = [problem] if problem is not None else []
            state = MatrixState(Matrix(rel, "", parse_matrix(rel, "").format), findings, {}, version)
        elif staged and state is None and rel not in self.revalidating:
            # its first check: the syntactic findings now, the semantic ones in steps (a row
            # edit or a full check again finds the cited files scanned: complete at once)
            cited = _citations(self.ws, matrix, rows=())  # its governing documents
            after_row = functools.partial(_add_citations, self.ws, out=cited)
            found = check_matrix(self.ws, matrix, self._resolver(), after_row=after_row, stage="syntactic")
            state = self._checked(matrix, found, cited, version)
            state.pending = set(state.rows_at or ())
        else:
            cited, options = self._full_check_options(matrix)
            state = self._checked(
                matrix, check_matrix(self.ws, matrix, self._resolver(), **options), cited, version
            )
        return self._store(rel, state, full_checks)

    # --- staged diagnostics -------------------------------------------------------------------

    def _complete_rows(self, state: MatrixState, lines: Iterable[int], resolver: Resolver) -> None:
        """Run the semantic rules on the pending rows at `lines` (their findings into `later`;
        joined to `findings` once nothing is pending: `MatrixState.settle`)."""
        with self.ws.fs.snapshot():
            self._complete_rows_now(state, lines, resolver)

    def _complete_rows_now(self, state: MatrixState, lines: Iterable[int], resolver: Resolver) -> None:
        closed = not self.ws.fs.has_overlay(state.model.path)
        for line in lines:
            if line not in state.pending:
                continue
            row = self._current_row(state, line)
            state.pending.discard(line)
            if row is None:
                continue
            found = check_row(self.ws, state.model, row, resolver, "semantic")
            if found:
                state.later[line] = (state.model.index.line_start(line), found)
            if closed:
                row._evidence = None  # as after a full check (see `_full_check_options`)
        state.settle()

    @staticmethod
    def _current_row(state: MatrixState, line: int) -> Row | None:
        """The row at `line` with spans valid for the model's text. Row edits leave the other
        rows' spans as they were (`consistent` False): such a row is parsed again alone
        (incremental.py), or, where that cannot be done (CSV), the whole matrix."""
        rows_at = state.rows_at or {}
        placed = rows_at.get(line)
        if placed is None or state.consistent:
            return placed[0] if placed is not None else None
        model = state.model
        fresh = reparse_rows(model, range(line, line + 1), model.text, model.index, rows_at)
        if fresh is None:
            state.matrix  # noqa: B018 - parsed again whole: every span valid
            placed = (state.rows_at or {}).get(line)
            return placed[0] if placed is not None else None
        install_rows(model, fresh, model.text, model.index, rows_at)
        return fresh[0][0]

    def row_findings_held(self, rel: str, line: int) -> list[Finding]:
        """The semantic findings of the row at `line` while the matrix's semantic stage is
        still running (they join `findings` when the last row is done): the row is checked now
        if the stage has not reached it (a hover on it wants its findings, not the whole
        matrix's). Empty once the stage is done (they are in `findings` then)."""
        state = self.states.get(rel)
        if state is None:
            return []
        if line in state.pending:
            self._complete_rows(state, (line,), self._resolver())
        return state.held(line)

    def complete(self, rel: str) -> MatrixState | None:
        """The matrix's state with complete findings (its pending rows checked now)."""
        state = self.check(rel)
        if state is not None and state.pending:
            self._complete_rows(state, sorted(state.pending), self._resolver())
        return state

    def is_complete(self, rel: str) -> bool:
        state = self.states.get(rel)
        return state is not None and not state.pending

    async def complete_in_steps(self, rel: str, step_seconds: float = 0.001) -> bool:
        """Run the semantic rules of `rel`'s pending rows in background steps (requests first,
        as `check_in_steps`). True when the current state is complete; False when the matrix
        was checked again meanwhile (a new state: the caller asks again) or is gone."""
        state = self.states.get(rel)
        if state is None:
            return False
        order: list[int] = []
        i = 0
        resolver = self._resolver()
        deadline = time.perf_counter() + step_seconds
        while state.pending:
            if i >= len(order):  # the rows an edit sent back to the pending ones meanwhile
                order, i = sorted(state.pending), 0
            self._complete_rows(state, (order[i],), resolver)
            i += 1
            if state.pending and time.perf_counter() >= deadline:
                await self._let_requests_in()
                if self.states.get(rel) is not state:
                    return False
                resolver = self._resolver()  # files may have changed meanwhile: resolved again
                deadline = time.perf_counter() + step_seconds
        return self.states.get(rel) is state

    def _resolver(self) -> Resolver:
        # the editor computes unsafe suggestions when its quick-fix menu asks for them
        return Resolver(self.ws, Suggestions.WHEN_ASKED)

    def _full_check_options(self, matrix: Matrix) -> tuple[dict[str, set[int]], _FullCheckOptions]:
        """How to check a matrix in full: its citations are collected row by row (into the dict
        returned), and a closed matrix drops each row's parsed references once the row is
        checked. Nobody looks at them until a file the row cites changes (then only those rows
        are checked again, parsing them again): a 10,000-row matrix does not keep (or peak
        with) 25 MB of references."""
        cited: dict[str, set[int]] = _citations(self.ws, matrix, rows=())  # its governing documents
        release = not self.ws.fs.has_overlay(matrix.path)
        return cited, {"release": release, "after_row": lambda row: _add_citations(self.ws, row, cited)}

    def _checked(
        self, matrix: Matrix, findings: list[Finding], cited: dict[str, set[int]], version: object
    ) -> MatrixState:
        """The state of a matrix checked in full."""
        return MatrixState(matrix, findings, _tuples(cited), version, rows_at=row_positions(matrix))

    def _store(self, rel: str, state: MatrixState, full_checks: int) -> MatrixState:
        state.full_checks = full_checks
        self.states[rel] = state
        self.revalidating.pop(rel, None)
        return state

    async def check_in_steps(self, rel: str, step_seconds: float = 0.001) -> MatrixState | None:
        """`check`, yielding to the event loop every millisecond or so (indexing a large
        workspace must not make the open document's requests wait): parsing and checking run
        in small steps, and pause while the client is talking (`defer_until`). Gives up when
        the matrix changes or a request checks it meanwhile; starts again when files or the
        configuration change under it (rows checked before the change would keep stale findings)."""
        deadline = 0.0

        async def pause() -> None:
            nonlocal deadline
            await self._let_requests_in()
            deadline = time.perf_counter() + step_seconds

        def superseded(version: object) -> bool:  # changed, or checked by a request meanwhile
            return self.ws.fs.version(rel) != version or rel in self.states

        while True:
            state = self.states.get(rel)
            version = self.ws.fs.version(rel)
            if state is not None and version is not None and state.key == version:
                return state
            if state is not None:
                return self.check(rel)  # an update: incremental, or cheap enough
            text, _ = read_matrix_text(self.ws, rel)
            if text is None:
                return self.check(rel)
            changes = self.changes
            await pause()
            parsing = parse_matrix_steps(rel, text, self.ws.config.column_spec)
            while True:
                try:
                    next(parsing)
                except StopIteration as done:
                    matrix: Matrix = done.value
                    break
                if time.perf_counter() >= deadline:
                    await pause()
                    if superseded(version):
                        return self.states.get(rel)
            findings: list[Finding] = []
            cited, options = self._full_check_options(matrix)
            for part in iter_check_matrix(self.ws, matrix, self._resolver(), **options):
                findings.extend(part)
                if time.perf_counter() >= deadline:
                    await pause()
                    if superseded(version):
                        return self.states.get(rel)
                    if self.changes != changes:
                        break  # files or settings changed under it: again, from the start
            else:
                return self._store(rel, self._checked(matrix, findings, cited, version), full_checks=1)

    async def run_in_steps(
        self, steps: Iterable[object], step_seconds: float = 0.001, while_talking: bool = False
    ) -> None:
        """Run a generator of background work (each `next` a small step), letting requests in
        every `step_seconds` and, unless `while_talking`, waiting while the client is talking
        (work that a request will need soon goes on between requests, a step at a time)."""
        deadline = time.perf_counter() + step_seconds
        for _ in steps:
            if time.perf_counter() >= deadline:
                if while_talking:
                    await asyncio.sleep(0)
                else:
                    await self._let_requests_in()
                deadline = time.perf_counter() + step_seconds

    async def _let_requests_in(self) -> None:
        await asyncio.sleep(0)
        while time.monotonic() < self.defer_until:  # the client is talking: let it
            await asyncio.sleep(0.002)

    def _update_rows(self, state: MatrixState, text: str) -> bool:
        """Re-check only the rows an edit changed; False when the edit needs a full check."""
        rows_at = state.rows_at
        if rows_at is None:  # an unreadable matrix's state: no rows
            return False
        matrix = state.model
        old_text, old_index = matrix.text, matrix.index
        new_index = LineIndex(text)
        lines = changed_lines(old_text, text, old_index, new_index)
        if lines is None:
            return False
        placed = reparse_rows(matrix, lines, text, new_index, rows_at)
        if placed is None:
            return False
        rows = [row for row, _ in placed]
        dropped = set(lines)
        path = matrix.path
        kept = shift_findings(state.findings, old_index, new_index, path, dropped)
        # While the matrix's semantic stage is still running (its first check), an edited row
        # is checked for its syntactic rules and goes back to the rows pending for the others:
        # an edit does not wait for the first semantic checks of the workspace. Otherwise the
        # row is checked in full: one publish, complete.
        staged = bool(state.pending)
        for line in dropped:
            state.later.pop(line, None)
        install_rows(matrix, placed, text, new_index, rows_at)
        resolver = self._resolver()
        for row in rows:
            kept.extend(check_row(self.ws, matrix, row, resolver, "syntactic" if staged else None))
            if staged:
                state.pending.add(row.line)
        kept.sort(key=_order)
        state.findings = kept
        state.settle()
        if path in self.cross:
            self.cross[path] = shift_findings(self.cross[path], old_index, new_index, path, set())
        for cited, row_lines in _citations(self.ws, matrix, rows).items():
            state.cited[cited] = tuple(sorted(set(state.cited.get(cited, ())) | row_lines))
        state.consistent = False
        state.row_checks += len(rows)
        return True

    def check_all(self) -> list[str]:
        """Check every matrix; returns their paths."""
        paths = self.matrix_paths()
        for rel in paths:
            self.check(rel)
        self.refresh_cross()
        return paths

    def counts(self) -> MatrixCounts:
        """What was checked, counted as `check` and the report count it: the matrices (files
        holding a matrix table), the files that could not be read, and the included files
        that hold no matrix table (a charter next to the matrix)."""
        counts = MatrixCounts()
        for rel in self.matrix_paths():
            state = self.states.get(rel) or self.revalidating.get(rel)
            if state is None:
                continue
            if state.model.tables:
                counts.matrices += 1
            elif any(f.code == "PM000" for f in state.findings):
                counts.unreadable += 1
            else:
                counts.without_table += 1
        return counts

    def refresh_cross(self) -> set[str]:
        """Recompute workspace-scoped findings (PM003) from the current documents; returns the
        matrices whose findings changed (also added to `cross_changed`, for the front end to
        publish them again).

        Invariant: the result is a function of the current texts (open buffers over the disk)
        of the matrices known to the analysis. Open buffers whose check is pending are checked
        first; a matrix closed, deleted or no longer one has left `states` (`forget_matrix`).
        The recomputation is skipped when no matrix was parsed again since the last time: row
        edits keep every capability and its place in its row (incremental.py sends anything
        else to a full check, which parses again), the cross findings were shifted with the
        rows, and re-parsing an edited matrix of thousands of rows just to find that out costs
        a keystroke's budget many times."""
        fs = self.ws.fs
        for rel in fs.overlay_paths():  # an open buffer edited since its last check
            state = self.states.get(rel) or self.revalidating.get(rel)
            if (rel in self.open_matrices or state is not None) and (
                state is None or state.key != fs.version(rel)
            ):
                self.check(rel, staged=True)  # capabilities are syntactic: a first check may be staged
        # a matrix waiting for a full check counts as it was (its capabilities did not change:
        # only files it cites did), so its duplicates do not vanish meanwhile
        states = {**self.revalidating, **self.states}
        signature = tuple(sorted((p, s.parse_id) for p, s in states.items()))
        if signature == self._cross_signature:
            return set()
        self._cross_signature = signature
        # the models as they are: PM003 places rows by line, so row edits need no re-parse
        matrices = [s.model for s in states.values() if s.model.tables]
        fresh: dict[str, list[Finding]] = {}
        for f in check_across(self.ws, matrices):
            fresh.setdefault(f.path, []).append(f)
        changed = {p for p in set(fresh) | set(self.cross) if _keys(fresh.get(p)) != _keys(self.cross.get(p))}
        self.cross = fresh
        self.cross_changed.update(changed)
        return changed

    def take_cross_changed(self) -> set[str]:
        """The matrices whose workspace-scoped findings changed since the last call."""
        changed, self.cross_changed = self.cross_changed, set()
        return changed

    def findings(self, rel: str, stale_ok: bool = False, staged: bool = False) -> list[Finding]:
        """The matrix's findings (checked now if needed), workspace-scoped ones computed from
        the current documents (`refresh_cross`). With `stale_ok`, a matrix waiting for a full
        check after a file event answers with what it had, when its text did not change
        (positions stay right; the full check replaces them when it is stored). With `staged`,
        what is known now when the matrix's semantic rules are still pending (a subset of the
        complete findings: `check(staged=True)`); otherwise they are complete."""
        state = self.stale(rel) if stale_ok else None
        if state is None:
            state = self.check(rel, staged=True) if staged else self.complete(rel)
        if state is None:
            return []
        self.refresh_cross()
        own, cross = state.current(), self.cross.get(rel) or []
        if not cross:
            return list(own)
        kept = self._with_cross.get(rel)  # a pull after another without a change: the same lists
        if kept is not None and kept[0] is own and kept[1] is cross:
            return list(kept[2])
        out = own + cross
        out.sort(key=_order)
        self._with_cross[rel] = (own, cross, out)
        return list(out)

    def _revalidate(self, rel: str) -> None:
        """Send a checked matrix back to a full check; its state answers meanwhile (`stale`)."""
        state = self.revalidating[rel] = self.states.pop(rel)
        state.waiting_since = time.monotonic()

    def stale(self, rel: str) -> MatrixState | None:
        """The state `rel` had before a file event sent it back to a full check, if its text is
        still the one it describes — for `STALE_FOR` seconds: background checks pause while the
        client is talking, and a client that keeps asking (polling for the change it made)
        must get it, from a check of its own if need be."""
        if rel in self.states:
            return None
        old = self.revalidating.get(rel)
        if old is None or old.key != self.ws.fs.version(rel):
            return None
        return old if time.monotonic() - (old.waiting_since or 0.0) < STALE_FOR else None

    def affected_by(self, changed: str) -> list[str]:
        """Matrices whose findings may change when `changed` (a workspace path) changes."""
        if is_project_file(changed) or self._is_exceptions_doc(changed):
            return list(self.states)
        out = []
        names = _self_and_ancestors(changed)
        for rel, state in self.states.items():
            if rel == changed or any(n in state.cited for n in names):
                out.append(rel)
        return out

    def _affects_every_row(self, rel: str) -> bool:
        # a project file (manifest, test config, workflow) can alter any row's verdict
        return is_project_file(rel) or self._is_exceptions_doc(rel) or is_matrix_name(rel)

    @staticmethod
    def _citing_rows(state: MatrixState, changed: str) -> set[int]:
        """Lines of the rows whose evidence names `changed` (or a directory holding it; -1: the
        matrix's governing documents)."""
        citing: set[int] = set()
        for name in _self_and_ancestors(changed):  # a row citing a directory cites its files
            citing.update(state.cited.get(name, ()))
        return citing

    def _rows_near(self, state: MatrixState, changed: str) -> set[int]:
        """Lines of the rows whose findings a file created or deleted at `changed` can alter:
        rows citing it, a directory holding it or a path under it (a directory came or went),
        a file next to it (a Go package, a Python package's modules), and, when it is where
        Cargo discovers targets (`src/lib.rs`, `src/main.rs`, `src/bin/`, `tests/`, `examples/`,
        `benches/`, `build.rs`), every row citing a file of that package (targets decide which
        `cargo test` runs which test). Other rows keep their findings: nothing they depend on
        is listed (a missing path's fix is computed when asked)."""
        citing = self._citing_rows(state, changed)
        directory = posixpath.dirname(changed)
        under = [changed + "/"]
        package = self._cargo_package_of(changed)
        if package is not None:
            under.append(package + "/" if package else "")
        for path, lines in state.cited.items():
            if posixpath.dirname(path) == directory or path.startswith(tuple(under)):
                citing.update(lines)
        return citing

    def _recheck_near(self, near: dict[str, set[int]]) -> None:
        """Re-check the rows changed files concern (`_citing_rows`, `_rows_near`); a matrix
        where that is most of its rows is sent to a full check instead (in the server, in the
        background: see `revalidating`)."""
        for p, lines in near.items():
            state = self.states.get(p)
            if state is None:
                continue  # another event of the batch sent it to a full check
            if 2 * len(lines) > len(state.rows_at or ()) or not self._recheck_rows(state, lines):
                self._revalidate(p)

    def _cargo_package_of(self, changed: str) -> str | None:
        """The directory of the Cargo package whose targets `changed` may add or remove, if any
        ("" for a package at the root)."""
        parts = changed.split("/")
        fs = self.ws.fs
        for i in range(len(parts) - 1, -1, -1):
            package = "/".join(parts[:i])
            if fs.is_file(posixpath.join(package, "Cargo.toml") if package else "Cargo.toml"):
                inner = parts[i:]
                if inner[0] in ("tests", "examples", "benches", "build.rs") or (
                    inner[0] == "src" and (len(inner) == 1 or inner[1] in ("lib.rs", "main.rs", "bin"))
                ):
                    return package
                return None
        return None

    def _recheck_rows(self, state: MatrixState, citing: set[int]) -> bool:
        """Re-check the rows on `citing` lines in place. False when the matrix cannot be
        updated that way (its governing documents are concerned: line -1)."""
        if -1 in citing:
            return False
        if not citing:
            return True
        matrix = state.matrix  # (re-parsed if row edits left it inconsistent: rows_at with it)
        rows_at = state.rows_at
        if rows_at is None:  # an unreadable matrix's state: no rows to check in place
            return False
        lines = sorted(line for line in citing if line in rows_at)
        dropped = set(lines)
        index = matrix.index
        starts = index.line_starts
        kept = [f for f in state.findings if bisect.bisect_right(starts, f.span.start) - 1 not in dropped]
        if state.pending or state.later:  # staged: these rows are checked in full below
            for line in dropped:
                state.later.pop(line, None)
            state.pending.difference_update(dropped)
        resolver = self._resolver()
        closed = not self.ws.fs.has_overlay(matrix.path)
        for line in lines:
            row = rows_at[line][0]
            kept.extend(check_row(self.ws, matrix, row, resolver))
            if closed:
                row._evidence = None  # as after a full check (see `_full_check_options`)
        kept.sort(key=_order)
        state.findings = kept
        state.settle()
        state.row_checks += len(lines)
        return True

    def _is_exceptions_doc(self, rel: str) -> bool:
        from parity_lsp.workspace.files import compile_globs

        return compile_globs(self.ws.config.exceptions_doc).match_file(rel)

    def files_changed(self, changes: list[tuple[str, bool]]) -> list[str]:
        """Several file events (path, created or deleted) at once, as a client reports them;
        returns the matrices to re-publish. Events for paths the workspace leaves out (a build
        writing thousands of files under an ignored `target/`) change nothing unless a matrix
        cites them: no cache is dropped and nothing is checked again. The rows the files
        concern are checked again once for the whole batch (a matrix where that is most rows,
        in full); a batch of many created or deleted files (a checkout, a generator) sends the
        matrices near them to a full check."""
        ignored = self.ws.ignored([rel for rel, _ in changes])
        relevant = [
            (rel, c)
            for rel, c in changes
            if not (rel in ignored and not self._is_cited(rel) and rel not in self.states)
        ]
        in_full = sum(c for _, c in relevant) > MANY_CREATED_OR_DELETED
        near: dict[str, set[int]] = {}
        affected: set[str] = set()
        for rel, created_or_deleted in relevant:
            affected.update(
                self.file_changed(rel, created_or_deleted, near=near, in_full=in_full, ignored=rel in ignored)
            )
        self._recheck_near(near)
        return sorted(affected)

    def _is_cited(self, rel: str) -> bool:
        names = _self_and_ancestors(rel)
        return any(n in state.cited for state in self.states.values() for n in names)

    def file_changed(
        self,
        rel: str,
        created_or_deleted: bool,
        near: dict[str, set[int]] | None = None,
        in_full: bool = False,
        ignored: bool = False,
    ) -> list[str]:
        """A file changed on disk: forget caches; returns the matrices to re-publish. With
        `near`, the rows it concerns are added to it (per matrix) for the caller to re-check
        once for a batch of events (`_recheck_near`); with `in_full`, the matrices near a
        created or deleted file go back to a full check instead. `ignored`: the workspace's
        file list leaves `rel` out."""
        if (
            created_or_deleted
            or not (is_matrix_name(rel) and rel in self.states)
            or self._is_exceptions_doc(rel)
        ):
            self.changes += 1  # not just an edit of a matrix: other matrices' rows may depend on it
        words = self.ws.cited_words_in(rel)  # bare names it contained (docs/spec/evidence.md)
        self.ws.forget(rel)
        if created_or_deleted:
            self.ws.file_appeared_or_vanished(rel, ignored)
        whole = self._affects_every_row(rel)
        batch = near if near is not None else {}
        affected: set[str] = set()
        keys = [NAME_KEY + w for w in words | self.ws.cited_words_in(rel)]
        if created_or_deleted:  # a bare file name or a glob may name it now, or no more
            keys += [BASE_KEY + posixpath.basename(rel), GLOB_KEY]
        if not whole:
            for p, state in self.states.items():
                lines = {n for k in keys for n in state.cited.get(k, ())}
                if lines and p != rel:
                    batch.setdefault(p, set()).update(lines)
                    affected.add(p)
        if created_or_deleted and not whole:
            for p, state in list(self.states.items()):
                if p == rel:
                    continue
                if in_full:
                    self._revalidate(p)  # a checkout, a generator: every matrix in full
                    affected.add(p)
                elif lines := self._rows_near(state, rel):
                    batch.setdefault(p, set()).update(lines)
                    affected.add(p)
        else:
            affected.update(self.affected_by(rel))
            for p in affected - {rel}:
                if whole:
                    self._revalidate(p)  # check it again in full
                else:
                    batch.setdefault(p, set()).update(self._citing_rows(self.states[p], rel))
        if near is None:
            self._recheck_near(batch)
        if is_matrix_name(rel) and not self.is_foreign(rel):
            # its own content version tells check() what changed (an edit: only those rows)
            if created_or_deleted:
                self.states.pop(rel, None)
                self.revalidating.pop(rel, None)  # created or deleted: what it was says nothing
            affected.add(rel)
        return sorted(affected)

    def config_findings(self) -> dict[str, list[Finding]]:
        """Configuration problems as findings on the config file."""
        out: dict[str, list[Finding]] = {}
        for p in self.config_problems:
            path = p.path if p.path != "<editor settings>" else None
            if path is None:
                continue
            text = self.ws.fs.read_text(path).text or ""
            idx = LineIndex(text)
            start = idx.line_start(p.line)
            span = Span(start, idx.line_end(p.line))
            out.setdefault(path, []).append(
                Finding("PM000", Severity.ERROR, path, span, f"config: {p.message}")
            )
        return out


def _order(f: Finding) -> tuple[int, str]:
    """The order of a matrix's findings: by place, then code (stable: a check's own order)."""
    return (f.span.start, f.code)


def _keys(findings: list[Finding] | None) -> list[tuple[str, int, int, str, tuple[Related, ...]]]:
    """What a client sees of workspace-scoped findings (their related locations included)."""
    return sorted((f.code, f.span.start, f.span.end, f.message, tuple(f.related)) for f in findings or [])


def _self_and_ancestors(path: str) -> list[str]:
    """`a/b/c.rs` -> [`a/b/c.rs`, `a/b`, `a`]: the paths whose citation covers it."""
    out = [path]
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        out.append(path)
    return out


def _tuples(cited: dict[str, set[int]]) -> dict[str, tuple[int, ...]]:
    return {path: tuple(sorted(lines)) for path, lines in cited.items()}


def _citations(ws: Workspace, matrix: Matrix, rows: Sequence[Row] | None = None) -> dict[str, set[int]]:
    """Workspace paths the rows' evidence names, with the lines of the rows naming each; the
    matrix's governing documents (line -1) too when `rows` is None (every row) or empty."""
    out: dict[str, set[int]] = {}
    for row in matrix.rows() if rows is None else rows:
        _add_citations(ws, row, out)
    if not rows:
        for doc in matrix.governing_docs:
            rel = resolve_reference_path(doc.path, posixpath.dirname(matrix.path), ws.fs)
            if rel:
                out.setdefault(rel.rstrip("/"), set()).add(-1)
    return out


# Keys of `MatrixState.cited` for what a row cites without a path (no workspace path holds a
# NUL): a bare name by its last word (the rows to check again when a file containing it
# changes: `Workspace.cited_words_in`), a bare file name by its base name, any glob.
NAME_KEY, BASE_KEY, GLOB_KEY = "\x00name:", "\x00base:", "\x00glob"
_LAST_WORD = re.compile(r"\w+(?=\W*$)")


def _add_citations(ws: Workspace, row: Row, out: dict[str, set[int]]) -> None:
    for ev in row.evidence.values():
        for ref in ev.refs:
            if ref.kind == RefKind.NAME:
                for sym in ref.symbols:
                    if m := _LAST_WORD.search(sym.name):
                        out.setdefault(NAME_KEY + m.group(), set()).add(row.line)
                continue
            if ref.kind == RefKind.GLOB:
                out.setdefault(GLOB_KEY, set()).add(row.line)
                continue
            if not ref.path:
                continue
            if "/" not in ref.path and not ref.is_link:
                out.setdefault(BASE_KEY + ref.path, set()).add(row.line)
            if ref.is_link:
                # a link resolves against the matrix directory, then the root: a file created
                # at either place can change what it names
                candidates = {resolve_reference_path(ref.path, ref.link_base, ws.fs), normalize_rel(ref.path)}
            else:
                candidates = {resolve_reference_path(ref.path, None, ws.fs)}
            for rel in candidates:
                if rel is not None:
                    out.setdefault(rel.rstrip("/"), set()).add(row.line)


__all__ = ["Analysis", "MatrixState", "replace"]
