"""Pull diagnostics: textDocument/diagnostic and workspace/diagnostic (result ids per version)."""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.lsp.convert import Prebuilt, RawJson
from parity_lsp.lsp.server import ParityServer

IDENTIFIER = "parity-lsp"


def _report(ls: ParityServer, rel: str) -> tuple[RawJson, str]:
    """The document's diagnostics (wire form) and a result id that changes exactly when they do."""
    found = ls.diagnostics_for(rel)
    return found.raw, f"{rel}@{found.digest & 0xFFFFFFFFFFFF:x}"


def register(server: ParityServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def document_diagnostic(ls: ParityServer, params: types.DocumentDiagnosticParams) -> Prebuilt:
        await ls.wait_ready()
        rel = ls.rel_of(params.text_document.uri)
        if rel is None or ls.analysis is None or not ls.pull_mode:
            return Prebuilt(kind="full", items=[], resultId="pushed")  # see ParityServer.pull_mode
        doc = ls.workspace.get_text_document(params.text_document.uri)
        analysis = ls.analysis
        if (
            rel not in analysis.states
            and rel not in analysis.revalidating
            and not (analysis.ws.is_matrix_file(rel) or analysis.is_matrix_document(rel, doc.source))
        ):
            return Prebuilt(kind="full", items=[], resultId=f"{rel}@none")
        items, result_id = _report(ls, rel)
        if params.previous_result_id == result_id:
            return Prebuilt(kind="unchanged", resultId=result_id)
        return Prebuilt(kind="full", resultId=result_id, items=items)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: ParityServer, params: types.WorkspaceDiagnosticParams) -> Prebuilt:
        await ls.wait_ready()
        previous = {p.uri: p.value for p in params.previous_result_ids or []}
        items: list[dict[str, object]] = []
        analysis, converter = ls.analysis, ls.converter
        if analysis is None or converter is None or not ls.pull_mode:
            return Prebuilt(items=[])
        for rel in analysis.check_all():
            uri = converter.uri(rel)
            version = ls.open_version(rel)
            diags, result_id = _report(ls, rel)
            if previous.get(uri) == result_id:
                items.append({"kind": "unchanged", "uri": uri, "resultId": result_id, "version": version})
            else:
                items.append(
                    {"kind": "full", "uri": uri, "resultId": result_id, "version": version, "items": diags}
                )
        return Prebuilt(items=items)
