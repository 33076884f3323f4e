"""What a test runner is (`Runner`), and the pieces its command parser and judge share.

Invariant: no IO of its own: a runner's `judge`/`follow` and the helpers here read only
through the `FileSystem` they are given. A command model is a `ParsedCommand` subclass with a
`kind` (the runner's `name`); `Unknown` is the model of every command no runner claims.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypedDict, TypeVar

from parity_lsp.workspace.ci.shell import Word, join_dir

if TYPE_CHECKING:
    from parity_lsp.workspace.ci.model import TestTarget, Verdict
    from parity_lsp.workspace.fs import FileSystem
    from parity_lsp.workspace.symbols import Definition

SelectionKey = tuple[Hashable, ...]  # equal for commands that select the same tests


@dataclass(kw_only=True, slots=True)
class ParsedCommand:
    text: str  # the command as given, whitespace folded
    argv: list[str] = field(default_factory=list)  # after env assignments and wrappers
    wrappers: list[str] = field(default_factory=list)  # "uv run", "python -m", …
    env: dict[str, str] = field(default_factory=dict)
    directory: str | None = None  # directory the command itself switches to (`make -C x`), relative
    dynamic: frozenset[str] = frozenset()  # word values only known at run time
    others: list[str] = field(default_factory=list)  # normalized words that do not change selection
    kind: ClassVar[str] = "command"

    @property
    def program(self) -> str:
        return self.argv[0] if self.argv else ""


@dataclass(kw_only=True, slots=True)
class Unknown(ParsedCommand):
    """A command no runner models: the verdict is unknown, or "does not run" for a program
    known to run no test."""

    kind: ClassVar[str] = "unknown"
    non_test: bool = False  # a program known not to run tests (echo, cargo build, pip, …)


class Common(TypedDict):
    """The `ParsedCommand` fields every parser fills the same way (passed as keywords)."""

    text: str
    argv: list[str]
    wrappers: list[str]
    env: dict[str, str]
    directory: str | None
    dynamic: frozenset[str]


ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(slots=True)
class Cursor:
    """Words being consumed left to right by an option parser."""

    words: list[Word]
    i: int = 0

    def done(self) -> bool:
        return self.i >= len(self.words)

    def peek(self) -> str | None:
        return self.words[self.i].value if self.i < len(self.words) else None

    def take(self) -> str:
        value = self.words[self.i].value
        self.i += 1
        return value

    def take_value(self) -> str:
        """The next word, or "" at the end (an option missing its value)."""
        return self.take() if not self.done() else ""

    def rest(self) -> list[Word]:
        return self.words[self.i :]


def option(cur: Cursor, word: str, short: set[str], long: set[str]) -> tuple[str, str | None] | None:
    """If `word` is a value-taking option, return (canonical name, value) consuming the value."""
    if word.startswith("--"):
        name, eq, value = word.partition("=")
        if name in long:
            if eq:
                return name, value
            return name, (cur.take() if not cur.done() else None)
        return None
    if word.startswith("-") and len(word) >= 2:
        name = word[:2]
        if name in short:
            if len(word) > 2:
                return name, word[2:].lstrip("=")
            return name, (cur.take() if not cur.done() else None)
    return None


def words(cur: Cursor, valued: frozenset[str]) -> Iterator[tuple[str, str | None]]:
    """The words after a program, as (option, value): `("", word)` for a word that is not an
    option; `(name, value)` for an option of `valued` (`--name=value`, `--name value`,
    `-n value`); `(word, None)` for any other option (a flag, or a form the runner reads
    itself: `-Dkey=value`, `-xtest`)."""
    while not cur.done():
        word = cur.take()
        if not word.startswith("-"):
            yield "", word
            continue
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in valued:
            yield name, value if eq else cur.take_value()
        else:
            yield word, None


def split_list(value: str) -> list[str]:
    """`a,b c` → [a, b, c] (cargo `--features`, go `-tags`)."""
    return [t for t in re.split(r"[ ,]+", value) if t]


def linear_regex(expr: str) -> re.Pattern[str]:
    """`expr` compiled, or re.error when it may take exponential time here (`may_backtrack`)
    or does not compile: a runner's name filter (`-run`, `--filter`, `-R`) is then not evaluated."""
    if may_backtrack(expr):
        raise re.error("a repeated group holds a repetition or an alternative (exponential time here)")
    return re.compile(expr)


def glob_regex(glob: str) -> re.Pattern[str]:
    """A name pattern whose only wildcard is `*` (Gradle's `--tests`, Maven's `-Dtest`)."""
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")))


def cited_definition(fs: FileSystem, test: TestTarget) -> Definition | None:
    """The definition of the test the matrix names in `test.path` (read through `fs`), or None
    for a file cited as a whole or a name not found."""
    from parity_lsp.workspace.ci.testinfo import cited_test

    return cited_test(test.path, fs.read_text(test.path).text or "", test.name) if test.name else None


