"""Shared evidence judgements used by several rules (one place, so rules cannot disagree)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parity_lsp.model import COL_TESTS, Reference, RefKind, SymbolRef
from parity_lsp.roles import is_document
from parity_lsp.rules.context import Resolved, RowContext
from parity_lsp.workspace.symbols import Definition, word_occurrences


@dataclass(slots=True)
class SymbolResult:
    symbol: SymbolRef
    definitions: list[Definition]  # empty when not found
    word_lines: list[int]  # 0-based lines, for languages that are not understood
    language_known: bool

    @property
    def found(self) -> bool:
        return bool(self.definitions or self.word_lines)


def symbol_result(res: Resolved, sym: SymbolRef) -> SymbolResult | None:
    """None when the file cannot be read (missing, too large, binary)."""
    src = res.source
    if src is None or not src.readable:
        return None
    defs = res.lookup(sym.name)
    if defs is None:
        text = src.text
        if text is None:
            return None
        return SymbolResult(sym, [], word_occurrences(text, sym.name), False)
    return SymbolResult(sym, defs, [], True)


def mention_lines(res: Resolved, name: str, limit: int | None = 3) -> list[int]:
    """0-based lines (at most `limit`, None: all) where `name` is written in the file as a whole word
    (`Type::method` as written, not just `method`): a name the file uses without defining it
    (a binding, a table name, a field of another file's type). Empty when the file is unreadable."""
    src = res.source
    text = src.text if src is not None and src.readable else None
    word = name[:-2] if name.endswith("()") else name
    if not text or not word or len(word) > _LONGEST_NAME or word not in text:
        return []
    text = _lf(text)
    pattern = re.compile(r"(?<![\w$])" + re.escape(word) + r"(?![\w$])")
    out: list[int] = []
    line = pos = 0
    for m in pattern.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if not out or out[-1] != line:
            out.append(line)
            if limit is not None and len(out) >= limit:
                break
    return out


_LONGEST_NAME = 1000  # no identifier is longer: a longer "name" is not looked for
_LONGEST_FOLDED = 2000  # a longer text claim must match exactly (no pattern built from it)


def _lf(text: str) -> str:
    """`text` with every line break a \\n (lines keep their numbers)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def text_claim_found(res: Resolved, claim: str) -> bool | None:
    """Does the file contain `claim` (verbatim, or with its whitespace runs folded)? None when
    the file cannot be read."""
    src = res.source
    text = src.text if src is not None and src.readable else None
    if text is None:
        return None
    if claim in text:
        return True
    words = claim.split()
    if len(words) < 2 or len(claim) > _LONGEST_FOLDED:
        return False
    return re.search(r"\s+".join(re.escape(w) for w in words), text) is not None


def usable(ctx: RowContext, res: Resolved) -> bool:
    """The reference names an existing, readable-or-directory path inside the workspace."""
    return not res.escapes and res.exists and not ctx.forbidden(res.rel or "")


def usable_rel(ctx: RowContext, res: Resolved) -> str | None:
    """The reference's workspace path when it is `usable`, else None."""
    rel = res.rel  # None when it escapes the workspace
    return rel if rel is not None and res.exists and not ctx.forbidden(rel) else None


def test_resolves(ctx: RowContext, ref: Reference) -> bool:
    """A proving test resolves: its file exists and, when tests are named, one of them is found;
    a bare test name is defined somewhere in the workspace (or found by word search)."""
    if ref.kind == RefKind.NAME:
        return _name_resolves(ctx, ref)
    if ref.kind == RefKind.GLOB:
        return glob_matches(ctx, ref.pattern or "")
    if ref.kind != RefKind.PATH:
        return False
    res = ctx.resolve(ref)
    if len(res.by_name) > 1:
        return True  # a bare file name of several files: PM309 says which
    if not usable(ctx, res) or not res.is_file:
        return False
    if not ref.symbols:
        return True
    for sym in ref.symbols:
        result = symbol_result(res, sym)
        if result is None:
            return True  # the file exists but is not read (too large, binary): PM305 says so
        if result.found:
            return True
    return False


def test_refs(ctx: RowContext) -> list[Reference]:
    """Cited proving tests: a path named in a "Missing proof:" segment is not one, nor is a
    document (`docs/testing.md` proves nothing)."""
    return [
        r
        for r in ctx.refs(COL_TESTS)
        if (r.kind in (RefKind.NAME, RefKind.GLOB) or (r.kind == RefKind.PATH and not is_document(r.path)))
        and not r.in_missing
    ]


def glob_matches(ctx: RowContext, pattern: str) -> bool:
    """Does a cited glob match a file or directory of the workspace (memoized for the run)?"""
    key = ("glob", pattern)
    found: bool | None = ctx.resolver.memo.get(key)
    if found is None:
        try:
            rx = glob_regex(pattern)
        except re.error:
            found = True  # not a glob we can read: not reported
        else:
            found = any(rx.fullmatch(f) for f in ctx.ws.files())
        ctx.resolver.memo[key] = found
    return found


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over workspace paths: `**/` any directories, `*` and `?` within one,
    `[abc]` a set; a directory matches when a file lies under it."""
    out: list[str] = []
    pat = pattern[2:] if pattern.startswith("./") else pattern
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (j := pat.find("]", i + 1)) > i + 1:
            body = pat[i + 1 : j]
            neg = body.startswith(("!", "^"))
            body = body[1:] if neg else body
            out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def _name_resolves(ctx: RowContext, ref: Reference) -> bool:
    for sym in ref.symbols:
        found = ctx.name_resolution(sym.name)
        if found.defined or found.unknown:
            return True
    return False


def proof_resolves(ctx: RowContext, ref: Reference) -> bool:
    """Any proof that resolves (a table with no tests column, PM201): a file that exists and
    is not a document, with one of its cited names defined (or its cited text found); or a CI
    reference naming an existing workflow, a job and a command."""
    if ref.in_missing or (ref.kind == RefKind.PATH and is_document(ref.path)):
        return False
    if ref.kind == RefKind.NAME:
        return _name_resolves(ctx, ref)
    if ref.kind in (RefKind.GLOB, RefKind.COMMAND):
        return False  # a glob or a command says files exist, not that they prove the claim
    res = ctx.resolve(ref)
    if not usable(ctx, res):
        return False
    if ref.kind == RefKind.CI:
        return bool(ref.job and ref.commands)
    if not (ref.symbols or ref.texts) or not res.is_file:
        return True
    for sym in ref.symbols:
        result = symbol_result(res, sym)
        if result is None or result.found:
            return True
    return any(text_claim_found(res, t.name) is not False for t in ref.texts)
