"""Workspace folders → analyses: every root the server serves, and which one a document is in.

Invariant: each folder is a root of its own — its own `Analysis` (configuration, matrices,
file list, caches, workspace-scoped findings) and its own `Converter` (URIs are relative to
it). A document belongs to the folder whose path is its longest prefix; its matrix rows count
in that folder only (no PM003 across folders). A folder nested in another takes its subtree's
matrices out of the outer one (`Analysis.foreign`); the outer one still reads its files (the
evidence its rows cite), and an open buffer is overlaid in every folder that holds it.

Documents in no workspace folder (a client without folders: `rootUri` null, an editor opening
a lone file) get an *implicit* folder: the document's nearest ancestor holding a root marker
(`.parity-lsp.toml`, `pyproject.toml`, `.git`), else its own directory. Never the server's
working directory; the file system root and the home directory are never listed, and any other
implicit root is listed up to `IMPLICIT_MAX_FILES` files (the server logs a notice when it stops).
A workspace folder the client names at the file system root is not listed either, and one at
the home directory is bounded the same way (`listing_bound`).
An implicit folder goes away with its last open document, or when a workspace folder added
later takes its documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.uris import to_fs_path

from parity_lsp.text import LineIndex

if TYPE_CHECKING:  # the engine is imported once `initialize` is answered (lsp/server.py)
    from parity_lsp.analysis import Analysis
    from parity_lsp.lsp.convert import Converter

SECTION = "parityLsp"  # the client's settings section
ROOT_MARKERS = (".parity-lsp.toml", "pyproject.toml", ".git")
IMPLICIT_MAX_FILES = 10_000  # files an implicit root's listing stops at (with a logged notice)
ROUTES_KEPT = 4096  # URI → (folder, path) answers kept (one per document asked about)


@dataclass(eq=False)
class Folder:
    """One root the server serves: a workspace folder of the client, or an implicit one."""

    uri: str  # as the client named it: the `scopeUri` of its configuration
    name: str
    analysis: Analysis
    converter: Converter
    implicit: bool = False  # chosen for documents outside every workspace folder
    # set once the client's settings for this folder are applied: nothing is published before
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    deferred: set[str] = field(default_factory=set)  # matrices to publish once ready
    check_later_paths: set[str] = field(default_factory=set)  # sent back to a full check by file events
    check_later_task: asyncio.Future[None] | None = None
    completing: dict[str, asyncio.Future[None]] = field(
        default_factory=dict
    )  # staged: rel -> its semantic stage
    indexing: asyncio.Future[None] | None = None
    tree_building: asyncio.Future[None] | None = None  # the completion's directory tree (`build_tree`)
    listing: asyncio.Future[None] | None = None  # the file list walked in steps (`files_listed`)
    removed: bool = False  # the client removed it (work in flight for it stops)

    @property
    def root(self) -> Path:
        return self.analysis.root

    def rel(self, path: Path) -> str | None:
        """`path` (resolved) relative to this folder's root, or None outside it."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix() if str(rel) != "." else ""


def index_for(analysis: Analysis, rel: str) -> LineIndex:
    """The line index of `rel`'s current text: the analysed model's when there is one (the
    spans of its findings are for it), else the text as the file system has it."""
    state = analysis.states.get(rel)
    if state is not None and state.model.text:
        return state.model.index
    return LineIndex(analysis.ws.fs.read_text(rel).text or "")


def path_of(uri: str) -> Path | None:
    """The resolved file system path of a `file:` URI (None for other schemes)."""
    path = to_fs_path(uri)
    if not path:
        return None
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an embedded NUL
        return None


def implicit_root(document: Path) -> tuple[Path, bool]:
    """The root for a document in no workspace folder, and whether it may be listed: the
    nearest ancestor holding a root marker, else the document's own directory. A marker at
    the file system root or in the home directory does not count (a dotfiles repository);
    those two directories are never listed."""
    directory = document.parent
    never = _never_listed()
    for d in (directory, *directory.parents):
        if d in never:
            break
        if any(_exists(d / marker) for marker in ROOT_MARKERS):
            return d, True
    return directory, directory not in never


