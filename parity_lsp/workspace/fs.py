"""The file system seen by the engine: disk under one root, overlaid by open editor buffers.

Invariant: the only module that touches the disk for workspace content. Every path it takes is
workspace-relative ('/' separated); it never opens anything outside the root (symlinks are
resolved and checked), never opens a non-regular file (FIFOs, devices), and never writes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat as stat_mod
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, TypeVarTuple

from parity_lsp.text import decode_source
from parity_lsp.workspace.lru import LRU

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
TEXT_CACHE_FILES = 512  # decoded texts kept by `read_text` (see FileSystem._texts)


def _file_stat(st: os.stat_result) -> FileStat:
    if stat_mod.S_ISREG(st.st_mode):
        kind = "file"
    elif stat_mod.S_ISDIR(st.st_mode):
        kind = "dir"
    else:
        kind = "other"
    return FileStat(kind, st.st_size, st.st_mtime_ns)


class OutsideWorkspace(ValueError):
    """The path resolves outside the workspace root."""


@dataclass(frozen=True, slots=True)
class FileStat:
    kind: str  # "file", "dir", "other"
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ReadResult:
    text: str | None
    error: str | None = None  # why text is None: missing, too large, binary, not UTF-8, ...
    version: object = None  # content key: buffer version or (mtime, size)


@functools.lru_cache(maxsize=1 << 16)
def normalize_rel(path: str) -> str | None:
    """Normalize a workspace-relative path; None when it is absolute or escapes with '..'."""
    path = path.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return None
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class FileSystem:
    """Disk access confined to `root`, with open buffers taking precedence."""

    def __init__(self, root: str | os.PathLike[str], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.root = Path(root).resolve()
        self.max_file_bytes = max_file_bytes
        self._overlay: dict[str, tuple[str, object]] = {}
        # Derived data (real directory paths, project models) is valid until the next `bump()`:
        # the server bumps on file-system events, the CLI never needs to.
        # Values of many kinds, each read back by the function that stored it under its key.
        self.memo: dict[Hashable, Any] = {}
        self._real_dirs: dict[str, str | None] = {}
        # With `stable_stats`, stat results are kept until `bump()` / `forget_path()`: right for
        # the CLI (one snapshot) and for a server whose client reports file changes; without
        # it every stat asks the disk, which is how a server without file events sees changes.
        self.stable_stats = False
        self._located: dict[str, tuple[str | None, FileStat | None]] = {}  # see `_locate`
        self._snapshot: dict[str, tuple[str | None, FileStat | None]] | None = None  # see `snapshot`
        # path -> (limit, result): the file read for its symbols is the one its CI verdict reads
        # next. Bounded (the texts of every cited file would be most of the memory), and checked
        # against a stat unless stats are stable.
        self._texts: LRU[str, tuple[int | None, ReadResult]] = LRU(TEXT_CACHE_FILES)

    def bump(self) -> None:
        """Something outside open buffers changed: drop derived data."""
        self.memo.clear()
        self._real_dirs.clear()
        self._located.clear()
        if self._snapshot is not None:
            self._snapshot.clear()
        self._texts.clear()

    def forget_path(self, rel: str) -> None:
        """One file changed on disk: its remembered stat is stale."""
        norm = normalize_rel(rel)
        if norm is not None:
            self._located.pop(norm, None)
            if self._snapshot is not None:
                self._snapshot.pop(norm, None)
            self._texts.pop(norm)

    def forget_about(self, rel: str) -> None:
        """The content of `rel` (not a project file) changed: drop derived data that names it
        (the verdicts about its tests, models computed for it) and keep the rest."""
        self.forget_path(rel)
        stale = [key for key in self.memo if _mentions(key, rel)]
        for key in stale:
            del self.memo[key]

    # --- overlay (open editor buffers) ----------------------------------------------------

    def set_overlay(self, rel: str, text: str, version: object) -> None:
        self._overlay[rel] = (text, version)

    def clear_overlay(self, rel: str) -> None:
        self._overlay.pop(rel, None)

    def has_overlay(self, rel: str) -> bool:
        return rel in self._overlay

    def overlay_paths(self) -> list[str]:
        return list(self._overlay)

    # --- containment ------------------------------------------------------------------------

    def to_rel(self, path: str | os.PathLike[str]) -> str | None:
        """Absolute path → workspace-relative path, or None when outside the root."""
        p = Path(path)
        if not p.is_absolute():
            p = self.root / p
        try:
            rel = PurePosixPath(os.path.normpath(p).replace(os.sep, "/")).relative_to(self.root.as_posix())
        except ValueError:
            return None
        return normalize_rel(str(rel))

    def abspath(self, rel: str) -> Path:
        """The absolute path for a relative one, without following links."""
        norm = normalize_rel(rel)
        if norm is None:
            raise OutsideWorkspace(rel)
        return self.root / norm if norm else self.root

    def _real_dir(self, directory: str) -> str | None:
        """Real path of a (normalized) workspace directory if it stays inside the root
        (memoized). Built from its parent's: one `lstat` of the last component, and a full
        resolution only where that is a symlink (`realpath` checks every component of every
        directory, and a check meets hundreds of new directories)."""
        if directory in self._real_dirs:
            return self._real_dirs[directory]
        parent, _, name = directory.rpartition("/")
        base = self._real_dir(parent) if directory else None
        if not directory or (base is not None and name in ("", ".", "..")):
            real = self._resolve_within(os.path.join(self.root, directory) if directory else str(self.root))
        elif base is None:
            real = None  # under a directory that leads outside
        else:
            path = os.path.join(base, name)
            try:
                is_link = stat_mod.S_ISLNK(os.lstat(path).st_mode)
            except (OSError, ValueError):
                is_link = False  # missing: contained, as its parent is
            real = self._resolve_within(path) if is_link else path
        self._real_dirs[directory] = real
        return real

    def _resolve_within(self, path: str) -> str | None:
        """`realpath(path)` if it stays inside the root, else None."""
        try:
            real = os.path.realpath(path)
        except (OSError, RuntimeError, ValueError):  # symlink loops on some platforms
            return None
        root = str(self.root)
        if not (real == root or real.startswith(root.rstrip(os.sep) + os.sep)):
            return None
        return real

    def _contained(self, rel: str) -> str | None:
        """Absolute real path of `rel` if it (after symlinks) stays inside the root, else None.
        A missing path is contained when its existing ancestors are."""
        norm = normalize_rel(rel)
        if norm is None:
            return None
        return self._locate(norm)[0]

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Stat results are kept while the block runs (one synchronous check: the workflow
        every row cites was stat-ed once a row, 2,000 times for 2,000 rows, before a server's
        client had said it reports file changes). A no-op when stats are stable anyway or a
        snapshot is already taken."""
        if self.stable_stats or self._snapshot is not None:
            yield
            return
        self._snapshot = {}
        try:
            yield
        finally:
            self._snapshot = None

    def _locate(self, norm: str) -> tuple[str | None, FileStat | None]:
        """(real path or None when outside the root, its stat or None when missing), kept for
        the run when stats are stable (or for a `snapshot`). One `lstat` for a path that is
        not a symlink: the parent directory's real path is memoized, only a link at the leaf
        costs a resolution."""
        kept = self._located if self.stable_stats else self._snapshot
        if kept is not None:
            found = kept.get(norm)
            if found is None:
                found = kept[norm] = self._locate_disk(norm)
            return found
        return self._locate_disk(norm)

    def _locate_disk(self, norm: str) -> tuple[str | None, FileStat | None]:
        if not norm:
            try:
                return str(self.root), _file_stat(os.stat(self.root))
            except (OSError, ValueError):  # the root itself was removed
                return str(self.root), None
        directory, _, name = norm.rpartition("/")
        real_dir = self._real_dir(directory)
        if real_dir is None:
            return None, None
        leaf = os.path.join(real_dir, name)
        try:
            st = os.lstat(leaf)
        except (OSError, ValueError):
            return leaf, None  # missing: contained, since its directory is
        if not stat_mod.S_ISLNK(st.st_mode):
            return leaf, _file_stat(st)
        real = self._resolve_within(leaf)
        if real is None:
            return None, None
        try:
            return real, _file_stat(os.stat(real))
        except (OSError, ValueError):
            return real, None

    def escapes(self, rel: str) -> bool:
        """True when `rel` is absolute, climbs out with '..' or is a symlink leading out."""
        return self._contained(rel) is None

    # --- queries ----------------------------------------------------------------------------

    def stat(self, rel: str) -> FileStat | None:
        norm = normalize_rel(rel)
        if norm is None:
            return None
        if norm in self._overlay:
            text, _ = self._overlay[norm]
            return FileStat("file", len(text), 0)
        return self._locate(norm)[1]

    def on_disk(self, rel: str) -> str | None:
        """The kind of what is at `rel` on disk ("file", "dir", ...), open buffers aside; None
        when nothing is there or it lies outside the root."""
        norm = normalize_rel(rel)
        st = self._locate(norm)[1] if norm is not None else None
        return st.kind if st is not None else None

    def exists(self, rel: str) -> bool:
        return self.stat(rel) is not None

    def is_file(self, rel: str) -> bool:
        st = self.stat(rel)
        return st is not None and st.kind == "file"

    def is_dir(self, rel: str) -> bool:
        st = self.stat(rel)
        return st is not None and st.kind == "dir"

    def read_bytes(self, rel: str, limit: int | None = None) -> tuple[bytes | None, str | None]:
        norm = normalize_rel(rel)
        if norm is None:
            return None, "outside the workspace"
        if norm in self._overlay:
            return self._overlay[norm][0].encode("utf-8"), None
        real, st = self._locate(norm)
        if real is None:
            return None, "outside the workspace"
        if st is None:
            return None, "does not exist"
        if st.kind != "file":
            return None, "not a regular file"  # a FIFO or device is never opened
        limit = self.max_file_bytes if limit is None else limit
        try:
            # O_NONBLOCK: even if it became a FIFO since the stat, opening must not block.
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None, "does not exist"
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or exc})"
        try:
            opened = os.fstat(fd)  # what was opened, which may not be what was located
            if not stat_mod.S_ISREG(opened.st_mode):
                return None, "not a regular file"
            if opened.st_size > limit:
                return None, f"larger than the {_size(limit)} limit ({opened.st_size} bytes)"
            # One read: a regular file returns all its bytes at once. Asking for one byte more
            # says whether it grew since the stat; a short read (network file systems) goes on.
            size = opened.st_size
            chunks = [os.read(fd, size + 1)]
            total = len(chunks[0])
            if total != size:
                while total <= limit:
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            if len(data) > limit:
                return None, f"larger than the {_size(limit)} limit"
            return data, None
        finally:
            os.close(fd)

    def version(self, rel: str) -> object:
        """The content key `read_text` would report, from a stat (no read); None when missing."""
        norm = normalize_rel(rel)
        if norm is not None and norm in self._overlay:
            return ("buffer", self._overlay[norm][1])
        st = self.stat(rel)
        if st is None or st.kind != "file":
            return None
        return ("disk", st.mtime_ns, st.size)

    def read_text(self, rel: str, limit: int | None = None) -> ReadResult:
        norm = normalize_rel(rel)
        if norm is not None and norm in self._overlay:
            text, version = self._overlay[norm]
            limit = self.max_file_bytes if limit is None else limit
            if len(text) > limit or (
                len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit
            ):
                return ReadResult(None, f"larger than the {_size(limit)} limit", ("buffer", version))
            return ReadResult(text, None, ("buffer", version))
        cached = self._texts.get(norm) if norm is not None else None
        if cached is not None and cached[0] == limit:
            result = cached[1]
            # one read (and one string) per file, whichever layer asks; without stable stats a
            # stat says whether the file is still the one that was read
            if self.stable_stats or (result.version is not None and result.version == self.version(rel)):
                return result
        data, error = self.read_bytes(rel, limit)
        if data is None:
            result = ReadResult(None, error)
        else:
            decoded, error = decode_source(data)
            result = ReadResult(decoded, error, self.version(rel))
        if norm is not None:
            self._texts.put(norm, (limit, result))
        return result

    def list_dir(self, rel: str) -> list[tuple[str, bool]]:
        return list(memoized(_list_dir)(self, rel))

    def _list_dir_uncached(self, rel: str) -> list[tuple[str, bool]]:
        """Entries of a directory as (name, is_dir); empty when missing or outside."""
        real = self._contained(rel)
        if real is None:
            return []
        try:
            with os.scandir(real) as it:
                out = []
                for entry in it:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        continue
                    out.append((entry.name, is_dir))
                return sorted(out)
        except OSError:
            return []


