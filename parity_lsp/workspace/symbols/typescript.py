"""TypeScript / JavaScript definitions: function declarations (incl. generators, async,
export default), classes and their members (`C::method`, getters/setters, `#private`, static,
properties), `const`/`let`/`var` at module and namespace level (kind `function` when the value
is an arrow function or function expression), interface, type alias, enum, namespaces, and
test-runner calls: describe/suite/context (kind `describe`) and it/test/specify (kind `test`,
name = the title string, qualname = describe titles joined with `::`), with `.each`, `.skip`,
`.only`, `.todo`, `xit`/`xdescribe`, and skips inherited from a skipped describe.

The lexer understands comments, '…' and "…" strings, template literals with nested `${ {} }`
expressions and templates, and regex literals (by the usual previous-token heuristic).

Invariant: pure, no IO, never raises on any input (the caller also guards), linear time.
"""

from __future__ import annotations

import re

from ._common import (
    MAX_NESTING,
    Comments,
    Lines,
    Rec,
    TooDeep,
    always_matching,
    blank,
    blank_inner,
    clip,
    doc_start,
    last_nonspace,
    match_close,
    modifiers_start,
    signature,
    skip_angles,
)

# --- lexer ------------------------------------------------------------------------------

_LEX = re.compile(r"(?=[/'\"`])(?:(?P<lc>//[^\n]*)|(?P<bc>/\*)|(?P<q>['\"])|(?P<tpl>`)|(?P<re>/))")
_SQ = always_matching(re.compile(r"[^'\\\n]*+(?:\\[\s\S][^'\\\n]*+)*+'?"))
_DQ = always_matching(re.compile(r'[^"\\\n]*+(?:\\[\s\S][^"\\\n]*+)*+"?'))
_REGEX = re.compile(r"/(?![*/])(?:[^/\\\[\n]|\\[^\n]|\[(?:[^\]\\\n]|\\[^\n])*+\])++/[A-Za-z]*")
# The pieces `_regex_end` steps over (it is at a character they take: never empty there)
_REGEX_PLAIN = always_matching(re.compile(r"[^/\\\[\n]*"))
_CLASS_PLAIN = always_matching(re.compile(r"[^\]\\\n]*"))
_FLAGS = always_matching(re.compile(r"[A-Za-z]*"))
_TPL_TEXT = always_matching(re.compile(r"[^`\\$]*+(?:(?:\\[\s\S]|\$(?!\{))[^`\\$]*+)*+"))
_TPL_CODE = re.compile(r"[{}`'\"]|//|/\*")
MAX_REGEX_LITERAL = 1000
_REGEX_PREV = set("(,=:[!&|?{};+-*%~^")
_REGEX_KEYWORDS = {
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "instanceof",
    "yield",
    "await",
}


_IN_TEXT = -1  # `_scan_template`: a level of template text, not of code in `${...}`


def _scan_template(text: str, i: int) -> int:
    """`i` is just past an opening backtick: index just past the closing one (or len)."""
    n = len(text)
    # per nesting level: _IN_TEXT (template text), or the `{` still open in a `${...}`
    stack: list[int] = [_IN_TEXT]
    while stack:
        top = stack[-1]
        if top == _IN_TEXT:
            i = _TPL_TEXT(text, i).end()
            if i >= n:
                return n
            if text[i] == "`":
                i += 1
                stack.pop()
                continue
            if text.startswith("${", i):
                i += 2
                stack.append(0)
                continue
            return n  # a lone trailing backslash
        m = _TPL_CODE.search(text, i)
        if m is None:
            return n
        tok = m.group()
        i = m.end()
        if tok == "{":
            stack[-1] += 1
        elif tok == "}":
            if stack[-1] == 0:
                stack.pop()
            else:
                stack[-1] -= 1
        elif tok == "`":
            stack.append(_IN_TEXT)
        elif tok == "'":
            i = _SQ(text, i).end()
        elif tok == '"':
            i = _DQ(text, i).end()
        elif tok == "//":
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            j = text.find("*/", i)
            i = n if j < 0 else j + 2
    return i


