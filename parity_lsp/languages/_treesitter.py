"""Definitions and tests from a tree-sitter grammar (a PyPI wheel per language).

A language module describes its grammar with a `TreeSitterSpec`: the wheel's module, a
tags-style query (`@item.KIND` on each definition node, `@name` on its name), the comment
prefixes that make a doc comment, and two hooks: `item` (the name and kind of a match, or
None to drop it: GoogleTest macros, RSpec blocks) and `classify` (tests and disabled tests,
knowing the enclosing items). The generic part here parses, runs the query in C, nests the
items by their byte ranges (qualified names `Outer::Inner::method`), extends each item over
the comments directly above it (attributes and annotations are inside the node already),
and builds the scanners' records.

Invariant: importing this module imports nothing of tree-sitter; a grammar is loaded on the
first file of its language, once per process. A grammar that cannot be loaded raises
`GrammarUnavailable` (the symbol finder then says "language not understood", once, and the
rules search for words). A tree with syntax errors yields `PartialRecs`: what it lists is
real, what it does not list may still be defined. Never raises on any text otherwise.
"""

from __future__ import annotations

import importlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from parity_lsp.languages.base import PartialRecs

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

MAX_SIGNATURE = 200
_WS = re.compile(r"\s+")


class GrammarUnavailable(Exception):
    """The grammar wheel (or tree-sitter itself) cannot be imported or loaded."""


class Item:
    """One definition found by the query, before it becomes a record."""

    __slots__ = (
        "absolute",
        "body",
        "disabled",
        "disables",
        "end_byte",
        "end_row",
        "is_test",
        "kind",
        "name",
        "name_row",
        "node",
        "parent",
        "prefix",
        "shadow",
        "start_byte",
        "start_row",
        "to_end",
    )

    def __init__(self, node: Any, name: str, kind: str, name_row: int, body: Any = None) -> None:
        self.node = node  # tree_sitter.Node
        self.name = name
        self.kind = kind
        self.name_row = name_row
        self.body = body  # the node holding the body, when the item spans siblings (Catch2)
        self.start_byte: int = node.start_byte
        self.start_row: int = node.start_point.row
        end = body if body is not None else node
        self.end_byte: int = end.end_byte
        point = end.end_point
        # a node ending with its line break ends on the line before
        self.end_row: int = point.row - 1 if point.column == 0 and point.row > self.start_row else point.row
        self.parent: Item | None = None
        self.prefix: tuple[str, ...] = ()  # qualifying segments written with the name (`Calc::mul`)
        self.is_test = False
        self.disabled: str | None = None  # why this test is disabled
        self.disables: str | None = None  # a container whose tests are all disabled, and why
        self.to_end = False  # a container running to the end of the file (C# `namespace X;`)
        self.absolute = False  # named without its containers (a GoogleTest or Catch2 test)
        self.shadow = False  # not a wanted name: nests what it holds, but is not recorded

    def ancestors(self) -> list[Item]:
        out = []
        p = self.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out


ItemHook = Callable[[str, Any, Any, bytes], "Item | None"]  # (kind, node, name node, source) -> item
ClassifyHook = Callable[[Item, bytes], None]


def default_item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if name_node is None:
        return None
    name = text_of(name_node, src)
    if not name:
        return None
    return Item(node, name, kind, name_node.start_point.row)


def no_classify(item: Item, src: bytes) -> None:
    return None


def text_of(node: Any, src: bytes) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


class TreeSitterSpec:
    """How one language reads its tree-sitter grammar (see the module doc)."""

    def __init__(
        self,
        module: str,
        query: str,
        *,
        function: str = "language",
        comments: Sequence[str] = ("//", "/*", "* ", "*/"),
        item: ItemHook = default_item,
        classify: ClassifyHook = no_classify,
        benign: Callable[[Any], bool] | None = None,
        wrappers: frozenset[str] = frozenset(),
        block_comments: bool = True,
    ) -> None:
        self.module = module
        self.function = function
        self.query_source = query
        self.comments = tuple(comments)
        self.item = item
        self.classify = classify
        self.benign = benign  # a syntax error the grammar always reports on valid code (Catch2)
        self.wrappers = wrappers  # parent node types that belong to the item (`template <…>`)
        self.block_comments = block_comments  # the language has `/* … */` comments
        self._loaded: tuple[Any, Any] | None = None
        self._failed: str | None = None
        self._lock = threading.Lock()

    def load(self) -> tuple[Any, Any]:
        """(parser, query), loaded once; GrammarUnavailable when the wheel is missing or broken."""
        loaded = self._loaded
        if loaded is not None:
            return loaded
        if self._failed is not None:
            raise GrammarUnavailable(self._failed)
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            try:
                import tree_sitter

                grammar = importlib.import_module(self.module)
                language = tree_sitter.Language(getattr(grammar, self.function)())
                parser = tree_sitter.Parser(language)
                query = tree_sitter.Query(language, self.query_source)
            except Exception as exc:  # every way a grammar fails to load (import, ABI, query):
                # re-raised as "not understood", which the symbol finder logs once per language
                self._failed = f"{self.module}: {type(exc).__name__}: {exc}"
                raise GrammarUnavailable(self._failed) from exc
            self._loaded = (parser, query)
            return self._loaded


