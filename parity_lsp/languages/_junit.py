"""JUnit 3/4/5 (and TestNG, jqwik) conventions, shared by Java and Kotlin.

Invariant: pure functions over the items `_treesitter` builds; never raise.
"""

from __future__ import annotations

from parity_lsp.languages._treesitter import Item, attribute_names, clip

# annotations that make a method a test (JUnit 4/5, TestNG, jqwik, Kotest's JUnit runner)
TEST_ANNOTATIONS = frozenset(
    {"Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate", "Property", "Example"}
)
# unconditional: `@DisabledIf…`/`@DisabledOnOs` depend on where the test runs (not disabled)
DISABLED_ANNOTATIONS = frozenset({"Disabled", "Ignore"})


def classify(item: Item, src: bytes, annotation_types: frozenset[str]) -> None:
    if item.kind not in ("method", "class", "object", "interface", "fn"):
        return
    found = attribute_names(item.node, src, annotation_types)
    disabled = next((clip(full) for name, full in found if name in DISABLED_ANNOTATIONS), None)
    if item.kind in ("class", "object", "interface"):
        item.disables = disabled  # `@Disabled` on a class disables every test in it
        return
    if any(name in TEST_ANNOTATIONS for name, _full in found):
        item.is_test = True
    elif item.name.startswith("test") and _in_junit3_case(item, src):
        item.is_test = True  # JUnit 3: `public void testX()` in a `TestCase` subclass
    if item.is_test:
        item.disabled = disabled


def _in_junit3_case(item: Item, src: bytes) -> bool:
    parent = item.parent
    if parent is None or parent.kind != "class":
        return False
    node = parent.node
    for field in ("superclass", "delegation_specifiers"):
        sup = node.child_by_field_name(field)
        if sup is not None and b"TestCase" in src[sup.start_byte : sup.end_byte]:
            return True
    head = src[node.start_byte : min(node.end_byte, node.start_byte + 400)].split(b"{", 1)[0]
    return b"TestCase" in head
