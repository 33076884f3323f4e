"""The evidence parser's reference: its bracket and code-span searches as first written (each
search rescans from the opener, O(n^2) on hostile cells, so only for small ones), and its
reading of a parenthesis's tokens by recursion. `reference_parse` runs `parse_evidence` with
them in place of the fast paths and the shared walks (`_Scan`, the one-match shortcut and the
explicit stack of `_refs_from_tokens`)."""

from __future__ import annotations

import contextlib

from parity_lsp import roles
from parity_lsp.model import CommandRef, Evidence, Reference, RefKind
from parity_lsp.parse import evidence as ev_module
from parity_lsp.text import Span


def find_code_end(text: str, i: int, limit: int) -> tuple[int, int] | None:
    n = limit
    j = i
    while j < n and text[j] == "`":
        j += 1
    run = j - i
    k = j
    fence = "`" * run
    while True:
        k = text.find(fence, k, n)
        if k == -1:
            return None
        end = k + run
        if (end < n and text[end] == "`") or (text[k - 1] == "`" if k > j else False):
            while end < n and text[end] == "`":
                end += 1
            k = end
            continue
        return j, k


class ReferenceScan:
    """`_Scan`'s interface, answered by rescanning every time."""

    simple = False  # no fast path: every token comes from the scanners

    def __init__(self, text: str) -> None:
        self.text = text

    def code_end(self, i: int, limit: int) -> tuple[int, int] | None:
        return find_code_end(self.text, i, limit)

    def skip_code(self, i: int, end: int) -> int:
        found = find_code_end(self.text, i, end)
        if found is None:
            return i + 1
        cs, ce = found
        return ce + (cs - i)

    def match(self, i: int, end: int, opener: str) -> int | None:
        closer = {"(": ")", "[": "]"}[opener]
        text = self.text
        depth = 0
        j = i
        while j < end:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "`":
                j = self.skip_code(j, end)
                continue
            if ch == opener:
                depth += 1
            elif ch == closer:
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return None


def refs_from_tokens(ev, sc, toks, offset, base_dir, label, column) -> None:
    """`_refs_from_tokens` as first written: a parenthesis holding code spans by recursion."""
    text = sc.text
    i = 0
    while i < len(toks):
        tok = toks[i]
        ref = None
        if tok.kind == "code":
            content = text[tok.inner_start : tok.inner_end]
            stripped = content.strip()
            if ev_module.is_path_candidate(stripped):
                lead = len(content) - len(content.lstrip())
                ref = ev_module._path_ref(
                    stripped, offset + tok.inner_start + lead, Span(offset + tok.start, offset + tok.end)
                )
            elif column == roles.CI and stripped:  # `column` is the role the parser resolved
                ev.refs.append(
                    Reference(
                        kind=RefKind.CI,
                        path="",
                        span=Span(offset + tok.start, offset + tok.start),
                        full_span=Span(offset + tok.start, offset + tok.end),
                        commands=[
                            CommandRef(
                                ev_module._unescape(stripped),
                                Span(offset + tok.inner_start, offset + tok.inner_end),
                            )
                        ],
                        label=label,
                        role=column,
                    )
                )
                i += 1
                continue
            elif stripped and column is not None:
                lead = len(content) - len(content.lstrip())
                ev_module._code_claim(
                    ev,
                    stripped,
                    offset + tok.inner_start + lead,
                    Span(offset + tok.start, offset + tok.end),
                    label,
                    column,
                )
        elif tok.kind == "link":
            target = text[tok.inner_start : tok.inner_end]
            if target and "://" not in target and not target.startswith(("#", "mailto:")):
                ref = ev_module._path_ref(
                    target, offset + tok.inner_start, Span(offset + tok.start, offset + tok.end)
                )
                if ref is not None:
                    ref.is_link = True
                    ref.link_base = base_dir
        elif tok.kind == "text":
            last = ev_module._bare_paths(ev, text, tok, offset, label, column)
            # a parenthesis right after a bare path belongs to it (as after a code span)
            j = i + 1
            if last is not None and j < len(toks) and toks[j].kind == "paren":
                ev_module._attach_paren(last, sc, toks[j], offset)
                last.full_span = Span(last.full_span.start, offset + toks[j].end)
                i = j + 1
                continue
        elif tok.kind == "paren":
            inner = ev_module._tokens(sc, tok.inner_start, tok.inner_end)
            if any(t.kind in ("code", "link") for t in inner):
                refs_from_tokens(ev, sc, inner, offset, base_dir, label, column)
        if ref is None:
            i += 1
            continue
        ref.label = label
        ref.role = column
        j = i + 1
        if j < len(toks) and toks[j].kind == "text" and not text[toks[j].start : toks[j].end].strip():
            j += 1
        if j < len(toks) and toks[j].kind == "paren":
            ev_module._attach_paren(ref, sc, toks[j], offset)
            ref.full_span = Span(ref.full_span.start, offset + toks[j].end)
            i = j + 1
        else:
            i += 1
        ev.refs.append(ref)


@contextlib.contextmanager
def reference_parser():
    saved = (ev_module._Scan, ev_module._parse_quick, ev_module._refs_from_tokens)
    # the reference stands in for the module's own: same interface, other types
    ev_module._Scan = ReferenceScan  # type: ignore[misc, assignment]  # a class swapped in, on purpose
    ev_module._parse_quick = lambda *args: False  # type: ignore[assignment]  # "not the quick shape"
    ev_module._refs_from_tokens = refs_from_tokens  # type: ignore[assignment]  # the recursive original
    try:
        yield
    finally:
        ev_module._Scan, ev_module._parse_quick, ev_module._refs_from_tokens = saved


def reference_parse(text: str, offset: int = 0, matrix_path: str = "docs/m.md", column=None) -> Evidence:
    with reference_parser():
        return ev_module.parse_evidence(text, offset, matrix_path, column)
