"""Go definitions: func, methods (`T::Method`), type (single and grouped; struct fields and
interface methods as `T::Name`), const and var (single and grouped), and the testing funcs
TestXxx / BenchmarkXxx / FuzzXxx / ExampleXxx with a `t.Skip` as first statement.

Invariant: pure, no IO, never raises on any input (the caller also guards), linear time.
"""

from __future__ import annotations

import re

from ._common import (
    Comments,
    Lines,
    Rec,
    always_matching,
    blank,
    clip,
    doc_start,
    last_nonspace,
    match_close,
    signature,
)

# --- lexer ------------------------------------------------------------------------------

_LEX = re.compile(
    r"(?=[/\"`'])"
    r"(?:(?P<lc>//[^\n]*)"
    r"|(?P<bc>/\*)"
    r"|(?P<str>\")"
    r"|(?P<raw>`)"
    r"|(?P<chr>'(?:[^'\\\n]|\\(?:[0-7]{3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^\n]))'))"
)
_STR_BODY = always_matching(re.compile(r'[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"?'))


def lex(text: str) -> tuple[str, Comments]:
    n = len(text)
    pieces: list[str] = []
    comments = Comments()
    last = 0
    pos = 0
    search = _LEX.search
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        s = m.start()
        if kind == "lc":
            e = m.end()
            comments.add(s, e)
        elif kind == "bc":
            j = text.find("*/", s + 2)
            e = n if j < 0 else j + 2
            comments.add(s, e)
        elif kind == "str":
            e = _STR_BODY(text, m.end()).end()
        elif kind == "raw":
            j = text.find("`", s + 1)
            e = n if j < 0 else j + 1
        else:
            e = m.end()
        pieces.append(text[last:s])
        pieces.append(blank(text[s:e]))
        last = e
        pos = e if e > s else s + 1
    pieces.append(text[last:])
    return "".join(pieces), comments


# --- structure --------------------------------------------------------------------------

_ID = r"[^\W\d]\w*"
_MAIN = re.compile(r"(?=[ftcvi{(])(?:\b(?:func|type|const|var|import)\b|[{(])")
_FUNC = re.compile(r"func\s*(?:\((?P<recv>[^()]*)\)\s*)?(?P<name>" + _ID + r")\s*")
_RECV_TYPE = re.compile(r"\*?\s*(" + _ID + r")\s*(?:\[[^\]]*\])?\s*$")
_SIG_TOKENS = re.compile(r"[(){}\[\]\n;]")
_TYPE_BRACE = re.compile(r"\b(?:interface|struct)\s*$")
_SPEC_TOKENS = re.compile(r"[(){}\[\]\n;]")
_NAMES = re.compile(r"\s*(" + _ID + r"(?:\s*,\s*" + _ID + r")*)")
_TYPE_NAME = re.compile(r"\s*(" + _ID + r")")
_COMPOSITE = re.compile(r"\s*" + _ID + r"\s*(?:\[[^\[\]]*\])?\s*=?\s*(struct|interface)\s*\{")
_FIELD_NAMES = re.compile(r"\s*(" + _ID + r"(?:\s*,\s*" + _ID + r")*)\s+\S")
_EMBEDDED = re.compile(r"\s*\*?\s*(?:" + _ID + r"\s*\.\s*)?(" + _ID + r")\s*(?:\[[^\]]*\])?\s*$")
_IFACE_METHOD = re.compile(r"\s*(" + _ID + r")\s*\(")
_SKIP = re.compile(r"\s*" + _ID + r"\s*\.\s*(?:Skip|SkipNow|Skipf)\s*\(")
_CONTINUES = set(",=+-*/%&|^<>!({[.:")


