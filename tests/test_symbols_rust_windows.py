"""A Rust lookup of one name scans only the top-level items where the name occurs (issue 19's
cost per cited file): an oracle holds it to the full scanner's answers — on generated Rust with
the constructs that could cut the text at the wrong place (const generic braces, struct
literals in constants, attributes holding braces, macro bodies, unbalanced braces, strings and
comments holding braces), on the realistic fixtures and on a file of the benchmark's generator."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.workspace.symbols import find_definitions, lookup, lookup_names, rust

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))

PIECES = [
    "fn a() {}\n",
    "pub fn b(x: u8) -> u8 { x }\n",
    "impl T {\n",
    "impl Tr for T {\n",
    "impl<const N: usize> Tr for Arr<{ N }> {\n",
    "impl Foo<{ 1 + 2 }, { 3 }> {\n",
    "trait Tr {\n",
    "fn m(&self);\n",
    "}\n",
    "}\n",
    "mod tests {\n",
    "mod inner;\n",
    "#[test]\n",
    "#[ignore]\n",
    '#[doc = "{"]\n',
    "#[cfg_attr(x, path = {a})]\n",
    "/// doc {\n",
    "// } comment\n",
    "/* { */\n",
    "struct T { a: u8, m: u8 }\n",
    "struct U;\n",
    "enum E { a, b(u8), c { x: u8 } }\n",
    "const a: u8 = 1;\n",
    "const C: T = T { a: 1, m: 2 };\n",
    "static S: [u8; { 2 }] = [0; 2];\n",
    "fn outer() { fn a() {} let s = S { a }; }\n",
    "macro_rules! m { () => { fn a() {} } }\n",
    "m! { fn b() {} }\n",
    "type a = u8;\n",
    'const R: &str = r#"} fn a() {"#;\n',
    "let c = '{';\n",
    "fn r#a() {}\n",
    "{\n",
    ";\n",
    "a\n",
    "} b\n",
    "}, c\n",
]
FORMS = ["{n}", "{n}()", "T::{n}", "Tr::{n}", "<T as Tr>::{n}", "tests::{n}", "E::{n}", "T.{n}", "outer::{n}"]
NAMES = ["a", "b", "c", "m", "T", "E", "outer", "tests", "inner", "x", "N"]


def same_answers(text: str, symbol: str, defs: list | None = None) -> None:
    """`defs`: the full scan of `text` when the caller has it (one scan for every name of a
    file, not one per name)."""
    full = lookup(find_definitions("x.rs", text) if defs is None else defs, symbol)
    wanted = lookup_names(symbol)
    if wanted is None:
        return  # no name to look for (`<T as Tr>`): the lookup scans the whole text
    assert lookup(find_definitions("x.rs", text, wanted), symbol) == full, (symbol, text)


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.sampled_from(FORMS),
    st.sampled_from(NAMES),
)
def test_a_lookup_in_the_items_where_the_name_occurs_answers_as_a_full_scan(text, form, name):
    same_answers(text, form.format(n=name))


def _generated_file() -> str:
    import gen_realrepo

    rng = random.Random(5)
    return gen_realrepo.rust_source(rng, "core", "engine", 1500).text


REAL = sorted(HERE.glob("fixtures/**/*.rs"))


@pytest.mark.parametrize("path", [*REAL, "generated"], ids=lambda p: getattr(p, "name", p))
def test_on_real_files_every_name_answers_as_a_full_scan(path):
    text = _generated_file() if path == "generated" else path.read_text(encoding="utf-8")
    defs = find_definitions("x.rs", text)
    assert defs
    symbols = {d.qualname for d in defs} | {d.name for d in defs} | {"missing_name", "T::missing"}
    for symbol in sorted(symbols):
        same_answers(text, symbol, defs)


def test_the_text_is_cut_only_where_a_full_scan_is_at_the_top_level():
    text = "impl<const N: usize> Foo<{ N }> {\n    fn a() {}\n}\nfn b() {}\n"
    lexed = rust._Lexed(text)
    assert lexed.windowable
    # `a` is inside the impl: its region starts at the text's start, not after `{ N }`
    assert rust._windows(lexed, frozenset({"a"})) == [(0, text.index("a()"))]
    assert rust._windows(lexed, frozenset({"b"})) == [(text.index("\nfn b"), text.index("b()"))]
    # braces in an attribute, or not well nested: the whole text is scanned
    assert not rust._Lexed("#[x = {}]\nfn a() {}\n").windowable
    assert not rust._Lexed("} fn a() { {\n").windowable


def test_a_text_nested_deeper_than_a_scan_accepts_is_not_understood_for_any_name():
    """A whole scan gives up past MAX_NESTING levels ("not understood"): a lookup in another
    item of the same text answers the same, and the check costs a bounded number of passes."""
    from parity_lsp.workspace.symbols._common import MAX_NESTING

    deep = "mod a {\n" * (MAX_NESTING + 5) + "}\n" * (MAX_NESTING + 5)
    text = "fn b() {}\n" + deep
    assert find_definitions("x.rs", text) is None
    same_answers(text, "b")
    assert not rust._Lexed(text).windowable
