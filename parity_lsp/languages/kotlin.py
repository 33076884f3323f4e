"""Kotlin: classes, objects (companion objects), interfaces, functions (`fun \\`a name\\`()`
as `a name`; extension functions `fun Ledger.size()` as `Ledger::size`), properties, type
aliases; JUnit 4/5 `@Test`, `@ParameterizedTest`, … and
`@Disabled` / `@Ignore` on the function or its class. Read with tree-sitter-kotlin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity_lsp.languages import _junit
from parity_lsp.languages._treesitter import Item, TreeSitterSpec, text_of
from parity_lsp.languages._treesitter import scan as ts_scan
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="kotlin",
    name="Kotlin",
    extensions=(".kt", ".kts"),
    scanner="parity_lsp.languages.kotlin:scan",
    partial_scan=True,
    fence="kotlin",
    requires=("tree_sitter", "tree_sitter_kotlin"),
    separator=".",
    tests="JUnit 4/5 `@Test`, `@ParameterizedTest`, `@RepeatedTest`, `@TestFactory`",
    disabled="`@Disabled`, `@Ignore` (on the function or its class)",
    test_files=(r".*Tests?\.kts?", r"Test.*\.kts?"),
    test_dirs=("test",),
)

QUERY = """
(class_declaration name: (identifier) @name) @item.class
(object_declaration name: (identifier) @name) @item.object
(companion_object) @item.object
(function_declaration name: (identifier) @name) @item.fn
(property_declaration (variable_declaration (identifier) @name)) @item.property
(type_alias type: (identifier) @name) @item.type
"""

_ANNOTATIONS = frozenset({"annotation"})


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if kind == "object" and node.type == "companion_object":
        named = next((c for c in node.named_children if c.type == "identifier"), None)
        name = text_of(named, src) if named is not None else "Companion"
        return Item(node, name, kind, node.start_point.row)
    if name_node is None:
        return None
    name = text_of(name_node, src).strip("`")
    if not name:
        return None
    receiver = None
    if kind == "class" and _is_interface(node):
        kind = "interface"
    elif kind == "fn" and node.parent is not None and node.parent.type == "class_body":
        kind = "method"
    elif kind == "fn":
        receiver = _receiver(node, name_node, src)
    it = Item(node, name, kind, name_node.start_point.row)
    if receiver:
        it.prefix = (receiver,)  # `fun Ledger.size()`: cited `Ledger.size`
    return it


def _receiver(node: Any, name_node: Any, src: bytes) -> str | None:
    """The receiver type of an extension function (`fun Map<K, V>.firstKey()`: `Map`)."""
    before = None
    for c in node.children:
        if c.start_byte >= name_node.start_byte:
            break
        if c.type in ("user_type", "nullable_type"):
            before = c
    if before is None:
        return None
    text = text_of(before, src).split("<", 1)[0].rstrip("?").strip()
    return text.rsplit(".", 1)[-1] or None


def _is_interface(node: Any) -> bool:
    return any(c.type == "interface" for c in node.children)


def _classify(item: Item, src: bytes) -> None:
    _junit.classify(item, src, _ANNOTATIONS)


SPEC = TreeSitterSpec("tree_sitter_kotlin", QUERY, item=_item, classify=_classify)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
