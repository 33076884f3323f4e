"""Completion: what to offer at a cursor in a matrix document, decided by the column under it.

Invariant: no LSP types and no IO of its own (the workspace reads files); pure over the
current buffer text, which may be half-typed. Per request the work is bounded by the cursor's
line and its table's header (a full parse of a 2,000-row matrix costs ~0.4 s, far over the
10 ms budget): the lines above the cursor are walked up to the table's delimiter row, the
header is parsed with `engine.parse_matrix` (cached by its text), and the cursor's cell is
re-split from the raw line, so a half-typed row still has a column. The file tree is derived
once per workspace file list (`Workspace.files()`, which honours `.gitignore`) and cached by
the list's identity; file definitions and workflows come from the workspace's caches.

Every replace span lies on the cursor's line and covers exactly what is typed of the value
being completed; every text inserted into a Markdown table cell escapes `|` as `\\|`.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity_lsp import languages
from parity_lsp.features.vocabulary import MEANING_DOCS
from parity_lsp.model import (
    COL_CI,
    COL_NOTES,
    COL_OWNER,
    COL_PROOF,
    COL_STATUS,
    COL_TESTS,
    EVIDENCE_COLUMNS,
    Cell,
    Matrix,
    MatrixFormat,
    Reference,
    RefKind,
    Table,
    plain_value,
)
from parity_lsp.text import Span
from parity_lsp.workspace.index import SourceFile, Workspace, resolve_reference_path

if TYPE_CHECKING:
    from parity_lsp.workspace.ci.workflows import Job, Step, Workflow
    from parity_lsp.workspace.symbols import Definition

# --- the result -------------------------------------------------------------------------------

# Kinds (front ends map them to their own vocabulary).
VALUE, FOLDER, FILE, FUNCTION, METHOD, CLASS, STRUCT, ENUM, INTERFACE, MODULE, CONSTANT, FIELD = (
    "value",
    "folder",
    "file",
    "function",
    "method",
    "class",
    "struct",
    "enum",
    "interface",
    "module",
    "constant",
    "field",
)
ENUM_MEMBER, REFERENCE, EVENT, TEXT, PERSON, HEADING = (
    "enum_member",
    "reference",
    "event",
    "text",
    "person",
    "heading",
)


@dataclass(frozen=True, slots=True)
class Completion:
    label: str
    insert_text: str  # escaped for the place it is inserted
    replace_span: Span  # code point offsets into the document; always on the cursor's line
    kind: str
    detail: str | None = None
    documentation: str | None = None  # Markdown
    sort_text: str | None = None
    filter_text: str | None = None
    retrigger: bool = False  # ask the editor to complete again after inserting (directories)


# --- vocabulary documentation ----------------------------------------------------------------

STATUS_DOCS = {
    "implemented": "**Implemented** — shipped parity. Requires CI-gated proving tests: the tests in "
    "Evidence (Tests) must exist and be run by a job and command cited in Evidence (CI) "
    "(PM201, PM202, PM203), at or above the row's Proof Level Required (PM204).",
    "partial": "**Partial** — part of the behaviour is shipped. Cite the evidence for what exists and say "
    "in Notes what is missing.",
    "designed": "**Designed** — a design exists, nothing is shipped. Must not be treated as shipped parity: "
    'no ✅, "done" or "shipped" in its cells (PM205).',
    "planned": "**Planned** — intended, not designed or shipped. Must not be treated as shipped parity "
    "(PM205).",
    "exception": "**Exception** — a deliberate deviation from the reference system. Must point to the "
    "exceptions document{doc} and cite an exception id it declares, e.g. `EX-04` (PM206, PM207).",
}
PROOF_DOCS = {
    "unit": "**unit** — the lowest level: unit tests prove it.",
    "integration": "**integration** — integration tests (or higher) prove it.",
    "e2e": "**e2e** — end-to-end tests prove it.",
    "prod": "**prod** — proven in production (the highest level): no test glob reaches it, so cited "
    "tests alone never satisfy it.",
}
GROUPS = (
    "Scheduling",
    "Sensors",
    "Run identity (`run_key`)",
    "Partitions",
    "Backfills",
    "Partition status",
    "Staleness/reconciliation",
    "Operator UX (CLI/API)",
    "Production hardening",
)

_TITLED = frozenset({"test", "describe"})  # definitions named by a title string (jest, RSpec, Catch2)
_DEF_KINDS = {
    "fn": FUNCTION,
    "def": FUNCTION,
    "func": FUNCTION,
    "function": FUNCTION,
    "test": FUNCTION,
    "method": METHOD,
    "class": CLASS,
    "struct": STRUCT,
    "enum": ENUM,
    "trait": INTERFACE,
    "interface": INTERFACE,
    "type": CLASS,
    "mod": MODULE,
    "module": MODULE,
    "describe": MODULE,
    "namespace": MODULE,
    "protocol": INTERFACE,
    "object": CLASS,
    "extension": CLASS,
    "actor": CLASS,
    "record": STRUCT,
    "union": STRUCT,
    "constructor": METHOD,
    "init": METHOD,
    "property": FIELD,
    "variant": CONSTANT,
    "macro": FUNCTION,
    "const": CONSTANT,
    "static": CONSTANT,
    "var": CONSTANT,
    "let": CONSTANT,
    "field": FIELD,
}


# --- entry point ------------------------------------------------------------------------------


def complete(
    ws: Workspace,
    rel: str,
    text: str,
    offset: int,
    matrices: Iterable[Matrix] = (),
    trigger: str | None = None,
) -> list[Completion]:
    """Completions at `offset` (code point) in `text`, the current content of matrix file `rel`.

    `matrices` are other parsed matrices of the workspace (owner values are collected from
    them; the row under the cursor is skipped when one of them is this document). `trigger` is
    the character that triggered the request, if any: prose (Notes) gets exception ids only
    once a word is typed or on explicit invocation, not after every space or parenthesis.
    """
    offset = max(0, min(offset, len(text)))
    ls, le = _line_bounds(text, offset)
    line = text[ls:le]
    col = offset - ls
    heading = _HEADING.match(line)
    if heading and col >= heading.end():
        return _headings(text, ls, le, ls + heading.end(), offset)
    cell = _cell_at(ws, rel, text, ls, le, offset)
    if cell is None:
        return _exception_words(ws, text[ls:offset], offset, escape=_identity, always=False)
    ctx = _Ctx(ws, rel, text, offset, cell, list(matrices))
    ctx.trigger = trigger
    return ctx.run()


# --- lines and the table around the cursor ---------------------------------------------------

_HEADING = re.compile(r"^ {0,3}#{2,6}[ \t]+")
_DELIMITER_CHARS = " \t|:-"


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, offset) + 1
    if "\r" in text:
        ls = max(ls, text.rfind("\r", ls, offset) + 1)
    le = len(text)
    for ch in "\r\n":
        j = text.find(ch, offset, le)
        if j != -1:
            le = j
    return ls, le


def _prev_line(text: str, start: int, has_cr: bool) -> tuple[int, int] | None:
    """Bounds of the line before the line starting at `start`."""
    if start <= 0:
        return None
    end = start - 1
    if text[end] == "\n" and end > 0 and text[end - 1] == "\r":
        end -= 1
    s = text.rfind("\n", 0, end) + 1
    if has_cr:
        s = max(s, text.rfind("\r", s, end) + 1)
    return s, end


# A blockquote's `>` markers before a table line (GitHub renders tables in blockquotes).
_QUOTE = re.compile(r"(?:[ \t]*>)+[ \t]?")


def _quote_length(line: str) -> int:
    m = _QUOTE.match(line) if ">" in line else None
    return m.end() if m is not None else 0


def _is_delimiter(line: str) -> bool:
    line = line[_quote_length(line) :]
    return "-" in line and "|" in line and not line.strip(_DELIMITER_CHARS)


@dataclass(slots=True)
class _Cell:
    fmt: MatrixFormat
    column: str | None  # the column's role (`roles.py`): status, tests, ...
    start: int  # document offsets of the cell's raw text (between separators)
    end: int
    quoted: bool = False  # CSV/TSV: the cell is a quoted field
    template: bool = False  # the cell's table is a template table (Capability and Status columns)
    header: Cell | None = None  # its column's header cell


def _cell_at(ws: Workspace, rel: str, text: str, ls: int, le: int, offset: int) -> _Cell | None:
    """The cell under the cursor in a matrix table row, from the header and this line only."""
    from parity_lsp.engine import matrix_format

    fmt = matrix_format(rel)
    line = text[ls:le]
    if fmt == MatrixFormat.MARKDOWN:
        if "|" not in line or _is_delimiter(line):
            return None
        found = _header_above(rel, text, ls)
        if found is None:
            return None
        table = _header_table(ws, rel, f"{found[0]}\n{found[1]}\n|\n")
        pre = _quote_length(line)
        bounds = [(s + pre, e + pre, q) for s, e, q in _pipe_cells(line[pre:])]
    else:
        if ls == 0:
            return None  # the header line
        header = text[: _line_bounds(text, 0)[1]].lstrip("\ufeff")
        table = _header_table(ws, rel, f"{header}\n")
        bounds = _delimited_cells(line, "," if fmt == MatrixFormat.CSV else "\t")
    if table is None:
        return None
    col = offset - ls
    for idx, (s, e, quoted) in enumerate(bounds):
        if s <= col <= e:
            header_cell = table.header[idx] if idx < len(table.header) else None
            return _Cell(
                fmt, table.roles.role_at(idx), ls + s, ls + e, quoted, table.roles.template, header_cell
            )
    return None


_header_cache: dict[tuple[str, str, object], Table | None] = {}


def _header_above(rel: str, text: str, ls: int) -> tuple[str, str] | None:
    """(header line, delimiter line) of the Markdown table the line starting at `ls` is a row of:
    walk up over table lines (and directive comments) to the delimiter row."""
    has_cr = "\r" in text
    cur = ls
    while True:
        prev = _prev_line(text, cur, has_cr)
        if prev is None:
            return None
        ptext = text[prev[0] : prev[1]]
        if _is_delimiter(ptext):
            above = _prev_line(text, prev[0], has_cr)
            if above is None:
                return None
            return text[above[0] : above[1]].lstrip("\ufeff"), ptext
        if "|" not in ptext and not ptext.lstrip().startswith("<!--"):
            return None
        cur = prev[0]


def _header_table(ws: Workspace, rel: str, mini: str) -> Table | None:
    """The (row-less) table `mini` starts with, its columns' roles assigned as the engine
    assigns them (`[columns]` included); None: not a matrix table."""
    from parity_lsp.engine import matrix_format, parse_matrix

    spec = ws.config.column_spec
    key = (matrix_format(rel).value, mini, spec)
    if key in _header_cache:
        return _header_cache[key]
    table = _first_table(parse_matrix(rel, mini, spec))
    if len(_header_cache) > 256:
        _header_cache.clear()
    _header_cache[key] = table
    return table


def _first_table(matrix: Matrix) -> Table | None:
    return matrix.tables[0] if matrix.tables else None


def _pipe_cells(line: str) -> list[tuple[int, int, bool]]:
    """Cell ranges of a Markdown table line (GFM: `\\|` escapes); a leading pipe opens the
    first cell, and text after the last pipe is one more (maybe empty, half-typed) cell."""
    pipes: list[int] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "|":
            pipes.append(i)
        i += 1
    lead = len(line) - len(line.lstrip())
    start = 0
    if pipes and pipes[0] == lead:
        start = pipes.pop(0) + 1
    out: list[tuple[int, int, bool]] = []
    for p in pipes:
        out.append((start, p, False))
        start = p + 1
    out.append((start, n, False))
    return out


def _delimited_cells(line: str, delim: str) -> list[tuple[int, int, bool]]:
    out: list[tuple[int, int, bool]] = []
    start = 0
    quoted = False
    in_quotes = False
    for i, ch in enumerate(line):
        if ch == '"':
            if i == start or (start < i and not line[start:i].strip() and not quoted):
                quoted = True
            in_quotes = not in_quotes
        elif ch == delim and not in_quotes:
            out.append(_unquote(line, start, i, quoted))
            start, quoted = i + 1, False
    out.append(_unquote(line, start, len(line), quoted))
    return out


def _unquote(line: str, s: int, e: int, quoted: bool) -> tuple[int, int, bool]:
    if quoted:
        q = line.find('"', s, e)
        s = q + 1
        if e > s and line[e - 1] == '"':
            e -= 1
    return s, e, quoted


# --- escaping ---------------------------------------------------------------------------------

Escape = Callable[[str], str]  # text to insert -> text escaped for the cell it goes into


def _identity(s: str) -> str:
    return s


def _md_escape(s: str) -> str:
    return s.replace("\\|", "|").replace("|", "\\|")


def _csv_escape(s: str) -> str:
    return s.replace('"', '""')


# --- the file tree ------------------------------------------------------------------------------

_TEST_DIRS = frozenset({"tests", "test", "__tests__", "testing", "spec", "e2e"}) | frozenset(
    d for lang in languages.languages() for d in lang.test_dirs
)
# generic test-file names, and the registry's (`CalcTests.swift`, `calc_spec.rb`, `FooIT.java`)
_TEST_NAME = re.compile(
    r"^(?:test_.*|.*_test\.[^.]+|.*_tests\.[^.]+|.*\.(?:test|spec)\.[^.]+|conftest\.py"
    + "".join(f"|{p}" for lang in languages.languages() for p in lang.test_files)
    + ")$"
)
_SOURCE_EXT = languages.source_extensions()  # the registry's languages and other code
SRC, TST, WF = 0, 1, 2


def file_category(path: str) -> tuple[bool, bool, bool]:
    """(source file that is not a test, test file, GitHub workflow)."""
    parts = path.split("/")
    name = parts[-1]
    ext = posixpath.splitext(name)[1].lower()
    test = bool(_TEST_NAME.match(name)) or any(p in _TEST_DIRS for p in parts[:-1])
    wf = len(parts) == 3 and parts[0] == ".github" and parts[1] == "workflows" and ext in (".yml", ".yaml")
    return (ext in _SOURCE_EXT and not test, test and ext in _SOURCE_EXT, wf)


class FileTree:
    """Directories derived from the workspace file list: children and what lies below."""

    __slots__ = ("children", "counts", "files")

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.children: dict[str, dict[str, bool]] = {"": {}}  # dir -> name -> is_dir
        self.counts: dict[str, list[int]] = {"": [0, 0, 0]}  # dir -> [source, test, workflow] below
        self._add(files)

    def _add(self, files: list[str]) -> None:
        children, counts = self.children, self.counts
        for f in files:
            cat = file_category(f)
            parts = f.split("/")
            d = ""
            touched = [counts[""]]
            for part in parts[:-1]:
                sub = f"{d}/{part}" if d else part
                kids = children.get(d)
                if kids is None:
                    kids = children[d] = {}
                kids[part] = True
                c = counts.get(sub)
                if c is None:
                    c = counts[sub] = [0, 0, 0]
                    children.setdefault(sub, {})
                touched.append(c)
                d = sub
            kids = children.get(d)
            if kids is None:
                kids = children[d] = {}
            kids.setdefault(parts[-1], False)
            for k in range(3):
                if cat[k]:
                    for c in touched:
                        c[k] += 1

    def _remove(self, path: str) -> None:
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

    def is_dir(self, rel: str) -> bool:
        return rel in self.children

    def is_file(self, rel: str) -> bool:
        d, _, name = rel.rpartition("/")
        return self.children.get(d, {}).get(name) is False


class _TreeCache:
    """The file tree of the workspace file list seen last (`files`: that list object)."""

    __slots__ = ("files", "tree")

    def __init__(self) -> None:
        self.files: list[str] | None = None
        self.tree: FileTree | None = None

    def clear(self) -> None:
        self.files = None
        self.tree = None

    def current(self, files: list[str]) -> FileTree | None:
        """The tree of `files` if it is kept (or can be patched into it), else None."""
        tree, old = self.tree, self.files
        if tree is None or old is None:
            return None
        if old is files:
            return tree
        if _patch(tree, old, files):
            self.files = files  # a file created or deleted: the tree is patched, not built again
            return tree
        return None


_tree_cache = _TreeCache()


def file_tree(ws: Workspace) -> FileTree:
    files = ws.files()
    tree = _tree_cache.current(files)
    if tree is None:
        tree = FileTree(files)
        _tree_cache.files, _tree_cache.tree = files, tree
    return tree


def file_tree_steps(ws: Workspace, files_per_step: int = 500) -> Iterator[None]:
    """Build `file_tree(ws)` (kept until the file list changes) as a generator yielding every
    `files_per_step` files (~1 ms): 50,000 files take ~100 ms, which a server spends ahead of
    the first completion, between requests. Stops when a request built it meanwhile."""
    files = ws.files()
    if _tree_cache.current(files) is not None:
        return
    tree = FileTree([])
    tree.files = files
    for i in range(0, len(files), files_per_step):
        tree._add(files[i : i + files_per_step])
        yield
        if _tree_cache.files is files:
            return  # a completion needed it first and built it
    if ws.files() is files:  # the file list did not change meanwhile
        _tree_cache.files, _tree_cache.tree = files, tree


PATCHED_FILES = 256  # more files created or deleted at once: the tree is built again


def _patch(tree: FileTree, old: list[str], new: list[str]) -> bool:
    """Turn `tree` (of the file list `old`) into the tree of `new` when few files differ: a
    file created or deleted patches the list (Workspace.file_appeared_or_vanished), and
    building the tree again took the next completion ~130 ms at 50,000 files."""
    if abs(len(new) - len(old)) > PATCHED_FILES:
        return False
    old_set, new_set = set(old), set(new)
    gone, came = old_set - new_set, new_set - old_set
    if len(gone) + len(came) > PATCHED_FILES:
        return False
    for path in gone:
        tree._remove(path)
    tree._add(sorted(came))
    tree.files = new
    return True


_NATURAL = re.compile(r"(\d+)")


def _natural(name: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p.lower() for p in _NATURAL.split(name)]


# --- owner values -------------------------------------------------------------------------------

_owner_cache: dict[int, tuple[Matrix, list[tuple[int, str]]]] = {}


def _owners_of(matrix: Matrix) -> list[tuple[int, str]]:
    cached = _owner_cache.get(id(matrix))
    if cached is not None and cached[0] is matrix:
        return cached[1]
    out: list[tuple[int, str]] = []
    for table in matrix.tables:
        idx = table.role_index.get(COL_OWNER)
        if idx is None:
            continue
        for row in table.rows:
            if idx < len(row.cells):
                raw = row.cells[idx].text
                value = plain_value(raw) if any(c in raw for c in "*_`\\") else raw
                if value:
                    out.append((row.line, value))
    if len(_owner_cache) > 256:
        _owner_cache.clear()
    _owner_cache[id(matrix)] = (matrix, out)
    return out


# --- the column-aware part ----------------------------------------------------------------------


@dataclass(slots=True)
class _Scan:
    """State at the end of a cell prefix: an open code span, and the open parentheses."""

    code_start: int | None = None  # offset (in the prefix) of the open code span's content
    code_run: int = 0
    stack: list[tuple[str, int]] = field(default_factory=list)  # ("paren" | "link", index of "(")


def _scan(pre: str) -> _Scan:
    st = _Scan()
    i, n = 0, len(pre)
    while i < n:
        ch = pre[i]
        if st.code_start is None and ch == "\\":
            i += 2
            continue
        if ch == "`":
            j = i
            while j < n and pre[j] == "`":
                j += 1
            if st.code_start is None:
                st.code_start, st.code_run = j, j - i
            elif j - i == st.code_run:
                st.code_start = None
            i = j
            continue
        if st.code_start is None:
            if ch == "(":
                st.stack.append(("link" if i > 0 and pre[i - 1] == "]" else "paren", i))
            elif ch == ")" and st.stack:
                st.stack.pop()
            elif ch == ";" or (ch == "<" and re.match(r"<br\s*/?>", pre[i:], re.I)):
                st.stack.clear()  # a new reference starts
        i += 1
    return st


# A file, a colon and the names listed so far (`` `x_test.go`: `TestA`, ``), up to a new name.
_LISTED = re.compile(
    r"^\s*(?P<file>`[^`]+`|[\w./-]+\.\w+)\s*[:：]\s*(?:(?:`[^`]*`|[\w.:/]+)\s*[,，、+]\s*)*$"
)
_LOCATION = re.compile(r"^(?P<path>[^:#]+)(?::|#L)(?P<digits>\d*)$")
_NODE_ID = re.compile(r"^(?P<path>[^:]+)::(?P<name>[\w:.]*)$")
_JOB_ID = re.compile(r"^\s*(?:jobs?\s+)?$", re.I)
_JOB_WORD = re.compile(r"^\s*(?:j|jo|job|jobs)?$", re.I)
_BARE_JOB = re.compile(r"^\s*jobs?\s+([\w.-]*)$", re.I)
_AFTER_JOB = re.compile(r"^\s*(?:jobs?\s+)?`?([\w.-]+)`?\s*:\s*(?P<rest>.*)$", re.I | re.S)
_IDENT_TAIL = re.compile(r"[\w:.<>]*$")
_WORD_TAIL = re.compile(r"[\w-]*$")
_UP_ONLY = re.compile(r"^(?:\.\./)*$")


def _tail(pattern: re.Pattern[str], text: str) -> str:
    """What `pattern` (anchored at the end, and matching the empty string) matches at the end
    of `text`: it always matches, the empty string when nothing else."""
    found = pattern.search(text)
    return found.group(0) if found is not None else ""


class _Ctx:
    def __init__(self, ws: Workspace, rel: str, text: str, offset: int, cell: _Cell, matrices: list[Matrix]):
        self.ws = ws
        self.rel = rel
        self.text = text
        self.offset = offset
        self.cell = cell
        self.matrices = matrices
        self.pre = text[cell.start : offset]
        self.post = text[offset : cell.end]
        self.column = cell.column
        self.trigger: str | None = None
        if cell.fmt == MatrixFormat.MARKDOWN:
            self.escape = _md_escape
        elif cell.quoted:
            self.escape = _csv_escape
        else:
            self.escape = _identity

    def span(self, start_in_pre: int) -> Span:
        return Span(self.cell.start + start_in_pre, self.offset)

    # -- dispatch --

    def run(self) -> list[Completion]:
        column = self.column
        if column == COL_STATUS:
            return self.values(self.status_values(), self.status_doc)
        if column == COL_PROOF:
            return self.values(self.ws.config.proof_levels, self.proof_doc)
        if column == COL_OWNER:
            return self.owners()
        if column in EVIDENCE_COLUMNS:
            out = self.evidence()
            word = _tail(_WORD_TAIL, self.pre)
            if word.startswith("EX") and "/" not in word:
                out += _exception_words(self.ws, self.pre, self.offset, self.escape, always=True)
            return out
        prose_trigger = self.trigger is not None and not _tail(_WORD_TAIL, self.pre)
        return _exception_words(
            self.ws, self.pre, self.offset, self.escape, always=column == COL_NOTES and not prose_trigger
        )

    # -- whole-cell values --

    def value_span(self) -> Span:
        raw = self.text[self.cell.start : self.cell.end]
        lead = len(raw) - len(raw.lstrip())
        start = self.cell.start + lead
        end = self.cell.start + len(raw.rstrip())
        if self.offset < start:
            return Span(self.offset, max(self.offset, end))
        return Span(start, max(self.offset, end))

    def values(self, names: Iterable[str], doc: Callable[[str], str]) -> list[Completion]:
        span = self.value_span()
        return [
            Completion(
                name,
                self.escape(name),
                span,
                ENUM_MEMBER,
                detail=self.column_title(),
                documentation=doc(name),
                sort_text=f"{i:03d}",
                filter_text=name,
            )
            for i, name in enumerate(names)
        ]

    def column_title(self) -> str:
        if not self.cell.template and self.cell.header is not None and self.cell.header.value:
            return self.cell.header.value
        return {COL_STATUS: "Status", COL_PROOF: "Proof Level Required"}.get(self.column or "", "")

    def status_values(self) -> list[str]:
        """The status vocabulary of the cursor's table: a template table's `statuses`; another
        table's words first (as its rows write them, most used first), then the rest of its
        vocabulary (configured values, or the built-in lexicon)."""
        vocabulary = self.ws.config.vocabulary(self.cell.template)
        if vocabulary.legacy:
            return list(self.ws.config.statuses)
        counts: Counter[str] = Counter()
        for matrix in self.matrices:
            if matrix.path != self.rel:
                continue
            for table in matrix.tables:
                if table.roles.template:
                    continue
                for row in table.rows:
                    match = vocabulary.match(row.status)
                    if match is not None and row.status.strip():
                        counts[row.status.strip()] += 1
        ours = [word for word, _n in counts.most_common(20)]
        seen = {w.casefold() for w in ours}
        return ours + [w for w in vocabulary.words if w.casefold() not in seen]

    def status_doc(self, name: str) -> str:
        vocabulary = self.ws.config.vocabulary(self.cell.template)
        if not vocabulary.legacy:
            match = vocabulary.match(name)
            if match is not None and match.meaning is not None:
                return match.describe(name) + "\n\n" + MEANING_DOCS[match.meaning]
        docs = sorted({doc for doc, _line in self.ws.exception_ids().values()})
        where = (
            f" (`{docs[0]}`)"
            if len(docs) == 1
            else " (" + ", ".join(f"`{g}`" for g in self.ws.config.exceptions_doc) + ")"
        )
        doc = STATUS_DOCS.get(name.lower())
        return doc.format(doc=where) if doc else f"**{name}** — a status configured for this workspace."

    def proof_doc(self, name: str) -> str:
        levels = list(self.ws.config.proof_levels)
        doc = PROOF_DOCS.get(name.lower(), f"**{name}** — a proof level configured for this workspace.")
        globs = self.ws.config.proof_level_globs.get(name)
        if globs:
            doc += "\n\nTests at this level: " + ", ".join(f"`{g}`" for g in globs) + "."
        if len(levels) > 1:
            doc += (
                "\n\nLevels, lowest first: "
                + " < ".join(levels)
                + ". A test at a higher level satisfies a lower requirement."
            )
        return doc

    def owners(self) -> list[Completion]:
        counts: Counter[str] = Counter()
        cursor_line = self.text.count("\n", 0, self.cell.start) if self.matrices else -1
        for m in self.matrices:
            for line, owner in _owners_of(m):
                if m.path == self.rel and line == cursor_line:
                    continue
                counts[owner] += 1
        placeholders = {p.lower() for p in self.ws.config.owner_placeholders}
        span = self.value_span()
        ranked = sorted(
            ((n, o) for o, n in counts.items() if o.lower() not in placeholders),
            key=lambda x: (-x[0], x[1].lower()),
        )
        return [
            Completion(
                owner,
                self.escape(owner),
                span,
                PERSON,
                detail=f"owner of {n} row{'s' if n != 1 else ''}",
                sort_text=f"{i:05d}",
                filter_text=owner,
            )
            for i, (n, owner) in enumerate(ranked)
        ]

    # -- evidence --

    def evidence(self) -> list[Completion]:
        st = _scan(self.pre)
        code_start = st.code_start  # None: the cursor is not in a code span
        enclosing = st.stack[-1] if st.stack else None
        if enclosing is not None and enclosing[0] == "link" and code_start is None:
            target_start = enclosing[1] + 1
            return self.path_like(self.pre[target_start:], target_start, link=True)
        if enclosing is not None and enclosing[0] == "paren":
            ref = self.ref_before(enclosing[1])
            if ref is not None:
                inner_start = enclosing[1] + 1
                if ref.kind == RefKind.CI:
                    return self.ci_paren(ref, inner_start, st)
                if not (code_start is not None and "/" in self.pre[code_start:]):  # a path in the parenthesis
                    return self.symbols(ref, inner_start, st)
        if code_start is not None:
            src = self.listed_after_file(code_start - st.code_run)
            if src is not None:  # `x_test.go`: `TestA`, `Te|`: the names of that file (SPEC 8)
                return self.symbol_items(src, self.span(code_start), wrap=False, closed=self.code_closed(st))
            return self.path_like(self.pre[code_start:], code_start, link=False, st=st)
        return []

    def listed_after_file(self, end: int) -> SourceFile | None:
        """The file whose names a list written after it and a colon continues at `end` (the
        prefix's index of the code span being typed): `` `x_test.go`: `TestA`, `` → x_test.go."""
        from parity_lsp.parse.evidence import parse_evidence

        head = self.pre[:end]
        cut = max(head.rfind(";"), head.rfind("；"), head.lower().rfind("<br"))
        start = cut + 1 if cut >= 0 else 0
        segment = head[start:]
        m = _LISTED.match(segment)
        if m is None:
            return None
        ev = parse_evidence(segment[: m.end("file")], 0, self.rel, self.column)
        ref = ev.refs[0] if len(ev.refs) == 1 and ev.refs[0].kind == RefKind.PATH else None
        if ref is None:
            return None
        src = self.source(ref.path, ref.is_link)
        if src is None and "/" not in ref.path:
            named = self.ws.files_named(ref.path)
            src = self.ws.source(named[0]) if len(named) == 1 else None
        return src

    def ref_before(self, paren: int) -> Reference | None:
        """The path reference that a parenthesis at `paren` (index in the prefix) follows."""
        from parity_lsp.parse.evidence import parse_evidence

        head = self.pre[:paren]
        stripped = head.rstrip()
        if not stripped:
            return None
        ev = parse_evidence(stripped, 0, self.rel, self.column)
        for ref in reversed(ev.refs):
            if ref.full_span.end == len(stripped) and ref.path:
                return ref
        return None

    # paths, folder by folder

    def path_like(
        self, typed: str, typed_start: int, link: bool, st: _Scan | None = None
    ) -> list[Completion]:
        if typed.startswith("/") or any(c in typed for c in " \t{}*<"):
            return []
        node = _NODE_ID.match(typed)
        if node and node.group("path") and not link:
            src = self.source(node.group("path"), link)
            start = typed_start + len(typed) - len(node.group("name"))
            closed = self.code_closed(st) if st is not None else True
            return self.symbol_items(src, self.span(start), wrap=False, closed=closed) if src else []
        loc = _LOCATION.match(typed)
        if loc and loc.group("path"):
            return self.lines(loc.group("path"), typed_start + len(typed) - len(loc.group("digits")), link)
        out: list[Completion] = []
        if self.column == COL_CI and not link:
            out += self.workflows(typed, typed_start)
        out += self.paths(typed, typed_start, link)
        return out

    def resolve_dir(self, typed_dir: str, link: bool) -> tuple[str, bool] | None:
        """Workspace directory for a typed directory prefix (and whether it is the root)."""
        tree = file_tree(self.ws)
        candidates = []
        if link:
            base = posixpath.dirname(self.rel)
            candidates.append(posixpath.join(base, typed_dir) if typed_dir else base)
        candidates.append(typed_dir)
        for cand in candidates:
            norm = posixpath.normpath(cand) if cand else ""
            if norm == ".":
                norm = ""
            if norm == ".." or norm.startswith(("../", "/")):
                continue
            if tree.is_dir(norm):
                return norm, norm == ""
        return None

    def paths(self, typed: str, typed_start: int, link: bool) -> list[Completion]:
        cut = typed.rfind("/") + 1
        typed_dir, seg = typed[:cut], typed[cut:]
        found = self.resolve_dir(typed_dir.rstrip("/"), link)
        if found is None:
            return []
        directory, at_root = found
        tree = file_tree(self.ws)
        span = self.span(typed_start + cut)
        column = self.column
        entries = []
        for name, is_dir in tree.children.get(directory, {}).items():
            full = f"{directory}/{name}" if directory else name
            if is_dir:
                c = tree.counts.get(full, (0, 0, 0))
                tier = _dir_tier(column, name, c)
            else:
                tier = _file_tier(column, full)
            entries.append((tier, not is_dir, _natural(name), name, is_dir, full))
        entries.sort(key=lambda e: e[:3])
        out = []
        for i, (tier, _isfile, _key, name, is_dir, full) in enumerate(entries):
            if is_dir:
                c = tree.counts.get(full, (0, 0, 0))
                out.append(
                    Completion(
                        name + "/",
                        self.escape(name + "/"),
                        span,
                        FOLDER,
                        detail=_dir_detail(column, c),
                        sort_text=f"{tier}{i:05d}",
                        filter_text=name,
                        retrigger=True,
                    )
                )
            else:
                out.append(
                    Completion(
                        name,
                        self.escape(name),
                        span,
                        FILE,
                        detail=full,
                        sort_text=f"{tier}{i:05d}",
                        filter_text=name,
                    )
                )
        if link and not at_root and seg in ("", ".", "..") and _UP_ONLY.match(typed_dir):
            out.append(
                Completion(
                    "../",
                    "../",
                    span,
                    FOLDER,
                    detail="parent directory",
                    sort_text="9zzzzz",
                    filter_text="..",
                    retrigger=True,
                )
            )
        return out

    def workflows(self, typed: str, typed_start: int) -> list[Completion]:
        from parity_lsp.workspace.ci.workflows import WORKFLOW_DIR

        prefix = WORKFLOW_DIR + "/"
        if not (prefix.startswith(typed) or typed.startswith(prefix)) or "/" in typed[len(prefix) :]:
            return []
        tree = file_tree(self.ws)
        names = sorted(
            (
                n
                for n, d in tree.children.get(WORKFLOW_DIR, {}).items()
                if not d and n.endswith((".yml", ".yaml"))
            ),
            key=_natural,
        )
        span = self.span(typed_start)
        return [
            Completion(
                prefix + n,
                self.escape(prefix + n),
                span,
                FILE,
                detail="GitHub Actions workflow",
                sort_text=f"0!{i:04d}",
                filter_text=prefix + n,
            )
            for i, n in enumerate(names)
        ]

    # path:LINE

    def lines(self, path: str, digits_start: int, link: bool) -> list[Completion]:
        src = self.source(path, link)
        if src is None or not src.definitions:
            return []
        span = self.span(digits_start)
        defs = sorted((d for d in src.definitions if d.kind != "impl"), key=lambda d: (d.line, d.qualname))
        out = []
        for i, d in enumerate(defs):
            line = str(d.line + 1)
            out.append(
                Completion(
                    f"{d.qualname} — {d.kind}, line {line}",
                    line,
                    span,
                    _DEF_KINDS.get(d.kind, TEXT),
                    detail=d.signature or None,
                    documentation=_signature_doc(src.rel, d),
                    sort_text=f"{i:05d}",
                    filter_text=f"{line} {d.qualname}",
                )
            )
        return out

    def source(self, path: str, link: bool) -> SourceFile | None:
        rel = resolve_reference_path(path, posixpath.dirname(self.rel) if link else None, self.ws.fs)
        if rel is None or not self.ws.fs.is_file(rel):
            return None
        return self.ws.source(rel)

    # (`symbol`)

    def symbols(self, ref: Reference, inner_start: int, st: _Scan) -> list[Completion]:
        src = self.source(ref.path, ref.is_link)
        if src is None:
            return []
        if st.code_start is not None and st.code_start > inner_start:
            return self.symbol_items(src, self.span(st.code_start), wrap=False, closed=self.code_closed(st))
        typed = _tail(_IDENT_TAIL, self.pre)
        return self.symbol_items(src, self.span(len(self.pre) - len(typed)), wrap=True, closed=True)

    def symbol_items(self, src: SourceFile, span: Span, wrap: bool, closed: bool) -> list[Completion]:
        """The file's definitions (tests first in the Tests column), inserting the qualname."""
        if not src.definitions:
            return []
        tests_first = self.column == COL_TESTS
        defs = [d for d in src.definitions if d.kind != "impl"]
        defs.sort(key=lambda d: ((not d.is_test) if tests_first else d.is_test, d.line))
        out: list[Completion] = []
        seen: set[str] = set()
        lang = languages.for_path(src.rel)
        sep = lang.separator if lang is not None else "::"
        for d in defs:
            if d.qualname in seen:
                continue
            seen.add(d.qualname)
            # as people write it in this language (`CalcTest.adds`); test titles keep `::`
            written = d.qualname if sep == "::" or d.kind in _TITLED else d.qualname.replace("::", sep)
            name = self.escape(written)
            insert = f"`{name}`" if wrap else (name if closed else name + "`")
            detail = f"{'test' if d.is_test else d.kind}, line {d.line + 1}"
            if d.disabled:
                detail += f" (disabled: {d.disabled})"
            out.append(
                Completion(
                    written,
                    insert,
                    span,
                    _DEF_KINDS.get(d.kind, TEXT),
                    detail=detail,
                    documentation=_signature_doc(src.rel, d),
                    sort_text=f"{len(out):05d}",
                    filter_text=written,
                )
            )
        return out

    def code_closed(self, st: _Scan) -> bool:
        """Whether the open code span is closed later in the cell."""
        run = "`" * st.code_run
        i = self.post.find(run)
        while i != -1:
            j = i + st.code_run
            if (j >= len(self.post) or self.post[j] != "`") and (i == 0 or self.post[i - 1] != "`"):
                return True
            while j < len(self.post) and self.post[j] == "`":
                j += 1
            i = self.post.find(run, j)
        return False

    # (job `id`: `command`)

    def ci_paren(self, ref: Reference, inner_start: int, st: _Scan) -> list[Completion]:
        from parity_lsp.workspace.ci.workflows import find_job, load_workflow

        rel = resolve_reference_path(ref.path, None, self.ws.fs)
        if rel is None:
            return []
        wf = load_workflow(self.ws.fs, rel)
        if not wf.ok or not wf.jobs:
            return []
        # the open code span's content, if it starts inside the parenthesis (None: not in code)
        code_start = st.code_start if st.code_start is not None and st.code_start > inner_start else None
        before = self.pre[
            inner_start : (code_start - st.code_run) if code_start is not None else len(self.pre)
        ]
        if code_start is not None and _JOB_ID.match(before):
            return self.jobs(wf, self.span(code_start), wrap=False, closed=self.code_closed(st))
        if code_start is None:
            m = _BARE_JOB.match(before)
            if m:
                return self.jobs(wf, self.span(len(self.pre) - len(m.group(1))), wrap=True, closed=True)
            if _JOB_WORD.match(before):
                word = before.strip()
                return self.jobs(
                    wf, self.span(len(self.pre) - len(word)), wrap=True, closed=True, keyword=True
                )
        m = _AFTER_JOB.match(before)
        if m is None:
            return []
        job = find_job(wf, m.group(1))
        if job is None:
            return []
        rest = m.group("rest")
        if code_start is not None:
            return self.commands(job, self.span(code_start), wrap=False, closed=self.code_closed(st))
        if not rest.strip() or rest.rstrip().endswith("+"):
            return self.commands(job, self.span(len(self.pre)), wrap=True, closed=True)
        return []

    def jobs(
        self, wf: Workflow, span: Span, wrap: bool, closed: bool, keyword: bool = False
    ) -> list[Completion]:
        out: list[Completion] = []
        for i, job in enumerate(sorted(wf.jobs.values(), key=lambda j: j.line)):
            jid = self.escape(job.id)
            if keyword:
                label, insert, filt = f"job {job.id}", f"job `{jid}`: ", f"job {job.id}"
            elif wrap:
                label, insert, filt = job.id, f"`{jid}`", job.id
            else:
                label, insert, filt = job.id, jid if closed else jid + "`", job.id
            cmds = list(dict.fromkeys(c.text for c in job.commands))
            doc = f"`{wf.path}`, line {job.line + 1}"
            if cmds:
                doc += "\n\n```sh\n" + "\n".join(cmds[:20]) + "\n```"
            out.append(
                Completion(
                    label,
                    insert,
                    span,
                    EVENT,
                    detail=job.name or None,
                    documentation=doc,
                    sort_text=f"{i:05d}",
                    filter_text=filt,
                )
            )
        return out

    def commands(self, job: Job, span: Span, wrap: bool, closed: bool) -> list[Completion]:
        """The job's `run:` commands: each script line as written (a pipeline or `&&` chain whole),
        then the simple commands the CI model splits it into (matrix values substituted)."""
        out: list[Completion] = []
        seen: set[str] = set()

        def add(text: str, step: Step, line: int) -> None:
            if not text or text in seen:
                return
            seen.add(text)
            escaped = self.escape(text)
            insert = f"`{escaped}`" if wrap else (escaped if closed else escaped + "`")
            where = step.name or f"step {step.index}"
            out.append(
                Completion(
                    text,
                    insert,
                    span,
                    TEXT,
                    detail=f"job {job.id} · {where}, line {line + 1}",
                    sort_text=f"{len(out):05d}",
                    filter_text=text,
                )
            )

        for step in job.steps:
            base = step.run_line if step.run_line is not None else step.line
            for k, line in _script_lines(step.run or ""):
                if "${{" not in line:
                    add(line, step, base + k)
            for cmd in step.commands:
                add(cmd.text, step, cmd.line)
        return out


_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")


def _script_lines(script: str) -> list[tuple[int, str]]:
    """Logical lines of a `run:` script (`\\` continuations joined, comments skipped), folded."""
    out = []
    line_no = 0
    for chunk in re.split(r"(?<!\\)\n", script.replace("\r\n", "\n")):
        folded = " ".join(_CONTINUATION.sub(" ", chunk).replace("\\\n", " ").split())
        if folded and not folded.startswith("#"):
            out.append((line_no, folded))
        line_no += chunk.count("\n") + 1
    return out


def _dir_tier(column: str | None, name: str, c: Sequence[int]) -> int:
    if column == COL_TESTS:
        if c[TST] and name in _TEST_DIRS:
            return 0
        return 1 if c[TST] else 2
    if column == COL_CI:
        return 0 if c[WF] else 1
    return 0 if c[SRC] else (1 if c[TST] else 2)


def _file_tier(column: str | None, path: str) -> int:
    src, test, wf = file_category(path)
    if column == COL_TESTS:
        return 0 if test else (1 if src else 2)
    if column == COL_CI:
        return 0 if wf else (1 if path.endswith((".yml", ".yaml")) else 2)
    return 0 if src else (1 if test else 2)


def _dir_detail(column: str | None, c: Sequence[int]) -> str:
    if column == COL_TESTS:
        return f"{c[TST]} test file{'s' if c[TST] != 1 else ''}"
    if column == COL_CI:
        return f"{c[WF]} workflow{'s' if c[WF] != 1 else ''}"
    return f"{c[SRC]} source file{'s' if c[SRC] != 1 else ''}"


def _signature_doc(rel: str, d: Definition) -> str | None:
    if not d.signature:
        return None
    lang = languages.for_path(rel)
    fence = lang.fence if lang is not None else ""
    return f"```{fence}\n{d.signature}\n```\n`{rel}`, line {d.line + 1}"


# --- exception ids and headings -----------------------------------------------------------------


def _exception_words(ws: Workspace, pre: str, offset: int, escape: Escape, always: bool) -> list[Completion]:
    word = _tail(_WORD_TAIL, pre)
    if not (always or word.startswith("EX")):
        return []
    ids = ws.exception_ids()
    span = Span(offset - len(word), offset)
    out = []
    doc_lines: dict[str, list[str]] = {}
    for i, (eid, (doc, line)) in enumerate(sorted(ids.items(), key=lambda kv: _natural(kv[0]))):
        lines = doc_lines.get(doc)
        if lines is None:
            lines = doc_lines[doc] = (ws.source(doc).text or "").splitlines()
        declared = lines[line].strip() if line < len(lines) else ""
        out.append(
            Completion(
                eid,
                escape(eid),
                span,
                REFERENCE,
                detail=f"{doc}:{line + 1}",
                documentation=declared or None,
                sort_text=f"{i:05d}",
                filter_text=eid,
            )
        )
    return out


def _headings(text: str, ls: int, le: int, content_start: int, offset: int) -> list[Completion]:
    line_content = text[content_start:le]
    end = content_start + len(line_content.rstrip())
    span = Span(content_start, max(offset, end))
    used = _used_headings(text, ls)
    out = []
    ordered = sorted(GROUPS, key=lambda g: g in used)
    for i, group in enumerate(ordered):
        out.append(
            Completion(
                group,
                group,
                span,
                HEADING,
                detail="already a heading in this file" if group in used else "suggested group",
                documentation="A domain group suggested by the Dagster parity matrix template.",
                sort_text=f"{i:03d}",
                filter_text=group,
            )
        )
    return out


def _used_headings(text: str, skip_line_start: int) -> set[str]:
    used = set()
    pos = -1
    while True:
        start = 0 if pos == -1 else pos + 1
        if text.startswith("#", start) and start != skip_line_start:
            end = text.find("\n", start)
            line = text[start : end if end != -1 else len(text)].rstrip("\r")
            m = re.match(r"#{1,6}[ \t]+(.*?)[ \t#]*$", line)
            if m:
                used.add(m.group(1).strip())
        pos = text.find("\n#", start)
        if pos == -1:
            break
    return used
