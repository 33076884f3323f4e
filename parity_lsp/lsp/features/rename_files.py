"""workspace/willRenameFiles: matrix references follow renamed and moved files and folders.

Translation only: the edits come from `parity_lsp.features.rename`. The edit is applied by the
client before the move, so it addresses the matrices at their old URIs.
"""

from __future__ import annotations

from lsprotocol import types

from parity_lsp.features.rename import rename_edits
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
        await ls.wait_ready()
        analysis, converter = ls.analysis, ls.converter
        if analysis is None or converter is None:
            return None
        renames = []
        for f in params.files:
            old, new = ls.rel_of(f.old_uri), ls.rel_of(f.new_uri)
            if old and new:
                renames.append((old, new))
        edits = rename_edits(analysis, renames)
        if not edits:
            return None
        return converter.workspace_edit(edits)
