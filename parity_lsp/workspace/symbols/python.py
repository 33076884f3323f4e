"""Python definitions: def / async def / class (nested as `Class::method`, `outer::inner`),
module- and class-level assignments (kind `var`), pytest / unittest tests and their skips.

Bodies are delimited by indentation over *logical* lines (brackets, backslash continuations
and multi-line strings joined), so `def` inside a triple-quoted string is not a definition and
comment or blank lines at a lower indentation do not end a body.

Invariant: pure, no IO, never raises on any input (the caller also guards), linear time.
"""

from __future__ import annotations

import keyword
import re

from ._common import MAX_NESTING, Comments, Lines, Rec, TooDeep, always_matching, blank_inner, clip, signature

# --- lexer ------------------------------------------------------------------------------

_BODY = {
    '"""': always_matching(re.compile(r'[^"\\]*+(?:(?:\\[\s\S]|"(?!""))[^"\\]*+)*+(?:"""|\Z)?')),
    "'''": always_matching(re.compile(r"[^'\\]*+(?:(?:\\[\s\S]|'(?!''))[^'\\]*+)*+(?:'''|\Z)?")),
    '"': always_matching(re.compile(r'[^"\\\n]*+(?:\\[\s\S][^"\\\n]*+)*+"?')),
    "'": always_matching(re.compile(r"[^'\\\n]*+(?:\\[\s\S][^'\\\n]*+)*+'?")),
}


def lex(text: str, lines: Lines) -> tuple[str, Comments, bytearray]:
    """Sanitized text, comments, and a per-line flag: 1 when the line starts inside a string."""
    n = len(text)
    pieces: list[str] = []
    comments = Comments()
    cont = bytearray(lines.count)
    last = 0
    pos = 0
    find = text.find
    # The next `#`, `"`, `'` at or after pos, found with `str.find` (much faster than a regex
    # search for a set of characters); `% (n + 1)` turns find's -1 (none) into n.
    n_hash = find("#") % (n + 1)
    n_dq = find('"') % (n + 1)
    n_sq = find("'") % (n + 1)
    while pos < n:
        if n_hash < pos:
            n_hash = find("#", pos) % (n + 1)
        if n_dq < pos:
            n_dq = find('"', pos) % (n + 1)
        if n_sq < pos:
            n_sq = find("'", pos) % (n + 1)
        s = n_hash if n_hash < n_dq else n_dq
        if n_sq < s:
            s = n_sq
        if s >= n:
            break
        if s == n_hash:  # a comment, to the end of the line
            e = find("\n", s)
            if e < 0:
                e = n
            comments.add(s, e)
            piece = " " * (e - s)
        else:  # a string: """, ''', " or '
            quote = text[s] * 3 if text.startswith(text[s] * 3, s) else text[s]
            e = _BODY[quote](text, s + len(quote)).end()
            lit = text[s:e]
            if "\n" not in lit:  # blank_inner(lit), on one line
                piece = lit[0] + " " * (len(lit) - 2) + lit[-1] if len(lit) > 2 else lit
            else:
                piece = blank_inner(lit)
                a = lines.line(s) + 1
                b = lines.line(e - 1 if e > s else s)
                if b >= a:
                    cont[a : b + 1] = b"\x01" * (b + 1 - a)
        pieces.append(text[last:s])
        pieces.append(piece)
        last = e
        pos = e if e > s else s + 1
    pieces.append(text[last:])
    return "".join(pieces), comments, cont


# --- structure --------------------------------------------------------------------------

