"""Shared evidence judgements used by several rules (one place, so rules cannot disagree)."""

from __future__ import annotations

from dataclasses import dataclass

from parity_lsp.model import COL_TESTS, Reference, RefKind, SymbolRef
from parity_lsp.rules.context import Resolved, RowContext
from parity_lsp.workspace.symbols import Definition, word_occurrences


@dataclass(slots=True)
class SymbolResult:
    symbol: SymbolRef
    definitions: list[Definition]  # empty when not found
    word_lines: list[int]  # 0-based lines, for languages that are not understood
    language_known: bool

    @property
    def found(self) -> bool:
        return bool(self.definitions or self.word_lines)


def symbol_result(res: Resolved, sym: SymbolRef) -> SymbolResult | None:
    """None when the file cannot be read (missing, too large, binary)."""
    src = res.source
    if src is None or not src.readable:
        return None
    defs = res.lookup(sym.name)
    if defs is None:
        text = src.text
        if text is None:
            return None
        return SymbolResult(sym, [], word_occurrences(text, sym.name), False)
    return SymbolResult(sym, defs, [], True)


def usable(ctx: RowContext, res: Resolved) -> bool:
    """The reference names an existing, readable-or-directory path inside the workspace."""
    return not res.escapes and res.exists and not ctx.forbidden(res.rel or "")


def usable_rel(ctx: RowContext, res: Resolved) -> str | None:
    """The reference's workspace path when it is `usable`, else None."""
    rel = res.rel  # None when it escapes the workspace
    return rel if rel is not None and res.exists and not ctx.forbidden(rel) else None


def test_resolves(ctx: RowContext, ref: Reference) -> bool:
    """A proving test resolves: its file exists and, when tests are named, one of them is found."""
    if ref.kind != RefKind.PATH:
        return False
    res = ctx.resolve(ref)
    if not usable(ctx, res) or not res.is_file:
        return False
    if not ref.symbols:
        return True
    for sym in ref.symbols:
        result = symbol_result(res, sym)
        if result is None:
            return True  # the file exists but is not read (too large, binary): PM305 says so
        if result.found:
            return True
    return False


def test_refs(ctx: RowContext) -> list[Reference]:
    """Cited proving tests: a path named in a "Missing proof:" segment is not one."""
    return [r for r in ctx.refs(COL_TESTS) if r.kind == RefKind.PATH and not r.in_missing]
