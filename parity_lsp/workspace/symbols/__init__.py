"""The symbol finder: definitions and tests in the languages of the registry
(`parity_lsp.languages`: Rust, Python, Go, TypeScript/JavaScript by the hand scanners here;
Swift, Java, Kotlin, C#, C, C++ and Ruby by tree-sitter grammars), and the lookup of a
symbol as written in a parity matrix (`Type::method`, `Class.method`, `Class#method`,
`Suite/Name`, `crate::m::f()`, a test title, ...).

Invariant: pure functions over `str`, no IO, and they never raise on any input (garbage,
binary-looking text, unbalanced braces, huge files): worst case they return fewer definitions.
A bug of their own that raises is logged (`parity_lsp.workspace` logger) and answers "not
understood" (None), never "nothing defined", so that no row is told its symbol is missing.
They run in (near) linear time; the hand scanners are regex/brace/indent based, not full
parsers; a tree-sitter scan that meets a syntax error returns `PartialDefinitions`, and a
grammar that cannot be loaded means "not understood" (logged once per language).

Lines are 0-based; line breaks are \\n, \\r\\n and lone \\r (as in `parity_lsp.text.LineIndex`).
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from parity_lsp import languages

from ._common import Rec, TooDeep, normalize_newlines
from .generic import word_occurrences

__all__ = [
    "Definition",
    "PartialDefinitions",
    "find_definitions",
    "language_for_path",
    "lookup",
    "lookup_names",
    "word_occurrences",
]


@dataclass(frozen=True, slots=True)
class Definition:
    name: str  # simple name, e.g. "method"
    qualname: str  # container path joined with "::" ("Type::method", "tests::it_works", "suite::does x")
    kind: (
        str  # see the per-language scanners; Rust trait impls are kind "impl" with qualname "<Type as Trait>"
    )
    line: int  # 0-based line where the name is declared
    start_line: int  # 0-based first line of the item incl. attributes, decorators, doc comments
    end_line: int  # 0-based last line of the item, inclusive
    is_test: bool
    disabled: str | None = None  # why the test is disabled (the attribute/decorator/call), else None
    signature: str = ""  # the declaration, whitespace collapsed, at most ~200 chars


def language_for_path(path: str) -> str | None:
    """The id of the path's language in the registry (`parity_lsp.languages`): "rust",
    "python", "go", "typescript", "javascript", "java", ... or None."""
    lang = languages.for_path(path)
    return lang.id if lang is not None else None


Scan = Callable[[str], list[Rec]]  # a language's scanner: text (newlines normalized) -> records


def _scanner(lang: str) -> Scan:
    """The scan function of a registered language id (imported on first use)."""
    found = languages.by_id(lang)
    if found is None:
        raise KeyError(lang)
    scan: Scan = languages.scanner(found)
    return scan


_log = logging.getLogger("parity_lsp.workspace")
_LOGGED_MAX = 4096
_logged: set[tuple[str, str]] = set()  # failures already logged: (what, file or symbol)


def _log_failure(what: str, about: str, message: str, *args: object, exc_info: bool = True) -> None:
    """Log the exception being handled, once per (`what`, `about`): a file is scanned again
    when it changes, a symbol is looked up by every row citing it."""
    key = (what, about)
    if key in _logged:
        return
    if len(_logged) >= _LOGGED_MAX:
        _logged.clear()
    _logged.add(key)
    _log.warning(message, about, *args, exc_info=exc_info)


class PartialDefinitions(list[Definition]):
    """Definitions of a file its scanner could not read entirely (a syntax error): `lookup`
    answers "not understood" (None) for a name it does not find there, never "not defined"."""

    __slots__ = ()


def find_definitions(path: str, text: str, wanted: frozenset[str] | None = None) -> list[Definition] | None:
    """Definitions in `text`, or None when the language of `path` is not understood
    (the caller then falls back to `word_occurrences`). With `wanted` (see `lookup_names`),
    a scanner with `partial_scan` (Rust) records only the functions of those names, with every
    other item: enough for `lookup` of those names to answer what it answers on all of them.
    A scan that met syntax it could not read returns `PartialDefinitions`. Never raises: a
    scanner that fails, or whose grammar cannot be loaded, is logged (once per file, or once
    per language) and the language counts as not understood."""
    lang = languages.for_path(path)
    if lang is None:
        return None
    try:
        text = normalize_newlines(text)
        scan = languages.scanner(lang)
        recs = scan(text, wanted) if wanted is not None and lang.partial_scan else scan(text)
        out: list[Definition] = PartialDefinitions() if isinstance(recs, languages.PartialRecs) else []
        append = out.append
        for r in recs:
            line = r.line
            if line < 0:
                line = 0
            start = r.start_line
            if start > line:
                start = line
            elif start < 0:
                start = 0
            end = r.end_line
            if end < line:
                end = line
            # positional: name, qualname, kind, line, start_line, end_line, is_test, disabled, signature
            append(
                Definition(
                    r.name, r.qualname, r.kind, line, start, end, bool(r.is_test), r.disabled, r.signature
                )
            )
        return out
    except TooDeep as exc:  # a limit, not a bug: "not understood", said once per file (no traceback)
        _log_failure("deep", path, "symbols of %s are searched for as words: %s", exc, exc_info=False)
        return None
    except Exception as exc:  # noqa: BLE001 - a scanner's bug must not fail the check: logged, and "not understood"
        if _unavailable(exc):
            _log_failure(
                "grammar",
                lang.name,
                "%s files are searched for as words: the scanner cannot be loaded"
                f" (install {', '.join(r.replace('_', '-') for r in lang.requires) or 'it'})",
            )
        else:
            _log_failure("scan", path, "symbol scanner failed on %s: its symbols are searched for as words")
        return None


def _unavailable(exc: Exception) -> bool:
    """A scanner that cannot be loaded (a grammar wheel missing), not a scanner's bug."""
    if isinstance(exc, ImportError):
        return True
    from parity_lsp.languages._treesitter import GrammarUnavailable

    return isinstance(exc, GrammarUnavailable)


