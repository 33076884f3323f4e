"""textDocument/formatting and rangeFormatting: align matrix tables (`parity_lsp.features.format`).

Edits are computed on the text the client has (the open buffer) and converted with that text's
own line index, so their ranges match the document version the request was made for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.convert import lsp_range
from parity_lsp.lsp.convert import offset as to_offset
from parity_lsp.lsp.features.document import current_matrix
from parity_lsp.lsp.server import ParityServer
from parity_lsp.text import Span

if TYPE_CHECKING:
    from parity_lsp.model import Matrix


def _edits(matrix: Matrix, span: Span | None, encoding: str) -> list[types.TextEdit]:
    from parity_lsp.features.format import format_edits

    return [
        types.TextEdit(range=lsp_range(matrix.index, e.span, encoding), new_text=e.content)
        for e in format_edits(matrix, span)
    ]


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    async def formatting(ls: ParityServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        found = await current_matrix(ls, params.text_document.uri)
        if found is None:
            return []
        folder, matrix, _ = found
        return _edits(matrix, None, folder.converter.encoding)

    @server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
    async def range_formatting(
        ls: ParityServer, params: types.DocumentRangeFormattingParams
    ) -> list[types.TextEdit]:
        found = await current_matrix(ls, params.text_document.uri)
        if found is None:
            return []
        folder, matrix, _ = found
        encoding = folder.converter.encoding
        start = to_offset(matrix.index, params.range.start, encoding)
        end = to_offset(matrix.index, params.range.end, encoding)
        return _edits(matrix, Span(min(start, end), max(start, end)), encoding)
