"""The file list of a workspace: `git ls-files` in a git checkout, else a walk honouring
`.gitignore` files (pathspec); config `exclude` applies to both.

Invariant: lists only paths inside the root; never follows symlinked directories; never raises.
Git runs with hooks and fsmonitor disabled, so listing never executes repository code.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pathspec

T = TypeVar("T")

SAFE_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-pager")
ALWAYS_SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
}


# The `.gitignore` files that apply above a directory: (where paths relative to the file's
# directory start in a workspace-relative path, its compiled patterns), from the root down.
_Gitignores = tuple[tuple[int, pathspec.GitIgnoreSpec], ...]


def compile_globs(globs: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(globs))


def git_root(root: Path) -> bool:
    return (root / ".git").exists()


def run_git(root: Path, *args: str, timeout: float = 10.0) -> str | None:
    """Output of a read-only git command at `root`, or None when git fails or is missing."""
    try:
        proc = subprocess.run(
            [*SAFE_GIT, *args],
            cwd=root,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape")


def _git_files(root: Path) -> list[str] | None:
    out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if out is None:
        return None
    files = []
    for p in out.split("\0"):
        if p and not p.startswith("../") and not _under_skipped_dir(p):
            files.append(p)
    return files


def _under_skipped_dir(rel: str) -> bool:
    """Under `node_modules/`, `.venv/`, ...: never part of the workspace, git or not (the walk
    does not enter them; `ignored_paths` says so for both)."""
    return "/" in rel and any(part in ALWAYS_SKIPPED_DIRS for part in rel.split("/")[:-1])


def _gitignored(spec_at: Callable[[str], pathspec.GitIgnoreSpec | None], rel: str, is_dir: bool) -> bool:
    """Does a `.gitignore` ignore `rel` itself? Every one from the root down to its directory
    applies; `spec_at(directory)` gives a directory's compiled `.gitignore` or None."""
    parts = rel.split("/")
    for depth in range(len(parts)):
        spec = spec_at("/".join(parts[:depth]))
        if spec is not None and spec.match_file("/".join(parts[depth:]) + ("/" if is_dir else "")):
            return True
    return False


def _walk_steps(root: Path, files: list[str], limit: int | None = None) -> Iterator[None]:
    """Files under `root` that no `.gitignore` leaves out, in sorted order without sorting:
    each directory's entries are taken in the order of their paths (a directory's name
    counts as `name/`), depth first. Like os.walk(followlinks=False): a symlink to a
    directory is neither entered nor listed; errors skip what they concern. With `limit`,
    stops after that many files or that many directories listed. A generator: the files are
    appended to `files`, a step (`yield`) after each directory listed."""
    root_str = str(root)
    # (path on disk, workspace-relative path, the .gitignore files that apply above it) for a
    # directory still to list, or (None, relative path, ()) for a file to append
    stack: list[tuple[str | None, str, _Gitignores]] = [(root_str, "", ())]
    listed = 0
    while stack:
        path, rel_dir, above = stack.pop()
        if path is None:
            files.append(rel_dir)
            if limit is not None and len(files) >= limit:
                break
            continue
        listed += 1
        if limit is not None and listed > limit:
            break
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            continue
        keyed = []
        here = above
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            keyed.append((entry.name + "/" if is_dir else entry.name, entry, is_dir))
            if entry.name == ".gitignore" and not is_dir:
                lines = _read_gitignore(Path(entry.path))
                if lines is not None:
                    # where paths relative to it start, and its patterns: asked once per entry
                    here = above + ((len(rel_dir) + 1 if rel_dir else 0, compile_globs(lines)),)
        keyed.sort(key=lambda k: k[0])
        pending: list[tuple[str | None, str, _Gitignores]] = []
        for _, entry, is_dir in keyed:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS or any(
                    spec.match_file(rel[cut:] + "/") for cut, spec in here
                ):
                    continue
                try:
                    if entry.is_symlink():
                        continue
                except OSError:
                    continue
                pending.append((entry.path, rel, here))
            elif not here or not any(spec.match_file(rel[cut:]) for cut, spec in here):
                pending.append((None, rel, ()))
        stack.extend(reversed(pending))
        yield


