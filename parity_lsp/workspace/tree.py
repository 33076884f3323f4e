"""The workspace's directory tree, derived from its file list: children of each directory and
how many source, test and workflow files lie below it (completion offers paths folder by
folder and ranks them by what the column wants).

Invariant: pure over the file list (`Workspace.files()`, which honours `.gitignore`); no IO.
A `TreeCache` belongs to one `Workspace` (`Workspace.file_tree()`): it keeps the tree of the
list it was built from, and patches it when a few files were created or deleted.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from parity_lsp import languages

TEST_DIRS = frozenset({"tests", "test", "__tests__", "testing", "spec", "e2e"}) | frozenset(
    d for lang in languages.languages() for d in lang.test_dirs
)
# generic test-file names, and the registry's (`CalcTests.swift`, `calc_spec.rb`, `FooIT.java`)
_TEST_NAME = re.compile(
    r"^(?:test_.*|.*_test\.[^.]+|.*_tests\.[^.]+|.*\.(?:test|spec)\.[^.]+|conftest\.py"
    + "".join(f"|{p}" for lang in languages.languages() for p in lang.test_files)
    + ")$"
)
_SOURCE_EXT = languages.source_extensions()  # the registry's languages and other code
SRC, TST, WF = 0, 1, 2  # indexes of `FileTree.counts` entries
PATCHED_FILES = 256  # more files created or deleted at once: the tree is built again


def _under_test_dir(d: str) -> bool:
    return any(p in TEST_DIRS for p in d.split("/")) if d else False


def file_category(path: str) -> tuple[bool, bool, bool]:
    """(source file that is not a test, test file, GitHub workflow)."""
    parts = path.split("/")
    name = parts[-1]
    ext = posixpath.splitext(name)[1].lower()
    test = bool(_TEST_NAME.match(name)) or any(p in TEST_DIRS for p in parts[:-1])
    wf = len(parts) == 3 and parts[0] == ".github" and parts[1] == "workflows" and ext in (".yml", ".yaml")
    return (ext in _SOURCE_EXT and not test, test and ext in _SOURCE_EXT, wf)


class FileTree:
    """Directories derived from the workspace file list: children and what lies below."""

    __slots__ = ("children", "counts", "files")

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.children: dict[str, dict[str, bool]] = {"": {}}  # dir -> name -> is_dir
        self.counts: dict[str, list[int]] = {"": [0, 0, 0]}  # dir -> [source, test, workflow] below
        self.add(files)

    def add(self, files: list[str]) -> None:
        """Add files (not yet in the tree). Linear in the files, with the per-directory work
        (creating directories, "is this under a test directory", counting what lies below)
        done once per directory, not once per file: the first path completion of a session
        waits for this when it comes before the background build finished."""
        counts = self.counts
        dirs: dict[str, tuple[dict[str, bool], list[int], bool]] = {}  # dir -> kids, own delta, test dir
        for f in files:
            d, _, name = f.rpartition("/")
            known = dirs.get(d)
            if known is None:
                known = dirs[d] = (self._directory(d), [0, 0, 0], _under_test_dir(d))
            kids, delta, in_test_dir = known
            kids.setdefault(name, False)
            dot = name.rfind(".")
            ext = name[dot:].lower() if dot > 0 and name[:dot].lstrip(".") else ""  # posixpath.splitext
            if ext in _SOURCE_EXT:
                if in_test_dir or _TEST_NAME.match(name):
                    delta[TST] += 1
                else:
                    delta[SRC] += 1
            if (ext == ".yml" or ext == ".yaml") and d == ".github/workflows":
                delta[WF] += 1
        for d, (_, delta, _) in dirs.items():
            if not any(delta):
                continue
            while True:  # the directory and every one above it
                c = counts[d]
                c[SRC] += delta[SRC]
                c[TST] += delta[TST]
                c[WF] += delta[WF]
                if not d:
                    break
                d = d.rpartition("/")[0]

    def _directory(self, d: str) -> dict[str, bool]:
        """The children of directory `d`, made (with every directory above it) if new."""
        kids = self.children.get(d)
        if kids is not None and d in self.counts:
            return kids
        parent, _, name = d.rpartition("/")
        self._directory(parent)[name] = True
        self.counts.setdefault(d, [0, 0, 0])
        return self.children.setdefault(d, {})

    def remove(self, path: str) -> None:
        """Take one file out, and the directories left without files (a tree built from the
        list without it has none of them)."""
        parts = path.split("/")
        dirs = [""] + ["/".join(parts[:k]) for k in range(1, len(parts))]
        kids = self.children.get(dirs[-1])
        if kids is None or kids.get(parts[-1]) is not False:
            return
        del kids[parts[-1]]
        cat = file_category(path)
        for d in dirs:
            c = self.counts[d]
            for k in range(3):
                if cat[k]:
                    c[k] -= 1
        for depth in range(len(dirs) - 1, 0, -1):
            d = dirs[depth]
            if self.children.get(d):
                break
            self.children.pop(d, None)
            self.counts.pop(d, None)
            self.children[dirs[depth - 1]].pop(parts[depth - 1], None)

    def patch(self, new: list[str]) -> bool:
        """Turn this tree (of `self.files`) into the tree of `new` when few files differ: a
        file created or deleted patches the list (`Workspace.file_appeared_or_vanished`), and
        building the tree again would cost the next completion ~130 ms at 50,000 files."""
        old = self.files
        if abs(len(new) - len(old)) > PATCHED_FILES:
            return False
        old_set, new_set = set(old), set(new)
        gone, came = old_set - new_set, new_set - old_set
        if len(gone) + len(came) > PATCHED_FILES:
            return False
        for path in gone:
            self.remove(path)
        self.add(sorted(came))
        self.files = new
        return True

    def is_dir(self, rel: str) -> bool:
        return rel in self.children

    def is_file(self, rel: str) -> bool:
        d, _, name = rel.rpartition("/")
        return self.children.get(d, {}).get(name) is False


class TreeCache:
    """The tree of the file list seen last (`tree.files`: that list object), for one workspace."""

    __slots__ = ("tree",)

    def __init__(self) -> None:
        self.tree: FileTree | None = None

    def clear(self) -> None:
        self.tree = None

    def current(self, files: list[str]) -> FileTree | None:
        """The tree of `files` if it is kept (or can be patched into it), else None."""
        tree = self.tree
        if tree is None:
            return None
        if tree.files is files or tree.patch(files):
            return tree
        return None

    def get(self, files: list[str]) -> FileTree:
        tree = self.current(files)
        if tree is None:
            tree = self.tree = FileTree(files)
        return tree

    def steps(self, list_files: Callable[[], list[str]], files_per_step: int = 500) -> Iterator[None]:
        """Build the tree of `list_files()` as a generator yielding every `files_per_step` files
        (~1 ms): 50,000 files take ~100 ms, which a server spends ahead of the first completion,
        between requests. Stops when a request built it meanwhile; kept only if the file list
        did not change meanwhile."""
        files = list_files()
        if self.current(files) is not None:
            return
        tree = FileTree([])
        tree.files = files
        for i in range(0, len(files), files_per_step):
            tree.add(files[i : i + files_per_step])
            yield
            if self.tree is not None and self.tree.files is files:
                return  # a completion needed it first and built it
        if list_files() is files:
            self.tree = tree
