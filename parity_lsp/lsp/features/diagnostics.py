"""Pull diagnostics: textDocument/diagnostic and workspace/diagnostic (result ids per version).

Staged: a matrix whose semantic rules are still running answers with what is known (its
syntactic findings; never an empty report that would clear the editor), and the client is asked
to pull again (`workspace/diagnostic/refresh`) when the rest is computed (`ParityServer.complete_later`).

A workspace pull answers for every matrix of every folder. A document pull that changed the
workspace-scoped findings of other matrices (PM003) asks the client to pull again
(`workspace/diagnostic/refresh`), so that they do not keep what they had.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.server import ParityServer
from parity_lsp.lsp.transport import Prebuilt, RawJson

if TYPE_CHECKING:
    from parity_lsp.lsp.folders import Folder

IDENTIFIER = "parity-lsp"


def _report(ls: ParityServer, folder: Folder, rel: str) -> tuple[RawJson, str]:
    """The document's diagnostics (wire form) and a result id that changes exactly when they do."""
    found = ls.diagnostics_for(folder, rel)
    return found.raw, f"{rel}@{found.digest & 0xFFFFFFFFFFFF:x}"


def register(server: ParityServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def document_diagnostic(ls: ParityServer, params: types.DocumentDiagnosticParams) -> Prebuilt:
        found = await ls.ready_document(params.text_document.uri)
        if found is None or not ls.pull_mode:
            return Prebuilt(kind="full", items=[], resultId="pushed")  # see ParityServer.pull_mode
        folder, rel = found
        doc = ls.workspace.get_text_document(params.text_document.uri)
        analysis = folder.analysis
        if (
            rel not in analysis.states
            and rel not in analysis.revalidating
            and not (
                (analysis.ws.is_matrix_file(rel) and not analysis.is_foreign(rel))
                or analysis.is_matrix_document(rel, doc.source)
            )
        ):
            return Prebuilt(kind="full", items=[], resultId=f"{rel}@none")
        items, result_id = _report(ls, folder, rel)
        if ls.follow_cross_changes(folder, exclude={rel}):
            ls.refresh_pull()  # other pulled documents' PM003 changed with this one
        if params.previous_result_id == result_id:
            return Prebuilt(kind="unchanged", resultId=result_id)
        return Prebuilt(kind="full", resultId=result_id, items=items)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: ParityServer, params: types.WorkspaceDiagnosticParams) -> Prebuilt:
        await ls.wait_ready()
        previous = {p.uri: p.value for p in params.previous_result_ids or []}
        items: list[Prebuilt] = []
        if not ls.pull_mode:
            return Prebuilt(items=[])
        for folder in ls.folders:
            await ls.wait_ready(folder)
            if folder.removed:
                continue
            for rel in folder.analysis.check_all():
                uri = folder.converter.uri(rel)
                version = ls.open_version(folder, rel)
                diags, result_id = _report(ls, folder, rel)
                if previous.get(uri) == result_id:
                    items.append(Prebuilt(kind="unchanged", uri=uri, resultId=result_id, version=version))
                else:
                    items.append(
                        Prebuilt(kind="full", uri=uri, resultId=result_id, version=version, items=diags)
                    )
            folder.analysis.take_cross_changed()  # every matrix of the folder is in this answer
        return Prebuilt(items=items)
