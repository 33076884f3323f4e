"""The workspace index: file list, per-file caches keyed by content, and the lookups rules need
(symbols of a file, nearest existing path, git renames, exception ids).

Invariant: all disk access goes through `FileSystem`; caches are keyed by the content version
`FileSystem.read_text` reports, so an open buffer or a changed file is never answered stale.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import weakref
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from parity_lsp import languages
from parity_lsp.config import Config
from parity_lsp.similarity import closest
from parity_lsp.workspace import files as files_mod
from parity_lsp.workspace.fs import FileSystem, normalize_rel
from parity_lsp.workspace.lru import LRU
from parity_lsp.workspace.symbols import Definition, find_definitions, language_for_path, lookup, lookup_names
from parity_lsp.workspace.tree import FileTree, TreeCache

_LAST_WORD = re.compile(r"\w+(?=\W*$)")

# Files whose scanned definitions are kept (~1.3 KB each for typical sources): what an edit,
# a hover or a completion asks about again; a workspace-wide check does not keep 50,000 lists.
DEFINITIONS_KEPT_FILES = 4096
NEAREST_KEPT = 4096  # nearest_path answers kept (missing paths asked about)
# Languages whose scan for some names reuses the file's lexing and reads only the items where
# the names occur (`symbols.rust.scan`): each name asked is such a scan, and the file is never
# scanned whole for a lookup. A tree-sitter scan parses the whole file each time: the second
# name asked scans it all once instead.
REPEATED_PARTIAL_SCANS = frozenset({"rust"})


class SourceFile:
    """A file's definitions (scanned on first use: most cited files are only checked for
    existence or line counts) and line count. The text itself is not kept here: it is read
    through the file system's bounded text cache when needed, so that a workspace of 50,000
    cited files does not hold 50,000 texts (their definitions are ~1/2 the size)."""

    __slots__ = ("_definitions", "_lookups", "_scanned", "error", "fs", "line_count", "rel", "version")

    def __init__(
        self,
        fs: FileSystem,
        rel: str,
        text: str | None,
        error: str | None,
        version: object,
        scanned: LRU[str, SourceFile] | None = None,
    ) -> None:
        self.fs = fs
        # The workspace's files whose definitions are kept, held weakly: it holds this entry,
        # and the cycle would leave a replaced workspace's caches to the cyclic GC, which the
        # server keeps off long-lived objects (`gc.freeze`).
        self._scanned = weakref.ref(scanned) if scanned is not None else None
        self.rel = rel
        self.error = error if text is None else None  # why the file cannot be read
        self.version = version
        self.line_count = _line_count(text)
        self._definitions: list[Definition] | Literal[False] | None = False  # False: not scanned yet
        self._lookups: dict[str, list[Definition]] = {}

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str | None:
        """The text this entry describes (None: unreadable, or changed since it was read)."""
        if self.error is not None:
            return None
        result = self.fs.read_text(self.rel)
        return result.text if result.version == self.version else None

    @property
    def definitions(self) -> list[Definition] | None:
        """None: language not understood (or unreadable). Kept for the most recently used
        files only (scanned again when asked after that); the answers of `lookup` stay."""
        found = self._definitions
        if found is False:
            text = self.text
            found = self._definitions = find_definitions(self.rel, text) if text is not None else None
            kept = self._scanned() if self._scanned is not None else None
            if kept is not None:
                evicted = kept.put(self.rel, self)
                if evicted is not None and evicted is not self:
                    evicted._definitions = False
        return found

    def lookup(self, symbol: str) -> list[Definition] | None:
        """Definitions of `symbol` (memoized); None when the language is not understood."""
        found = self._lookups.get(symbol)
        if found is not None:
            return list(found)
        language = languages.for_path(self.rel)
        if self.error is not None or language is None:
            return None
        if self._definitions is False:
            # A definition's name is in the text: a symbol whose last word is not needs no scan.
            last = _LAST_WORD.search(symbol)
            text = self.text
            if text is None:
                return None
            if last is not None and last.group() not in text:
                self._lookups[symbol] = []
                return []
            for_names = language.partial_scan and (not self._lookups or language.id in REPEATED_PARTIAL_SCANS)
            wanted = lookup_names(symbol) if for_names else None
            if wanted is not None:
                # The first question about this file (most rows cite one symbol of a file):
                # a scan for that name only. A second one scans it all, unless the language's
                # scan for some names stays cheap when repeated (REPEATED_PARTIAL_SCANS).
                # (None: the scan failed, and was logged; the full scan below decides.)
                partial = find_definitions(self.rel, text, wanted)
                found = lookup(partial, symbol) if partial is not None else None
                if found is not None:
                    self._lookups[symbol] = found
                    return list(found)
        definitions = self.definitions
        if definitions is None:
            return None  # the scanner failed (logged), or the file changed since it was read
        found = lookup(definitions, symbol)
        if found is None:
            return None  # the lookup failed (logged): a word search says more than "not defined"
        self._lookups[symbol] = found
        return list(found)


def _line_count(text: str | None) -> int:
    if not text:
        return 0
    n = text.count("\n")
    return n if text.endswith("\n") else n + 1


# Files whose content project models and CI verdicts are derived from (beyond the cited files
# themselves): manifests, test-runner configuration, build scripts, workflows.
_PROJECT_FILES = frozenset(
    (
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "pytest.ini",
        "tox.ini",
        "conftest.py",
        "__init__.py",
        "go.mod",
        "go.work",
        "Makefile",
        "makefile",
        "GNUmakefile",
        "package.json",
        ".gitignore",
        ".parity-lsp.toml",
    )
)


def is_project_file(rel: str) -> bool:
    """True when a change of `rel`'s content may change what is known about other files."""
    return (
        posixpath.basename(rel) in _PROJECT_FILES
        or rel.startswith(".github/")
        or rel.endswith((".mk", ".toml"))
    )


