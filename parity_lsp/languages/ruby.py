"""Ruby: modules, classes, methods (`def self.x` too), and tests: minitest / test-unit
`def test_…` in a `Minitest::Test` (or `TestCase`) subclass and Rails `test "…" do`, disabled
by `skip` as the first statement; RSpec `describe`/`context` (`RSpec.describe`) and
`it`/`specify`/`example`/`scenario "…"`, disabled by `xit`/`xdescribe`/`xcontext`/…,
`skip:`/`pending:` metadata or `skip`/`pending` as the first statement. Qualified names
`Module::Class::method` (cited `Class#method`, `Class.method`); an example's name is its
description, inside its groups' (`Calculator#add adds two numbers`). Read with tree-sitter-ruby."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity_lsp.languages._treesitter import (
    Item,
    TreeSitterSpec,
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
    id="ruby",
    name="Ruby",
    extensions=(".rb", ".rake"),
    filenames=("Rakefile", "Gemfile"),
    scanner="parity_lsp.languages.ruby:scan",
    partial_scan=True,
    fence="ruby",
    requires=("tree_sitter", "tree_sitter_ruby"),
    separator="::",
    tests='minitest `def test_…`, Rails `test "…" do`; RSpec `describe`/`context` + `it "…"`',
    disabled="`skip`/`pending` first in the test, RSpec `xit`/`xdescribe`, `skip:`/`pending:` metadata",
    test_files=(r".*_spec\.rb", r"test_.*\.rb", r".*_test\.rb"),
    test_dirs=("spec", "test"),
)

QUERY = """
(module name: (_) @name) @item.module
(class name: (_) @name) @item.class
(method name: (_) @name) @item.def
(singleton_method name: (_) @name) @item.def
(call method: (identifier) @name block: (_)) @item.block
"""

_GROUPS = frozenset({"describe", "context", "feature", "shared_examples", "shared_context", "example_group"})
_EXAMPLES = frozenset({"it", "specify", "example", "scenario", "its"})
_X_GROUPS = frozenset({"xdescribe", "xcontext", "xfeature"})
_X_EXAMPLES = frozenset({"xit", "xspecify", "xexample", "xscenario"})
_FOCUSED = {
    "fit": "it",
    "fdescribe": "describe",
    "fcontext": "context",
    "fspecify": "specify",
    "fexample": "example",
}
_MINITEST_BASES = (b"Minitest::Test", b"MiniTest::Test", b"TestCase", b"Test::Unit", b"Minitest::Spec")


def _item(kind: str, node: Any, name_node: Any, src: bytes) -> Item | None:
    if name_node is None:
        return None
    if kind == "block":
        return _block(node, text_of(name_node, src), src)
    name = text_of(name_node, src)
    if kind in ("module", "class"):
        *prefix, last = name.replace(" ", "").split("::")
        it = Item(node, last, kind, name_node.start_point.row)
        it.prefix = tuple(p for p in prefix if p)
        return it
    return Item(node, name, kind, name_node.start_point.row)


def _block(node: Any, method: str, src: bytes) -> Item | None:
    method = _FOCUSED.get(method, method)
    receiver = node.child_by_field_name("receiver")
    if receiver is not None and text_of(receiver, src) not in ("RSpec", "::RSpec"):
        return None  # `foo.each do … end`, not a spec
    if method in _GROUPS or method in _X_GROUPS:
        kind = "describe"
    elif method in _EXAMPLES or method in _X_EXAMPLES or method == "test":
        kind = "test"
    else:
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None:
        return None  # `it { is_expected.to … }`: no name to cite
    name = _description(first, src)
    if not name:
        return None
    it = Item(node, name, kind, node.start_point.row)
    if method in _X_GROUPS:
        it.disables = method
    elif method in _X_EXAMPLES:
        it.disabled = method
    if kind == "test":
        it.is_test = True
    meta = _skip_metadata(args, src) if args is not None else None
    if meta is not None:
        if kind == "describe":
            it.disables = meta
        else:
            it.disabled = it.disabled or meta
    return it


def _description(node: Any, src: bytes) -> str:
    if node.type == "string":
        parts = [c for c in node.named_children if c.type == "string_content"]
        if len(parts) != len(node.named_children):
            return ""  # interpolated: the name is not known before it runs
        return "".join(text_of(c, src) for c in parts)
    if node.type in ("constant", "scope_resolution"):
        return text_of(node, src)
    if node.type == "simple_symbol":
        return text_of(node, src)[1:]
    return ""


def _skip_metadata(args: Any, src: bytes) -> str | None:
    for a in args.named_children:
        if a.type == "pair":
            key = a.child_by_field_name("key")
            value = a.child_by_field_name("value")
            k = text_of(key, src).rstrip(":").lstrip(":") if key is not None else ""
            if k in ("skip", "pending") and (value is None or text_of(value, src) not in ("false", "nil")):
                return clip(text_of(a, src))
        elif a.type == "simple_symbol" and text_of(a, src) in (":skip", ":pending"):
            return text_of(a, src)
    return None


def _classify(item: Item, src: bytes) -> None:
    if item.kind == "def":
        if item.name.startswith("test_") and _in_minitest_case(item, src):
            item.is_test = True
            item.disabled = _skipped_first(item.node.child_by_field_name("body"), src)
        return
    if item.kind == "test" and item.disabled is None:
        block = item.node.child_by_field_name("block")
        body = block.child_by_field_name("body") if block is not None else None
        item.disabled = _skipped_first(body, src)


def _in_minitest_case(item: Item, src: bytes) -> bool:
    parent = item.parent
    if parent is None or parent.kind != "class":
        return False
    sup = parent.node.child_by_field_name("superclass")
    if sup is None:
        return parent.name.startswith("Test") or parent.name.endswith("Test")
    text = src[sup.start_byte : sup.end_byte]
    return any(base in text for base in _MINITEST_BASES)


def _skipped_first(body: Any, src: bytes) -> str | None:
    stmt = first_statement(body)
    if stmt is None:
        return None
    if stmt.type == "identifier" and text_of(stmt, src) in ("skip", "pending"):
        return text_of(stmt, src)
    if stmt.type == "call" and stmt.child_by_field_name("receiver") is None:
        method = stmt.child_by_field_name("method")
        if method is not None and text_of(method, src) in ("skip", "pending"):
            return clip(text_of(stmt, src))
    return None


SPEC = TreeSitterSpec(
    "tree_sitter_ruby", QUERY, item=_item, classify=_classify, comments=("#",), block_comments=False
)


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    return ts_scan(SPEC, text, wanted)
