"""Bare names (`test_parse_row`, `CalcTests.testAdd`, `Calc::add`) resolved against the
workspace's definitions: shared by PM303 (code), PM305 (tests) and PM309 (ambiguous).

A name is looked for in every source file whose text contains its last word
(`Workspace.names`), and confirmed by the file's language scanner (class first, then member:
`SourceFile.lookup`). Precision first:
- defined somewhere: nothing (several files: PM309);
- not defined, but the word occurs in a file whose language is not understood: an info, never
  "defined nowhere";
- a code name used (not defined) in understood files: an info with where it appears;
- otherwise: an error (a warning on a planned row), with "did you mean" when a similar name is
  defined where the row's other evidence lives or, for a test, beside it (never a safe fix: a
  similar name is a guess).
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterator

from parity_lsp import languages
from parity_lsp.findings import Finding, Fix, Related, Severity
from parity_lsp.model import COL_TESTS, Reference, RefKind, SymbolRef
from parity_lsp.rules._util import replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import NameResolution, RowContext, cited_names
from parity_lsp.workspace.symbols import Definition

_SHOWN = 3  # files listed in a message


def name_refs(ctx: RowContext, tests_column: bool) -> Iterator[Reference]:
    """The row's bare-name references of the tests role (or of the others)."""
    refs = ctx.refs(kind=RefKind.NAME)
    if not refs:  # nearly every row of a template matrix
        return
    for ref in refs:
        if not ref.in_missing and (ctx.role_of(ref) == COL_TESTS) == tests_column:
            yield ref


def listing(files: list[str]) -> str:
    shown = ", ".join(f"`{f}`" for f in files[:_SHOWN])
    return shown + (f" and {len(files) - _SHOWN} more" if len(files) > _SHOWN else "")


def missing_names(ctx: RowContext, rule: RuleInfo, tests_column: bool) -> Iterator[Finding]:
    what = "test" if tests_column else "symbol"
    for ref in name_refs(ctx, tests_column):
        for sym in ref.symbols:
            found = ctx.name_resolution(sym.name)
            if found.defined:
                continue
            shown = _written(ctx, sym)
            if found.unknown:
                yield ctx.finding(
                    rule,
                    sym.span,
                    f"`{shown}` found only by word search in {listing(found.unknown)}: "
                    "this language is not understood",
                    severity=min(rule.severity, Severity.INFO),
                )
                continue
            if found.mentioned and not tests_column:
                yield ctx.finding(
                    rule,
                    sym.span,
                    f"`{shown}` is not defined in the workspace but appears in {listing(found.mentioned)}",
                    severity=min(rule.severity, Severity.INFO),
                    related=[
                        Related(f, 0, 0, f"`{sym.name}` appears here") for f in found.mentioned[:_SHOWN]
                    ],
                )
                continue
            fix, alternatives, meant, where = _similar(ctx, ref, sym, found, tests_column)
            msg = f"{what} `{shown}` is not defined in the workspace"
            if found.mentioned:
                msg += f" (it only appears in {listing(found.mentioned)})"
            if meant is not None:
                msg += f" (did you mean `{meant}`?)"
            severity = min(rule.severity, Severity.WARNING) if ctx.relaxed else None
            related = [Related(f, d.line, 0, f"`{d.qualname}` is defined here") for f, d in where]
            yield ctx.finding(
                rule, sym.span, msg, fix=fix, alternatives=alternatives, severity=severity, related=related
            )


def ambiguous_names(ctx: RowContext, rule: RuleInfo) -> Iterator[Finding]:
    """PM309: a bare name defined in several files."""
    for tests_column in (True, False):
        for ref in name_refs(ctx, tests_column):
            for sym in ref.symbols:
                found = ctx.name_resolution(sym.name)
                defs = found.tests() if tests_column and found.tests() else found.defined
                files = list(dict.fromkeys(f for f, _ in defs))
                if len(files) < 2:
                    continue
                shown = _written(ctx, sym)
                yield ctx.finding(
                    rule,
                    sym.span,
                    f"`{shown}` is defined in {len(files)} files ({listing(files)}): "
                    f"cite the file, e.g. `{files[0]}` (`{shown}`)",
                    related=[Related(f, d.line, 0, f"`{d.qualname}` is defined here") for f, d in defs[:5]],
                )


