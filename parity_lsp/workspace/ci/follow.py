"""Follow a command one level into the scripts it runs (`make TARGET`, `npm run SCRIPT`: the
runners with a `follow`), and read the files that say what they run (Makefiles, package.json).

Invariant: reads only through a `FileSystem`; never raises — what cannot be followed is a
`FollowResult` with `error` set (the verdict is then "unknown"). `parse_makefile` and
`package_scripts` are public: PM404 and the runners read Makefiles and scripts with them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from parity_lsp.workspace.ci import runners
from parity_lsp.workspace.ci.commands import ParsedCommand, effective_directory, parse_command
from parity_lsp.workspace.ci.shell import split_commands, with_directories
from parity_lsp.workspace.fs import FileSystem


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
    """The commands a `make` target or package script run from the shell's `cwd` runs (one
    level; no recursion)."""
    runner = runners.for_command(cmd)
    if runner is None or runner.follow is None:
        return FollowResult(error=f"`{cmd.text}` is not a make target or package script")
    where = effective_directory(cwd, cmd)
    if where is None:
        return FollowResult(error=f"the directory `{cmd.text}` runs in is not known")
    return follow_in(fs, runner, cmd, where)


def follow_in(fs: FileSystem, runner: runners.Runner[Any], cmd: ParsedCommand, where: str) -> FollowResult:
    """`follow` for a command already known to run in `where` (its own `-C`/`--prefix` applied)."""
    if runner.follow is None:
        return FollowResult(error=f"`{cmd.text}` is not a make target or package script")
    found = runner.follow(fs, cmd, where)
    out = FollowResult(error=found.error)
    for script in found.scripts:
        for sc, sub_cwd in with_directories(split_commands(script.text), script.directory):
            out.commands.append(
                Followed(parse_command(sc.text), sub_cwd, script.source, script.line, script.via)
            )
    return out


# --- package.json ---------------------------------------------------------------------------


def package_scripts(text: str) -> dict[str, str]:
    """The `scripts` of a package.json text (name → shell script). Raises ValueError when the
    text is not JSON (or nests too deeply to be read)."""
    try:
        data = json.loads(text)
    except RecursionError as exc:  # `[[[[…` a hundred thousand deep
        raise ValueError("nested too deeply") from exc
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return {}
    return {name: body for name, body in scripts.items() if isinstance(body, str)}


def json_key_line(text: str, key: str) -> int:
    """The 0-based line of the first `"key":` in a JSON text (0 when absent)."""
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