class Workspace:
    def __init__(
        self,
        root: str | Path,
        config: Config | None = None,
        fs: FileSystem | None = None,
        max_files: int | None = None,
    ) -> None:
        self.config = config or Config()
        self.fs = fs or FileSystem(root, self.config.max_file_bytes)
        self.root = self.fs.root
        # The file list stops at `max_files` (a root chosen for a lone document, not by the
        # user: see lsp/folders.py); `files_truncated` says it did.
        self.max_files = max_files
        self.files_truncated = False
        self._files: list[str] | None = None
        self._files_generation = 0  # changes when the file list is invalidated (`files_steps`)
        # (the file list it was computed from, the matrix files in it, the same as a set)
        self._matrix_files: tuple[list[str], list[str], set[str]] | None = None
        self._matrix_answers: dict[str, bool] = {}  # is_matrix_file per path, before any listing
        self._basenames: dict[str, list[str]] | None = None
        self._nearest: dict[tuple[str, bool], str | None] = {}  # nearest_path answers (stable stats)
        self._sources: dict[str, SourceFile] = {}
        self._scanned: LRU[str, SourceFile] = LRU(DEFINITIONS_KEPT_FILES)
        self._renames: dict[str, str] | None = None
        self._exceptions: dict[str, tuple[str, int]] | None = None
        self._changed: dict[str, set[str] | None] = {}
        self._tree = TreeCache()  # the directory tree of the file list (completion)
        self._names: NameIndex | None = None  # built for the bare names rows cite (`names`)

    # --- file list ----------------------------------------------------------------------------

    def files(self) -> list[str]:
        return self._files if self._files is not None else files_mod.finish(self.files_steps())

    def listed_by_git(self) -> bool:
        """Will `files()` ask git (one subprocess) rather than walk the tree in steps?"""
        return self._files is None and self.max_files != 0 and files_mod.git_root(self.root)

    def files_steps(self) -> Generator[None, None, list[str]]:
        """`files()` as a generator of steps (a server lists a large workspace between
        messages). A list walked while files were created or deleted is not kept."""
        while self._files is None:
            generation = self._files_generation
            limit = self.max_files
            if limit is None:
                files = yield from files_mod.list_files_steps(self.root, self.config.exclude)
            elif limit:  # one more than the limit: whether it stopped early
                files = yield from files_mod.list_files_steps(self.root, self.config.exclude, limit=limit + 1)
            else:
                files = []
            if self._files is None and generation == self._files_generation:
                if limit is not None:
                    self.files_truncated = len(files) > limit or not limit
                    files = files[:limit]
                self._files = files
        return self._files

    def file_tree(self) -> FileTree:
        """The directory tree of `files()`, kept until the list changes (patched when a few
        files were created or deleted)."""
        return self._tree.get(self.files())

    def file_tree_steps(self, files_per_step: int = 500) -> Iterator[None]:
        """`file_tree()` built in steps (a generator: see `TreeCache.steps`)."""
        return self._tree.steps(self.files, files_per_step)

    def invalidate_files(self) -> None:
        """A file was created, deleted or renamed: rebuild the list and name index lazily."""
        self._files = None
        self._files_generation += 1
        self._basenames = None
        self._nearest.clear()
        self._exceptions = None
        self._matrix_answers.clear()
        self.fs.bump()

    def file_appeared_or_vanished(self, rel: str, ignored: bool) -> None:
        """A file or directory was created or deleted at `rel` (`ignored`: the workspace leaves
        it out). Derived data goes; the file list is patched rather than listed again (a walk
        of a large workspace is slow, and a missing symbol's search needs the list): a file
        that now exists is added unless ignored, whatever was at or under a path that no longer
        exists is removed. A directory that appeared is listed when next asked."""
        files = self._files
        self.invalidate_files()
        if self._names is not None:
            self._names.changed(rel)
        if files is None:
            return
        st = self.fs.stat(rel)
        if st is None:
            prefix = rel + "/"
            self._files = [f for f in files if f != rel and not f.startswith(prefix)]
        elif st.kind == "file":
            i = bisect.bisect_left(files, rel)
            present = i < len(files) and files[i] == rel
            self._files = files if ignored or present else files[:i] + [rel] + files[i:]

    def forget(self, rel: str) -> None:
        """A file's content changed (or it vanished)."""
        self._sources.pop(rel, None)
        if self._names is not None:
            self._names.changed(rel)
        self.fs.forget_path(rel)
        if is_project_file(rel):
            self.fs.bump()  # project models (Cargo.toml, pytest config, workflows...) may depend on it
        elif not files_mod.is_matrix_name(rel):
            self.fs.forget_about(rel)  # what was derived from this file's content (its tests' verdicts)
        if self._exceptions is not None and files_mod.compile_globs(self.config.exceptions_doc).match_file(
            rel
        ):
            self._exceptions = None

    def ignored(self, rels: list[str]) -> set[str]:
        """The paths among `rels` the workspace's file list leaves out (`.gitignore`, git's
        excludes, `exclude` in the configuration, directories never listed)."""
        out = files_mod.ignored_paths(self.root, rels)
        if self.config.exclude:
            spec = files_mod.compile_globs(self.config.exclude)
            out.update(r for r in rels if spec.match_file(r))
        return out

    def matrix_files(self) -> list[str]:
        return self._matrix_listing()[1]

    def _matrix_listing(self) -> tuple[list[str], list[str], set[str]]:
        files = self.files()
        listing = self._matrix_files
        if listing is None or listing[0] is not files:
            found = files_mod.matrix_files(files, self.config.include_patterns, self.config.matrix_exclude)
            listing = self._matrix_files = (files, found, set(found))
        return listing

    def is_matrix_file(self, rel: str) -> bool:
        """Is `rel` one of `matrix_files()`? Before the file list exists, answered for that path
        alone: a document's first open and first pull ask, and listing the workspace to learn it
        would delay the first diagnostics."""
        if self._files is not None:
            return rel in self._matrix_listing()[2]
        found = self._matrix_answers.get(rel)
        if found is None:
            found = self._matrix_answers[rel] = (
                bool(files_mod.matrix_files([rel], self.config.include_patterns, self.config.matrix_exclude))
                and self.fs.on_disk(rel) == "file"
                and not self.ignored([rel])
            )
        return found

    # --- file content -------------------------------------------------------------------------

    def source(self, rel: str) -> SourceFile:
        """Definitions and line count of a file, cached by content version (a stat, kept for
        the run when stats are stable; a read only when the file changed)."""
        cached = self._sources.get(rel)
        if cached is not None and cached.version is not None and cached.version == self.fs.version(rel):
            return cached
        result = self.fs.read_text(rel)
        src = SourceFile(self.fs, rel, result.text, result.error, result.version, self._scanned)
        self._sources[rel] = src
        return src

    def cited_words_in(self, rel: str) -> set[str]:
        """The words of cited bare names that `rel` contains (before or after its change):
        none when no bare name was ever looked up (`names` not built)."""
        return self._names.words_of(rel) if self._names is not None else set()

    @property
    def names(self) -> NameIndex:
        """Which files contain the words of the bare names rows cite (built lazily, per word)."""
        if self._names is None:
            self._names = NameIndex(self)
        return self._names

    def files_named(self, base: str) -> list[str]:
        """The workspace's files whose base name is `base` (exactly; else ignoring case)."""
        found = self._basename_index().get(base.lower(), [])
        exact = [f for f in found if posixpath.basename(f) == base]
        return exact or list(found)

    # --- fuzzy lookups --------------------------------------------------------------------------

    def _basename_index(self) -> dict[str, list[str]]:
        if self._basenames is None:
            idx: dict[str, list[str]] = {}
            for f in self.files():
                idx.setdefault(posixpath.basename(f).lower(), []).append(f)
            self._basenames = idx
        return self._basenames

    def nearest_path(self, rel: str, want_dir: bool = False) -> str | None:
        """The existing path most like `rel`: same file name elsewhere, else a similar sibling.
        Kept until a file appears or vanishes when stats are stable: a deleted file is often
        cited by several rows (or matrices), and each search compares a directory's names."""
        if not self.fs.stable_stats:
            return self._nearest_path(rel, want_dir)
        key = (rel, want_dir)
        if key not in self._nearest:
            if len(self._nearest) >= NEAREST_KEPT:  # paths typed in an editor, one per keystroke
                self._nearest.clear()
            self._nearest[key] = self._nearest_path(rel, want_dir)
        return self._nearest[key]

    def _nearest_path(self, rel: str, want_dir: bool) -> str | None:
        rel = rel.rstrip("/")
        base = posixpath.basename(rel).lower()
        if not want_dir:
            same_name = self._basename_index().get(base, [])
            if same_name:
                return max(same_name, key=lambda p: (_common_parts(p, rel), -len(p)))
        # closest existing ancestor, then the most similar entry in it (one level at a time)
        parts = rel.split("/")
        prefix: list[str] = []
        for i, part in enumerate(parts):
            candidate = "/".join(prefix + [part])
            if self.fs.is_dir(candidate) or (i == len(parts) - 1 and self.fs.is_file(candidate)):
                prefix.append(part)
                continue
            entries = self.fs.list_dir("/".join(prefix))
            last = i == len(parts) - 1
            names = [
                n for n, is_dir in entries if (is_dir if not last else (is_dir == want_dir or not want_dir))
            ]
            if not last:
                names = [n for n, is_dir in entries if is_dir]
            match = closest(part, names, cutoff=0.6)
            if match is None:
                return None
            prefix.append(match)
        found = "/".join(prefix)
        return found if found != rel and self.fs.exists(found) else None

    def renamed_to(self, rel: str) -> str | None:
        """Where git history says `rel` (a file or directory) was renamed to, if it still exists."""
        renames = self._rename_map()
        if not renames:
            return None
        seen = set()
        cur = rel
        while cur in renames and cur not in seen:
            seen.add(cur)
            cur = renames[cur]
        if cur != rel and self.fs.exists(cur):
            return cur
        # a directory: every file under it moved to one new directory
        prefix = rel.rstrip("/") + "/"
        targets = set()
        for old, new in renames.items():
            if old.startswith(prefix):
                rest = old[len(prefix) :]
                if new.endswith("/" + rest):
                    targets.add(new[: -len(rest) - 1])
        if len(targets) == 1:
            target = targets.pop()
            if self.fs.is_dir(target):
                return target
        return None

    def _rename_map(self) -> dict[str, str]:
        if self._renames is None:
            self._renames = {}
            if files_mod.git_root(self.root):
                out = files_mod.run_git(
                    self.root,
                    "log",
                    "-M",
                    "--diff-filter=R",
                    "--name-status",
                    "--format=",
                    "HEAD",
                    timeout=20.0,
                )
                # newest first: keep the newest rename of each old path
                for line in (out or "").splitlines():
                    parts = line.split("\t")
                    if len(parts) == 3 and parts[0].startswith("R"):
                        self._renames.setdefault(parts[1], parts[2])
        return self._renames

    def changed_since(self, rev: str) -> set[str] | None:
        """Files changed between `rev` and the working tree; None when git cannot tell.

        `rev` comes from configuration a repository controls: it is resolved to a commit id
        first (`--end-of-options`), so it can never be read as a git option."""
        if rev not in self._changed:
            commit = files_mod.run_git(
                self.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
            )
            commit = (commit or "").strip()
            if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
                self._changed[rev] = None
                return None
            out = files_mod.run_git(self.root, "diff", "--name-only", "-M", commit, "--")
            untracked = files_mod.run_git(self.root, "ls-files", "--others", "--exclude-standard")
            if out is None:
                self._changed[rev] = None
            else:
                listed = (out + "\n" + (untracked or "")).splitlines()
                self._changed[rev] = {path for path in listed if path}
        return self._changed[rev]

    # --- exceptions document ------------------------------------------------------------------

    def exception_docs(self) -> list[str]:
        spec = files_mod.compile_globs(self.config.exceptions_doc)
        return [f for f in self.files() if spec.match_file(f)]

    def exception_ids(self) -> dict[str, tuple[str, int]]:
        """Declared exception id → (document, 0-based line of its first mention)."""
        if self._exceptions is None:
            ids: dict[str, tuple[str, int]] = {}
            pattern = self.config.exception_id_re
            for doc in self.exception_docs():
                src = self.fs.read_text(doc)
                if src.text is None:
                    continue
                for ln, line in enumerate(src.text.splitlines()):
                    for m in pattern.finditer(line):
                        ids.setdefault(m.group(0), (doc, ln))
            self._exceptions = ids
        return self._exceptions