def _similar(
    ctx: RowContext, ref: Reference, sym: SymbolRef, found: NameResolution, tests_column: bool
) -> tuple[Fix | None, list[Fix], str | None, list[tuple[str, Definition]]]:
    """Names like `sym` defined where the row's other evidence lives: the files defining the
    row's other bare names, the files it cites by path, and for `Class.method` the files
    defining `Class`. Bounded: those files only, never the workspace."""
    files: list[str] = []
    qualifier = _qualifier(sym.name)
    if qualifier:
        files.extend(ctx.name_resolution(qualifier).files)
    for other in ctx.refs(kind=RefKind.NAME):
        for s in other.symbols:
            if s.name != sym.name:
                files.extend(ctx.name_resolution(s.name).files)
    cited: list[str] = []
    for other in ctx.path_refs():
        res = ctx.resolve(other)
        if res.is_file and res.rel:
            cited.append(res.rel)
    files.extend(cited)
    files.extend(_matrix_files(ctx))
    if tests_column:  # the tests beside the cited code (`queue.go` -> `queue_test.go`)
        files.extend(_sibling_tests(ctx, cited))
    names: dict[str, tuple[str, Definition]] = {}
    for f in list(dict.fromkeys(files))[:20]:
        defs = ctx.ws.source(f).definitions or []
        for d in defs:
            if tests_column and not d.is_test:
                continue
            if qualifier and not d.qualname.startswith(qualifier.replace(".", "::") + "::"):
                continue
            names.setdefault(d.name, (f, d))
    last = _member(sym.name)
    close = difflib.get_close_matches(last, sorted(names), n=3, cutoff=0.75)
    if not close:
        return None, [], None, []
    written = ctx.matrix.text[sym.span.start : sym.span.end]
    at = written.rfind(last)
    if at < 0:
        return None, [], close[0], [names[c] for c in close]
    span = type(sym.span)(sym.span.start + at, sym.span.start + at + len(last))
    fixes = [replace_fix(ctx.matrix.path, span, c, f"Replace with `{c}`", safe=False) for c in close]
    return fixes[0], fixes[1:], close[0], [names[c] for c in close]


def _sibling_tests(ctx: RowContext, cited: list[str]) -> list[str]:
    """Test files in the directories of the row's cited files (a few per directory)."""
    out: list[str] = []
    for directory in dict.fromkeys(posixpath.dirname(f) for f in cited):
        entries = [name for name, is_dir in ctx.ws.fs.list_dir(directory) if not is_dir]
        out.extend(
            [rel for name in entries if languages.is_test_file(rel := posixpath.join(directory, name))][
                :_SIBLINGS
            ]
        )
    return out


_SIBLINGS = 8  # test files looked at per directory


def _matrix_files(ctx: RowContext) -> list[str]:
    """The files defining the bare names the whole matrix cites (once per run and matrix)."""
    key = ("bare name files", ctx.matrix.path)
    found: list[str] | None = ctx.resolver.memo.get(key)
    if found is None:
        files: dict[str, None] = {}
        for name in dict.fromkeys(cited_names(ctx.matrix)):
            for f in ctx.name_resolution(name).files:
                files[f] = None
        found = ctx.resolver.memo[key] = list(files)
    return found


def _written(ctx: RowContext, sym: SymbolRef) -> str:
    """The name as the row writes it (`CalcTests/testAdd`, looked up as `CalcTests::testAdd`)."""
    written = ctx.matrix.text[sym.span.start : sym.span.end]
    return written if written and "`" not in written else sym.name


def _qualifier(name: str) -> str:
    for sep in ("::", "."):
        if sep in name:
            return name.rsplit(sep, 1)[0]
    return ""


def _member(name: str) -> str:
    for sep in ("::", "."):
        if sep in name:
            return name.rsplit(sep, 1)[1]
    return name