# --- lookup -----------------------------------------------------------------------------

_AS_TRAIT = re.compile(r"^<\s*(.+?)\s+as\s+(.+?)\s*>$")
_QUALIFIED_AS = re.compile(r"^<\s*(.+?)\s+as\s+(.+?)\s*>\s*::\s*(.+)$")


def _strip_calls(s: str) -> str:
    """Remove trailing `(...)` groups (call parentheses or parameter lists) and a macro `!`."""
    for _ in range(8):
        s = s.rstrip()
        if s.endswith("!"):
            s = s[:-1]
            continue
        if not s.endswith(")"):
            break
        depth = 0
        idx = -1
        for i in range(len(s) - 1, -1, -1):
            c = s[i]
            if c == ")":
                depth += 1
            elif c == "(":
                depth -= 1
                if depth == 0:
                    idx = i
                    break
        if idx <= 0:
            break
        s = s[:idx]
    return s.rstrip()


def _strip_generics(s: str) -> str:
    for _ in range(10):
        t = re.sub(r"<[^<>]*>", "", s)
        if t == s:
            break
        s = t
    return s


# `Type::method`, `Class.method`, `Class#method` (Ruby, JUnit's `-Dtest=`), `Suite/Name`
# (GoogleTest, JUnit XML); not the `#` of a Rust raw identifier `r#type`
_SEPARATORS = re.compile(r"::|\.|/|#(?<!\br#)")


def _segments(s: str) -> list[str]:
    out = []
    for part in _SEPARATORS.split(s):
        part = part.strip().strip("&*() \t")
        if part.startswith("r#"):
            part = part[2:]
        if part:
            out.append(part)
    return out


_PLAIN_NAME = re.compile(r"[^\W\d]\w*")


@functools.lru_cache(maxsize=4096)  # a symbol is asked for by its scan's names, then by the lookup
def _forms(raw: str) -> list[list[str]]:
    """The segment lists `raw` may stand for (callers must not change them: shared)."""
    if _PLAIN_NAME.fullmatch(raw):
        return [[raw]]  # `tick_key`: most symbols, nothing to strip
    s = _strip_calls(raw)
    forms: list[list[str]] = []
    qm = _QUALIFIED_AS.match(s)
    if qm:
        typ, trait, rest = qm.group(1), qm.group(2), qm.group(3)
        for head in (trait, typ):
            forms.append(_segments(_strip_generics(head)) + _segments(_strip_generics(rest)))
    else:
        forms.append(_segments(_strip_generics(s)))
    return [f for f in forms if f]


