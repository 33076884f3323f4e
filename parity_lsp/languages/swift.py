"""Swift: classes, structs, enums, actors, extensions, protocols, functions and methods,
initializers, properties; XCTest `func test…()` in `XCTestCase` subclasses (disabled by an
unconditional `throw XCTSkip(…)` / `try XCTSkipIf(true)` first), Swift Testing `@Test` and
`@Suite` (disabled by `.disabled(…)`). Read with tree-sitter-swift."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity_lsp.languages._treesitter import (
    Item,
    TreeSitterSpec,
    attribute_names,
    clip,
    first_statement,
    text_of,
)
from parity_lsp.languages._treesitter import (
    scan as ts_scan,
)
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="swift",
    name="Swift",
    extensions=(".swift",),
    scanner="parity_lsp.languages.swift:scan",
    partial_scan=True,
    fence="swift",
    requires=("tree_sitter", "tree_sitter_swift"),
    separator=".",
    tests="XCTest `func test…()` in `XCTestCase` subclasses; Swift Testing `@Test` (in `@Suite`s)",
    disabled="`@Test(.disabled(…))`, `@Suite(.disabled(…))`, `throw XCTSkip(…)` first in the test",
    test_files=(r".*Tests?\.swift",),
    test_dirs=("Tests",),
)

QUERY = """
(class_declaration name: (_) @name) @item.class
(protocol_declaration name: (_) @name) @item.protocol
(function_declaration name: (simple_identifier) @name) @item.func
(protocol_function_declaration name: (simple_identifier) @name) @item.method
(init_declaration) @item.init
(property_declaration name: (pattern (simple_identifier) @name)) @item.property
(typealias_declaration name: (type_identifier) @name) @item.type
"""

_TYPE_BODIES = frozenset({"class_body", "enum_class_body", "protocol_body", "source_file"})
_ATTRS = frozenset({"attribute"})


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if kind == "init":
        return Item(node, "init", "init", node.start_point.row)
    if name_node is None:
        return None
    if kind == "property" and (node.parent is None or node.parent.type not in _TYPE_BODIES):
        return None  # a local `let`/`var` inside a function body
    name = text_of(name_node, src).strip("`")
    if not name:
        return None
    if kind == "class":
        dk = node.child_by_field_name("declaration_kind")
        kind = text_of(dk, src) if dk is not None else "class"  # class, struct, enum, actor, extension
        name = name.split("<", 1)[0].strip()
    elif kind == "func" and node.parent is not None and node.parent.type in _TYPE_BODIES - {"source_file"}:
        kind = "method"
    return Item(node, name, kind, name_node.start_point.row)


def _classify(item: Item, src: bytes) -> None:
    kind = item.kind
    if kind in ("class", "struct", "enum", "actor", "extension"):
        attrs = attribute_names(item.node, src, _ATTRS)
        item.disables = next(
            (clip(full) for name, full in attrs if name == "Suite" and ".disabled(" in full), None
        )
        return
    if kind not in ("method", "func"):
        return
    attrs = attribute_names(item.node, src, _ATTRS)
    test_attr = next((full for name, full in attrs if name == "Test"), None)
    if test_attr is not None:
        item.is_test = True  # Swift Testing
        if ".disabled(" in test_attr:
            item.disabled = clip(test_attr)
        return
    if kind == "method" and item.name.startswith("test") and _xctest_case(item) and _no_parameters(item.node):
        item.is_test = True
        item.disabled = _xct_skip(item.node, src)


def _xctest_case(item: Item) -> bool:
    """The method's class inherits from something (XCTest runs `test…` methods of
    `XCTestCase` subclasses; the base may be the project's own `XCTestCase` subclass)."""
    parent = item.parent
    if parent is None or parent.kind not in ("class", "extension"):
        return False
    return any(c.type == "inheritance_specifier" for c in parent.node.children)


def _no_parameters(node: Any) -> bool:
    return not any(c.type == "parameter" for c in node.children)


def _xct_skip(node: Any, src: bytes) -> str | None:
    body = node.child_by_field_name("body")
    stmts = first_statement(body)
    if stmts is not None and stmts.type == "statements":
        stmts = first_statement(stmts)
    if stmts is None:
        return None
    text = " ".join(text_of(stmts, src).split())
    if text.startswith(("throw XCTSkip(", "try XCTSkipIf(true", "try XCTSkipUnless(false")):
        return clip(text)
    return None


SPEC = TreeSitterSpec("tree_sitter_swift", QUERY, item=_item, classify=_classify)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
