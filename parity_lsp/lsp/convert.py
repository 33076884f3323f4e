"""Engine values ↔ LSP types. Pure translation: no judgement, no IO.

Positions are converted with `LineIndex` in the negotiated position encoding (UTF-16 by
default; an emoji is 2 UTF-16 units, 4 UTF-8 units).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from parity_lsp.findings import Edit, Finding, Related, Severity
from parity_lsp.lsp.transport import RawJson
from parity_lsp.text import LineIndex, Span

if TYPE_CHECKING:
    import cattrs

SOURCE = "parity-lsp"

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}
TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}


def encoding_name(encoding: types.PositionEncodingKind | str | None) -> str:
    value = getattr(encoding, "value", encoding) or "utf-16"
    return str(value)


def position(index: LineIndex, offset: int, encoding: str) -> types.Position:
    line, char = index.to_units(offset, encoding)
    return types.Position(line=line, character=char)


def lsp_range(index: LineIndex, span: Span, encoding: str) -> types.Range:
    return types.Range(start=position(index, span.start, encoding), end=position(index, span.end, encoding))


def offset(index: LineIndex, pos: types.Position, encoding: str) -> int:
    return index.from_units(pos.line, pos.character, encoding)


class DiagnosticData(TypedDict):
    """`Diagnostic.data` of our diagnostics: the finding's place in the document's list, which
    a code action request sends back."""

    uri: str
    index: int


class DiagnosticList:
    """A document's diagnostics as one JSON array (`raw`), with a digest that changes exactly
    when they do (pull result ids).

    Each diagnostic's JSON object is encoded once and kept by the server (`diagnostic_json`)
    while its line and finding stay the same; the list adds each one's `data` — the document's
    uri and the diagnostic's place in the list, which a code action sends back — as it joins
    them. Answering after a keystroke is a join of strings, not thousands of conversions."""

    __slots__ = ("count", "digest", "raw")

    def __init__(self, objects: list[str], uri: str) -> None:
        self.count = len(objects)
        self.digest = hash(tuple(objects))  # str hashes are cached: reused objects cost nothing
        data = ',"data":{"uri":' + json.dumps(uri) + ',"index":'
        # each object without its closing brace, then `data` and the braces of both
        self.raw = RawJson("[" + ",".join(f"{obj[:-1]}{data}{i}}}}}" for i, obj in enumerate(objects)) + "]")

    def __len__(self) -> int:
        return self.count


def diagnostic_json(wire: dict[str, object]) -> str:
    """The JSON object of one diagnostic in wire form (`Converter.diagnostic_wire`), without
    its `data` (added by `DiagnosticList`)."""
    return json.dumps(wire)


_JSON: cattrs.Converter | None = None


def to_json(value: object) -> object:
    """An lsprotocol value in wire form (camelCase keys)."""
    global _JSON
    if _JSON is None:
        # pygls's `default_converter` is this one plus hooks for structuring messages only
        from lsprotocol.converters import get_converter

        _JSON = get_converter()
    return _JSON.unstructure(value)


class Converter:
    """Converts for one workspace root and one position encoding."""

    def __init__(
        self,
        root: Path,
        encoding: str,
        index_for: Callable[[str], LineIndex],
        rule_doc_uri: Callable[[str], str] | None = None,
    ) -> None:
        self.root = root
        self.encoding = encoding
        self.index_for = index_for  # workspace path -> LineIndex of its current text
        self.rule_doc_uri = rule_doc_uri

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel)) or ""

    def rel(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        if path is None:
            return None
        try:
            rel = Path(path).resolve().relative_to(self.root)
        except (ValueError, OSError):
            return None
        return rel.as_posix() if str(rel) != "." else ""

    def range(self, rel: str, span: Span) -> types.Range:
        return lsp_range(self.index_for(rel), span, self.encoding)

    def diagnostic(self, f: Finding, data: DiagnosticData | None = None) -> types.Diagnostic:
        related = None
        if f.related:
            related = [
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=self.uri(r.path), range=self._related_range(r)),
                    message=r.message,
                )
                for r in f.related
            ]
        return types.Diagnostic(
            range=self.range(f.path, f.span),
            message=f.message,
            severity=SEVERITY[f.severity],
            code=f.code,
            code_description=types.CodeDescription(href=self.rule_doc_uri(f.code))
            if self.rule_doc_uri
            else None,
            source=SOURCE,
            related_information=related,
            tags=[TAGS[t] for t in f.tags if t in TAGS] or None,
            data=data,
        )

    def diagnostic_wire(self, f: Finding) -> dict[str, object]:
        """`diagnostic(f)` in wire form, built directly (the hot path of publishing)."""
        index = self.index_for(f.path)
        sl, sc = index.to_units(f.span.start, self.encoding)
        el, ec = index.to_units(f.span.end, self.encoding)
        out: dict[str, object] = {
            "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
            "message": f.message,
            "severity": int(SEVERITY[f.severity]),
            "code": f.code,
            "source": SOURCE,
        }
        if self.rule_doc_uri:
            out["codeDescription"] = {"href": self.rule_doc_uri(f.code)}
        if f.related:
            out["relatedInformation"] = [
                {
                    "location": {"uri": self.uri(r.path), "range": to_json(self._related_range(r))},
                    "message": r.message,
                }
                for r in f.related
            ]
        tags = [int(TAGS[t]) for t in f.tags if t in TAGS]
        if tags:
            out["tags"] = tags
        return out

    def _related_range(self, r: Related) -> types.Range:
        idx = self.index_for(r.path)
        start = idx.offset(r.line, r.column)
        if r.end_line is not None and r.end_column is not None:
            end = idx.offset(r.end_line, r.end_column)
        else:
            end = idx.line_end(r.line)
        return lsp_range(idx, Span(start, max(start, end)), self.encoding)

    def text_edit(self, e: Edit) -> types.TextEdit:
        return types.TextEdit(range=self.range(e.path, e.span), new_text=e.content)

    def workspace_edit(self, edits: Iterable[Edit]) -> types.WorkspaceEdit:
        changes: dict[str, list[types.TextEdit]] = {}
        for e in edits:
            changes.setdefault(self.uri(e.path), []).append(self.text_edit(e))
        return types.WorkspaceEdit(changes=changes)
