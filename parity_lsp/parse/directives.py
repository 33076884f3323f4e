"""Suppression comments: `<!-- parity-lsp: disable PM304 -->` (the next table) and
`<!-- parity-lsp: disable-next-line PM301 -->` (the next row). No codes means every rule.

Invariant: pure, never raises.
"""

from __future__ import annotations

import re

ALL = "*"
# Matched against the stripped line with the comment markers removed (linear: no
# adjacent optional whitespace runs to backtrack between).
_DIRECTIVE = re.compile(r"parity-lsp:[ \t]*(disable-next-line|disable)\b(.*)", re.I | re.S)
_CODE = re.compile(r"[A-Za-z]+\d+")

# ('disable' | 'disable-next-line', the codes it names)
Directive = tuple[str, frozenset[str]]


def parse_directive(line: str) -> Directive | None:
    """('disable' | 'disable-next-line', codes) for a directive line, else None."""
    if "parity-lsp" not in line:
        return None
    text = line.strip()
    for opener in ("<!--", "#", "//"):
        if text.startswith(opener):
            text = text[len(opener) :].lstrip()
            break
    if text.endswith("-->"):
        text = text[:-3]
    m = _DIRECTIVE.match(text)
    if not m or ">" in m.group(2):
        return None
    codes = frozenset(c.upper() for c in _CODE.findall(m.group(2)))
    return m.group(1).lower(), codes or frozenset({ALL})


def is_suppressed(code: str, *code_sets: frozenset[str]) -> bool:
    return any(code in s or ALL in s for s in code_sets)
