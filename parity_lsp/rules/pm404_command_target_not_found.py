"""PM404 command-target-not-found: a cited make target, cargo alias or package script is not
defined."""

from __future__ import annotations

import shlex
import tomllib
from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.model import CommandRef, Reference, RefKind
from parity_lsp.rules._util import replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.similarity import closest
from parity_lsp.text import Span
from parity_lsp.workspace.ci.commands import parse_command
from parity_lsp.workspace.ci.follow import package_scripts, parse_makefile
from parity_lsp.workspace.ci.runners.make import MakeRun
from parity_lsp.workspace.ci.runners.npm import ScriptRun
from parity_lsp.workspace.fs import FileSystem

RULE = RuleInfo(
    code="PM404",
    name="command-target-not-found",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Cited make target, cargo alias or package script is not defined",
    doc="""\
## What it does
A command cited outside a workflow reference — a code span in an evidence column
(`make ffi-example`, `cargo xtask parity`, `npm run e2e`, `yarn e2e`, `pnpm test`), or a CI
column's command with no workflow — names something the repository must define:
- `make T` (also `make -C dir T`, `make -f file T`): a target `T` of the Makefile
  (`GNUmakefile`, `makefile`, `Makefile`) in that directory; a target missing from a Makefile
  that includes others or has pattern rules is an info (it may come from there);
- `cargo X`: a built-in subcommand or a well-known plugin (`nextest`, `llvm-cov`, `insta`, ...),
  else an `[alias]` of `.cargo/config.toml` (or `.cargo/config`);
- `npm run S` / `npm test` / `yarn S` / `pnpm S`: a script `S` of that directory's `package.json`
  (`--workspace`/`--filter` commands are not checked).
Commands are run from the workspace root. Severity is warning on planned rows; a command in a
"Missing proof: …" segment is not checked.

## Why is this bad?
"Run `make ffi-example`" is a claim that the example runs; when the target was renamed, the
matrix points at a command that fails.

## Example
```markdown
| FFI example | done | `make ffi-example` |
```
with a Makefile whose target is now `ffi-demo`.

## Fix
Suggested in the editor: the most similar target, alias or script (never applied by
`parity-lsp fix`).
""",
)

