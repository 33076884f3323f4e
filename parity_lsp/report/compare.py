"""`parity-lsp report --compare REV`: the same report at another git revision, and what changed.

How the other revision is read: **straight from git's object database, in memory.** The tree of
REV is listed once (`git ls-tree -r -z --long REV:<prefix>`) and file contents are streamed on
demand through one `git cat-file --batch` process, behind a `FileSystem` subclass the engine
uses exactly like the disk. Nothing is checked out, extracted or written — not into the user's
repository (no worktree, no index, no lock files: `GIT_OPTIONAL_LOCKS=0`, hooks and fsmonitor
off), and not into a temporary directory either. Compared with `git archive | tar -x` into a
temp dir this also avoids `export-ignore`/`export-subst` attributes silently changing the
snapshot, tar path/symlink traversal, and the cost of extracting files the engine never reads
(only matrices and the files they cite are fetched). Symlinks in the tree are resolved inside
the tree; one that leads outside it is "outside the workspace", as on disk.

Both sides are judged with the *current* configuration (the one the current report uses), so a
change in the report is a change in the repository's content, not in rule selection.

Rows are matched by capability (case and whitespace folded; duplicates pair up in order).
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from parity_lsp.config import Config
from parity_lsp.engine import check_paths
from parity_lsp.report.model import ParityReport, RowReport, Totals, build_report
from parity_lsp.workspace import files as files_mod
from parity_lsp.workspace.fs import FileStat, FileSystem, normalize_rel
from parity_lsp.workspace.index import Workspace

REGRESSED, IMPROVED, ADDED, REMOVED, STATUS_CHANGED = (
    "regressed",
    "improved",
    "added",
    "removed",
    "status-changed",
)


class CompareError(Exception):
    """REV cannot be read (not a git repository, unknown revision, git missing)."""


# --- reading a revision --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000" (symlink), "160000" (submodule)
    sha: str
    size: int


class BlobReader:
    """One long-lived `git cat-file --batch` process; blobs are read on demand and cached."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self._cache: dict[str, bytes] = {}

    def _start(self) -> tuple[IO[bytes], IO[bytes]]:
        """The process's stdin and stdout, started on first use."""
        proc = self._proc
        if proc is None:
            proc = self._proc = subprocess.Popen(
                [*files_mod.SAFE_GIT, "cat-file", "--batch"],
                cwd=self._cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"},
            )
        if proc.stdin is None or proc.stdout is None:  # not with PIPE for both; read() gives up
            raise OSError("git cat-file --batch started without pipes")
        return proc.stdin, proc.stdout

    def read(self, sha: str) -> bytes | None:
        hit = self._cache.get(sha)
        if hit is not None:
            return hit
        try:
            stdin, stdout = self._start()
            stdin.write(sha.encode("ascii") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                return None
            size = int(header[2])
            data = stdout.read(size)
            stdout.read(1)  # the newline after the content
        except (OSError, ValueError):
            self.close()
            return None
        if len(data) != size:
            self.close()
            return None
        self._cache[sha] = data
        return data

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.SubprocessError):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()


