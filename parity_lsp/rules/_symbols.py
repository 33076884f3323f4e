"""Symbol-not-found logic shared by PM303 (code) and PM305 (tests)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from parity_lsp.findings import Edit, Finding, Fix, Related, Severity
from parity_lsp.model import COL_TESTS, Reference, SymbolRef
from parity_lsp.rules._evidence import symbol_result, usable_rel
from parity_lsp.rules._util import line_spec, path_as_written, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import Resolved, RowContext
from parity_lsp.workspace.index import find_symbol_near


def missing_symbols(ctx: RowContext, rule: RuleInfo, tests_column: bool) -> Iterator[Finding]:
    """Findings for cited symbols not defined in their (existing) file."""
    for ref in ctx.path_refs():
        if not ref.symbols or (ref.column == COL_TESTS) != tests_column:
            continue
        res = ctx.resolve(ref)
        rel = usable_rel(ctx, res)
        if rel is None or not res.is_file:
            continue
        for sym in ref.symbols:
            result = symbol_result(res, sym)
            if result is None:
                src = res.source
                why = src.error if src is not None and src.error else "cannot be read"
                names = ", ".join(f"`{s.name}`" for s in ref.symbols)
                yield ctx.finding(
                    rule,
                    ref.span,
                    f"`{ref.path}` is not read ({why}): whether it defines {names} cannot be checked",
                    severity=Severity.WARNING,
                )
                break  # one warning for the file, not one per symbol
            what = "test" if tests_column else "symbol"
            if result.found and result.language_known:
                continue
            if result.found:
                # languages we do not parse: a whole-word match is all we can say
                line = result.word_lines[0] + 1
                yield ctx.finding(
                    rule,
                    sym.span,
                    f"`{sym.name}` found only by word search at line {line} of `{ref.path}`: "
                    "this file's language is not understood",
                    severity=min(rule.severity, Severity.INFO),
                    related=[Related(rel, result.word_lines[0], 0, f"`{sym.name}` occurs here")],
                )
                continue
            fix, related, alternatives = _relocation(ctx, ref, rel, res, sym)
            where = f" (it is defined in `{related[0].path}`)" if related else ""
            if not result.language_known:
                msg = (
                    f"{what} `{sym.name}` does not occur in `{ref.path}` "
                    "(language not understood; searched for the word)"
                )
            else:
                msg = f"{what} `{sym.name}` is not defined in `{ref.path}`{where}"
            yield ctx.finding(rule, sym.span, msg, fix=fix, related=related, alternatives=alternatives)


def _relocation(
    ctx: RowContext, ref: Reference, rel: str, res: Resolved, sym: SymbolRef
) -> tuple[Fix | None, list[Related], list[Fix]]:
    """Fix: the file where the symbol is defined, when unique; else the closest name in the file."""
    hits = find_symbol_near(ctx.ws, rel, sym.name)
    files = sorted({f for f, _ in hits})
    related = [Related(f, d.line, 0, f"`{d.qualname}` is defined here") for f, d in hits[:5]]
    alternatives: list[Fix] = []
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
        return fix, related, alternatives
    src = res.source
    if src is not None and src.definitions:
        names = sorted({d.name for d in src.definitions})
        close = difflib.get_close_matches(sym.name.split("::")[-1].split(".")[-1], names, n=3, cutoff=0.75)
        for name in close:
            alternatives.append(
                replace_fix(ctx.matrix.path, sym.span, name, f"Replace with `{name}`", safe=False)
            )
    return None, related, alternatives
