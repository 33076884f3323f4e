"""`parity-lsp check | fix | rule | serve`: argument parsing and output only; the engine judges.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage or configuration error.
No traceback ever reaches the user: unexpected errors are reported in one line with exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypedDict

from parity_lsp import __version__
from parity_lsp.config import ConfigProblem, load_config
from parity_lsp.engine import ALL_RULES, check_paths, default_jobs
from parity_lsp.findings import Severity
from parity_lsp.workspace.files import is_matrix_name
from parity_lsp.workspace.index import Workspace

if TYPE_CHECKING:
    from parity_lsp.fixer import SourceFile
    from parity_lsp.text import LineIndex

    # The subcommands' parser group: argparse's own type for it (generic in typeshed only).
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
ROOT_MARKERS = (".git", "pyproject.toml", ".parity-lsp.toml")


class UsageError(Exception):
    pass


# What one-shot commands leave for the process's exit to reclaim (`run` sets a list; in-process
# callers of `main`, the tests, keep nothing).
_LEFT_FOR_EXIT: list[object] | None = None


def _leave_for_exit(*objects: object) -> None:
    if _LEFT_FOR_EXIT is not None:
        _LEFT_FOR_EXIT.extend(objects)


def run() -> None:
    """The `parity-lsp` command: `main`, then exit without freeing its model object by object
    (a check of 100k files / 10k rows spent ~50-90 ms on that before the process could end;
    mypy exits the same way). Output is flushed first; a closed pipe is not an error here."""
    global _LEFT_FOR_EXIT
    _LEFT_FOR_EXIT = []
    code = main(exiting=True)
    for stream in (sys.stdout, sys.stderr):
        # OSError: the reader went away (`| head`); ValueError: the stream is closed
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def find_root(start: Path) -> Path:
    """Nearest ancestor with `.git`, `pyproject.toml` or `.parity-lsp.toml`; else `start`."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for d in (start, *start.parents):
        if any((d / m).exists() for m in ROOT_MARKERS):
            return d
    return start


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


class _ConfigOverrides(TypedDict, total=False):
    """What the command line changes in the configuration (the `Config` fields of that name)."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    changed_since: str


def build_workspace(args: argparse.Namespace) -> tuple[Workspace, list[str] | None]:
    """Root, config and the matrix files named on the command line (None: all of them)."""
    paths = [Path(p) for p in (args.paths or [])]
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    if args.root:
        root = Path(args.root).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: not a directory")
    else:
        root = find_root(paths[0] if paths else Path.cwd())
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
    if overrides:
        config = replace(config, **overrides)
    ws = Workspace(root, config)
    ws.fs.stable_stats = True  # one snapshot: nothing changes on disk during a run that we must see
    if config.changed_since and ws.changed_since(config.changed_since) is None:
        raise UsageError(
            f"--changed-since {config.changed_since}: not a git revision of {root} (or git is unavailable)"
        )
    if not paths:
        return ws, None
    targets: list[str] = []
    for p in paths:
        rel = ws.fs.to_rel(p.resolve())
        if rel is None:
            raise UsageError(f"{p}: outside the workspace root {root}")
        if p.is_dir():
            prefix = rel + "/" if rel else ""
            targets.extend(f for f in ws.matrix_files() if f.startswith(prefix))
        elif is_matrix_name(rel):
            targets.append(rel)
        else:
            raise UsageError(f"{p}: not a matrix file (.md, .csv or .tsv)")
    return ws, sorted(set(targets))


class ConfigErrors(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


# --- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from parity_lsp.output import FORMATS_READING_SOURCE_LINES, make_report, render

    ws, targets = build_workspace(args)
    # only the text output prints unsafe suggestions (`suggestion: ...`); the others carry
    # safe fixes only (SPEC 6), so the search for them is skipped
    result = check_paths(
        ws,
        targets,
        jobs=args.jobs or default_jobs(),
        release_evidence=True,
        suggestions=args.format == "text",
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

    report = make_report(
        str(ws.root),
        files,
        result.findings,
        index_for,
        ALL_RULES,
        with_source_lines=args.format in FORMATS_READING_SOURCE_LINES,
    )
    color = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    out = render(report, args.format, color=color)
    threshold = Severity.parse(args.fail_on)
    status = EXIT_FINDINGS if any(f.severity >= threshold for f in result.findings) else EXIT_OK
    _leave_for_exit(ws, result, report, out)
    try:
        _write_in_pieces(sys.stdout, out)
        sys.stdout.write("\n")
    except BrokenPipeError:
        # `check | head` in CI: the reader stopped reading, the check still failed or passed
        # (with `set -o pipefail` a 0 here let findings through the gate)
        pass
    return status


def cmd_fix(args: argparse.Namespace) -> int:
    from parity_lsp.fixer import FileChangedError, plan_fixes, read_source, unified_diff, write_atomically

    ws, targets = build_workspace(args)
    result = check_paths(ws, targets, suggestions=False)  # applies safe fixes only
    fixes = [f.fix for f in result.findings if f.fix is not None and f.fix.safe]
    paths = sorted({e.path for fx in fixes for e in fx.edits})
    sources: dict[str, SourceFile] = {}
    for rel in paths:
        if ws.fs.escapes(rel):
            continue
        try:
            sources[rel] = read_source(ws.fs.abspath(rel))
        except (OSError, ValueError) as exc:
            print(f"parity-lsp: {rel}: cannot be read: {exc}", file=sys.stderr)
    plans = plan_fixes({p: s.text for p, s in sources.items()}, fixes)
    changed = 0
    failed = False
    for rel, plan in sorted(plans.items()):
        if not plan.changed:
            continue
        if args.dry_run:
            sys.stdout.write(unified_diff(plan))
            changed += len(plan.applied)
            continue
        src = sources[rel]
        try:
            write_atomically(ws.fs.abspath(rel), plan.updated, src.raw, bom=src.bom, newline=None)
        except FileChangedError as exc:
            print(f"parity-lsp: {exc}", file=sys.stderr)
            failed = True
            continue
        except OSError as exc:
            print(f"parity-lsp: {rel}: cannot write: {exc}", file=sys.stderr)
            failed = True
            continue
        changed += len(plan.applied)
        _say(f"{rel}: applied {len(plan.applied)} fix{'es' if len(plan.applied) != 1 else ''}")
    verb = "would apply" if args.dry_run else "applied"
    remaining = len([f for f in result.findings if f.fix is None or not f.fix.safe])
    print(
        f"{verb} {changed} fix{'es' if changed != 1 else ''}; "
        f"{remaining} finding{'s' if remaining != 1 else ''} need a human",
        file=sys.stderr,
    )
    return EXIT_USAGE if failed else EXIT_OK


_WRITE_PIECE = 1 << 20  # characters


def _write_in_pieces(stream: TextIO, text: str) -> None:
    """Write a long text a megabyte at a time: the stream encodes what it is given at once,
    and a 10 MB report encoded whole was a 10 MB copy more at the check's peak of memory."""
    for start in range(0, len(text), _WRITE_PIECE):
        stream.write(text[start : start + _WRITE_PIECE])