class GitTreeFileSystem(FileSystem):
    """The workspace as it is in one git tree: same answers as `FileSystem`, no disk access."""

    MAX_LINK_HOPS = 40

    def __init__(
        self, root: Path, entries: dict[str, TreeEntry], reader: BlobReader, max_file_bytes: int
    ) -> None:
        super().__init__(root, max_file_bytes)
        self.entries = entries
        self.reader = reader
        self.dirs: dict[str, list[tuple[str, bool]]] = {"": []}
        for path, entry in sorted(entries.items()):
            parent, _, name = path.rpartition("/")
            self._add_dir(parent)
            # a symlink is listed by its own name; whether it is a directory is not resolved here
            self.dirs[parent].append((name, entry.mode == "160000"))
            if entry.mode == "160000":
                self.dirs.setdefault(path, [])

    def _add_dir(self, d: str) -> None:
        if d in self.dirs:
            return
        self.dirs[d] = []
        if d:
            parent, _, name = d.rpartition("/")
            self._add_dir(parent)
            self.dirs[parent].append((name, True))

    # --- resolution inside the tree ------------------------------------------------------

    def resolve(self, rel: str) -> str | None:
        """`rel` with every symlink in the tree followed; None when it leads outside the tree."""
        norm = normalize_rel(rel)
        if norm is None:
            return None
        parts = norm.split("/") if norm else []
        done: list[str] = []
        hops = 0
        i = 0
        while i < len(parts):
            cand = "/".join([*done, parts[i]])
            entry = self.entries.get(cand)
            if entry is not None and entry.mode == "120000":
                hops += 1
                data = self.reader.read(entry.sha) if hops <= self.MAX_LINK_HOPS else None
                if data is None:
                    return None
                target = data.decode("utf-8", "surrogateescape")
                if target.startswith("/"):
                    return None
                new = normalize_rel(posixpath.join("/".join(done), target))
                if new is None:
                    return None
                parts = (new.split("/") if new else []) + parts[i + 1 :]
                done, i = [], 0
                continue
            done.append(parts[i])
            i += 1
        return "/".join(done)

    def _kind(self, rel: str) -> tuple[str | None, TreeEntry | None]:
        real = self.resolve(rel)
        if real is None:
            return None, None
        entry = self.entries.get(real)
        if entry is not None and entry.mode != "160000":
            return "file", entry
        if real in self.dirs:
            return "dir", None
        return None, None

    # --- the FileSystem interface ----------------------------------------------------------

    def _contained(self, rel: str) -> str | None:  # never the disk
        return None

    def escapes(self, rel: str) -> bool:
        return self.resolve(rel) is None

    def stat(self, rel: str) -> FileStat | None:
        kind, entry = self._kind(rel)
        if kind is None:
            return None
        return FileStat(kind, entry.size if entry else 0, 0)

    def read_bytes(self, rel: str, limit: int | None = None) -> tuple[bytes | None, str | None]:
        if self.resolve(rel) is None:
            return None, "outside the workspace"
        kind, entry = self._kind(rel)
        if kind is None:
            return None, "does not exist"
        if entry is None:  # a directory (a file comes with its entry)
            return None, "not a regular file"
        limit = self.max_file_bytes if limit is None else limit
        if entry.size > limit:
            return None, f"larger than the {limit // (1024 * 1024)} MB limit ({entry.size} bytes)"
        data = self.reader.read(entry.sha)
        if data is None:
            return None, "cannot be read from git"
        return data, None

    def version(self, rel: str) -> object:
        _, entry = self._kind(rel)
        return ("git", entry.sha) if entry is not None else None  # a file comes with its entry

    def _list_dir_uncached(self, rel: str) -> list[tuple[str, bool]]:
        real = self.resolve(rel)
        if real is None or real not in self.dirs:
            return []
        out: list[tuple[str, bool]] = []
        for name, is_dir in self.dirs[real]:
            path = f"{real}/{name}" if real else name
            entry = self.entries.get(path)
            if entry is not None and entry.mode == "120000":
                is_dir = self._kind(path)[0] == "dir"
            out.append((name, is_dir))
        return sorted(out)


class RevisionWorkspace(Workspace):
    """A `Workspace` over a `GitTreeFileSystem`: the file list is the tree's."""

    def __init__(self, root: Path, config: Config, fs: GitTreeFileSystem) -> None:
        super().__init__(root, config, fs)
        files = [p for p, e in fs.entries.items() if e.mode != "160000"]
        if config.exclude:
            spec = files_mod.compile_globs(config.exclude)
            files = [f for f in files if not spec.match_file(f)]
        self._tree_files = sorted(files)

    def files(self) -> list[str]:
        return self._tree_files

    def renamed_to(self, rel: str) -> str | None:
        return None  # rename suggestions only matter for fixes, not for the verdicts compared

    def changed_since(self, rev: str) -> set[str] | None:
        return None


