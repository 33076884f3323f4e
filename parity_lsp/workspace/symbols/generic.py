"""Whole-word search: the fallback for languages the scanners do not understand.

Invariant: pure, no IO, never raises, linear time.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def last_segment(symbol: str) -> str:
    """`crate::a::Type::method()` -> `method`; `Class.method` -> `method`; `fn()` -> `fn`."""
    s = (symbol or "").strip().strip("`'\"").strip()
    if len(s) > 512:  # no real symbol is this long; keeps the regexes below cheap
        s = s[-512:].strip()
    # trailing call parentheses / generic arguments
    for _ in range(4):
        t = re.sub(r"\s*\([^()]*\)\s*$", "", s)
        t = re.sub(r"\s*<[^<>]*>\s*$", "", t)
        if t == s:
            break
        s = t
    parts = [p for p in re.split(r"::|\.|#|/", s) if p.strip()]
    return parts[-1].strip() if parts else s


def word_occurrences(text: str, symbol: str) -> list[int]:
    """0-based lines where the symbol's last segment occurs as a whole word.

    Line breaks are \\n, \\r\\n and lone \\r (as in `parity_lsp.text.LineIndex`). Nothing here
    can raise on a `str` (the word is escaped), so there is no catch-all to hide a bug.
    """
    word = last_segment(symbol)
    if not word:
        return []
    pattern = re.compile(r"(?<![\w$])" + re.escape(word) + r"(?![\w$])")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[int] = []
    line = 0
    pos = 0
    last_line = -1
    count = text.count
    for m in pattern.finditer(text):
        line += count("\n", pos, m.start())
        pos = m.start()
        if line != last_line:
            out.append(line)
            last_line = line
    return out
