"""`parity-lsp check | fix | report | init | rule | serve`: argument parsing and output only; the
engine judges.

Exit codes (EXIT_HELP below, `parity-lsp --help`): 0 nothing at or above --fail-on; 1 findings;
2 usage or configuration error, nothing to check, or output that could not be written; 3 an
internal error (a bug). No traceback ever reaches the user: one line on stderr says what
happened. Never silent: what was checked, which root was chosen when no marker says so, and
that nothing was checked are said (stderr, and in the structure of every output format).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import stat
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypedDict

from parity_lsp import __version__, runtime
from parity_lsp.config import ConfigProblem, load_config
from parity_lsp.engine import ALL_RULES, CheckResult, check_paths, default_jobs
from parity_lsp.findings import Severity
from parity_lsp.output.escape import escape_controls
from parity_lsp.output.report import Notice
from parity_lsp.workspace.files import ALWAYS_SKIPPED_DIRS, is_matrix_name
from parity_lsp.workspace.index import Workspace

if TYPE_CHECKING:
    from parity_lsp.fixer import SourceFile
    from parity_lsp.text import LineIndex

    # The subcommands' parser group: argparse's own type for it (generic in typeshed only).
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
ROOT_MARKERS = (".git", "pyproject.toml", ".parity-lsp.toml")
EXIT_HELP = """\
exit status:
  0  checked, nothing at or above --fail-on (default: error)
  1  findings at or above --fail-on
  2  usage or configuration error; nothing to check (no matrix where you pointed, said on
     stderr with the include globs); the output could not be written (closed or full
     standard output, a reader that went away, an -o FILE that cannot be written)
  3  internal error of parity-lsp (a bug: please report the line it prints)
"""


class UsageError(Exception):
    pass


class OutputError(Exception):
    """The command's output could not be written (closed stdout, full disk, reader gone)."""


def run() -> None:
    """The `parity-lsp` command: `main`, then the process ends without tearing down what the
    command built (`runtime.exit_now`; output is flushed first, a closed pipe is no error)."""
    runtime.exiting()
    runtime.exit_now(main(exiting=True))


def _err(line: str) -> None:
    """One line on stderr, control characters escaped (paths and values come from the user's
    files); a closed or full stderr is not an error of its own."""
    stream = sys.stderr
    if stream is None:  # started with stderr closed (`2>&-`)
        return
    with contextlib.suppress(OSError, ValueError):
        stream.write(escape_controls(line) + "\n")
        stream.flush()


def find_root(start: Path) -> Path:
    """Nearest ancestor with `.git`, `pyproject.toml` or `.parity-lsp.toml`; else `start`."""
    return _marked_root(start) or _start_dir(start)


def _start_dir(start: Path) -> Path:
    start = start.resolve()
    return start.parent if start.is_file() else start


def _marked_root(start: Path) -> Path | None:
    """Nearest ancestor of `start` (itself included) holding a root marker."""
    start = _start_dir(start)
    for d in (start, *start.parents):
        if any((d / m).exists() for m in ROOT_MARKERS):
            return d
    return None


MAX_UNMARKED_DIRS = 20_000  # directories a root chosen without a marker may hold (see _unmarked_root)


@dataclass(slots=True)
class RootChoice:
    root: Path
    notices: list[Notice] = field(default_factory=list)
    exclude: tuple[str, ...] = ()  # nested projects left out (gitignore-style, `/a/`)


def choose_root(paths: list[Path], explicit: str | None) -> RootChoice:
    """The workspace root: `--root`, else the nearest ancestor of the first PATH (or of the
    current directory) with a root marker, else a root chosen without one (`_unmarked_root`)."""
    if explicit:
        root = Path(explicit).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {explicit}: not a directory")
        return RootChoice(root)
    start = paths[0] if paths else Path.cwd()
    marked = _marked_root(start)
    if marked is not None:
        return RootChoice(marked)
    return _unmarked_root(start)


