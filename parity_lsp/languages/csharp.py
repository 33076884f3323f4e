"""C#: namespaces (also file-scoped), classes, structs, interfaces, enums, records, methods,
constructors, properties and fields (qualified names `Namespace::Class::Method`, cited as
`Class.Method` or the full name); NUnit `[Test]`/`[TestCase]`/`[TestCaseSource]`, xUnit
`[Fact]`/`[Theory]`, MSTest `[TestMethod]`/`[DataTestMethod]`; disabled by `[Ignore]`,
`[Explicit]` (on the method or its class) or `Skip = "…"`. Read with tree-sitter-c-sharp."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from parity_lsp.languages._treesitter import (
    Item,
    TreeSitterSpec,
    attribute_names,
    clip,
    text_of,
)
from parity_lsp.languages._treesitter import (
    scan as ts_scan,
)
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="csharp",
    name="C#",
    extensions=(".cs",),
    scanner="parity_lsp.languages.csharp:scan",
    partial_scan=True,
    fence="csharp",
    requires=("tree_sitter", "tree_sitter_c_sharp"),
    separator=".",
    tests="NUnit `[Test]`, `[TestCase]`; xUnit `[Fact]`, `[Theory]`; MSTest `[TestMethod]`",
    disabled='`[Ignore]`, `[Explicit]` (method or class), `[Fact(Skip = "…")]`, `[Theory(Skip = "…")]`',
    test_files=(r".*Tests?\.cs",),
    test_dirs=("test", "tests"),
)

QUERY = """
(namespace_declaration name: (_) @name) @item.namespace
(file_scoped_namespace_declaration name: (_) @name) @item.namespace
(class_declaration name: (identifier) @name) @item.class
(struct_declaration name: (identifier) @name) @item.struct
(interface_declaration name: (identifier) @name) @item.interface
(enum_declaration name: (identifier) @name) @item.enum
(record_declaration name: (identifier) @name) @item.record
(method_declaration name: (identifier) @name) @item.method
(constructor_declaration name: (identifier) @name) @item.constructor
(property_declaration name: (identifier) @name) @item.property
(field_declaration (variable_declaration (variable_declarator name: (identifier) @name))) @item.field
(enum_member_declaration name: (identifier) @name) @item.variant
(delegate_declaration name: (identifier) @name) @item.type
"""

_TEST_ATTRS = frozenset(
    {"Test", "TestCase", "TestCaseSource", "Theory", "Fact", "TestMethod", "DataTestMethod", "Property"}
)
_DISABLED_ATTRS = frozenset({"Ignore", "Explicit"})
_SKIP_ARG = re.compile(r"\bSkip\s*=")
_ATTRS = frozenset({"attribute"})
_CONTAINERS = frozenset({"class", "struct", "record", "interface"})


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if name_node is None:
        return None
    name = text_of(name_node, src).replace(" ", "")
    if not name:
        return None
    if kind == "namespace":
        *prefix, last = name.split(".")
        it = Item(node, last, kind, name_node.start_point.row)
        it.prefix = tuple(prefix)
        it.to_end = node.type == "file_scoped_namespace_declaration"
        return it
    return Item(node, name, kind, name_node.start_point.row)


def _attr(name: str) -> str:
    return name[: -len("Attribute")] if name.endswith("Attribute") and len(name) > 9 else name


def _classify(item: Item, src: bytes) -> None:
    if item.kind not in _CONTAINERS and item.kind != "method":
        return
    attrs = [(_attr(name), full) for name, full in attribute_names(item.node, src, _ATTRS)]
    disabled = next((clip(f"[{full}]") for name, full in attrs if name in _DISABLED_ATTRS), None)
    if item.kind in _CONTAINERS:
        item.disables = disabled
        return
    tests = [full for name, full in attrs if name in _TEST_ATTRS]
    if not tests:
        return
    item.is_test = True
    if disabled is None:
        disabled = next((clip(f"[{full}]") for full in tests if _SKIP_ARG.search(full)), None)
    item.disabled = disabled


SPEC = TreeSitterSpec(
    "tree_sitter_c_sharp", QUERY, item=_item, classify=_classify, comments=("//", "/*", "* ", "*/")
)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
