"""dotnet test: the command model, its selection key (docs/spec/ci.md#matching), and whether it
runs a .NET test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: the test's project is the nearest `*.csproj`/`*.fsproj`/`*.vbproj` at or above its file;
`dotnet test` runs it when given that project, a solution that lists it, or a directory (where
it runs, by default) holding one of those; "does not run" only when that is certain (another
project, a solution that does not list it, `--list-tests`, a `--filter` on the test's fully
qualified name that it does not pass, a disabled test); anything else, such as several
projects or solutions in a directory, a filter on traits, a DLL, is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import ancestors, join, list_dir, parent
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    Unknown,
    cited_definition,
    words,
)
from parity_lsp.workspace.ci.shell import join_dir
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class DotnetTest(ParsedCommand):
    kind: ClassVar[str] = "dotnet"
    target: str | None = None  # a project, solution, directory or DLL
    filter: str | None = None
    no_run: bool = False  # --list-tests


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-c", "--configuration", "-f", "--framework", "--filter", "-l", "--logger", "-o", "--output",
        "-r", "--results-directory", "-s", "--settings", "--collect", "-v", "--verbosity", "-a",
        "--arch", "--os", "--runtime", "-e", "--environment", "--diag", "-d", "--test-adapter-path",
        "--blame-crash-dump-type", "--blame-hang-timeout", "--blame-hang-dump-type",
    }
)  # fmt: skip
_NON_TEST = frozenset({"build", "restore", "publish", "pack", "clean", "format", "tool", "run", "new", "add"})
_PROJECTS = (".csproj", ".fsproj", ".vbproj")
_SOLUTIONS = (".sln", ".slnx", ".slnf")
_SOURCES = (".cs", ".fs", ".vb")


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    sub = cur.peek()
    if sub != "test":
        return Unknown(non_test=True, **common) if sub in _NON_TEST else None
    cur.take()
    cmd = DotnetTest(**common)
    for name, value in words(cur, _VALUE):
        if not name:
            if cmd.target is None:
                cmd.target = value
            else:
                cmd.others.append(value or "")  # `-- RunConfiguration…` settings after the target
        elif value is None:
            if name in ("--list-tests", "-t"):
                cmd.no_run = True
            else:
                cmd.others.append(name)  # --no-build, --no-restore, --nologo, --blame, …
        elif name == "--filter":
            cmd.filter = value
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: DotnetTest) -> SelectionKey:
    return ("dotnet", cmd.target, cmd.filter, cmd.no_run, cmd.directory)


def _selecting_words(cmd: DotnetTest) -> str:
    return " ".join(w for w in (cmd.target, cmd.filter) if w)


# --- judging ------------------------------------------------------------------------------------

# `FullyQualifiedName~Calc`, `Name=AddsTwoNumbers`, `ClassName!=Slow`: one clause of a property
# parity-lsp knows; anything else (traits, `&`, `|`, parentheses) is not evaluated
_CLAUSE = re.compile(r"^(FullyQualifiedName|Name|ClassName)(=|!=|~|!~)([^&|()]+)$")


def _project_of(fs: FileSystem, path: str) -> str | None:
    """The project file of a source file: the nearest one at or above its directory."""
    for d in ancestors(parent(path)):
        found = [name for name, is_dir in list_dir(fs, d) if not is_dir and name.endswith(_PROJECTS)]
        if len(found) == 1:
            return join(d, found[0])
        if found:
            return None  # several projects in one directory: which one compiles the file is not read
    return None


def _target(fs: FileSystem, cmd: DotnetTest, where: str) -> tuple[str | None, str]:
    """(the project or solution `dotnet test` runs, or None; why not)."""
    given = join_dir(where, cmd.target) if cmd.target else where
    if given is None:
        return None, f"`{cmd.target}` is outside the workspace"
    if given.endswith(_PROJECTS + _SOLUTIONS):
        return given, ""
    if given.endswith((".dll", ".exe")):
        return None, f"`{cmd.target}`: a built assembly, not read"
    found = [n for n, is_dir in list_dir(fs, given) if not is_dir and n.endswith(_PROJECTS + _SOLUTIONS)]
    if len(found) != 1:
        return None, f"{len(found)} projects or solutions in `{given or '.'}`: which one runs is not read"
    return join(given, found[0]), ""


def judge(fs: FileSystem, cmd: DotnetTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_SOURCES):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs .NET tests; `{test.path}` is not a C#, F# or VB file", text
        )
    if cmd.no_run:
        return does_not_run(Reason.NO_RUN, "lists the tests (`--list-tests`) but runs none", text)
    project = _project_of(fs, test.path)
    if project is None:
        return unknown(Reason.NO_TARGET, f"the project that compiles `{test.path}` is not known", text)
    target, why = _target(fs, cmd, where)
    if target is None:
        return unknown(Reason.NO_TARGET, why, text)
    if target.endswith(_PROJECTS) and target != project:
        return does_not_run(Reason.OTHER_PACKAGE, f"runs `{target}`; the test is in `{project}`", text)
    if not target.endswith(_PROJECTS):
        solution = fs.read_text(target).text
        if solution is None:
            return unknown(Reason.MANIFEST_ERROR, f"`{target}` cannot be read", text)
        listed = {
            join_dir(parent(target), p.replace("\\", "/"))
            for p in re.findall(r"""["']([^"']+\.(?:cs|fs|vb)proj)["']""", solution)
        }
        if project not in listed:
            return does_not_run(
                Reason.OTHER_PACKAGE, f"runs the solution `{target}`, which does not list `{project}`", text
            )
    found = cited_definition(fs, test)
    if test.ignored or (found is not None and found.disabled):
        return does_not_run(Reason.IGNORED, f"runs `{project}` but the test is disabled", text)
    if cmd.filter is None:
        return runs(f"runs `{project}`", text)
    return _filtered(fs, cmd, test, project, found.qualname if found is not None else None)


def _filtered(
    fs: FileSystem, cmd: DotnetTest, test: TestTarget, project: str, qualname: str | None
) -> Verdict:
    text = cmd.text
    clause = _CLAUSE.match((cmd.filter or "").strip())
    if clause is None or qualname is None or "::" not in qualname:
        return unknown(Reason.EXPRESSION, f"`--filter {cmd.filter}`: not evaluated", text)
    from parity_lsp.workspace.symbols import find_definitions

    prop, op, wanted = clause.group(1), clause.group(2), clause.group(3).strip()
    owner, _, method = qualname.rpartition("::")
    # the C# scanner's names hold the namespace: `Billing::Tests::InvoiceTests::AddLine`; .NET
    # writes `Billing.Tests.InvoiceTests.AddLine`, a nested class `Outer+Inner`
    defs = find_definitions(test.path, fs.read_text(test.path).text or "") or ()
    spaces = [
        d.qualname for d in defs if d.kind == "namespace" and (owner + "::").startswith(d.qualname + "::")
    ]
    namespace = max(spaces, key=len, default="")
    classes = owner[len(namespace) :].strip(":").replace("::", "+")
    qualified_class = f"{namespace.replace('::', '.')}.{classes}" if namespace else classes
    value = {
        "FullyQualifiedName": f"{qualified_class}.{method}",
        "Name": method,
        "ClassName": qualified_class,
    }[prop]
    hit = wanted in value if op in ("~", "!~") else wanted == value
    if hit == (op in ("=", "~")):
        return runs(f"runs `{project}` — `{value}` passes `--filter {cmd.filter}`", text, test_name=value)
    return does_not_run(
        Reason.NAME_FILTER, f"runs only tests passing `--filter {cmd.filter}`; `{value}` does not", text
    )


RUNNER = Runner(
    name="dotnet",
    title="dotnet test",
    programs=frozenset({"dotnet"}),
    model=DotnetTest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="the project file above the test, the projects a solution lists",
)