def _unmarked_root(start: Path) -> RootChoice:
    """No `.git`, `pyproject.toml` or `.parity-lsp.toml` above `start`: the current directory
    when `start` is inside it (`check docs/parity/m.md` from the project's top), else `start`
    (a directory) or its directory. Said on stderr. Projects below it that have their own
    marker (a scratch directory of clones) are left out — their evidence is relative to their
    own root, and checking them from here reported 135,685 wrong findings — and a tree of more
    than MAX_UNMARKED_DIRS directories is refused rather than walked."""
    cwd = Path.cwd().resolve()
    begin = _start_dir(start)
    root = cwd if begin == cwd or cwd in begin.parents else begin
    where = f"{root} (the current directory)" if root == cwd else str(root)
    nested, truncated = _nested_projects(root, MAX_UNMARKED_DIRS)
    markers = ", ".join(ROOT_MARKERS[:-1]) + " or " + ROOT_MARKERS[-1]
    if truncated:
        raise UsageError(
            f"no workspace root: no {markers} in {begin} or above it, and {root} holds more "
            f"than {MAX_UNMARKED_DIRS:,} directories: not walked (run parity-lsp in your project, "
            "or pass --root DIR, or create a .parity-lsp.toml at the project's top)"
        )
    notices = [
        Notice(
            "root",
            f"no {markers} in {begin} or above it: using {where} as the workspace root "
            "(--root DIR, or a .parity-lsp.toml at the project's top, to choose)",
            level="warning",
        )
    ]
    if nested:
        shown = ", ".join(f"{d}/" for d in nested[:5]) + (", …" if len(nested) > 5 else "")
        notices.append(
            Notice(
                "nested-projects",
                f"left out {len(nested)} project{'s' if len(nested) != 1 else ''} below {root} that "
                f"{'have their' if len(nested) != 1 else 'has its'} own root ({shown}): "
                "check each from its own root",
                paths=tuple(nested),
                level="warning",
            )
        )
    return RootChoice(root, notices, tuple(f"/{d}/" for d in nested))


def _nested_projects(root: Path, limit: int) -> tuple[list[str], bool]:
    """Directories below `root` holding a root marker (not entered), breadth first, and whether
    more than `limit` directories were met (the scan stops there). Symlinks are not followed;
    `node_modules`, `.venv` and the like are not entered (the file list never holds them)."""
    found: list[str] = []
    stack: list[tuple[str, str]] = [(str(root), "")]
    seen = 0
    while stack:
        path, rel = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            continue
        if rel and any(e.name in ROOT_MARKERS for e in entries):
            found.append(rel)
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and entry.name not in ALWAYS_SKIPPED_DIRS:
                seen += 1
                if seen > limit:
                    return sorted(found), True
                stack.append((entry.path, f"{rel}/{entry.name}" if rel else entry.name))
    return sorted(found), False


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


