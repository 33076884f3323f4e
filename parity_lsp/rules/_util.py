"""Helpers shared by rule modules: fuzzy matching and common fix builders."""

from __future__ import annotations

import difflib
import functools
import posixpath
from collections.abc import Iterable

from parity_lsp.findings import Edit, Fix
from parity_lsp.model import COL_STATUS, Cell, Matrix, Reference, Row, Table
from parity_lsp.roles import EVIDENCE, PARTIAL, SHIPPED, Vocabulary
from parity_lsp.text import Span

# How the template's messages name its evidence columns (their messages stay as they were).
TEMPLATE_NAMES = {"code": "Evidence (Code)", "tests": "Evidence (Tests)", "ci": "Evidence (CI)"}


def columns_named(table: Table, role: str) -> str:
    """How a message names the columns where `role` evidence goes: the template's name in a
    template table (`Evidence (Tests)`), else the table's own headers (`` `Covered By Tests` ``),
    mixed `evidence` columns included."""
    if table.roles.template and role in TEMPLATE_NAMES:
        return TEMPLATE_NAMES[role]
    idx = [i for i, r in enumerate(table.roles.by_index) if r == role]
    idx += [i for i, r in enumerate(table.roles.by_index) if r == EVIDENCE]
    names = [f"`{table.header[i].value}`" for i in idx if i < len(table.header)]
    if not names:
        return f"a {role} column (this table has none)"
    return " or ".join(names)


def evidence_cell(row: Row, role: str) -> Cell | None:
    """The cell where a finding about missing `role` evidence is shown: the first column of
    that role, else the first mixed evidence column."""
    return row.cell(role) or row.cell(EVIDENCE)


# A fuzzy guess is applied by `parity-lsp fix` only when it is this close (difflib ratio).
SAFE_RATIO = 0.85


# Words people write for the vocabulary's values, with how sure the match is. Spellings of a
# proof level are certain (applied by `fix`); a status word is a claim, so only suggested.
SYNONYMS = {
    "done": ("implemented", 0.8),
    "complete": ("implemented", 0.8),
    "completed": ("implemented", 0.8),
    "shipped": ("implemented", 0.8),
    "✅": ("implemented", 0.8),
    "wip": ("partial", 0.8),
    "in progress": ("partial", 0.8),
    "todo": ("planned", 0.8),
    "backlog": ("planned", 0.8),
    "not started": ("planned", 0.8),
    "design": ("designed", 0.8),
    "proposed": ("designed", 0.8),
    "end-to-end": ("e2e", 0.95),
    "end to end": ("e2e", 0.95),
    "end2end": ("e2e", 0.95),
    "unit test": ("unit", 0.95),
    "unit tests": ("unit", 0.95),
    "integration test": ("integration", 0.95),
    "integration tests": ("integration", 0.95),
    "production": ("prod", 0.95),
}


def nearest(value: str, choices: Iterable[str], cutoff: float = 0.5) -> tuple[str, float] | None:
    """The choice most like `value` (case-insensitive) and its similarity, or None."""
    return _nearest(value, tuple(choices), cutoff)


@functools.lru_cache(maxsize=4096)  # a matrix repeats its few wrong values on many rows
def _nearest(value: str, choices: tuple[str, ...], cutoff: float) -> tuple[str, float] | None:
    low = value.strip().lower()
    if not low:
        return None
    synonym, sure = SYNONYMS.get(low, (None, 0.0))
    if synonym is not None:
        for choice in choices:
            if choice.lower() == synonym:
                return choice, sure
    best: tuple[str, float] | None = None
    for choice in choices:
        c = choice.lower()
        if c == low:
            return choice, 1.0
        # a vocabulary word inside the value ("✅ Implemented") is a near-certain match
        ratio = (
            0.95
            if c in low.split() or (len(c) > 3 and c in low)
            else difflib.SequenceMatcher(None, low, c).ratio()
        )
        if ratio >= cutoff and (best is None or ratio > best[1]):
            best = (choice, ratio)
    return best


