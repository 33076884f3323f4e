"""Pull diagnostics: textDocument/diagnostic and workspace/diagnostic (result ids per version)."""

from __future__ import annotations

import hashlib

from lsprotocol import types

from parity_lsp.lsp.server import ParityServer

IDENTIFIER = "parity-lsp"


def _report(ls: ParityServer, rel: str) -> tuple[list[types.Diagnostic], str]:
    """The document's diagnostics and a result id that changes exactly when they do."""
    items = ls.diagnostics_for(rel)
    digest = hashlib.sha1(repr([(d.code, d.range, d.message, d.severity) for d in items]).encode()).hexdigest()[:16]
    return items, f"{rel}@{digest}"


def register(server: ParityServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True),
    )
    async def document_diagnostic(ls: ParityServer, params: types.DocumentDiagnosticParams):
        await ls.wait_ready()
        rel = ls.rel_of(params.text_document.uri)
        if rel is None or ls.analysis is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        doc = ls.workspace.get_text_document(params.text_document.uri)
        analysis = ls.analysis
        if rel not in analysis.states and not (rel in analysis.ws.matrix_files() or analysis.is_matrix_document(rel, doc.source)):
            return types.RelatedFullDocumentDiagnosticReport(items=[], result_id=f"{rel}@none")
        items, result_id = _report(ls, rel)
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: ParityServer, params: types.WorkspaceDiagnosticParams):
        await ls.wait_ready()
        previous = {p.uri: p.value for p in params.previous_result_ids or []}
        items = []
        analysis = ls.analysis
        if analysis is None:
            return types.WorkspaceDiagnosticReport(items=[])
        for rel in analysis.check_all():
            uri = ls.converter.uri(rel)
            version = ls.open_version(rel)
            diags, result_id = _report(ls, rel)
            if previous.get(uri) == result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=version))
            else:
                items.append(types.WorkspaceFullDocumentDiagnosticReport(
                    uri=uri, items=diags, result_id=result_id, version=version))
        return types.WorkspaceDiagnosticReport(items=items)
