"""Offsets and positions.

Invariant: pure functions over `str`; no IO. Every offset in the engine is an index into a
Python `str` (a Unicode code point index). Lines are 0-based here; front ends convert to
1-based (CLI) or to UTF-16/UTF-8 code units (LSP).
"""

from __future__ import annotations

import bisect


class Span:
    """Half-open range [start, end) of code point offsets into one document's text. A value:
    compared and hashed by its offsets, never changed once made (nothing assigns to one).

    A plain slots class, not a frozen dataclass: a check of 20,000 rows makes ~350,000 spans,
    and a frozen dataclass's __init__ (object.__setattr__ per field, then __post_init__) took
    ~270 ns each against ~80 here."""

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        if end < start:
            raise ValueError(f"span end {end} before start {start}")
        self.start = start
        self.end = end

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        return self.start == other.start and self.end == other.end

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __repr__(self) -> str:
        return f"Span(start={self.start!r}, end={self.end!r})"

    def __reduce__(self) -> tuple[type[Span], tuple[int, int]]:
        # pickled by value (forked `check -j` workers send back every finding)
        return (Span, (self.start, self.end))

    def contains(self, offset: int) -> bool:
        return self.start <= offset <= self.end

    def shift(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)


class LineIndex:
    """Maps offsets to (line, column) and back. Line breaks: \\n, \\r\\n and lone \\r."""

    __slots__ = ("line_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        i = 0
        n = len(text)
        find_n = text.find
        # Fast path: most documents use \n only.
        if "\r" not in text:
            pos = find_n("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find_n("\n", pos + 1)
        else:
            while i < n:
                ch = text[i]
                if ch == "\n":
                    starts.append(i + 1)
                elif ch == "\r":
                    if i + 1 < n and text[i + 1] == "\n":
                        i += 1
                    starts.append(i + 1)
                i += 1
        self.line_starts = starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) with column in code points, both 0-based."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        return line, offset - self.line_starts[line]

    def line_start(self, line: int) -> int:
        line = max(0, min(line, len(self.line_starts) - 1))
        return self.line_starts[line]

    def line_end(self, line: int) -> int:
        """Offset of the end of `line`, excluding its line break."""
        if line + 1 < len(self.line_starts):
            end = self.line_starts[line + 1]
            if end > 0 and self.text[end - 1] == "\n":
                end -= 1
            if end > 0 and self.text[end - 1] == "\r" and end - 1 >= self.line_starts[line]:
                end -= 1
            return end
        return len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line) : self.line_end(line)]

    def offset(self, line: int, column: int) -> int:
        """Offset for a (line, code point column); clamps past-the-end positions."""
        if line < 0:
            return 0
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[line]
        return min(start + max(0, column), self.line_end(line))

    # --- code units (LSP position encodings) -------------------------------------------

    def to_units(self, offset: int, encoding: str) -> tuple[int, int]:
        """(line, character) in the given encoding ('utf-16', 'utf-8' or 'utf-32')."""
        line, col = self.position(offset)
        if encoding == "utf-32":
            return line, col
        prefix = self.text[self.line_starts[line] : self.line_starts[line] + col]
        return line, units_in(prefix, encoding)

    def from_units(self, line: int, character: int, encoding: str) -> int:
        """Offset for an LSP position; a character past the end of the line clamps to it."""
        if line < 0:
            return 0
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[line]
        end = self.line_end(line)
        if encoding == "utf-32":
            return min(start + max(0, character), end)
        units = 0
        i = start
        while i < end and units < character:
            units += char_units(self.text[i], encoding)
            i += 1
        return i


def char_units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == "utf-16":
        return 2 if cp > 0xFFFF else 1
    if encoding == "utf-8":
        if cp < 0x80:
            return 1
        if cp < 0x800:
            return 2
        if cp < 0x10000:
            return 3
        return 4
    return 1


def units_in(text: str, encoding: str) -> int:
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


def decode_source(data: bytes) -> tuple[str | None, str | None]:
    """Decode file bytes as UTF-8 (BOM stripped). Returns (text, None) or (None, reason)."""
    if b"\x00" in data[:8192]:
        return None, "binary file (contains NUL bytes)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None
