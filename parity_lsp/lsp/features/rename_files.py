"""workspace/willRenameFiles: matrix references follow renamed and moved files and folders.

Translation only: the edits come from `parity_lsp.features.rename`. The edit is applied by the
client before the move, so it addresses the matrices at their old URIs.
"""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.lsp.server import ParityServer

GLOB = "**/*"
OPTIONS = types.FileOperationRegistrationOptions(
    filters=[
        types.FileOperationFilter(
            scheme="file",
            pattern=types.FileOperationPattern(glob=GLOB, matches=types.FileOperationPatternKind.File),
        ),
        types.FileOperationFilter(
            scheme="file",
            pattern=types.FileOperationPattern(glob=GLOB, matches=types.FileOperationPatternKind.Folder),
        ),
    ]
)


def register(server: ParityServer) -> None:
    @server.feature(types.WORKSPACE_WILL_RENAME_FILES, OPTIONS)
    async def will_rename_files(
        ls: ParityServer, params: types.RenameFilesParams
    ) -> types.WorkspaceEdit | None:
        from parity_lsp.features.rename import rename_edits

        await ls.wait_ready()
        # each folder's matrices follow the renames inside that folder (a file moved to another
        # folder is out of their reach: evidence paths never leave their root)
        changes: dict[str, list[types.TextEdit]] = {}
        for folder in ls.folders:
            renames = []
            for f in params.files:
                old_path, new_path = ls.folders.path(f.old_uri), ls.folders.path(f.new_uri)
                old = folder.rel(old_path) if old_path is not None else None
                new = folder.rel(new_path) if new_path is not None else None
                if old and new:
                    renames.append((old, new))
            if not renames:
                continue
            await ls.wait_ready(folder)
            edits = rename_edits(folder.analysis, renames)
            if edits:
                for uri, text_edits in (folder.converter.workspace_edit(edits).changes or {}).items():
                    changes.setdefault(uri, []).extend(text_edits)
        return types.WorkspaceEdit(changes=changes) if changes else None