# Files a bare name is searched in: the languages the registry understands, and these, whose
# definitions are not understood (a name found there is "found by word search", never "defined
# nowhere").
OTHER_CODE_EXTENSIONS = frozenset(
    [
        ".scala",
        ".sc",
        ".php",
        ".dart",
        ".lua",
        ".m",
        ".mm",
        ".ex",
        ".exs",
        ".erl",
        ".hrl",
        ".hs",
        ".clj",
        ".cljs",
        ".groovy",
        ".gradle",
        ".vue",
        ".svelte",
        ".zig",
        ".sh",
        ".bash",
        ".pl",
        ".pm",
        ".r",
        ".jl",
        ".nim",
        ".fs",
        ".fsx",
        ".ml",
        ".mli",
        ".elm",
        ".cr",
        ".v",
        ".sol",
        ".d",
        ".pas",
        ".vb",
        ".f90",
        ".cob",
    ]
)
# The words of a text, as the index splits it: identifiers of two characters or more (a word
# of one, or starting with a digit, is a substring search instead). ~17% cheaper than `\w+`.
_WORD = re.compile(r"[^\W\d]\w+")
# With more words than this, a file is split into its words once (a set); with fewer, each word
# is a substring search (C speed, no set built).
_FEW_WORDS = 8


def searched_for_names(rel: str) -> bool:
    """Is `rel` a file bare names are searched in (`OTHER_CODE_EXTENSIONS` and understood languages)?"""
    dot = rel.rfind(".")
    if dot <= rel.rfind("/"):
        return False
    ext = rel[dot:].lower()
    return ext in OTHER_CODE_EXTENSIONS or ext in languages.source_extensions()


