"""Evidence cells: what the cursor is in decides what is offered — a link target or a code span
(paths, `path:LINE`, a pytest node id), the parenthesis after a path (its definitions) or after a
workflow (its jobs and commands). The reference a parenthesis belongs to is the evidence
parser's (`parse.evidence.parse_evidence`), as the rules read it."""

from __future__ import annotations

import re

from parity_lsp.features.completion import ci, paths, symbols
from parity_lsp.features.completion.cursor import Prefix, Request, scan_prefix
from parity_lsp.features.completion.items import Completion
from parity_lsp.model import COL_CI, Reference, RefKind

_LOCATION = re.compile(r"^(?P<path>[^:#]+)(?::|#L)(?P<digits>\d*)$")
_NODE_ID = re.compile(r"^(?P<path>[^:]+)::(?P<name>[\w:.]*)$")


def evidence(req: Request) -> list[Completion]:
    st = scan_prefix(req.pre)
    code_start = st.code_start  # None: the cursor is not in a code span
    enclosing = st.stack[-1] if st.stack else None
    if enclosing is not None and enclosing[0] == "link" and code_start is None:
        target_start = enclosing[1] + 1
        return path_like(req, req.pre[target_start:], target_start, link=True)
    if enclosing is not None and enclosing[0] == "paren":
        ref = _ref_before(req, enclosing[1])
        if ref is not None:
            inner_start = enclosing[1] + 1
            if ref.kind == RefKind.CI:
                return ci.in_parenthesis(req, ref, inner_start, st)
            if not (code_start is not None and "/" in req.pre[code_start:]):  # a path in the parenthesis
                return symbols.in_parenthesis(req, ref, inner_start, st)
    if code_start is not None:
        return path_like(req, req.pre[code_start:], code_start, link=False, st=st)
    return []


def _ref_before(req: Request, paren: int) -> Reference | None:
    """The path reference that a parenthesis at `paren` (index in the prefix) follows."""
    from parity_lsp.parse.evidence import parse_evidence

    stripped = req.pre[:paren].rstrip()
    if not stripped:
        return None
    ev = parse_evidence(stripped, 0, req.rel, req.column)
    for ref in reversed(ev.refs):
        if ref.full_span.end == len(stripped) and ref.path:
            return ref
    return None


def path_like(
    req: Request, typed: str, typed_start: int, link: bool, st: Prefix | None = None
) -> list[Completion]:
    """A path being typed: its next segment, `path:LINE`, `file::name`, a whole workflow path."""
    if typed.startswith("/") or any(c in typed for c in " \t{}*<"):
        return []
    node = _NODE_ID.match(typed)
    if node and node.group("path") and not link:
        src = symbols.source(req, node.group("path"), link)
        start = typed_start + len(typed) - len(node.group("name"))
        closed = req.code_closed(st) if st is not None else True
        return symbols.symbol_items(req, src, req.span(start), wrap=False, closed=closed) if src else []
    loc = _LOCATION.match(typed)
    if loc and loc.group("path"):
        return symbols.lines(
            req, loc.group("path"), typed_start + len(typed) - len(loc.group("digits")), link
        )
    out: list[Completion] = []
    if req.column == COL_CI and not link:
        out += paths.workflows(req, typed, typed_start)
    out += paths.paths(req, typed, typed_start, link)
    return out
