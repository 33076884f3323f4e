"""textDocument/definition and textDocument/declaration: evidence → code, tests, CI steps."""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.features.navigate import definition
from parity_lsp.lsp.features.document import current_matrix
from parity_lsp.lsp.server import ParityServer


def _locations(ls: ParityServer, uri: str, position: types.Position) -> list[types.Location] | None:
    found = current_matrix(ls, uri, position)
    analysis, converter = ls.analysis, ls.converter
    if found is None or analysis is None or converter is None:
        return None
    matrix, offset = found
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
        await ls.wait_ready()
        return _locations(ls, params.text_document.uri, params.position)

    @server.feature(types.TEXT_DOCUMENT_DECLARATION)
    async def goto_declaration(
        ls: ParityServer, params: types.DeclarationParams
    ) -> list[types.Location] | None:
        await ls.wait_ready()
        return _locations(ls, params.text_document.uri, params.position)