class NameIndex:
    """word -> the source files whose text contains it, for the words bare names cite.

    Built lazily: nothing until a row cites a bare name; then one pass over the workspace's
    source files (`searched_for_names`) for all the words asked at once, each file read once.
    A word asked later costs another pass (the editor: a name typed into a row). A file that
    changes, appears or vanishes is searched again for the words already known (`changed`):
    only it, never the workspace. Which of those files *define* a name is the language
    scanner's answer (`Workspace.source(f).lookup`), asked by the rules' context."""

    __slots__ = ("_files", "_stale", "_words", "_ws")

    def __init__(self, ws: Workspace) -> None:
        # held weakly: the workspace holds this index, and the cycle would leave a replaced
        # workspace to the cyclic GC, which the server keeps off long-lived objects
        self._ws = weakref.ref(ws)
        self._words: dict[str, set[str]] = {}  # word -> files containing it
        self._stale: set[str] = set()  # files changed since their words were searched
        self._files: list[str] | None = None  # the files searched (from the file list it saw)

    def files_with(self, words: list[str]) -> dict[str, list[str]]:
        """For each word, the source files containing it (sorted)."""
        self._refresh()
        new = [w for w in dict.fromkeys(words) if w not in self._words]
        if new:
            self._search(new, self._source_files())
        return {w: sorted(self._words.get(w, ())) for w in words}

    @property
    def ws(self) -> Workspace:
        ws = self._ws()
        if ws is None:
            raise LookupError("the workspace of this name index is gone")
        return ws

    def changed(self, rel: str) -> None:
        self._stale.add(rel)

    def words_of(self, rel: str) -> set[str]:
        """The known words `rel` contains: as last searched, and in its current text (what an
        edit of it may change: the rows citing those names)."""
        found = {w for w, files in self._words.items() if rel in files}
        if self._words and searched_for_names(rel):
            text = self.ws.fs.read_text(rel).text
            if text:
                found.update(w for w in self._words if w in text)
        return found

    def _source_files(self) -> list[str]:
        files = self._files
        if files is None:
            files = self._files = [f for f in self.ws.files() if searched_for_names(f)]
        return files

    def _refresh(self) -> None:
        if not self._stale or not self._words:
            self._stale.clear()
            return
        stale, self._stale = self._stale, set()
        self._files = None  # a file may have appeared or vanished
        words = list(self._words)
        for rel in stale:
            for found in self._words.values():
                found.discard(rel)
        listed = set(self._source_files())
        self._search(words, [f for f in sorted(stale) if f in listed], fresh=False)

    def _search(self, words: list[str], files: list[str], fresh: bool = True) -> None:
        found: dict[str, set[str]] = {w: set() for w in words} if fresh else self._words
        read = self.ws.fs.read_text
        few = len(words) <= _FEW_WORDS
        wanted = {w for w in words if _WORD.fullmatch(w)}
        odd = [w for w in words if w not in wanted]  # searched as substrings
        for rel in files:
            text = read(rel).text
            if not text:
                continue
            if few:
                for w in words:
                    if w in text:
                        found[w].add(rel)
                continue
            for w in wanted.intersection(_WORD.findall(text)):
                found[w].add(rel)
            for w in odd:
                if w in text:
                    found[w].add(rel)
        if fresh:
            self._words.update(found)


