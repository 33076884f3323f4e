"""Symbol-not-found logic shared by PM303 (code) and PM305 (tests)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from parity_lsp.findings import Edit, Finding, Fix, Related, Severity
from parity_lsp.model import COL_TESTS, Reference, SymbolRef
from parity_lsp.rules._evidence import mention_lines, symbol_result, text_claim_found, usable_rel
from parity_lsp.rules._util import line_spec, path_as_written, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import Resolved, RowContext
from parity_lsp.text import Span
from parity_lsp.workspace.index import find_symbol_near


def missing_symbols(ctx: RowContext, rule: RuleInfo, tests_column: bool) -> Iterator[Finding]:
    """Findings for cited symbols not defined in their (existing) file, and (code columns) for
    cited text the file does not contain.

    - a name defined in the file: nothing; a name the file uses without defining it (a binding,
      a table name, a type defined elsewhere): PM303 at most an info saying where it appears;
      a name that is really gone: an error (a warning on a Designed/Planned row: a plan);
    - a test (PM305) must be defined: a mention in a comment proves nothing;
    - a text claim (`sensor_eval:{id}` formats, calls, prose in a code span): found verbatim,
      nothing; absent, a warning "text … not found";
    - a reference in a "Missing proof: …" segment names what is not there: not checked."""
    for ref in ctx.path_refs():
        if (
            not (ref.symbols or ref.texts)
            or ref.in_missing
            or (ctx.role_of(ref) == COL_TESTS) != tests_column
        ):
            continue
        res = ctx.resolve(ref)
        rel = usable_rel(ctx, res)
        if rel is None or not res.is_file:
            continue
        src = res.source
        if src is None or not src.readable:
            why = src.error if src is not None and src.error else "cannot be read"
            names = ", ".join(f"`{s.name}`" for s in (*ref.symbols, *ref.texts))
            yield ctx.finding(
                rule,
                ref.span,
                f"`{ref.path}` is not read ({why}): whether it defines {names} cannot be checked",
                severity=Severity.WARNING,
            )
            continue  # one warning for the file, not one per symbol
        for sym in ref.symbols:
            found = _missing_symbol(ctx, rule, ref, rel, res, sym, tests_column)
            if found is not None:
                yield found
        for claim in ref.texts:
            if text_claim_found(res, claim.name) is False:
                yield ctx.finding(
                    rule,
                    claim.span,
                    f"text `{claim.name}` not found in `{ref.path}`",
                    severity=min(rule.severity, Severity.WARNING),
                )


def _missing_symbol(
    ctx: RowContext,
    rule: RuleInfo,
    ref: Reference,
    rel: str,
    res: Resolved,
    sym: SymbolRef,
    tests_column: bool,
) -> Finding | None:
    result = symbol_result(res, sym)
    if result is None or (result.found and result.language_known):
        return None
    what = "test" if tests_column else "symbol"
    if result.found:
        # languages we do not parse: a whole-word match is all we can say
        line = result.word_lines[0] + 1
        return ctx.finding(
            rule,
            sym.span,
            f"`{sym.name}` found only by word search at line {line} of `{ref.path}`: "
            "this file's language is not understood",
            severity=min(rule.severity, Severity.INFO),
            related=[Related(rel, result.word_lines[0], 0, f"`{sym.name}` occurs here")],
        )
    fix, related, alternatives, meant = _relocation(ctx, ref, rel, res, sym, tests_column)
    where = f" (it is defined in `{related[0].path}`)" if related else ""
    if not result.language_known:
        msg = (
            f"{what} `{sym.name}` does not occur in `{ref.path}` "
            "(language not understood; searched for the word)"
        )
        return ctx.finding(rule, sym.span, msg, fix=fix, related=related, alternatives=alternatives)
    if not tests_column:
        # a name the file uses is not a typo of a similar name: only the file defining it is offered
        found = _mentioned(
            ctx, rule, ref, rel, res, sym, where, related, *((None, []) if meant else (fix, alternatives))
        )
        if found is not None:
            return found
    if meant is not None:
        where += f" (did you mean `{meant}`?)"
    severity = min(rule.severity, Severity.WARNING) if ctx.relaxed else None
    msg = f"{what} `{sym.name}` is not defined in `{ref.path}`{where}"
    return ctx.finding(
        rule, sym.span, msg, fix=fix, related=related, alternatives=alternatives, severity=severity
    )


def _mentioned(
    ctx: RowContext,
    rule: RuleInfo,
    ref: Reference,
    rel: str,
    res: Resolved,
    sym: SymbolRef,
    where: str,
    related: list[Related],
    fix: Fix | None,
    alternatives: list[Fix],
) -> Finding | None:
    """A name the file uses without defining it (a binding, a table name, a type defined
    elsewhere): an info when it is used where the row says (anywhere, when no line is cited);
    a warning when a cited line misses it and no other file defines it (the line drifted). None:
    not used, or moved (defined in another file, and not at the cited line): an error."""
    lines = mention_lines(res, sym.name, limit=None)
    if not lines:
        return None
    if ref.line_start is None:
        cited = lines
    else:
        first, last = ref.line_start - 1, (ref.line_end or ref.line_start) - 1
        cited = [n for n in lines if first <= n <= last]
    shown = (cited or lines)[:3]
    at = ", ".join(str(n + 1) for n in shown)
    appears = [Related(rel, n, 0, f"`{sym.name}` appears here") for n in shown]
    plural = "s" if len(shown) > 1 else ""
    if cited:
        return ctx.finding(
            rule,
            sym.span,
            f"`{sym.name}` is not defined in `{ref.path}` but appears in it (line{plural} {at}){where}",
            severity=min(rule.severity, Severity.INFO),
            related=appears + related,
            fix=fix,
            alternatives=alternatives,
        )
    if related:
        return None  # defined in another file, only called here: the definition moved
    cited_at = f"line {ref.line_start}" if ref.line_end is None else f"lines {ref.line_start}-{ref.line_end}"
    return ctx.finding(
        rule,
        sym.span,
        f"`{sym.name}` is not defined in `{ref.path}`; it appears at line{plural} {at}, "
        f"not at the cited {cited_at}",
        severity=min(rule.severity, Severity.WARNING),
        related=appears,
    )


def _relocation(
    ctx: RowContext, ref: Reference, rel: str, res: Resolved, sym: SymbolRef, tests_column: bool = False
) -> tuple[Fix | None, list[Related], list[Fix], str | None]:
    """(fix, related, alternatives, the name meant): the file where the symbol is defined, when
    unique; else the names in the file most like it (a test's: the file's tests), best first,
    the first one the fix and the name meant ("did you mean"). All suggestions: never safe."""
    hits = find_symbol_near(ctx.ws, rel, sym.name)
    files = sorted({f for f, _ in hits})
    related = [Related(f, d.line, 0, f"`{d.qualname}` is defined here") for f, d in hits[:5]]
    if len(files) == 1:
        f = files[0]
        d = next(d for ff, d in hits if ff == f)
        new = path_as_written(ref, f)
        edits = [Edit(ctx.matrix.path, ref.span, new)]
        if ref.line_span is not None:
            original = ctx.matrix.text[ref.line_span.start : ref.line_span.end]
            edits.append(Edit(ctx.matrix.path, ref.line_span, line_spec(original, d.line + 1)))
        # a different file is a guess (the symbol may be defined there and still be meant here),
        # not a rename git recorded: suggested, never applied by `parity-lsp fix`
        fix = Fix(f"Point to `{new}`, where `{sym.name}` is defined", tuple(edits), safe=False)
        return fix, related, [], None
    src = res.source
    defs = (src.definitions if src is not None else None) or []
    if tests_column and any(d.is_test for d in defs):
        defs = [d for d in defs if d.is_test]
    written = ctx.matrix.text[sym.span.start : sym.span.end]
    last = _LAST_PART.search(written)
    word = last.group() if last is not None else written
    close = difflib.get_close_matches(word, sorted({d.name for d in defs}), n=3, cutoff=0.75)
    if not close or last is None:
        return None, related, [], None
    # only the last part of `Type::methd` changes: the rest of the path is as written
    span = Span(sym.span.start + last.start(), sym.span.start + last.end())
    fixes = [replace_fix(ctx.matrix.path, span, name, f"Replace with `{name}`", safe=False) for name in close]
    return fixes[0], related, fixes[1:], close[0]


_LAST_PART = re.compile(r"[^\s:.()]+(?=(?:\(\))?\s*$)")