# cargo's own subcommands and the plugins a CI commonly installs: not aliases
_CARGO_BUILTIN = frozenset(
    [
        "add",
        "b",
        "bench",
        "build",
        "c",
        "check",
        "clean",
        "clippy",
        "config",
        "d",
        "doc",
        "fetch",
        "fix",
        "fmt",
        "generate-lockfile",
        "help",
        "info",
        "init",
        "install",
        "locate-project",
        "login",
        "logout",
        "metadata",
        "miri",
        "new",
        "owner",
        "package",
        "pkgid",
        "publish",
        "r",
        "read-manifest",
        "remove",
        "report",
        "rm",
        "run",
        "rustc",
        "rustdoc",
        "search",
        "t",
        "test",
        "tree",
        "uninstall",
        "update",
        "vendor",
        "verify-project",
        "version",
        "yank",
        "nextest",
        "llvm-cov",
        "tarpaulin",
        "insta",
        "deny",
        "audit",
        "fuzz",
        "hack",
        "udeps",
        "machete",
        "criterion",
        "expand",
        "watch",
        "make",
        "release",
        "dist",
        "binstall",
        "outdated",
        "semver-checks",
        "mutants",
        "about",
        "sort",
        "upgrade",
        "component",
        "zigbuild",
        "xwin",
        "ndk",
        "apk",
        "lambda",
        "leptos",
        "shuttle",
        "tauri",
        "wasm-pack",
        "bloat",
        "geiger",
        "cyclonedx",
        "vet",
        "edit",
        "make-x",
        "careful",
        "msrv",
        "minimal-versions",
        "workspaces",
        "set-version",
        "modules",
    ]
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in (*ctx.refs(kind=RefKind.COMMAND), *ctx.refs(kind=RefKind.CI)):
        if ref.in_missing or not _outside_workflow(ref):
            continue
        for cmd in ref.commands:
            found = ctx.resolver.memo.get(("command target", cmd.text))
            if found is None:
                found = ctx.resolver.memo["command target", cmd.text] = _missing(ctx.ws.fs, cmd.text)
            if found is None:
                continue
            message, severity, where, name, suggestion = found
            if ctx.relaxed:
                severity = min(severity, Severity.WARNING)
            yield _finding(ctx, cmd, message, severity, where, name, suggestion)


def _outside_workflow(ref: Reference) -> bool:
    return ref.kind == RefKind.COMMAND or (ref.kind == RefKind.CI and not ref.path)


def _finding(
    ctx: RowContext,
    cmd: CommandRef,
    message: str,
    severity: Severity,
    where: str | None,
    name: str,
    suggestion: str | None,
) -> Finding:
    fix = None
    if suggestion is not None:
        text = ctx.matrix.text[cmd.span.start : cmd.span.end]
        at = text.rfind(name) if name else -1
        if at >= 0:
            span = Span(cmd.span.start + at, cmd.span.start + at + len(name))
            fix = replace_fix(ctx.matrix.path, span, suggestion, f"Replace with `{suggestion}`", safe=False)
            message += f" (did you mean `{suggestion}`?)"
    related = [Related(where, 0, 0, "defined here, if anywhere")] if where else []
    return ctx.finding(RULE, cmd.span, message, severity=severity, fix=fix, related=related)


# (message, severity, the file read, the name not found, a similar name), or None when the
# target exists or cannot be known
Missing = tuple[str, Severity, str | None, str, str | None] | None


def _missing(fs: FileSystem, text: str) -> Missing:
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    if not words:
        return None
    if words[0] == "cargo":
        return _cargo(fs, text, words)
    cmd = parse_command(text)
    if isinstance(cmd, MakeRun):
        return _make(fs, text, cmd)
    if isinstance(cmd, ScriptRun):
        return _script(fs, text, cmd)
    return None


def _dir_file(directory: str | None, name: str) -> str:
    d = (directory or "").strip("/")
    return f"{d}/{name}" if d and d != "." else name


def _make(fs: FileSystem, text: str, cmd: MakeRun) -> Missing:
    if cmd.dynamic or any("$" in t for t in cmd.targets) or (cmd.directory and ".." in cmd.directory):
        return None
    names = [cmd.makefile] if cmd.makefile else ["GNUmakefile", "makefile", "Makefile"]
    path = next((p for p in (_dir_file(cmd.directory, n) for n in names) if fs.is_file(p)), None)
    if path is None:
        where = f"`{cmd.directory}`" if cmd.directory else "the workspace root"
        return (f"`{text}`: no Makefile in {where}", RULE.severity, None, "", None)
    read = fs.read_text(path)
    if read.text is None:
        return None
    mk = parse_makefile(read.text)
    for target in cmd.targets:
        if target in mk.rules:
            continue
        near = closest(target, sorted(mk.rules))
        if mk.includes or mk.pattern_rules:
            return (
                f"`{path}` has no target `{target}` (it may come from an included file or a pattern rule)",
                Severity.INFO,
                path,
                target,
                near,
            )
        return (f"`{path}` has no target `{target}`", RULE.severity, path, target, near)
    return None


def _cargo(fs: FileSystem, text: str, words: list[str]) -> Missing:
    sub = next((w for w in words[1:] if not w.startswith(("-", "+"))), None)
    if sub is None or sub in _CARGO_BUILTIN or "$" in sub:
        return None
    aliases: dict[str, object] = {}
    where = None
    for path in (".cargo/config.toml", ".cargo/config"):
        read = fs.read_text(path) if fs.is_file(path) else None
        if read is None or read.text is None:
            continue
        where = path
        try:
            data = tomllib.loads(read.text)
        except tomllib.TOMLDecodeError:
            return None  # PM000-free: a config we cannot read says nothing
        alias = data.get("alias")
        if isinstance(alias, dict):
            aliases.update(alias)
    if sub in aliases:
        return None
    near = closest(sub, sorted(aliases)) if aliases else None
    if where is None:
        return (
            f"`cargo {sub}` is not a cargo subcommand and no `.cargo/config.toml` defines the alias `{sub}`",
            RULE.severity,
            None,
            sub,
            None,
        )
    return (f"`{where}` defines no cargo alias `{sub}`", RULE.severity, where, sub, near)


def _script(fs: FileSystem, text: str, cmd: ScriptRun) -> Missing:
    if cmd.workspace_filter is not None or cmd.dynamic or (cmd.directory and ".." in cmd.directory):
        return None
    path = _dir_file(cmd.directory, "package.json")
    if not fs.is_file(path):
        return (f"`{text}`: no `{path}`", RULE.severity, None, "", None)
    read = fs.read_text(path)
    if read.text is None:
        return None
    try:
        scripts = package_scripts(read.text)
    except ValueError:
        return None  # not JSON: nothing can be said of its scripts
    if cmd.script in scripts:
        return None
    near = closest(cmd.script, sorted(scripts))
    return (f"`{path}` has no script `{cmd.script}`", RULE.severity, path, cmd.script, near)