def ignored_paths(root: Path, rels: list[str]) -> set[str]:
    """The paths among `rels` that the file list leaves out (ignored by git or a `.gitignore`,
    or under a directory never listed); they need not exist. Errors answer "not ignored"."""
    out = {r for r in rels if _under_skipped_dir(r)}
    rest = [r for r in rels if r not in out]
    if not rest:
        return out
    if git_root(root):
        try:
            proc = subprocess.run(
                [*SAFE_GIT, "check-ignore", "-z", "--stdin"],
                cwd=root,
                capture_output=True,
                timeout=10,
                input="\0".join(rest).encode("utf-8", "surrogateescape") + b"\0",
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"},
            )
        except (OSError, subprocess.SubprocessError):
            return out
        if proc.returncode in (0, 1):  # 1: none of them is ignored
            out.update(p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p)
        return out
    specs: dict[str, pathspec.GitIgnoreSpec | None] = {}

    real_root = os.path.realpath(root)

    def spec_at(directory: str) -> pathspec.GitIgnoreSpec | None:
        if directory not in specs:
            # never a .gitignore through a symlinked directory (the walk does not follow them,
            # and one could lead outside the workspace)
            inside = os.path.realpath(root / directory) == os.path.join(real_root, directory).rstrip(os.sep)
            lines = _read_gitignore(root / directory / ".gitignore") if inside else None
            specs[directory] = compile_globs(lines) if lines else None
        return specs[directory]

    for rel in rest:
        # as the walk would: an ignored directory on the way hides the file (`target/`)
        parts = rel.split("/")
        dirs = ("/".join(parts[:k]) for k in range(1, len(parts)))
        if any(_gitignored(spec_at, d, True) for d in dirs) or _gitignored(spec_at, rel, False):
            out.add(rel)
    return out


def _read_gitignore(path: Path) -> list[str] | None:
    """A .gitignore's lines; None for a symlink (git ignores those too), a FIFO or a device."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1024 * 1024:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read(1024 * 1024).decode("utf-8", "replace").splitlines()
    except OSError:
        return None


def list_files(root: Path, exclude: Collection[str] = (), limit: int | None = None) -> list[str]:
    """Workspace-relative files under `root`, sorted (with `limit`: at most that many)."""
    return finish(list_files_steps(root, exclude, limit))


def list_files_steps(
    root: Path, exclude: Collection[str] = (), limit: int | None = None
) -> Generator[None, None, list[str]]:
    """`list_files` as a generator returning the list: without git, the walk yields after
    each directory (a server lists a large workspace between messages)."""
    if limit is not None and limit <= 0:
        return []
    listed = _git_files(root) if git_root(root) else None
    walked = listed is None
    if listed is None:
        files: list[str] = []
        yield from _walk_steps(root, files, limit)
    else:
        files = listed
    if exclude:
        spec = compile_globs(exclude)
        files = [f for f in files if not spec.match_file(f)]
    # the walk lists each file once, in order: no sort of the whole list
    files = files if walked else sorted(set(files))
    return files[:limit] if limit is not None else files


def finish(steps: Generator[None, None, T]) -> T:
    """Run a generator of steps to its end; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            value: T = done.value
            return value


def matrix_files(files: list[str], include: Iterable[str], exclude: Collection[str] = ()) -> list[str]:
    inc = compile_globs(include)
    exc = compile_globs(exclude) if exclude else None
    return [f for f in files if is_matrix_name(f) and inc.match_file(f) and not (exc and exc.match_file(f))]


def is_matrix_name(path: str) -> bool:
    return path.lower().endswith((".md", ".markdown", ".csv", ".tsv"))
