"""textDocument/hover: meanings, resolved evidence with code, CI verdicts, rule docs."""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.findings import Finding
from parity_lsp.lsp.features.document import current_matrix
from parity_lsp.lsp.server import ParityServer


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: ParityServer, params: types.HoverParams) -> types.Hover | None:
        found = await current_matrix(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        from parity_lsp.features.hover import hover

        folder, matrix, offset = found
        analysis, converter = folder.analysis, folder.converter
        # what is known now (a hover does not wait for the semantic stage of a matrix just
        # opened), and the hovered row's own semantic findings (that one row is checked now)
        findings: list[Finding] = []
        if matrix.path in analysis.states:
            findings = analysis.findings(matrix.path, staged=True)
            findings += analysis.row_findings_held(matrix.path, matrix.index.line_of(offset))
        result = hover(analysis.ws, matrix, offset, findings)
        if result is None:
            return None
        rng = converter.range(matrix.path, result.span) if result.span is not None else None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=result.markdown), range=rng
        )
