"""CTest (`ctest`): the command model, its selection key (docs/spec/ci.md#matching), and whether
it runs a C or C++ test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. CTest runs
the tests a CMake build registered; the build directory is made in CI, so what is read is the
source tree: "runs" when a `CMakeLists.txt` at or above the test's file adds it to an executable
(`add_executable(T … file …)`) whose tests it registers (`gtest_discover_tests(T)`,
`gtest_add_tests(TARGET T)`, `catch_discover_tests(T)`, `doctest_discover_tests(T)`, or
`add_test(… T …)`) and no filter deselects it (`-R`/`-E` on a GoogleTest `Suite.Name`, when the
tests are discovered with their own names); "does not run" only for `--show-only`, a disabled
test, or a `-R`/`-E` that plainly deselects a discovered GoogleTest; anything else, such as
labels, a test registered some other way, names changed by `TEST_PREFIX`, is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import ancestors, join, parent
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    cited_definition,
    linear_regex,
    words,
)
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class CTestRun(ParsedCommand):
    kind: ClassVar[str] = "ctest"
    include: str | None = None  # -R / --tests-regex
    exclude: str | None = None  # -E / --exclude-regex
    show_only: bool = False  # -N / --show-only
    not_read: list[str] = field(default_factory=list)  # labels, index ranges, fixtures, …


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-R", "--tests-regex", "-E", "--exclude-regex", "-L", "--label-regex", "-LE",
        "--label-exclude", "-I", "--tests-information", "-U", "--union", "-C", "--build-config",
        "-j", "--parallel", "--test-dir", "--timeout", "--repeat", "-O", "--output-log",
        "--output-junit", "-FA", "--fixture-exclude-any", "-FS", "-FC", "--resource-spec-file",
        "--stop-time", "--test-load", "-D", "--dashboard", "-T", "--test-action",
    }
)  # fmt: skip
_NOT_READ = frozenset(
    {
        "-L",
        "--label-regex",
        "-LE",
        "--label-exclude",
        "-I",
        "--tests-information",
        "-U",
        "--union",
        "--rerun-failed",
    }
)


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    cmd = CTestRun(**common)
    for name, value in words(cur, _VALUE):
        if name in _NOT_READ:
            cmd.not_read.append(name)
        elif value is None:
            if name in ("-N", "--show-only"):
                cmd.show_only = True
            else:
                cmd.others.append(name)  # --output-on-failure, -V, --no-tests=error, …
        elif name in ("-R", "--tests-regex"):
            cmd.include = value
        elif name in ("-E", "--exclude-regex"):
            cmd.exclude = value
        elif name:
            cmd.others.append(f"{name}={value}")  # --test-dir: the build tree, made in CI
        else:
            cmd.others.append(value)
    return cmd


def selection_key(cmd: CTestRun) -> SelectionKey:
    return ("ctest", cmd.include, cmd.exclude, cmd.show_only, frozenset(cmd.not_read))


def _selecting_words(cmd: CTestRun) -> str:
    return " ".join(w for w in (cmd.include, cmd.exclude) if w)


# --- judging ------------------------------------------------------------------------------------

_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".cu", ".m", ".mm")
_EXECUTABLE = re.compile(r"\badd_executable\s*\(\s*([\w.-]+)([^)]*)\)", re.IGNORECASE)
_DISCOVERED = re.compile(
    r"\b(gtest_discover_tests|catch_discover_tests|doctest_discover_tests)\s*\(\s*([\w.-]+)([^)]*)\)", re.I
)
_REGISTERED = re.compile(r"\b(?:add_test|gtest_add_tests)\s*\(([^)]*)\)", re.IGNORECASE)


def _registration(fs: FileSystem, path: str) -> tuple[str, str] | None:
    """(how the tests of `path`'s executable are registered: "gtest" for `gtest_discover_tests`
    without renaming options, "other"; the CMakeLists.txt) or None when no CMakeLists.txt at or
    above the file adds it to an executable whose tests it registers."""
    name = path.rsplit("/", 1)[-1]
    for d in ancestors(parent(path)):
        lists = fs.read_text(join(d, "CMakeLists.txt")).text
        if lists is None:
            continue
        relative = path[len(d) + 1 :] if d else path
        for target, sources in _EXECUTABLE.findall(lists):
            if relative not in sources.split() and name not in re.split(r"[\s/]+", sources):
                continue
            for how, discovered, options in _DISCOVERED.findall(lists):
                if discovered == target:
                    renamed = re.search(r"\bTEST_(?:PREFIX|SUFFIX|LIST)\b|\bNO_PRETTY", options)
                    plain = how.lower() == "gtest_discover_tests" and not renamed
                    return ("gtest" if plain else "other"), join(d, "CMakeLists.txt")
            if any(
                re.search(rf"(?<![\w.-]){re.escape(target)}(?![\w.-])", args)
                for args in _REGISTERED.findall(lists)
            ):
                return "other", join(d, "CMakeLists.txt")
    return None


def judge(fs: FileSystem, cmd: CTestRun, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_SOURCES):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs CMake's tests; `{test.path}` is not a C or C++ source", text
        )
    if cmd.show_only:
        return does_not_run(Reason.NO_RUN, "lists the tests (`--show-only`) but runs none", text)
    if cmd.not_read:
        return unknown(
            Reason.FILTERSET, f"`{' '.join(cmd.not_read)}`: which tests that selects is not read", text
        )
    found = _registration(fs, test.path)
    if found is None:
        return unknown(
            Reason.NO_TARGET,
            f"no CMakeLists.txt above `{test.path}` registers the tests of an executable built from it",
            text,
        )
    how, lists = found
    cited = cited_definition(fs, test)
    if test.ignored or (cited is not None and cited.disabled):
        return does_not_run(
            Reason.IGNORED, f"registers `{test.path}`'s tests ({lists}) but the test is disabled", text
        )
    if cmd.include is None and cmd.exclude is None:
        return runs(f"runs the tests {lists} registers, `{test.path}`'s among them", text)
    if how != "gtest" or cited is None or "::" not in cited.qualname:
        return unknown(
            Reason.EXPRESSION,
            "the test's name as CTest lists it is not known: the filter is not evaluated",
            text,
        )
    name = cited.qualname.replace("::", ".")  # `TEST(Suite, Name)` is `Suite.Name`
    try:
        selected = cmd.include is None or linear_regex(cmd.include).search(name) is not None
        deselected = cmd.exclude is not None and linear_regex(cmd.exclude).search(name) is not None
    except re.error as exc:
        return unknown(
            Reason.BAD_EXPRESSION, f"the regular expression in `{text}` cannot be evaluated: {exc}", text
        )
    if not selected:
        return does_not_run(
            Reason.NAME_FILTER, f"runs only tests matching `-R {cmd.include}`; `{name}` does not", text
        )
    if deselected:
        return does_not_run(Reason.SKIP_FILTER, f"excludes `{name}` (`-E {cmd.exclude}`)", text)
    return runs(f"runs `{name}` ({lists} registers it)", text, test_name=name)


RUNNER = Runner(
    name="ctest",
    title="CTest",
    programs=frozenset({"ctest"}),
    model=CTestRun,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="CMakeLists.txt: the executables built from a test file and how their tests are registered",
)
