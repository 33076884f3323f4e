"""Evidence cells → references (docs/spec/evidence.md#forms).

Invariant: never raises; no IO. Spans are document offsets (the cell's offset is added).

A cell holds references separated by `<br>`, newlines or `;`. Each reference may carry a label
(`Rust:`), a path (code span, link, or a bare `dir/file.ext`), a line or range, and a
parenthesis holding symbols, a CI job with commands, or prose.
"""

from __future__ import annotations

import logging
import posixpath
import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from parity_lsp import languages, roles
from parity_lsp.model import CommandRef, Evidence, Reference, RefKind, SymbolRef
from parity_lsp.text import Span

# The source extensions come from the language registry; these are the other files a matrix cites.
KNOWN_EXTENSIONS = frozenset(ext[1:] for ext in languages.source_extensions()) | frozenset(
    [
        "md",
        "markdown",
        "toml",
        "yml",
        "yaml",
        "json",
        "sh",
        "bash",
        "txt",
        "csv",
        "tsv",
        "lock",
        "cfg",
        "ini",
        "html",
        "css",
        "scss",
        "pl",
        "r",
        "jl",
        "nim",
        "graphql",
        "gql",
        "tf",
        "hcl",
        "nix",
        "bzl",
        "cmake",
        "mk",
        "dockerfile",
        "rst",
        "adoc",
        "xml",
        "ipynb",
    ]
)
WORKFLOW_DIR = ".github/workflows/"
# The template's column names, as callers used to give them, and their roles.
_LEGACY_ROLES = {"evidence (code)": roles.CODE, "evidence (tests)": roles.TESTS, "evidence (ci)": roles.CI}

_SEPARATOR = re.compile(r"<br\s*/?>|\n|;|；", re.I)
_LABEL = re.compile(r"^\s*([A-Za-z][\w.+#/ -]{0,24}?)\s*:\s+")
# Applied to the stripped segment (no leading whitespace runs: no backtracking between them).
_MISSING = re.compile(r"(?:_\s?)?(missing\s+proof|missing|tbd|todo|n/?a|none|gap|—|–|-)\b", re.I)
_DASHES = re.compile(r"[—–-]+")
_LINE_SUFFIX = re.compile(r"^(.*?):(\d+)(?:-(\d+))?(?::\d+)?$")
# a name after a file and one colon (`x_test.go:TestA`, `a.py:Class.method`); `L120` is a line
_COLON_NAME = re.compile(
    r"(?!L\d+(?:-L?\d+)?$)(?:[^\W\d]|\$)[\w$]*(?:(?:::|\.)(?:[^\W\d]|\$)[\w$]*)*(?:\(\))?"
)
# a fragment after a file's extension that is not a line (`#L10`): a heading or a member
_FRAGMENT = re.compile(r"^(.*\.[A-Za-z0-9]+)#([^#/]*)$")
_ANCHOR_SUFFIX = re.compile(r"^(.*?)#L(\d+)(?:C\d+)?(?:-L?(\d+)(?:C\d+)?)?$")
_IDENT_LIST = re.compile(
    r"^\s*[A-Za-z_][\w]*(?:(?:::|\.)[A-Za-z_<>][\w<>]*)*(?:\(\))?"
    r"(?:\s*,\s*[A-Za-z_][\w]*(?:(?:::|\.)[A-Za-z_<>][\w<>]*)*(?:\(\))?)*\s*$"
)
_KEYWORD_PREFIX = re.compile(
    r"^(?:pub\s+)?(?:async\s+)?(?:fn|def|func|function|class|struct|enum|trait|type|mod|impl)\s+"
)
_BARE_PATH = re.compile(
    r"(?<![\w/.:-])((?:[\w.@-]+/)+[\w.@-]+\.([A-Za-z0-9]+))(?:(?::(\d+)(?:-(\d+))?)|(?:#L(\d+)(?:-L?(\d+))?)"
    # a name in the file: `::Class::test_m` (a pytest node id, `[param]` included), `:TestA`, `#member`
    r"|(?P<name>::[^\W\d]\w*(?:::[^\W\d]\w*)*(?:\[[^\]\s]*\])?|[:#][^\W\d]\w*(?:\.[^\W\d]\w*)*))?"
)
_NOT_A_PATH = re.compile(r"[ \t{}*<]")
# `CalcTests/testAdd`: a class and its member as XCTest and JUnit runners name them, not a path
_CLASS_SLASH_MEMBER = re.compile(
    r"[A-Z][A-Za-z0-9]*(?:[a-z0-9][A-Z]|Tests?|Spec)[A-Za-z0-9]*/[a-z][A-Za-z0-9]*(?:[a-z0-9][A-Z]|_)\w*"
    r"|[A-Z][A-Za-z0-9]*(?:[a-z0-9][A-Z]|Tests?|Spec)[A-Za-z0-9]*/test\w*"
)
_SPECIAL = re.compile(r"[\\`\[(]")
_SEGMENT_SPECIAL = re.compile(r"[\\`(<\n;；]")
_MAYBE_SEPARATOR = re.compile(r"[<\n;；]")
_JOB = re.compile(r"^\s*jobs?\s+", re.I)
_dirname = lru_cache(maxsize=256)(posixpath.dirname)  # one matrix path for all its cells
_log = logging.getLogger(__name__)


def is_path_candidate(text: str) -> bool:
    """Contains '/' or ends in a known extension; no spaces, braces, '*' or '<'
    (docs/spec/evidence.md#path-candidates)."""
    if not text or _NOT_A_PATH.search(text) or "://" in text or is_placeholder(text):
        return False
    head = text.split("::", 1)[0]
    head = _strip_location(head)
    if "/" in head:
        return not _CLASS_SLASH_MEMBER.fullmatch(head)
    ext = head.rsplit(".", 1)[-1].lower() if "." in head else ""
    return ext in KNOWN_EXTENSIONS


def is_workflow_path(path: str) -> bool:
    """`.github/workflows/x.yml`, also written relative to the matrix (`../../.github/workflows/x.yml`)."""
    return ("/" + path).find("/" + WORKFLOW_DIR) != -1 and path.endswith((".yml", ".yaml"))


def _strip_location(text: str) -> str:
    m = _ANCHOR_SUFFIX.match(text) or _LINE_SUFFIX.match(text)
    return m.group(1) if m else text


# --- tokens --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    kind: str  # code | link | paren | text
    start: int  # offsets within the cell text
    end: int
    inner_start: int = 0  # code: content; link: target; paren: inside
    inner_end: int = 0
    label_start: int = 0  # link: text
    label_end: int = 0


# Fast path for cells with no run of two or more backticks (nearly all of them): every code span is
# then a single backtick pair, and a parenthesis or link with no nested opener is one regex match
# that is exactly what the scanners below would find. Anything else (nesting, an unclosed opener)
# falls back to the scanners.
_CODE1 = r"`[^`]*`"
_ESC = r"\\[\s\S]"
_PAREN1 = rf"\((?:[^()`\\]|{_ESC}|{_CODE1})*\)"
_BRACKET1 = rf"\[(?:[^\[\]`\\]|{_ESC}|{_CODE1})*\]"
_SIMPLE_PAREN = re.compile(_PAREN1)
_SIMPLE_BRACKET = re.compile(_BRACKET1)
_FAST_TOKEN = re.compile(
    rf"({_CODE1})|(({_BRACKET1}){_PAREN1})|({_PAREN1})"  # code span, link (its brackets), parenthesis
    rf"|[^`\[(\\]+(?:{_ESC}[^`\[(\\]*)*|(?:{_ESC}[^`\[(\\]*)+"  # text
    r"|([`\[(\\])"  # an opener the fast path cannot decide
)
_BACKTICKS = re.compile(r"`+")


