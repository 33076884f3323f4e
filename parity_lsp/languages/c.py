"""C: functions and prototypes, structs, unions, enums, typedefs, macros. Headers (`.h`) are
read as C++ (see `cpp.py`): the C++ grammar reads C headers too, the C grammar not C++'s.
Read with tree-sitter-c."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity_lsp.languages import _clike
from parity_lsp.languages._treesitter import Item, TreeSitterSpec, default_item
from parity_lsp.languages._treesitter import scan as ts_scan
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="c",
    name="C",
    extensions=(".c",),
    scanner="parity_lsp.languages.c:scan",
    partial_scan=True,
    fence="c",
    requires=("tree_sitter", "tree_sitter_c"),
    separator="::",
    tests="functions (C test frameworks register tests by name: cite the function)",
    disabled="",
    test_files=(r"test_.*\.c", r".*_test\.c"),
    test_dirs=("test", "tests"),
)

QUERY = """
(function_definition) @item.fn
(declaration declarator: (function_declarator)) @item.fn
(struct_specifier name: (_) @name body: (_)) @item.struct
(union_specifier name: (_) @name body: (_)) @item.union
(enum_specifier name: (_) @name body: (_)) @item.enum
(field_declaration declarator: (field_identifier) @name) @item.field
(type_definition declarator: (type_identifier) @name) @item.type
(preproc_function_def name: (identifier) @name) @item.macro
(preproc_def name: (identifier) @name) @item.macro
"""


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if kind == "fn":
        return _clike.function_item(kind, node, src, False)
    return default_item(kind, node, name_node, src)


SPEC = TreeSitterSpec("tree_sitter_c", QUERY, item=_item)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