def _mentions(key: Hashable, rel: str) -> bool:
    """Does a memo key (a tuple, possibly holding an argument tuple) name `rel`?"""
    if key == rel:
        return True
    return isinstance(key, tuple) and any(k == rel or (isinstance(k, tuple) and rel in k) for k in key)


_Args = TypeVarTuple("_Args")
_Value = TypeVar("_Value")


def memoized(fn: Callable[[FileSystem, *_Args], _Value]) -> Callable[[FileSystem, *_Args], _Value]:
    """Cache `fn(fs, *args)` in `fs.memo` until `fs.bump()` (args must be hashable)."""

    @functools.wraps(fn)
    def wrapper(fs: FileSystem, *args: *_Args) -> _Value:
        key = (fn.__module__, fn.__qualname__, args)
        value: _Value
        try:
            value = fs.memo[key]  # stored below by this wrapper: a `_Value`
        except KeyError:
            value = fs.memo[key] = fn(fs, *args)
        return value

    return wrapper


def _list_dir(fs: FileSystem, rel: str) -> tuple[tuple[str, bool], ...]:
    return tuple(fs._list_dir_uncached(rel))


def _size(n: int) -> str:
    """5242880 -> '5 MB', 4096 -> '4 KB', 100 -> '100 bytes'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"
