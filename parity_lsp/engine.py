"""The engine: text → matrix model → findings. The CLI and the language server both call this.

Invariant: all judgement lives in rule modules run from here; front ends only convert. No
exception from a rule escapes: a crashing rule becomes a PM000 finding naming the bug, so
one broken rule never hides the others' findings.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import pickle
import posixpath
import re
import signal
import sys
import traceback
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_CODE, COL_TESTS, Matrix, MatrixFormat, ParseProblem, Row, Table
from parity_lsp.parse.delimited import parse_delimited
from parity_lsp.parse.directives import is_suppressed
from parity_lsp.parse.markdown import parse_markdown, parse_markdown_steps
from parity_lsp.roles import EMPTY_SPEC, ColumnSpec
from parity_lsp.rules import pm005_no_matrix_table, registry
from parity_lsp.rules.base import Ctx, Rule, RuleInfo, Stage
from parity_lsp.rules.context import (
    MatrixContext,
    Resolver,
    RowContext,
    Suggestions,
    TableContext,
    WorkspaceContext,
)
from parity_lsp.text import Span
from parity_lsp.workspace.index import Workspace

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

MAX_MATRIX_BYTES = 10 * 1024 * 1024

PM000 = RuleInfo(
    code="PM000",
    name="unreadable-matrix",
    severity=Severity.ERROR,
    summary="The matrix file cannot be read or parsed",
    doc="""\
## What it does
Reports a matrix file that cannot be checked at all: not UTF-8, binary, larger than the limit
(10 MB), an unterminated CSV quote, or an internal error of a rule (with the rule named).

## Why is this bad?
A matrix that cannot be read cannot be trusted; CI must fail rather than pass silently.
""",
)

ALL_RULES: dict[str, RuleInfo] = {"PM000": PM000, **registry.RULES}
REGISTRY = registry.REGISTRY  # the rules of each scope, typed by the context they check

_log = logging.getLogger("parity_lsp.engine")
_logged_rules: set[str] = set()  # rules whose failure was logged (once per rule and process)


def _log_rule_failure(code: str, path: str) -> None:
    """The rule boundary: a rule's bug is a PM000 finding the user sees, and its traceback is
    logged (once per rule: a rule that fails on every row would repeat it on every row)."""
    if code in _logged_rules:
        return
    _logged_rules.add(code)
    _log.warning("rule %s failed on %s (reported as PM000)", code, path, exc_info=True)


def matrix_format(path: str) -> MatrixFormat:
    ext = posixpath.splitext(path)[1].lower()
    if ext == ".csv":
        return MatrixFormat.CSV
    if ext == ".tsv":
        return MatrixFormat.TSV
    return MatrixFormat.MARKDOWN


def parse_matrix(path: str, text: str, columns: ColumnSpec = EMPTY_SPEC) -> Matrix:
    """Parse a matrix file of any format (evidence cells are parsed on first use: `Row.evidence`).
    `columns`: the `[columns]` configuration (`Config.column_spec`), which header plays which role."""
    fmt = matrix_format(path)
    if fmt == MatrixFormat.MARKDOWN:
        return parse_markdown(path, text, columns)
    return parse_delimited(path, text, fmt, columns)


def parse_matrix_steps(
    path: str, text: str, columns: ColumnSpec = EMPTY_SPEC
) -> Generator[None, None, Matrix]:
    """`parse_matrix` as a generator: yields between chunks of work, returns the matrix."""
    if matrix_format(path) == MatrixFormat.MARKDOWN:
        return (yield from parse_markdown_steps(path, text, columns))
    return parse_matrix(
        path, text, columns
    )  # CSV/TSV: parsed in one go (parse/delimited.py's tokenizer, fast)


@dataclass(slots=True)
class CheckResult:
    matrices: list[Matrix] = field(default_factory=list)  # the targets read (named ones without a table too)
    findings: list[Finding] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # path -> why
    # targets the include globs matched, not named, that hold no matrix table: not checked,
    # not errors (a charter next to the matrix), counted by the front end
    without_table: list[str] = field(default_factory=list)

    @property
    def checked(self) -> list[Matrix]:
        """The matrices checked: files holding at least one matrix table."""
        return [m for m in self.matrices if m.tables]

    @property
    def rows(self) -> int:
        return sum(len(t.rows) for m in self.matrices for t in m.tables)


def read_matrix(ws: Workspace, rel: str) -> tuple[Matrix | None, Finding | None]:
    """Read and parse one matrix file; a file that cannot be read yields a PM000 finding."""
    text, problem = read_matrix_text(ws, rel)
    return (parse_matrix(rel, text, ws.config.column_spec), None) if text is not None else (None, problem)


def read_matrix_text(ws: Workspace, rel: str) -> tuple[str | None, Finding | None]:
    """A matrix file's text, or the PM000 finding saying why it cannot be checked."""
    result = ws.fs.read_text(rel, limit=MAX_MATRIX_BYTES)
    if result.text is None:
        why = result.error or "cannot be read"
        if why.startswith("larger than"):
            why = f"matrix is {why}: matrices this large are not checked (split it into several files)"
        return None, Finding("PM000", Severity.ERROR, rel, Span(0, 0), f"matrix cannot be checked: {why}")
    return result.text, None


