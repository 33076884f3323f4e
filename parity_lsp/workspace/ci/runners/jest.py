"""jest and vitest: the command model, its selection key (docs/spec/ci.md#matching), and whether
it runs a JavaScript or TypeScript test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: "runs" when the test file lies under where the command runs, matches the runner's
default test files (jest: `__tests__/` or `*.test.js`/`*.spec.ts`…; vitest: `*.test.ts`/
`*.spec.js`…; never under `node_modules/`) and the configuration changes none of that (a config
file that does not mention `include`, `testMatch`, `roots`, …); "does not run" only when that is
certain (a file outside where it runs, or not a test file by the defaults, `--listTests`,
`vitest list`, a disabled test); anything else, such as a configuration that selects the test
files, projects, a path or name filter that does not match, changed-files modes, is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import is_under, join
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    Unknown,
    cited_definition,
    linear_regex,
    words,
)
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class JsTest(ParsedCommand):
    kind: ClassVar[str] = "jest"
    tool: str = "jest"  # jest | vitest
    paths: list[str] = field(default_factory=list)  # positional path filters
    name_pattern: str | None = None  # -t / --testNamePattern
    path_patterns: list[str] = field(default_factory=list)  # jest --testPathPattern(s)
    no_run: bool = False  # --listTests, `vitest list`
    not_read: list[str] = field(default_factory=list)  # options that select tests by what is not read


# --- parsing ---------------------------------------------------------------------------------

# options that take a value (the next word unless written `--opt=value`)
_VALUE = frozenset(
    {
        "-t", "--testNamePattern", "--testPathPattern", "--testPathPatterns", "-c", "--config",
        "--rootDir", "--roots", "--selectProjects", "--shard", "--changedSince", "-w", "--maxWorkers",
        "--reporters", "--reporter", "--outputFile", "--coverageReporters", "--testTimeout",
        "--project", "--dir", "-r", "--root", "--exclude", "--environment", "--pool", "--mode",
        "--outputFile.junit", "--coverage.reporter", "--coverage.provider", "--bail",
    }
)  # fmt: skip
# options whose selection of tests depends on what is not read (configs, git, projects)
_NOT_READ = frozenset(
    {
        "-c", "--config", "--rootDir", "--roots", "--selectProjects", "--shard", "--changedSince",
        "--project", "--dir", "-r", "--root", "--exclude", "-o", "--onlyChanged", "--changed",
        "--lastCommit", "--findRelatedTests", "--testPathIgnorePatterns", "--onlyFailures", "-f",
    }
)  # fmt: skip
_VITEST_NON_TEST = frozenset({"bench", "init", "typecheck"})


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    cmd = JsTest(tool=program, **common)
    if program == "vitest" and cur.peek() in ("run", "watch", "dev", "related", "list", *_VITEST_NON_TEST):
        sub = cur.take()
        if sub in _VITEST_NON_TEST:
            return Unknown(non_test=sub != "typecheck", **common)
        if sub == "list":
            cmd.no_run = True
        elif sub == "related":
            cmd.not_read.append("related")
    for name, value in words(cur, _VALUE):
        if not name:
            cmd.paths.append(value or "")
        elif name in _NOT_READ:
            cmd.not_read.append(name)
        elif value is None:
            if name in ("--listTests", "--list"):
                cmd.no_run = True
            else:
                cmd.others.append(name)  # --ci, --coverage, --run, --runInBand, --passWithNoTests, …
        elif name in ("-t", "--testNamePattern"):
            cmd.name_pattern = value
        elif name in ("--testPathPattern", "--testPathPatterns"):
            cmd.path_patterns.append(value)
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: JsTest) -> SelectionKey:
    return (
        "jest",
        cmd.tool,
        frozenset(cmd.paths),
        cmd.name_pattern,
        frozenset(cmd.path_patterns),
        cmd.no_run,
        frozenset(cmd.not_read),
        cmd.directory,
    )


def _selecting_words(cmd: JsTest) -> str:
    return " ".join([*cmd.paths, *cmd.path_patterns, cmd.name_pattern or ""])


# --- judging ------------------------------------------------------------------------------------

_SOURCE = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
# the default test files (jest `testMatch`, vitest `include`) and what both leave out
_JEST_FILES = re.compile(r"(?:^|/)__tests__/.*\.[jt]sx?$|(?:^|/)(?:[^/]*\.)?(?:spec|test)\.[jt]sx?$")
_VITEST_FILES = re.compile(r"(?:^|/)[^/]*\.(?:test|spec)\.[cm]?[jt]sx?$")
_VITEST_EXCLUDED = re.compile(r"(?:^|/)(?:node_modules|dist|cypress|\.idea|\.git|\.cache|\.output|\.temp)/")
# configuration keys that choose the test files or split them into projects: not read
_SELECTING_KEYS = re.compile(
    r"\b(?:include|exclude|dir|root|roots|rootDir|testMatch|testRegex|testPathIgnorePatterns|projects|workspace)\b"
)
_CONFIGS = {
    "jest": tuple(f"jest.config.{e}" for e in ("js", "ts", "mjs", "cjs", "json")),
    "vitest": tuple(
        f"{n}.{e}"
        for n in ("vitest.config", "vite.config", "vitest.workspace")
        for e in ("ts", "js", "mjs", "cjs", "mts", "cts")
    ),
}


def _configuration(fs: FileSystem, cmd: JsTest, where: str) -> str | None:
    """The configuration that selects test files in a way that is not read, or None."""
    for name in _CONFIGS[cmd.tool]:
        rel = join(where, name)
        text = fs.read_text(rel).text
        if text is not None and (name.startswith("vitest.workspace") or _SELECTING_KEYS.search(text)):
            return rel
    if cmd.tool == "jest":
        package = fs.read_text(join(where, "package.json")).text or ""
        if '"jest"' in package and _SELECTING_KEYS.search(package.split('"jest"', 1)[1]):
            return join(where, "package.json")
    return None


def judge(fs: FileSystem, cmd: JsTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_SOURCE):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs JavaScript and TypeScript tests; `{test.path}` is not one", text
        )
    if cmd.no_run:
        return does_not_run(Reason.NO_RUN, "lists the test files but runs none", text)
    if not is_under(test.path, where):
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"looks for tests under `{where}`; `{test.path}` is outside it",
            text,
        )
    if cmd.not_read:
        return unknown(
            Reason.FILTERSET, f"{code_list(cmd.not_read)}: which files that selects is not read", text
        )
    config = _configuration(fs, cmd, where)
    if config is not None:
        return unknown(Reason.MANIFEST_ERROR, f"`{config}` chooses the test files: not read", text)
    rel = test.path[len(where) + 1 :] if where else test.path
    files, shown = (
        (_JEST_FILES, "`__tests__/` or `*.test.js`/`*.spec.ts`")
        if cmd.tool == "jest"
        else (
            _VITEST_FILES,
            "`*.test.ts`/`*.spec.js`",
        )
    )
    if (
        "node_modules/" in rel
        or not files.search(rel)
        or (cmd.tool == "vitest" and _VITEST_EXCLUDED.search(rel))
    ):
        return does_not_run(
            Reason.NOT_COLLECTED,
            f"runs the files {cmd.tool} finds by default ({shown}); `{test.path}` is not one",
            text,
        )
    for path in cmd.paths:
        if path not in rel and not _regex_search(path, rel):
            return unknown(
                Reason.OUTSIDE_PATHS,
                f"runs only files matching `{path}`; whether `{rel}` does is not read",
                text,
            )
    for pattern in cmd.path_patterns:
        if not _regex_search(pattern, rel):
            return unknown(
                Reason.OUTSIDE_PATHS, f"runs only files matching `{pattern}`: not read for `{rel}`", text
            )
    found = _find(fs, test)
    if found is not None and found[1]:
        return does_not_run(
            Reason.IGNORED, f"finds `{test.path}` but the test is disabled ({found[1]})", text
        )
    if cmd.name_pattern is not None:
        full = found[0] if found is not None else None
        if full is None or not _regex_search(cmd.name_pattern, full):
            return unknown(
                Reason.EXPRESSION, f"runs only tests named like `{cmd.name_pattern}`: not read", text
            )
    return runs(f"finds `{rel}` among its test files", text)


def _regex_search(pattern: str, text: str) -> bool:
    try:
        return linear_regex(pattern).search(text) is not None
    except re.error:
        return False


def _find(fs: FileSystem, test: TestTarget) -> tuple[str, str] | None:
    """(the full name as the runner joins it, how it is disabled or "") of the cited test."""
    found = cited_definition(fs, test)
    return (found.qualname.replace("::", " "), found.disabled or "") if found is not None else None


def _tool(cmd: JsTest) -> str:
    return cmd.tool


RUNNER = Runner(
    name="jest",
    title="jest / vitest",
    programs=frozenset({"jest", "vitest"}),
    model=JsTest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="their default test files and whether a configuration file chooses others",
    tool=_tool,
)
