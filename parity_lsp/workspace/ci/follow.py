"""Follow `make TARGET` and `npm|pnpm|yarn run SCRIPT` one level: the commands they run.

Invariant: reads Makefiles and package.json only through a `FileSystem`; never raises — what
cannot be followed is a `FollowResult` with `error` set (the verdict is then "unknown").
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from parity_lsp.workspace.ci.commands import (
    MakeRun,
    ParsedCommand,
    ScriptRun,
    effective_directory,
    parse_command,
)
from parity_lsp.workspace.ci.shell import join_dir, split_commands, with_directories
from parity_lsp.workspace.fs import FileSystem

_log = logging.getLogger("parity_lsp.workspace")


@dataclass(slots=True)
class Followed:
    """A command found by following `make TARGET` or `npm run SCRIPT` one level."""

    command: ParsedCommand
    directory: str | None  # where it runs; None: unknown
    source: str  # the Makefile or package.json it comes from
    line: int  # 0-based line in `source`
    via: str  # "make test", "npm run test", …


@dataclass(slots=True)
class FollowResult:
    commands: list[Followed] = field(default_factory=list)
    error: str | None = None  # why the target/script could not be followed (the answer is unknown)


def follow(fs: FileSystem, cmd: ParsedCommand, cwd: str | None) -> FollowResult:
    """The commands a `make` target or package script runs (one level; no recursion)."""
    try:
        if isinstance(cmd, MakeRun):
            return _follow_make(fs, cmd, cwd)
        if isinstance(cmd, ScriptRun):
            return _follow_script(fs, cmd, cwd)
    except Exception as exc:  # noqa: BLE001 - a bug here makes the verdict unknown, with the error
        _log.warning("following `%s` failed", cmd.text, exc_info=True)
        return FollowResult(error=f"cannot follow `{cmd.text}`: {exc}")
    return FollowResult(error=f"`{cmd.text}` is not a make target or package script")


def _follow_make(fs: FileSystem, cmd: MakeRun, cwd: str | None) -> FollowResult:
    where = effective_directory(cwd, cmd)
    if where is None:
        return FollowResult(error=f"the directory `{cmd.text}` runs in is not known")
    names = [cmd.makefile] if cmd.makefile else ["GNUmakefile", "makefile", "Makefile"]
    path = None
    for name in names:
        candidate = join_dir(where, name)
        if candidate is not None and fs.is_file(candidate):
            path = candidate
            break
    if path is None:
        return FollowResult(error=f"no Makefile in `{where or '.'}`")
    read = fs.read_text(path)
    if read.text is None:
        return FollowResult(error=f"`{path}` {read.error}")
    mk = parse_makefile(read.text)
    mk.variables.update(cmd.variables)
    targets = cmd.targets or ([mk.default_goal] if mk.default_goal else [])
    if not targets:
        return FollowResult(error=f"`{path}` has no target")
    out = FollowResult()
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
            text = mk.expand(recipe, target)
            # Each recipe line runs in its own shell, starting in the Makefile's directory.
            for sc, sub_cwd in with_directories(split_commands(text), where):
                out.commands.append(Followed(parse_command(sc.text), sub_cwd, path, line, f"make {target}"))
        return None

    for target in targets:
        err = visit(target, 0)
        if err:
            out.error = err
            break
    return out


def _follow_script(fs: FileSystem, cmd: ScriptRun, cwd: str | None) -> FollowResult:
    if cmd.workspace_filter is not None:
        return FollowResult(
            error=f"`{cmd.text}` runs the script in workspace package(s) `{cmd.workspace_filter}`,"
            " which is not followed"
        )
    where = effective_directory(cwd, cmd)
    if where is None:
        return FollowResult(error=f"the directory `{cmd.text}` runs in is not known")
    path = join_dir(where, "package.json") or "package.json"
    read = fs.read_text(path)
    if read.text is None:
        return FollowResult(error=f"`{path}` {read.error}")
    try:
        data = json.loads(read.text)
    except ValueError as exc:
        return FollowResult(error=f"`{path}` is not valid JSON: {exc}")
    scripts = data.get("scripts") if isinstance(data, dict) else None
    body = scripts.get(cmd.script) if isinstance(scripts, dict) else None
    if not isinstance(body, str):
        return FollowResult(error=f"`{path}` has no script `{cmd.script}`")
    if cmd.args:
        body = body + " " + " ".join(_quote(a) for a in cmd.args)
    line = _json_key_line(read.text, cmd.script)
    out = FollowResult()
    for sc, sub_cwd in with_directories(split_commands(body), where):
        out.commands.append(
            Followed(parse_command(sc.text), sub_cwd, path, line, f"{cmd.manager} run {cmd.script}")
        )
    return out


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def _json_key_line(text: str, key: str) -> int:
    m = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, m.start()) if m else 0


# --- Makefiles ------------------------------------------------------------------------------


@dataclass(slots=True)
class MakeRule:
    target: str
    line: int
    prerequisites: list[str] = field(default_factory=list)
    recipe: list[tuple[str, int]] = field(default_factory=list)  # (text, 0-based line)


@dataclass(slots=True)
class Makefile:
    rules: dict[str, MakeRule] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    default_goal: str | None = None
    includes: bool = False
    pattern_rules: bool = False

    def expand(self, text: str, target: str = "", depth: int = 0) -> str:
        """Expand `$(VAR)`/`${VAR}` like make; function calls stay as written (dynamic)."""

        def sub(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2) or m.group(3)
            if name == "MAKE":
                return "make"
            if name == "@":
                return target
            if name in self.variables:
                return (
                    self.expand(self.variables[name], target, depth + 1)
                    if depth < 8
                    else self.variables[name]
                )
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                return ""  # an undefined make variable expands to nothing
            return m.group(0)

        text = text.replace("$$", "\x00")
        text = re.sub(r"\$\(([^()\s]+)\)|\$\{([^{}\s]+)\}|\$([@<^*?])", sub, text)
        return text.replace("\x00", "$")


_MK_ASSIGN = re.compile(
    r"^(?:export\s+|override\s+)*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(\?=|::=|:=|\+=|!=|=)\s*(.*)$"
)
# The target: up to its last non-blank before the first `:`, `=` or `#`. Written
# `[^:=#]*?\s*:`, the lazy part and the blanks split a long run of blanks in every way: quadratic.
_MK_RULE = re.compile(r"^([^:=#\t](?:\s*+[^:=#\s])*+)\s*::?(?!=)\s*(.*)$")


def _join_continuations(raw: str, lines: list[str], i: int) -> tuple[str, int]:
    """`raw` ends with `\\`: it and the lines it continues from lines[i], joined by one space
    (`raw[:-1].rstrip() + " " + lines[i].lstrip()` for each, without copying the line built so
    far for each line: 100,000 continuation lines), and the index of the next line."""
    parts = [raw]  # joined, they are the line so far; the last one is not empty
    while i < len(lines):
        parts[-1] = parts[-1][:-1]  # the `\\`
        while parts and not parts[-1].rstrip():
            parts.pop()
        if parts:
            parts[-1] = parts[-1].rstrip()
        parts.append(" ")
        nxt = lines[i].lstrip()
        i += 1
        if not nxt:
            break
        parts.append(nxt)
        if not nxt.endswith("\\"):
            break
    return "".join(parts), i


def parse_makefile(text: str) -> Makefile:
    """Rules, recipes and simple variables of a Makefile. Tolerant: unknown lines are skipped."""
    mk = Makefile()
    lines = text.replace("\r\n", "\n").split("\n")
    current: list[MakeRule] = []
    in_define = False
    i = 0
    while i < len(lines):
        start = i
        raw = lines[i]
        i += 1
        if raw.endswith("\\") and i < len(lines):
            raw, i = _join_continuations(raw, lines, i)
        if in_define:
            in_define = not raw.strip().startswith("endef")
            continue
        if raw.startswith("\t"):
            body = raw[1:].strip()
            if current and body and not body.startswith("#"):
                recipe = body.lstrip("@-+ ")
                for owner in current:  # the rules this recipe line belongs to
                    owner.recipe.append((recipe, start))
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word = stripped.split(None, 1)[0]
        if word == "define":
            in_define = True
            continue
        if word in ("include", "-include", "sinclude"):
            mk.includes = True
            continue
        if word in ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"):
            continue  # conditionals: both branches are read (an approximation)
        m = _MK_ASSIGN.match(stripped)
        if m:
            name, op, value = m.groups()
            if op == "+=" and name in mk.variables:
                mk.variables[name] += " " + value
            elif op == "?=":
                mk.variables.setdefault(name, value)
            elif op != "!=":
                mk.variables[name] = value
            current = []
            continue
        m = _MK_RULE.match(stripped)
        if not m:
            current = []
            continue
        targets, rest = m.group(1).split(), m.group(2)
        prereq_text, _, inline = rest.partition(";")
        if "=" in prereq_text:  # target-specific variable: `test: FOO = bar`
            current = []
            continue
        current = []
        for target in targets:
            if "%" in target:
                mk.pattern_rules = True
                continue
            rule = mk.rules.get(target)
            if rule is None:
                rule = mk.rules[target] = MakeRule(target, start)
            rule.prerequisites.extend(prereq_text.split())
            if inline.strip():
                rule.recipe.append((inline.strip().lstrip("@-+ "), start))
            current.append(rule)
            if mk.default_goal is None and not target.startswith("."):
                mk.default_goal = target
    return mk
