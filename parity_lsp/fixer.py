"""Applying fixes to files: planning (pure), diffs, and every write the CLI makes.

Invariants:
- `plan_fixes` is pure: edits are code point spans into the texts it is given (the decoded file
  text, BOM stripped, line endings as in the file — the same text the engine parsed), so the
  updated text keeps the file's own line endings.
- A fix is all-or-nothing, also across files; fixes are accepted in the order given, and a
  fix that would touch text another accepted fix touches is skipped with a reason.
- `write_atomically` never leaves a half-written file: it writes a temp file in the target's
  directory, fsyncs it and renames it over the target, and refuses when the file changed since
  it was read (or is no longer a regular file: a FIFO is never opened for reading, so nothing
  blocks).
- `write_output` (`report -o FILE`) replaces a regular file the same way (keeping its mode; a
  symlink is kept and its target replaced, as the shell's `>` writes through it) and writes a
  non-regular target in place: a character device (`/dev/null`), a FIFO, a socket or an open
  descriptor (`/dev/fd/3`) keeps its identity — renaming a temp file over `/dev/null` replaced
  the system's device with a regular file. `init`'s `create_new` never overwrites: the temp
  file is linked into place, which fails if the name exists.

Line endings: callers pass text with the file's original line endings (what `plan_fixes`
produces from the decoded text) and `newline=None`: the text is written as is. Passing
`newline="\\r\\n"` (or "\\n") converts every line break of the text to that style first — for
callers that hold "\\n"-normalized text of a file that used CRLF.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from parity_lsp.findings import Edit, Fix
from parity_lsp.text import decode_source

BOM = "\ufeff"


class FileChangedError(Exception):
    """The file on disk is not the one the fixes were computed from."""

    def __init__(self, path: os.PathLike[str] | str, detail: str | None = None) -> None:
        self.path = str(path)
        message = f"{self.path} changed since it was read; not writing"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


@dataclass(slots=True)
class FilePlan:
    path: str  # workspace-relative, as in the edits
    original: str
    updated: str
    applied: list[Fix] = field(default_factory=list)
    skipped: list[tuple[Fix, str]] = field(default_factory=list)  # (fix, reason)

    @property
    def changed(self) -> bool:
        return self.updated != self.original


def _conflicts(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Do two edits interfere? Overlapping ranges do; so does an insertion (empty range) that
    touches the other range (its order relative to the other edit would be ambiguous).
    Adjacent non-empty replacements do not."""
    if a_start == a_end or b_start == b_end:
        return b_start <= a_start <= b_end if a_start == a_end else a_start <= b_start <= a_end
    return a_start < b_end and b_start < a_end


def _describe(edit: Edit) -> str:
    return f"{edit.path}[{edit.span.start}:{edit.span.end}]"


def plan_fixes(
    texts: dict[str, str], fixes: list[Fix], *, include_unsafe: bool = False
) -> dict[str, FilePlan]:
    """Apply `fixes` to `texts` (path -> text the spans index into), per file.

    Returns a plan for every file some fix touches (applied or skipped). Unsafe fixes are
    skipped unless `include_unsafe`. Fixes earlier in the list win conflicts.
    """
    plans: dict[str, FilePlan] = {}
    accepted: dict[str, list[tuple[Edit, Fix]]] = {}
    seen: set[Fix] = set()

    def plan(path: str) -> FilePlan | None:
        if path not in plans:
            if path not in texts:
                return None
            plans[path] = FilePlan(path, texts[path], texts[path])
        return plans[path]

    def skip(fix: Fix, reason: str) -> None:
        for path in dict.fromkeys(e.path for e in fix.edits):
            p = plan(path)
            if p is not None:
                p.skipped.append((fix, reason))

    for fix in fixes:
        reason = _rejection(fix, texts, accepted, seen, include_unsafe)
        if reason is not None:
            skip(fix, reason)
            continue
        seen.add(fix)
        for edit in fix.edits:
            accepted.setdefault(edit.path, []).append((edit, fix))
        for path in dict.fromkeys(e.path for e in fix.edits):
            plans_entry = plan(path)
            assert plans_entry is not None
            plans_entry.applied.append(fix)

    for path, entries in accepted.items():
        text = texts[path]
        # Reverse order: later edits first, so earlier offsets stay valid. No two accepted
        # edits conflict, so the order is total (an insertion never shares a point with another).
        for edit, _fix in sorted(entries, key=lambda e: (e[0].span.start, e[0].span.end), reverse=True):
            text = text[: edit.span.start] + edit.content + text[edit.span.end :]
        plans[path].updated = text
    return plans


