"""textDocument/definition and textDocument/declaration: evidence → code, tests, CI steps."""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.lsp.features.document import current_matrix
from parity_lsp.lsp.server import ParityServer


async def _locations(ls: ParityServer, uri: str, position: types.Position) -> list[types.Location] | None:
    found = await current_matrix(ls, uri, position)
    if found is None:
        return None
    from parity_lsp.features.navigate import definition

    folder, matrix, offset = found
    analysis, converter = folder.analysis, folder.converter
    out = []
    for t in definition(analysis.ws, matrix, offset):
        start = types.Position(line=t.line, character=0)
        out.append(types.Location(uri=converter.uri(t.path), range=types.Range(start=start, end=start)))
    return out or None


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def goto_definition(
        ls: ParityServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        return await _locations(ls, params.text_document.uri, params.position)

    @server.feature(types.TEXT_DOCUMENT_DECLARATION)
    async def goto_declaration(
        ls: ParityServer, params: types.DeclarationParams
    ) -> list[types.Location] | None:
        return await _locations(ls, params.text_document.uri, params.position)
