"""Rust definitions: fn, struct (and fields), enum (and variants), union, trait, type, const,
static, mod, impl blocks (methods as `Type::method`, trait recorded as `<Type as Trait>`),
macro_rules!, and #[test]-style test functions.

Invariant: pure, no IO, never raises on any input (the caller also guards), linear time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ._common import (
    MAX_NESTING,
    Comments,
    Lines,
    Rec,
    TooDeep,
    always_matching,
    blank,
    clip,
    doc_start,
    last_nonspace,
    match_close,
    modifiers_start,
    signature,
    skip_angles,
)

# --- lexer ------------------------------------------------------------------------------

# The lexer looks for three kinds of starts separately: a comment (`//`, `/*`), a `"`, and a
# char literal (`'x'`, not a lifetime). Each search starts with a literal character, which
# `re` (or `str.find`) skips to much faster than to any of a set of characters. The prefixes
# of string literals (b"", c"", r#""#, br"", cr"", b'') are found by looking back from the
# quote: the first quote after a prefix is always that literal's quote, so the leftmost
# literal found this way is the one a regex starting at the prefix letter would find.
_COMMENT = re.compile(r"/[/*]")
_CHAR = re.compile(r"'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F_]{0,8}\}|x[0-9a-fA-F]{2}|[^\n]))'")
_BLOCK = re.compile(r"/\*|\*/")
_DQ_BODY = always_matching(re.compile(r'[^"\\]*+(?:\\[\s\S][^"\\]*+)*+"?'))

PLAIN, OUTER_DOC, INNER_DOC = 0, 1, 2


def lex(text: str) -> tuple[str, Comments]:
    n = len(text)
    pieces: list[str] = []
    add = pieces.append
    comments = Comments()
    c_starts = comments.starts
    c_ends = comments.ends
    c_kinds = comments.kinds
    last = 0
    pos = 0
    find = text.find
    comment = _COMMENT.search
    char = _CHAR.search
    # The next comment, `"` and char literal at or after pos (n: none). A search from an
    # earlier pos stays valid while its result is not behind pos.
    m = comment(text)
    n_comment = m.start() if m else n
    n_dq = find('"') % (n + 1)  # find's -1 (none) becomes n
    m_char = char(text)
    n_char = m_char.start() if m_char else n
    while pos < n:
        if n_comment < pos:
            m = comment(text, pos)
            n_comment = m.start() if m else n
        if n_dq < pos:
            n_dq = find('"', pos) % (n + 1)
        if n_char < pos:
            m_char = char(text, pos)
            n_char = m_char.start() if m_char else n
        q = n_comment if n_comment < n_dq else n_dq
        if n_char < q:
            q = n_char
        if q >= n:
            break
        s = q
        c = text[q]
        if c == "/":
            if text[q + 1] == "/":  # line comment: no newline inside, blanked in place
                e = find("\n", q)
                if e < 0:
                    e = n
                t = text[s + 2 : s + 4]
                if t[:1] == "/" and t != "//":
                    ck = OUTER_DOC
                elif t[:1] == "!":
                    ck = INNER_DOC
                else:
                    ck = PLAIN
                c_starts.append(s)
                c_ends.append(e)
                c_kinds.append(ck)
                add(text[last:s])
                add(" " * (e - s))
                last = pos = e
                continue
            else:  # block comment, nested
                depth = 1
                p = q + 2
                while depth:
                    mm = _BLOCK.search(text, p)
                    if mm is None:
                        p = n
                        break
                    p = mm.end()
                    depth += 1 if mm.group() == "/*" else -1
                e = p
                t = text[s : s + 4]
                if t.startswith("/**") and not t.startswith("/***") and not t.startswith("/**/"):
                    ck = OUTER_DOC
                elif t.startswith("/*!"):
                    ck = INNER_DOC
                else:
                    ck = PLAIN
            comments.add(s, e, ck)
        elif c == '"':
            # prefix: [bc]?r#* (raw string) or [bc] (byte / C string), not before `pos`
            k = q
            while k > pos and text[k - 1] == "#":
                k -= 1
            if k > pos and text[k - 1] == "r":
                s = k - 1
                if s > pos and text[s - 1] in "bc":
                    s -= 1
                if s > 0 and (text[s - 1].isalnum() or text[s - 1] == "_"):
                    # `xr"..."` is not a raw string: let the quote start an ordinary string.
                    pos = q
                    continue
                term = '"' + "#" * (q - k)
                j = text.find(term, q + 1)
                e = n if j < 0 else j + len(term)
            else:
                if k == q and q > pos and text[q - 1] in "bc":
                    s = q - 1
                e = _DQ_BODY(text, q + 1).end()
        else:  # char literal, maybe b'x'
            if q > pos and text[q - 1] == "b":
                s = q - 1
            e = m_char.end()  # type: ignore[union-attr]  # q is n_char < n: `m_char` is that match
        add(text[last:s])
        add(blank(text[s:e]))
        last = e
        pos = e if e > s else s + 1
    add(text[last:])
    return "".join(pieces), comments


# --- structure --------------------------------------------------------------------------

# `{`, `}`, `;`, an attribute `#[` / `#![`, or an item keyword as a whole word. Every
# alternative starts with a literal character (a keyword with its first letter, then the word
# boundary before it: `f(?<!\wf)n\b` is `\bfn\b`), which lets `re` skip quickly to the next
# candidate; a group around the alternatives would disable that.
_KEYWORDS = (
    r"f(?<!\wf)n\b|s(?<!\ws)(?:truct|tatic)\b|e(?<!\we)num\b|u(?<!\wu)nion\b|t(?<!\wt)(?:rait|ype)\b"
    r"|c(?<!\wc)onst\b|m(?<!\wm)(?:od|acro_rules)\b|i(?<!\wi)mpl\b"
)
_MAIN = re.compile(r"\{|\}|;|\#!?[ \t]*\[|" + _KEYWORDS)
# The same without `;`: a `;` only clears the pending attributes, a no-op while there are none.
_MAIN_NO_SEMI = re.compile(r"\{|\}|\#!?[ \t]*\[|" + _KEYWORDS)
_IDENT = r"(?:r\#)?[^\W\d]\w*"
_FN = re.compile(r"fn\s+(" + _IDENT + r")")
_STRUCT = re.compile(r"(struct|union|enum)\s+(" + _IDENT + r")")
_TRAIT = re.compile(r"trait\s+(" + _IDENT + r")")
_TYPE = re.compile(r"type\s+(" + _IDENT + r")")
_CONST = re.compile(r"const\s+(" + _IDENT + r"|_)\s*:(?!:)")
_STATIC = re.compile(r"static\s+(?:mut\s+)?(" + _IDENT + r")\s*:(?!:)")
_MOD = re.compile(r"mod\s+(" + _IDENT + r")\s*([;{])")
_MACRO = re.compile(r"macro_rules\s*!\s*(" + _IDENT + r")\s*([{(\[])")
_MOD_WORDS = frozenset({"pub", "const", "async", "unsafe", "extern", "default", "safe", "auto"})
_HEADER = re.compile(r"[{};\[\]<>]")
_STOP = re.compile(r"[{};]")
_STMT = re.compile(r"[()\[\]{};]")
_ATTR_PATH = re.compile(r"\#!?\s*\[\s*((?:[\w]+\s*::\s*)*[\w]+)")
_WHERE = re.compile(r"\bwhere\b")
_FOR = re.compile(r"\bfor\b(?!\s*<)")
_PATH = re.compile(r"(?:[^\W\d]\w*\s*::\s*)*([^\W\d]\w*)")
_TYPE_PREFIX = re.compile(r"(?:\s|&|'\w+|\bmut\b|\bdyn\b|\bconst\b|\*|\(|\[|!|\bunsafe\b)*")
_IMPL_PREFIX = re.compile(r"\s*(?:unsafe\s+|const\s+)*")

_MEMBER_TOKENS = re.compile(r"[,()\[\]{}<>]")
_WS = always_matching(re.compile(r"\s*"))
_ATTR_OPEN = re.compile(r"\#\s*\[")
_VIS = re.compile(r"pub(?:\s*\([^()]*\))?\s+")
_VARIANT = re.compile(r"(" + _IDENT + r")\s*(?:[({=]|$)")
_FIELD = re.compile(r"(" + _IDENT + r")\s*:(?!:)")

_TEST_ATTRS = {"test", "rstest", "test_case", "test_matrix", "quickcheck", "proptest", "wasm_bindgen_test"}


def _is_test_attr(path: str) -> bool:
    last = path.rsplit("::", 1)[-1].strip()
    return last in _TEST_ATTRS or last.endswith("_test") or last == "test"


_ATTR_OTHER, _ATTR_IGNORE, _ATTR_TEST = 0, 1, 2


@functools.lru_cache(maxsize=1024)  # the same few attributes (`#[test]`, ...) recur everywhere
def _attr_kind(attr: str) -> int:
    """`#[ignore]`, a test attribute (`#[test]`, `#[tokio::test]`, ...) or another one, from the
    sanitized attribute text `#[...]`."""
    m = _ATTR_PATH.match(attr)
    if not m:
        return _ATTR_OTHER
    path = "".join(m.group(1).split())
    if path == "ignore":
        return _ATTR_IGNORE
    return _ATTR_TEST if _is_test_attr(path) else _ATTR_OTHER


# doc_start predicates over the comment kinds (PLAIN, OUTER_DOC, INNER_DOC), as C-level calls
_doc_accept = frozenset({OUTER_DOC, INNER_DOC}).__contains__  # doc comments belong to the item
_doc_skip = frozenset({PLAIN}).__contains__  # a plain comment between docs and item is stepped over
_doc_blank_ok = frozenset({PLAIN, OUTER_DOC}).__contains__  # kind != INNER_DOC


_Prefix = tuple[str, ...]  # the names of the enclosing items (`mod`s, types, fns)
_Pending = list[tuple[int, int]]  # the attributes seen since the last item: (start, `]`)
# What an item handler returns: where to resume (None: after the keyword), and the block it
# opens, if any: (the prefix inside it, the index of its record or -1), pushed on the stack.
_Handled = tuple[int | None, tuple[_Prefix, int] | None]


class _Scanner:
    def __init__(
        self, text: str, wanted: frozenset[str] | None = None, lexed: tuple[str, Comments] | None = None
    ) -> None:
        self.wanted = wanted  # fn names to record (None: all); other fns only shape the nesting
        self.text = text
        self.san, self.comments = lexed if lexed is not None else lex(text)
        self.lines = Lines(text)
        self.recs: list[Rec] = []
        self.n = len(text)
        self._pairs: dict[int, int] = {}  # see stmt_end
        self._stmt_answers: dict[int, tuple[int, str]] = {}

    # helpers -----------------------------------------------------------------------------

    def line(self, offset: int) -> int:
        return self.lines.line(offset)

    def item_start(self, kw: int, pending: list[tuple[int, int]]) -> tuple[int, int]:
        """(start offset including attributes and docs, start of the modifiers)."""
        san = self.san
        ms = modifiers_start(san, kw, _MOD_WORDS, "pub")
        start = ms
        if pending and pending[0][0] < start:
            start = pending[0][0]
        start = doc_start(
            san,
            self.comments,
            start,
            accept=_doc_accept,
            skip=_doc_skip,
            blank_ok=_doc_blank_ok,
        )
        return start, ms

    def header_end(self, p: int) -> tuple[int, str]:
        """First `{`, `}` or `;` from p, not counting a `;` inside `[...]` (array types) nor a
        const-generic block `{ ... }` in generic arguments (`Foo<{ N + 1 }>`)."""
        san = self.san
        m = _STOP.search(san, p)
        if m is None:
            return self.n, ""
        q = m.start()
        if san.find("[", p, q) < 0 and san.find("<", p, q) < 0:
            return q, m.group()  # no brackets nor generics before the first stop: it counts
        depth = 0  # [ ]
        angles = 0  # < > outside [ ]
        floor = p
        search = _HEADER.search
        while True:
            m = search(san, p)
            if m is None:
                return self.n, ""
            ch = m.group()
            q = m.start()
            if ch == "[":
                depth += 1
            elif ch == "]":
                if depth:
                    depth -= 1
            elif ch == "<":
                if depth == 0:
                    angles += 1
            elif ch == ">":
                if depth == 0 and angles and san[q - 1] not in "-=":
                    angles -= 1
            elif ch == ";":
                if depth == 0:
                    return q, ";"
            elif ch == "{" and angles and san[max(0, last_nonspace(san, q, floor))] in "<,=":
                close = match_close(san, q, q + 4000)
                if close < 0:
                    return q, ch
                p = close + 1
                continue
            else:
                return q, ch
            p = m.end()

    def stmt_end(self, p: int) -> tuple[int, str]:
        """The `;` ending a const/static at bracket depth 0 (brackets of any type counted
        together), or the closer of the enclosing block; (len, "") for none.

        Walks remember the closer of each opener they pass (-1: it never closes) and their
        answer at each place they passed at their own depth 0: the initializer of a const
        holding another (`const A: () = { const B: () = { …`) is not walked again for each
        enclosing one (quadratic)."""
        pairs = self._pairs
        answers = self._stmt_answers
        search = _STMT.search
        san = self.san
        stack: list[int] = []  # the openers of this walk not closed yet
        passed: list[int] = []  # where this walk was at its depth 0
        while True:
            if not stack:
                known = answers.get(p)
                if known is not None:
                    result = known
                    break
                passed.append(p)
            m = search(san, p)
            if m is None:
                result = (self.n, "")
                break
            ch = m.group()
            q = m.start()
            if ch in "([{":
                close = pairs.get(q)
                if close is None:
                    stack.append(q)
                    p = q + 1
                elif close < 0:  # never closed: nor is any bracket around it
                    result = (self.n, "")
                    break
                else:
                    p = close + 1
            elif ch in ")]}":
                if not stack:
                    result = (q, ch)
                    break
                pairs[stack.pop()] = q
                p = q + 1
            elif not stack:
                result = (q, ";")
                break
            else:
                p = q + 1
        for q in stack:
            pairs[q] = -1
        for q in passed:
            answers[q] = result
        return result

    def attr_info(self, pending: list[tuple[int, int]]) -> tuple[bool, str | None]:
        is_test = False
        disabled = None
        san = self.san
        for s, e in pending:
            attr = san[s : e + 1]
            kind = _attr_kind(attr) if len(attr) <= 256 else _attr_kind.__wrapped__(attr)
            if kind == _ATTR_IGNORE:
                if disabled is None:
                    disabled = clip(self.text[s : e + 1])
            elif kind == _ATTR_TEST:
                is_test = True
        return is_test, disabled

    def add(self, rec: Rec) -> int:
        self.recs.append(rec)
        return len(self.recs) - 1

    # main loop ---------------------------------------------------------------------------

    def run(self, stop_early: bool = True) -> list[Rec]:
        """Every record (with `wanted`, fns of those names only). `stop_early`: a scan for some
        names ends past their last occurrence — unless the text may nest too deep further on
        (a whole scan gives up there: so must this one)."""
        return self._run(0, None, stop_early)

    def run_window(self, start: int, last: int) -> list[Rec]:
        """The records of the region from `start` — a place where a scan of the whole text is
        at the top level, with no attribute pending (`_windows`) — to the end of the item
        holding offset `last`: those a scan of the whole text makes there."""
        return self._run(start, last)

    def _run(self, pos: int, stop: int | None, stop_early: bool = True) -> list[Rec]:
        san = self.san
        n = self.n
        stack: list[tuple[tuple[str, ...], int]] = []
        prefix: tuple[str, ...] = ()
        pending: list[tuple[int, int]] = []
        search = _MAIN.search
        search_no_semi = _MAIN_NO_SEMI.search
        recs = self.recs
        handlers = _HANDLERS
        # Scanning for some names only: past their last occurrence no definition of them can
        # start, so the scan ends there once the recorded blocks still open (whose last line
        # is not known yet) are closed. Otherwise `last` is never passed. A window ends with the
        # item holding `stop` (the stack empty again past it).
        wanted = self.wanted
        if stop is not None:
            last = stop
        elif wanted is not None and stop_early:
            last = max((self.text.rfind(w) for w in wanted), default=-1)
        else:
            last = n
        open_recorded = 0
        while pos < n:
            if pos > last and (not stack if stop is not None else not open_recorded):
                break
            m = (search if pending else search_no_semi)(san, pos)
            if m is None:
                break
            t = m.group()
            s = m.start()
            c = t[0]
            if c == "{":
                stack.append((prefix, -1))
                pending.clear()
                pos = s + 1
                continue
            if c == "}":
                if stack:
                    prefix, ri = stack.pop()
                    if ri >= 0:
                        open_recorded -= 1
                        rec = recs[ri]
                        end = self.line(s)
                        rec.end_line = end if end > rec.line else rec.line
                pending.clear()
                pos = s + 1
                continue
            if c == ";":
                pending.clear()
                pos = s + 1
                continue
            if c == "#":
                lb = m.end() - 1
                close = san.find("]", lb + 1, lb + 256)  # a short attribute: the first `]` closes it
                if close < 0 or san.find("[", lb + 1, close) >= 0:
                    close = match_close(san, lb, lb + 20000)
                if close < 0:
                    pos = m.end()
                    continue
                if "!" not in t:
                    pending.append((s, close))
                pos = close + 1
                continue
            # keyword
            if s > 0 and san[s - 1] in "'#$.":
                pos = m.end()
                continue
            new_pos, push = handlers[t](self, s, prefix, pending)
            if push is not None:
                if len(push[0]) > MAX_NESTING:
                    raise TooDeep
                stack.append((prefix, push[1]))
                if push[1] >= 0:
                    open_recorded += 1
                prefix = push[0]
                pending.clear()
            if new_pos is None:
                pos = m.end()
            else:
                if new_pos > s:
                    pending.clear()
                pos = max(new_pos, m.end()) if new_pos > s else m.end()
        # unclosed blocks run to the end of the file
        last_line = self.line(max(0, n - 1))
        while stack:
            prefix, ri = stack.pop()
            if ri >= 0:
                recs[ri].end_line = max(recs[ri].line, last_line)
        return recs

    # item handlers: return (resume position or None, (new prefix, rec index) to push or None)

    def on_fn(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        m = _FN.match(self.san, s)
        if not m:
            return None, None
        name = m.group(1)
        if name.startswith("r#"):
            name = name[2:]
        stop, ch = self.header_end(m.end())
        if self.wanted is not None and name not in self.wanted:
            # not asked for: only its body's nesting matters (items inside it are `fn::item`)
            if ch == "{":
                return stop + 1, (prefix + (name,), -1)
            return (stop + 1, None) if ch == ";" else (stop, None)
        start, ms = self.item_start(s, pending)
        is_test, disabled = self.attr_info(pending) if pending else (False, None)
        path = prefix + (name,)
        line = self.lines.line
        rec = Rec(
            name,
            "::".join(path),
            "fn",
            line(m.start(1)),
            line(start),
            line(stop if ch else max(0, self.n - 1)),
            is_test,
            disabled,
            signature(self.text, self.comments, ms, stop),
        )
        recs = self.recs
        recs.append(rec)
        if ch == "{":
            return stop + 1, (path, len(recs) - 1)
        if ch == ";":
            return stop + 1, None
        if ch == "}":
            rec.end_line = max(rec.line, self.line(max(s, last_nonspace(self.san, stop, s))))
        return stop, None

    def on_struct(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        san = self.san
        m = _STRUCT.match(san, s)
        if not m:
            return None, None
        kw = m.group(1)
        name = _unraw(m.group(2))
        if kw == "union":
            nxt = re.match(r"\s*[<{]|\s*where\b", san[m.end() : m.end() + 64])
            if not nxt:
                return None, None
        stop, ch = self.header_end(m.end())
        start, ms = self.item_start(s, pending)
        qual = "::".join(prefix + (name,))
        rec = Rec(
            name,
            qual,
            kw,
            self.line(m.start(2)),
            self.line(start),
            self.line(m.start(2)),
            signature=signature(self.text, self.comments, ms, stop),
        )
        self.add(rec)
        if ch == "{":
            close = match_close(san, stop)
            if close < 0:
                rec.end_line = self.line(max(0, self.n - 1))
                self.members(stop + 1, self.n, qual, kw == "enum")
                return self.n, None
            rec.end_line = self.line(close)
            self.members(stop + 1, close, qual, kw == "enum")
            return close + 1, None
        if ch == ";":
            rec.end_line = self.line(stop)
            return stop + 1, None
        rec.end_line = max(rec.line, self.line(max(s, last_nonspace(san, stop, s))))
        return stop, None

    def members(self, a: int, b: int, owner: str, is_enum: bool) -> None:
        san = self.san
        rx = _MEMBER_TOKENS
        depth = 0
        seg = a
        p = a
        while p < b:
            m = rx.search(san, p, b)
            if m is None:
                break
            ch = m.group()
            q = m.start()
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(0, depth - 1)
            elif ch == "<":
                if not is_enum or depth > 0:
                    depth += 1
            elif ch == ">":
                if (not is_enum or depth > 0) and not (q > 0 and san[q - 1] in "-="):
                    depth = max(0, depth - 1)
            elif depth == 0:  # ','
                self.member(seg, q, owner, is_enum)
                seg = q + 1
            p = q + 1
        self.member(seg, b, owner, is_enum)

    def member(self, a: int, b: int, owner: str, is_enum: bool) -> None:
        san = self.san
        p = a
        first = None
        ws = _WS
        while True:
            p = ws(san, p, b).end()
            if p < b and san[p] == "#":
                mm = _ATTR_OPEN.match(san, p, b)
                if not mm:
                    return
                close = match_close(san, mm.end() - 1, b)
                if close < 0:
                    return
                if first is None:
                    first = p
                p = close + 1
                continue
            break
        if p >= b:
            return
        vis = p
        vm = _VIS.match(san, p, b)
        if vm:
            p = vm.end()
        mm = (_VARIANT if is_enum else _FIELD).match(san, p, b)
        if not mm:
            return
        name = _unraw(mm.group(1))
        if first is None:
            first = vis
        start = doc_start(
            san,
            self.comments,
            first,
            accept=_doc_accept,
            skip=_doc_skip,
            blank_ok=_doc_blank_ok,
        )
        end = last_nonspace(san, b, p)
        if end < 0:
            end = mm.end() - 1
        self.add(
            Rec(
                name,
                owner + "::" + name,
                "field",
                self.line(mm.start(1)),
                self.line(start),
                self.line(end),
                signature=signature(self.text, self.comments, vis, end + 1),
            )
        )

    def on_trait(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        m = _TRAIT.match(self.san, s)
        if not m:
            return None, None
        name = _unraw(m.group(1))
        stop, ch = self.header_end(m.end())
        start, ms = self.item_start(s, pending)
        qual = "::".join(prefix + (name,))
        rec = Rec(
            name,
            qual,
            "trait",
            self.line(m.start(1)),
            self.line(start),
            self.line(stop if stop < self.n else self.n - 1),
            signature=signature(self.text, self.comments, ms, stop),
        )
        ri = self.add(rec)
        if ch == "{":
            return stop + 1, (prefix + (name,), ri)
        return (stop + 1 if ch == ";" else stop), None

    def on_impl(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        san = self.san
        stop, ch = self.header_end(s + 4)
        if ch != "{":
            return (stop + 1 if ch == ";" else stop), None
        header = san[s + 4 : stop]
        type_name, trait_name = _impl_names(header)
        start, ms = self.item_start(s, pending)
        if type_name:
            qual_tail = f"<{type_name} as {trait_name}>" if trait_name else type_name
            rec = Rec(
                type_name,
                "::".join(prefix + (qual_tail,)),
                "impl",
                self.line(s),
                self.line(start),
                self.line(stop),
                signature=signature(self.text, self.comments, ms, stop),
            )
            ri = self.add(rec)
            return stop + 1, (prefix + (type_name,), ri)
        return stop + 1, (prefix, -1)

    def on_type(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        m = _TYPE.match(self.san, s)
        if not m:
            return None, None
        name = _unraw(m.group(1))
        stop, ch = self.stmt_end(m.end())
        start, ms = self.item_start(s, pending)
        end = stop if ch == ";" else max(m.end() - 1, last_nonspace(self.san, stop, s))
        self.add(
            Rec(
                name,
                "::".join(prefix + (name,)),
                "type",
                self.line(m.start(1)),
                self.line(start),
                self.line(end),
                signature=signature(self.text, self.comments, ms, end),
            )
        )
        return (stop + 1 if ch == ";" else stop), None

    def _value_item(
        self, s: int, prefix: _Prefix, pending: _Pending, rx: re.Pattern[str], kind: str
    ) -> _Handled:
        m = rx.match(self.san, s)
        if not m:
            return None, None
        name = _unraw(m.group(1))
        stop, ch = self.stmt_end(m.end())
        # Scanning resumes inside the initializer (items can be nested in `const _: () = {..};`)
        resume = m.end()
        if name != "_":
            start, ms = self.item_start(s, pending)
            end = stop if ch == ";" else max(m.end() - 1, last_nonspace(self.san, stop, s))
            self.add(
                Rec(
                    name,
                    "::".join(prefix + (name,)),
                    kind,
                    self.line(m.start(1)),
                    self.line(start),
                    self.line(end),
                    signature=signature(self.text, self.comments, ms, end),
                )
            )
        return resume, None

    def on_const(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        return self._value_item(s, prefix, pending, _CONST, "const")

    def on_static(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        return self._value_item(s, prefix, pending, _STATIC, "static")

    def on_mod(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        m = _MOD.match(self.san, s)
        if not m:
            return None, None
        name = _unraw(m.group(1))
        start, ms = self.item_start(s, pending)
        stop = m.end() - 1
        rec = Rec(
            name,
            "::".join(prefix + (name,)),
            "mod",
            self.line(m.start(1)),
            self.line(start),
            self.line(stop),
            signature=signature(self.text, self.comments, ms, stop),
        )
        ri = self.add(rec)
        if m.group(2) == "{":
            return stop + 1, (prefix + (name,), ri)
        return stop + 1, None

    def on_macro(self, s: int, prefix: _Prefix, pending: _Pending) -> _Handled:
        san = self.san
        m = _MACRO.match(san, s)
        if not m:
            return None, None
        name = _unraw(m.group(1))
        open_pos = m.end() - 1
        close = match_close(san, open_pos)
        end = close if close >= 0 else self.n - 1
        resume = close + 1 if close >= 0 else self.n
        if close >= 0 and m.group(2) != "{":
            semi = re.compile(r"\s*;").match(san, resume)
            if semi:
                end = semi.end() - 1
                resume = semi.end()
        start, _ms = self.item_start(s, pending)
        self.add(
            Rec(
                name,
                "::".join(prefix + (name,)),
                "macro",
                self.line(m.start(1)),
                self.line(start),
                self.line(max(0, end)),
                signature=f"macro_rules! {name}",
            )
        )
        return resume, None


_HANDLERS: dict[str, Callable[[_Scanner, int, _Prefix, _Pending], _Handled]] = {
    "fn": _Scanner.on_fn,
    "struct": _Scanner.on_struct,
    "enum": _Scanner.on_struct,
    "union": _Scanner.on_struct,
    "trait": _Scanner.on_trait,
    "impl": _Scanner.on_impl,
    "type": _Scanner.on_type,
    "const": _Scanner.on_const,
    "static": _Scanner.on_static,
    "mod": _Scanner.on_mod,
    "macro_rules": _Scanner.on_macro,
}


def _unraw(name: str) -> str:
    return name[2:] if name.startswith("r#") else name


def _impl_names(header: str) -> tuple[str, str]:
    """(self type name, trait name or "") from the text between `impl` and `{`."""
    h = header[:2000]
    m = _IMPL_PREFIX.match(h)
    p = m.end() if m else 0
    if p < len(h) and h[p] == "<":
        q = skip_angles(h, p)
        if q < 0:
            return "", ""
        p = q
    h = h[p:]
    wm = _WHERE.search(h)
    if wm:
        h = h[: wm.start()]
    # split at a top-level `for` (not the `for<'a>` of a higher-ranked bound)
    split = -1
    for fm in _FOR.finditer(h):
        depth = 0
        for i, c in enumerate(h[: fm.start()]):
            if c == "<":
                depth += 1
            elif c == ">" and not (i > 0 and h[i - 1] in "-="):
                depth -= 1
        if depth <= 0:
            split = fm.start()
            break
    if split >= 0:
        trait_part, type_part = h[:split], h[split + 3 :]
    else:
        trait_part, type_part = "", h
    return _type_name(type_part), _type_name(trait_part) if split >= 0 else ""


def _type_name(part: str) -> str:
    m = _TYPE_PREFIX.match(part)
    p = m.end() if m else 0
    pm = _PATH.match(part, p)
    if not pm:
        return ""
    name = pm.group(1)
    if name in ("dyn", "impl", "mut", "const"):
        return ""
    return name


def scan(text: str, wanted: frozenset[str] | None = None) -> list[Rec]:
    """Every definition; with `wanted`, what a lookup of those names needs, for less than a
    full scan: the top-level items where a wanted name occurs in code (`_windows`), with their
    items (fns only when their name is in `wanted`) — or, when the text's braces do not allow
    cutting it into top-level items, the whole text, fns only when their name is wanted."""
    if wanted is None:
        return _Scanner(text).run()
    lexed = _lexed(text)
    windows = _windows(lexed, wanted)
    scanner = _Scanner(text, wanted, (lexed.san, lexed.comments))
    if windows is None:
        return scanner.run(stop_early=lexed.windowable)
    for start, last in windows:
        scanner.run_window(start, last)
    return scanner.recs


# --- a scan for some names: the top-level items where they occur ---------------------------------
#
# A lookup of one name (the first question about a cited file) needs the definitions of that
# name, with their containers (modules, impl blocks, traits, functions). Those lie in the
# top-level items where the name occurs in code: found with C-level searches of the sanitized
# text (`str.find`, `str.count`), and scanned alone, from the end of the previous top-level
# item (where a scan of the whole text has an empty stack and no attribute pending) to the
# end of the item holding the name. The text is lexed once per version (`_lexed`, shared by
# every name asked and by the CI model's test lookups).
#
# Cutting the text there is exact when every `{` and `}` of its code is a block the scanner
# opens or closes, or lies in a region it steps over whole (a struct's body, a macro's, the
# const generic `{ N }` of a header): the braces are well nested, and no attribute holds one
# (the scanner steps over attributes, balanced or not); and when no item nests deeper than a
# scan accepts (`MAX_NESTING`: a whole scan of the text gives up, so must a scan of a part).
# Otherwise — and when a name occurs so often that the windows would cost more than a scan —
# the whole text is scanned.

_NOT_BRACES = bytes(c for c in range(256) if c not in b"{}")
_ATTRIBUTE_BRACE = re.compile(r"\#!?[ \t]*\[[^\]]*[{}]")
_BOUNDARY_NEXT = re.compile(r"\s*+(?:[\w#;]|$)")
MAX_OCCURRENCES = 64  # of the wanted names in code: beyond, the whole text is scanned


class _Lexed:
    __slots__ = ("comments", "san", "windowable")

    def __init__(self, text: str) -> None:
        self.san, self.comments = lex(text)
        braces = self.san.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACES)
        # Remove innermost pairs, once per level: well nested, and no deeper than a scan goes
        # (`MAX_NESTING`: a whole scan of a deeper text fails, and so must this one), when
        # nothing is left after that many passes.
        for _ in range(MAX_NESTING):
            inner = braces.replace(b"{}", b"")
            if inner == braces:
                break
            braces = inner
        self.windowable = not braces and _ATTRIBUTE_BRACE.search(self.san) is None


@functools.lru_cache(maxsize=8)  # the files cited by neighbouring rows, asked name after name
def _lexed(text: str) -> _Lexed:
    return _Lexed(text)


def _windows(lexed: _Lexed, wanted: frozenset[str]) -> list[tuple[int, int]] | None:
    """(start, last occurrence) of each top-level region holding a wanted name in code, in
    order; None when the text must be scanned whole."""
    if not lexed.windowable:
        return None
    san = lexed.san
    n = len(san)
    found: dict[int, int] = {}
    occurrences = 0
    for name in wanted:
        i = san.find(name)
        while i >= 0:
            j = i + len(name)
            if (i == 0 or not _is_word(san[i - 1])) and (j >= n or not _is_word(san[j])):
                occurrences += 1
                if occurrences > MAX_OCCURRENCES:
                    return None
                start = _top_level_start(san, i)
                found[start] = max(found.get(start, i), i)
            i = san.find(name, j)
    return sorted(found.items())


def _is_word(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def _top_level_start(san: str, p: int) -> int:
    """Where the top-level region holding offset `p` starts: after the nearest `}` before it
    that closes a top-level item (depth 0 after it, followed by an item, an attribute, a `;`
    or the end: not the `}` of a const generic argument), or the start of the text."""
    depth = san.count("{", 0, p) - san.count("}", 0, p)
    q = p
    while True:
        o = san.rfind("{", 0, q)
        c = san.rfind("}", 0, q)
        if c < 0 and o < 0:
            return 0
        if c > o:
            if depth == 0 and _BOUNDARY_NEXT.match(san, c + 1):
                return c + 1
            depth += 1
            q = c
        else:
            depth -= 1
            q = o