_DEF = re.compile(r"[ \t\f]*(async[ \t\f]+)?def\s+([^\W\d]\w*)")
_CLASS = re.compile(r"[ \t\f]*class\s+([^\W\d]\w*)")
_DECO = re.compile(r"[ \t\f]*@")
_ASSIGN = re.compile(r"[ \t\f]*([^\W\d]\w*)[ \t\f]*(?::(?!=)|=(?!=))")
_RESET = re.compile(r"[ \t\f]*(?:async[ \t\f]+def|def|class)[ \t\f]+[^\W\d]\w*[ \t\f]*[(:]")
_FIRST_SKIP = re.compile(
    r"\s*(?:(?:pytest\s*\.\s*)?skip\s*\(|self\s*\.\s*skipTest\s*\(|raise\s+(?:\w+\s*\.\s*)*SkipTest\b"
    r"|raise\s+pytest\s*\.\s*skip\s*\.\s*Exception\b)"
)
_STRING_ONLY = re.compile(r"\s*[rRbBuUfF]{0,2}([\"'])[\s\S]*\1\s*$")
_DECO_NAME = re.compile(r"\s*@\s*((?:[^\W\d]\w*\s*\.\s*)*[^\W\d]\w*)\s*(\()?")
_MARK = re.compile(r"(?:\b(?:pytest\s*\.\s*)?mark\s*\.\s*)(skipif|skip|xfail)\b\s*(\()?")


def _indent(line: str) -> int:
    stripped = line.lstrip(" \t\f")
    prefix = line[: len(line) - len(stripped)]
    if "\t" in prefix:
        return len(prefix.expandtabs(8))
    return len(prefix)