def _tolerated_prefix(segs: list[str]) -> bool:
    """Path segments the file does not show (crate, module, package names) are tolerated;
    a capitalised one (a type or class) must match."""
    return all(not seg[:1].isupper() for seg in segs)


def _rank(sym: list[str], qual: list[str], name: str) -> tuple[int, int, int] | None:
    """(tier, -matched segments, symbol segments left unmatched) or None.

    Tier 0: the qualname is the symbol. Tier 1: one is a suffix of the other (the symbol
    carries a tolerated crate/module prefix, or names only the tail of a longer path).
    Tier 2: a bare name equal to the definition's simple name.
    """
    k = len(sym)
    m = len(qual)
    if sym == qual:
        return (0, -k, 0)
    c = 0
    while c < k and c < m and sym[k - 1 - c] == qual[m - 1 - c]:
        c += 1
    if c and c == m and c < k and _tolerated_prefix(sym[: k - c]):
        return (1, -c, k - c)
    if c and c == k and k >= 2:
        return (1, -c, 0)
    if k == 1 and name == sym[0]:
        return (2, -1, 0)
    return None


def _impl_index(defs: list[Definition]) -> dict[tuple[str, ...], list[tuple[str, int, int]]]:
    """Rust `impl Trait for Type` blocks by the qualname path of their methods' container:
    (*module path, "Type") -> [(trait, start_line, end_line)]."""
    impls: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
    for d in defs:
        if d.kind != "impl" or not d.qualname.endswith(">"):
            continue
        segs = d.qualname.split("::")
        am = _AS_TRAIT.match(segs[-1])
        if am:
            key = tuple(segs[:-1]) + (am.group(1),)
            impls.setdefault(key, []).append((am.group(2), d.start_line, d.end_line))
    return impls


def _trait_aliases(
    d: Definition, segs: list[str], impls: dict[tuple[str, ...], list[tuple[str, int, int]]]
) -> list[list[str]]:
    """A method of `impl Trait for Type` is also known as `Trait::method`."""
    if len(segs) < 2 or d.kind == "impl":
        return []
    return [
        segs[:-2] + [trait, segs[-1]] for trait, a, b in impls.get(tuple(segs[:-1]), ()) if a <= d.line <= b
    ]


def _lookup(defs: list[Definition], raw: str) -> list[Definition]:
    forms = _forms(raw)
    lasts = {f[-1] for f in forms}
    lasts_t = tuple(lasts)
    impls = None
    scored = []
    for i, d in enumerate(defs):
        name = d.name
        is_titled = d.kind in ("test", "describe")
        # cheap prefilter: every match ends with the definition's name (or is a test title)
        if (
            name not in lasts
            and d.qualname != raw
            and not (is_titled and raw.endswith(name))
            and not d.qualname.endswith(lasts_t)
        ):
            continue
        qsegs = d.qualname.split("::")
        best: tuple[int, int, int] | None = None
        if d.qualname == raw:
            best = (0, -len(qsegs), 0)
        elif is_titled:
            # jest-style full names: the describe titles and the test title joined by spaces
            suite = d.qualname[: max(0, len(d.qualname) - len(name) - 2)]
            if suite and d.qualname.endswith("::" + name):
                for sep in (" ", " > ", " › "):
                    if raw == suite.replace("::", sep) + sep + name:
                        best = (0, -len(qsegs), 0)
                if best is None and raw in _rspec_names(qsegs):
                    best = (0, -len(qsegs), 0)
            if best is None and name == raw:
                best = (2, -1, 0)
        if best is None or best[0] != 0:
            stripped = [s.strip() for s in qsegs]
            quals = [stripped]
            if d.kind != "impl" and len(stripped) >= 2:
                if impls is None:
                    impls = _impl_index(defs)
                if impls:
                    quals += _trait_aliases(d, stripped, impls)
            for sym in forms:
                for q in quals:
                    r = _rank(sym, q, name)
                    if r is not None and (best is None or r < best):
                        best = r
        if best is not None:
            scored.append((best, d.kind == "impl", i, d))
    if not scored:
        return []
    # "match on the longest suffix": a tolerated-prefix match (segments of the symbol left
    # unmatched) only counts when nothing matches more of the symbol.
    longest = max(-b[1] for b, _impl, _i, _d in scored)
    scored = [x for x in scored if x[0][2] == 0 or -x[0][1] == longest]
    scored.sort(key=lambda x: (x[0][0], x[0][1] if x[0][0] == 1 else 0, x[1], x[2]))
    return [x[3] for x in scored]


