"""C++: namespaces, classes, structs, unions, enums, functions and methods (in-class and
out-of-line `Type::method`), prototypes, fields, aliases, macros; GoogleTest `TEST`,
`TEST_F`, `TEST_P`, `TYPED_TEST` (cited `Suite.Name`, `Suite/Name` or `Name`; a `DISABLED_`
prefix disables) and Catch2/doctest `TEST_CASE("name", "[tags]")`, `SCENARIO` (hidden tags
`[.]`, `[.slow]`, `[!hide]` disable). Headers (`.h`) are read as C++: it reads C too.
Read with tree-sitter-cpp."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity_lsp.languages import _clike
from parity_lsp.languages._treesitter import Item, TreeSitterSpec, default_item, text_of
from parity_lsp.languages._treesitter import scan as ts_scan
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="cpp",
    name="C++",
    extensions=(".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".h", ".ipp", ".tpp"),
    scanner="parity_lsp.languages.cpp:scan",
    partial_scan=True,
    fence="cpp",
    requires=("tree_sitter", "tree_sitter_cpp"),
    separator="::",
    tests='GoogleTest `TEST`/`TEST_F`/`TEST_P`/`TYPED_TEST` (`Suite.Name`); Catch2/doctest `TEST_CASE("…")`',
    disabled="GoogleTest `DISABLED_` prefix; Catch2 hidden tags `[.]`, `[.name]`, `[!hide]`",
    test_files=(
        r".*_(?:unit)?tests?\.(?:cc|cpp|cxx)",
        r"test_.*\.(?:cc|cpp|cxx)",
        r".*Tests?\.(?:cc|cpp|cxx)",
    ),
    test_dirs=("test", "tests"),
)

QUERY = """
(namespace_definition name: (_) @name) @item.namespace
(class_specifier name: (_) @name body: (_)) @item.class
(struct_specifier name: (_) @name body: (_)) @item.struct
(union_specifier name: (_) @name body: (_)) @item.union
(enum_specifier name: (_) @name body: (_)) @item.enum
(function_definition) @item.fn
(declaration declarator: (function_declarator)) @item.fn
(field_declaration declarator: (function_declarator)) @item.method
(field_declaration declarator: (field_identifier) @name) @item.field
(type_definition declarator: (type_identifier) @name) @item.type
(alias_declaration name: (type_identifier) @name) @item.type
(preproc_function_def name: (identifier) @name) @item.macro
(preproc_def name: (identifier) @name) @item.macro
(expression_statement (call_expression function: (identifier) @name)) @item.catch2
"""

_CLASSES = frozenset({"class_specifier", "struct_specifier", "union_specifier"})


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if kind == "catch2":
        return _clike.catch2_item(node, name_node, src)
    if kind in ("fn", "method"):
        return _clike.function_item(kind, node, src, _in_class(node))
    if kind == "namespace":
        prefix, name = _clike.split_qualified(text_of(name_node, src))
        it = Item(node, name, kind, name_node.start_point.row)
        it.prefix = prefix
        return it
    if kind in ("class", "struct", "union", "enum") and name_node is not None:
        prefix, name = _clike.split_qualified(text_of(name_node, src))
        it = Item(node, name, kind, name_node.start_point.row)
        it.prefix = prefix
        return it
    return default_item(kind, node, name_node, src)


def _in_class(node: Any) -> bool:
    parent = node.parent
    if parent is not None and parent.type == "template_declaration":
        parent = parent.parent
    return parent is not None and parent.type == "field_declaration_list"


SPEC = TreeSitterSpec(
    "tree_sitter_cpp",
    QUERY,
    item=_item,
    benign=_clike.benign,
    wrappers=frozenset({"template_declaration"}),
)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
