"""Document sync: open buffers are overlaid on the disk, and edits re-check what they touch."""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.analysis import Analysis
from parity_lsp.lsp.server import ParityServer

# Edits arrive per keystroke; a short delay coalesces a burst into one check.
EDIT_DELAY = 0.02


def _sync(ls: ParityServer, uri: str) -> str | None:
    rel = ls.rel_of(uri)
    if rel is None or ls.analysis is None:
        return None
    doc = ls.workspace.get_text_document(uri)
    ls.analysis.open_document(rel, doc.source, doc.version)
    return rel


def _affected(analysis: Analysis, rel: str, text: str) -> list[str]:
    out = set(analysis.file_changed(rel, False))
    if rel in analysis.open_matrices or analysis.is_matrix_document(rel, text):
        analysis.open_matrices.add(rel)
        out.add(rel)
    return sorted(out)


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ParityServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.newest_version[params.text_document.uri] = params.text_document.version
        rel = _sync(ls, params.text_document.uri)
        if rel is None or ls.analysis is None:
            return
        ls.publish_many(_affected(ls.analysis, rel, params.text_document.text))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ParityServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        if version is not None:
            ls.newest_version[uri] = max(version, ls.newest_version.get(uri, version))
        rel = _sync(ls, params.text_document.uri)
        if rel is None or ls.analysis is None:
            return
        doc = ls.workspace.get_text_document(params.text_document.uri)
        for target in _affected(ls.analysis, rel, doc.source):
            ls.schedule(target, EDIT_DELAY)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ParityServer, params: types.DidSaveTextDocumentParams) -> None:
        # clients without file watching (Neovim on Linux) still see saved files change
        rel = ls.rel_of(params.text_document.uri)
        if rel is None or ls.analysis is None:
            return
        # files may have been created or deleted around it: forget the file list and re-check
        # the saved document in full (its own content version did not change)
        ls.publish_many(sorted(set(ls.analysis.file_changed(rel, True)) | {rel}))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ParityServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.newest_version.pop(params.text_document.uri, None)
        rel = ls.rel_of(params.text_document.uri)
        analysis = ls.analysis
        if rel is None or analysis is None:
            return
        analysis.close_document(rel)
        affected = analysis.file_changed(rel, False)
        if analysis.ws.is_matrix_file(rel):
            affected.append(rel)
        else:
            # an editor-only matrix: nobody shows its diagnostics any more
            uri = params.text_document.uri
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            analysis.states.pop(rel, None)
            analysis.revalidating.pop(rel, None)
        ls.publish_many(sorted(set(affected)))
