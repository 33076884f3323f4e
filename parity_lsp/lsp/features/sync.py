"""Document sync: open buffers are overlaid on the disk, and edits re-check what they touch.

A document is overlaid in every folder that holds it (an outer folder's rows may cite a nested
folder's files) and belongs to one: the folder whose path is its longest prefix, or an implicit
folder made for it when it is in none (lsp/folders.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.features.lifecycle import implicit_folder
from parity_lsp.lsp.server import ParityServer

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis
    from parity_lsp.lsp.folders import Folder

# Edits arrive per keystroke; a short delay coalesces a burst into one check.
EDIT_DELAY = 0.02


def _sync(ls: ParityServer, uri: str) -> list[tuple[Folder, str]]:
    """The buffer's text overlaid in every folder holding it: (folder, path there), the
    folder it belongs to first."""
    found = ls.document(uri)
    path = ls.folders.path(uri)
    if found is None or path is None:
        return []
    doc = ls.workspace.get_text_document(uri)
    owner = found[0]
    out = [found] + [(f, rel) for f, rel in ls.folders.containing(path) if f is not owner]
    for folder, rel in out:
        folder.analysis.open_document(rel, doc.source, doc.version)
    return out


def _affected(analysis: Analysis, rel: str, text: str, owner: bool) -> list[str]:
    """The matrices to check again after `rel` changed (itself, in the folder it belongs to,
    when it holds a matrix table)."""
    out = set(analysis.file_changed(rel, False))
    if owner and (rel in analysis.open_matrices or analysis.is_matrix_document(rel, text)):
        analysis.open_matrices.add(rel)
        out.add(rel)
    return sorted(out)


def register(server: ParityServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ParityServer, params: types.DidOpenTextDocumentParams) -> None:
        from parity_lsp.workspace.files import is_matrix_name

        uri = params.text_document.uri
        ls.newest_version[uri] = params.text_document.version
        if ls.ready is None:
            return  # before `initialize`
        if ls.document(uri) is None and (
            not is_matrix_name(params.text_document.uri) or implicit_folder(ls, uri) is None
        ):
            return  # outside every folder, and no matrix: nothing to check
        places = _sync(ls, uri)
        if not places:
            return
        ls.doc_owner[uri] = places[0][0]
        for i, (folder, rel) in enumerate(places):
            affected = _affected(folder.analysis, rel, params.text_document.text, owner=i == 0)
            ls.publish_many(folder, affected, edited=rel)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ParityServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        if version is not None:
            ls.newest_version[uri] = max(version, ls.newest_version.get(uri, version))
        places = _sync(ls, uri)
        if not places:
            return
        doc = ls.workspace.get_text_document(uri)
        for i, (folder, rel) in enumerate(places):
            for target in _affected(folder.analysis, rel, doc.source, owner=i == 0):
                ls.schedule(folder, target, EDIT_DELAY, edited=rel)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ParityServer, params: types.DidSaveTextDocumentParams) -> None:
        # clients without file watching (Neovim on Linux) still see saved files change
        found = ls.document(params.text_document.uri)
        path = ls.folders.path(params.text_document.uri)
        if found is None or path is None:
            return
        owner = found[0]
        for folder, rel in ls.folders.containing(path):
            # files may have been created or deleted around it: forget the file list and re-check
            # the saved document in full (its own content version did not change)
            affected = set(folder.analysis.file_changed(rel, True))
            if folder is owner:
                affected.add(rel)
            ls.publish_many(folder, sorted(affected))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ParityServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.newest_version.pop(uri, None)
        owner = ls.doc_owner.pop(uri, None)
        path = ls.folders.path(uri)
        if path is None:
            return
        if owner is not None and owner.implicit and owner not in ls.doc_owner.values():
            ls.remove_folder(owner)  # its last document: the root was chosen for it
        for folder, rel in ls.folders.containing(path):
            affected, gone = folder.analysis.close_document(rel)
            if gone and folder is owner:
                # no matrix of the workspace any more (unsaved, or a matrix only to the editor):
                # nobody shows its diagnostics, and its rows no longer count for PM003
                ls.clear_diagnostics(uri)
            ls.publish_many(folder, affected)  # with what PM003 changed elsewhere
        if owner is not None and owner.removed and ls.published.get(uri):
            ls.clear_diagnostics(uri)