class NameHits(NamedTuple):
    """Where a bare name is defined in the workspace (file, definition), the files of understood
    languages where it only occurs, and the files of languages not understood where it occurs."""

    defined: list[tuple[str, Definition]]
    mentioned: list[str]
    unknown: list[str]


_LAST_NAME_WORD = re.compile(r"\w+(?=\W*$)")


def find_name(ws: Workspace, name: str) -> NameHits:
    """A bare name (`test_parse_row`, `CalcTests.testAdd`, `Calc::add`) looked up in every
    source file containing its last word (`Workspace.names`), each confirmed by its language's
    scanner (`SourceFile.lookup`: a qualified name is its class first, then the member)."""
    m = _LAST_NAME_WORD.search(name)
    word = m.group() if m is not None else ""
    files = ws.names.files_with([word])[word] if word else []
    defined: list[tuple[str, Definition]] = []
    mentioned: list[str] = []
    unknown: list[str] = []
    pattern = re.compile(r"(?<![\w$])" + re.escape(word) + r"(?![\w$])") if word else None
    for f in files:
        src = ws.source(f)
        defs = src.lookup(name) if languages.for_path(f) is not None else None
        if defs:
            defined.extend((f, d) for d in defs)
            continue
        text = src.text
        if text is not None and pattern is not None and pattern.search(text):
            (unknown if defs is None else mentioned).append(f)
    return NameHits(defined, mentioned, unknown)


