"""Clickable evidence: a link for every cited path that exists inside the workspace.

Invariant: no LSP types; file system access only through the workspace's `FileSystem`
(existence and containment). Paths that do not exist, are directories, are absolute or lead
outside the workspace get no link (their diagnostics say why).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from parity_lsp.model import Matrix, Reference
from parity_lsp.text import Span
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import resolve_reference_path


@dataclass(frozen=True, slots=True)
class Link:
    span: Span  # the path as written (through its `:120` / `#L10-L20` suffix)
    target: str  # workspace-relative path of an existing file
    line: int | None = None  # 1-based line cited, if any
    end_line: int | None = None  # 1-based last line of a cited range

    @property
    def fragment(self) -> str:
        """`L12` or `L10-L20` (the form VS Code and GitHub understand), or ''."""
        if self.line is None:
            return ""
        if self.end_line is not None and self.end_line != self.line:
            return f"L{self.line}-L{self.end_line}"
        return f"L{self.line}"

    @property
    def tooltip(self) -> str:
        if self.line is None:
            return f"Open {self.target}"
        if self.end_line is not None and self.end_line != self.line:
            return f"Open {self.target}, lines {self.line}–{self.end_line}"
        return f"Open {self.target} at line {self.line}"


def _target(path: str, link_base: str | None, fs: FileSystem) -> str | None:
    rel = resolve_reference_path(path, link_base, fs)
    if rel is None or fs.escapes(rel) or not fs.is_file(rel):
        return None
    return rel


def _link_span(ref: Reference) -> Span:
    if (
        ref.line_span is not None
        and ref.line_span.start >= ref.span.end
        and ref.line_span.start - ref.span.end <= 2
    ):
        return Span(ref.span.start, ref.line_span.end)
    return ref.span


def document_links(matrix: Matrix, fs: FileSystem) -> list[Link]:
    """Links for every evidence path (code, tests, CI workflow files) and governing document."""
    links: list[Link] = []
    for row in matrix.rows():
        for ev in row.evidence.values():
            for ref in ev.refs:
                if not ref.path:
                    continue
                rel = _target(ref.path, ref.link_base if ref.is_link else None, fs)
                if rel is None:
                    continue
                links.append(Link(_link_span(ref), rel, ref.line_start, ref.line_end))
    for doc in matrix.governing_docs:
        rel = _target(doc.path, posixpath.dirname(matrix.path), fs)
        if rel is not None:
            links.append(Link(doc.span, rel))
    links.sort(key=lambda link: link.span.start)
    return links
