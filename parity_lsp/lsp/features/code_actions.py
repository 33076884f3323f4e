"""textDocument/codeAction: quick fixes bound to their diagnostics, fix all, refactors.

Translation only: the actions come from `parity_lsp.features.actions` over the same finding
list `ParityServer.diagnostics_for` publishes, so a quick fix carries the very diagnostic
(`data = {"uri", "index"}`) it fixes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.convert import SOURCE, Converter, offset
from parity_lsp.lsp.server import ParityServer
from parity_lsp.text import Span

if TYPE_CHECKING:
    from parity_lsp.findings import Finding

# `features.actions`' kinds (QUICKFIX, FIX_ALL, REFACTOR), which it names as LSP does: the engine
# is imported once `initialize` is answered, and these are needed to register the feature
KIND_FIX_ALL = types.CodeActionKind.SourceFixAll + ".parityLsp"
KINDS = {
    "quickfix": types.CodeActionKind.QuickFix,
    "source.fixAll.parityLsp": KIND_FIX_ALL,
    "refactor.rewrite": types.CodeActionKind.RefactorRewrite,
}


def _kind_value(kind: types.CodeActionKind | str) -> str:
    return str(getattr(kind, "value", kind))


def _sent_indexes(
    converter: Converter, uri: str, findings: list[Finding], context: types.CodeActionContext | None
) -> list[int]:
    """Findings named by the diagnostics the client sent (ours, for this document, still current)."""
    out = []
    for d in (context.diagnostics if context else None) or []:
        data = d.data if isinstance(d.data, dict) else None
        if d.source != SOURCE or data is None or data.get("uri") != uri:
            continue
        i = data.get("index")
        if isinstance(i, int) and 0 <= i < len(findings) and findings[i].code == d.code:
            rel = findings[i].path
            if converter.range(rel, findings[i].span) == d.range:
                out.append(i)
    return out


def register(server: ParityServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                KIND_FIX_ALL,
                types.CodeActionKind.RefactorRewrite,
            ],
            resolve_provider=False,
        ),
    )
    async def code_action(ls: ParityServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        from parity_lsp.features.actions import QUICKFIX, code_actions

        uri = params.text_document.uri
        found = await ls.ready_document(uri)
        if found is None:
            return []
        folder, rel = found
        analysis, converter = folder.analysis, folder.converter
        if rel not in analysis.states and rel not in analysis.matrix_paths():
            return []  # not a matrix: nothing to offer
        state = analysis.check(rel)
        if state is None or not state.matrix.tables:
            return []
        findings = analysis.findings(rel)
        index = state.matrix.index
        enc = converter.encoding
        start = offset(index, params.range.start, enc)
        end = offset(index, params.range.end, enc)
        span = Span(min(start, end), max(start, end))
        only = (
            [_kind_value(k) for k in params.context.only] if params.context and params.context.only else None
        )
        config = analysis.ws.config
        actions = code_actions(
            state.matrix,
            findings,
            span,
            only=only,
            extra=_sent_indexes(converter, uri, findings, params.context),
            statuses=config.statuses,
            proof_levels=config.proof_levels,
            config=config,
        )
        out: list[types.CodeAction] = []
        for action in actions:
            diagnostics = None
            if action.kind == QUICKFIX:
                diagnostics = [
                    converter.diagnostic(findings[i], {"uri": uri, "index": i}) for i in action.findings
                ]
            out.append(
                types.CodeAction(
                    title=action.title,
                    kind=KINDS[action.kind],
                    diagnostics=diagnostics,
                    is_preferred=True if action.preferred else None,
                    edit=converter.workspace_edit(action.edits),
                )
            )
        return out
