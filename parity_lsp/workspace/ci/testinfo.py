"""What a test runner sees of one test function: its full name, marks and constraints.

Invariant: pure functions over source text; no IO; never raise. These are light scanners,
not parsers: enough to know a Rust test's module path and `#[ignore]`, a pytest test's class
and markers, and a Go test file's build constraint.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field

# --- Rust -------------------------------------------------------------------------------------


@dataclass(slots=True)
class RustTest:
    name: str
    modules: list[str]  # inline `mod x { … }` blocks around the fn
    ignored: bool = False
    is_test: bool = False  # has a #[test]-like attribute


# An attribute, `mod name {`, `fn name`, `{`, `}` or `;`. Every alternative starts with a
# literal character (`m(?<!\wm)od` is `\bmod`) and none is wrapped in a group: that lets `re`
# skip to the next candidate character instead of trying every alternative at every position.
_RUST_TOKENS = r"\#!?\s*\[|m(?<!\wm)od\s+([A-Za-z_]\w*)\s*\{|f(?<!\wf)n\s+([A-Za-z_]\w*)|\{|\}"
_RUST_TOKEN = re.compile(_RUST_TOKENS + "|;")
_RUST_TOKEN_NO_SEMI = re.compile(_RUST_TOKENS)
_TEST_ATTR = re.compile(r"^(?:\w+::)*(?:test|rstest|test_case|quickcheck|proptest)\b")


# Where a comment, string or char literal may start; text between these is copied in bulk.
_RUST_SPECIAL = re.compile('//|/\\*|"|\'|b?r#*"')


def _blank_rust(text: str) -> str:
    """Comments, strings and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        m = _RUST_SPECIAL.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        if m.start() > i:
            out.append(text[i : m.start()])
            i = m.start()
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = (
            re.match(r'b?r(#*)"', text[i : i + 260])
            if c in "br" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))
            else None
        )
        if m:
            end = text.find('"' + m.group(1), i + m.end())
            j = n if end == -1 else end + 1 + len(m.group(1))
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1 : j - 1]) + '"')
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1 : j - 1]) + '"')
            i = j
            continue
        if c == "'":
            m = re.match(r"'(?:\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'", text[i : i + 12])
            if m:  # a char literal, not a lifetime
                out.append("' '")
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=64)  # rows next to each other cite the same file; a key holds a text
def rust_tests(text: str) -> list[RustTest]:
    """Every `fn` with its enclosing inline modules and attributes."""
    src = _blank_rust(text)
    n = len(src)
    out: list[RustTest] = []
    stack: list[str | None] = []  # module name, or None for other braces
    attrs: list[str] = []
    pos = 0
    while True:
        # a `;` only clears pending attributes: without any, it is skipped by the search itself
        m = (_RUST_TOKEN if attrs else _RUST_TOKEN_NO_SEMI).search(src, pos)
        if m is None:
            break
        c = m.group()[0]
        pos = m.end()
        if c == "#":
            start = pos - 1
            close = src.find("]", start + 1)
            if close < 0 or src.find("[", start + 1, close) >= 0:
                close = _attr_close(src, start, n)
            attrs.append(" ".join(src[start + 1 : close].split()))
            pos = close + 1
        elif c == "m":
            stack.append(m.group(1))
            attrs = []
        elif c == "f":
            ignored, is_test = _attrs_meaning(tuple(attrs)) if attrs else (False, False)
            out.append(RustTest(m.group(2), [name for name in stack if name is not None], ignored, is_test))
            attrs = []
        elif c == "{":
            stack.append(None)
            attrs = []
        else:  # `}` or `;`
            if c == "}" and stack:
                stack.pop()
            attrs = []
    return out


_IGNORE_ATTR = re.compile(r"^ignore\b")
_CFG_ATTR_IGNORE = re.compile(r"cfg_attr\(.*\bignore\b")


def _attr_close(src: str, start: int, n: int) -> int:
    """The `]` closing the attribute whose `[` is at `start` (nested brackets counted); n if none."""
    depth = 0
    for j in range(start, n):
        c = src[j]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return j
    return n


@functools.lru_cache(maxsize=1024)  # the same few attribute lists (`#[test]`, ...) recur everywhere
def _attrs_meaning(attrs: tuple[str, ...]) -> tuple[bool, bool]:
    """(ignored, is a test) for the attributes on a fn."""
    ignored = any(_IGNORE_ATTR.match(a) or _CFG_ATTR_IGNORE.search(a) for a in attrs)
    return ignored, any(_TEST_ATTR.match(a) for a in attrs)


def find_rust_test(text: str, name: str) -> RustTest | None:
    """The fn called `name` (or `a::b::name`); a test fn wins over a helper of the same name."""
    parts = [p for p in name.replace(".", "::").split("::") if p]
    if not parts:
        return None
    candidates = [t for t in rust_tests(text) if t.name == parts[-1]]
    if len(parts) > 1:
        scoped = [t for t in candidates if t.modules[-(len(parts) - 1) :] == parts[:-1]]
        candidates = scoped or candidates
    candidates.sort(key=lambda t: not t.is_test)
    return candidates[0] if candidates else None


# --- Python ------------------------------------------------------------------------------------


@dataclass(slots=True)
class PythonTest:
    name: str
    classes: list[str] = field(default_factory=list)
    markers: set[str] = field(default_factory=set)
    skipped: bool = False  # unconditional @pytest.mark.skip / skip at class or module level
    found: bool = True


def _mark_names(decorators: list[ast.expr]) -> tuple[set[str], bool]:
    names: set[str] = set()
    skipped = False
    for dec in decorators:
        node = dec.func if isinstance(dec, ast.Call) else dec
        chain = []
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            chain.append(node.id)
        chain.reverse()
        if "mark" in chain and chain.index("mark") + 1 < len(chain):
            mark = chain[chain.index("mark") + 1]
            names.add(mark)
            if mark == "skip":
                skipped = True
    return names, skipped


