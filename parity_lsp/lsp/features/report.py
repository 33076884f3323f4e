"""workspace/executeCommand `parityLsp.showReport`: the parity report of the whole workspace.

Argument (optional): `{"format": "html" | "markdown"}` (default html). Returns
`{"format": ..., "content": ...}` for the client to show (a webview for HTML, a Markdown
preview otherwise). Row links are `file://` URIs with `#L12`, so they work from a webview.
The report is built from the server's own analysis (open buffers included), not from disk.
"""

from __future__ import annotations

from typing import Any, TypedDict

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from parity_lsp.analysis import Analysis
from parity_lsp.findings import Finding
from parity_lsp.lsp.server import ParityServer
from parity_lsp.model import Matrix
from parity_lsp.report import ParityReport, build_report, render

SHOW_REPORT = "parityLsp.showReport"
FORMATS = ("html", "markdown")


class ShownReport(TypedDict):
    """What `parityLsp.showReport` answers."""

    format: str  # "html" or "markdown"
    content: str


def _format_of(args: tuple[Any, ...]) -> str:  # the command's arguments: JSON from the client
    fmt = "html"
    if args:
        first = args[0]
        if isinstance(first, dict):
            fmt = first.get("format") or "html"
        elif isinstance(first, str):
            fmt = first
        elif first is not None:
            raise JsonRpcInvalidParams.of(
                ValueError(f'{SHOW_REPORT}: expected {{"format": "html"|"markdown"}}')
            )
    if fmt not in FORMATS:
        raise JsonRpcInvalidParams.of(
            ValueError(f"{SHOW_REPORT}: unknown format {fmt!r} (expected html or markdown)")
        )
    return fmt


def workspace_report(analysis: Analysis) -> ParityReport:
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
        fmt = _format_of(args)
        await ls.wait_ready()
        analysis = ls.analysis
        if analysis is None:
            raise JsonRpcInvalidParams.of(ValueError(f"{SHOW_REPORT}: the server has no workspace yet"))
        try:
            report = workspace_report(analysis)
            root = analysis.root.as_uri().rstrip("/") + "/"
            content = render(report, fmt, link_base=root)
        except Exception as exc:  # an engine bug must not take the server down
            ls.log(f"parity-lsp: {SHOW_REPORT} failed: {exc!r}", types.MessageType.Error)
            raise
        return {"format": fmt, "content": content}