class _Scan:
    """A cell's text and every bracket and code-span search made in it.

    Searches stop at a limit (the end of the cell, a segment or a parenthesis). Bracket searches
    are answered by walks to the end of the cell, one per opener not answered yet: a walk answers
    every opener it passes (where it closes, or that it never does), kept in an array of the
    cell's length per bracket type. So an unmatched `(`, `[` or backtick run is searched once
    instead of once per character before it (O(n^2)), and a parenthesis nested 100,000 deep once,
    not once per level. For a shorter limit the answer is the same when the bracket closes before
    it; when it does not, none, unless a code span the walks stepped over holds the limit (then
    the brackets before the limit are not the same): that limit gets walks of its own.
    """

    __slots__ = (
        "_closers",
        "_cut",
        "_limited",
        "_run_ends",
        "_run_starts",
        "_runs_of_len",
        "_spanned",
        "simple",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.simple = "``" not in text  # every backtick run is a single backtick
        self._run_starts: array[int] | None = None  # the backtick runs, in order
        self._run_ends = array("i")
        self._runs_of_len: dict[int, array[int]] = {}  # length -> starts of the runs that long
        self._closers: dict[str, array[int]] = {}  # opener -> per position: see `_walk`
        # opener -> per position: 1 inside a code span its walks stepped over
        self._spanned: dict[str, bytearray] = {}
        self._limited: dict[tuple[str, int], dict[int, int | None]] = {}  # see `_walk_to`
        self._cut: dict[int, _Scan] = {}  # a limit cutting a backtick run -> the text before it

    def code_end(self, i: int, limit: int) -> tuple[int, int] | None:
        """For a backtick run at i: (content_start, close_start) of the matching run before
        `limit`, or None. The matching run is the first later run exactly as long (a run cut by
        the limit counts with its length before the limit)."""
        text = self.text
        if self.simple:
            k = text.find("`", i + 1, limit)
            return None if k == -1 else (i + 1, k)
        starts = self._run_starts
        if starts is None:
            starts = self._index_runs()
        ends = self._run_ends
        r = bisect_right(starts, i) - 1  # the run holding i
        j = min(ends[r], limit)
        if j >= limit:
            return None
        run = j - i
        same = self._runs_of_len.get(run)
        if same:
            x = bisect_right(same, j)
            if x < len(same) and same[x] + run <= limit:
                return j, same[x]
        if limit < len(text) and text[limit] == "`" and text[limit - 1] == "`":
            s = starts[bisect_right(starts, limit - 1) - 1]
            if limit - s == run and s > j:
                return j, s
        return None

    def _index_runs(self) -> array[int]:
        starts = self._run_starts = array("i")
        ends = self._run_ends
        by_len = self._runs_of_len
        for m in _BACKTICKS.finditer(self.text):
            s, e = m.span()
            starts.append(s)
            ends.append(e)
            same = by_len.get(e - s)
            if same is None:
                same = by_len[e - s] = array("i")
            same.append(s)
        return starts

    def skip_code(self, i: int, end: int) -> int:
        found = self.code_end(i, end)
        if found is None:
            return i + 1
        cs, ce = found
        return ce + (cs - i)

    def match(self, i: int, end: int, opener: str) -> int | None:
        """Position of the bracket closing the `opener` at i before `end` (escapes and code spans
        skipped), or None."""
        text = self.text
        n = len(text)
        if end < n and text[end] == "`" and text[end - 1] == "`":
            cut = self._cut.get(end)
            if cut is None:
                cut = self._cut[end] = _Scan(text[:end])
            return cut.match(i, end, opener)
        closers = self._closers.get(opener)
        if closers is None:
            closers = self._closers[opener] = array("i", [_UNKNOWN]) * n
            self._spanned[opener] = bytearray(n + 1)
        c = closers[i]
        if c == _UNKNOWN:
            c = self._walk(i, opener, closers)
        if 0 <= c < end:
            return c
        if end >= n or not self._spanned[opener][end]:
            return None
        return self._walk_to(i, end, opener)

    def _walk(self, i: int, opener: str, closers: array[int]) -> int:
        """Walk from the `opener` at i to the end of the cell, and set `closers[k]` for each
        opener k it passes: where it closes, or _NEVER. Returns closers[i]."""
        text = self.text
        n = len(text)
        token = _WALK[opener]
        spanned = self._spanned[opener]
        stack: list[int] = []  # openers not closed yet, each followed by its run of openers
        runs: list[int] = []  # the length of the run of openers at each stack entry
        j = i
        while j < n:
            m = token.match(text, j)
            if m is None:  # plain text to the end
                break
            s, j = m.span(1)
            ch = text[s]
            if ch == opener:
                # a run of openers s..j: those already answered end it (a walk from inside it)
                k = s
                while k < j:
                    c = closers[k]
                    if c == _UNKNOWN:
                        u = k + 1
                        if u < j and closers[k + 1 : j].count(_UNKNOWN) == j - u:
                            u = j
                        else:
                            while u < j and closers[u] == _UNKNOWN:
                                u += 1
                        stack.append(k)
                        runs.append(u - k)
                        k = u
                    elif c == _NEVER:  # the rest never closes it, nor any opener around it
                        j = n
                        break
                    else:  # already paired: skip to its closer
                        j = c + 1
                        break
            elif ch == "\\":
                j = s + 2
            elif ch == "`":
                j = self.skip_code(s, n)
                if j > s + 2:  # a code span: a shorter limit inside it may not see it
                    spanned[s + 1 : j - 1] = b"\x01" * (j - s - 2)
            else:  # a run of closers s..j: each closes the innermost opener still open
                k = s
                while k < j and stack:
                    top = stack[-1]
                    size = runs[-1]
                    take = min(size, j - k)
                    # openers top + size - take .. top + size - 1 close at k + take - 1 .. k
                    first = top + size - take
                    closers[first : first + take] = array("i", range(k + take - 1, k - 1, -1))
                    k += take
                    if take == size:
                        stack.pop()
                        runs.pop()
                    else:
                        runs[-1] = size - take
                if not stack:
                    return closers[i]
        for top, size in zip(stack, runs, strict=True):
            closers[top : top + size] = array("i", [_NEVER]) * size
        return closers[i]

    def _walk_to(self, i: int, end: int, opener: str) -> int | None:
        """`match` for a limit inside a code span of the whole cell's walks: walks that stop at
        `end`, one answer per opener passed, kept for that limit."""
        memo = self._limited.setdefault((opener, end), {})
        if i in memo:
            return memo[i]
        text = self.text
        token = _WALK[opener]
        stack = [i]  # openers not closed yet; each gets its answer when closed or at the end
        j = i + 1
        while j < end:
            m = token.match(text, j, end)
            if m is None:
                break
            s = m.start(1)
            ch = text[s]
            if ch == "\\":  # only the last character: nothing left to escape
                j = s + 2
            elif ch == "`":
                j = self.skip_code(s, end)
            elif ch != opener:  # closers, one by one
                memo[stack.pop()] = s
                if not stack:
                    return s
                j = s + 1
            elif s not in memo:
                stack.append(s)
                j = s + 1
            elif (c := memo[s]) is None:
                break  # the rest never closes this opener, so none of the enclosing ones either
            else:
                j = c + 1
        for k in stack:
            memo[k] = None
        return None


_UNKNOWN = -2  # in `_Scan._closers`: not walked yet
_NEVER = -1  # never closed
# A walk's steps: escaped pairs, code spans, runs of openers or of closers; plain text stepped over.
_WALK = {
    "(": re.compile(r"[^\\`()]*+([\\`]|\(+|\)+)"),
    "[": re.compile(r"[^\\`\[\]]*+([\\`]|\[+|\]+)"),
}


def _tokens(sc: _Scan, start: int, end: int) -> list[_Tok]:
    """Code spans, links and balanced parentheses within text[start:end]; the rest is text."""
    text = sc.text
    toks: list[_Tok] = []
    i = start
    text_start = start
    if sc.simple:
        for m in _FAST_TOKEN.finditer(text, start, end):
            kind = m.lastindex  # the outermost group that matched (a link's, not its brackets')
            s, e = m.span()
            if kind is None:
                toks.append(_Tok("text", s, e))
            elif kind == 1:
                toks.append(_Tok("code", s, e, s + 1, e - 1))
            elif kind == 4:
                toks.append(_Tok("paren", s, e, s + 1, e - 1))
            elif kind == 2:
                toks.append(_link_tok(text, s, m.end(3) - 1, e - 1))  # at its `]`
            else:  # an opener the fast path cannot decide: the scanner below goes on from it
                i = text_start = s
                if toks and toks[-1].kind == "text":
                    text_start = toks.pop().start
                break
        else:
            return toks

    def flush(upto: int) -> None:
        if upto > text_start:
            toks.append(_Tok("text", text_start, upto))

    while i < end:
        special = _SPECIAL.search(text, i, end)  # jump to the next character that can start a token
        if special is None:
            break
        i = special.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            found = sc.code_end(i, end)
            if found is None:
                i += 1
                while i < end and text[i] == "`":
                    i += 1
                continue
            cs, ce = found
            run = cs - i
            flush(i)
            toks.append(_Tok("code", i, ce + run, cs, ce))
            i = ce + run
            text_start = i
            continue
        if ch == "[":
            link = _match_link(sc, i, end)
            if link is not None:
                flush(i)
                toks.append(link)
                i = link.end
                text_start = i
                continue
        if ch == "(":
            close = _match_paren(sc, i, end)
            if close is not None:
                flush(i)
                toks.append(_Tok("paren", i, close + 1, i + 1, close))
                i = close + 1
                text_start = i
                continue
        i += 1
    flush(end)
    return toks


def _match_paren(sc: _Scan, i: int, end: int) -> int | None:
    """Position of the `)` closing the `(` at i before `end`, or None."""
    if sc.simple:
        m = _SIMPLE_PAREN.match(sc.text, i, end)
        if m is not None:
            return m.end() - 1
    return sc.match(i, end, "(")


def _match_link(sc: _Scan, i: int, end: int) -> _Tok | None:
    """The link `[...](...)` starting at i before `end`, or None."""
    text = sc.text
    m = _SIMPLE_BRACKET.match(text, i, end) if sc.simple else None
    j = m.end() - 1 if m is not None else sc.match(i, end, "[")
    if j is None or j + 1 >= end or text[j + 1] != "(":
        return None
    close = _match_paren(sc, j + 1, end)
    if close is None:
        return None
    return _link_tok(text, i, j, close)


def _link_tok(text: str, i: int, j: int, close: int) -> _Tok:
    """The link `[...]` at i..j followed by `(...)` at j+1..close."""
    ts, te = j + 2, close
    while ts < te and text[ts] == " ":
        ts += 1
    if ts < te and text[ts] == "<":
        gt = text.find(">", ts, te)
        if gt != -1:
            ts, te = ts + 1, gt
    else:
        # drop an optional "title"
        sp = text.find(" ", ts, te)
        if sp != -1:
            te = sp
    return _Tok("link", i, close + 1, ts, te, i + 1, j)


# --- references ----------------------------------------------------------------------------


def _segments(sc: _Scan) -> list[tuple[int, int]]:
    """Split on <br>, newlines and ';' outside code spans, links and parentheses."""
    text = sc.text
    n = len(text)
    if _MAYBE_SEPARATOR.search(text) is None:
        return [(0, n)] if text.strip() else []
    out = []
    start = 0
    i = 0
    while i < n:
        m = _SEGMENT_SPECIAL.search(text, i)
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            i = sc.skip_code(i, n)
            continue
        if ch == "(":
            close = _match_paren(sc, i, n)
            if close is not None:
                i = close + 1
                continue
        if ch in "<\n;；":
            m = _SEPARATOR.match(text, i)
            if m:
                out.append((start, i))
                i = m.end()
                start = i
                continue
        i += 1
    out.append((start, n))
    return [(s, e) for s, e in out if text[s:e].strip()]


def parse_evidence(
    text: str,
    offset: int,
    matrix_path: str = "",
    role: str | None = None,
    memo: dict[tuple[str, str | None], tuple[int, Evidence]] | None = None,
) -> Evidence:
    """Parse one evidence cell (`text` starts at document offset `offset`) of a column playing
    `role` (code, tests, ci, evidence; the template's column names are accepted too).

    `memo` (a table's `Table.parsed`: its cells share the matrix path): a cell that takes the
    general path (not one `_QUICK` match) is parsed once per text and role, and the table's
    other cells of that text get a copy of its references moved to their offset (`_moved`): a
    large matrix repeats its cells (`src/a.rs` on thousands of rows)."""
    column = _LEGACY_ROLES.get(role or "", role)
    key = (text, column)
    if memo is not None:
        parsed = memo.get(key)
        if parsed is not None:
            return _moved(parsed[1], offset - parsed[0])
    ev = Evidence()
    try:
        general = _parse_into(ev, text, offset, _dirname(matrix_path), column)
    except Exception:  # noqa: BLE001 - parsers never raise: the cell yields what was found, the bug is logged
        _log.warning(
            "evidence cell at offset %d of %s could not be parsed", offset, matrix_path, exc_info=True
        )
        return ev
    if memo is not None and general and len(text) <= _MEMO_TEXT_MAX:
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[key] = (offset, _moved(ev, 0))  # a copy: the caller's references are its own
    return ev


# A table's memo of parsed cells is bounded in entries and in the length of a text kept.
_MEMO_MAX = 4096
_MEMO_TEXT_MAX = 1024


def _moved(ev: Evidence, delta: int) -> Evidence:
    """A copy of `ev` whose spans are `delta` code points further (every object new)."""

    def span(s: Span) -> Span:
        return Span(s.start + delta, s.end + delta)

    def opt(s: Span | None) -> Span | None:
        return None if s is None else Span(s.start + delta, s.end + delta)

    refs = [
        Reference(
            r.kind,
            r.path,
            span(r.span),
            span(r.full_span),
            r.line_start,
            r.line_end,
            opt(r.line_span),
            [SymbolRef(x.name, span(x.span)) for x in r.symbols],
            tuple(SymbolRef(x.name, span(x.span)) for x in r.texts),
            r.label,
            r.note,
            r.is_link,
            r.link_base,
            r.job,
            opt(r.job_span),
            [CommandRef(c.text, span(c.span)) for c in r.commands],
            r.role,
            r.in_missing,
            r.pattern,
            r.fragment,
            opt(r.fragment_span),
        )
        for r in ev.refs
    ]
    return Evidence(refs, ev.missing_marker, opt(ev.missing_span))


def _parse_into(ev: Evidence, text: str, offset: int, base_dir: str, column: str | None) -> bool:
    """Parse into `ev`; True when the cell took the general path (not `_parse_quick`, nor empty)."""
    if not text.strip():
        ev.missing_marker = True
        ev.missing_span = Span(offset, offset + len(text))
        return False
    if _parse_quick(ev, text, offset, base_dir, column):
        return False
    sc = _Scan(text)
    for seg_start, seg_end in _segments(sc):
        seg = text[seg_start:seg_end]
        bare = seg.replace("*", "").strip()
        missing = bool(_MISSING.match(bare) or _DASHES.fullmatch(bare))
        if missing:
            ev.missing_marker = True
            if ev.missing_span is None:
                ev.missing_span = Span(offset + seg_start, offset + seg_end)
        label = None
        body_start = seg_start
        m = _LABEL.match(seg)
        if (
            m
            and "`" not in m.group(0)
            and not m.group(1).lower().startswith("missing")
            and not is_path_candidate(m.group(1).strip())  # `x_test.go: TestA, TestB`: a file, not a label
        ):
            label = m.group(1).strip()
            body_start = seg_start + m.end()
        toks = _tokens(sc, body_start, seg_end)
        first = len(ev.refs)
        _refs_from_tokens(ev, sc, toks, offset, base_dir, label, column)
        _group_names(ev, first, text, offset, seg_end)
        if missing:
            for ref in ev.refs[first:]:
                ref.in_missing = True
    return True


# The shape of nearly every cell, parsed in one match: a code span or link holding a path (with a
# line or line range), then optionally `(`symbol`)`, or `(job `id`: `command`)` after a workflow.
# No separator, label, escape or nesting can occur in it, so the general path below would find
# exactly one reference; anything else takes that path.
_QUICK_PATH = r"[^\s`{}*<:#;\\()\[\]]+"  # no location suffix, no spaces, nothing special to the scanners
_QUICK = re.compile(
    rf"(?:`(?P<raw>(?P<path>{_QUICK_PATH})(?::(?P<line>[0-9]+)(?:-(?P<end>[0-9]+))?)?)`"
    rf"|\[[^\[\]`\\;<\n]*\]\((?P<lraw>(?P<lpath>{_QUICK_PATH})(?:#L(?P<lline>[0-9]+)(?:-L?(?P<lend>[0-9]+))?)?)\))"
    r"(?: *\((?:`(?P<symbol>\w++(?:::\w++)*+)(?:\(\))?`|job `(?P<job>[\w.-]+)`: `(?P<command>[^`;<\n]+)`)\))?"
)


def _parse_quick(ev: Evidence, text: str, offset: int, base_dir: str, column: str | None) -> bool:
    """The common shapes (see _QUICK) straight to their reference; False for anything else."""
    m = _QUICK.fullmatch(text)
    if m is None or is_placeholder(m.group(_G_PATH) or ""):
        return False
    # every group in one call (a cell of each row's three goes through here)
    _, path, line, end, _, lpath, lline, lend, symbol, job, command = m.groups()
    link = lpath is not None
    if link:
        path, line, end, group = lpath, lline, lend, _G_LPATH
    else:
        if (
            "/" not in path
            and (path.rsplit(".", 1)[-1].lower() if "." in path else "") not in KNOWN_EXTENSIONS
        ):
            return False  # not a path candidate (with no location suffix left to strip)
        if "." not in path and (
            _CLASS_SLASH_MEMBER.fullmatch(path) or (column in _NAME_COLUMNS and _GO_SUBTEST.fullmatch(path))
        ):
            return False  # `CalcTests/testAdd`, a Go subtest (`TestRequeue/stale_worker`): not paths
        group = _G_PATH
    kind = RefKind.CI if is_workflow_path(path) else RefKind.PATH
    if (symbol is not None and kind is RefKind.CI) or (job is not None and kind is RefKind.PATH):
        return False
    path_start = offset + m.start(group)
    path_end = path_start + len(path)
    ref = Reference(
        kind,
        path,
        Span(path_start, path_end),
        Span(offset, offset + len(text)),  # the match is the whole cell
        _line_number(line) if line else None,
        _line_number(end) if end else None,
        Span(path_end + 1, offset + m.end(group - 1)) if line else None,  # group - 1: the raw text
        role=column,
    )
    if link:
        ref.is_link = True
        ref.link_base = base_dir
    if symbol is not None:
        ref.symbols.append(SymbolRef(symbol, Span(offset + m.start(_G_SYMBOL), offset + m.end(_G_SYMBOL))))
    elif job is not None:
        ref.job = job
        ref.job_span = Span(offset + m.start(_G_JOB), offset + m.end(_G_JOB))
        stripped = command.strip()
        if stripped:
            s = offset + m.start(_G_COMMAND) + len(command) - len(command.lstrip())
            ref.commands.append(CommandRef(_unescape(stripped), Span(s, s + len(stripped))))
    ev.refs.append(ref)
    return True


_G_PATH, _G_LPATH, _G_SYMBOL, _G_JOB, _G_COMMAND = (
    _QUICK.groupindex[g] for g in ("path", "lpath", "symbol", "job", "command")
)
assert (
    _QUICK.groupindex["raw"] == _G_PATH - 1 and _QUICK.groupindex["lraw"] == _G_LPATH - 1
)  # see `group - 1`


def _refs_from_tokens(
    ev: Evidence,
    sc: _Scan,
    toks: list[_Tok],
    offset: int,
    base_dir: str,
    label: str | None,
    column: str | None,
) -> None:
    text = sc.text
    i = 0
    # A parenthesis holding code spans is read in place, its tokens before the ones after it:
    # those wait here, not on the call stack (a parenthesis may be nested 100,000 deep).
    after: list[tuple[list[_Tok], int]] = []
    while True:
        if i >= len(toks):
            if not after:
                break
            toks, i = after.pop()
            continue
        tok = toks[i]
        ref = None
        if tok.kind == "code":
            content = text[tok.inner_start : tok.inner_end]
            stripped = content.strip()
            subtest = _GO_SUBTEST.fullmatch(stripped) if column in _NAME_COLUMNS else None
            if subtest is not None:
                s = offset + tok.inner_start + len(content) - len(content.lstrip())
                name = subtest.group(1)
                full = Span(offset + tok.start, offset + tok.end)
                ev.refs.append(_name_ref([(name, s, len(name))], full, label, column))
            elif is_path_candidate(stripped):
                lead = len(content) - len(content.lstrip())
                ref = _path_ref(
                    stripped, offset + tok.inner_start + lead, Span(offset + tok.start, offset + tok.end)
                )
            elif column == roles.CI and stripped:
                # a command with no workflow: remembered so PM202 can say what is missing
                ev.refs.append(
                    Reference(
                        kind=RefKind.CI,
                        path="",
                        span=Span(offset + tok.start, offset + tok.start),
                        full_span=Span(offset + tok.start, offset + tok.end),
                        commands=[
                            CommandRef(
                                _unescape(stripped), Span(offset + tok.inner_start, offset + tok.inner_end)
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
                _code_claim(
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
                ref = _path_ref(target, offset + tok.inner_start, Span(offset + tok.start, offset + tok.end))
                if ref is not None:
                    ref.is_link = True
                    ref.link_base = base_dir
        elif tok.kind == "text":
            last = _bare_paths(ev, text, tok, offset, label, column)
            # `dir/file.ext (...)`: the parenthesis after a bare path is read as after a code
            # span (symbols, a CI job and commands); it was read apart, its commands as CI
            # references with no workflow, and PM202 asked for the job the cell has
            j = i + 1
            if last is not None and j < len(toks) and toks[j].kind == "paren":
                ev.refs.extend(_attach_paren(last, sc, toks[j], offset))
                last.full_span = Span(last.full_span.start, offset + toks[j].end)
                i = j + 1
                continue
        elif tok.kind == "paren":
            # a parenthesis with no path before it: code spans inside may be paths
            inner = _tokens(sc, tok.inner_start, tok.inner_end)
            if any(t.kind in ("code", "link") for t in inner):
                after.append((toks, i + 1))
                toks, i = inner, 0
                continue
        if ref is None:
            i += 1
            continue
        ref.label = label
        ref.role = column
        # an optional parenthesis right after the path
        j = i + 1
        if j < len(toks) and toks[j].kind == "text" and not text[toks[j].start : toks[j].end].strip():
            j += 1
        if j < len(toks) and toks[j].kind == "paren":
            commands = _attach_paren(ref, sc, toks[j], offset)
            ref.full_span = Span(ref.full_span.start, offset + toks[j].end)
            i = j + 1
        else:
            commands = []
            i += 1
        ev.refs.append(ref)
        ev.refs.extend(commands)


def _bare_paths(
    ev: Evidence, text: str, tok: _Tok, offset: int, label: str | None, column: str | None
) -> Reference | None:
    """References written without a code span: `dir/file.ext` (any column), and in evidence
    columns a bare file name with a source extension (`CalcTests.swift`) and, where a column
    cites tests, identifier-like test names (`test_parse_row`, `CalcTests.testAdd`): see
    `_is_bare_name`. Plain words are prose. Returns the path that ends the text (only blanks
    after it): a parenthesis right after it belongs to it."""
    chunk = text[tok.start : tok.end]
    paths: list[tuple[int, int]] = []
    last: Reference | None = None
    for m in _BARE_PATH.finditer(chunk):
        if m.group(2).lower() not in KNOWN_EXTENSIONS:
            continue
        raw = m.group(0)
        if m.group("name") is not None and not (
            raw.startswith("::", m.start("name") - m.start()) or _has_source_extension(m.group(1))
        ):
            raw = m.group(1)  # `docs/guide.md:Intro`: not a name in a source file
        paths.append((m.start(), m.start() + len(raw)))
        s = tok.start + m.start(1)
        full = Span(offset + tok.start + m.start(), offset + tok.start + m.start() + len(raw))
        ref = _path_ref(raw, offset + s, full)
        if ref is not None:
            ref.label = label
            ref.role = column
            ev.refs.append(ref)
            last = ref if not chunk[m.start() + len(raw) :].strip() else None
    if column not in _NAME_COLUMNS or len(chunk) > _MAX_BARE_TEXT:
        return last
    p = 0
    for m in _BARE_WORD.finditer(chunk):
        a, b = m.span(1)
        while p < len(paths) and paths[p][1] <= a:
            p += 1
        if p < len(paths) and paths[p][0] < b:
            continue  # part of a `dir/file.ext`
        word = m.group(1)
        if chunk.startswith("*", b) or (a > 0 and chunk[a - 1] == "*"):
            continue  # `test_rate_limit_*`: a pattern of names, not one name
        start = offset + tok.start + a
        if _is_bare_file(word):
            ref = _path_ref(word, start, Span(start, start + len(word)))
            if ref is not None:
                ref.label = label
                ref.role = column
                ev.refs.append(ref)
                last = ref if not chunk[m.end() :].strip() else None
        elif "#" in word and (member := _test_member(word)) is not None:
            ev.refs.append(
                _name_ref([(member, start, len(word))], Span(start, start + len(word)), label, column)
            )
        elif _GO_SUBTEST.fullmatch(word):
            name = word.split("/", 1)[0]
            full = Span(start, start + len(word))
            ev.refs.append(_name_ref([(name, start, len(name))], full, label, column))
        elif _is_bare_name(word, column):
            size = len(word) - 2 if word.endswith("()") else len(word)
            ev.refs.append(
                _name_ref([(_name_of(word), start, size)], Span(start, start + len(word)), label, column)
            )
    return last


def _path_ref(raw: str, start: int, full_span: Span) -> Reference | None:
    """`raw` is the path text (with location suffix) starting at document offset `start`."""
    path = raw
    symbols: list[SymbolRef] = []
    heading: tuple[str, Span] | None = None
    if "::" in path:
        head, tail = path.split("::", 1)
        if tail and "/" not in tail:
            symbols.append(SymbolRef(tail.rstrip("()"), Span(start + len(head) + 2, start + len(raw))))
            path = head
    elif ":" in path:
        # `queue_test.go:TestPushPop`: a source file and a name in it (as `file::name` above)
        head, _, tail = path.rpartition(":")
        if _COLON_NAME.fullmatch(tail) and _has_source_extension(head):
            symbols.append(SymbolRef(tail.rstrip("()"), Span(start + len(head) + 1, start + len(raw))))
            path = head
    line_start = line_end = None
    line_span = None
    m = _ANCHOR_SUFFIX.match(path)
    if m:
        loc_start = len(m.group(1)) + 1  # after '#'
        path = m.group(1)
        line_start = _line_number(m.group(2))
        line_end = _line_number(m.group(3)) if m.group(3) else None
        line_span = Span(start + loc_start, start + _location_end(raw, loc_start))
    else:
        m = _LINE_SUFFIX.match(path)
        if m:
            loc_start = len(m.group(1)) + 1  # after ':'
            path = m.group(1)
            line_start = _line_number(m.group(2))
            line_end = _line_number(m.group(3)) if m.group(3) else None
            line_span = Span(start + loc_start, start + _location_end(raw, loc_start))
        else:
            m = _FRAGMENT.match(path) if "#" in path else None
            if m:
                # `guide.md#setup` (a heading) or `CartTest.java#addsItems` (a member, as Maven's
                # `-Dtest=CartTest#addsItems` writes it): the file is the path
                path, fragment = m.group(1), m.group(2)
                s = start + len(path) + 1
                if _COLON_NAME.fullmatch(fragment) and _has_source_extension(path):
                    symbols.append(SymbolRef(fragment.rstrip("()"), Span(s, s + len(fragment))))
                elif fragment:
                    heading = (fragment, Span(s, s + len(fragment)))
    if not path:
        return None
    kind = RefKind.CI if is_workflow_path(path) else RefKind.PATH
    ref = Reference(
        kind=kind,
        path=path,
        span=Span(start, start + len(path)),
        full_span=full_span,
        line_start=line_start,
        line_end=line_end,
        line_span=line_span,
        symbols=symbols,
    )
    if heading is not None:
        ref.fragment, ref.fragment_span = heading
    return ref


MAX_LINE_NUMBER = 10**18  # a longer number is past the end of any file (PM302 says so)


def _has_source_extension(path: str) -> bool:
    return "." in path and "." + path.rsplit(".", 1)[1].lower() in languages.source_extensions()


def _line_number(digits: str) -> int:
    """A cited line number; capped, since `int()` refuses over 4,300 digits and that failure
    lost every other reference of the cell."""
    return int(digits) if len(digits) <= 18 else MAX_LINE_NUMBER


def _location_end(raw: str, loc_start: int) -> int:
    j = loc_start
    while j < len(raw) and (raw[j].isdigit() or raw[j] in "-LC:"):
        if raw[j] == ":" and raw[j + 1 : j + 2] == ":":
            break
        j += 1
    return j


def _attach_paren(ref: Reference, sc: _Scan, tok: _Tok, offset: int) -> list[Reference]:
    """What the parenthesis after a path adds to it (symbols, a CI job and commands, a note);
    returns the references it holds of its own (a test command: `npm run test:e2e`)."""
    text = sc.text
    commands: list[Reference] = []
    inner = text[tok.inner_start : tok.inner_end]
    inner_toks = _tokens(sc, tok.inner_start, tok.inner_end)
    codes = [t for t in inner_toks if t.kind == "code"]
    if ref.kind == RefKind.CI:
        _attach_ci(ref, text, inner, inner_toks, offset, tok)
        return commands
    if codes:
        for t in codes:
            content = text[t.inner_start : t.inner_end]
            stripped = content.strip()
            if _runs_tests(stripped):
                # how the cited tests are run (`e2e/app.spec.ts` (`npm run test:e2e`)), not a name
                # the file defines: a command whose target must exist when its program has targets
                if stripped.split(None, 1)[0] in _COMMAND_PROGRAMS:
                    s = offset + t.inner_start + content.find(stripped)
                    commands.append(
                        _command_ref(stripped, s, Span(offset + t.start, offset + t.end), ref.label, ref.role)
                    )
                continue
            _attach_code(ref, content, offset + t.inner_start)
        if not ref.symbols:
            ref.note = inner.strip()
        return commands
    if _IDENT_LIST.match(inner) and _looks_like_code(inner):
        pos = tok.inner_start
        for part in inner.split(","):
            name = _symbol_name(part)
            if name:
                lead = part.find(name)
                s = offset + pos + lead
                ref.symbols.append(SymbolRef(name, Span(s, s + len(name))))
            pos += len(part) + 1
        return commands
    ref.note = inner.strip()
    return commands


# An identifier path: `name`, `name()`, `Type::method`, `Class.method`, `a::b::c` (Unicode letters
# allowed, `$` for JavaScript). Anything else in a code span is text, not a symbol.
_IDENT = r"(?:[^\W\d]|\$)[\w$]*"
_IDENT_PATH = re.compile(rf"{_IDENT}(?:(?:::|\.){_IDENT})*(?:\(\))?")
_MAX_GROUP_DEPTH = 8
_MAX_GROUP_TEXT = 1000  # a `use` group is a line of code; a longer span is text (and costs no expansion)
_GROUP_TOKEN = re.compile(rf"\s*(?:(?P<ident>{_IDENT})|(?P<sep>::)|(?P<punct>[{{}},]))")


def _attach_code(ref: Reference, content: str, start: int) -> None:
    """One code span of the parenthesis after a path (`start`: its content's document offset):
    symbols (`Type::{A, B}` is `Type::A` and `Type::B`), or a text claim."""
    stripped = content.strip()
    if not stripped or is_path_candidate(stripped):
        return
    s = start + content.find(stripped)
    tests = roles.cites_tests(ref.role, ref.path)
    if "{" in stripped and len(stripped) <= _MAX_GROUP_TEXT and not tests:
        group = _expand_group(stripped)
        if group is not None:
            ref.symbols.extend(SymbolRef(name, Span(s + a, s + b)) for name, a, b in group)
            return
    name = _symbol_name(stripped)
    if not name:
        return
    if tests or _IDENT_PATH.fullmatch(name):
        # a test is named as its runner lists it (a JS `test("…")` title may be prose)
        lead = stripped.find(name)
        ref.symbols.append(SymbolRef(name, Span(s + max(lead, 0), s + max(lead, 0) + len(name))))
        return
    # a key format (`sensor_eval:{id}`), a call (`sha256(cursor)`), an expression or prose:
    # text the file must contain, not a definition
    ref.texts += (SymbolRef(_unescape(stripped), Span(s, s + len(stripped))),)


def _expand_group(text: str) -> list[tuple[str, int, int]] | None:
    """`Type::{A, B}` → [("Type::A", a, b), ("Type::B", c, d)] (each span: the item's own name
    within `text`); nested groups and `self` (the prefix itself) as in a Rust `use`. None when
    `text` is not such a path. Linear: one pass over the text's tokens."""
    toks: list[tuple[str, str, int, int]] = []  # (kind, text, start, end)
    pos = 0
    n = len(text)
    while pos < n:
        m = _GROUP_TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip():
                return None
            break
        kind = m.lastgroup or ""
        toks.append((kind, m.group(kind), m.start(kind), m.end(kind)))
        pos = m.end()
    out: list[tuple[str, int, int]] = []
    i = 0

    def path(prefix: list[str], depth: int) -> bool:
        """A path (segments, then optionally `::{group}`) at toks[i]; its names go to `out`."""
        nonlocal i
        segs = list(prefix)
        first = last = None
        while i < len(toks) and toks[i][0] == "ident":
            segs.append(toks[i][1])
            first = toks[i][2] if first is None else first
            last = toks[i][3]
            i += 1
            if i < len(toks) and toks[i][0] == "sep":
                i += 1
                if i < len(toks) and toks[i][1] == "{":
                    return group(segs, depth + 1)
                continue
            break
        if first is None or last is None:
            return False
        if segs[-1] == "self" and len(segs) > 1:
            segs.pop()
        out.append(("::".join(segs), first, last))
        return True

    def group(prefix: list[str], depth: int) -> bool:
        nonlocal i
        if depth > _MAX_GROUP_DEPTH:
            return False  # a hostile nesting is text, not a recursion limit
        i += 1  # "{"
        while i < len(toks) and toks[i][1] != "}":
            if not path(prefix, depth):
                return False
            if i < len(toks) and toks[i][1] == ",":
                i += 1
            elif i < len(toks) and toks[i][1] != "}":
                return False
        if i >= len(toks):
            return False
        i += 1  # "}"
        return True

    if not toks or not any(t[1] == "{" for t in toks):
        return None
    whole = group([], 1) if toks[0][1] == "{" else path([], 0)  # `{A, B}`: a group without a prefix
    return out if whole and i == len(toks) and out else None


def _looks_like_code(inner: str) -> bool:
    """A bare parenthesis holds symbols only if they look like code, not a word of prose."""
    return any(tok in inner for tok in ("_", "::", ".", "()")) or any(
        c.isupper() for w in inner.split(",") for c in w.strip()[1:]
    )


def _symbol_name(content: str) -> str:
    name = content.strip()
    name = _KEYWORD_PREFIX.sub("", name)
    if name.endswith("()"):
        name = name[:-2]
    return name.strip()


def _attach_ci(ref: Reference, text: str, inner: str, inner_toks: list[_Tok], offset: int, tok: _Tok) -> None:
    codes = [t for t in inner_toks if t.kind == "code"]
    job_tok = None
    m = _JOB.match(inner)
    if m:
        after = tok.inner_start + m.end()
        first = next((t for t in inner_toks if t.end > after), None)
        if first is not None and first.kind == "code" and first.start == after:
            job_tok = first
            ref.job = text[first.inner_start : first.inner_end].strip()
            ref.job_span = Span(offset + first.inner_start, offset + first.inner_end)
        else:
            wm = re.match(r"[\w.-]+", text[after : tok.inner_end])
            if wm:
                ref.job = wm.group(0)
                ref.job_span = Span(offset + after, offset + after + len(wm.group(0)))
    elif codes:
        # `(`test`: `cargo test`)`: a code span followed by ':' names the job
        first = codes[0]
        rest = text[first.end : tok.inner_end].lstrip()
        if rest.startswith(":"):
            job_tok = first
            ref.job = text[first.inner_start : first.inner_end].strip()
            ref.job_span = Span(offset + first.inner_start, offset + first.inner_end)
    for t in codes:
        if t is job_tok:
            continue
        if ref.job_span is not None and t.inner_start < ref.job_span.start - offset:
            continue
        content = text[t.inner_start : t.inner_end]
        if content.strip():
            lead = len(content) - len(content.lstrip())
            s = offset + t.inner_start + lead
            ref.commands.append(CommandRef(_unescape(content.strip()), Span(s, s + len(content.strip()))))
    if ref.job is None and not ref.commands:
        ref.note = inner.strip()


def _unescape(text: str) -> str:
    return text.replace("\\|", "|")


# --- references as teams write them (docs/spec/evidence.md) -------------------------------------------------

# Columns whose bare words may name tests (a code column's prose is not read for names).
_NAME_COLUMNS = frozenset({roles.TESTS, roles.EVIDENCE})
_MAX_BARE_TEXT = 4000  # a longer run of text is prose (and is not scanned word by word)
# A word: anything between blanks and list separators (`,` `，` `、` `+` `;` parentheses, quotes).
_BARE_WORD = re.compile(
    r"(?<![^\s,，、+;；()\[\]\"'*])([^\s,，、+;；()\[\]\"'*:：]+?)[.:：]*(?=$|[\s,，、+;；()\[\]\"'*])"
)
_NAME_WORD = re.compile(rf"{_IDENT}(?:(?:::|\.|/){_IDENT})*(?:\(\))?")
_CAMEL = re.compile(r"[a-z0-9][A-Z]")
_TESTISH = re.compile(
    r"(?:^|[._:/])(?:[Tt]est|[Ss]hould|it_|[Ss]pec)|(?:Tests?|Spec|IT|_test|_spec)(?:$|[.:/])"
)
# Placeholders: "no evidence", never a path or a name.
PLACEHOLDERS = frozenset({"gap", "n/a", "na", "-", "—", "–", "tbd", "todo", "none", "missing"})
_COMMAND_PROGRAMS = frozenset({"make", "cargo", "npm", "yarn", "pnpm"})
# A Go subtest as `go test -run` names it (`TestRequeue/stale_worker`): the test function is
# looked up (the subtest's name is the text of a `t.Run`); Go's rule for a test function name,
# `Test` then no lower-case letter, keeps `Tests/CalcTests` a path
_GO_SUBTEST = re.compile(r"(Test(?![a-z])\w*)(?:/[^\s./`]+)+")
# What a code span after a test file starts with when it says how the tests run rather than
# which test (`npm run test:e2e`, `pytest -k smoke`, `go test ./...`): programs no test title
# starts with, and two-word openings for the programs whose name is also an English word
# (a JavaScript test title may be `make a payment` or `go to checkout`).
_TEST_RUNNERS = frozenset(
    {
        "cargo", "npm", "npx", "pnpm", "yarn", "bun", "deno", "pytest", "tox", "nox", "uv", "poetry",
        "gradle", "gradlew", "./gradlew", "mvn", "./mvnw", "dotnet", "bazel", "vitest", "jest",
        "playwright", "ctest", "xcodebuild",
    }
)  # fmt: skip
# programs whose name is also a word: the second word tells
_TEST_RUNNER_VERBS = {
    "go": ("test", "run", "vet"),
    "swift": ("test", "build"),
    "python": ("-m",),
    "python3": ("-m",),
}
_GLOB_CHARS = re.compile(r"[*?]|\[[^\]]*\]")


def _runs_tests(text: str) -> bool:
    """A command that runs tests (see `_TEST_RUNNERS`), not a test's title."""
    words = text.split()
    if len(words) < 2:
        return False
    first, second = words[0], words[1]
    if first in _TEST_RUNNERS:
        return True
    if first == "make":  # `make e2e`, `make -C web e2e`; `make a payment` is a title
        return len(words) == 2 or second.startswith("-")
    return second in _TEST_RUNNER_VERBS.get(first, ())


def is_placeholder(text: str) -> bool:
    """`Gap`, `N/A`, `-`, `—`, `TBD`, `none` (emphasis allowed): "no evidence"."""
    if len(text) > 16:  # asked of every path: the longest placeholder is short
        return False
    return text.strip().strip("*_").strip().lower() in PLACEHOLDERS


def _is_bare_file(word: str) -> bool:
    """`CalcTests.swift`: a base name with a source extension (`Node.js` is a product)."""
    if "/" in word or "." not in word:
        return False
    stem, _, ext = word.rpartition(".")
    if "." + ext.lower() not in languages.source_extensions() or not _IDENT_RE.fullmatch(stem):
        return False
    return not (ext.lower() in ("js", "ts") and stem[:1].isupper() and stem[1:].islower())


_IDENT_RE = re.compile(rf"{_IDENT}(?:[.-]{_IDENT})*")


def _is_bare_name(word: str, column: str | None) -> bool:
    """A bare word is a test name only when it looks like an identifier a test could have:
    snake_case (`test_parse_row`), a qualified name (`CalcTests.testAdd`, `Calc::add`,
    `CalcTests/testAdd`), or a camelCase name that says it is a test (`testAdd`, `CalcTests`)
    or has several humps (`parsesEmptyInput`). In a mixed evidence column it must also look like
    a test (a `test` / `Tests` / `spec` part). Plain words (`snapshot`, `iPhone`) are prose."""
    if len(word) > 200 or not _NAME_WORD.fullmatch(word) or is_placeholder(word):
        return False
    if _has_source_extension(word):
        return False  # `Node.js`: a file name or a product, not a member
    name = _name_of(word)
    parts = re.split(r"::|\.|/", name)
    testish = _TESTISH.search(name) is not None
    if column == roles.EVIDENCE and not testish:
        return False
    if len(parts) > 1:
        if "/" in name and len(parts) != 2:
            return False
        # `Class.method`, `Type::name`, `mod::name`: a class first, or a name that is code
        return "::" in name or parts[0][:1].isupper() or any("_" in q for q in parts) or testish
    if "_" in name.strip("_"):
        return True
    humps = len(_CAMEL.findall(name))
    return humps >= 2 or (humps >= 1 and testish)


def _looks_like_a_name(text: str) -> bool:
    """A code span that is one plain word (`audit`, `bcrypt`) may be a job, a crate, a tool or a
    word: not a name. One with `_`, `::`, `.`, `/`, `()`, an inner capital or a test's prefix
    (`parse_row`, `Calc::add`, `render()`, `CartTest`, `testAdd`) is code."""
    return (
        any(t in text for t in ("_", "::", ".", "/", "()"))
        or any(c.isupper() for c in text[1:])
        or (looks_like_test_name(text) and text.lower() not in _TEST_WORDS)
        or _KEYWORD_PREFIX.match(text) is not None
    )


# Words that say "tests" without naming one (`job `tests``, `the `spec` suite`)
_TEST_WORDS = frozenset({"test", "tests", "testing", "spec", "specs"})


def looks_like_test_name(name: str) -> bool:
    """A name written as a test (`test_x`, `testAdd`, `CalcTests.add`, `x_test`, `spec`)."""
    return _TESTISH.search(name) is not None


def _name_of(word: str) -> str:
    """The name a lookup asks for: `Class/method` is `Class::method`; `f()` is `f`."""
    name = word[:-2] if word.endswith("()") else word
    return name.replace("/", "::") if "/" in name else name


def _name_ref(
    names: list[tuple[str, int, int]], full: Span, label: str | None, column: str | None
) -> Reference:
    """A reference to bare names: each (name as looked up, start, length as written)."""
    _, first, size = names[0]
    ref = Reference(
        kind=RefKind.NAME,
        path="",
        span=Span(first, first + size),
        full_span=full,
        symbols=[SymbolRef(n, Span(s, s + k)) for n, s, k in names],
        label=label,
        role=column,
    )
    return ref


# A test class and a member as JUnit and Kotlin write them in a tests column: `CartTest#addsItems`
# (Maven's `-Dtest=` form), `CartTest.empty cart totals zero` (a Kotlin name in backticks);
# the class must say it holds tests (`…Test`, `…Tests`, `…Spec`, `Test…`), or `a.b c` is prose
_TEST_MEMBER = re.compile(
    rf"((?:{_IDENT}\.)*(?:Test{_IDENT}|{_IDENT}(?:Tests?|Spec|IT))(?:\.[A-Z][\w$]*)*)"
    r"(?:#([^\W\d][\w$]*)(?:\(\))?|\.([^\W\d][^`.#]*[^\s`.#]))"
)


def _test_member(text: str) -> str | None:
    """The name to look up for `Class#member` or `Class.member with spaces`, else None."""
    m = _TEST_MEMBER.fullmatch(text)
    if m is None or (m.group(3) is not None and " " not in m.group(3)):
        return None  # `CartTest.addsItems` is an identifier path: read as any name
    return f"{m.group(1)}.{m.group(2) or m.group(3)}"


def _command_ref(stripped: str, start: int, full: Span, label: str | None, column: str | None) -> Reference:
    """A command cited outside a workflow (`make ffi-example`, `npm run e2e`): its target must
    exist (PM404)."""
    return Reference(
        kind=RefKind.COMMAND,
        path="",
        span=Span(start, start + len(stripped)),
        full_span=full,
        commands=[CommandRef(_unescape(stripped), Span(start, start + len(stripped)))],
        label=label,
        role=column,
    )


def _code_claim(
    ev: Evidence, stripped: str, start: int, full: Span, label: str | None, column: str | None
) -> None:
    """A code span that is not a path, in a code, tests or mixed evidence column: a glob
    (`crates/*/Cargo.toml`), a command (`make ffi-example`, `cargo xtask parity`, `npm run e2e`),
    a name or names (`test_parse_row`, `Calc::add`, `CalcTests.testAdd`, `Type::{A, B}`), a
    placeholder (`N/A`), or anything else (prose, an expression): nothing."""
    if is_placeholder(stripped) or len(stripped) > _MAX_GROUP_TEXT:
        return
    first = stripped.split(None, 1)[0]
    if first in _COMMAND_PROGRAMS and " " in stripped:
        ev.refs.append(_command_ref(stripped, start, full, label, column))
        return
    if (
        " " not in stripped
        and _GLOB_CHARS.search(stripped)
        and ("/" in stripped or "." in stripped)
        and "{" not in stripped
        and "<" not in stripped
    ):
        ref = Reference(
            kind=RefKind.GLOB,
            path="",
            span=Span(start, start + len(stripped)),
            full_span=full,
            label=label,
            role=column,
        )
        ref.pattern = stripped
        ev.refs.append(ref)
        return
    if "{" in stripped:
        group = _expand_group(stripped)
        if group is not None:
            ev.refs.append(_name_ref([(name, start + a, b - a) for name, a, b in group], full, label, column))
        return
    member = _test_member(stripped) if column in _NAME_COLUMNS else None
    if member is not None:
        ev.refs.append(_name_ref([(member, start, len(stripped))], full, label, column))
        return
    name = _symbol_name(stripped)
    if name and _NAME_WORD.fullmatch(name) and len(name) <= 200 and _looks_like_a_name(stripped):
        lead = max(stripped.find(name), 0)
        size = len(name) - 2 if name.endswith("()") else len(name)
        # the span holds the name as written (`Class/method` is looked up as `Class::method`)
        ev.refs.append(_name_ref([(_name_of(name), start + lead, size)], full, label, column))


_FILE_COLON = re.compile(r"\s*[:：]")
_GROUP_ITEM = re.compile(r"`([^`]+)`|([^\s,，、+`]+)")


def _group_names(ev: Evidence, first: int, text: str, offset: int, seg_end: int) -> None:
    """Names listed after a file and a colon belong to that file (`` `x_test.go`: `TestA`,
    `TestB` ``, also with a full-width colon): the names between the colon and the next path (or the end of
    the segment) become the file's symbols, in place of the name references made for them."""
    refs = ev.refs
    k = first
    while k < len(refs):
        ref = refs[k]
        k += 1
        if ref.kind != RefKind.PATH or ref.symbols or ref.texts or ref.note is not None:
            continue
        after = ref.full_span.end - offset
        m = _FILE_COLON.match(text, after, seg_end)
        if m is None:
            continue
        nxt = next((j for j in range(k, len(refs)) if refs[j].kind != RefKind.NAME), len(refs))
        until = refs[nxt].full_span.start - offset if nxt < len(refs) else seg_end
        names: list[SymbolRef] = []
        for item in _GROUP_ITEM.finditer(text, m.end(), until):
            raw = item.group(1) if item.group(1) is not None else item.group(2)
            s = item.start(1) if item.group(1) is not None else item.start(2)
            word = raw.strip().rstrip(".:：")
            if not word or is_placeholder(word):
                continue
            if len(word) > 200 or not _NAME_WORD.fullmatch(word):
                if item.group(1) is None and not word.strip("-—–"):
                    continue
                break  # not a list of names (prose, an expression)
            if item.group(1) is None and not _is_bare_name(word, roles.TESTS):
                break  # a plain word: prose after the colon (`x.rs`: handles retries)
            s += raw.find(word)
            names.append(SymbolRef(_name_of(word), Span(offset + s, offset + s + len(word))))
        else:
            if names:
                ref.symbols = names
                ref.full_span = Span(ref.full_span.start, names[-1].span.end)
                del refs[k:nxt]
            continue
        # prose after the colon: the names already made in this range stand as they are