def _suppressed(matrix: Matrix, finding: Finding, row_starts: dict[int, list[int]] | None = None) -> bool:
    """Suppression for a finding whose row is not known (workspace-scoped rules).
    `row_starts` memoizes each table's row offsets across calls."""
    pos = finding.span.start
    for table in matrix.tables:
        if not (table.span.start <= pos <= table.span.end):
            continue
        if is_suppressed(finding.code, table.suppressed):
            return True
        starts = row_starts.get(id(table)) if row_starts is not None else None
        if starts is None:
            starts = [r.span.start for r in table.rows]
            if row_starts is not None:
                row_starts[id(table)] = starts
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and pos <= table.rows[i].span.end:
            return is_suppressed(finding.code, table.rows[i].suppressed)
    return False


def _finish(
    ws: Workspace,
    matrix: Matrix,
    findings: list[Finding],
    suppressed: tuple[frozenset[str], ...] | None = None,
    row_starts: dict[int, list[int]] | None = None,
) -> list[Finding]:
    """Apply configuration (selection, severity overrides) and suppression comments.

    `suppressed`: the codes disabled where the findings are (their row and table), when the
    caller knows; otherwise each finding's row is looked up.
    """
    config = ws.config
    out: list[Finding] = []
    for f in findings:
        if f.code != "PM000" and not config.is_enabled(f.code):
            continue
        if f.code in config.severity:
            f.severity = config.severity_for(f.code, f.severity)
        if suppressed is not None:
            if is_suppressed(f.code, *suppressed):
                continue
        elif _suppressed(matrix, f, row_starts):
            continue
        out.append(f)
    return out


def _run(rule: Rule[Ctx], ctx: Ctx, matrix: Matrix, sink: list[Finding]) -> None:
    """Run one (enabled) rule on `ctx`, its findings into `sink`."""
    try:
        sink.extend(rule.run(ctx))
    except Exception as exc:  # noqa: BLE001 - the per-rule boundary: a rule's bug becomes a PM000 finding
        # (one broken rule must not hide the other rules' findings), and is logged
        _log_rule_failure(rule.info.code, matrix.path)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        sink.append(
            Finding(
                "PM000",
                Severity.ERROR,
                matrix.path,
                Span(0, 0),
                f"internal error in rule {rule.info.code}: {exc!r} at "
                f"{posixpath.basename(where.filename)}:{where.lineno}",
            )
        )


def check_matrix(
    ws: Workspace,
    matrix: Matrix,
    resolver: Resolver | None = None,
    *,
    release: bool = False,
    after_row: Callable[[Row], object] | None = None,
    stage: Stage | None = None,
) -> list[Finding]:
    """Findings of every row-, table- and matrix-scoped rule for one matrix (`release`,
    `after_row`, `stage`: see `check_pieces`)."""
    out: list[Finding] = []
    for findings in iter_check_matrix(
        ws, matrix, resolver, release=release, after_row=after_row, stage=stage
    ):
        out.extend(findings)
    return out


def iter_check_matrix(
    ws: Workspace,
    matrix: Matrix,
    resolver: Resolver | None = None,
    *,
    release: bool = False,
    after_row: Callable[[Row], object] | None = None,
    stage: Stage | None = None,
) -> Iterator[list[Finding]]:
    """`check_matrix` one piece at a time (matrix, then each table and each row), so that a
    server can answer requests between rows of a large matrix."""
    for piece in check_pieces(ws, matrix, resolver or Resolver(ws), release, after_row, stage):
        yield piece()


# A unit of a check: a function returning its findings.
Piece = Callable[[], list[Finding]]


