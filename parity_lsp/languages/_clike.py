"""C and C++ items from tree-sitter-c / tree-sitter-cpp, and the GoogleTest and Catch2 test
macros (shared by `c.py` and `cpp.py`).

Invariant: pure functions over the items `_treesitter` builds; never raise.
"""

from __future__ import annotations

import re
from typing import Any

from parity_lsp.languages._treesitter import Item, text_of

# `TEST(Suite, Name) { … }`: a function definition to the grammar
GTEST_MACROS = frozenset({"TEST", "TEST_F", "TEST_P", "TYPED_TEST", "TYPED_TEST_P", "GTEST_TEST"})
# `TEST_CASE("name", "[tags]") { … }`: a call statement (missing `;`) and then a block
CATCH_MACROS = frozenset(
    {
        "TEST_CASE",
        "SCENARIO",
        "TEMPLATE_TEST_CASE",
        "TEMPLATE_PRODUCT_TEST_CASE",
        "TEST_CASE_METHOD",
        "TEMPLATE_TEST_CASE_METHOD",
        "CATCH_TEST_CASE",
        "CATCH_SCENARIO",
        "TEST_CASE_FIXTURE",  # doctest
    }
)
_FIXTURE_FIRST = frozenset({"TEST_CASE_METHOD", "TEMPLATE_TEST_CASE_METHOD", "TEST_CASE_FIXTURE"})
_DECLARATORS = frozenset(
    {
        "pointer_declarator",
        "reference_declarator",
        "parenthesized_declarator",
        "attributed_declarator",
        "function_declarator",
    }
)
_HIDDEN_TAG = re.compile(r"\[(?:\.[^\]]*|!hide)\]")


def function_name(node: Any) -> Any:
    """The name node of a function definition or declaration (through pointer and reference
    declarators), or None when the declarator is not a function's."""
    d = node.child_by_field_name("declarator")
    func = None
    for _ in range(16):
        if d is None or d.type not in _DECLARATORS:
            break
        if d.type == "function_declarator":
            func = d
        d = d.child_by_field_name("declarator")
    if func is None:
        return None
    return d


def split_qualified(name: str) -> tuple[tuple[str, ...], str]:
    """`ns::Type::method` -> (("ns", "Type"), "method"); template arguments dropped."""
    depth = 0
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(name):
        c = name[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth = max(0, depth - 1)
        elif depth == 0 and name.startswith("::", i):
            out.append("".join(cur).strip())
            cur = []
            i += 2
            continue
        elif depth == 0:
            cur.append(c)
        i += 1
    out.append("".join(cur).strip())
    parts = [p for p in out if p]
    if not parts:
        return (), name
    return tuple(parts[:-1]), parts[-1]


def function_item(kind: str, node: Any, src: bytes, in_class: bool) -> Item | None:
    """A function definition or prototype: GoogleTest's `TEST(Suite, Name)` is a test."""
    name_node = function_name(node)
    if name_node is None:
        return None
    raw = text_of(name_node, src)
    if (
        raw in GTEST_MACROS
        and node.type == "function_definition"
        and node.child_by_field_name("type") is None
    ):
        return _gtest(node, raw, name_node, src)
    prefix, name = split_qualified(raw)
    if not name:
        return None
    if in_class or prefix:
        kind = "method"
    it = Item(node, name, kind, name_node.start_point.row)
    it.prefix = prefix
    return it


def _gtest(node: Any, macro: str, name_node: Any, src: bytes) -> Item | None:
    params = name_node.parent.child_by_field_name("parameters") if name_node.parent is not None else None
    if params is None:
        return None
    args = [a.strip() for a in text_of(params, src).strip()[1:-1].split(",")]
    if len(args) != 2 or not all(a.replace("_", "").isalnum() for a in args):
        return None
    suite, name = args
    it = Item(node, name, "test", name_node.start_point.row)
    it.prefix = (suite,)
    it.is_test = True
    it.absolute = True  # `Suite.Name` whatever namespace the macro is written in
    if name.startswith("DISABLED_") or suite.startswith("DISABLED_"):
        it.disabled = "DISABLED_ prefix"
    return it


def catch2_item(node: Any, macro_node: Any, src: bytes) -> Item | None:
    """`TEST_CASE("name", "[tags]")` followed by its block; hidden tags (`[.]`, `[.slow]`,
    `[!hide]`) mean the test runs only when asked for by name or tag: disabled."""
    macro = text_of(macro_node, src)
    if macro not in CATCH_MACROS:
        return None
    body = node.next_named_sibling
    if body is None or body.type != "compound_statement":
        return None
    call = macro_node.parent
    args = call.child_by_field_name("arguments") if call is not None else None
    if args is None:
        return None
    strings = [a for a in args.named_children if a.type in ("string_literal", "raw_string_literal")]
    if macro in _FIXTURE_FIRST and strings and args.named_children and args.named_children[0] is strings[0]:
        return None
    if not strings:
        return None
    name = _string(strings[0], src)
    if not name:
        return None
    it = Item(node, name, "test", node.start_point.row, body=body)
    it.is_test = True
    it.absolute = True  # a test case is named by its title alone
    tags = "".join(_string(s, src) for s in strings[1:2])
    hidden = _HIDDEN_TAG.search(tags)
    if hidden:
        it.disabled = f"hidden tag {hidden.group()}"
    return it


def _string(node: Any, src: bytes) -> str:
    content = [c for c in node.named_children if c.type in ("string_content", "raw_string_content")]
    if content:
        return "".join(text_of(c, src) for c in content)
    raw = text_of(node, src)
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else ""


def benign(node: Any) -> bool:
    """The `;` the grammar misses after `TEST_CASE(…)` (a macro call followed by a block)."""
    if not node.is_missing or node.type != ";":
        return False
    stmt = node.parent
    if stmt is None or stmt.type != "expression_statement":
        return False
    call = stmt.named_children[0] if stmt.named_children else None
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    return fn is not None and fn.type == "identifier" and fn.text in _CATCH_BYTES


# macros followed by a block inside a test case: sections, BDD steps (no test of their own)
_SECTION_MACROS = frozenset(
    {"SECTION", "DYNAMIC_SECTION", "GIVEN", "AND_GIVEN", "WHEN", "AND_WHEN", "THEN", "AND_THEN", "SUBCASE"}
)
_CATCH_BYTES = frozenset(m.encode() for m in CATCH_MACROS | _SECTION_MACROS)