def replace_fix(matrix_path: str, span: Span, content: str, message: str, safe: bool = True) -> Fix:
    return Fix(message, (Edit(matrix_path, span, content),), safe)


def downgrade_fix(matrix_path: str, row: Row, vocabulary: Vocabulary | None = None) -> Fix | None:
    """Downgrade a shipped row to partial (never safe: it changes the claim). A template
    table's `Implemented` becomes `Partial`; in a table with its own words, the shipped value
    the cell starts with becomes the table's partial word (`done` -> `partial`, `✅` -> `🟡`)."""
    cell = row.cell(COL_STATUS)
    if cell is None:
        return None
    if vocabulary is not None and not vocabulary.legacy:
        return _downgrade_to_table_word(matrix_path, row, cell, vocabulary)
    # keep emphasis and surrounding markup: replace only the word itself
    start = cell.text.lower().find("implemented")
    if start == -1:
        return replace_fix(matrix_path, cell.span, "Partial", "Downgrade to Partial", safe=False)
    s = cell.span.start + start
    return replace_fix(
        matrix_path, Span(s, s + len("implemented")), "Partial", "Downgrade to Partial", safe=False
    )


def partial_word(table: Table | None, vocabulary: Vocabulary, like: str = "") -> str:
    """The word for "partial" in a table: the one its rows use most, else the vocabulary's
    (an emoji for a table of emoji: `like` is the shipped value being replaced)."""
    counts: dict[str, int] = {}
    if table is not None:
        for other in table.rows[:2000]:
            match = vocabulary.match(other.status)
            if match is not None and match.meaning == PARTIAL:
                word = as_written(other.status, match.value)
                counts[word] = counts.get(word, 0) + 1
    if counts:
        return max(counts, key=lambda w: counts[w])
    words = vocabulary.values_for(PARTIAL)
    symbolic = bool(like) and not any(ch.isalnum() for ch in like)
    for word in words:
        if symbolic != any(ch.isalnum() for ch in word):
            return word
    return words[0] if words else "Partial"


def as_written(status: str, value: str) -> str:
    """The vocabulary word `value` as a status cell writes it (`In progress` for the lexicon's
    `in progress`): a fix in the table's own case."""
    written = status.strip()
    return written[: len(value)] if written[: len(value)].lower() == value.lower() else value


def _downgrade_to_table_word(matrix_path: str, row: Row, cell: Cell, vocabulary: Vocabulary) -> Fix | None:
    match = vocabulary.match(row.status)
    if match is None or match.meaning != SHIPPED:
        return None
    word = partial_word(row.table, vocabulary, match.value)
    shipped = as_written(row.status, match.value)
    if shipped and shipped.lower() == shipped and word[:1].isupper():
        word = word.lower()
    at = cell.text.lower().find(match.value.lower())
    span = Span(cell.span.start + at, cell.span.start + at + len(match.value)) if at != -1 else cell.span
    return replace_fix(matrix_path, span, word, f"Downgrade to `{word}`", safe=False)


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


def cell_span(matrix: Matrix, cell: Cell) -> Span:
    """Where to show a finding about a cell: its text, or for an empty cell the pipes around it.
    Every search stays within the cell's line: a CSV has no pipe, and a search to the file's
    ends for each empty cell made a 100,000-row file quadratic."""
    if cell.span.end > cell.span.start:
        return cell.span
    text = matrix.text
    at, end = cell.span.start, cell.span.end
    line_start = text.rfind("\n", 0, at) + 1
    line_start = text.rfind("\r", line_start, at) + 1 or line_start
    nl = text.find("\n", end)
    nl = len(text) if nl == -1 else nl
    cr = text.find("\r", end, nl)
    nl = nl if cr == -1 else cr
    start = text.rfind("|", line_start, at)
    close = text.find("|", end, nl)
    if start != -1 and close != -1:
        return Span(start, close + 1)
    return cell.span


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