# Capture kinds that may hold other items: kept by a scan for some names only, for the
# qualified names of what they hold (and the tests they disable).
CONTAINERS = frozenset(
    {
        "class",
        "struct",
        "union",
        "enum",
        "interface",
        "record",
        "object",
        "namespace",
        "module",
        "protocol",
        "type",
        "block",
        "catch2",
    }
)
# Parsing time allowed: PARSE_SECONDS + PARSE_SECONDS_PER_MB per megabyte (valid code parses
# at ~1 s/MB on a loaded 2-core machine; garbage can take 5 s/MB): past it, "not understood".
PARSE_SECONDS = 1.0
PARSE_SECONDS_PER_MB = 4.0
_CHUNK = 1 << 16


def scan(spec: TreeSitterSpec, text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    """The records of `text` (line breaks `\\n`), by `spec`'s grammar and hooks. With `wanted`,
    only the items of those names are recorded, with every container and test title: what
    `symbols.lookup` of those names needs to answer as on all of them."""
    import tree_sitter

    from parity_lsp.workspace.symbols._common import Rec

    parser, query = spec.load()
    src = text.encode("utf-8", "replace")
    if spec.block_comments:
        src = _open_comments(src)
    deadline = time.perf_counter() + PARSE_SECONDS + PARSE_SECONDS_PER_MB * len(src) / 1e6

    def read(offset: int, _point: object) -> bytes:
        return src[offset : offset + _CHUNK]

    def too_long(_offset: int, _has_error: bool) -> bool:
        return time.perf_counter() > deadline

    with spec._lock:  # a parser is not safe to share between threads
        try:
            tree = parser.parse(read, progress_callback=too_long)
        except ValueError:  # cancelled: past the deadline
            parser.reset()
            return PartialRecs()
    root = tree.root_node
    items: list[Item] = []
    make = spec.item
    names_wanted = {w.encode() for w in wanted} if wanted is not None else None
    for _pattern, captures in tree_sitter.QueryCursor(query).matches(root):
        node = None
        kind = ""
        for capture, nodes in captures.items():
            if capture.startswith("item."):
                node = nodes[0]
                kind = capture[5:]
        if node is None:
            continue
        names = captures.get("name")
        name = names[0] if names else None
        shadow = (
            names_wanted is not None
            and name is not None
            and kind not in CONTAINERS
            and src[name.start_byte : name.end_byte].strip(b"`") not in names_wanted
        )
        made = make(kind, node, name, src)
        if made is not None:
            # A scan for some names: an item of another name is not recorded, but still nests
            # what it holds (a method may hold a local class, or an RSpec `it` block), so that
            # qualified names and disabled markers are those of a whole scan.
            made.shadow = shadow
            items.append(made)
    wrappers = spec.wrappers
    if wrappers:
        for it in items:
            parent = it.node.parent
            if parent is not None and parent.type in wrappers:
                it.start_byte = parent.start_byte
                it.start_row = parent.start_point.row
    # nesting: an item lies in the innermost earlier item whose byte range holds it
    items.sort(key=lambda it: (it.start_byte, -it.end_byte))
    stack: list[Item] = []
    unique: list[Item] = []
    previous: tuple[int, int, str] | None = None
    for it in items:
        ident = (it.start_byte, it.end_byte, it.name)
        if ident == previous:
            continue  # two patterns matched the same node
        previous = ident
        while stack and not stack[-1].to_end and stack[-1].end_byte <= it.start_byte:
            stack.pop()
        while stack and not stack[-1].to_end and it.end_byte > stack[-1].end_byte:
            stack.pop()
        it.parent = stack[-1] if stack else None
        stack.append(it)
        unique.append(it)
    classify = spec.classify
    lines = text.split("\n")
    comments = spec.comments
    recs: list[Rec] = PartialRecs() if root.has_error and _broken(root, spec.benign) else []
    quals: dict[int, str] = {}
    n_lines = len(lines)
    for it in unique:
        classify(it, src)
        parent = it.parent
        if it.is_test and it.disabled is None:
            p = parent
            while p is not None:
                if p.disables is not None:
                    it.disabled = p.disables
                    break
                p = p.parent
        segments = (*it.prefix, it.name)
        qual = "::".join(segments)
        if parent is not None and not it.absolute:
            qual = quals[id(parent)] + "::" + qual
        quals[id(it)] = qual
        if it.shadow:
            continue
        start = _doc_start(lines, it.start_row, comments) if comments else it.start_row
        end_row = it.end_row
        if it.to_end:
            end_row = max(n_lines - 1, it.name_row)
        recs.append(
            Rec(
                it.name,
                qual,
                it.kind,
                it.name_row,
                start,
                end_row,
                it.is_test,
                it.disabled,
                _signature(it, lines),
            )
        )
    return recs


def _open_comments(src: bytes) -> bytes:
    """Every `/*` after the last `*/` cannot be closed: tree-sitter's lexer reads to the end of
    the text from each of them (quadratic on garbage). Past the first, they become `/ ` (the
    same length: rows and columns stay), as a compiler reads them: inside the open comment."""
    close = src.rfind(b"*/")
    start = src.find(b"/*", close + 2 if close >= 0 else 0)
    if start < 0:
        return src
    second = src.find(b"/*", start + 2)
    if second < 0:
        return src
    return src[:second] + src[second:].replace(b"/*", b"/ ")


def _broken(root: Any, benign: Callable[[Any], bool] | None) -> bool:
    """Whether the tree holds a syntax error other than the grammar's known benign ones."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            if benign is None or not benign(node):
                return True
            continue
        stack.extend(c for c in node.children if c.has_error)
    return False


def _doc_start(lines: list[str], row: int, prefixes: tuple[str, ...]) -> int:
    """The first line of the comment lines directly above `row` (no blank line between)."""
    r = row
    while r > 0:
        prev = lines[r - 1].strip()
        if prev and (prev.startswith(prefixes) or prev == "*"):
            r -= 1
        else:
            break
    return r


def _signature(it: Item, lines: list[str]) -> str:
    """The declaration: the name's line, from the item's start when the item starts on that
    line, up to its body's `{` (attributes and annotations on lines above it are left out)."""
    row = it.name_row
    if row >= len(lines):
        return ""
    line = lines[row]
    end = it.node.end_point
    if end.row == row:
        line = _prefix(line, end.column)
    point = it.node.start_point
    if point.row == row:
        line = line[len(_prefix(line, point.column)) :]
    brace = line.find("{")
    if brace > 0:
        line = line[:brace]
    sig = _WS.sub(" ", line).strip()
    return sig if len(sig) <= MAX_SIGNATURE else sig[: MAX_SIGNATURE - 1] + "…"


def _prefix(line: str, byte_column: int) -> str:
    """The characters of `line` before a tree-sitter column (a count of UTF-8 bytes)."""
    if line.isascii():
        return line[:byte_column]
    return line.encode("utf-8", "replace")[:byte_column].decode("utf-8", "ignore")


# --- helpers the language modules share -------------------------------------------------------


def attribute_names(node: Any, src: bytes, types: frozenset[str]) -> list[tuple[str, str]]:
    """(name, full text) of the annotations/attributes among `node`'s children and their
    children (modifiers, attribute lists), for node types in `types`."""
    out = []
    stack = list(node.children)
    depth_left = 64
    while stack and depth_left:
        depth_left -= 1
        c = stack.pop(0)
        if c.type in types:
            full = text_of(c, src)
            out.append((_attr_name(full), full))
        elif c.type in ("modifiers", "attribute_list", "modifier"):
            stack[0:0] = list(c.children)
    return out


_ATTR_NAME = re.compile(r"[@\[]?\s*([\w.:]+)")


def _attr_name(full: str) -> str:
    m = _ATTR_NAME.match(full)
    if m is None:
        return ""
    return m.group(1).rsplit(".", 1)[-1].rsplit("::", 1)[-1]


def clip(s: str, limit: int = 80) -> str:
    s = _WS.sub(" ", s).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def first_statement(body: Any) -> Any:
    """The first named child of a body that is not a comment (None: empty body)."""
    if body is None:
        return None
    for c in body.named_children:
        if "comment" not in c.type:
            return c
    return None
