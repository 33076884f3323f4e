"""Control characters out of what reaches a terminal or a CI log: one escaping for every
human-facing output (text, github, junit, the report's Markdown, the CLI's own lines).

Invariant: `escape_controls(s)` holds no character that moves the cursor, starts an escape
sequence, breaks the line or reorders text: a finding stays one line, and a matrix cell, a
cited path or a file name cannot retitle or clear a terminal (`ESC ] 0 ;`, `ESC [ 2 J`), fake a
log line (`\\r`) or hide text (bidirectional overrides). What it replaces is shown, not dropped:
`\\x1b`, `\\n`, `\\u202e`. Text without such characters is returned as is (the same object).
"""

from __future__ import annotations

import re

# C0 controls (tab and line breaks included), DEL, C1 controls (U+009B is a one-byte CSI on
# some terminals), the Unicode line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates ("Trojan Source").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _clean(text: str) -> bool:
    """No character to escape? Every one is unprintable, so `isprintable` answers, in C
    (deleting control bytes from the ASCII encoding measured no faster)."""
    return text.isprintable()


def _shown(m: re.Match[str]) -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` on one line with every control character written out (`\\x1b`, `\\n`)."""
    if _clean(text):
        return text
    return _CONTROL.sub(_shown, text)


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␊ for LF
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def picture_controls(text: str) -> str:
    """`text` with each control character replaced by one visible character (`␛`, `␊`, `�`):
    for source lines shown with a caret underline, where every character keeps its column."""
    if _clean(text):
        return text
    return _CONTROL.sub(_picture, text)