def _say(line: str) -> None:
    """A progress line on stdout that must not stop the work: `fix | head` closing the pipe
    halfway left the remaining files unfixed (each write is atomic, but the run ended early)."""
    with contextlib.suppress(BrokenPipeError):
        print(line)


def cmd_rule(args: argparse.Namespace) -> int:
    if not args.code:
        width = max(len(r.name) for r in ALL_RULES.values())
        for info in ALL_RULES.values():
            print(f"{info.code}  {info.name:<{width}}  {info.severity.label:<7}  {info.summary}")
        return EXIT_OK
    code = args.code.strip().upper()
    rule = ALL_RULES.get(code)
    if rule is None:
        by_name = {r.name: r for r in ALL_RULES.values()}
        rule = by_name.get(args.code.strip().lower())
    if rule is None:
        raise UsageError(f"unknown rule `{args.code}` (run `parity-lsp rule` for the list)")
    from parity_lsp.rules.gendocs import page

    print(page(rule), end="")
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
        prog="parity-lsp", description="Keep parity matrices honest: check, fix, serve."
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
            help="workspace root (default: nearest .git/pyproject.toml/.parity-lsp.toml)",
        )
        sp.add_argument(
            "--changed-since", metavar="REV", help="report evidence changed since git revision REV (PM601)"
        )

    c = sub.add_parser("check", help="report findings")
    common(c)
    c.add_argument("--format", default="text", choices=["text", "json", "sarif", "github", "junit"])
    c.add_argument("--fail-on", default="error", choices=["error", "warning", "info", "hint"])
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


