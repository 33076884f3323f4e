"""Line ↔ symbol judgements shared by PM302 and PM304."""

from __future__ import annotations

from parity_lsp.findings import Fix, Related
from parity_lsp.model import Reference
from parity_lsp.rules._evidence import symbol_result
from parity_lsp.rules._util import line_spec, replace_fix
from parity_lsp.rules.context import Resolved, RowContext
from parity_lsp.workspace.symbols import Definition


def located_symbols(ctx: RowContext, ref: Reference, res: Resolved) -> list[tuple[str, Definition]]:
    """(symbol, definition) for each cited symbol found by a language scanner, in cited order."""
    out: list[tuple[str, Definition]] = []
    for sym in ref.symbols:
        result = symbol_result(res, sym)
        if result is None or not result.definitions:
            continue
        out.append((sym.name, result.definitions[0]))
    return out


def inside_item(line: int, end: int | None, d: Definition) -> bool:
    """1-based cited line (and range end) inside the item: attributes/doc comments to body end."""
    first, last = d.start_line + 1, d.end_line + 1
    if not first <= line <= last:
        return False
    return end is None or end <= last


def drift_fix(ctx: RowContext, ref: Reference, d: Definition) -> Fix | None:
    if ref.line_span is None:
        return None
    original = ctx.matrix.text[ref.line_span.start : ref.line_span.end]
    if ref.line_end is None:
        content = line_spec(original, d.line + 1)
        msg = f"Point to line {d.line + 1}, where `{d.name}` is defined"
    else:
        content = line_spec(original, d.start_line + 1, d.end_line + 1)
        msg = f"Point to lines {d.start_line + 1}-{d.end_line + 1}, the extent of `{d.name}`"
    return replace_fix(ctx.matrix.path, ref.line_span, content, msg)


def definition_related(rel: str, d: Definition, what: str = "defined here") -> Related:
    return Related(rel, d.line, 0, f"`{d.qualname}` {what}")
