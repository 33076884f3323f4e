"""PM308 test-ignored: the cited test is disabled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from parity_lsp import languages
from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_TESTS
from parity_lsp.roles import SHIPPED
from parity_lsp.rules._drift import definition_related
from parity_lsp.rules._evidence import symbol_result, usable_rel
from parity_lsp.rules._gating import gating
from parity_lsp.rules._names import name_refs
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.model import RUNS

if TYPE_CHECKING:
    from parity_lsp.text import Span
    from parity_lsp.workspace.symbols import Definition

RULE = RuleInfo(
    code="PM308",
    name="test-ignored",
    severity=Severity.WARNING,
    stage="semantic",
    summary="The cited test is disabled (`#[ignore]`, skip markers, `t.Skip()`, `it.skip`)",
    doc="""\
## What it does
Flags proving tests that are disabled: Rust `#[ignore]`, pytest `@pytest.mark.skip` or an
unconditional `skipif`, `unittest.skip`, Go `t.Skip()` as the first statement, JS/TS
`it.skip`/`test.skip`/`xit`/`describe.skip`.

A warning on a shipped row; on a row that does not claim to ship (partial, planned), an
information.

## Why is this bad?
A disabled test proves nothing unless CI runs ignored tests explicitly.

## Example
```rust
#[test]
#[ignore = "flaky on CI"]
fn tick_key_is_stable() { ... }
```
""",
)


def _ci_runs_it(ctx: RowContext, rel: str, name: str) -> bool:
    """A CI command that runs the disabled test itself (`cargo test -- --ignored`): only for
    languages whose disabled tests a command can run, and whose verdicts model that."""
    language = languages.for_path(rel)
    if language is None or not language.ci_runs_disabled:
        return False
    tests, cites, table = gating(ctx)
    return any(
        table[(i, j)].outcome == RUNS
        for i, t in enumerate(tests)
        if t.target.path == rel and t.target.name == name
        for j in range(len(cites))
    )


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.refs(COL_TESTS):
        if not ref.symbols:
            continue
        res = ctx.resolve(ref)
        rel = usable_rel(ctx, res)
        if rel is None or not res.is_file:
            continue
        for sym in ref.symbols:
            result = symbol_result(res, sym)
            if result is None or not result.definitions:
                continue
            if all(d.disabled for d in result.definitions):
                if _ci_runs_it(ctx, rel, sym.name):
                    continue  # e.g. `cargo test -- --ignored`: CI does run it
                yield _disabled(ctx, sym.span, sym.name, rel, result.definitions[0])
    # tests cited by a bare name (docs/spec/evidence.md#references-as-teams-write-them)
    for ref in name_refs(ctx, tests_column=True):
        for sym in ref.symbols:
            defs = ctx.name_resolution(sym.name).tests()
            if not defs or not all(d.disabled for _, d in defs):
                continue
            files = list(dict.fromkeys(f for f, _ in defs))
            if len(files) == 1 and _ci_runs_it(ctx, files[0], sym.name):
                continue
            yield _disabled(ctx, sym.span, sym.name, *defs[0])


def _disabled(ctx: RowContext, span: Span, name: str, rel: str, d: Definition) -> Finding:
    # a row that does not claim to ship (`🚧 In progress`, "skipped until #12") is told, not warned
    severity = None if ctx.means(SHIPPED) else min(RULE.severity, Severity.INFO)
    return ctx.finding(
        RULE,
        span,
        f"test `{name}` is disabled ({d.disabled}): it proves nothing unless CI runs ignored tests",
        related=[definition_related(rel, d, "is disabled here")],
        tags=("unnecessary",),  # editors fade it: evidence that proves nothing
        severity=severity,
    )