def _regex_allowed(text: str, s: int) -> bool:
    j = s - 1
    lo = max(0, s - 256)
    while j >= lo and text[j] in " \t\n":
        j -= 1
    if j < lo:
        return True
    c = text[j]
    if c in _REGEX_PREV:
        return True
    if c == ">":
        return j > 0 and text[j - 1] == "="
    if c.isalnum() or c in "_$":
        k = j
        while k >= 0 and j - k < 12 and (text[k].isalnum() or text[k] in "_$"):
            k -= 1
        return text[k + 1 : j + 1] in _REGEX_KEYWORDS
    return False


def _regex_end(text: str, s: int, stop: int, classes: dict[int, int]) -> int:
    """Where the regex literal at s ends (`_REGEX.match(text, s, stop).end()`), or -1.

    The regex reads a class `[…]` to its `]` from every `/` before it: on a line of `/[/[/[…`
    each `/` read up to `stop` (MAX_REGEX_LITERAL characters further). Here each class is read
    once: `classes` keeps, for every `[` a class read passed where an item starts, the `]`
    closing it (-1: none before the end of its line); the answer does not depend on `s`."""
    j = s + 1
    if j < stop and text[j] in "*/":
        return -1
    items = False  # at least one item before the closing `/`
    while j < stop:
        c = text[j]
        if c == "/":
            return _FLAGS(text, j + 1, stop).end() if items else -1
        if c == "\n":
            return -1
        if c == "\\":
            if j + 1 >= stop or text[j + 1] == "\n":
                return -1
            j += 2
        elif c == "[":
            close = classes.get(j)
            if close is None:
                close = _class_end(text, j, classes)
            if close < 0 or close >= stop:
                return -1
            j = close + 1
        else:
            j = _REGEX_PLAIN(text, j, stop).end()
        items = True
    return -1


def _class_end(text: str, j: int, classes: dict[int, int]) -> int:
    """The `]` closing the class at j (escapes skipped, on its line), or -1; kept in `classes`
    for j and for each `[` inside it where an item starts (a class starting there ends there too)."""
    n = len(text)
    opened = [j]
    k = j + 1
    close = -1
    while k < n:
        c = text[k]
        if c == "]":
            close = k
            break
        if c == "\n":
            break
        if c == "\\":
            if k + 1 >= n or text[k + 1] == "\n":
                break
            k += 2
            continue
        e = _CLASS_PLAIN(text, k).end()
        b = text.find("[", k, e)
        while b >= 0:
            opened.append(b)
            b = text.find("[", b + 1, e)
        k = e
    for b in opened:
        classes[b] = close
    return close


def lex(text: str) -> tuple[str, Comments]:
    n = len(text)
    pieces: list[str] = []
    comments = Comments()
    last = 0
    pos = 0
    if text.startswith("#!"):
        j = text.find("\n")
        e = n if j < 0 else j
        comments.add(0, e)
        pieces.append(" " * e)
        last = pos = e
    search = _LEX.search
    classes: dict[int, int] = {}  # see _regex_end
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        s = m.start()
        if kind == "lc":
            e = m.end()
            comments.add(s, e)
            piece = " " * (e - s)
        elif kind == "bc":
            j = text.find("*/", s + 2)
            e = n if j < 0 else j + 2
            comments.add(s, e)
            piece = blank(text[s:e])
        elif kind == "q":
            e = (_SQ if m.group() == "'" else _DQ)(text, s + 1).end()
            piece = blank_inner(text[s:e]) if e - s >= 2 else text[s:e]
        elif kind == "tpl":
            e = _scan_template(text, s + 1)
            piece = blank_inner(text[s:e]) if e - s >= 2 else text[s:e]
        else:  # '/': regex literal or division
            # a regex literal stays on its line; bound the attempt (an unclosed `[` class from
            # every `/` of a long line would otherwise rescan the line each time)
            e = _regex_end(text, s, min(n, s + MAX_REGEX_LITERAL), classes) if _regex_allowed(text, s) else -1
            if e < 0:
                pos = s + 1
                continue
            piece = blank_inner(text[s:e])
        pieces.append(text[last:s])
        pieces.append(piece)
        last = e
        pos = e if e > s else s + 1
    pieces.append(text[last:])
    return "".join(pieces), comments


# --- structure --------------------------------------------------------------------------

