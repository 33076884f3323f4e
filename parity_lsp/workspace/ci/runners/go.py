"""go test (and `gotestsum`): the command model, its selection key (docs/spec/ci.md#matching),
and whether it runs a Go test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Package
patterns (`.`, `./...`, `./pkg/...`, import paths, `all`) are resolved against the module of
the working directory; `-run`/`-skip` are unanchored regular expressions split on `/` for
subtests; `//go:build` constraints are checked against `-tags`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import GoPackage, go_module_for_dir, go_package_for_file, is_under
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    Unknown,
    join_directory,
    may_backtrack,
    split_list,
)
from parity_lsp.workspace.ci.shell import Word, join_dir
from parity_lsp.workspace.ci.testinfo import eval_go_constraint, go_build_constraint, go_test_names
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class GoTest(ParsedCommand):
    kind: ClassVar[str] = "go"
    packages: list[str] = field(default_factory=list)
    run: str | None = None
    skip: str | None = None
    tags: list[str] = field(default_factory=list)
    short: bool = False
    no_run: bool = False  # -c, -list: nothing runs
    binary_args: list[str] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------

NON_TEST_SUBCOMMANDS = frozenset(
    {
        "build",
        "vet",
        "mod",
        "fmt",
        "get",
        "install",
        "env",
        "version",
        "work",
        "list",
        "clean",
        "doc",
        "fix",
    }
)

_GO_VALUE = {
    "run",
    "skip",
    "bench",
    "benchtime",
    "count",
    "cpu",
    "parallel",
    "timeout",
    "tags",
    "coverprofile",
    "covermode",
    "coverpkg",
    "cpuprofile",
    "memprofile",
    "memprofilerate",
    "blockprofile",
    "blockprofilerate",
    "mutexprofile",
    "mutexprofilefraction",
    "trace",
    "outputdir",
    "o",
    "p",
    "exec",
    "ldflags",
    "gcflags",
    "asmflags",
    "gccgoflags",
    "mod",
    "modfile",
    "pkgdir",
    "toolexec",
    "vet",
    "C",
    "shuffle",
    "fuzz",
    "fuzztime",
    "fuzzminimizetime",
    "list",
    "overlay",
    "pgo",
    "buildmode",
    "compiler",
    "installsuffix",
    "fullpath",
}


def _parse_go(cur: Cursor, common: Common) -> ParsedCommand:
    sub = cur.take() if not cur.done() else None
    if sub != "test":
        if sub in NON_TEST_SUBCOMMANDS:
            return Unknown(non_test=True, **common)
        return Unknown(**common)
    cmd = GoTest(**common)
    while not cur.done():
        word = cur.take()
        if word in ("-args", "--args"):
            cmd.binary_args = [w.value for w in cur.rest()]
            break
        if not word.startswith("-"):
            cmd.packages.append(word)
            continue
        name, eq, value = word.lstrip("-").partition("=")
        name = name.removeprefix("test.")
        if name in _GO_VALUE:
            if not eq:
                value = cur.take() if not cur.done() else ""
            if name == "run":
                cmd.run = value
            elif name == "skip":
                cmd.skip = value
            elif name == "tags":
                cmd.tags.extend(split_list(value))
                cmd.others.append(f"-tags={value}")
            elif name == "list":
                cmd.no_run = True
            elif name == "C":
                cmd.directory = join_directory(cmd.directory, value)
            else:
                cmd.others.append(f"-{name}={value}")
        else:
            if name == "c":
                cmd.no_run = True
            elif name == "short":
                cmd.short = value.lower() not in ("false", "0")
            cmd.others.append(f"-{name}" + (f"={value}" if eq else ""))
    return cmd


def _parse_gotestsum(cur: Cursor, common: Common) -> ParsedCommand:
    """`gotestsum [flags] -- [go test args]` runs `go test`."""
    common["wrappers"] = common["wrappers"] + ["gotestsum"]
    packages: list[str] = []
    while not cur.done():
        word = cur.take()
        if word == "--":
            break
        name, eq, value = word.partition("=")
        if name == "--raw-command":
            return Unknown(**common)
        if name == "--packages":
            value = value if eq else (cur.take() if not cur.done() else "")
            packages.extend(value.split())
        elif (
            name
            in (
                "--format",
                "-f",
                "--junitfile",
                "--jsonfile",
                "--rerun-fails",
                "--post-run-command",
                "--hide-summary",
                "--format-icons",
                "--rerun-fails-report",
                "--junitfile-testsuite-name",
                "--junitfile-testcase-classname",
            )
            and not eq
            and name != "--rerun-fails"  # its count is only given as `--rerun-fails=N`
            and not cur.done()
        ):
            cur.take()
    cmd = _parse_go(Cursor([Word("test")] + cur.rest()), common)
    if isinstance(cmd, GoTest) and packages and not cmd.packages:
        cmd.packages = packages
    return cmd


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    if program == "gotestsum":
        return _parse_gotestsum(cur, common)
    return _parse_go(cur, common)


def selection_key(cmd: GoTest) -> SelectionKey:
    return ("go", frozenset(cmd.packages), cmd.run, cmd.skip, cmd.no_run, cmd.directory)


def _selecting_words(cmd: GoTest) -> str:
    return repr(cmd.skip)


# --- judging ------------------------------------------------------------------------------------


def split_go_regex(expr: str) -> list[str]:
    """Split `-run` on slashes outside brackets and parentheses (Go's splitRegexp)."""
    parts, cur, depth, brackets = [], [], 0, 0
    i = 0
    while i < len(expr):
        c = expr[i]
        if c == "\\" and i + 1 < len(expr):
            cur.append(expr[i : i + 2])
            i += 2
            continue
        if c == "[":
            brackets += 1
        elif c == "]" and brackets:
            brackets -= 1
        elif c == "(" and not brackets:
            depth += 1
        elif c == ")" and not brackets and depth:
            depth -= 1
        elif c == "/" and not depth and not brackets:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _compile(expr: str) -> re.Pattern[str]:
    if may_backtrack(expr):
        raise re.error(
            "a repeated group holds a repetition or an alternative (Go's RE2 matches it"
            " in linear time; here it may take exponential time)"
        )
    return re.compile(expr.replace(r"\z", r"\Z"))


def _pattern_covers(fs: FileSystem, pattern: str, where: str, pkg: GoPackage) -> bool:
    if pattern in ("all", "..."):
        module = go_module_for_dir(fs, where)
        return module is not None and module.root == pkg.module.root
    if pattern.startswith((".", "/")):
        recursive = pattern.endswith("/...") or pattern == "..."
        base = join_dir(where, pattern[: -len("/...")] if pattern.endswith("/...") else pattern)
        if base is None:
            return False
        base_module = go_module_for_dir(fs, base)
        if base_module is None or base_module.root != pkg.module.root:
            return False  # `./...` stops at nested modules
        if not recursive:
            return pkg.dir == base
        if not is_under(pkg.dir, base):
            return False
        below = pkg.dir[len(base) + 1 :] if base else pkg.dir
        if pkg.dir == base:
            return True
        return not any(p.startswith((".", "_")) or p in ("testdata", "vendor") for p in below.split("/"))
    if pkg.import_path is None:
        return False
    if "..." in pattern:
        rx = re.escape(pattern).replace(r"\.\.\.", ".*")
        if pattern.endswith("/..."):  # `x/...` also matches `x`
            rx = re.escape(pattern[:-4]) + r"(/.*)?"
        return re.fullmatch(rx, pkg.import_path) is not None
    return pattern == pkg.import_path


def judge(fs: FileSystem, cmd: GoTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith("_test.go"):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs Go tests; `{test.path}` is not a `_test.go` file", text
        )
    if cmd.no_run:
        return does_not_run(
            Reason.NO_RUN, "compiles or lists the tests but does not run them (`-c`/`-list`)", text
        )
    pkg = go_package_for_file(fs, test.path)
    if pkg is None:
        return does_not_run(
            Reason.GO_MODULE, f"cannot run it: `{test.path}` is not inside a Go module (no go.mod)", text
        )
    if pkg.module.error:
        return unknown(Reason.MANIFEST_ERROR, f"cannot read the Go module: {pkg.module.error}", text)
    cwd_module = go_module_for_dir(fs, where)
    if cwd_module is None:
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"runs in `{where or '.'}`, which is not inside a Go module",
            text,
        )
    patterns = cmd.packages or ["."]
    if not any(_pattern_covers(fs, p, where, pkg) for p in patterns):
        shown = "./" + pkg.rel_dir if pkg.rel_dir else "."
        if not cmd.packages:
            return does_not_run(
                Reason.OUTSIDE_WORKING_DIRECTORY,
                f"tests only the package in `{where or '.'}`;"
                f" the test is in package `{pkg.import_path or pkg.dir}`",
                text,
            )
        return does_not_run(
            Reason.GO_PACKAGE,
            f"tests {code_list(patterns)}, which does not cover package `{shown}`"
            f" (`{pkg.import_path or pkg.dir}`)",
            text,
        )

    source = fs.read_text(test.path).text or ""
    constraint = go_build_constraint(source)
    if constraint is not None and eval_go_constraint(constraint, set(cmd.tags)) is False:
        tags = f"`-tags {','.join(cmd.tags)}`" if cmd.tags else "no `-tags`"
        return does_not_run(
            Reason.BUILD_TAGS,
            f"does not build `{test.path}`: its constraint `//go:build {constraint}` is not met ({tags})",
            text,
        )

    names = [test.name] if test.name else go_test_names(source)
    if not names:
        return runs(f"tests package `{pkg.import_path or pkg.dir}`", text)
    first: Verdict | None = None
    for name in names:
        v = _filters(cmd, name)
        if v is None:
            return runs(
                f"tests package `{pkg.import_path or pkg.dir}` — matches `{name}`", text, test_name=name
            )
        if v.outcome == Outcome.UNKNOWN:
            return v
        first = first or v
    assert first is not None
    return first