def _rejection(
    fix: Fix,
    texts: dict[str, str],
    accepted: dict[str, list[tuple[Edit, Fix]]],
    seen: set[Fix],
    include_unsafe: bool,
) -> str | None:
    if not fix.edits:
        return "fix has no edits"
    if not fix.safe and not include_unsafe:
        return "unsafe fix (offered in the editor only)"
    if fix in seen:
        return "duplicate of a fix already applied"
    for edit in fix.edits:
        if edit.path not in texts:
            return f"{edit.path} is not loaded"
        if edit.span.end > len(texts[edit.path]):
            return f"edit {_describe(edit)} is past the end of {edit.path}"
    edits = fix.edits
    for i, a in enumerate(edits):
        for b in edits[i + 1 :]:
            if a.path == b.path and _conflicts(a.span.start, a.span.end, b.span.start, b.span.end):
                return f"its own edits overlap ({_describe(a)} and {_describe(b)})"
    for edit in edits:
        for other, other_fix in accepted.get(edit.path, ()):
            if _conflicts(edit.span.start, edit.span.end, other.span.start, other.span.end):
                return f"overlaps the fix {other_fix.message!r} applied at {_describe(other)}"
    return None


def unified_diff(plan: FilePlan, context: int = 3) -> str:
    """A unified diff of the plan with `a/` and `b/` headers ('' when nothing changed)."""
    if not plan.changed:
        return ""
    old = plan.original.splitlines(keepends=True)
    new = plan.updated.splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(old, new, fromfile=f"a/{plan.path}", tofile=f"b/{plan.path}", n=context):
        if not line.endswith(("\n", "\r")):
            # Last line of a file without a final newline: say so, as git does.
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


# --- writing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What `write_atomically` needs to write a fixed text back faithfully."""

    raw: bytes  # the bytes as read: pass as `expected_original_bytes`
    text: str  # decoded, BOM stripped, line endings untouched: what edits index into
    bom: bool
    newline: str  # dominant line break of the file ("\n" when it has none)


class NotRegularFile(ValueError):
    """The path is a FIFO, a device, a socket or a directory: not read (it could block)."""


def read_regular(path: os.PathLike[str] | str) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and its stat. Opened non-blocking and checked on the open file,
    so a FIFO swapped in meanwhile never blocks the read. Raises NotRegularFile or OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{os.fspath(path)}: not a regular file")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def read_source(abs_path: Path) -> SourceFile:
    """Read a file for fixing. Raises ValueError for binary or non-UTF-8 files, and for
    anything but a regular file."""
    raw, _ = read_regular(abs_path)
    text, reason = decode_source(raw)
    if text is None:
        raise ValueError(f"{abs_path}: {reason}")
    return SourceFile(raw=raw, text=text, bom=raw.startswith(b"\xef\xbb\xbf"), newline=detect_newline(text))


def detect_newline(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    if crlf == lf == cr == 0:
        return "\n"
    return max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))[1]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _encode(text: str, bom: bool, newline: str | None) -> bytes:
    if newline is not None:
        text = _LINE_BREAK.sub(newline, text)
    if bom and not text.startswith(BOM):
        text = BOM + text
    return text.encode("utf-8")