def listing_bound(root: Path) -> int | None:
    """The bound on a workspace folder's file list: none, unless the client named the file
    system root (never listed) or the home directory (listed up to IMPLICIT_MAX_FILES), as an
    editor started there without a project may."""
    try:
        resolved = root.resolve()
    except (OSError, RuntimeError):
        return 0
    if resolved == Path(os.path.abspath(os.sep)):
        return 0
    return IMPLICIT_MAX_FILES if resolved in _never_listed() else None


def _never_listed() -> set[Path]:
    out = {Path(os.path.abspath(os.sep))}
    with contextlib.suppress(OSError, RuntimeError, KeyError):  # no home directory
        out.add(Path.home().resolve())
    return out


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


class Folders:
    """The folders of a server and the routing of documents to them."""

    def __init__(self) -> None:
        self._by_root: dict[Path, Folder] = {}
        self._routes: dict[str, Path | None] = {}  # uri -> resolved path (symlinks resolved once)

    def __iter__(self) -> Iterator[Folder]:
        return iter(list(self._by_root.values()))

    def __len__(self) -> int:
        return len(self._by_root)

    def get(self, root: Path) -> Folder | None:
        return self._by_root.get(root)

    def explicit(self) -> list[Folder]:
        return [f for f in self._by_root.values() if not f.implicit]

    def add(self, folder: Folder) -> None:
        self._by_root[folder.root] = folder
        self._update_foreign()

    def remove(self, folder: Folder) -> None:
        if self._by_root.get(folder.root) is folder:
            del self._by_root[folder.root]
        folder.removed = True
        self._update_foreign()

    def path(self, uri: str) -> Path | None:
        """The resolved path of `uri` (memoized: a keystroke's `didChange` asks each time)."""
        if uri in self._routes:
            return self._routes[uri]
        if len(self._routes) >= ROUTES_KEPT:
            self._routes.clear()
        found = self._routes[uri] = path_of(uri)
        return found

    def owner(self, path: Path) -> Folder | None:
        """The folder `path` belongs to: the workspace folder whose path is its longest prefix,
        else the implicit folder whose path is."""
        best: Folder | None = None
        for folder in self._by_root.values():
            if folder.rel(path) is None:
                continue
            if (
                best is None
                or (best.implicit and not folder.implicit)
                or (best.implicit == folder.implicit and len(folder.root.parts) > len(best.root.parts))
            ):
                best = folder
        return best

    def containing(self, path: Path) -> list[tuple[Folder, str]]:
        """Every folder holding `path` (a nested folder's file is in the outer one too), with
        the path relative to each."""
        out = []
        for folder in self._by_root.values():
            rel = folder.rel(path)
            if rel is not None:
                out.append((folder, rel))
        return out

    def _update_foreign(self) -> None:
        """Each folder leaves the matrices of the folders nested in it to them."""
        folders = list(self._by_root.values())
        for folder in folders:
            nested = []
            for other in folders:
                if other is folder or (other.implicit and not folder.implicit):
                    continue  # a workspace folder keeps its matrices (its documents move to it)
                rel = folder.rel(other.root)
                if rel:
                    nested.append(rel)
            folder.analysis.set_foreign(nested)


def settings_from(value: object) -> dict[str, Any]:
    """`parityLsp` settings (a dict, possibly nested under the section name): JSON from the client."""
    if not isinstance(value, dict):
        return {}  # includes [] : an empty Lua table arrives as a JSON array
    section = value.get(SECTION, value)
    if not isinstance(section, dict):
        return {}
    # editor-only keys are not engine configuration
    return {str(k): v for k, v in section.items() if k not in ("path", "interpreter", "args", "trace")}
