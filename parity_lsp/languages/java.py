"""Java: classes, interfaces, enums, records, methods and constructors (nested classes as
`Outer::Inner::method`, cited as `Outer.Inner.method` or `Outer#method`), fields; JUnit 4/5
`@Test`, `@ParameterizedTest`, `@RepeatedTest`, … and JUnit 3 `testX()` in a `TestCase`;
`@Disabled` / `@Ignore` on the method or its class. Read with tree-sitter-java."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parity_lsp.languages import _junit
from parity_lsp.languages._treesitter import Item, TreeSitterSpec
from parity_lsp.languages._treesitter import scan as ts_scan
from parity_lsp.languages.base import Language

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

LANGUAGE = Language(
    id="java",
    name="Java",
    extensions=(".java",),
    scanner="parity_lsp.languages.java:scan",
    partial_scan=True,
    fence="java",
    requires=("tree_sitter", "tree_sitter_java"),
    separator=".",
    tests="JUnit 4/5 `@Test`, `@ParameterizedTest`, `@RepeatedTest`, `@TestFactory`; JUnit 3 `testX()`",
    disabled="`@Disabled`, `@Ignore` (on the method or its class)",
    test_files=(r".*Tests?\.java", r"Test.*\.java", r".*IT\.java"),
    test_dirs=("test",),
)

QUERY = """
(class_declaration name: (identifier) @name) @item.class
(interface_declaration name: (identifier) @name) @item.interface
(annotation_type_declaration name: (identifier) @name) @item.interface
(enum_declaration name: (identifier) @name) @item.enum
(record_declaration name: (identifier) @name) @item.record
(method_declaration name: (identifier) @name) @item.method
(constructor_declaration name: (identifier) @name) @item.constructor
(compact_constructor_declaration name: (identifier) @name) @item.constructor
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @item.field
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @item.field
(enum_constant name: (identifier) @name) @item.variant
"""

_ANNOTATIONS = frozenset({"annotation", "marker_annotation"})


def _classify(item: Item, src: bytes) -> None:
    _junit.classify(item, src, _ANNOTATIONS)


SPEC = TreeSitterSpec("tree_sitter_java", QUERY, classify=_classify)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