def _common_parts(a: str, b: str) -> int:
    pa, pb = a.split("/"), b.split("/")
    n = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        n += 1
    m = 0
    for x, y in zip(reversed(pa), reversed(pb), strict=False):
        if x != y:
            break
        m += 1
    return n + m


def resolve_reference_path(path: str, link_base: str | None, fs: FileSystem) -> str | None:
    """Workspace-relative path for a cited path; links resolve against the matrix directory
    first, then the root. None when the path is absolute or climbs out of the root."""
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return None
    if link_base is not None:
        joined = normalize_rel(posixpath.join(link_base, path)) if link_base else normalize_rel(path)
        if joined is not None and fs.exists(joined):
            return joined
        plain = normalize_rel(path)
        if plain is not None and fs.exists(plain):
            return plain
        return joined if joined is not None else plain
    return normalize_rel(path)


_PACKAGE_MARKERS = ("Cargo.toml", "pyproject.toml", "setup.py", "go.mod", "package.json")
NEAR_SEARCH_LIMIT = 60  # files parsed to relocate a symbol: its directory first, then its package


def find_symbol_near(ws: Workspace, rel: str, symbol: str) -> list[tuple[str, Definition]]:
    """Where `symbol` is defined in files of the same language in `rel`'s package (or folder).

    Bounded: at most NEAR_SEARCH_LIMIT files are scanned, so a typo never costs a workspace scan.
    """
    lang = language_for_path(rel)
    if lang is None:
        return []
    directory = posixpath.dirname(rel)
    scope = directory
    d = directory
    while True:
        if any(ws.fs.is_file(f"{d}/{m}" if d else m) for m in _PACKAGE_MARKERS):
            scope = d
            break
        if not d:
            break
        d = posixpath.dirname(d)
    last = _LAST_WORD.search(symbol)
    word = last.group() if last is not None else None
    hits: list[tuple[str, Definition]] = []
    for f in _scope_files(ws, scope, lang, directory):
        if f == rel:
            continue
        if word is not None and f not in ws._sources:
            # SourceFile.lookup's own test, before making an entry for a file that cannot
            # define it (most of the package: the text is read either way)
            text = ws.fs.read_text(f).text
            if text is None or word not in text:
                continue
        hits.extend((f, d) for d in ws.source(f).lookup(symbol) or ())
    return hits