def _pytestmark(body: list[ast.stmt]) -> tuple[set[str], bool]:
    for stmt in body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            value = stmt.value
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            return _mark_names(items)
    return set(), False


def find_python_test(text: str, name: str) -> PythonTest | None:
    """The test function `name` (`test_x`, `TestC::test_x`, `TestC.test_x`) with its marks."""
    parts = [p for p in re.split(r"::|\.", name.split("[", 1)[0]) if p]
    if not parts:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _find_python_test_fallback(text, parts)
    mod_marks, mod_skip = _pytestmark(tree.body)
    best: PythonTest | None = None

    def visit(body: list[ast.stmt], classes: list[str], marks: set[str], skip: bool) -> None:
        nonlocal best
        for node in body:
            if isinstance(node, ast.ClassDef):
                cls_marks, cls_skip = _mark_names(node.decorator_list)
                inner_marks, inner_skip = _pytestmark(node.body)
                visit(
                    node.body,
                    classes + [node.name],
                    marks | cls_marks | inner_marks,
                    skip or cls_skip or inner_skip,
                )
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == parts[-1]:
                if parts[:-1] and classes[-len(parts) + 1 :] != parts[:-1]:
                    continue
                fn_marks, fn_skip = _mark_names(node.decorator_list)
                found = PythonTest(node.name, classes, marks | fn_marks, skip or fn_skip)
                if best is None or (len(parts) == 1 and not classes and best.classes):
                    best = found

    visit(tree.body, [], mod_marks, mod_skip)
    return best


def python_tests(text: str) -> list[PythonTest]:
    """Test functions of a module (`test*` at module level or in `Test*` classes), with marks."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [PythonTest(m.group(1)) for m in re.finditer(r"^(?:async\s+)?def\s+(test\w*)", text, re.M)]
    out: list[PythonTest] = []
    mod_marks, mod_skip = _pytestmark(tree.body)

    def visit(body: list[ast.stmt], classes: list[str], marks: set[str], skip: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                cls_marks, cls_skip = _mark_names(node.decorator_list)
                inner_marks, inner_skip = _pytestmark(node.body)
                visit(
                    node.body,
                    classes + [node.name],
                    marks | cls_marks | inner_marks,
                    skip or cls_skip or inner_skip,
                )
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                fn_marks, fn_skip = _mark_names(node.decorator_list)
                out.append(PythonTest(node.name, classes, marks | fn_marks, skip or fn_skip))

    visit(tree.body, [], mod_marks, mod_skip)
    return out


def _find_python_test_fallback(text: str, parts: list[str]) -> PythonTest | None:
    """Indentation-based search for files that do not parse."""
    classes: list[tuple[int, str]] = []
    for line in text.splitlines():
        m = re.match(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)", line)
        if not m:
            continue
        indent = len(m.group(1).expandtabs())
        classes = [(i, c) for i, c in classes if i < indent]
        if m.group(2) == "class":
            classes.append((indent, m.group(3)))
        elif m.group(3) == parts[-1]:
            return PythonTest(m.group(3), [c for _, c in classes])
    return None


# --- Go ----------------------------------------------------------------------------------------

_GO_BUILD = re.compile(r"^//go:build\s+(.+)$", re.M)
_GO_PACKAGE = re.compile(r"^package\s+\w+", re.M)
# Names whose truth depends on the runner (OS, architecture, toolchain): neither true nor false.
_GO_PLATFORM = {
    "linux",
    "darwin",
    "windows",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "aix",
    "android",
    "ios",
    "js",
    "wasip1",
    "plan9",
    "unix",
    "amd64",
    "arm64",
    "386",
    "arm",
    "wasm",
    "ppc64",
    "ppc64le",
    "riscv64",
    "s390x",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "loong64",
    "cgo",
    "gc",
    "gccgo",
}


def go_build_constraint(text: str) -> str | None:
    """The `//go:build` expression of a Go file (only before its `package` clause)."""
    pkg = _GO_PACKAGE.search(text)
    head = text[: pkg.start()] if pkg else text
    m = _GO_BUILD.search(head)
    return m.group(1).strip() if m else None


def eval_go_constraint(expr: str, tags: set[str]) -> bool | None:
    """Evaluate a build constraint with `-tags`; None when it depends on the platform."""
    tokens = re.findall(r"\|\||&&|!|\(|\)|[\w.]+", expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str | None:
        nonlocal pos
        pos += 1
        return tokens[pos - 1] if pos - 1 < len(tokens) else None

    def atom() -> bool | None:
        tok = take()
        if tok == "!":
            v = atom()
            return None if v is None else not v
        if tok == "(":
            v = disj()
            take()
            return v
        if tok is None:
            raise ValueError("truncated")
        if tok in tags:
            return True
        if tok in _GO_PLATFORM or tok.startswith("go1."):
            return None
        return False

    def conj() -> bool | None:
        v = atom()
        while peek() == "&&":
            take()
            w = atom()
            v = False if v is False or w is False else (None if v is None or w is None else True)
        return v

    def disj() -> bool | None:
        v = conj()
        while peek() == "||":
            take()
            w = conj()
            v = True if v is True or w is True else (None if v is None or w is None else False)
        return v

    try:
        return disj()
    except (ValueError, IndexError, RecursionError):
        return None


_GO_TEST_FUNC = re.compile(r"^func\s+(Test\w*)\s*\(\s*\w+\s+\*testing\.T\s*\)", re.M)


def go_test_names(text: str) -> list[str]:
    return _GO_TEST_FUNC.findall(text)
