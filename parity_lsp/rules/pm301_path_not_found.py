"""PM301 path-not-found: a cited file or directory does not exist."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterator

from parity_lsp.findings import DeferredFix, Finding, Fix, Severity
from parity_lsp.model import Reference, RefKind
from parity_lsp.rules._util import SAFE_RATIO, path_as_written, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import MatrixContext, RowContext, Suggestions
from parity_lsp.workspace.fs import normalize_rel
from parity_lsp.workspace.headings import document_anchors
from parity_lsp.workspace.index import Workspace, find_symbol_near

RULE = RuleInfo(
    code="PM301",
    name="path-not-found",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Cited file or directory does not exist",
    fixable=True,
    doc="""\
## What it does
Checks that every path cited as evidence (code spans, links, bare `dir/file.ext`) exists,
relative to the workspace root (links: relative to the matrix file first, then the root).
A bare file name (`CalcTests.swift`) not at the root resolves by base name across the
workspace: one file of that name is the file cited, several are PM309, none is this rule.
Placeholders (`N/A`, `TBD`, `-`, `none`, `Gap`) are "no evidence", never a path.
A heading after a Markdown file (`[design](design.md#retry-policy)`) must be one of its
headings, by GitHub's slug (the heading's text lower-cased, punctuation dropped, spaces as `-`;
`-1`, `-2` for repeats) or an HTML `id`/`name`: a warning when it is gone, with the closest
heading suggested.
Severity is warning on planned rows (Designed/Planned, or `not started`, `⬜` ... in a table with
its own words) and inside a "Missing proof" cell.

## Why is this bad?
Evidence that does not exist proves nothing. Files move and get deleted; the matrix keeps
pointing at them and keeps claiming the capability.

## Example
```markdown
| Tick keys | ... | `crates/core/src/tick.rs` | ...
```

## Fix
The path git history says the file was renamed to: the only fix `parity-lsp fix` applies, and
only when git recorded the rename of exactly that file. Everything else is a suggestion offered
in the editor, never applied: a directory whose files moved to one place, the file that defines
the cited symbol, a similarly named path (a similar name is a guess, however close). A path in a
"Missing proof: …" segment names a file to be written: it is never rewritten by `fix`, and no
similar path is suggested for it.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        if ref.kind == RefKind.CI:
            continue  # PM401
        res = ctx.resolve(ref)
        if res.exists and ref.fragment is not None and res.rel is not None:
            yield from _missing_heading(ctx, ref, res.rel)
        if res.escapes or res.exists or len(res.by_name) > 1:
            continue  # several files of that base name: PM309
        severity = Severity.WARNING if ctx.relaxed or ctx.in_missing_cell(ref) else RULE.severity
        fix: Fix | None = None
        deferred: DeferredFix | None = None
        when = ctx.resolver.suggestions
        if when is Suggestions.WHEN_ASKED:
            deferred = _deferred_path_fix(ctx.ws, ctx.matrix.path, ref, res.rel)
        elif when is Suggestions.NOW:
            fix = path_fix(ctx, ref, res.rel)
        else:  # safe fixes only: no search for a similar path nor the cited symbol's new file
            fix = safe_path_fix(ctx.ws, ctx.matrix.path, ref, res.rel, suggest=False)[0]
        yield ctx.finding(
            RULE, ref.span, f"`{ref.path}` does not exist", severity=severity, fix=fix, deferred=deferred
        )


def _missing_heading(ctx: RowContext, ref: Reference, rel: str) -> Iterator[Finding]:
    """`guide.md#retry-policy` where `guide.md` has no such heading (a warning: the file is there,
    the link lands at its top). Markdown documents only; the slug rules: workspace/headings.py."""
    fragment, span = ref.fragment, ref.fragment_span
    if fragment is None or span is None or not rel.lower().endswith((".md", ".markdown")):
        return
    found = document_anchors(ctx.ws.fs, rel)
    if found is None:
        return  # unreadable (too large, not UTF-8): nothing to say about its headings
    if found.has(fragment):
        return
    close = difflib.get_close_matches(fragment.lower(), found.headings, n=1, cutoff=0.6)
    fix = (
        replace_fix(ctx.matrix.path, span, close[0], f"Replace with `#{close[0]}`", safe=False)
        if close
        else None
    )
    message = f"`{ref.path}` has no heading `#{fragment}`"
    yield ctx.finding(RULE, span, message, severity=Severity.WARNING, fix=fix)