class _ConfigOverrides(TypedDict, total=False):
    """What the command line changes in the configuration (the `Config` fields of that name)."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    changed_since: str
    exclude: tuple[str, ...]


@dataclass(slots=True)
class Scope:
    """What a command looks at: the workspace, the matrix files (None: all of them), the files
    named one by one (PM005 when they hold no matrix table), the directories named, and notices
    about the choice (root without a marker, nested projects left out)."""

    ws: Workspace
    targets: list[str] | None
    named: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    root_guessed: bool = False
    left_out: tuple[str, ...] = ()  # exclude patterns added for nested projects


def build_workspace(args: argparse.Namespace) -> Scope:
    """Root, config and the matrix files named on the command line (None: all of them)."""
    paths = [Path(p) for p in (args.paths or [])]
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    choice = choose_root(paths, args.root)
    root = choice.root
    explicit = Path(args.config) if getattr(args, "config", None) else None
    if explicit is not None and not explicit.is_file():
        raise UsageError(f"--config {explicit}: no such file")
    config, problems, _config_path = load_config(root, explicit)
    if problems:
        raise ConfigErrors(problems)
    overrides: _ConfigOverrides = {}
    select, ignore = _codes(getattr(args, "select", None)), _codes(getattr(args, "ignore", None))
    for codes in (select, ignore):
        for c in codes or ():
            if not (
                c == "ALL"
                or c in ALL_RULES
                or (c.startswith("PM") and any(k.startswith(c) for k in ALL_RULES))
            ):
                raise UsageError(f"unknown rule code or prefix `{c}` (see `parity-lsp rule`)")
    if select is not None:
        overrides["select"] = select
    if ignore:
        overrides["ignore"] = tuple(config.ignore) + ignore
    if getattr(args, "changed_since", None):
        overrides["changed_since"] = args.changed_since
    if choice.exclude:
        overrides["exclude"] = tuple(config.exclude) + choice.exclude
    if overrides:
        config = replace(config, **overrides)
    ws = Workspace(root, config)
    ws.fs.stable_stats = True  # one snapshot: nothing changes on disk during a run that we must see
    if config.changed_since and ws.changed_since(config.changed_since) is None:
        raise UsageError(
            f"--changed-since {config.changed_since}: not a git revision of {root} (or git is unavailable)"
        )
    scope = Scope(
        ws, None, notices=choice.notices, root_guessed=bool(choice.notices), left_out=choice.exclude
    )
    if not paths:
        return scope
    targets: list[str] = []
    for p in paths:
        rel = ws.fs.to_rel(p.resolve())
        if rel is None:
            raise UsageError(f"{p}: outside the workspace root {root}")
        if p.is_dir():
            prefix = rel + "/" if rel else ""
            scope.dirs.append(rel)
            targets.extend(f for f in ws.matrix_files() if f.startswith(prefix))
        elif is_matrix_name(rel):
            targets.append(rel)
            scope.named.append(rel)
        else:
            raise UsageError(f"{p}: not a matrix file (.md, .csv or .tsv)")
    scope.targets = sorted(set(targets))
    return scope


def coverage_notices(scope: Scope, result: CheckResult) -> list[Notice]:
    """What the run covered, beyond its findings: the included files without a matrix table,
    and — when no matrix was checked and nothing was found — that nothing was checked, what
    was looked for and where (the one line of exit status 2)."""
    notices = list(scope.notices)
    if result.without_table:
        n = len(result.without_table)
        notices.append(
            Notice(
                "no-matrix-table",
                f"{n} included file{'s' if n != 1 else ''} had no matrix table and "
                f"{'were' if n != 1 else 'was'} not checked: {_listed(result.without_table)}",
                paths=tuple(result.without_table),
            )
        )
    unchecked = [
        f"{m.path}:{t.header_line + 1}"
        for m in result.checked
        for t in m.tables
        if not t.roles.template and "ci" not in t.roles.expects and t.rows
    ]
    if unchecked and scope.ws.config.is_enabled("PM202"):
        n = len(unchecked)
        notices.append(
            Notice(
                "ci-not-checked",
                f"CI gating was not checked in {n} table{'s' if n != 1 else ''} with no CI column "
                f'({_listed(unchecked, 3)}): name one in [columns] (`ci = ["…"]`) to check it (PM202)',
                paths=tuple(sorted({u.rsplit(":", 1)[0] for u in unchecked})),
            )
        )
    if not result.checked and not result.findings:
        notices.append(nothing_checked(scope, result))
    return notices


def _listed(paths: list[str], limit: int = 5) -> str:
    return ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def nothing_checked(scope: Scope, result: CheckResult) -> Notice:
    """The one line saying that no matrix was checked: what was looked for, and where."""
    ws = scope.ws
    if scope.dirs:
        where = "under " + " and ".join(f"{d}/" if d else "./" for d in scope.dirs)
    elif scope.named:
        where = "in " + _listed(scope.named)
    else:
        where = "in the workspace"
    root = f"workspace root {ws.root}"
    if scope.root_guessed:
        root += ", chosen without a root marker: no .git, pyproject.toml or .parity-lsp.toml above"
    nested = next((n for n in scope.notices if n.kind == "nested-projects"), None)
    if scope.named and not scope.dirs:
        message = f"nothing checked: no matrix table {where} ({root}; PM005 is not selected)"
    elif result.without_table:
        n = len(result.without_table)
        message = (
            f"nothing checked: {n} file{'s' if n != 1 else ''} {where} match the include globs but "
            f"hold no matrix table (a table with a status column and an evidence column): "
            f"{_listed(result.without_table, 3)} ({root}); `parity-lsp check FILE` says what is missing"
        )
    else:
        mine = [g for g in ws.config.exclude if g not in scope.left_out]  # the user's, not ours
        exclude = f"; exclude: {', '.join(mine)}" if mine else ""
        message = (
            f"nothing checked: no matrix file {where} (include globs: {', '.join(ws.config.include)}"
            f"{exclude}; {root})"
        )
        if nested is None:
            message += ": set `include` in .parity-lsp.toml, or name the file"
    if nested is not None:  # the one line says it all: also what was left out
        message += f"; {nested.message}"
    return Notice("nothing-checked", message, level="error")


class ConfigErrors(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


# --- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from parity_lsp.output import FORMATS_READING_SOURCE_LINES, make_report, render

    _stdout()  # closed (`>&-`): said now, before the work whose result could not be shown
    if getattr(args, "fix", False) and (status := _fix(args, dry_run=False, before_check=True)) != EXIT_OK:
        return status  # a fix could not be written: said on stderr
    scope = build_workspace(args)
    ws = scope.ws
    # only the text output prints unsafe suggestions (`suggestion: ...`); the others carry
    # safe fixes only (docs/spec/cli.md#json-output), so the search for them is skipped
    result = check_paths(
        ws,
        scope.targets,
        jobs=args.jobs or default_jobs(),
        release_evidence=True,
        suggestions=args.format == "text",
        named=scope.named,
    )
    files = [m.path for m in result.matrices] + sorted(result.unreadable)
    indexes = {m.path: m.index for m in result.matrices}

    def index_for(path: str) -> LineIndex:
        if path in indexes:
            return indexes[path]
        from parity_lsp.text import LineIndex

        src = ws.fs.read_text(path)
        indexes[path] = LineIndex(src.text or "")
        return indexes[path]

    notices = coverage_notices(scope, result)
    report = make_report(
        str(ws.root),
        files,
        result.findings,
        index_for,
        ALL_RULES,
        with_source_lines=args.format in FORMATS_READING_SOURCE_LINES,
        matrices=len(result.checked),
        rows=result.rows,
        without_table=result.without_table,
        notices=notices,
    )
    # decided before writing: a reader that stops reading cannot turn findings into a pass
    threshold = Severity.parse(args.fail_on)
    if any(f.severity >= threshold for f in result.findings):
        status = EXIT_FINDINGS
    elif report.nothing_checked:
        status = EXIT_USAGE  # a gate that checked nothing must not look green
    else:
        status = EXIT_OK
    _tell(notices, nothing_only=report.nothing_checked)
    runtime.keep_until_exit(ws, result, report)
    if report.nothing_checked and args.format == "text":
        return status  # the one line on stderr says it all
    color = args.format == "text" and _stdout().isatty() and not os.environ.get("NO_COLOR")
    out = render(report, args.format, color=color)
    runtime.keep_until_exit(out)
    _emit(out, "\n")
    return status


def _tell(notices: list[Notice], nothing_only: bool = False) -> None:
    """The run's notices on stderr, one line each: what was not checked (which included files
    had no matrix table: the summary only counts them), the root chosen without a marker.
    When nothing was checked, only the line saying so (it names the rest)."""
    for n in notices:
        if nothing_only and n.kind != "nothing-checked":
            continue
        _err(f"parity-lsp: {'error' if n.level == 'error' else n.level}: {n.message}")


def cmd_fix(args: argparse.Namespace) -> int:
    return _fix(args, dry_run=args.dry_run)


def _fix(args: argparse.Namespace, dry_run: bool, before_check: bool = False) -> int:
    """`fix`, and the first half of `check --fix` (`before_check`: progress on stderr, the
    notices and what remains are the check's to say)."""
    from parity_lsp.fixer import FileChangedError, plan_fixes, read_source, unified_diff, write_atomically

    if dry_run:
        _stdout()  # the diff is the output
    scope = build_workspace(args)
    ws = scope.ws
    result = check_paths(ws, scope.targets, suggestions=False, named=scope.named)  # safe fixes only
    notices = coverage_notices(scope, result)
    nothing = not result.checked and not result.findings
    if before_check:
        nothing = False
    else:
        _tell(notices, nothing_only=nothing)
    if nothing:
        return EXIT_USAGE
    progress = _err if before_check else _say
    fixes = [f.fix for f in result.findings if f.fix is not None and f.fix.safe]
    paths = sorted({e.path for fx in fixes for e in fx.edits})
    sources: dict[str, SourceFile] = {}
    for rel in paths:
        if ws.fs.escapes(rel):
            continue
        try:
            sources[rel] = read_source(ws.fs.abspath(rel))
        except (OSError, ValueError) as exc:
            _err(f"parity-lsp: {rel}: cannot be read: {exc}")
    plans = plan_fixes({p: s.text for p, s in sources.items()}, fixes)
    changed = 0
    failed = False
    for rel, plan in sorted(plans.items()):
        if not plan.changed:
            continue
        if dry_run:
            _emit(unified_diff(plan))
            changed += len(plan.applied)
            continue
        src = sources[rel]
        try:
            write_atomically(ws.fs.abspath(rel), plan.updated, src.raw, bom=src.bom, newline=None)
        except FileChangedError as exc:
            _err(f"parity-lsp: {exc}")
            failed = True
            continue
        except (OSError, ValueError) as exc:
            _err(f"parity-lsp: {rel}: cannot write: {_why(exc)}")
            failed = True
            continue
        changed += len(plan.applied)
        progress(f"{rel}: applied {len(plan.applied)} fix{'es' if len(plan.applied) != 1 else ''}")
    if before_check:
        if changed and os.environ.get("PRE_COMMIT"):  # a hook: the commit holds the staged files
            _err("parity-lsp: files were fixed: review them, `git add` them and commit again")
        return EXIT_USAGE if failed else EXIT_OK
    verb = "would apply" if dry_run else "applied"
    remaining = len([f for f in result.findings if f.fix is None or not f.fix.safe])
    _err(
        f"{verb} {changed} fix{'es' if changed != 1 else ''}; "
        f"{remaining} finding{'s' if remaining != 1 else ''} need a human"
    )
    return EXIT_USAGE if failed else EXIT_OK


# --- standard output: the product of check, report, rule and fix --dry-run -------------------


def _stdout() -> TextIO:
    """Standard output, or OutputError when the process started with it closed (`>&-`:
    Python then sets sys.stdout to None)."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("standard output is closed: nothing can be written")
    return stream


def _why(exc: BaseException) -> str:
    if isinstance(exc, BrokenPipeError):
        return "the reader closed the pipe before the output was written"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    if isinstance(exc, ValueError):  # "I/O operation on closed file"
        return "the stream is closed"
    return str(exc) or type(exc).__name__


def _emit(*texts: str) -> None:
    """Write the command's output to stdout and flush it: an output that could not be
    written (closed, full disk, reader gone) is an OutputError (exit 2), never a pass."""
    stream = _stdout()
    try:
        for text in texts:
            _write_in_pieces(stream, text)
        stream.flush()
    except (OSError, ValueError) as exc:
        raise OutputError(f"could not write the output to standard output: {_why(exc)}") from None


_WRITE_PIECE = 1 << 20  # characters


def _write_in_pieces(stream: TextIO, text: str) -> None:
    """Write a long text a megabyte at a time: the stream encodes what it is given at once,
    and a 10 MB report encoded whole was a 10 MB copy more at the check's peak of memory."""
    for start in range(0, len(text), _WRITE_PIECE):
        stream.write(text[start : start + _WRITE_PIECE])


def _say(line: str) -> None:
    """A progress line on stdout that must not stop the work: `fix | head` closing the pipe
    halfway left the remaining files unfixed (each write is atomic, but the run ended early).
    Progress is not the product: a closed or full stdout loses it, the work goes on."""
    with contextlib.suppress(OSError, ValueError):
        print(escape_controls(line))


def cmd_rule(args: argparse.Namespace) -> int:
    if not args.code:
        width = max(len(r.name) for r in ALL_RULES.values())
        _emit(
            *(
                f"{info.code}  {info.name:<{width}}  {info.severity.label:<7}  {info.summary}\n"
                for info in ALL_RULES.values()
            )
        )
        return EXIT_OK
    code = args.code.strip().upper()
    rule = ALL_RULES.get(code)
    if rule is None:
        by_name = {r.name: r for r in ALL_RULES.values()}
        rule = by_name.get(args.code.strip().lower())
    if rule is None:
        raise UsageError(f"unknown rule `{args.code}` (run `parity-lsp rule` for the list)")
    from parity_lsp.rules.gendocs import page

    _emit(page(rule))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from parity_lsp.lsp.server import serve
    except ImportError as exc:
        raise UsageError(f"the language server is not available: {exc}") from None
    return serve(args)


# --- parser ----------------------------------------------------------------------------------


def _jobs(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {value!r}")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="parity-lsp",
        description="Keep parity matrices honest: check, fix, serve.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"parity-lsp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "paths", nargs="*", metavar="PATH", help="matrix files or directories (default: the workspace)"
        )
        sp.add_argument(
            "--select", metavar="CODES", help="only these rule codes or prefixes (comma-separated)"
        )
        sp.add_argument("--ignore", metavar="CODES", help="skip these rule codes or prefixes")
        sp.add_argument(
            "--config",
            metavar="FILE",
            help="configuration file (default: .parity-lsp.toml or pyproject.toml)",
        )
        sp.add_argument(
            "--root",
            metavar="DIR",
            help="workspace root (default: nearest .git/pyproject.toml/.parity-lsp.toml; without "
            "one, the current directory, said on stderr)",
        )
        sp.add_argument(
            "--changed-since", metavar="REV", help="report evidence changed since git revision REV (PM601)"
        )

    c = sub.add_parser(
        "check",
        help="report findings",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(c)
    c.add_argument("--format", default="text", choices=["text", "json", "sarif", "github", "junit"])
    c.add_argument("--fail-on", default="error", choices=["error", "warning", "info", "hint"])
    c.add_argument(
        "--fix", action="store_true", help="apply the safe fixes first (as `fix`), then report what remains"
    )
    c.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes for large workspaces (default: one per CPU; 1: no parallelism)",
    )
    c.set_defaults(func=cmd_check)

    f = sub.add_parser("fix", help="apply safe fixes atomically")
    common(f)
    f.add_argument("--dry-run", action="store_true", help="print a unified diff instead of writing")
    f.set_defaults(func=cmd_fix)

    r = sub.add_parser("rule", help="print a rule's documentation (no CODE: list all rules)")
    r.add_argument("code", nargs="?", metavar="CODE")
    r.set_defaults(func=cmd_rule)

    s = sub.add_parser("serve", help="run the language server")
    s.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    s.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    s.set_defaults(func=cmd_serve)
    add_report_parsers(sub)
    return p


# --- report and init (issue 8) ---------------------------------------------------------------


_DESCRIPTOR_NUMBER = re.compile(
    r"/dev/(?:(stdin|stdout|stderr)|fd/(\d+))|/proc/(self|thread-self|\d+)(?:/task/\d+)?/fd/(\d+)"
)


def _own_descriptor(path: str) -> int | None:
    """The number of this process's descriptor that a descriptor path names, else None."""
    m = _DESCRIPTOR_NUMBER.fullmatch(path)
    if m is None:
        return None
    std, dev_fd, pid, proc_fd = m.groups()
    if std is not None:
        return ("stdin", "stdout", "stderr").index(std)
    if dev_fd is not None:
        return int(dev_fd)
    return int(proc_fd) if pid in ("self", "thread-self") or int(pid) == os.getpid() else None


def _is_stream(target: str) -> bool:
    """Is `-o TARGET` written in place (a descriptor, device, FIFO or socket) rather than as a file?"""
    from parity_lsp.fixer import names_descriptor

    try:
        regular_or_new = stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        regular_or_new = True
    return target == "-" or names_descriptor(target) is not None or not regular_or_new


def write_output(target: str, text: str) -> str:
    """`-o TARGET`: `-` is standard output, and so is a path naming this process's descriptor 1
    (`/dev/stdout`; 2: standard error; 0 is refused); anything else goes to
    `fixer.write_output` (regular files atomically, devices and FIFOs in place). Returns how
    it was written."""
    from parity_lsp.fixer import WriteError, names_descriptor
    from parity_lsp.fixer import write_output as write_file

    named = names_descriptor(target) if target != "-" else "/dev/stdout"
    number = _own_descriptor(named) if named is not None else None
    if number == 0:
        raise UsageError(f"-o {target}: standard input is not an output")
    if number == 1:
        _emit(text)
        return "to standard output"
    if number == 2:
        stream = sys.stderr
        if stream is None:
            raise OutputError("standard error is closed: nothing can be written")
        try:
            _write_in_pieces(stream, text)
            stream.flush()
        except (OSError, ValueError) as exc:
            raise OutputError(f"could not write the output to standard error: {_why(exc)}") from None
        return "to standard error"
    try:
        return write_file(target, text.encode("utf-8"))
    except WriteError as exc:
        raise UsageError(f"-o {target}: cannot write: {exc}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from parity_lsp.report import render, report_from_result

    to_stdout = not args.output or args.output == "-"
    if to_stdout:
        _stdout()
    scope = build_workspace(args)
    ws, targets = scope.ws, scope.targets
    result = check_paths(ws, targets, named=scope.named)
    notices = coverage_notices(scope, result)
    nothing = not result.checked and not result.findings
    _tell(notices, nothing_only=nothing)
    if nothing:
        return EXIT_USAGE  # nothing to report: no file written, no empty report shown as one
    report = report_from_result(ws, result)
    if args.compare:
        from parity_lsp.report.compare import CompareError, compare_with_revision

        try:
            report.compare = compare_with_revision(ws, report, args.compare, targets)
        except CompareError as exc:
            raise UsageError(str(exc)) from None
    # Row links (`path#L12`) are relative to where the report is read: the output file's
    # directory, or the current directory for stdout and other streams (a FIFO, a device).
    out = None if to_stdout else Path(args.output)
    base_dir = out.resolve().parent if out is not None and not _is_stream(args.output) else Path.cwd()
    rel = os.path.relpath(ws.root, base_dir).replace(os.sep, "/")
    link_base = "" if rel == "." else rel + "/"
    text = render(report, args.format, link_base)
    text = text if text.endswith("\n") else text + "\n"
    runtime.keep_until_exit(ws, result, report, text)
    if out is None:
        _emit(text)
    else:
        how = write_output(args.output, text)
        t = report.overall
        _err(
            f"wrote {args.output} ({how}): verified parity {t.verified} of {t.rows} rows, "
            f"{t.claimed} claimed, {t.broken} broken claim{'s' if t.broken != 1 else ''}"
        )
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Write a `.parity-lsp.toml` for the matrix tables the repository already keeps (their
    roles and status words, inferred), or a starter matrix and configuration when it keeps
    none. Never overwrites; says what it inferred and what it could not."""
    from parity_lsp.starter import CONFIG_NAME, MATRIX_PATH, STARTER_CONFIG, STARTER_MATRIX, discover

    if args.root:
        root = Path(args.root).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: not a directory")
    else:
        cwd = Path.cwd().resolve()
        root = next((d for d in (cwd, *cwd.parents) if (d / ".git").exists()), cwd)
    config_path = root / CONFIG_NAME
    if config_path.exists() or config_path.is_symlink():
        existing = [config_path] + [
            root / MATRIX_PATH
            for _ in (0,)
            if (root / MATRIX_PATH).exists() or (root / MATRIX_PATH).is_symlink()
        ]
        raise UsageError(
            "refusing to overwrite "
            + " and ".join(str(p) for p in existing)
            + " (init never overwrites: edit the existing file, or move it away and run init again)"
        )
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "tool.parity-lsp" in pyproject.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(
            f"refusing to write {config_path}: {pyproject} already configures parity-lsp "
            "([tool.parity-lsp]); a .parity-lsp.toml would silently take its place"
        )
    found = discover(root)
    if found.tables:
        n, files = len(found.tables), len(found.files)
        _say(f"found {n} matrix table{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}:")
        for line in found.summary():
            _say(line)
        _create(config_path, found.config_text())
        _say("next: run `parity-lsp check` (change what was inferred in [columns] and [statuses] there)")
        return EXIT_OK
    starter = root / MATRIX_PATH
    if starter.exists() or starter.is_symlink():
        raise UsageError(
            f"refusing to overwrite {starter} (init never overwrites: edit the existing file, or move it "
            "away and run init again)"
        )
    for line in found.summary():
        _say(line)  # tables that look like a matrix but lack a role
    _say("no matrix table found: writing a starter matrix and configuration")
    for path, content in ((starter, STARTER_MATRIX), (config_path, STARTER_CONFIG)):
        _create(path, content)
    _say(
        "next: fill in the rows, then run `parity-lsp check` "
        "(and `parity-lsp report --format html -o parity.html`)"
    )
    return EXIT_OK


def _create(path: Path, content: str) -> None:
    """Write a new file whole, or not at all; never overwrite one."""
    from parity_lsp.fixer import create_new

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_new(path, content.encode("utf-8"))
    except FileExistsError:
        raise UsageError(f"refusing to overwrite {path} (it appeared while init ran)") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    _say(f"wrote {path}")


def add_report_parsers(sub: Subparsers) -> None:
    rp = sub.add_parser("report", help="summarize claimed vs verified parity (markdown, html or json)")
    rp.add_argument(
        "paths", nargs="*", metavar="PATH", help="matrix files or directories (default: the workspace)"
    )
    rp.add_argument("--format", default="markdown", choices=["markdown", "html", "json"])
    rp.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout (`-`): a regular file atomically (through "
        "a symlink, its target), a device or FIFO in place",
    )
    rp.add_argument(
        "--compare", metavar="REV", help="also report what changed since git revision REV (e.g. main)"
    )
    rp.add_argument(
        "--config", metavar="FILE", help="configuration file (default: .parity-lsp.toml or pyproject.toml)"
    )
    rp.add_argument(
        "--root", metavar="DIR", help="workspace root (default: nearest .git/pyproject.toml/.parity-lsp.toml)"
    )
    rp.set_defaults(func=cmd_report)

    ip = sub.add_parser(
        "init",
        help="write a .parity-lsp.toml for the matrix tables found (roles and statuses inferred), or a "
        "starter matrix and configuration; never overwrites",
    )
    ip.add_argument(
        "--root",
        metavar="DIR",
        help="repository root (default: the nearest ancestor with .git, else the current directory)",
    )
    ip.set_defaults(func=cmd_init)


def main(argv: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run one command. `exiting`: the process ends right after (`run`), so the cyclic GC a
    one-shot command switches off is not switched on again (`runtime.one_shot`)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # the server tunes the process itself (lsp/server.py: serve)
    restore = runtime.one_shot() if args.func is not cmd_serve else None
    try:
        return _run_command(args)
    finally:
        if restore is not None and not exiting:
            restore()  # for callers in the same process (tests)


def _run_command(args: argparse.Namespace) -> int:
    command: Callable[[argparse.Namespace], int] = args.func  # cmd_*, set by the subcommand's parser
    try:
        return command(args)
    except ConfigErrors as exc:
        for p in exc.problems:
            _err(f"{p.path}:{p.line + 1}: config error: {p.message}")
        return EXIT_USAGE
    except (UsageError, OutputError) as exc:
        _err(f"parity-lsp: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug ends in one line and its own status, not a traceback
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" at {os.path.basename(where.filename)}:{where.lineno}" if where is not None else ""
        _err(
            f"parity-lsp: internal error: {exc!r}{at} (parity-lsp {__version__}, `{args.command}`: "
            "please report this)"
        )
        return EXIT_INTERNAL
