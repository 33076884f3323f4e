"""make (and `gmake`): the command model, its selection key (docs/spec/ci.md#matching), and the recipe lines a
target runs (one level, prerequisites included; the generic code judges them).

Invariant: parsing is pure; following reads the Makefile only through a `FileSystem`; never
raises — a target that cannot be followed is a `Scripts` with `error` set (unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.follow import parse_makefile
from parity_lsp.workspace.ci.runners.base import (
    ASSIGNMENT,
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    Script,
    Scripts,
    SelectionKey,
    join_directory,
    option,
)
from parity_lsp.workspace.ci.shell import join_dir
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class MakeRun(ParsedCommand):
    kind: ClassVar[str] = "make"
    targets: list[str] = field(default_factory=list)
    makefile: str | None = None  # -f
    variables: dict[str, str] = field(default_factory=dict)


def parse(program: str, cur: Cursor, common: Common) -> MakeRun:
    cmd = MakeRun(**common)
    while not cur.done():
        word = cur.take()
        if ASSIGNMENT.match(word):
            variable, _, assigned = word.partition("=")
            cmd.variables[variable] = assigned
            continue
        if not word.startswith("-"):
            cmd.targets.append(word)
            continue
        opt = option(
            cur,
            word,
            {"-C", "-f", "-j", "-l", "-I", "-o", "-W"},
            {"--directory", "--file", "--makefile", "--jobs", "--load-average", "--include-dir"},
        )
        if opt is None:
            cmd.others.append(word)
            continue
        name, value = opt
        if name in ("-C", "--directory"):
            cmd.directory = join_directory(cmd.directory, value or "")
        elif name in ("-f", "--file", "--makefile"):
            cmd.makefile = value
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: MakeRun) -> SelectionKey:
    return ("make", tuple(cmd.targets), cmd.makefile, cmd.directory, tuple(sorted(cmd.variables.items())))


def follow(fs: FileSystem, cmd: MakeRun, where: str) -> Scripts:
    """The recipe lines `make TARGET…` runs in `where` (prerequisites first), expanded."""
    names = [cmd.makefile] if cmd.makefile else ["GNUmakefile", "makefile", "Makefile"]
    path = None
    for name in names:
        candidate = join_dir(where, name)
        if candidate is not None and fs.is_file(candidate):
            path = candidate
            break
    if path is None:
        return Scripts(error=f"no Makefile in `{where or '.'}`")
    read = fs.read_text(path)
    if read.text is None:
        return Scripts(error=f"`{path}` {read.error}")
    mk = parse_makefile(read.text)
    mk.variables.update(cmd.variables)
    targets = cmd.targets or ([mk.default_goal] if mk.default_goal else [])
    if not targets:
        return Scripts(error=f"`{path}` has no target")
    out = Scripts()
    seen: set[str] = set()

    def visit(target: str, depth: int) -> str | None:
        if target in seen or depth > 4:
            return None
        seen.add(target)
        rule = mk.rules.get(target)
        if rule is None:
            hint = (
                " (it may come from an included file or a pattern rule)"
                if mk.includes or mk.pattern_rules
                else ""
            )
            return f"`{path}` has no target `{target}`{hint}"
        for prereq in rule.prerequisites:  # prerequisites run first, and are part of `make target`
            if prereq in mk.rules:
                err = visit(prereq, depth + 1)
                if err:
                    return err
        for recipe, line in rule.recipe:
            # Each recipe line runs in its own shell, starting in the Makefile's directory.
            out.scripts.append(Script(mk.expand(recipe, target), where, path, line, f"make {target}"))
        return None

    for target in targets:
        err = visit(target, 0)
        if err:
            out.error = err
            break
    return out


RUNNER = Runner(
    name="make",
    title="make",
    programs=frozenset({"make", "gmake"}),
    model=MakeRun,
    parse=parse,
    selection_key=selection_key,
    follow=follow,
    needs="the Makefile (`follow.parse_makefile`: rules, prerequisites, recipes, variables)",
)
