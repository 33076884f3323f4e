"""What a test runner sees of one test function: its full name, marks and constraints.

Invariant: pure functions over source text; no IO; never raise. Rust tests come from the
symbol finder's Rust scanner (one lexer for the rules and the CI model); a pytest test's class
and markers and a Go test file's build constraint from light scanners, not parsers; the tests
of the other languages (Swift, the JVM's, JavaScript, Ruby) from the symbol finder, as the rules
see them (`cited_test`).
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols import Definition

# --- Rust -------------------------------------------------------------------------------------
#
# Rust tests come from the one Rust scanner (`parity_lsp.workspace.symbols.rust`), the same
# definitions PM305/PM308 read: a test the rules call disabled is the one the CI model calls
# ignored. `#[ignore]` disables; a conditional `#[cfg_attr(PRED, ignore)]` (`miri`, an OS, a
# feature) does not: plain `cargo test` in CI runs the test, as the rules assume.


@dataclass(slots=True)
class RustTest:
    name: str
    modules: list[str]  # inline `mod x { … }` blocks around the fn
    ignored: bool = False
    is_test: bool = False  # has a #[test]-like attribute


def _rust_fns(text: str, wanted: frozenset[str] | None) -> list[RustTest]:
    """Every `fn` (or those named in `wanted`) with its enclosing modules, from the scanner."""
    from parity_lsp.workspace.symbols import find_definitions

    defs = find_definitions("lib.rs", text, wanted)  # never raises; None: the scanner failed
    if not defs:
        return []
    mods = {d.qualname for d in defs if d.kind == "mod"}
    out = []
    for d in defs:
        if d.kind != "fn" or (wanted is not None and d.name not in wanted):
            continue
        segments = d.qualname.split("::")[:-1]
        modules = [seg for i, seg in enumerate(segments) if "::".join(segments[: i + 1]) in mods]
        out.append(RustTest(d.name, modules, d.disabled is not None, d.is_test))
    return out


@functools.lru_cache(maxsize=64)  # rows next to each other cite the same file; a key holds a text
def rust_tests(text: str) -> list[RustTest]:
    """Every `fn` with its enclosing inline modules and attributes."""
    return _rust_fns(text, None)


def find_rust_test(text: str, name: str) -> RustTest | None:
    """The fn called `name` (or `a::b::name`); a test fn wins over a helper of the same name."""
    parts = [p for p in name.replace(".", "::").split("::") if p]
    if not parts:
        return None
    candidates = _rust_fns(text, frozenset(parts[-1:]))
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


# --- other languages: the symbol finder's tests -----------------------------------------------

_SEPARATORS = re.compile(r"\s*(?:::|›|>)\s*")


def last_part(name: str) -> str:
    """The method or test of a name as matrices write it: `CartTest#addsItems`,
    `CalcTests.testAdd`, `CalcTests/testAdd`, `Class::method` → the part after the last
    separator."""
    return re.split(r"::|#|\.|/", name)[-1]


def cited_test(path: str, text: str, name: str) -> Definition | None:
    """The test of `path` a matrix names `name`: by its qualified name (`Class::method`,
    `Suite > title`), its name or title alone, or its last part (`CartTest#addsItems`,
    `CalcTests.testAdd`)."""
    from parity_lsp.workspace.symbols import find_definitions

    tests = [d for d in find_definitions(path, text) or () if d.is_test]
    wanted = _SEPARATORS.sub("::", name.strip())
    for d in tests:
        if d.qualname == wanted or d.name == wanted or d.qualname.endswith("::" + wanted):
            return d
    last = last_part(wanted)
    # GoogleTest's `DISABLED_` prefix: the matrix names the test as it was before
    return next((d for d in tests if d.name in (last, "DISABLED_" + last)), None)