_CONSTANT = re.compile(r"[A-Z]\w*")


def _rspec_names(segments: list[str]) -> tuple[str, ...]:
    """RSpec's full description: the groups' and the example's joined by spaces, with no
    space before a group named like a method (`#add`, `.build`). A group named by a constant
    `Ledger::Store` has `::` in its own name: two constants in a row may be joined by `::`."""
    spaced = joined = segments[0]
    for prev, seg in itertools.pairwise(segments):
        sep = "" if seg.startswith(("#", ".")) else " "
        spaced += sep + seg
        both = _CONSTANT.fullmatch(prev) and _CONSTANT.fullmatch(seg)
        joined += "::" + seg if both else sep + seg
    return (spaced, joined)


def _raw_symbol(symbol: str) -> str | None:
    raw = symbol.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "`'\"":
        raw = raw[1:-1].strip()
    return raw if raw and len(raw) <= 4096 else None


def _alternative(raw: str) -> str:
    """pytest parametrized ids `test_x[case]` and Go subtests `TestX/case`: the test itself."""
    alt = re.sub(r"\[[^\[\]]*\]$", "", raw).strip()
    if "/" in alt and not alt.startswith("/"):
        alt = alt.split("/", 1)[0].strip()
    return alt


def lookup_names(symbol: str) -> frozenset[str] | None:
    """The simple names a definition must have for `lookup(defs, symbol)` to return it
    (None: cannot tell, scan everything)."""
    try:
        raw = _raw_symbol(symbol) if isinstance(symbol, str) else None
        if raw is None:
            return None
        names = {f[-1] for form in (raw, _alternative(raw)) if form for f in _forms(form)}
        names |= {_DISABLED + n for n in names}  # a GoogleTest test disabled since it was cited
        return frozenset(names) or None
    except Exception:  # noqa: BLE001 - a bug here must not fail the check: logged, and the whole file is scanned
        _log_failure("names", symbol, "symbol names of %r could not be computed: scanning the whole file")
        return None


_DISABLED = "DISABLED_"


def _disabled_since(defs: list[Definition], raw: str) -> list[Definition]:
    """`Suite.Name` cited, `TEST(Suite, DISABLED_Name)` in the file: GoogleTest disables a
    test by renaming it, so the row's test is there, disabled (PM308), not missing (PM305)."""
    forms = _forms(raw)
    if not forms or any(f[-1].startswith(_DISABLED) for f in forms):
        return []
    renamed = [f[:-1] + [_DISABLED + f[-1]] for f in forms]
    found = _lookup(defs, "::".join(renamed[0]))
    return [d for d in found if d.disabled is not None]


def lookup(defs: list[Definition], symbol: str) -> list[Definition] | None:
    """All definitions matching a symbol as written in a matrix: `parse_row`, `Type::method`,
    `Class.method`, `Class::method`, `crate::module::Type::method` (a path prefix that is not in
    the file, like crate/module names, is tolerated: match on the longest suffix of qualname
    segments), `fn_name()` (trailing parens stripped), `Type::method()`; Rust
    `impl Trait for Type` methods are found as `Type::method` (and as `Trait::method`); a struct
    field `Type::field` or `Type.field`. Exact qualname matches come first; a bare name matches
    every definition with that simple name. For TS test names, the symbol may be the test's
    string title. Never raises: None when the lookup itself failed (logged), which callers
    treat as a language not understood rather than as "not defined"."""
    try:
        if not defs or not isinstance(symbol, str):
            # a scan that read nothing of a file it could not parse (past its time budget):
            # not understood
            return None if isinstance(defs, PartialDefinitions) else []
        raw = _raw_symbol(symbol)
        if raw is None:
            return []
        found = _lookup(defs, raw)
        if not found:
            alt = _alternative(raw)
            if alt and alt != raw:
                found = _lookup(defs, alt)
        if not found:
            found = _disabled_since(defs, raw)
        if not found and isinstance(defs, PartialDefinitions):
            return None  # the scanner could not read all of the file: it may be defined there
        return found
    except Exception:  # noqa: BLE001 - a lookup bug must not fail the check: logged, and "not understood"
        _log_failure("lookup", symbol, "symbol lookup of %r failed: it is searched for as a word")
        return None
