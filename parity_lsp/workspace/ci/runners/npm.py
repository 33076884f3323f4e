"""npm / pnpm / yarn package scripts: the command model, its selection key (docs/spec/ci.md#matching), and the
script a `run SCRIPT` runs (one level; the generic code judges it).

Invariant: parsing is pure; following reads package.json only through a `FileSystem`; never
raises — a script that cannot be followed is a `Scripts` with `error` set (unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.follow import json_key_line, package_scripts
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    Script,
    Scripts,
    SelectionKey,
    Unknown,
    join_directory,
    shell_quote,
)
from parity_lsp.workspace.ci.shell import join_dir
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class ScriptRun(ParsedCommand):
    kind: ClassVar[str] = "script"
    manager: str = "npm"  # npm | pnpm | yarn
    script: str = "test"
    args: list[str] = field(default_factory=list)  # appended to the script
    workspace_filter: str | None = None  # -w / --filter / yarn workspace: not followed


_NPM = frozenset(
    {
        "ci",
        "install",
        "i",
        "add",
        "audit",
        "publish",
        "pack",
        "version",
        "config",
        "set",
        "cache",
        "prune",
        "dedupe",
        "ls",
        "outdated",
        "uninstall",
        "rm",
        "link",
        "login",
        "whoami",
    }
)

_PNPM = frozenset(
    {
        "install",
        "i",
        "add",
        "audit",
        "publish",
        "pack",
        "remove",
        "rm",
        "update",
        "up",
        "store",
        "config",
        "setup",
        "fetch",
        "dedupe",
        "ls",
        "outdated",
        "link",
        "env",
    }
)

_YARN = frozenset(
    {
        "install",
        "add",
        "audit",
        "publish",
        "pack",
        "remove",
        "upgrade",
        "config",
        "cache",
        "set",
        "dedupe",
        "info",
        "why",
        "link",
    }
)

NON_TEST_SUBCOMMANDS = {"npm": _NPM, "pnpm": _PNPM, "yarn": _YARN}
_SCRIPT_ALIASES = {"t": "test", "tst": "test"}


def parse(prog: str, cur: Cursor, common: Common) -> ParsedCommand:
    directory = common.get("directory")
    workspace = None
    script: str | None = None
    args: list[str] = []
    others: list[str] = []
    after_dashes = False
    while not cur.done():
        word = cur.take()
        if script is None and word.startswith("-"):
            name, eq, value = word.partition("=")
            if name in ("--prefix", "-C", "--dir", "--cwd"):
                value = value if eq else (cur.take() if not cur.done() else "")
                directory = join_directory(directory, value)
            elif name in ("-w", "--workspace", "--filter", "-F"):
                workspace = value if eq else (cur.take() if not cur.done() else "")
            else:
                others.append(word)
            continue
        if script is None:
            if prog == "yarn" and word == "workspace":
                workspace = cur.take() if not cur.done() else ""
                continue
            if word in ("run", "run-script", "rum", "urn"):
                if cur.done():
                    return Unknown(non_test=True, **common)
                script = cur.take()
                continue
            if word in ("test", "t", "tst") or prog != "npm":
                if word in NON_TEST_SUBCOMMANDS[prog]:
                    return Unknown(non_test=True, **common)
                if word in ("exec", "dlx", "x"):
                    return Unknown(**common)
                script = _SCRIPT_ALIASES.get(word, word)
                continue
            return Unknown(non_test=word in NON_TEST_SUBCOMMANDS["npm"], **common)
        if word == "--" and not after_dashes:
            after_dashes = True
            continue
        if prog == "npm" and not after_dashes and word.startswith("-"):
            # npm reads flags after the script name as its own config, unless they follow `--`.
            name, eq, value = word.partition("=")
            if name in ("-w", "--workspace"):
                workspace = value if eq else (cur.take() if not cur.done() else "")
            elif name == "--prefix":
                directory = join_directory(directory, value if eq else (cur.take() if not cur.done() else ""))
            else:
                others.append(word)
            continue
        args.append(word)
    if script is None:  # bare `yarn` / `pnpm`: install
        return Unknown(non_test=True, **common)
    common["directory"] = directory
    return ScriptRun(
        manager=prog, script=script, args=args, workspace_filter=workspace, others=others, **common
    )


def selection_key(cmd: ScriptRun) -> SelectionKey:
    return ("script", cmd.manager, cmd.script, cmd.workspace_filter, cmd.directory)


def follow(fs: FileSystem, cmd: ScriptRun, where: str) -> Scripts:
    """The body of the package script `cmd` runs in `where` (its arguments appended)."""
    if cmd.workspace_filter is not None:
        return Scripts(
            error=f"`{cmd.text}` runs the script in workspace package(s) `{cmd.workspace_filter}`,"
            " which is not followed"
        )
    path = join_dir(where, "package.json") or "package.json"
    read = fs.read_text(path)
    if read.text is None:
        return Scripts(error=f"`{path}` {read.error}")
    try:
        scripts = package_scripts(read.text)
    except ValueError as exc:
        return Scripts(error=f"`{path}` is not valid JSON: {exc}")
    body = scripts.get(cmd.script)
    if body is None:
        return Scripts(error=f"`{path}` has no script `{cmd.script}`")
    if cmd.args:
        body = body + " " + " ".join(shell_quote(a) for a in cmd.args)
    line = json_key_line(read.text, cmd.script)
    return Scripts([Script(body, where, path, line, f"{cmd.manager} run {cmd.script}")])


RUNNER = Runner(
    name="script",
    title="npm / pnpm / yarn scripts",
    programs=frozenset({"npm", "pnpm", "yarn"}),
    model=ScriptRun,
    parse=parse,
    selection_key=selection_key,
    follow=follow,
    needs="package.json `scripts` (`follow.package_scripts`)",
)
