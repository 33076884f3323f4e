"""textDocument/completion: `features.completion.complete` on the current buffer text, translated to LSP.

Translation only: the cursor position becomes a code point offset, each `Completion` a
`CompletionItem` with a `textEdit` over exactly the typed prefix. Every replace span lies on the
cursor's line, so positions are converted on that line alone (no index of the whole document,
which would cost more than the completion on a large matrix).
"""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from lsprotocol import types

from parity_lsp.lsp.server import ParityServer
from parity_lsp.lsp.transport import Prebuilt
from parity_lsp.text import LineIndex, units_in

if TYPE_CHECKING:
    from parity_lsp.features.completion import Completion

# ` opens a path or symbol, / the next folder, : a line or the job's commands, ( symbols or a
# job, | and space the next cell (Status, Proof level, Owner) and `## ` headings, - `EX-` ids.
TRIGGER_CHARACTERS = ["`", "/", ":", "(", "|", " ", "-"]
RETRIGGER = types.Command(title="Complete the next path segment", command="editor.action.triggerSuggest")

K = types.CompletionItemKind
KINDS = {
    "value": K.Value,
    "enum_member": K.EnumMember,
    "folder": K.Folder,
    "file": K.File,
    "function": K.Function,
    "method": K.Method,
    "class": K.Class,
    "struct": K.Struct,
    "enum": K.Enum,
    "interface": K.Interface,
    "module": K.Module,
    "constant": K.Constant,
    "field": K.Field,
    "reference": K.Reference,
    "event": K.Event,
    "text": K.Text,
    "person": K.Value,
    "heading": K.Keyword,
}

# Kinds added after LSP 1.0 are sent only to clients that list them (`completionItemKind.valueSet`).
BASE_KINDS = frozenset(range(1, 19))
FALLBACK = {
    K.Folder: K.File,
    K.EnumMember: K.Value,
    K.Constant: K.Variable,
    K.Struct: K.Class,
    K.Event: K.Field,
}

_BREAK = re.compile(r"\r\n|\r|\n")


def line_start(text: str, line: int) -> int:
    """Offset where 0-based `line` starts (LSP line breaks: \\n, \\r\\n, \\r); clamps."""
    if line <= 0:
        return 0
    if "\r" not in text:
        pos = 0
        for _ in range(line):
            j = text.find("\n", pos)
            if j == -1:
                return len(text)
            pos = j + 1
        return pos
    m = next(islice(_BREAK.finditer(text), line - 1, None), None)
    return m.end() if m is not None else len(text)


def line_end(text: str, start: int) -> int:
    m = _BREAK.search(text, start)
    return m.start() if m is not None else len(text)


def client_options(ls: ParityServer) -> tuple[frozenset[int], bool]:
    """(completion item kinds the client knows, whether it renders Markdown documentation)."""
    caps = getattr(getattr(ls.client_capabilities, "text_document", None), "completion", None)
    kinds = getattr(getattr(caps, "completion_item_kind", None), "value_set", None)
    formats = getattr(getattr(caps, "completion_item", None), "documentation_format", None) or []
    return frozenset(int(k) for k in kinds) if kinds else BASE_KINDS, types.MarkupKind.Markdown in formats


RETRIGGER_WIRE = {"title": RETRIGGER.title, "command": RETRIGGER.command}


def to_item(
    c: Completion,
    line: int,
    line_text: str,
    ls: int,
    encoding: str,
    kinds: frozenset[int] = frozenset(K),
    markdown: bool = True,
) -> dict[str, object]:
    """The `CompletionItem` of `c`, in wire form (a completion answers within a keystroke:
    built directly, not converted through lsprotocol's classes)."""

    def pos(offset: int) -> dict[str, int]:
        return {"line": line, "character": units_in(line_text[: offset - ls], encoding)}

    kind = KINDS.get(c.kind, K.Text)
    if kind not in kinds:
        kind = FALLBACK.get(kind, K.Text)
    item: dict[str, object] = {"label": c.label, "kind": int(kind)}
    if c.detail is not None:
        item["detail"] = c.detail
    text = c.documentation
    if text:
        item["documentation"] = {"kind": "markdown", "value": text} if markdown else text
    if c.sort_text is not None:
        item["sortText"] = c.sort_text
    if c.filter_text is not None:
        item["filterText"] = c.filter_text
    item["insertTextFormat"] = int(types.InsertTextFormat.PlainText)
    item["textEdit"] = {
        "range": {"start": pos(c.replace_span.start), "end": pos(c.replace_span.end)},
        "newText": c.insert_text,
    }
    if c.retrigger:
        item["command"] = RETRIGGER_WIRE
    return item


def register(server: ParityServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False),
    )
    async def completion(ls: ParityServer, params: types.CompletionParams) -> Prebuilt | None:
        document = await ls.ready_document(params.text_document.uri)
        if document is None:
            return None
        folder, rel = document
        analysis, converter = folder.analysis, folder.converter
        text = ls.workspace.get_text_document(params.text_document.uri).source
        encoding = converter.encoding
        line = params.position.line
        start = line_start(text, line)
        line_text = text[start : line_end(text, start)]
        offset = start + LineIndex(line_text).from_units(0, params.position.character, encoding)
        matrices = [state.model for state in analysis.states.values()]  # values only: no re-parse
        context = params.context
        trigger = context.trigger_character if context is not None else None
        from parity_lsp.features.completion import complete  # imported ahead by `warm_up`

        found = complete(analysis.ws, rel, text, offset, matrices, trigger)
        kinds, markdown = client_options(ls)
        items = [
            to_item(c, line, line_text, start, encoding, kinds, markdown)
            for c in found
            if start <= c.replace_span.start <= c.replace_span.end <= start + len(line_text)
        ]
        return Prebuilt(isIncomplete=False, items=items)  # a CompletionList
