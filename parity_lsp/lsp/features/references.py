"""textDocument/references: every matrix row citing the same file, symbol, test, job or command.

Translation only: the citations come from `parity_lsp.features.references`.
"""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.lsp.convert import offset
from parity_lsp.lsp.folders import index_for
from parity_lsp.lsp.server import ParityServer


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: ParityServer, params: types.ReferenceParams) -> list[types.Location] | None:
        found = await ls.ready_document(params.text_document.uri)
        if found is None:
            return None
        from parity_lsp.features.references import find_references

        folder, rel = found
        analysis, converter = folder.analysis, folder.converter
        if rel in analysis.states or rel in analysis.matrix_paths():
            analysis.check(rel)  # the index of the current text
        at = offset(index_for(analysis, rel), params.position, converter.encoding)
        include = bool(params.context and params.context.include_declaration)
        citations = find_references(analysis, rel, at, include_declaration=include)
        return [
            types.Location(uri=converter.uri(c.path), range=converter.range(c.path, c.span))
            for c in citations
        ] or None
