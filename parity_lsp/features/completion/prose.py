"""Text outside evidence references: exception ids (in notes, after `EX` anywhere) and the
group headings (`## Scheduling`) the workspace's matrices already use."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from parity_lsp.features.completion.items import (
    HEADING,
    REFERENCE,
    WORD_TAIL,
    Completion,
    Escape,
    natural,
    tail,
)
from parity_lsp.model import Matrix
from parity_lsp.text import Span
from parity_lsp.workspace.index import Workspace

HEADING_START = re.compile(r"^ {0,3}#{2,6}[ \t]+")
_ATX = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*$")


def exception_ids(ws: Workspace, pre: str, offset: int, escape: Escape, always: bool) -> list[Completion]:
    """The exception ids the exceptions documents declare, replacing the word typed; only
    after `EX` unless `always`."""
    word = tail(WORD_TAIL, pre)
    if not (always or word.startswith("EX")):
        return []
    ids = ws.exception_ids()
    span = Span(offset - len(word), offset)
    out = []
    doc_lines: dict[str, list[str]] = {}
    for i, (eid, (doc, line)) in enumerate(sorted(ids.items(), key=lambda kv: natural(kv[0]))):
        lines = doc_lines.get(doc)
        if lines is None:
            lines = doc_lines[doc] = (ws.source(doc).text or "").splitlines()
        declared = lines[line].strip() if line < len(lines) else ""
        out.append(
            Completion(
                eid,
                escape(eid),
                span,
                REFERENCE,
                detail=f"{doc}:{line + 1}",
                documentation=declared or None,
                sort_text=f"{i:05d}",
                filter_text=eid,
            )
        )
    return out


def headings(
    text: str, rel: str, ls: int, le: int, content_start: int, offset: int, matrices: Sequence[Matrix]
) -> list[Completion]:
    """The headings that group matrix tables in the workspace (`Table.group`), most used
    first; those already a heading in this file last."""
    cursor_line = text.count("\n", 0, ls)
    counts: Counter[str] = Counter()
    for m in matrices:
        for table in m.tables:
            if table.group and not (m.path == rel and table.group_line == cursor_line):
                counts[table.group] += 1
    if not counts:
        return []
    line_content = text[content_start:le]
    span = Span(content_start, max(offset, content_start + len(line_content.rstrip())))
    used = _used_headings(text, ls)
    ordered = sorted(counts.items(), key=lambda kv: (kv[0] in used, -kv[1], natural(kv[0])))
    out = []
    for i, (group, n) in enumerate(ordered):
        tables = f"{n} matrix table{'s' if n != 1 else ''}"
        out.append(
            Completion(
                group,
                group,
                span,
                HEADING,
                detail="already a heading in this file" if group in used else f"heading of {tables}",
                documentation=f"A group of this workspace's matrices: {tables} under it.",
                sort_text=f"{i:03d}",
                filter_text=group,
            )
        )
    return out


def _used_headings(text: str, skip_line_start: int) -> set[str]:
    used = set()
    pos = -1
    while True:
        start = 0 if pos == -1 else pos + 1
        if text.startswith("#", start) and start != skip_line_start:
            end = text.find("\n", start)
            line = text[start : end if end != -1 else len(text)].rstrip("\r")
            m = _ATX.match(line)
            if m:
                used.add(m.group(1).strip())
        pos = text.find("\n#", start)
        if pos == -1:
            break
    return used
