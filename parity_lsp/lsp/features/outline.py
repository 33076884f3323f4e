"""Outline and navigation aids: documentSymbol, workspace/symbol, foldingRange, codeLens and
documentLink. Translation only: the answers come from `parity_lsp.features.outline` / `.links`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from parity_lsp.lsp.convert import lsp_range
from parity_lsp.lsp.features.document import current_matrix
from parity_lsp.lsp.server import ParityServer

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis
    from parity_lsp.features.outline import OutlineNode, SymbolHit
    from parity_lsp.lsp.folders import Folder
    from parity_lsp.model import Matrix

# Code lenses are summaries; VS Code shows a lens only with a command, so they carry this one,
# which does nothing.
NOOP_COMMAND = "parityLsp.noop"

KINDS = {"group": types.SymbolKind.Namespace}  # `features.outline.GROUP` (tests check they agree)
CAPABILITY_KIND = types.SymbolKind.Field


async def _matrix(ls: ParityServer, uri: str) -> tuple[Folder, Matrix] | None:
    found = await current_matrix(ls, uri)
    return (found[0], found[1]) if found is not None else None


def _symbol(node: OutlineNode, matrix: Matrix, encoding: str) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=node.name,
        detail=node.detail or None,
        kind=KINDS.get(node.kind, CAPABILITY_KIND),
        range=lsp_range(matrix.index, node.span, encoding),
        selection_range=lsp_range(matrix.index, node.selection, encoding),
        children=[_symbol(c, matrix, encoding) for c in node.children] or None,
    )


def _is_matrix(analysis: Analysis, rel: str) -> bool:
    return rel in analysis.states or rel in analysis.matrix_paths()


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: ParityServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        found = await _matrix(ls, params.text_document.uri)
        if found is None:
            return []
        from parity_lsp.features.outline import document_symbols

        folder, matrix = found
        encoding = folder.converter.encoding
        return [_symbol(node, matrix, encoding) for node in document_symbols(matrix)]

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: ParityServer, params: types.WorkspaceSymbolParams
    ) -> list[types.WorkspaceSymbol]:
        from parity_lsp.features.outline import WORKSPACE_SYMBOL_LIMIT, workspace_symbols

        await ls.wait_ready()
        # every folder's capabilities, ranked together (the best hits of all folders first)
        hits: list[tuple[SymbolHit, Folder]] = []
        for folder in ls.folders:
            await ls.wait_ready(folder)
            if not folder.removed:
                hits.extend((hit, folder) for hit in workspace_symbols(folder.analysis, params.query))
        hits.sort(
            key=lambda h: (-h[0].score, h[0].name.lower(), h[1].converter.uri(h[0].path), h[0].span.start)
        )
        out = []
        for hit, folder in hits[:WORKSPACE_SYMBOL_LIMIT]:
            converter = folder.converter
            out.append(
                types.WorkspaceSymbol(
                    name=hit.name,
                    kind=CAPABILITY_KIND,
                    location=types.Location(
                        uri=converter.uri(hit.path),
                        range=lsp_range(hit.matrix.index, hit.span, converter.encoding),
                    ),
                    container_name=" · ".join(p for p in (hit.group, hit.status) if p) or None,
                )
            )
        return out

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    async def folding_range(ls: ParityServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        found = await _matrix(ls, params.text_document.uri)
        if found is None:
            return []
        from parity_lsp.features.outline import folding_ranges

        matrix = found[1]
        return [
            types.FoldingRange(
                start_line=f.start_line, end_line=f.end_line, kind=types.FoldingRangeKind.Region
            )
            for f in folding_ranges(matrix)
        ]

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: ParityServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        found = await ls.ready_document(params.text_document.uri)
        if found is None:
            return []
        folder, rel = found
        analysis, converter = folder.analysis, folder.converter
        if not _is_matrix(analysis, rel):
            return []
        state = analysis.check(rel)
        if state is None:
            return []
        from parity_lsp.features.outline import table_summaries

        findings = analysis.findings(rel)
        matrix = state.matrix
        encoding = converter.encoding
        return [
            types.CodeLens(
                range=lsp_range(matrix.index, s.span, encoding),
                command=types.Command(title=s.title, command=NOOP_COMMAND),
            )
            for s in table_summaries(matrix, findings, analysis.ws.config.statuses)
        ]

    @server.command(NOOP_COMMAND)
    def noop(ls: ParityServer, *args: Any) -> None:  # the command's arguments: JSON, unused
        return None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
    async def document_link(ls: ParityServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
        found = await _matrix(ls, params.text_document.uri)
        if found is None:
            return []
        from parity_lsp.features.links import document_links

        folder, matrix = found
        analysis, converter = folder.analysis, folder.converter
        encoding = converter.encoding
        out = []
        for link in document_links(matrix, analysis.ws.fs):
            target = converter.uri(link.target)
            if link.fragment:
                target = f"{target}#{link.fragment}"
            out.append(
                types.DocumentLink(
                    range=lsp_range(matrix.index, link.span, encoding), target=target, tooltip=link.tooltip
                )
            )
        return out