def write_atomically(
    abs_path: Path,
    new_text: str,
    expected_original_bytes: bytes,
    *,
    bom: bool,
    newline: str | None,
) -> None:
    """Replace the file at `abs_path` with `new_text`, atomically.

    Raises FileChangedError when the file's bytes are no longer `expected_original_bytes`
    (checked before writing and again just before the rename). The file mode is kept; a
    symlink is kept and its target is replaced. `bom` prefixes U+FEFF; `newline` (None = keep
    the text's line breaks as they are) converts every line break. Any failure removes the
    temp file and leaves the original untouched.
    """
    target = Path(os.path.realpath(abs_path))
    data = _encode(new_text, bom, newline)

    def check() -> os.stat_result:
        try:
            current, st = read_regular(target)
        except FileNotFoundError:
            raise FileChangedError(abs_path, "it no longer exists") from None
        except NotRegularFile:
            raise FileChangedError(abs_path, "it is no longer a regular file") from None
        if current != expected_original_bytes:
            raise FileChangedError(abs_path)
        return st

    replace_atomically(target, data, check(), before_rename=check)


def replace_atomically(
    target: Path,
    data: bytes,
    like: os.stat_result | None,
    before_rename: Callable[[], object] | None = None,
) -> None:
    """Write `data` to a temp file next to `target` (a regular file's path, or a new name),
    fsync it, give it the mode (and, where allowed, the owner) of `like` — else the mode a new
    file gets (0666 less the umask) — then rename it over `target`. `before_rename` may raise to
    give up; any failure removes the temp file and leaves `target` as it was."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".parity-lsp.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(like.st_mode) if like is not None else _new_file_mode())
        if like is not None and hasattr(os, "chown"):
            mine = os.stat(tmp)
            if (like.st_uid, like.st_gid) != (mine.st_uid, mine.st_gid):
                with contextlib.suppress(OSError):  # best effort: only root may give a file away
                    os.chown(tmp, like.st_uid, like.st_gid)
        if before_rename is not None:
            before_rename()
        os.replace(tmp, target)
    except BaseException:  # not handled: the temporary file is removed, whatever went wrong, and re-raised
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


class WriteError(Exception):
    """A write the user asked for could not be done (the message says why, for one line)."""


# A path naming an open file descriptor: written in place, never replaced.
_DESCRIPTOR = re.compile(
    r"/dev/(?:stdin|stdout|stderr|fd/\d+)|/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd/\d+"
)


def names_descriptor(path: str) -> str | None:
    """The descriptor path (`/dev/stdout`, `/proc/123/fd/1`) that `path` names, directly or
    through symlinks, else None."""
    p = os.path.abspath(path)
    for _ in range(40):  # symlink hops, as the kernel allows
        if _DESCRIPTOR.fullmatch(p):
            return p
        in_real_dir = os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
        if _DESCRIPTOR.fullmatch(in_real_dir):  # /dev/fd/3 -> /proc/<pid>/fd/3
            return in_real_dir
        if not os.path.islink(p):
            return None
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return None


def write_output(path: str, data: bytes) -> str:
    """Write `data` to the file the user named (`report -o PATH`); returns how: "replaced"
    (a regular file, atomically; through a symlink, its target), "created", or "in place" (a
    device, FIFO, socket or descriptor path: opened for writing, never renamed over, never
    created). Raises WriteError with the reason."""
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    if names_descriptor(path) is not None or (st is not None and not stat.S_ISREG(st.st_mode)):
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise WriteError("is a directory")
        _write_in_place(path, data)
        return "in place"
    target = Path(os.path.realpath(path))  # a symlink stays; its target is replaced
    if not target.parent.is_dir():
        raise WriteError(f"directory {target.parent} does not exist")
    try:
        replace_atomically(target, data, st)
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    return "replaced" if st is not None else "created"


def _write_in_place(path: str, data: bytes) -> None:
    """Open an existing non-regular file (or descriptor path) for writing and write it all:
    no O_CREAT (nothing is made), no O_TRUNC, O_APPEND (a file behind `/dev/fd/N` opened with
    `>>` stays appended to)."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def create_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`, never overwriting: a temp file written and fsynced next to
    it, then hard-linked into place (fails with FileExistsError if the name exists, a dangling
    symlink included), so the file appears whole or not at all. Where hard links are not
    supported, an exclusive create (`open(..., "x")`) instead."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".parity-lsp.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_file_mode())
        try:
            os.link(tmp, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some file systems): exclusive create
            with open(path, "xb") as fh:
                fh.write(data)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Persist the rename (best effort; not possible on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
