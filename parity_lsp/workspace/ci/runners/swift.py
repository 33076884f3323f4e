"""swift test (SwiftPM): the command model, its selection key (docs/spec/ci.md#matching), and
whether it runs a Swift test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: "runs" when the package that `swift test` builds (the nearest `Package.swift` at or above
where it runs, or `--package-path`) holds the test in a test target of the standard layout
(`Tests/<Target>/…`, a target Package.swift names) and `--filter`/`--skip` let it through;
"does not run" only when that is certain (another package, `--list-tests`, a filter the test's
`Target.Class/method` does not match); anything else, such as a target at a custom path, a
Swift Testing test under a filter, or a filter that cannot be evaluated, is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import ancestors, join, parent
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    Unknown,
    cited_disabled,
    join_directory,
    linear_regex,
    words,
)
from parity_lsp.workspace.ci.testinfo import last_part
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class SwiftTest(ParsedCommand):
    kind: ClassVar[str] = "swift"
    filters: list[str] = field(default_factory=list)  # --filter (any may match), -s/--specifier
    skips: list[str] = field(default_factory=list)  # --skip
    no_run: bool = False  # --list-tests, --show-codecov-path: nothing runs
    frameworks_off: list[str] = field(default_factory=list)  # --disable-xctest, --disable-swift-testing


# --- parsing ---------------------------------------------------------------------------------

_NON_TEST = frozenset({"build", "run", "package", "sdk", "repl", "format", "--version", "-version"})
# options that take a value (the value is the next word unless written `--opt=value`)
_VALUE = frozenset(
    {
        "--filter", "--skip", "-s", "--specifier", "-c", "--configuration", "--package-path",
        "--build-path", "--scratch-path", "--cache-path", "--config-path", "--security-path",
        "--num-workers", "--xunit-output", "--sanitize", "-Xswiftc", "-Xcc", "-Xcxx", "-Xlinker",
        "--triple", "--sdk", "--toolchain", "--swift-sdk", "--swift-sdks-path", "-j", "--jobs",
        "--attachments-path", "--event-stream-output-path", "--event-stream-version",
        "--experimental-event-stream-output", "--default-registry-url", "--arch",
    }
)  # fmt: skip
_NO_RUN = frozenset({"--list-tests", "-l", "--show-codecov-path", "--show-code-coverage-path"})
_FRAMEWORK_OFF = frozenset({"--disable-xctest", "--disable-swift-testing"})


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    sub = cur.peek()
    if sub != "test":
        if sub in _NON_TEST or sub is None:
            return Unknown(non_test=True, **common)
        return None  # `swift file.swift`, an option first: the generic parser decides
    cur.take()
    cmd = SwiftTest(**common)
    for name, value in words(cur, _VALUE):
        if value is None:
            if name in _NO_RUN:
                cmd.no_run = True
            elif name in _FRAMEWORK_OFF:
                cmd.frameworks_off.append(name)
            else:
                cmd.others.append(name)
        elif name in ("--filter", "-s", "--specifier"):
            cmd.filters.append(value)
        elif name == "--skip":
            cmd.skips.append(value)
        elif name == "--package-path":
            cmd.directory = join_directory(cmd.directory, value)
        elif name:
            cmd.others.append(f"{name}={value}")
        else:
            cmd.others.append(value)  # swift test takes no path: a word of its own
    return cmd


def selection_key(cmd: SwiftTest) -> SelectionKey:
    return (
        "swift",
        frozenset(cmd.filters),
        frozenset(cmd.skips),
        cmd.no_run,
        frozenset(cmd.frameworks_off),
        cmd.directory,
    )


def _selecting_words(cmd: SwiftTest) -> str:
    return " ".join(cmd.filters + cmd.skips)


# --- judging ------------------------------------------------------------------------------------

_TESTS_DIR = "Tests"


def _package_of(fs: FileSystem, directory: str) -> str | None:
    """The package a directory belongs to: the nearest ancestor with a Package.swift."""
    for d in ancestors(directory):
        if fs.is_file(join(d, "Package.swift")):
            return d
    return None


def judge(fs: FileSystem, cmd: SwiftTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(".swift"):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs Swift tests; `{test.path}` is not a `.swift` file", text
        )
    if cmd.no_run:
        return does_not_run(
            Reason.NO_RUN, "lists the tests (or shows the coverage path) but does not run them", text
        )
    package = _package_of(fs, where)
    if package is None:
        return unknown(
            Reason.MANIFEST_ERROR, f"`{text}` finds no Package.swift at or above `{where or '.'}`", text
        )
    own = _package_of(fs, parent(test.path))
    if own != package:
        other = f"the package at `{own or '.'}`" if own is not None else "no Swift package"
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"tests the package at `{package or '.'}`; `{test.path}` is in {other}",
            text,
        )
    inside = test.path[len(package) + 1 :] if package else test.path
    parts = inside.split("/")
    if len(parts) < 3 or parts[0] != _TESTS_DIR:
        return unknown(
            Reason.NO_TARGET,
            f"`{test.path}` is not under `{join(package, _TESTS_DIR)}/<Target>/`: its test target is "
            "declared in Package.swift at a path parity-lsp does not read",
            text,
        )
    target = parts[1]
    manifest = fs.read_text(join(package, "Package.swift")).text or ""
    if f'"{target}"' not in manifest:
        return unknown(
            Reason.NO_TARGET,
            f"Package.swift does not name a target `{target}` as written: not read further",
            text,
        )
    if cmd.frameworks_off:
        return unknown(
            Reason.FILTERSET,
            f"{code_list(cmd.frameworks_off)}: whether `{test.path}` uses that framework is not read",
            text,
        )
    where_text = f"the test target `{target}` of the package at `{package or '.'}`"
    if not cmd.filters and not cmd.skips:
        if cited_disabled(fs, test):
            return does_not_run(Reason.IGNORED, f"builds {where_text} but the test is disabled", text)
        return runs(f"runs every test target, {where_text} among them", text)
    return _filtered(fs, cmd, test, target, where_text)


def _definitions(fs: FileSystem, path: str) -> list[tuple[str, str, bool, bool]]:
    """(class, method, Swift Testing, disabled) for the tests of a file."""
    from parity_lsp.workspace.symbols import find_definitions

    source = fs.read_text(path).text or ""
    out = []
    for d in find_definitions(path, source) or ():
        if d.is_test and "::" in d.qualname:
            owner, _, method = d.qualname.rpartition("::")
            swift_testing = d.signature.lstrip().startswith("@")
            out.append((owner.replace("::", "."), method, swift_testing, bool(d.disabled)))
    return out


def _filtered(fs: FileSystem, cmd: SwiftTest, test: TestTarget, target: str, where_text: str) -> Verdict:
    text = cmd.text
    tests = _definitions(fs, test.path)
    if test.name is not None:
        method = last_part(test.name)
        tests = [t for t in tests if t[1] == method]
    if not tests:
        return unknown(
            Reason.EXPRESSION, "the filter names tests by class: the cited test's class is not known", text
        )
    try:
        filters = [linear_regex(f) for f in cmd.filters]
        skips = [(s, linear_regex(s)) for s in cmd.skips]
    except re.error as exc:
        return unknown(Reason.BAD_EXPRESSION, f"the filter in `{text}` cannot be evaluated: {exc}", text)
    first: Verdict | None = None
    for owner, method, swift_testing, disabled in tests:
        if swift_testing:
            return unknown(
                Reason.EXPRESSION,
                f"`{method}` is a Swift Testing test: how `--filter` names it is not modelled",
                text,
            )
        ident = f"{target}.{owner}/{method}"
        if filters and not any(f.search(ident) for f in filters):
            first = first or does_not_run(
                Reason.NAME_FILTER,
                f"runs only tests matching {code_list(cmd.filters)}; `{ident}` does not match",
                text,
                test_name=ident,
            )
            continue
        skip = next((written for written, rx in skips if rx.search(ident)), None)
        if skip is not None:
            first = first or does_not_run(
                Reason.SKIP_FILTER, f"skips `{ident}` (`--skip {skip}`)", text, test_name=ident
            )
            continue
        if disabled or test.ignored:
            first = first or does_not_run(
                Reason.IGNORED, f"selects `{ident}` but the test is disabled", text, test_name=ident
            )
            continue
        return runs(f"runs `{ident}` ({where_text})", text, test_name=ident)
    assert first is not None
    return first


RUNNER = Runner(
    name="swift",
    title="swift test",
    programs=frozenset({"swift"}),
    model=SwiftTest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="Package.swift (where it is, the target names it holds) and the `Tests/<Target>/` layout",
)