def _write_output_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` via a temp file in the same directory and a rename (any path the
    user names)."""
    import tempfile

    if path.is_symlink():
        path = Path(os.path.realpath(path))
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"-o {path}: directory {parent} does not exist")
    if path.is_dir():
        raise UsageError(f"-o {path}: is a directory")
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise UsageError(f"-o {path}: cannot write: {exc.strerror or exc}") from None
        raise


def cmd_report(args: argparse.Namespace) -> int:
    from parity_lsp.report import render, report_from_result

    ws, targets = build_workspace(args)
    result = check_paths(ws, targets)
    report = report_from_result(ws, result)
    if args.compare:
        from parity_lsp.report.compare import CompareError, compare_with_revision

        try:
            report.compare = compare_with_revision(ws, report, args.compare, targets)
        except CompareError as exc:
            raise UsageError(str(exc)) from None
    # Row links (`path#L12`) are relative to where the report is read: the output file's
    # directory, or the current directory for stdout.
    out = Path(args.output) if args.output else None
    base_dir = out.resolve().parent if out is not None else Path.cwd()
    rel = os.path.relpath(ws.root, base_dir).replace(os.sep, "/")
    link_base = "" if rel == "." else rel + "/"
    text = render(report, args.format, link_base)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        _write_output_atomically(out, text if text.endswith("\n") else text + "\n")
        t = report.overall
        print(
            f"wrote {args.output}: verified parity {t.verified} of {t.rows} rows, "
            f"{t.claimed} claimed, {t.broken} broken claim{'s' if t.broken != 1 else ''}",
            file=sys.stderr,
        )
    _leave_for_exit(ws, result, report, text)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from parity_lsp.starter import CONFIG_NAME, MATRIX_PATH, STARTER_CONFIG, STARTER_MATRIX

    if args.root:
        root = Path(args.root).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: not a directory")
    else:
        cwd = Path.cwd().resolve()
        root = next((d for d in (cwd, *cwd.parents) if (d / ".git").exists()), cwd)
    files = [(MATRIX_PATH, STARTER_MATRIX), (CONFIG_NAME, STARTER_CONFIG)]
    existing = [rel for rel, _ in files if (root / rel).exists() or (root / rel).is_symlink()]
    if existing:
        raise UsageError(
            "refusing to overwrite "
            + " and ".join(f"{root / rel}" for rel in existing)
            + " (init never overwrites: edit the existing file, or move it away and run init again)"
        )
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "tool.parity-lsp" in pyproject.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(
            f"refusing to write {root / CONFIG_NAME}: {pyproject} already configures parity-lsp "
            "([tool.parity-lsp]); a .parity-lsp.toml would silently take its place"
        )
    for rel, content in files:
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite
                fh.write(content)
        except FileExistsError:
            raise UsageError(f"refusing to overwrite {path} (it appeared while init ran)") from None
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        _say(f"wrote {path}")
    _say(
        "next: fill in the rows, then run `parity-lsp check` "
        "(and `parity-lsp report --format html -o parity.html`)"
    )
    return EXIT_OK


def add_report_parsers(sub: Subparsers) -> None:
    rp = sub.add_parser("report", help="summarize claimed vs verified parity (markdown, html or json)")
    rp.add_argument(
        "paths", nargs="*", metavar="PATH", help="matrix files or directories (default: the workspace)"
    )
    rp.add_argument("--format", default="markdown", choices=["markdown", "html", "json"])
    rp.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
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

    ip = sub.add_parser("init", help="write a starter matrix and .parity-lsp.toml (never overwrites)")
    ip.add_argument(
        "--root",
        metavar="DIR",
        help="repository root (default: the nearest ancestor with .git, else the current directory)",
    )
    ip.set_defaults(func=cmd_init)


def main(argv: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run one command. `exiting`: the process ends right after (`run`), so the cyclic GC is
    left off: switched on again, its first collection walked every object the command had
    made (~100 ms after a check of 100k files / 10k rows, before the exit could happen)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    gc_was_enabled = gc.isenabled()
    try:
        return _run_command(args)
    finally:
        if gc_was_enabled and not exiting:
            gc.enable()  # for callers in the same process (tests)


def _run_command(args: argparse.Namespace) -> int:
    if args.func is not cmd_serve:
        # A one-shot command builds a large model and exits: the cyclic GC only walked it again
        # and again (2.1 -> 1.5 s on 4,000 rows with raised thresholds; off, 100k/10k `check`
        # 4.1 -> 3.9 s and its result unpickling 0.46 -> 0.07 s, same peak memory). The engine
        # makes no reference cycles (tests/test_no_cyclic_garbage.py): reference counting
        # frees its objects. The server tunes the GC itself (lsp/server.py: serve).
        gc.disable()
    command: Callable[[argparse.Namespace], int] = args.func  # cmd_*, set by the subcommand's parser
    try:
        return command(args)
    except ConfigErrors as exc:
        for p in exc.problems:
            print(f"{p.path}:{p.line + 1}: config error: {p.message}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"parity-lsp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug ends in one line and exit 2, not a traceback
        print(f"parity-lsp: internal error: {exc!r} (please report this)", file=sys.stderr)
        return EXIT_USAGE
