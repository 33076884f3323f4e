"""Playwright Test (`playwright test`, `npx playwright test`): the command model, its selection
key (docs/spec/ci.md#matching), and whether it runs an end-to-end test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: the configuration is `playwright.config.{ts,js,mjs,cjs,mts,cts}` where it runs; "runs"
when a test file under its `testDir` (a string literal in the configuration, else the
configuration's directory) matches the default test files (`*.spec.ts`, `*.test.js`, …) and no
filter deselects it (every project runs every test file unless a project sets its own); "does
not run" only for `--list`, a disabled test, a file outside `testDir` or not a test file by the
defaults in a configuration that sets no `testMatch`/`testIgnore` and one plain `testDir` at
most; anything else, such as `--project`, grep filters, path filters that do not plainly
match, a configuration it cannot read, is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import join
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
class PlaywrightRun(ParsedCommand):
    kind: ClassVar[str] = "playwright"
    paths: list[str] = field(default_factory=list)  # file filters (regular expressions on paths)
    no_run: bool = False  # --list
    not_read: list[str] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-c", "--config", "-g", "--grep", "--grep-invert", "--project", "-j", "--workers",
        "--reporter", "--retries", "--repeat-each", "--shard", "--timeout", "--max-failures",
        "--output", "--global-timeout", "--tsconfig", "--trace",
    }
)  # fmt: skip
_NOT_READ = frozenset(
    {
        "-c",
        "--config",
        "-g",
        "--grep",
        "--grep-invert",
        "--project",
        "--shard",
        "--only-changed",
        "--last-failed",
    }
)


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    if cur.peek() != "test":
        return Unknown(non_test=True, **common)  # `playwright install`, `show-report`, `codegen`
    cur.take()
    cmd = PlaywrightRun(**common)
    for name, value in words(cur, _VALUE):
        if not name:
            cmd.paths.append(value or "")
        elif name in _NOT_READ:
            cmd.not_read.append(name)
        elif value is None:
            if name == "--list":
                cmd.no_run = True
            else:
                cmd.others.append(name)  # --headed, --forbid-only, --pass-with-no-tests, …
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: PlaywrightRun) -> SelectionKey:
    return ("playwright", frozenset(cmd.paths), cmd.no_run, frozenset(cmd.not_read), cmd.directory)


def _selecting_words(cmd: PlaywrightRun) -> str:
    return " ".join(cmd.paths)


# --- judging ------------------------------------------------------------------------------------

_SOURCES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
_CONFIGS = tuple(f"playwright.config.{e}" for e in ("ts", "js", "mjs", "cjs", "mts", "cts"))
_TEST_FILES = re.compile(r"(?:^|/)[^/]*\.(?:spec|test)\.[cm]?[jt]sx?$")
_TEST_DIR = re.compile(r"""\btestDir\s*:\s*(['"])([^'"]*)\1""")
_SELECTING_KEYS = re.compile(r"\b(?:testMatch|testIgnore)\b")


def judge(fs: FileSystem, cmd: PlaywrightRun, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_SOURCES):
        return does_not_run(Reason.WRONG_LANGUAGE, f"runs Playwright tests; `{test.path}` is not one", text)
    if cmd.no_run:
        return does_not_run(Reason.NO_RUN, "lists the tests (`--list`) but runs none", text)
    if cmd.not_read:
        return unknown(
            Reason.FILTERSET, f"{code_list(cmd.not_read)}: which tests that selects is not read", text
        )
    config_path = next(
        (join(where, n) for n in _CONFIGS if fs.read_text(join(where, n)).text is not None), None
    )
    if config_path is None:
        return unknown(
            Reason.MANIFEST_ERROR, f"`{text}` finds no playwright.config in `{where or '.'}`", text
        )
    config = fs.read_text(config_path).text or ""
    dirs = _TEST_DIR.findall(config)
    if _SELECTING_KEYS.search(config) or len(dirs) > 1 or (not dirs and "testDir" in config):
        # its own test files, a project's own `testDir`, a `testDir` that is not a plain string
        return unknown(Reason.MANIFEST_ERROR, f"`{config_path}` chooses the test files: not read", text)
    declared = _TEST_DIR.search(config)
    test_dir = join_dir(where, declared.group(2)) if declared else where
    if test_dir is None:
        return unknown(
            Reason.MANIFEST_ERROR, f"`{config_path}`: its `testDir` is outside the workspace", text
        )
    if test_dir and not test.path.startswith(test_dir + "/"):
        return does_not_run(
            Reason.OUTSIDE_PATHS,
            f"runs the tests under `{test_dir}` (`{config_path}`); `{test.path}` is not",
            text,
        )
    if not _TEST_FILES.search(test.path):
        return does_not_run(
            Reason.NOT_COLLECTED, f"runs `*.spec.ts`/`*.test.js` files; `{test.path}` is not one", text
        )
    for path in cmd.paths:
        if path not in test.path:
            return unknown(
                Reason.OUTSIDE_PATHS, f"runs only files matching `{path}`: not read for `{test.path}`", text
            )
    cited = cited_definition(fs, test)
    if test.ignored or (cited is not None and cited.disabled):
        return does_not_run(Reason.IGNORED, f"finds `{test.path}` but the test is disabled", text)
    return runs(f"runs the tests under `{test_dir or '.'}`, `{test.path}` among them", text)


RUNNER = Runner(
    name="playwright",
    title="Playwright Test",
    programs=frozenset({"playwright"}),
    model=PlaywrightRun,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="playwright.config: its `testDir`, and whether it sets test files or projects",
)