def _is_test(name: str, params: str) -> bool:
    def prefixed(prefix: str) -> bool:
        return name.startswith(prefix) and (len(name) == len(prefix) or not name[len(prefix)].islower())

    if prefixed("Test"):
        return re.search(r"\*\s*(?:" + _ID + r"\s*\.\s*)?T\b", params) is not None
    if prefixed("Benchmark"):
        return re.search(r"\*\s*(?:" + _ID + r"\s*\.\s*)?B\b", params) is not None
    if prefixed("Fuzz"):
        return re.search(r"\*\s*(?:" + _ID + r"\s*\.\s*)?F\b", params) is not None
    if prefixed("Example"):
        return params.strip() == ""
    return False


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.san, self.comments = lex(text)
        self.lines = Lines(text)
        self.n = len(text)
        self.recs: list[Rec] = []

    def line(self, off: int) -> int:
        return self.lines.line(off)

    def doc(self, pos: int) -> int:
        return doc_start(self.san, self.comments, pos)

    def run(self) -> list[Rec]:
        san = self.san
        n = self.n
        pos = 0
        search = _MAIN.search
        while pos < n:
            m = search(san, pos)
            if m is None:
                break
            t = m.group()
            s = m.start()
            if t in "{(":
                close = match_close(san, s)
                pos = close + 1 if close >= 0 else n
                continue
            if s > 0 and san[s - 1] in ".$":
                pos = m.end()
                continue
            if t == "func":
                pos = self.on_func(s)
            elif t == "import":
                q = _skip_ws(san, m.end())
                if q < n and san[q] == "(":
                    close = match_close(san, q)
                    pos = close + 1 if close >= 0 else n
                else:
                    pos = m.end()
            else:
                pos = self.on_decl(s, t, m.end())
            if pos <= s:
                pos = m.end()
        return self.recs

    def on_func(self, s: int) -> int:
        san = self.san
        m = _FUNC.match(san, s)
        if not m:
            return s + 4
        name = m.group("name")
        recv = m.group("recv")
        p = m.end()
        if p < self.n and san[p] == "[":
            close = match_close(san, p, p + 20000)
            if close < 0:
                return p
            p = _skip_ws(san, close + 1)
        if p >= self.n or san[p] != "(":
            return p
        pclose = match_close(san, p, p + 100000)
        if pclose < 0:
            return p + 1
        params = san[p + 1 : pclose]
        body, stop = self.body_start(pclose + 1)
        owner = None
        if recv is not None:
            rm = _RECV_TYPE.search(recv.strip())
            owner = rm.group(1) if rm else None
        qual = f"{owner}::{name}" if owner else name
        start = self.doc(s)
        sig_end = body if body >= 0 else stop
        rec = Rec(
            name,
            qual,
            "method" if recv is not None else "func",
            self.line(m.start("name")),
            self.line(start),
            self.line(max(s, last_nonspace(san, sig_end, s))),
            signature=signature(self.text, self.comments, s, sig_end),
        )
        rec.is_test = recv is None and _is_test(name, params)
        self.recs.append(rec)
        if body < 0:
            return stop
        close = match_close(san, body)
        if close < 0:
            rec.end_line = max(rec.line, self.line(self.n - 1))
            resume = self.n
        else:
            rec.end_line = self.line(close)
            resume = close + 1
        if rec.is_test:
            sk = _SKIP.match(san, body + 1, close if close >= 0 else self.n)
            if sk:
                cp = sk.end() - 1
                cend = match_close(san, cp, cp + 2000)
                stmt_end = cend + 1 if cend >= 0 else san.find("\n", cp)
                if stmt_end < 0:
                    stmt_end = self.n
                rec.disabled = clip(self.text[_skip_ws(san, body + 1) : stmt_end])
        return resume

    def body_start(self, p: int) -> tuple[int, int]:
        """(index of the body `{` or -1, index where the signature stops)."""
        san = self.san
        depth = 0
        search = _SIG_TOKENS.search
        while True:
            m = search(san, p)
            if m is None:
                return -1, self.n
            ch = m.group()
            q = m.start()
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
                if depth < 0:
                    return -1, q
            elif ch == "{":
                if _TYPE_BRACE.search(san, max(0, q - 16), q):
                    close = match_close(san, q)
                    if close < 0:
                        return -1, self.n
                    p = close + 1
                    continue
                return q, q
            elif ch == "}" or depth == 0:
                return -1, q
            p = q + 1

    def spec_end(self, p: int, limit: int) -> int:
        """End (exclusive) of a spec starting at p: newline or `;` at depth 0, Go's rules."""
        san = self.san
        depth = 0
        search = _SPEC_TOKENS.search
        while True:
            m = search(san, p, limit)
            if m is None:
                return limit
            ch = m.group()
            q = m.start()
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth < 0:
                    return q
            elif depth == 0:
                if ch == ";":
                    return q
                j = last_nonspace(san, q, p)
                if j < 0 or san[j] not in _CONTINUES:
                    return q
            p = q + 1

    def on_decl(self, s: int, kw: str, after: int) -> int:
        san = self.san
        q = _skip_ws(san, after)
        if q < self.n and san[q] == "(":
            close = match_close(san, q)
            limit = close if close >= 0 else self.n
            p = q + 1
            while p < limit:
                p = _skip_ws_semi(san, p, limit)
                if p >= limit:
                    break
                end = self.spec_end(p, limit)
                if end <= p:
                    end = p + 1
                self.spec(kw, p, end, p)
                p = end + 1
            return limit + 1
        end = self.spec_end(q, self.n)
        self.spec(kw, q, end, s)
        return max(end, q + 1)

    def spec(self, kw: str, a: int, b: int, item_start: int) -> None:
        san = self.san
        last = last_nonspace(san, b, a)
        if last < 0:
            return
        start = self.doc(item_start)
        end_line = self.line(last)
        sig = signature(self.text, self.comments, item_start, last + 1)
        if kw == "type":
            m = _TYPE_NAME.match(san, a, b)
            if not m:
                return
            name = m.group(1)
            cm = _COMPOSITE.match(san, a, b)
            if cm:
                sig = signature(self.text, self.comments, item_start, cm.end() - 1)
            self.recs.append(
                Rec(name, name, "type", self.line(m.start(1)), self.line(start), end_line, signature=sig)
            )
            if cm:
                open_pos = cm.end() - 1
                close = match_close(san, open_pos, b + 1)
                if close >= 0:
                    self.members(open_pos + 1, close, name, cm.group(1) == "interface")
            return
        m = _NAMES.match(san, a, b)
        if not m:
            return
        for nm in re.finditer(_ID, m.group(1)):
            name = nm.group()
            if name == "_":
                continue
            off = m.start(1) + nm.start()
            self.recs.append(Rec(name, name, kw, self.line(off), self.line(start), end_line, signature=sig))

    def members(self, a: int, b: int, owner: str, is_interface: bool) -> None:
        san = self.san
        p = a
        while p < b:
            p = _skip_ws_semi(san, p, b)
            if p >= b:
                break
            end = self.spec_end(p, b)
            if end <= p:
                end = p + 1
            last = last_nonspace(san, end, p)
            if last >= 0:
                start = self.line(self.doc(p))
                sig = signature(self.text, self.comments, p, last + 1)
                if is_interface:
                    mm = _IFACE_METHOD.match(san, p, end)
                    if mm:
                        name = mm.group(1)
                        self.recs.append(
                            Rec(
                                name,
                                f"{owner}::{name}",
                                "method",
                                self.line(mm.start(1)),
                                start,
                                self.line(last),
                                signature=sig,
                            )
                        )
                else:
                    fm = _FIELD_NAMES.match(san, p, end)
                    names: list[tuple[str, int]] = []
                    if fm:
                        for nm in re.finditer(_ID, fm.group(1)):
                            names.append((nm.group(), fm.start(1) + nm.start()))
                    else:
                        em = _EMBEDDED.match(san, p, end)
                        if em:
                            names.append((em.group(1), em.start(1)))
                    for name, off in names:
                        if name == "_":
                            continue
                        self.recs.append(
                            Rec(
                                name,
                                f"{owner}::{name}",
                                "field",
                                self.line(off),
                                start,
                                self.line(last),
                                signature=sig,
                            )
                        )
            p = end + 1


_WS = always_matching(re.compile(r"\s*"))
_WS_SEMI = always_matching(re.compile(r"[\s;]*"))


def _skip_ws(san: str, p: int) -> int:
    return _WS(san, p).end()


def _skip_ws_semi(san: str, p: int, limit: int) -> int:
    return _WS_SEMI(san, p, limit).end()


def scan(text: str) -> list[Rec]:
    return _Scanner(text).run()