def check_pieces(
    ws: Workspace,
    matrix: Matrix,
    resolver: Resolver,
    release: bool = False,
    after_row: Callable[[Row], object] | None = None,
    stage: Stage | None = None,
) -> list[Piece]:
    """The units of a matrix check, in order, each a function returning its findings: the
    matrix-scoped rules, then per table its table-scoped rules and each of its rows.
    `after_row(row)` is called once a row is checked; with `release`, the row's parsed evidence
    is then dropped (parsed again if asked): memory holds one row's references, not all.
    `stage`: only the rules of that stage (`RuleInfo.stage`; the matrix's parse problems are
    syntactic); None, all of them. The findings of both stages are those of one check."""
    check: Callable[[Workspace, Matrix, Row, Resolver, Stage | None], list[Finding]]
    if release or after_row is not None:
        check = functools.partial(_check_row_then, after_row, release)
    else:
        check = check_row
    pieces: list[Piece] = [functools.partial(_check_matrix_scope, ws, matrix, resolver, stage)]
    for table in matrix.tables:
        pieces.append(functools.partial(_check_table_scope, ws, matrix, table, resolver, stage))
        pieces.extend(functools.partial(check, ws, matrix, row, resolver, stage) for row in table.rows)
    return pieces


def _check_row_then(
    after_row: Callable[[Row], object] | None,
    release: bool,
    ws: Workspace,
    matrix: Matrix,
    row: Row,
    resolver: Resolver,
    stage: Stage | None = None,
) -> list[Finding]:
    findings = check_row(ws, matrix, row, resolver, stage)
    if after_row is not None:
        after_row(row)
    if release:
        row._evidence = None
    return findings


def _check_matrix_scope(
    ws: Workspace, matrix: Matrix, resolver: Resolver, stage: Stage | None = None
) -> list[Finding]:
    # a "not a matrix header" problem is PM005's to report (named: check_paths; open: the rule);
    # parse problems are syntactic findings
    problems = matrix.problems if stage != "semantic" else ()
    findings: list[Finding] = [_problem(matrix, p) for p in problems if p.code != "PM005"]
    for rule in REGISTRY.matrix.enabled(ws.config, stage):
        _run(rule, MatrixContext(matrix, ws, resolver), matrix, findings)
    return _finish(ws, matrix, findings)