def _filters(cmd: GoTest, name: str) -> Verdict | None:
    """None when `-run`/`-skip` let the test (or subtest `Top/sub`) run."""
    levels = name.split("/")
    try:
        if cmd.run:
            for i, part in enumerate(split_go_regex(cmd.run)[: len(levels)]):
                if not _compile(part).search(levels[i]):
                    return does_not_run(
                        Reason.RUN_REGEX,
                        f"runs only tests matching `-run {cmd.run}`; `{name}` does not match",
                        cmd.text,
                        test_name=name,
                    )
        if cmd.skip:
            parts = split_go_regex(cmd.skip)
            if len(parts) <= len(levels) and all(_compile(p).search(levels[i]) for i, p in enumerate(parts)):
                return does_not_run(
                    Reason.SKIP_REGEX, f"skips `{name}` (`-skip {cmd.skip}`)", cmd.text, test_name=name
                )
    except re.error as exc:
        return unknown(
            Reason.BAD_EXPRESSION,
            f"the regular expression in `{cmd.text}` cannot be evaluated: {exc}",
            cmd.text,
        )
    return None


RUNNER = Runner(
    name="go",
    title="go test",
    programs=frozenset({"go", "gotestsum"}),
    model=GoTest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="Go modules and packages (`projects.go_package_for_file`), test names and build "
    "constraints (`testinfo`)",
)