_ID = r"[A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*"
_TEST_NAMES = r"x?(?:describe|it|test|suite|context|specify)|f(?:describe|it|test)"
_MAIN = re.compile(
    r"(?=[{}();@fcitelvnmdsx])(?:[{}();@]|\b(?:function|class|interface|type|enum|const|let|var|namespace|module|"
    + _TEST_NAMES
    + r")\b)"
)
_FUNCTION = re.compile(r"function\b\s*(\*?)\s*(" + _ID + r")?\s*")
_CLASS = re.compile(r"class\s+(" + _ID + r")")
_INTERFACE = re.compile(r"interface\s+(" + _ID + r")")
_TYPE = re.compile(r"type\s+(" + _ID + r")\s*")
_ENUM = re.compile(r"enum\s+(" + _ID + r")\s*\{")
_VAR = re.compile(r"(const|let|var)\s+(" + _ID + r")\s*!?\s*(?=[:=;,\n]|$)")
_NAMESPACE = re.compile(r"(?:namespace|module)\s+(?:(" + _ID + r"(?:\s*\.\s*" + _ID + r")*)|(['\"]))")
_TEST = re.compile(r"(?P<fn>" + _TEST_NAMES + r")(?P<chain>(?:\s*\.\s*[A-Za-z_]\w*)*)\s*(?P<open>[(`])")
_DECORATOR = re.compile(r"@\s*" + _ID + r"(?:\s*\.\s*" + _ID + r")*\s*")
_MOD_WORDS = frozenset(
    {
        "export",
        "default",
        "declare",
        "async",
        "abstract",
        "public",
        "private",
        "protected",
        "static",
        "readonly",
        "override",
        "const",
    }
)
_WS = always_matching(re.compile(r"\s*"))
_ARROW_AFTER_PARAMS = re.compile(r"\s*(?::[^={};]*?)?=>")
_SIMPLE_ARROW = re.compile(r"(?:async\s+)?" + _ID + r"\s*=>")
_FUNC_EXPR = re.compile(r"(?:async\s+)?(?:function\b|\(|<)")
_CURRIED = {"each", "skipIf", "runIf", "for"}
_DESCRIBE = {"describe", "suite", "context"}

_MEMBER = re.compile(
    r"(?P<mods>(?:(?:public|private|protected|readonly|static|abstract|override|declare|async|"
    r"accessor|get|set)\s+(?=[\w$#\[\"'*]))*)"
    r"(?P<star>\*\s*)?"
    r"(?P<name>\#?" + _ID + r"|\[|\"|'|\d+)"
)
_STMT_TOKENS = re.compile(r"[()\[\]{};\n]")
_CONT_END = set("=+-*/%&|^<>!?:,.([{")
_CONT_START = set(".?:|&+*/%=,>")
_CONT_WORD = re.compile(r"(?:as|satisfies|instanceof|in)\b")
_CLASS_HEAD = re.compile(r"[{}();<>]")


def _skip(san: str, p: int) -> int:
    return _WS(san, p).end()


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


class _Frame:
    """One open `{`/`(` with the context it gives its contents. Never mutated once built."""

    __slots__ = ("_brace", "_paren", "closer", "decl", "disabled", "qual", "rec", "suite")

    def __init__(
        self,
        closer: str,
        qual: tuple[str, ...],
        suite: tuple[str, ...],
        disabled: str | None,
        rec: int,
        decl: bool,
    ) -> None:
        self.closer = closer  # the character closing it ("" for the file)
        self.qual = qual  # the names of the enclosing declarations
        self.suite = suite  # the titles of the enclosing `describe` blocks
        self.disabled = disabled  # why tests in it are disabled (an enclosing `describe.skip`)
        self.rec = rec  # the index of the record it closes, or -1
        self.decl = decl  # declarations in it are recorded (file, namespace, not a body)
        self._brace: _Frame | None = None
        self._paren: _Frame | None = None

    def anon(self, c: str) -> _Frame:
        """The (shared) frame of an anonymous block or parenthesis opened in this one."""
        if c == "{":
            f = self._brace
            if f is None:
                f = self._brace = _Frame("}", self.qual, self.suite, self.disabled, -1, False)
        else:
            f = self._paren
            if f is None:
                f = self._paren = _Frame(")", self.qual, self.suite, self.disabled, -1, False)
        return f


