"""Completion: what to offer at a cursor in a matrix document, decided by the column under it.

Invariant: no LSP types and no IO of its own (the workspace reads files); pure over the
current buffer text, which may be half-typed, the workspace (its file tree, definitions,
workflows and exception ids, each cached there) and the matrices the caller has parsed. Every
replace span lies on the cursor's line and covers exactly what is typed of the value being
completed; every text inserted into a Markdown table cell escapes `|` as `\\|`.

Modules, by what is completed:
- `cursor`: the cell under the cursor (the parsers' splitters, the engine's column roles) and
  the request around it;
- `values`: statuses, proof levels (their meaning: `features/vocabulary.py`, as hover), owners;
- `evidence`: what an evidence cell's cursor is in, dispatching to `paths` (folder by folder,
  workflow files), `symbols` (lines and definitions of a cited file) and `ci` (jobs, commands);
- `prose`: exception ids, and the group headings the workspace's matrices use.
"""

from __future__ import annotations

from collections.abc import Iterable

from parity_lsp.features.completion import evidence, prose, values
from parity_lsp.features.completion.cursor import Request, cell_at, line_bounds
from parity_lsp.features.completion.items import WORD_TAIL, Completion, identity, tail
from parity_lsp.model import COL_NOTES, COL_OWNER, COL_PROOF, COL_STATUS, EVIDENCE_COLUMNS, Matrix
from parity_lsp.workspace.index import Workspace

__all__ = ["Completion", "complete"]


def complete(
    ws: Workspace,
    rel: str,
    text: str,
    offset: int,
    matrices: Iterable[Matrix] = (),
    trigger: str | None = None,
) -> list[Completion]:
    """Completions at `offset` (code point) in `text`, the current content of matrix file `rel`.

    `matrices` are the workspace's parsed matrices (owner values and group headings are
    collected from them; the row under the cursor is skipped when one of them is this
    document). `trigger` is the character that triggered the request, if any: prose (Notes)
    gets exception ids only once a word is typed or on explicit invocation, not after every
    space or parenthesis.
    """
    offset = max(0, min(offset, len(text)))
    ls, le = line_bounds(text, offset)
    matrices = list(matrices)
    heading = prose.HEADING_START.match(text[ls:le])
    if heading and offset - ls >= heading.end():
        return prose.headings(text, rel, ls, le, ls + heading.end(), offset, matrices)
    cell = cell_at(ws, rel, text, ls, le, offset)
    if cell is None:
        return prose.exception_ids(ws, text[ls:offset], offset, escape=identity, always=False)
    req = Request(ws, rel, text, offset, cell, matrices, trigger)
    column = req.column
    if column == COL_STATUS:
        return values.statuses(req)
    if column == COL_PROOF:
        return values.proof_levels(req)
    if column == COL_OWNER:
        return values.owners(req)
    if column in EVIDENCE_COLUMNS:
        out = evidence.evidence(req)
        word = tail(WORD_TAIL, req.pre)
        if word.startswith("EX") and "/" not in word:
            out += prose.exception_ids(ws, req.pre, offset, req.escape, always=True)
        return out
    prose_trigger = trigger is not None and not tail(WORD_TAIL, req.pre)
    return prose.exception_ids(
        ws, req.pre, offset, req.escape, always=column == COL_NOTES and not prose_trigger
    )
