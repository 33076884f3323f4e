"""Helpers shared by rule modules: fuzzy matching and common fix builders."""

from __future__ import annotations

import difflib
import posixpath

from parity_lsp.findings import Edit, Fix
from parity_lsp.model import COL_STATUS, Reference, Row
from parity_lsp.text import Span

# A fuzzy guess is applied by `parity-lsp fix` only when it is this close (difflib ratio).
SAFE_RATIO = 0.85


def nearest(value: str, choices, cutoff: float = 0.5) -> tuple[str, float] | None:
    """The choice most like `value` (case-insensitive) and its similarity, or None."""
    low = value.strip().lower()
    if not low:
        return None
    best = None
    for choice in choices:
        c = choice.lower()
        if c == low:
            return choice, 1.0
        # a vocabulary word inside the value ("✅ Implemented") is a near-certain match
        ratio = 0.95 if c in low.split() or (len(c) > 3 and c in low) else difflib.SequenceMatcher(None, low, c).ratio()
        if ratio >= cutoff and (best is None or ratio > best[1]):
            best = (choice, ratio)
    return best


def replace_fix(matrix_path: str, span: Span, content: str, message: str, safe: bool = True) -> Fix:
    return Fix(message, (Edit(matrix_path, span, content),), safe)


def downgrade_fix(matrix_path: str, row: Row) -> Fix | None:
    cell = row.cell(COL_STATUS)
    if cell is None:
        return None
    # keep emphasis and surrounding markup: replace only the word itself
    start = cell.text.lower().find("implemented")
    if start == -1:
        return replace_fix(matrix_path, cell.span, "Partial", "Downgrade to Partial", safe=False)
    s = cell.span.start + start
    return replace_fix(matrix_path, Span(s, s + len("implemented")), "Partial", "Downgrade to Partial", safe=False)


def path_as_written(ref: Reference, new_rel: str) -> str:
    """How to write workspace path `new_rel` in place of `ref.path` (links stay relative)."""
    if ref.is_link and ref.link_base:
        return posixpath.relpath(new_rel, ref.link_base)
    if ref.path.startswith("./"):
        return "./" + new_rel
    return new_rel


def line_spec(original: str, start: int, end: int | None = None) -> str:
    """Location text in the style of `original` (`120`, `10-20`, `L10`, `L10-L20`)."""
    if original.startswith("L"):
        return f"L{start}" if end is None else f"L{start}-L{end}"
    return f"{start}" if end is None else f"{start}-{end}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