def _split_args(san: str, a: int, b: int) -> list[tuple[int, int]]:
    """Top-level comma-separated argument spans within (a, b) of the sanitized text."""
    out = []
    depth = 0
    seg = a
    for i in range(a, b):
        c = san[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append((seg, i))
            seg = i + 1
    out.append((seg, b))
    return [(x, y) for x, y in out if san[x:y].strip()]


_TRUE = {"True", "1"}
_FALSE = {"False", "0", "None"}


def _literal(value: str) -> str | None:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1].strip()
    return v


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Lines(text)
        self.san, self.comments, self.cont = lex(text, self.lines)
        self.recs: list[Rec] = []
        self.parent: list[int] = []  # rec index of the enclosing def/class, or -1
        self.test_class: set[int] = set()  # rec indexes of test classes
        self.class_skip: dict[int, str] = {}  # class rec index -> pytestmark skip
        self.module_skip: str | None = None
        self.test_class_names: set[str] = set()

    # logical lines ---------------------------------------------------------------------

    def logical_lines(self) -> list[tuple[int, int]]:
        san_lines = self.san.split("\n")
        self.san_lines = san_lines
        cont = self.cont
        out: list[tuple[int, int]] = []
        cur_first = -1
        cur_last = -1
        depth = 0
        backslash = False
        for i, line in enumerate(san_lines):
            # the statement goes on: this line starts inside a string, or follows a backslash
            # or an unclosed bracket (unless it is a `def`/`class` line: brackets left open)
            if (
                cur_first >= 0
                and (depth > 0 or backslash or cont[i])
                and (cont[i] or not (depth > 0 and _RESET.match(line)))
            ):
                cur_last = i
                depth += (
                    line.count("(")
                    + line.count("[")
                    + line.count("{")
                    - line.count(")")
                    - line.count("]")
                    - line.count("}")
                )
                if depth < 0:
                    depth = 0
                backslash = line.rstrip().endswith("\\")
                continue
            if cur_first >= 0:
                out.append((cur_first, cur_last))
                cur_first = -1
            if not line.strip():
                backslash = False
                depth = 0
                continue
            cur_first = cur_last = i
            depth = (
                line.count("(")
                + line.count("[")
                + line.count("{")
                - line.count(")")
                - line.count("]")
                - line.count("}")
            )
            if depth < 0:
                depth = 0
            backslash = line.rstrip().endswith("\\")
        if cur_first >= 0:
            out.append((cur_first, cur_last))
        return out

    def span(self, first: int, last: int) -> tuple[int, int]:
        starts = self.lines.starts
        a = starts[first]
        b = starts[last] + len(self.san_lines[last])
        return a, b

    # skip analysis ---------------------------------------------------------------------

    def decorator_skip(self, a: int, b: int) -> str | None:
        san = self.san
        m = _DECO_NAME.match(san, a, b)
        if not m:
            return None
        name = re.sub(r"\s+", "", m.group(1))
        last = name.rsplit(".", 1)[-1]
        args: list[tuple[int, int]] | None = None
        if m.group(2):
            close = _find_close(san, m.end() - 1, b)
            args = _split_args(san, m.end(), close)
        text = clip(self.text[a:b].strip())
        if last == "skip" and (name in ("skip", "unittest.skip") or ".mark." in "." + name):
            return text
        if last in ("skipif", "skipIf") and (
            name in ("skipif", "skipIf", "unittest.skipIf") or ".mark." in "." + name
        ):
            return text if self.condition_is(args, _TRUE, allow_missing=last == "skipif") else None
        if last == "skipUnless" and name in ("skipUnless", "unittest.skipUnless"):
            return text if self.condition_is(args, _FALSE, allow_missing=False) else None
        if last == "xfail" and ".mark." in "." + name and args:
            for x, y in args:
                kv = self.text[x:y].split("=", 1)
                if len(kv) == 2 and kv[0].strip() == "run" and _literal(kv[1]) in _FALSE:
                    return text
        return None

    def condition_is(self, args: list[tuple[int, int]] | None, values: set[str], allow_missing: bool) -> bool:
        if args is None:
            return allow_missing
        positional = []
        condition = None
        for x, y in args:
            raw = self.text[x:y]
            km = re.match(r"\s*([^\W\d]\w*)\s*=(?!=)", self.san[x:y])
            if km:
                if km.group(1) == "condition":
                    condition = raw[km.end() :]
                continue
            positional.append(raw)
        if condition is None and positional:
            condition = positional[0]
        if condition is None:
            return allow_missing
        return _literal(condition) in values

    def mark_skip(self, a: int, b: int) -> str | None:
        """`pytestmark = pytest.mark.skip(...)` (or a list holding one): the unconditional mark."""
        san = self.san
        for m in _MARK.finditer(san, a, b):
            kind = m.group(1)
            args = None
            end = m.end()
            if m.group(2):
                close = _find_close(san, m.end() - 1, b)
                args = _split_args(san, m.end(), close)
                end = min(b, close + 1)
            text = clip(self.text[m.start() : end])
            if kind == "skip":
                return text
            if kind == "skipif" and self.condition_is(args, _TRUE, allow_missing=True):
                return text
            if kind == "xfail" and args:
                for x, y in args:
                    kv = self.text[x:y].split("=", 1)
                    if len(kv) == 2 and kv[0].strip() == "run" and _literal(kv[1]) in _FALSE:
                        return text
        return None

    # main ------------------------------------------------------------------------------

    def run(self) -> list[Rec]:
        recs = self.recs
        logical = self.logical_lines()
        san = self.san
        san_lines = self.san_lines
        stack: list[tuple[int, int, bool]] = []  # (indent, rec index, is_class)
        pending: list[tuple[int, int, int]] = []  # decorators: (first line, a, b)
        prev_last = 0
        awaiting: tuple[int, int] | None = None  # (rec index, def indent) for a first-statement skip
        for first, last in logical:
            line = san_lines[first]
            indent = _indent(line)
            while stack and stack[-1][0] >= indent:
                _ind, ri, _is_class = stack.pop()
                recs[ri].end_line = max(recs[ri].line, prev_last)
            a, b = self.span(first, last)
            if awaiting is not None:
                ri, dind = awaiting
                if indent > dind and _STRING_ONLY.match(san, a, b) and not _DEF.match(san, a, b):
                    pass  # docstring: the first statement is the next one
                else:
                    if indent > dind and _FIRST_SKIP.match(san, a, b):
                        recs[ri].disabled = recs[ri].disabled or clip(self.text[a:b].strip())
                    awaiting = None
            stripped = line.lstrip(" \t\f")
            if stripped.startswith("@"):
                pending.append((first, a, b))
                prev_last = last
                continue
            dm = _DEF.match(san, a, b)
            cm = None if dm else _CLASS.match(san, a, b)
            mm = dm or cm
            if mm is not None:
                is_class = cm is not None
                name = mm.group(1) if is_class else mm.group(2)
                name_off = mm.start(1) if is_class else mm.start(2)
                kw_off = a + (len(line) - len(stripped))
                colon = _header_colon(san, mm.end(), b)
                parent = stack[-1][1] if stack else -1
                if len(stack) >= MAX_NESTING:
                    raise TooDeep
                qual = "::".join([recs[i].name for _x, i, _c in stack] + [name])
                start_line = pending[0][0] if pending else first
                disabled = None
                for _f, da, db in pending:
                    reason = self.decorator_skip(da, db)
                    if reason:
                        disabled = reason
                        break
                rec = Rec(
                    name,
                    qual,
                    "class" if is_class else "def",
                    self.lines.line(name_off),
                    start_line,
                    last,
                    disabled=disabled,
                    signature=signature(self.text, self.comments, kw_off, colon),
                )
                recs.append(rec)
                self.parent.append(parent)
                ri = len(recs) - 1
                if is_class:
                    if name.startswith("Test") or self.bases_are_tests(mm.end(), colon):
                        self.test_class.add(ri)
                        self.test_class_names.add(name)
                else:
                    if name.startswith("test") and (parent < 0 or parent in self.test_class):
                        rec.is_test = True
                    body = san[colon + 1 : b] if colon < b else ""
                    if body.strip():
                        if _FIRST_SKIP.match(body):
                            rec.disabled = rec.disabled or clip(self.text[colon + 1 : b].strip())
                    else:
                        awaiting = (ri, indent)
                stack.append((indent, ri, is_class))
                pending.clear()
                prev_last = last
                continue
            pending.clear()
            am = _ASSIGN.match(san, a, b)
            if am and not keyword.iskeyword(am.group(1)):
                container = stack[-1] if stack else None
                if container is None or container[2]:
                    name = am.group(1)
                    is_annotation = san[am.end() - 1] == ":"
                    if not is_annotation or san[am.end() : b].strip():
                        ri_parent = container[1] if container else -1
                        qual = (recs[ri_parent].qualname + "::" + name) if container else name
                        recs.append(
                            Rec(
                                name,
                                qual,
                                "var",
                                first,
                                first,
                                last,
                                signature=signature(self.text, self.comments, am.start(1), b),
                            )
                        )
                        self.parent.append(ri_parent)
                        if name == "pytestmark":
                            reason = self.mark_skip(am.end(), b)
                            if reason:
                                if container is None:
                                    self.module_skip = self.module_skip or reason
                                else:
                                    self.class_skip.setdefault(container[1], reason)
            prev_last = last
        while stack:
            _ind, ri, _c = stack.pop()
            recs[ri].end_line = max(recs[ri].line, prev_last)
        self.inherit_skips()
        return recs

    def bases_are_tests(self, a: int, colon: int) -> bool:
        san = self.san
        p = a
        while p < colon and san[p] in " \t\n\\":
            p += 1
        if p >= colon or san[p] != "(":
            return False
        close = _find_close(san, p, colon)
        for x, y in _split_args(san, p + 1, close):
            base = re.sub(r"\s+", "", san[x:y])
            if "=" in base:
                continue
            simple = base.rsplit(".", 1)[-1]
            if simple.endswith("TestCase") or simple in self.test_class_names:
                return True
        return False

    def inherit_skips(self) -> None:
        recs = self.recs
        parent = self.parent
        for i, rec in enumerate(recs):
            if rec.disabled or not (rec.is_test or i in self.test_class):
                continue
            p = parent[i]
            reason = None
            while p >= 0 and reason is None:
                if recs[p].kind == "class":
                    reason = recs[p].disabled or self.class_skip.get(p)
                p = parent[p]
            rec.disabled = reason or self.module_skip
        for ci, reason in self.class_skip.items():
            if not recs[ci].disabled:
                recs[ci].disabled = reason


def _find_close(san: str, open_pos: int, limit: int) -> int:
    depth = 0
    for i in range(open_pos, limit):
        c = san[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return limit


def _header_colon(san: str, p: int, b: int) -> int:
    """The `:` ending a def/class header: first one at bracket depth 0 (not `:=`)."""
    depth = 0
    for i in range(p, b):
        c = san[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ":" and depth <= 0 and not san.startswith(":=", i):
            return i
    return b


def scan(text: str) -> list[Rec]:
    return _Scanner(text).run()