def resolve_revision(root: Path, rev: str) -> tuple[str, str]:
    """(full commit id, path prefix of `root` inside its repository); CompareError otherwise."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n"):
        raise CompareError(f"--compare {rev!r}: not a git revision")
    if files_mod.run_git(root, "rev-parse", "--git-dir") is None:
        raise CompareError(
            f"--compare needs a git repository, and {root} is not in one (or git is unavailable)"
        )
    sha = files_mod.run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if not sha or not sha.strip():
        raise CompareError(f"--compare {rev}: not a git revision of {root}")
    prefix = (files_mod.run_git(root, "rev-parse", "--show-prefix") or "").strip()
    return sha.strip(), prefix


def read_tree(root: Path, commit: str, prefix: str) -> dict[str, TreeEntry]:
    out = files_mod.run_git(
        root,
        "ls-tree",
        "-r",
        "-z",
        "--long",
        "--full-tree",
        "--end-of-options",
        f"{commit}:{prefix}",
        timeout=60.0,
    )
    if out is None:
        where = f"`{prefix.rstrip('/')}`" if prefix else "the repository root"
        raise CompareError(f"--compare: {where} does not exist at revision {commit[:12]}")
    entries: dict[str, TreeEntry] = {}
    for item in out.split("\0"):
        if not item or "\t" not in item:
            continue
        meta, path = item.split("\t", 1)
        parts = meta.split()
        if len(parts) != 4:
            continue
        mode, _kind, sha, size = parts
        norm = normalize_rel(path)
        if not norm:
            continue
        entries[norm] = TreeEntry(mode, sha, int(size) if size.isdigit() else 0)
    return entries


def report_at_revision(ws: Workspace, rev: str, targets: list[str] | None) -> tuple[ParityReport, str]:
    """The report of the workspace's matrices at git revision `rev` (and its commit id)."""
    root = Path(ws.root)
    commit, prefix = resolve_revision(root, rev)
    entries = read_tree(root, commit, prefix)
    reader = BlobReader(root)
    try:
        fs = GitTreeFileSystem(root, entries, reader, ws.config.max_file_bytes)
        base = RevisionWorkspace(root, ws.config, fs)
        base_targets = None
        if targets is not None:
            known = set(base.files())
            base_targets = [t for t in targets if t in known]
        result = check_paths(base, base_targets)
        report = build_report(base, result.matrices, result.findings, result.unreadable)
    finally:
        reader.close()
    return report, commit


# --- comparing two reports -------------------------------------------------------------------------


@dataclass(slots=True)
class RowChange:
    kind: str  # regressed | improved | added | removed | status-changed
    capability: str
    before: RowReport | None
    after: RowReport | None

    @property
    def row(self) -> RowReport:
        """The row now, or as it was when it was removed."""
        if self.after is not None:
            return self.after
        if self.before is None:  # compare_reports makes no change without a row
            raise ValueError(f"a change of {self.capability!r} with no row before or after")
        return self.before

    @property
    def is_regression(self) -> bool:
        """Verified before, not now (including a verified row that was removed)."""
        return self.kind == REGRESSED or (
            self.kind == REMOVED and self.before is not None and self.before.verified
        )


@dataclass(slots=True)
class Comparison:
    rev: str  # as the user wrote it
    commit: str  # full commit id
    base: Totals
    changes: list[RowChange] = field(default_factory=list)

    @property
    def regressions(self) -> list[RowChange]:
        return [c for c in self.changes if c.is_regression]

    @property
    def improvements(self) -> list[RowChange]:
        return [
            c
            for c in self.changes
            if c.kind == IMPROVED or (c.kind == ADDED and c.after is not None and c.after.verified)
        ]

    @property
    def other(self) -> list[RowChange]:
        shown = {id(c) for c in self.regressions + self.improvements}
        return [c for c in self.changes if id(c) not in shown]


def _key(capability: str) -> str:
    return " ".join(capability.split()).casefold()


def compare_reports(base: ParityReport, current: ParityReport, rev: str, commit: str) -> Comparison:
    before: dict[str, list[RowReport]] = {}
    for r in base.rows:
        before.setdefault(_key(r.capability), []).append(r)
    changes: list[RowChange] = []
    matched: set[int] = set()
    for r in current.rows:
        olds = before.get(_key(r.capability))
        old = olds.pop(0) if olds else None
        if old is None:
            changes.append(RowChange(ADDED, r.capability, None, r))
            continue
        matched.add(id(old))
        if old.verified and not r.verified:
            changes.append(RowChange(REGRESSED, r.capability, old, r))
        elif not old.verified and r.verified:
            changes.append(RowChange(IMPROVED, r.capability, old, r))
        elif old.status_key != r.status_key or old.status != r.status:
            changes.append(RowChange(STATUS_CHANGED, r.capability, old, r))
    for r in base.rows:
        if id(r) not in matched:
            changes.append(RowChange(REMOVED, r.capability, r, None))
    return Comparison(rev, commit, base.overall, changes)


def compare_with_revision(
    ws: Workspace, current: ParityReport, rev: str, targets: list[str] | None
) -> Comparison:
    """Attach-ready comparison of `current` with the same workspace at `rev`."""
    base, commit = report_at_revision(ws, rev, targets)
    return compare_reports(base, current, rev, commit)
