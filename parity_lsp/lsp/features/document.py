"""The matrix behind a request: the analysed state of the document, or a fresh parse of the
open buffer when it is newer (requests must answer for the text the user sees)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.convert import offset as to_offset
from parity_lsp.lsp.server import ParityServer

if TYPE_CHECKING:
    from parity_lsp.lsp.folders import Folder
    from parity_lsp.model import Matrix


async def current_matrix(
    ls: ParityServer, uri: str, position: types.Position | None = None
) -> tuple[Folder, Matrix, int] | None:
    """(its folder, matrix, offset of `position`) for the document at `uri`, or None outside
    every folder. Waits for the folder's settings (see `ParityServer.ready_document`)."""
    found = await ls.ready_document(uri)
    if found is None:
        return None
    folder, rel = found
    analysis, converter = folder.analysis, folder.converter
    src = analysis.ws.fs.read_text(rel)
    if src.text is None:
        return None
    state = analysis.states.get(rel)
    if state is not None and state.key == src.version:
        matrix = state.matrix
    else:
        from parity_lsp.engine import parse_matrix

        matrix = parse_matrix(rel, src.text, analysis.ws.config.column_spec)
    offset = to_offset(matrix.index, position, converter.encoding) if position is not None else 0
    return folder, matrix, offset