def _check_table_scope(
    ws: Workspace, matrix: Matrix, table: Table, resolver: Resolver, stage: Stage | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    tctx = TableContext(table, matrix, ws, resolver)
    for rule in REGISTRY.table.enabled(ws.config, stage):
        _run(rule, tctx, matrix, findings)
    return _finish(ws, matrix, findings, (table.suppressed,))


def check_row(
    ws: Workspace, matrix: Matrix, row: Row, resolver: Resolver | None = None, stage: Stage | None = None
) -> list[Finding]:
    """Findings of the row-scoped rules for one row (the unit of incremental re-checking);
    with `stage`, of that stage's rules only."""
    resolver = resolver or Resolver(ws)
    findings: list[Finding] = []
    rctx = RowContext(row, matrix, ws, resolver)
    for rule in REGISTRY.row.enabled(ws.config, stage):
        _run(rule, rctx, matrix, findings)
    return _finish(ws, matrix, findings, (rctx.table.suppressed, row.suppressed))


def check_across(ws: Workspace, matrices: list[Matrix]) -> list[Finding]:
    """Workspace-scoped rules (PM003) over every matrix of the workspace."""
    findings: list[Finding] = []
    by_path = {m.path: m for m in matrices}
    ctx = WorkspaceContext(matrices, ws)
    for rule in REGISTRY.workspace.enabled(ws.config):
        try:
            findings.extend(rule.run(ctx))
        except Exception as exc:  # noqa: BLE001 - the per-rule boundary: a PM000 finding, and logged
            _log_rule_failure(rule.info.code, matrices[0].path if matrices else "")
            findings.append(
                Finding(
                    "PM000",
                    Severity.ERROR,
                    matrices[0].path if matrices else "",
                    Span(0, 0),
                    f"internal error in rule {rule.info.code}: {exc!r}",
                )
            )
    out: list[Finding] = []
    row_starts: dict[int, list[int]] = {}
    for f in findings:
        matrix = by_path.get(f.path)
        if matrix is None:  # a rule's PM000 when there is no matrix
            out.append(f)
            continue
        row = ctx.rows.get(id(f))
        table = row.table if row is not None else None
        if row is not None and table is not None:
            out.extend(_finish(ws, matrix, [f], (table.suppressed, row.suppressed)))
        else:
            out.extend(_finish(ws, matrix, [f], row_starts=row_starts))
    return out


def _problem(matrix: Matrix, problem: ParseProblem) -> Finding:
    return Finding(problem.code, Severity.ERROR, matrix.path, problem.span, problem.message)


def check_paths(
    ws: Workspace,
    paths: list[str] | None = None,
    jobs: int = 1,
    release_evidence: bool = False,
    suggestions: bool = True,
    named: Collection[str] | None = None,
) -> CheckResult:
    """Check the given matrix files (default: every matrix of the workspace).

    A file `named` (default: each of `paths`) that holds no matrix table is a PM005 error; any
    other target without one is only listed in `without_table` (a charter the globs match).

    Workspace-scoped rules see every matrix of the workspace, so a duplicate capability in an
    unchecked matrix is still reported in the checked one. With `jobs` > 1 the rows of large
    workspaces are checked by that many processes, this one and forked workers (same findings,
    same order). With `release_evidence` (a one-shot check) rows do not keep their parsed
    evidence. Without `suggestions`, findings carry safe fixes only (no unsafe suggestion is
    searched for).
    """
    result = CheckResult()
    targets = list(paths) if paths is not None else ws.matrix_files()
    target_set = set(targets)
    named_set = set(paths or ()) if named is None else set(named)
    everything = sorted(target_set | set(ws.matrix_files()))
    parsed: dict[str, Matrix] = {}
    resolver = Resolver(ws, Suggestions.NOW if suggestions else Suggestions.SAFE_ONLY)
    for rel in everything:
        matrix, problem = read_matrix(ws, rel)
        if matrix is None:
            if rel in target_set and problem is not None:  # no matrix: a problem says why
                result.findings.append(problem)
                result.unreadable[rel] = problem.message
            continue
        if not matrix.tables:
            if rel in named_set:  # named on the command line: never passed silently
                result.findings.extend(_finish(ws, matrix, [pm005_no_matrix_table.finding(matrix)]))
            elif rel in target_set:
                result.without_table.append(rel)  # a charter or plan the globs match
                continue
            else:
                continue
        parsed[rel] = matrix
    result.matrices = [parsed[rel] for rel in targets if rel in parsed]
    pieces = [p for m in result.matrices for p in check_pieces(ws, m, resolver, release_evidence)]

    def across() -> list[Finding]:
        return [f for f in check_across(ws, list(parsed.values())) if f.path in target_set]

    rows_found, across_found = _run_pieces(pieces, jobs, meanwhile=across)
    result.findings.extend(rows_found)
    result.findings.extend(across_found)
    result.findings.sort(key=lambda f: (f.path, f.span.start, f.code))
    return result


# --- checking in parallel (the CLI) -----------------------------------------------------------

PARALLEL_MIN_PIECES = 1000  # below this a fork costs more than it saves
_SHARED_PIECES: list[Piece] | None = None  # inherited by forked workers (closures do not pickle)


def default_jobs() -> int:
    """Processes worth forking for a check: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    # fork only where it is the native model (Linux): macOS system libraries are not fork-safe
    import multiprocessing  # the CLI's parallel check only: not the server's import

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _run_pieces(
    pieces: list[Piece], jobs: int, meanwhile: Piece = list
) -> tuple[list[Finding], list[Finding]]:
    """Run check pieces in order; with `jobs` > 1, in this process and `jobs` - 1 forked
    workers, each taking the rows of whole neighbourhoods of the workspace (`shares`): rows
    citing the same files land in the same process, so each cited file is read, scanned and
    judged once across the processes (two matrices listing the same capabilities no longer
    cost twice). Returns the pieces' findings (the same list, in the same order, as running
    them here) and what `meanwhile` returns: it runs here first (the workspace-scoped rules),
    so this process's share is lighter by about as much.

    This process is one of the `jobs`: a third process on two CPUs added nothing but its
    copies of the parent's pages (each worker touches most of the parsed matrices: their
    copy-on-write pages become its own) and the pickling of its findings."""
    jobs = min(jobs, len(pieces) // (PARALLEL_MIN_PIECES // 2) or 1)
    if jobs <= 1 or len(pieces) < PARALLEL_MIN_PIECES or not _can_fork():
        return [f for piece in pieces for f in piece()], meanwhile()
    global _SHARED_PIECES
    _SHARED_PIECES = pieces
    keys = [_locality(p) for p in pieces]
    # meanwhile's rules cost ~1/30 of checking the same rows: a head start of as many pieces
    parts_of = shares(keys, jobs, head_start=len(pieces) // 30)
    workers: list[tuple[BaseProcess, Connection, list[int]]] = []
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        for share in parts_of[1:]:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(share, writer, os.getpid()), daemon=True)
            process.start()
            writer.close()  # the worker's end: the reader sees EOF if the worker dies
            workers.append((process, reader, share))
    except Exception as exc:  # noqa: BLE001 - any failure to start a worker is said on stderr
        # no fork here (limits, memory, pipes): one process does it all
        _stop(workers)
        _SHARED_PIECES = None
        sys.stderr.write(f"parity-lsp: could not start a worker process ({exc!r}); checking in one process\n")
        return [f for piece in pieces for f in piece()], meanwhile()
    try:
        extra = meanwhile()
        parts = [_run_share(parts_of[0])]
        for worker, reader, share in workers:
            try:
                parts.append(reader.recv())
            except (EOFError, OSError, pickle.UnpicklingError):  # said on stderr
                # EOF mostly: never wait for a worker that cannot answer. Killed (out of memory?)
                # or failed before or while sending: its rows are checked here
                worker.join()
                sys.stderr.write(
                    f"parity-lsp: a worker process ended early (exit code {worker.exitcode}); "
                    "checking its rows here\n"
                )
                parts.append(_run_share(share))
    finally:
        _stop(workers)
        _SHARED_PIECES = None
    by_index: dict[int, list[Finding]] = {}
    for part in parts:
        by_index.update(part)
    return [f for index in range(len(pieces)) for f in by_index[index]], extra


def _work(share: list[int], writer: Connection, parent: int) -> None:
    """A forked worker: check `share`, send the findings, end. Any failure ends it quietly:
    the parent sees the pipe close and checks the share itself."""
    try:
        _start_worker(parent)
        writer.send(_run_share(share))
        writer.close()
    except BaseException:  # noqa: BLE001 - the parent says the worker ended early
        # a forked copy never unwinds into the parent's code (its handlers, atexit, buffers)
        os._exit(1)
    os._exit(0)  # nothing of the parent's to tear down in a forked copy


def _stop(workers: list[tuple[BaseProcess, Connection, list[int]]]) -> None:
    for worker, reader, _ in workers:
        reader.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _start_worker(parent: int) -> None:
    """In a forked worker. Ctrl-C reaches the whole process group: the parent stops the
    workers (a worker that raised KeyboardInterrupt itself printed 'Process ForkPoolWorker-1:'
    and a traceback under the user's prompt). And the worker ends with its parent: a `check`
    killed by CI (SIGTERM) left its worker checking on, then printing a traceback when its
    findings had nowhere to go."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal this process gets when its parent dies
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (ImportError, OSError, AttributeError):  # no prctl: it ends when its results cannot be sent
        return
    if os.getppid() != parent:  # the parent died before the request: nobody waits for this worker
        os._exit(1)


def _run_share(indices: list[int]) -> list[tuple[int, list[Finding]]]:
    pieces = _SHARED_PIECES or []
    return [(i, pieces[i]()) for i in indices]


_PATH_TOKEN = re.compile(r"[\w.-]+(?:/[\w.-]+)+")


def _locality(piece: Piece) -> str | None:
    """Where the evidence of a row piece lives: the first two components of the first path
    its code (else tests) cell names, e.g. `crates/core`. None for other pieces."""
    for row in reversed(getattr(piece, "args", ())):  # a row piece's row is among its last arguments
        if isinstance(row, Row):
            break
    else:
        return None
    for column in (COL_CODE, COL_TESTS):
        cell = row.cell(column)
        found = _PATH_TOKEN.search(cell.text) if cell is not None else None
        if found:
            parts = found.group().split("/")
            if "." in parts or ".." in parts:  # a link's `../../crates/x` is `crates/x` too
                parts = [p for p in parts if p not in (".", "..")]
            return "/".join(parts[:2])
    return ""


def shares(keys: list[str | None], jobs: int, head_start: int = 0) -> list[list[int]]:
    """Split piece indices into `jobs` lists of about equal size, keeping pieces with the same
    key together (a key holding more than half a share is cut into contiguous chunks, so one
    busy directory cannot leave the other workers idle). Keyless pieces are cheap and fill in
    anywhere. The first list counts as `head_start` pieces fuller (its process has other work).
    Deterministic; each list is in ascending order."""
    groups: dict[str | None, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    chunk = max(1, len(keys) // (2 * jobs))
    units: list[list[int]] = []
    for key, members in groups.items():
        if key is None:
            units.extend([i] for i in members)
        else:
            units.extend(members[k : k + chunk] for k in range(0, len(members), chunk))
    units.sort(key=lambda unit: (-len(unit), unit[0]))  # largest first: a greedy balance
    loads = [0] * jobs
    loads[0] = head_start
    out: list[list[int]] = [[] for _ in range(jobs)]
    for unit in units:
        worker = loads.index(min(loads))
        out[worker].extend(unit)
        loads[worker] += len(unit)
    return [sorted(share) for share in out]
