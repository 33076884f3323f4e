"""Definitions of a cited file: after `path:` (the line of each definition), inside the
parenthesis after a path (`(`symbol`)`, tests first in the tests column), and after a pytest
node id's `::`. Names are written as the file's language writes them (language registry)."""

from __future__ import annotations

import posixpath
import re

from parity_lsp import languages
from parity_lsp.features.completion.cursor import Prefix, Request
from parity_lsp.features.completion.items import (
    CLASS,
    CONSTANT,
    ENUM,
    FIELD,
    FUNCTION,
    INTERFACE,
    METHOD,
    MODULE,
    STRUCT,
    TEXT,
    Completion,
    tail,
)
from parity_lsp.model import COL_TESTS, Reference
from parity_lsp.text import Span
from parity_lsp.workspace.index import SourceFile, resolve_reference_path
from parity_lsp.workspace.symbols import Definition

_IDENT_TAIL = re.compile(r"[\w:.<>]*$")
_TITLED = frozenset({"test", "describe"})  # definitions named by a title string (jest, RSpec, Catch2)
_DEF_KINDS = {
    "fn": FUNCTION,
    "def": FUNCTION,
    "func": FUNCTION,
    "function": FUNCTION,
    "test": FUNCTION,
    "method": METHOD,
    "class": CLASS,
    "struct": STRUCT,
    "enum": ENUM,
    "trait": INTERFACE,
    "interface": INTERFACE,
    "type": CLASS,
    "mod": MODULE,
    "module": MODULE,
    "describe": MODULE,
    "namespace": MODULE,
    "protocol": INTERFACE,
    "object": CLASS,
    "extension": CLASS,
    "actor": CLASS,
    "record": STRUCT,
    "union": STRUCT,
    "constructor": METHOD,
    "init": METHOD,
    "property": FIELD,
    "variant": CONSTANT,
    "macro": FUNCTION,
    "const": CONSTANT,
    "static": CONSTANT,
    "var": CONSTANT,
    "let": CONSTANT,
    "field": FIELD,
}


def source(req: Request, path: str, link: bool) -> SourceFile | None:
    """The cited file (a link's path is relative to the matrix first), if it is a file."""
    rel = resolve_reference_path(path, posixpath.dirname(req.rel) if link else None, req.ws.fs)
    if rel is None or not req.ws.fs.is_file(rel):
        return None
    return req.ws.source(rel)


def lines(req: Request, path: str, digits_start: int, link: bool) -> list[Completion]:
    """`path:` / `path#L`: the line of each definition, labelled with its name."""
    src = source(req, path, link)
    if src is None or not src.definitions:
        return []
    span = req.span(digits_start)
    defs = sorted((d for d in src.definitions if d.kind != "impl"), key=lambda d: (d.line, d.qualname))
    out = []
    for i, d in enumerate(defs):
        line = str(d.line + 1)
        out.append(
            Completion(
                f"{d.qualname} — {d.kind}, line {line}",
                line,
                span,
                _DEF_KINDS.get(d.kind, TEXT),
                detail=d.signature or None,
                documentation=_signature_doc(src.rel, d),
                sort_text=f"{i:05d}",
                filter_text=f"{line} {d.qualname}",
            )
        )
    return out


def in_parenthesis(req: Request, ref: Reference, inner_start: int, st: Prefix) -> list[Completion]:
    """`path (`: the file's definitions, in a code span or wrapped in one."""
    src = source(req, ref.path, ref.is_link)
    if src is None:
        return []
    if st.code_start is not None and st.code_start > inner_start:
        return symbol_items(req, src, req.span(st.code_start), wrap=False, closed=req.code_closed(st))
    typed = tail(_IDENT_TAIL, req.pre)
    return symbol_items(req, src, req.span(len(req.pre) - len(typed)), wrap=True, closed=True)


def symbol_items(req: Request, src: SourceFile, span: Span, wrap: bool, closed: bool) -> list[Completion]:
    """The file's definitions (tests first in the tests column), inserting the qualname."""
    if not src.definitions:
        return []
    tests_first = req.column == COL_TESTS
    defs = [d for d in src.definitions if d.kind != "impl"]
    defs.sort(key=lambda d: ((not d.is_test) if tests_first else d.is_test, d.line))
    out: list[Completion] = []
    seen: set[str] = set()
    lang = languages.for_path(src.rel)
    sep = lang.separator if lang is not None else "::"
    for d in defs:
        if d.qualname in seen:
            continue
        seen.add(d.qualname)
        # as people write it in this language (`CalcTest.adds`); test titles keep `::`
        written = d.qualname if sep == "::" or d.kind in _TITLED else d.qualname.replace("::", sep)
        detail = f"{'test' if d.is_test else d.kind}, line {d.line + 1}"
        if d.disabled:
            detail += f" (disabled: {d.disabled})"
        out.append(
            Completion(
                written,
                req.wrapped(written, wrap, closed),
                span,
                _DEF_KINDS.get(d.kind, TEXT),
                detail=detail,
                documentation=_signature_doc(src.rel, d),
                sort_text=f"{len(out):05d}",
                filter_text=written,
            )
        )
    return out


def _signature_doc(rel: str, d: Definition) -> str | None:
    if not d.signature:
        return None
    lang = languages.for_path(rel)
    fence = lang.fence if lang is not None else ""
    return f"```{fence}\n{d.signature}\n```\n`{rel}`, line {d.line + 1}"
