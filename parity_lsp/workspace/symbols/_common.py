"""Shared machinery for the per-language symbol scanners.

Invariant: pure functions over `str`, no IO. Every scanner follows the same plan:

1. a regex-driven lexer finds comments and string/char literals and produces a *sanitized*
   copy of the text of the same length where their contents are blanked (newlines kept), plus
   the sorted list of comment spans;
2. a structural pass runs over the sanitized text, where braces, keywords and punctuation can
   no longer hide in strings or comments.

Every forward scan resumes where the previous one stopped, so the total work stays linear in
the size of the text even on garbage; no regex here can backtrack catastrophically (bodies use
unambiguous or possessive loops).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Protocol, cast

MAX_SIGNATURE = 200
# Items nested deeper than this (`mod a { mod a { …`): the file is not understood. Each item's
# qualified name holds the names of all the items around it, so the names of a deeply nested
# file grow with the square of its size; no code we know of nests named items 32 deep.
MAX_NESTING = 32


class TooDeep(Exception):
    """Raised by a scanner for items nested deeper than `MAX_NESTING`."""

    def __init__(self) -> None:
        super().__init__(f"items nested more than {MAX_NESTING} deep")


class Rec:
    """A definition under construction (mutable; converted to `Definition` at the end)."""

    __slots__ = (
        "disabled",
        "end_line",
        "is_test",
        "kind",
        "line",
        "name",
        "qualname",
        "signature",
        "start_line",
    )

    def __init__(
        self,
        name: str,
        qualname: str,
        kind: str,
        line: int,
        start_line: int,
        end_line: int,
        is_test: bool = False,
        disabled: str | None = None,
        signature: str = "",
    ) -> None:
        self.name = name
        self.qualname = qualname
        self.kind = kind
        self.line = line
        self.start_line = start_line if start_line <= line else line  # min(start_line, line)
        self.end_line = end_line if end_line >= line else line  # max(end_line, line)
        self.is_test = is_test
        self.disabled = disabled
        self.signature = signature


def normalize_newlines(text: str) -> str:
    """\\r\\n and lone \\r become \\n: line numbers then agree with `text.LineIndex`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class Lines:
    """Offset -> 0-based line number. The table of line starts is built when first needed:
    the lookup of one name in a file asks a handful of lines, counted instead from the last
    offset asked (`str.count` runs in C, and costs less than building the table).
    Counting stops once it has read four times the text: then the table is cheaper."""

    __slots__ = ("_at", "_at_line", "_budget", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None
        self._budget = 4 * len(text) + 256  # characters counting may still read
        self._at = 0  # the last offset counted to, and its line
        self._at_line = 0

    @property
    def starts(self) -> list[int]:
        starts = self._starts
        if starts is None:
            # starts[i + 1] = starts[i] + len(line i) + 1, all in C (no per-line Python loop)
            starts = list(accumulate(map((1).__add__, map(len, self._text.split("\n"))), initial=0))
            starts.pop()  # the offset one past the end of the text
            self._starts = starts
        return starts

    def line(self, offset: int) -> int:
        if self._starts is None and self._budget > 0:
            if offset < 0:
                return -1  # as bisecting the table answers
            # the line is the number of newlines before `offset`: counted from the last ask
            at = self._at
            if offset >= at:
                line = self._at_line + self._text.count("\n", at, offset)
                self._budget -= offset - at
            else:
                line = self._at_line - self._text.count("\n", offset, at)
                self._budget -= at - offset
            self._at, self._at_line = offset, line
            return line
        return bisect_right(self.starts, offset) - 1

    def start_of(self, line: int) -> int:
        starts = self.starts
        if line < 0:
            return 0
        if line >= len(starts):
            return starts[-1]
        return starts[line]

    @property
    def count(self) -> int:
        return len(self.starts)


class Comments:
    """Sorted, non-overlapping comment spans [start, end) with a language-specific kind."""

    __slots__ = ("ends", "kinds", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.kinds: list[int] = []

    def add(self, start: int, end: int, kind: int = 0) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.kinds.append(kind)


class Matcher(Protocol):
    """`re.Pattern.match` of a pattern that matches at every position: never None."""

    def __call__(self, string: str, pos: int = ..., endpos: int = ..., /) -> re.Match[str]: ...


def always_matching(pattern: re.Pattern[str]) -> Matcher:
    """`pattern.match`, for a pattern that matches the empty string without anchors or
    lookarounds around it (`\\s*`, a string body `[^"]*+...`): it matches at every position."""
    if pattern.match("") is None:
        raise ValueError(f"{pattern.pattern!r} does not match the empty string")
    return cast("Matcher", pattern.match)  # the checker cannot see that the match never fails


_NON_NL = re.compile(r"[^\n]+")
_NON_WS = re.compile(r"\S")


def blank(s: str) -> str:
    """Spaces of the same length, newlines kept."""
    if "\n" not in s:
        return " " * len(s)
    return _NON_NL.sub(lambda m: " " * (m.end() - m.start()), s)


def blank_inner(s: str) -> str:
    """Keep the first and last character (the quotes), blank the rest."""
    if len(s) <= 2:
        return s
    return s[0] + blank(s[1:-1]) + s[-1]


def doc_start(
    san: str,
    comments: Comments,
    pos: int,
    *,
    accept: Callable[[int], bool] | None = None,
    skip: Callable[[int], bool] | None = None,
    blank_ok: Callable[[int], bool] | None = None,
) -> int:
    """Earliest offset of the run of comments directly above `pos`.

    `accept(kind)`: the comment extends the item; `skip(kind)`: the comment is stepped over
    without extending it (e.g. a plain `//` between a Rust doc comment and its item);
    `blank_ok(kind)`: a blank line may separate this comment from what follows it.
    Comments must stand on their own lines (a trailing comment of a code line stops the walk).
    """
    result = pos
    cur = pos
    ends = comments.ends
    i = bisect_right(ends, pos) - 1
    if i < 0:
        return pos
    starts = comments.starts
    kinds = comments.kinds
    non_ws = _NON_WS.search
    guard = 0
    while i >= 0 and guard < 10000:
        guard += 1
        cs = starts[i]
        ce = ends[i]
        if ce > cur:
            i -= 1
            continue
        if non_ws(san, ce, cur) is not None:
            break
        kind = kinds[i]
        ok = accept(kind) if accept else True
        skipping = (not ok) and skip is not None and skip(kind)
        if not ok and not skipping:
            break
        if san.count("\n", ce, cur) > 1 and not (blank_ok(kind) if blank_ok else False):
            break
        ls = san.rfind("\n", 0, cs) + 1  # start of the comment's line (san keeps every newline)
        if non_ws(san, ls, cs) is not None:
            break
        if ok:
            result = cs
        cur = cs
        i -= 1
    return result


def signature(text: str, comments: Comments, a: int, b: int) -> str:
    """Source text [a, b) with comments removed and whitespace collapsed, at most ~200 chars."""
    if b <= a:
        return ""
    if b - a > 4 * MAX_SIGNATURE + 400:
        b = a + 4 * MAX_SIGNATURE + 400
    starts = comments.starts
    ends = comments.ends
    i = bisect_right(ends, a)
    if i >= len(starts) or starts[i] >= b:  # no comment inside: the common case
        s = " ".join(text[a:b].split())
        if len(s) > MAX_SIGNATURE:
            s = s[: MAX_SIGNATURE - 1] + "…"
        return s
    pieces = []
    p = a
    while i < len(starts) and starts[i] < b:
        cs = max(starts[i], p)
        pieces.append(text[p:cs])
        pieces.append(" ")
        p = max(p, min(ends[i], b))
        i += 1
    pieces.append(text[p:b])
    s = " ".join("".join(pieces).split())
    if len(s) > MAX_SIGNATURE:
        s = s[: MAX_SIGNATURE - 1] + "…"
    return s


def clip(s: str, limit: int = MAX_SIGNATURE) -> str:
    s = " ".join(s.split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


_CLOSER = {"{": "}", "(": ")", "[": "]"}
_PAIR_RX = {"{": re.compile(r"[{}]"), "(": re.compile(r"[()]"), "[": re.compile(r"[\[\]]")}
_LOCAL_CLOSES = 8  # closing brackets tried near the opening one before pairing the whole text
_LOCAL_SPAN = 2048  # and characters


def match_close(san: str, open_pos: int, limit: int | None = None) -> int:
    """Index of the bracket closing the one at `open_pos` (same bracket type only, matched by
    depth within its own type), or -1; -1 too when it closes at or after `limit`.

    Most brackets close nearby: count forward from `open_pos` (the close is the first closer
    where the closers seen equal the openers seen, `open_pos` included), trying at most
    `_LOCAL_CLOSES` closers within `_LOCAL_SPAN` characters. When that fails, one linear pass
    pairs every bracket of that type in `san`; the table is cached and answers every later
    query of that type, so the total work stays linear (each character lies inside at most
    `_LOCAL_CLOSES` brackets matched the near way; an unclosed `#[` repeated 50,000 times
    builds the table once)."""
    if open_pos < 0 or open_pos >= len(san):
        return -1
    op = san[open_pos]
    cl = _CLOSER.get(op)
    if cl is None:
        return -1
    tables = _pair_tables(san)
    pairs = tables.get(op)
    if pairs is None:
        end = open_pos + _LOCAL_SPAN
        if limit is not None and limit < end:
            end = limit
        find = san.find
        count = san.count
        opens = 1  # openers in [open_pos, p)
        p = open_pos + 1
        for closes in range(1, _LOCAL_CLOSES + 1):  # closers up to c, c included
            c = find(cl, p, end)
            if c < 0:
                break
            opens += count(op, p, c)
            if closes == opens:
                return c  # c < end <= limit
            p = c + 1
        pairs = tables[op] = _pair_table(san, op)
    close = pairs.get(open_pos, -1)
    if close < 0 or (limit is not None and close >= limit):
        return -1
    return close


def _pair_table(san: str, op: str) -> dict[int, int]:
    """open position -> close position for every `op` bracket of `san` (within its own type)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    push = stack.append
    pop = stack.pop
    for m in _PAIR_RX[op].finditer(san):
        if m.group() == op:
            push(m.start())
        elif stack:
            pairs[pop()] = m.start()
    return pairs


@functools.lru_cache(maxsize=2)  # the file being scanned (and one more)
def _pair_tables(san: str) -> dict[str, dict[int, int]]:
    """Bracket type -> `_pair_table` of `san`, filled by `match_close` when first needed."""
    return {}


def skip_angles(san: str, pos: int, limit: int = 4000) -> int:
    """`pos` is at '<': index just past the matching '>' ('=>' and '->' do not close), or -1
    when a `{`, `}` or `;` comes first, or nothing closes it within `limit` characters.

    Most close within a few tokens: counted from `pos`. Otherwise the angles of the whole text
    are paired once (`_angle_table`, cached): a run of `type A<type A<…` was read up to `limit`
    from each `<` (4,000 characters per `<`)."""
    n = min(len(san), pos + limit)
    depth = 0
    i = pos
    rx = _ANGLE
    for _ in range(_LOCAL_ANGLES):
        m = rx.search(san, i, n)
        if m is None:
            return -1
        c = m.group()
        j = m.start()
        if c == "<":
            depth += 1
        elif c == ">":
            if j > 0 and san[j - 1] in "=-":
                i = j + 1
                continue
            depth -= 1
            if depth == 0:
                return j + 1
        elif c in "{};":
            return -1
        i = j + 1
    close = _angle_table(san).get(pos, -1)
    return close + 1 if 0 <= close < n else -1


_LOCAL_ANGLES = 16  # tokens counted from `pos` before pairing the whole text


@functools.lru_cache(maxsize=2)  # the file being scanned (and one more)
def _angle_table(san: str) -> dict[int, int]:
    """'<' position -> its matching '>' for every '<' of `san` that `skip_angles` would close:
    paired by a stack that a `{`, `}` or `;` empties ('=>' and '->' do not close)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _ANGLE.finditer(san):
        c = m.group()
        j = m.start()
        if c == "<":
            stack.append(j)
        elif c == ">":
            if j > 0 and san[j - 1] in "=-":
                continue
            if stack:
                pairs[stack.pop()] = j
        else:
            stack.clear()
    return pairs


_ANGLE = re.compile(r"[<>{};]")


def last_nonspace(san: str, pos: int, floor: int = 0) -> int:
    """Index of the last non-whitespace char before `pos` (not before `floor`), or -1."""
    j = pos - 1
    lo = max(floor, pos - 4096)
    while j >= lo and san[j] in " \t\n\x0b\x0c":
        j -= 1
    return j if j >= lo else -1


def modifiers_start(san: str, kw: int, words: frozenset[str], paren_word: str = "") -> int:
    """Walk back from a keyword over modifier words (`pub`, `async`, `export`, ...).

    `paren_word` may carry a parenthesized argument (`pub(crate)`). Returns the offset of the
    first modifier, or `kw` itself.
    """
    start = kw
    p = kw
    lo = max(0, kw - 300)
    while p > lo:
        # j: the last non-blank before p, or lo - 1
        if san[p - 1] not in " \t\n":
            break  # no whitespace between the modifier and what follows it
        if p - 2 >= lo and san[p - 2] not in " \t\n":
            j = p - 2
        else:
            j = lo + len(san[lo:p].rstrip(" \t\n")) - 1
        if j < lo:
            break  # nothing but blanks back to the window start
        c = san[j]
        if c == ")" and paren_word:
            o = san.rfind("(", lo, j)
            if o < 0 or ")" in san[o + 1 : j]:
                break
            k = o - 1
            while k >= lo and san[k] in " \t\n":
                k -= 1
            w0 = k - len(paren_word) + 1
            if (
                w0 < lo
                or san[w0 : k + 1] != paren_word
                or (w0 > 0 and (san[w0 - 1].isalnum() or san[w0 - 1] in "_$#."))
            ):
                break
            start = p = w0
            continue
        if not (c.isalnum() or c == "_"):
            break
        i = j
        while i > lo and (san[i - 1].isalnum() or san[i - 1] == "_"):
            i -= 1
        if i > 0 and san[i - 1] in "$#.'":
            break
        if san[i : j + 1] not in words:
            break
        start = p = i
    return start