def cited_disabled(fs: FileSystem, test: TestTarget) -> bool:
    """The cited test is disabled (`TestTarget.ignored` says so, or its definition does)."""
    if test.ignored:
        return True
    found = cited_definition(fs, test)
    return found is not None and bool(found.disabled)


def may_backtrack(expr: str) -> bool:
    """Does a repeated group (`*`, `+`, `{`) hold a repetition or an alternative (`(a+)+`,
    `(a|aa)*`)? Go (RE2) and other runners match their name filters in linear time; Python's
    backtracking `re` may take exponential time on such a group (the test name comes from the
    repository): such a filter is not evaluated."""
    holds: list[bool] = []  # per open group: holds a repetition or an alternative
    i = 0
    n = len(expr)
    while i < n:
        c = expr[i]
        i += 1
        if c == "\\":
            i += 1
        elif c == "[":  # a character class: `]` first is literal
            if i < n and expr[i] == "^":
                i += 1
            if i < n and expr[i] == "]":
                i += 1
            while i < n and expr[i] != "]":
                i += 2 if expr[i] == "\\" else 1
            i += 1
        elif c == "(":
            holds.append(False)
        elif c == ")" and holds:
            inner = holds.pop()
            repeated = i < n and expr[i] in "*+{"
            if inner and repeated:
                return True
            if holds and (inner or repeated):
                holds[-1] = True
        elif c in "*+{|" and holds:
            holds[-1] = True
    return False


UNKNOWN_DIR = "\x00unknown"  # a directory switch whose target is only known at run time


def join_directory(base: str | None, path: str) -> str:
    """`base` then `cd path`; `UNKNOWN_DIR` when it leaves the workspace or is unknown."""
    if base == UNKNOWN_DIR:
        return UNKNOWN_DIR
    joined = join_dir(base or "", path)
    return UNKNOWN_DIR if joined is None else joined


def effective_directory(cwd: str | None, cmd: ParsedCommand) -> str | None:
    """Where `cmd` runs, given the shell's cwd and the command's own `-C`/`--directory`; None: unknown."""
    if cwd is None or cmd.directory == UNKNOWN_DIR:
        return None
    return join_dir(cwd, cmd.directory) if cmd.directory else cwd


def shell_quote(arg: str) -> str:
    """`arg` as one shell word (re-parsing `addopts`, appending script arguments)."""
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


@dataclass(slots=True)
class Script:
    """A shell script a make target or package script runs (split and parsed by `follow`)."""

    text: str
    directory: str  # where it starts
    source: str  # the Makefile or package.json it comes from
    line: int  # 0-based line in `source`
    via: str  # "make test", "npm run test", …


@dataclass(slots=True)
class Scripts:
    """What following a command one level found: its scripts, or why it cannot be followed."""

    scripts: list[Script] = field(default_factory=list)
    error: str | None = None


C = TypeVar("C", bound=ParsedCommand)

Parse = Callable[[str, Cursor, Common], "ParsedCommand | None"]


def _no_words(cmd: Any) -> str:
    return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Runner(Generic[C]):
    """One test runner: how its commands parse, compare and run tests.

    `parse(program, words, common)` gets the words after the program (`program` is its base
    name, one of `programs`) and returns the runner's model, an `Unknown` (a subcommand that runs
    no test: `Unknown(non_test=True, **common)`), or None when the command is not the runner's
    after all (`hatch build`): the generic parser then decides. Exactly one of `judge` (decide
    for one test, in the directory the command runs in) and `follow` (the scripts it runs: make
    targets, package scripts; the generic code judges those) is set for a runner that models
    its tests; with neither, its verdict is unknown (`Reason.UNKNOWN_RUNNER`).
    """

    name: str  # the `kind` of its command model
    title: str  # for messages and docs: "cargo test / cargo nextest"
    programs: frozenset[str]  # base names of `argv[0]` it parses
    model: type[C]
    parse: Parse
    # docs/spec/ci.md#matching: what a command selects; two commands of the runner match only with equal keys.
    # None: commands match when the step contains the cited words in a row (as unknown ones).
    selection_key: Callable[[C], SelectionKey] | None = None
    judge: Callable[[FileSystem, C, str, TestTarget], Verdict] | None = None
    follow: Callable[[FileSystem, C, str], Scripts] | None = None
    # selecting words outside the selection key (`--skip` after `--`): a `$VAR` among them
    # makes the verdict unknown
    selecting_words: Callable[[C], str] = _no_words
    needs: str = ""  # what it reads of the project (for docs): "Cargo.toml workspaces and targets"
    tool: Callable[[C], str] | None = None  # the tool a command runs, for messages (default: title)

    def tool_of(self, cmd: C) -> str:
        return self.tool(cmd) if self.tool is not None else self.title

    @property
    def models_tests(self) -> bool:
        return self.judge is not None or self.follow is not None