def path_fix(ctx: RowContext | MatrixContext, ref: Reference, rel: str | None) -> Fix | None:
    """Best replacement for a missing path: a git-recorded rename (safe), else a suggestion
    (see `safe_path_fix`)."""
    fix, suggest = safe_path_fix(ctx.ws, ctx.matrix.path, ref, rel)
    return fix if fix is not None or suggest is None else suggest()


def _deferred_path_fix(ws: Workspace, matrix_path: str, ref: Reference, rel: str | None) -> DeferredFix:
    """`safe_path_fix` when an editor asks: the nearest path needs the list of every file of
    the workspace, which the first diagnostics of a matrix do not."""
    plan = functools.cache(lambda: safe_path_fix(ws, matrix_path, ref, rel))

    def suggest() -> Fix | None:
        suggestion = plan()[1]
        return suggestion() if suggestion is not None else None

    return DeferredFix(lambda: plan()[0], suggest, matrix_path)


def _same(fix: Fix) -> Fix:
    return fix


# (the safe fix or None, a function computing the unsafe suggestion or None)
PathFix = tuple[Fix | None, Callable[[], Fix | None] | None]


def safe_path_fix(
    ws: Workspace, matrix_path: str, ref: Reference, rel: str | None, suggest: bool = True
) -> PathFix:
    """(the safe fix or None, a function computing the unsafe suggestion when there is none):
    the suggestion searches the package's files for the cited symbol, which an editor only
    needs when its quick-fix menu opens.

    A different path is safe only when git history records the rename of exactly that file;
    a similar name is a suggestion, always; a path in a "Missing proof: …" segment names a file
    to be written (a plan, not a typo): a recorded rename is suggested, nothing else. Without
    `suggest` (outputs that show safe fixes only) no suggestion is searched for: the nearest
    path compares names across the workspace, for a fix that would not be shown."""
    candidates = [c for c in dict.fromkeys([rel, normalize_rel(ref.path) if ref.is_link else None]) if c]
    for cand in candidates:
        renamed = ws.renamed_to(cand)
        if renamed:
            new = path_as_written(ref, renamed)
            # git records files: a directory is "renamed" when the files under it moved to one
            # place, which is an inference (others may have been deleted), not a record
            recorded = not ws.fs.is_dir(renamed)
            fix = replace_fix(
                matrix_path,
                ref.span,
                new,
                f"Replace with `{new}` (renamed in git history)"
                if recorded
                else f"Replace with `{new}` (its files were moved there in git history)",
                safe=recorded and not ref.in_missing,
            )
            return (fix, None) if fix.safe else (None, functools.partial(_same, fix))
    if ref.in_missing or not candidates or not suggest:
        return (
            None,
            None,
        )  # named as missing: nothing to correct (and without a candidate, nothing is similar)
    similar: list[tuple[float, str, str]] = []  # (ratio, workspace path, as written)
    for i, cand in enumerate(candidates):
        near = ws.nearest_path(cand, want_dir=ref.path.endswith("/"))
        if near:
            # a link read from the root (second candidate) keeps being written from the root
            new = near if i == 1 else path_as_written(ref, near)
            similar.append((difflib.SequenceMatcher(None, cand, near).ratio(), near, new))
    similar.sort(key=lambda x: -x[0])
    if not (similar or ref.symbols):
        return None, None

    def defines_cited_symbols(path: str) -> bool:
        if not ref.symbols or not ws.fs.is_file(path):
            return not ref.symbols
        src = ws.source(path)
        return all(src.lookup(sym.name) for sym in ref.symbols)

    def suggestion() -> Fix | None:
        # best first: a near-certain similar path that defines the cited symbols, the one file
        # of the package defining them (where the code went), then the most similar path
        if similar and similar[0][0] >= SAFE_RATIO and defines_cited_symbols(similar[0][1]):
            new = similar[0][2]
            return replace_fix(matrix_path, ref.span, new, f"Replace with `{new}`", safe=False)
        for sym in ref.symbols:
            files = sorted({f for f, _ in find_symbol_near(ws, candidates[0], sym.name)})
            if len(files) == 1:
                new = path_as_written(ref, files[0])
                return replace_fix(
                    matrix_path,
                    ref.span,
                    new,
                    f"Replace with `{new}`, where `{sym.name}` is defined",
                    safe=False,
                )
        if similar:
            new = similar[0][2]
            return replace_fix(matrix_path, ref.span, new, f"Replace with `{new}`", safe=False)
        return None

    return None, suggestion
