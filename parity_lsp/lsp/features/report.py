"""workspace/executeCommand `parityLsp.showReport`: the parity report of a workspace folder.

Argument (optional): `{"format": "html" | "markdown", "uri": URI}` (default html). Returns
`{"format": ..., "content": ..., "root": URI, "folders": [URI, ...]}` for the client to show
(a webview for HTML, a Markdown preview otherwise). Row links are `file://` URIs with `#L12`,
so they work from a webview. The report is built from the server's own analysis (open buffers
included), not from disk.

A report is one folder's, as `parity-lsp report` is one root's: each folder has its own
configuration (statuses, proof levels), so their rows do not add up. `uri` (a document's or a
folder's) chooses the folder; without it, the first workspace folder. `root` says which folder
the report is of and `folders` lists every folder, to ask for the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from parity_lsp.lsp.server import ParityServer

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis
    from parity_lsp.findings import Finding
    from parity_lsp.lsp.folders import Folder
    from parity_lsp.model import Matrix
    from parity_lsp.report import ParityReport

SHOW_REPORT = "parityLsp.showReport"
FORMATS = ("html", "markdown")


class ShownReport(TypedDict):
    """What `parityLsp.showReport` answers."""

    format: str  # "html" or "markdown"
    content: str
    root: str  # the URI of the folder reported on
    folders: list[str]  # every folder's URI


def _arguments_of(args: tuple[Any, ...]) -> tuple[str, str | None]:  # JSON from the client
    """(format, uri) from the command's arguments."""
    fmt: object = "html"
    uri: object = None
    if args:
        first = args[0]
        if isinstance(first, dict):
            fmt = first.get("format") or "html"
            uri = first.get("uri")
        elif isinstance(first, str):
            fmt = first
        elif first is not None:
            raise JsonRpcInvalidParams.of(
                ValueError(f'{SHOW_REPORT}: expected {{"format": "html"|"markdown", "uri": URI}}')
            )
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise JsonRpcInvalidParams.of(
            ValueError(f"{SHOW_REPORT}: unknown format {fmt!r} (expected html or markdown)")
        )
    if uri is not None and not isinstance(uri, str):
        raise JsonRpcInvalidParams.of(ValueError(f"{SHOW_REPORT}: `uri` must be a string"))
    return fmt, uri


def _folder_for(ls: ParityServer, uri: str | None) -> Folder:
    """The folder a report is asked for: `uri`'s (a document's or a folder's), else the first
    workspace folder (else the first folder)."""
    if uri is not None:
        found = ls.document(uri)
        if found is None:
            raise JsonRpcInvalidParams.of(ValueError(f"{SHOW_REPORT}: {uri} is in no workspace folder"))
        return found[0]
    folders = ls.folders.explicit() or list(ls.folders)
    if not folders:
        raise JsonRpcInvalidParams.of(ValueError(f"{SHOW_REPORT}: the server has no workspace folder yet"))
    return folders[0]


def workspace_report(analysis: Analysis) -> ParityReport:
    from parity_lsp.report import build_report

    paths = analysis.check_all()
    matrices: list[Matrix] = []
    findings: list[Finding] = []
    unreadable: dict[str, str] = {}
    for rel in paths:
        state = analysis.states.get(rel)
        if state is None:
            continue
        if state.matrix.tables:
            matrices.append(state.matrix)
            findings.extend(analysis.findings(rel))
        elif any(f.code == "PM000" for f in state.findings):
            unreadable[rel] = next(f.message for f in state.findings if f.code == "PM000")
            findings.extend(state.findings)
    return build_report(analysis.ws, matrices, findings, unreadable)


def register(server: ParityServer) -> None:
    @server.command(SHOW_REPORT)
    async def show_report(ls: ParityServer, *args: Any) -> ShownReport:
        fmt, uri = _arguments_of(args)
        await ls.wait_ready()
        folder = _folder_for(ls, uri)
        await ls.wait_ready(folder)
        analysis = folder.analysis
        from parity_lsp.report import render

        try:
            report = workspace_report(analysis)
            root = analysis.root.as_uri().rstrip("/") + "/"
            content = render(report, fmt, link_base=root)
        except Exception as exc:  # an engine bug must not take the server down
            ls.log(f"parity-lsp: {SHOW_REPORT} failed: {exc!r}", types.MessageType.Error)
            raise
        return {"format": fmt, "content": content, "root": folder.uri, "folders": [f.uri for f in ls.folders]}