# What a declaration handler returns: None (not a declaration: resume after the keyword), or
# where to resume and the frame it opens, if any.
_Handled = tuple[int, _Frame | None] | None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.san, self.comments = lex(text)
        self.lines = Lines(text)
        self.n = len(text)
        self.recs: list[Rec] = []

    def line(self, off: int) -> int:
        return self.lines.line(off)

    def start_of(self, kw: int, pending: list[int]) -> tuple[int, int]:
        ms = modifiers_start(self.san, kw, _MOD_WORDS)
        start = ms
        if pending:
            start = min(start, pending[0])
        return doc_start(self.san, self.comments, start), ms

    # scanning helpers --------------------------------------------------------------------

    def stmt_end(self, p: int, limit: int | None = None) -> int:
        """End of a statement starting before p: index of its last char + 1.

        Stops after a `;` at depth 0, before a closer of the enclosing block, or at a newline
        at depth 0 that automatic semicolon insertion would end the statement at.
        """
        san = self.san
        end = self.n if limit is None else limit
        depth = 0
        search = _STMT_TOKENS.search
        while True:
            m = search(san, p, end)
            if m is None:
                return end
            ch = m.group()
            q = m.start()
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth < 0:
                    return q
            elif ch == ";":
                if depth == 0:
                    return q + 1
            elif depth == 0:
                j = last_nonspace(san, q, max(0, q - 4096))
                if (
                    j < 0
                    or san[j] not in _CONT_END
                    or san.startswith("++", j - 1)
                    or san.startswith("--", j - 1)
                ):
                    k = _skip(san, q)
                    if (k >= end or san[k] not in _CONT_START) and not (
                        k < end and _CONT_WORD.match(san, k, k + 12)
                    ):
                        return q
            p = q + 1

    def body_after_params(self, p: int, limit: int) -> tuple[str, int]:
        """After a parameter list: ('{', index of the body) or (';'/'' , where the signature ends)."""
        san = self.san
        q = _skip(san, p)
        if q >= limit:
            return "", limit
        if san[q] == "{":
            return "{", q
        if san[q] != ":":
            return ("" if san[q] != ";" else ";"), q
        i = q + 1
        depth = 0
        prev = ":"
        cap = min(limit, q + 4000)
        while i < cap:
            c = san[i]
            if c in " \t\n":
                if c == "\n" and depth <= 0 and _NEXT_DECL.match(san, i, cap):
                    return "", i
                i += 1
                continue
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
                if depth < 0:
                    return "", i
            elif c == "<":
                depth += 1
            elif c == ">":
                if prev != "=":
                    depth -= 1
            elif c == "{":
                if depth > 0 or prev in ":|&,(<[?" or (prev == ">" and self._arrow_before(i)):
                    close = match_close(san, i, cap)
                    if close < 0:
                        return "", cap
                    prev = "}"
                    i = close + 1
                    continue
                return "{", i
            elif c == "}":
                return "", i
            elif c == ";" and depth <= 0:
                return ";", i
            prev = c
            i += 1
        return "", cap

    def _arrow_before(self, i: int) -> bool:
        j = last_nonspace(self.san, i, max(0, i - 64))
        return j > 0 and self.san[j] == ">" and self.san[j - 1] == "="

    def function_tail(self, p: int) -> tuple[str, int, int]:
        """From just after a function/method name: (kind, body `{` or sig end, resume)."""
        san = self.san
        q = _skip(san, p)
        if q < self.n and san[q] == "<":
            a = skip_angles(san, q)
            if a < 0:
                return "", q, q + 1
            q = _skip(san, a)
        if q >= self.n or san[q] != "(":
            return "", q, q
        close = match_close(san, q, q + 50000)
        if close < 0:
            return "", q, q + 1
        kind, at = self.body_after_params(close + 1, self.n)
        return kind, at, at

    # main loop ---------------------------------------------------------------------------

    def run(self) -> list[Rec]:
        san = self.san
        n = self.n
        recs = self.recs
        frame = _Frame("", (), (), None, -1, True)
        stack: list[_Frame] = []
        pending: list[int] = []
        pos = 0
        search = _MAIN.search
        while pos < n:
            m = search(san, pos)
            if m is None:
                break
            t = m.group()
            s = m.start()
            c = t[0]
            if c in "{(":
                stack.append(frame)
                frame = frame.anon(c)
                if c == "{":
                    pending.clear()
                pos = s + 1
                continue
            if c in "})":
                if frame.closer != c:
                    found = False
                    for idx in range(len(stack) - 1, max(-1, len(stack) - 65), -1):
                        if stack[idx].closer == c:
                            found = True
                            break
                    if found:
                        while frame.closer != c:
                            self.close_frame(frame, s)
                            frame = stack.pop()
                if frame.closer == c:
                    self.close_frame(frame, s)
                    frame = stack.pop() if stack else _Frame("", (), (), None, -1, True)
                pending.clear()
                pos = s + 1
                continue
            if c == ";":
                pending.clear()
                pos = s + 1
                continue
            if c == "@":
                dm = _DECORATOR.match(san, s)
                if not dm:
                    pos = s + 1
                    continue
                e = dm.end()
                if e < n and san[e] == "(":
                    close = match_close(san, e, e + 20000)
                    e = close + 1 if close >= 0 else e + 1
                pending.append(s)
                pos = e
                continue
            if s > 0 and san[s - 1] in ".$#":
                pos = m.end()
                continue
            nxt = _skip(san, m.end())
            if nxt < n and san[nxt] == ":" and t not in ("function",) and not san.startswith("::", nxt):
                # object key or label (`type: "x"`), not a declaration
                pos = m.end()
                continue
            result = self.dispatch(t, s, frame, pending)
            if result is None:
                pos = m.end()
                continue
            resume, push = result
            pending.clear()
            if push is not None:
                if len(push.qual) + len(push.suite) > MAX_NESTING:
                    raise TooDeep
                stack.append(frame)
                frame = push
            pos = max(resume, s + 1)
        last_line = self.line(n - 1) if n else 0
        while True:
            if frame.rec >= 0:
                recs[frame.rec].end_line = max(recs[frame.rec].line, last_line)
            if not stack:
                break
            frame = stack.pop()
        return recs

    def close_frame(self, frame: _Frame, s: int) -> None:
        if frame.rec >= 0:
            rec = self.recs[frame.rec]
            rec.end_line = max(rec.line, self.line(s))

    def dispatch(self, t: str, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        if t == "function":
            return self.on_function(s, frame, pending)
        if t == "class":
            return self.on_class(s, frame, pending)
        if t == "interface":
            return self.on_block_decl(s, frame, pending, _INTERFACE, "interface")
        if t == "enum":
            return self.on_block_decl(s, frame, pending, _ENUM, "enum")
        if t == "type":
            return self.on_type(s, frame, pending)
        if t in ("const", "let", "var"):
            return self.on_var(s, frame, pending)
        if t in ("namespace", "module"):
            return self.on_namespace(s, frame)
        return self.on_test(s, frame, pending)

    def add(self, rec: Rec) -> int:
        self.recs.append(rec)
        return len(self.recs) - 1

    def on_function(self, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        san = self.san
        m = _FUNCTION.match(san, s)
        if not m or not m.group(2):
            return None
        name = m.group(2)
        kind, at, resume = self.function_tail(m.end())
        start, ms = self.start_of(s, pending)
        rec = Rec(
            name,
            "::".join(frame.qual + (name,)),
            "function",
            self.line(m.start(2)),
            self.line(start),
            self.line(max(s, last_nonspace(san, at, s) if kind != ";" else at)),
            signature=signature(self.text, self.comments, ms, at),
        )
        ri = self.add(rec)
        if kind == "{":
            return at + 1, _Frame("}", frame.qual + (name,), frame.suite, frame.disabled, ri, False)
        return (at + 1 if kind == ";" else resume), None

    def class_body_open(self, p: int) -> int:
        """Index of the `{` opening a class/interface body after its heritage clauses, or -1."""
        san = self.san
        depth = 0
        cap = min(self.n, p + 8000)
        search = _CLASS_HEAD.search
        while True:
            m = search(san, p, cap)
            if m is None:
                return -1
            ch = m.group()
            q = m.start()
            if ch in "(<":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == ">":
                if not (q > 0 and san[q - 1] == "="):
                    depth -= 1
            elif ch == "{":
                if depth <= 0:
                    return q
                close = match_close(san, q, cap)
                if close < 0:
                    return -1
                p = close + 1
                continue
            else:  # } or ;
                return -1
            p = q + 1

    def on_class(self, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        san = self.san
        m = _CLASS.match(san, s)
        if not m or m.group(1) in ("extends", "implements"):
            return None
        name = m.group(1)
        open_pos = self.class_body_open(m.end())
        if open_pos < 0:
            return None
        close = match_close(san, open_pos)
        end = close if close >= 0 else self.n
        start, ms = self.start_of(s, pending)
        qual = frame.qual + (name,)
        self.add(
            Rec(
                name,
                "::".join(qual),
                "class",
                self.line(m.start(1)),
                self.line(start),
                self.line(end if close >= 0 else self.n - 1),
                signature=signature(self.text, self.comments, ms, open_pos),
            )
        )
        self.class_members(open_pos + 1, end, "::".join(qual))
        return (close + 1 if close >= 0 else self.n), None

    def on_block_decl(
        self, s: int, frame: _Frame, pending: list[int], rx: re.Pattern[str], kind: str
    ) -> _Handled:
        san = self.san
        m = rx.match(san, s)
        if not m:
            return None
        name = m.group(1)
        open_pos = m.end() - 1 if kind == "enum" else self.class_body_open(m.end())
        if open_pos < 0:
            return None
        close = match_close(san, open_pos)
        start, ms = self.start_of(s, pending)
        self.add(
            Rec(
                name,
                "::".join(frame.qual + (name,)),
                kind,
                self.line(m.start(1)),
                self.line(start),
                self.line(close if close >= 0 else self.n - 1),
                signature=signature(self.text, self.comments, ms, open_pos),
            )
        )
        return (close + 1 if close >= 0 else self.n), None

    def on_type(self, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        san = self.san
        m = _TYPE.match(san, s)
        if not m:
            return None
        name = m.group(1)
        q = m.end()
        if q < self.n and san[q] == "<":
            a = skip_angles(san, q)
            if a < 0:
                return None
            q = _skip(san, a)
        if q >= self.n or san[q] != "=" or san.startswith("==", q):
            return None
        end = self.stmt_end(q + 1)
        last = max(q, last_nonspace(san, end, q))
        start, ms = self.start_of(s, pending)
        self.add(
            Rec(
                name,
                "::".join(frame.qual + (name,)),
                "type",
                self.line(m.start(1)),
                self.line(start),
                self.line(last),
                signature=signature(self.text, self.comments, ms, last + 1 if san[last] != ";" else last),
            )
        )
        return end, None

    def on_var(self, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        if not frame.decl:
            return None
        san = self.san
        m = _VAR.match(san, s)
        if not m:
            return None
        kw, name = m.group(1), m.group(2)
        kind = kw
        eq = self.find_initializer(m.end())
        if eq >= 0:
            v = _skip(san, eq + 1)
            if _SIMPLE_ARROW.match(san, v):
                kind = "function"
            elif (fm := _FUNC_EXPR.match(san, v)) is not None:
                tail = san[fm.end() - 1 : fm.end()]
                if "function" in fm.group():
                    kind = "function"
                elif tail == "(":
                    close = match_close(san, fm.end() - 1, fm.end() + 20000)
                    if close >= 0 and _ARROW_AFTER_PARAMS.match(san, close + 1, close + 2000):
                        kind = "function"
                elif tail == "<":
                    a = skip_angles(san, fm.end() - 1)
                    if a >= 0:
                        b = _skip(san, a)
                        if b < self.n and san[b] == "(":
                            close = match_close(san, b, b + 20000)
                            if close >= 0 and _ARROW_AFTER_PARAMS.match(san, close + 1, close + 2000):
                                kind = "function"
        end = self.stmt_end(m.end())
        last = max(m.start(2), last_nonspace(san, end, s))
        start, ms = self.start_of(s, pending)
        sig_end = last + 1 if san[last] != ";" else last
        if kind == "function" and eq >= 0:
            # the declaration up to the arrow / function body, not the body itself
            body = self.arrow_body(eq + 1, end)
            if body > 0:
                sig_end = body
        self.add(
            Rec(
                name,
                "::".join(frame.qual + (name,)),
                kind,
                self.line(m.start(2)),
                self.line(start),
                self.line(last),
                signature=signature(self.text, self.comments, ms, sig_end),
            )
        )
        return end, None

    def arrow_body(self, p: int, end: int) -> int:
        san = self.san
        i = san.find("=>", p, end)
        if i >= 0:
            return i + 2
        j = san.find("{", p, end)
        return j if j >= 0 else -1

    def find_initializer(self, p: int) -> int:
        """Index of the `=` starting a declaration's initializer (after a type annotation)."""
        san = self.san
        depth = 0
        cap = min(self.n, p + 2000)
        i = p
        while i < cap:
            c = san[i]
            if c in "([{<":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth < 0:
                    return -1
            elif c == ">":
                if i > 0 and san[i - 1] == "=":
                    pass
                else:
                    depth -= 1
            elif c == "=":
                nx = san[i + 1 : i + 2]
                if depth <= 0 and nx not in ("=", ">"):
                    return i
            elif c in ";\n" and depth <= 0:
                if c == ";":
                    return -1
                j = last_nonspace(san, i, p)
                if j < 0 or san[j] not in ":|&,<(":
                    k = _skip(san, i)
                    if k >= cap or san[k] not in "=|&":
                        return -1
            i += 1
        return -1

    def on_namespace(self, s: int, frame: _Frame) -> _Handled:
        san = self.san
        m = _NAMESPACE.match(san, s)
        if not m:
            return None
        if m.group(1):
            parts: tuple[str, ...] = tuple(x.strip() for x in m.group(1).split("."))
            p = m.end()
        else:
            q = m.group(2)
            j = san.find(q, m.end())
            if j < 0:
                return None
            parts = ()
            p = j + 1
        q = _skip(san, p)
        if q >= self.n or san[q] != "{":
            return None
        return q + 1, _Frame("}", frame.qual + parts, frame.suite, frame.disabled, -1, True)

    def on_test(self, s: int, frame: _Frame, pending: list[int]) -> _Handled:
        san = self.san
        text = self.text
        m = _TEST.match(san, s)
        if not m:
            return None
        fn = m.group("fn")
        chain = [c.strip() for c in m.group("chain").split(".") if c.strip()]
        open_pos = m.start("open")
        if any(c in _CURRIED for c in chain):
            if san[open_pos] == "`":
                j = san.find("`", open_pos + 1)
                if j < 0:
                    return None
                q = _skip(san, j + 1)
            else:
                close = match_close(san, open_pos, open_pos + 200000)
                if close < 0:
                    return None
                q = _skip(san, close + 1)
            if q >= self.n or san[q] != "(":
                return None
            open_pos = q
        elif san[open_pos] != "(":
            return None
        base = fn[1:] if fn[0] in "xf" and fn[1:] in ("describe", "it", "test", "context", "specify") else fn
        is_describe = base in _DESCRIBE
        a = _skip(san, open_pos + 1)
        if a >= self.n:
            return None
        quote = san[a]
        if quote in "'\"`":
            b = san.find(quote, a + 1)
            if b < 0:
                return None
            title = _unescape(text[a + 1 : b])
            title_end = b + 1
        elif is_describe:
            im = _IDENT_PATH.match(san, a)
            if not im:
                return None
            title = re.sub(r"\s+", "", im.group())
            title_end = im.end()
        else:
            return None
        if not title:
            return None  # `it("")`: no name a row could cite (and no segment of a qualified name)
        disabled = None
        if fn.startswith("x") or "skip" in chain or "todo" in chain:
            disabled = clip(text[s : m.start("open")])
        if disabled is None:
            disabled = frame.disabled
        start, _ms = self.start_of(s, pending)
        suite = frame.suite
        rec = Rec(
            title,
            "::".join(suite + (title,)),
            "describe" if is_describe else "test",
            self.line(s),
            self.line(start),
            self.line(s),
            is_test=not is_describe,
            disabled=disabled,
            signature=clip(text[s:title_end] + ")"),
        )
        ri = self.add(rec)
        new_suite = suite + (title,) if is_describe else suite
        return open_pos + 1, _Frame(
            ")", frame.qual, new_suite, disabled if is_describe else frame.disabled, ri, False
        )

    # class bodies ------------------------------------------------------------------------

    def class_members(self, a: int, b: int, owner: str) -> None:
        san = self.san
        p = a
        pending: list[int] = []
        guard = 0
        while p < b and guard < 1_000_000:
            guard += 1
            p = _WS_SEMI(san, p, b).end()
            if p >= b:
                break
            c = san[p]
            if c == "@":
                dm = _DECORATOR.match(san, p, b)
                if not dm:
                    p += 1
                    continue
                e = dm.end()
                if e < b and san[e] == "(":
                    close = match_close(san, e, b)
                    e = close + 1 if close >= 0 else b
                pending.append(p)
                p = e
                continue
            if san.startswith("static", p):
                sm = _STATIC_BLOCK.match(san, p, b)
                if sm:
                    close = match_close(san, sm.end() - 1, b)
                    p = close + 1 if close >= 0 else b
                    pending.clear()
                    continue
            mm = _MEMBER.match(san, p, b)
            if not mm:
                p = self.skip_member(p, b)
                pending.clear()
                continue
            name_pos = mm.start("name")
            nc = san[name_pos]
            if nc == "[":
                close = match_close(san, name_pos, b)
                if close < 0:
                    break
                name = " ".join(self.text[name_pos : close + 1].split())
                after = close + 1
                if ":" in san[name_pos:close]:  # index signature
                    p = self.stmt_end(after, b)
                    pending.clear()
                    continue
            elif nc in "'\"":
                close = san.find(nc, name_pos + 1, b)
                if close < 0:
                    break
                name = self.text[name_pos + 1 : close]
                after = close + 1
            else:
                name = mm.group("name")
                after = mm.end()
            q = _skip(san, after)
            if q < b and san[q] in "?!":
                q = _skip(san, q + 1)
            start = doc_start(san, self.comments, min([p] + pending))
            if q < b and san[q] in "(<":
                kind, at, resume = self.function_tail(q)
                if kind == "{":
                    close = match_close(san, at, b)
                    end = close if close >= 0 else b - 1
                    resume = end + 1
                elif kind == ";":
                    end = at
                    resume = at + 1
                else:
                    end = max(name_pos, last_nonspace(san, at, p))
                    resume = max(resume, q + 1)
                self.add(
                    Rec(
                        name,
                        f"{owner}::{name}",
                        "method",
                        self.line(name_pos),
                        self.line(start),
                        self.line(end),
                        signature=signature(self.text, self.comments, p, at),
                    )
                )
                p = max(resume, p + 1)
            else:
                end = self.stmt_end(q, b)
                last = max(name_pos, last_nonspace(san, end, p))
                kind = "field"
                if q < b and san[q] == "=":
                    v = _skip(san, q + 1)
                    if _SIMPLE_ARROW.match(san, v) or _FUNCTION_VALUE.match(san, v):
                        kind = "method"
                    elif _PAREN_VALUE.match(san, v):
                        po = san.find("(", v)
                        close = match_close(san, po, b)
                        if close >= 0 and _ARROW_AFTER_PARAMS.match(san, close + 1, b):
                            kind = "method"
                self.add(
                    Rec(
                        name,
                        f"{owner}::{name}",
                        kind,
                        self.line(name_pos),
                        self.line(start),
                        self.line(last),
                        signature=signature(
                            self.text, self.comments, p, last + 1 if san[last] != ";" else last
                        ),
                    )
                )
                p = max(end, p + 1)
            pending.clear()

    def skip_member(self, p: int, b: int) -> int:
        end = self.stmt_end(p, b)
        if end <= p:
            end = p + 1
        return end


_WS_SEMI = always_matching(re.compile(r"[\s;,]*"))
_STATIC_BLOCK = re.compile(r"static\s*\{")
_FUNCTION_VALUE = re.compile(r"(?:async\s+)?function\b")
_PAREN_VALUE = re.compile(r"(?:async\s+)?\(")
_IDENT_PATH = re.compile(_ID + r"(?:\s*\.\s*" + _ID + r")*")
_NEXT_DECL = re.compile(
    r"\s*(?:(?:function|export|declare|const|let|var|class|interface|type|async|import|enum|"
    r"namespace|abstract)\b|@)"
)


def scan(text: str) -> list[Rec]:
    return _Scanner(text).run()