def _scope_files(ws: Workspace, scope: str, lang: str, directory: str = "") -> list[str]:
    """Up to NEAR_SEARCH_LIMIT files of `lang` under `scope`, those in `directory` first
    (memoized until the file list changes)."""
    key = ("scope_files", scope, lang, directory)
    found: list[str] | None = ws.fs.memo.get(key)
    if found is None:
        by_dir = _files_by_dir(ws)
        dirs: list[str] | None = ws.fs.memo.get("sorted_dirs")
        if dirs is None:
            dirs = ws.fs.memo["sorted_dirs"] = sorted(by_dir)
        prefix = scope + "/" if scope else ""
        found = [f for f in by_dir.get(directory, ()) if language_for_path(f) == lang]
        # the directories starting with `scope` are contiguous in sorted order
        for i in range(bisect.bisect_left(dirs, scope), len(dirs)):
            d = dirs[i]
            if len(found) >= NEAR_SEARCH_LIMIT or not d.startswith(scope):
                break
            if d != directory and (d == scope or d.startswith(prefix) or not scope):
                found.extend(f for f in by_dir[d] if language_for_path(f) == lang)
        found = found[:NEAR_SEARCH_LIMIT]
        ws.fs.memo[key] = found
    return found


def _files_by_dir(ws: Workspace) -> dict[str, list[str]]:
    """directory -> its files, from the workspace file list (memoized with it)."""
    by_dir: dict[str, list[str]] | None = ws.fs.memo.get("files_by_dir")
    if by_dir is None:
        by_dir = {}
        for f in ws.files():  # listed paths are normalized: rpartition is their dirname
            by_dir.setdefault(f.rpartition("/")[0], []).append(f)
        ws.fs.memo["files_by_dir"] = by_dir
    return by_dir
