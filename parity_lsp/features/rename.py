"""Renames follow the code: the matrix edits for files and folders about to be renamed or moved
(`workspace/willRenameFiles`, like VS Code's Markdown "update links on file move").

Invariant: no LSP types; reads only through the `Analysis`; called *before* the move, so the
old paths still exist. Only the path text of a reference is replaced: `:120`, `#L10-L20`,
`::Type::method` and symbol parentheses stay as written. Code spans are workspace-relative and
stay so; links that resolved relative to the matrix file stay relative (to the matrix's new
place, when the matrix itself moves); a folder rename rewrites every path under the folder.
References come from evidence cells, from the other cells of a row (a Notes link to the
exceptions document), and from "Governed by" lines.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parity_lsp.findings import Edit
from parity_lsp.model import EVIDENCE_COLUMNS, Matrix, MatrixFormat, Reference
from parity_lsp.parse.evidence import parse_evidence
from parity_lsp.text import Span
from parity_lsp.workspace.fs import FileSystem, normalize_rel

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis


@dataclass(frozen=True, slots=True)
class _Cited:
    """A piece of path text in a matrix: `text` at `span`, relative to `base` when a link."""

    text: str
    span: Span
    base: str | None  # the matrix directory for links and governing docs; None: root-relative


def rename_edits(analysis: Analysis, renames: Sequence[tuple[str, str]]) -> list[Edit]:
    """Edits to every matrix of the workspace for `renames` (old → new workspace paths)."""
    moves = _normalized(renames)
    if not moves:
        return []
    edits: list[Edit] = []
    for rel in analysis.matrix_paths():
        state = analysis.check(rel)
        if state is None or not (state.matrix.tables or state.matrix.governing_docs):
            continue
        edits += matrix_edits(state.matrix, analysis.ws.fs, moves)
    return edits


def _normalized(renames: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for old, new in renames:
        o, n = normalize_rel(old or ""), normalize_rel(new or "")
        if o and n is not None and n and o != n:
            out.append((o, n))
    # the most specific rename wins (a file moved out of a folder that is also renamed)
    return sorted(out, key=lambda m: len(m[0]), reverse=True)


def moved(path: str, moves: Sequence[tuple[str, str]]) -> str:
    """Where `path` is after the moves (unchanged when no move touches it)."""
    for old, new in moves:
        if path == old:
            return new
        if path.startswith(old + "/"):
            return new + path[len(old) :]
    return path


def matrix_edits(matrix: Matrix, fs: FileSystem, moves: Sequence[tuple[str, str]]) -> list[Edit]:
    new_base = posixpath.dirname(moved(matrix.path, moves))
    out: dict[tuple[int, int], Edit] = {}
    for cited in _cited(matrix):
        new_text = _rewrite(cited, fs, moves, new_base)
        if new_text is None:
            continue
        if matrix.format == MatrixFormat.MARKDOWN:
            new_text = new_text.replace("|", "\\|")
        out.setdefault((cited.span.start, cited.span.end), Edit(matrix.path, cited.span, new_text))
    return [out[k] for k in sorted(out)]


def _cited(matrix: Matrix) -> Iterator[_Cited]:
    base = posixpath.dirname(matrix.path)
    for table in matrix.tables:
        for row in table.rows:
            refs = [r for ev in row.evidence.values() for r in ev.refs]
            for cell in row.cells:
                if table.roles.role_at(cell.index) not in EVIDENCE_COLUMNS:
                    refs += parse_evidence(cell.text, cell.span.start, matrix.path).refs
            yield from _paths(refs, base)
    for doc in matrix.governing_docs:
        yield _without_fragment(doc.path, doc.span, base)


def _paths(refs: list[Reference], base: str) -> Iterator[_Cited]:
    for ref in refs:
        if ref.path:
            yield _without_fragment(ref.path, ref.span, base if ref.is_link else None)


def _without_fragment(text: str, span: Span, base: str | None) -> _Cited:
    """`exceptions.md#EX-04` → the path part only (the anchor is kept by not touching it)."""
    cut = len(text)
    for mark in ("#", "?"):
        i = text.find(mark)
        if i != -1:
            cut = min(cut, i)
    return _Cited(text[:cut], Span(span.start, span.start + cut), base)


def _rewrite(cited: _Cited, fs: FileSystem, moves: Sequence[tuple[str, str]], new_base: str) -> str | None:
    """The new path text, or None when the reference needs no edit."""
    text = cited.text
    if not text or text.startswith("/") or "://" in text:
        return None
    trailing = "/" if text.endswith("/") and len(text) > 1 else ""
    relative = False
    target = None
    if cited.base is not None:
        joined = normalize_rel(posixpath.join(cited.base, text)) if cited.base else normalize_rel(text)
        if joined is not None and fs.exists(joined):
            target, relative = joined, True
    if target is None:
        plain = normalize_rel(text)
        if plain is None or not plain or not fs.exists(plain):
            return None  # broken already (or outside the workspace): leave it to the diagnostics
        target = plain
    new_target = moved(target, moves)
    if relative:
        if new_target == target and new_base == cited.base:
            return None
        written = posixpath.relpath(new_target, new_base or ".")
        if text.startswith("./") and not written.startswith("../"):
            written = "./" + written
    else:
        if new_target == target:
            return None
        written = ("./" + new_target) if text.startswith("./") else new_target
    written += trailing
    return None if written == text else written
