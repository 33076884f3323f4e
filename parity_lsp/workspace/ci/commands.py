"""One shell command → a model of what it selects (cargo test, pytest, go test, make, npm, …),
and the matching of a cited command against a step command (docs/spec/ci.md#matching).

Invariant: pure functions, no IO, never raise (following `make`/npm is in `follow.py`). Word
values come from `shell.split_words`: quotes removed, nothing expanded; words that hold `$VAR`,
`$(…)` or `${{ … }}` are recorded in `dynamic` because their value is only known when CI runs.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, TypedDict

from parity_lsp.workspace.ci.shell import Word, join_dir, split_words

_log = logging.getLogger("parity_lsp.workspace")


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
class CargoTest(ParsedCommand):
    kind: ClassVar[str] = "cargo"
    runner: str = "test"  # "test" | "nextest"
    packages: list[str] = field(default_factory=list)
    workspace: bool = False
    exclude: list[str] = field(default_factory=list)
    lib: bool = False
    bins: bool = False
    bin_names: list[str] = field(default_factory=list)
    tests: bool = False
    test_names: list[str] = field(default_factory=list)
    benches: bool = False
    bench_names: list[str] = field(default_factory=list)
    examples: bool = False
    example_names: list[str] = field(default_factory=list)
    all_targets: bool = False
    doc: bool = False
    no_run: bool = False  # --no-run / nextest list: builds, runs nothing
    features: list[str] = field(default_factory=list)
    all_features: bool = False
    no_default_features: bool = False
    manifest_path: str | None = None
    filters: list[str] = field(default_factory=list)  # name filters (before and after `--`)
    positional: list[str] = field(default_factory=list)  # name filters before `--` (selection)
    skip: list[str] = field(default_factory=list)
    exact: bool = False
    ignored: bool = False  # only #[ignore] tests
    include_ignored: bool = False
    list_only: bool = False  # `-- --list`
    filterset: list[str] = field(default_factory=list)  # nextest -E expressions (not evaluated)
    harness_args: list[str] = field(default_factory=list)  # everything after `--`

    @property
    def has_target_flags(self) -> bool:
        return bool(
            self.lib
            or self.bins
            or self.bin_names
            or self.tests
            or self.test_names
            or self.benches
            or self.bench_names
            or self.examples
            or self.example_names
            or self.all_targets
            or self.doc
        )


@dataclass(kw_only=True, slots=True)
class Pytest(ParsedCommand):
    kind: ClassVar[str] = "pytest"
    args: list[str] = field(default_factory=list)  # positional paths and node ids
    keyword: str | None = None  # -k
    markers: str | None = None  # -m
    ignore: list[str] = field(default_factory=list)
    ignore_glob: list[str] = field(default_factory=list)
    deselect: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)  # -p
    inifile: str | None = None  # -c
    rootdir: str | None = None
    overrides: list[str] = field(default_factory=list)  # -o name=value
    pyargs: bool = False
    collect_only: bool = False  # --co, --fixtures, --markers, …: nothing runs


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


@dataclass(kw_only=True, slots=True)
class MakeRun(ParsedCommand):
    kind: ClassVar[str] = "make"
    targets: list[str] = field(default_factory=list)
    makefile: str | None = None  # -f
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class ScriptRun(ParsedCommand):
    kind: ClassVar[str] = "script"
    manager: str = "npm"  # npm | pnpm | yarn
    script: str = "test"
    args: list[str] = field(default_factory=list)  # appended to the script
    workspace_filter: str | None = None  # -w / --filter / yarn workspace: not followed


@dataclass(kw_only=True, slots=True)
class Unknown(ParsedCommand):
    kind: ClassVar[str] = "unknown"
    non_test: bool = False  # a program known not to run tests (echo, cargo build, pip, …)


# --- words and wrappers ---------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^(?:.*/)?(?:python(?:\d+(?:\.\d+)?)?|py|pypy3?)$")

# Programs that do not run tests. A step made of these is not a reason to answer "unknown".
_NON_TEST_PROGRAMS = frozenset(
    [
        "echo",
        "printf",
        "cd",
        "pushd",
        "popd",
        "export",
        "set",
        "unset",
        "source",
        ".",
        "mkdir",
        "rm",
        "rmdir",
        "cp",
        "mv",
        "ln",
        "touch",
        "chmod",
        "chown",
        "cat",
        "tee",
        "ls",
        "pwd",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "sed",
        "awk",
        "cut",
        "sort",
        "uniq",
        "head",
        "tail",
        "wc",
        "find",
        "tar",
        "unzip",
        "zip",
        "gzip",
        "gunzip",
        "curl",
        "wget",
        "git",
        "gh",
        "apt",
        "apt-get",
        "brew",
        "yum",
        "dnf",
        "apk",
        "pip",
        "pip3",
        "pipx",
        "rustup",
        "rustc",
        "rustfmt",
        "sleep",
        "true",
        "false",
        "test",
        "[",
        "[[",
        "exit",
        "wait",
        "date",
        "which",
        "type",
        "sha256sum",
        "shasum",
        "md5sum",
        "diff",
        "jq",
        "yq",
        "openssl",
        "ssh",
        "scp",
        "rsync",
        "base64",
        "envsubst",
        "read",
        "trap",
        "shift",
        "hash",
        "ulimit",
        "tr",
        "basename",
        "dirname",
        "realpath",
        "readlink",
        "mktemp",
        "df",
        "du",
        "free",
        "uname",
        "nproc",
        "printenv",
        "id",
        "whoami",
        "hostname",
        "ps",
        "kill",
        "systemctl",
        "service",
        "cmake",
        "ninja",
        "gcc",
        "clang",
        "protoc",
        "buf",
        "corepack",
        "nvm",
        "sccache",
        "ccache",
        "maturin",
        "twine",
        "ruff",
        "black",
        "isort",
        "flake8",
        "mypy",
        "pyright",
        "pylint",
        "eslint",
        "prettier",
        "tsc",
        "shellcheck",
        "actionlint",
        "typos",
        "codespell",
        "taplo",
        "golangci-lint",
        "gofmt",
        "goimports",
        "staticcheck",
        "govulncheck",
        "mdbook",
        "hugo",
        "sudo",
        ":",
    ]
)
_NON_TEST_SUBCOMMANDS = {
    "cargo": {
        "build",
        "b",
        "check",
        "c",
        "clippy",
        "fmt",
        "doc",
        "d",
        "install",
        "uninstall",
        "fetch",
        "update",
        "publish",
        "package",
        "clean",
        "metadata",
        "tree",
        "audit",
        "deny",
        "udeps",
        "machete",
        "generate-lockfile",
        "login",
        "search",
        "vendor",
        "version",
        "bench",
        "sort",
        "about",
        "rustdoc",
        "rustc",
        "semver-checks",
        "msrv",
        "outdated",
        "fix",
        "add",
        "remove",
        "new",
        "init",
        "locate-project",
        "verify-project",
        "binstall",
        "set-version",
        "upgrade",
    },
    "go": {
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
    },
    "npm": {
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
    },
    "pnpm": {
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
    },
    "yarn": {
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
    },
    "uv": {
        "sync",
        "pip",
        "lock",
        "venv",
        "tool",
        "python",
        "build",
        "publish",
        "add",
        "remove",
        "export",
        "tree",
        "cache",
        "self",
        "version",
        "init",
    },
    "poetry": {
        "install",
        "lock",
        "build",
        "check",
        "add",
        "remove",
        "update",
        "export",
        "config",
        "env",
        "show",
        "version",
        "publish",
        "self",
        "sync",
    },
    "pdm": {
        "install",
        "sync",
        "lock",
        "build",
        "add",
        "remove",
        "update",
        "export",
        "config",
        "use",
        "venv",
        "publish",
    },
    "hatch": {"build", "env", "version", "publish", "clean", "new", "config", "fmt"},
}


def _split(text: str) -> list[Word]:
    try:
        return split_words(text)
    except Exception:  # noqa: BLE001 - a tokenizer bug must not fail the check: logged, words split on spaces
        _log.warning("splitting `%s` into words failed", text, exc_info=True)
        return [Word(w) for w in text.split()]


@dataclass(slots=True)
class _Cursor:
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

    def rest(self) -> list[Word]:
        return self.words[self.i :]


def _option(cur: _Cursor, word: str, short: set[str], long: set[str]) -> tuple[str, str | None] | None:
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


def _strip_wrappers(words: list[Word]) -> tuple[list[Word], list[str], dict[str, str], str | None]:
    """Remove env assignments and wrappers (`uv run`, `python -m`, `time`, …) in front."""
    wrappers: list[str] = []
    env: dict[str, str] = {}
    directory: str | None = None
    w = list(words)
    for _ in range(16):  # wrappers nest (`time uv run python -m pytest`) but not forever
        while w and _ASSIGNMENT.match(w[0].value):
            name, _, value = w.pop(0).value.partition("=")
            env[name] = value
        if not w:
            break
        head = w[0].value
        base = head.rsplit("/", 1)[-1]
        second = w[1].value if len(w) > 1 else None
        if base in (
            "time",
            "nohup",
            "exec",
            "command",
            "nice",
            "stdbuf",
            "xvfb-run",
            "sudo",
            "timeout",
            "env",
        ):
            w.pop(0)
            wrappers.append(base)
            while w and w[0].value.startswith("-"):
                opt = w.pop(0).value
                if base in ("nice", "sudo", "xvfb-run", "timeout") and opt in (
                    "-n",
                    "-u",
                    "-s",
                    "-k",
                    "-g",
                    "--signal",
                    "--kill-after",
                ):
                    if w:
                        w.pop(0)
                elif base == "env" and opt in ("-u", "-C", "--chdir", "--unset"):
                    val = w.pop(0).value if w else ""
                    if opt in ("-C", "--chdir"):
                        directory = _join(directory, val)
            if base == "timeout" and w and re.match(r"^\d", w[0].value):
                w.pop(0)  # the duration
            continue
        if base == "uvx" or (
            base == "uv"
            and second in ("run", "tool")
            and (second != "tool" or (len(w) > 2 and w[2].value == "run"))
        ):
            n = 1 if base == "uvx" else (3 if second == "tool" else 2)
            del w[:n]
            wrappers.append("uv run")
            while w and w[0].value.startswith("-"):
                opt = w.pop(0).value
                if opt == "--":
                    break
                name, eq, val = opt.partition("=")
                if name in _UV_VALUE_OPTS and not eq and w:
                    val = w.pop(0).value
                if name in ("--directory", "--project"):
                    directory = _join(directory, val)
            continue
        if base in ("poetry", "pdm", "pipenv", "rye", "hatch") and second == "run":
            del w[:2]
            wrappers.append(f"{base} run")
            while w and w[0].value.startswith("-"):
                opt = w.pop(0).value
                if opt == "--":
                    break
                name, eq, val = opt.partition("=")
                if name in ("-C", "--directory", "-p", "--project", "-P", "-e", "--env") and not eq and w:
                    val = w.pop(0).value
                if name in ("-C", "--directory", "-p", "--project", "-P"):
                    directory = _join(directory, val)
            if base == "hatch" and w and ":" in w[0].value and not w[0].value.startswith(("/", ".")):
                _env_name, _, script = w[0].value.partition(":")  # `hatch run test:pytest`
                w[0] = Word(script, w[0].dynamic)
            continue
        if base == "coverage" and second == "run":
            del w[:2]
            wrappers.append("coverage run")
            while w and w[0].value.startswith("-") and w[0].value != "-m":
                opt = w.pop(0).value
                if (
                    opt
                    in (
                        "--rcfile",
                        "--source",
                        "--include",
                        "--omit",
                        "--context",
                        "--data-file",
                        "--concurrency",
                    )
                    and w
                ):
                    w.pop(0)
            if w and w[0].value == "-m":
                w.pop(0)
            continue
        if _PYTHON.match(head) and len(w) > 1:
            j = 1
            while j < len(w) and w[j].value.startswith("-") and w[j].value != "-m":
                j += 2 if w[j].value in ("-X", "-W") else 1
            if j < len(w) and w[j].value == "-m" and j + 1 < len(w):
                wrappers.append(f"{base} -m")
                del w[: j + 1]
                continue
            if j < len(w) and w[j].value.startswith("-m") and len(w[j].value) > 2:  # -mpytest
                wrappers.append(f"{base} -m")
                w = [Word(w[j].value[2:])] + w[j + 1 :]
                continue
        break
    return w, wrappers, env, directory


_UV_VALUE_OPTS = {
    "--with",
    "--with-requirements",
    "--with-editable",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--package",
    "-p",
    "--python",
    "--directory",
    "--project",
    "--env-file",
    "--index",
    "--index-url",
    "--extra-index-url",
    "--from",
    "--script",
    "--config-file",
    "--cache-dir",
    "--color",
    "--exclude-newer",
}


UNKNOWN_DIR = "\x00unknown"  # a directory switch whose target is only known at run time


def _join(base: str | None, path: str) -> str:
    if base == UNKNOWN_DIR:
        return UNKNOWN_DIR
    joined = join_dir(base or "", path)
    return UNKNOWN_DIR if joined is None else joined


def effective_directory(cwd: str | None, cmd: ParsedCommand) -> str | None:
    """Where `cmd` runs, given the shell's cwd and the command's own `-C`/`--directory`; None: unknown."""
    if cwd is None or cmd.directory == UNKNOWN_DIR:
        return None
    return join_dir(cwd, cmd.directory) if cmd.directory else cwd


# --- parsing --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def parse_command(text: str) -> ParsedCommand:
    """Parse one simple command. Never raises; unrecognised commands are `Unknown`.

    Cached by text (a job's steps are judged against every cited test): callers must treat
    the result as read-only.
    """
    try:
        return _parse(text)
    except Exception:  # noqa: BLE001 - a parser bug must not fail the check: logged, and `Unknown`
        _log.warning("parsing the command `%s` failed", text, exc_info=True)
        return Unknown(text=" ".join(text.split()), argv=text.split())


class _Common(TypedDict):
    """The `ParsedCommand` fields every parser fills the same way (passed as keywords)."""

    text: str
    argv: list[str]
    wrappers: list[str]
    env: dict[str, str]
    directory: str | None
    dynamic: frozenset[str]


def _parse(text: str) -> ParsedCommand:
    folded = " ".join(text.split())
    words = _split(folded)
    dynamic = frozenset(w.value for w in words if w.dynamic)
    rest, wrappers, env, directory = _strip_wrappers(words)
    common: _Common = {
        "text": folded,
        "argv": [w.value for w in rest],
        "wrappers": wrappers,
        "env": env,
        "directory": directory,
        "dynamic": dynamic,
    }
    if not rest:
        return Unknown(non_test=True, **common)
    prog = rest[0].value.rsplit("/", 1)[-1]
    args = _Cursor(rest, 1)
    if prog in ("cargo", "cross"):
        return _parse_cargo(args, common)
    if prog in ("pytest", "py.test"):
        return _parse_pytest(args, common)
    if prog == "hatch" and args.peek() == "test":
        args.take()
        return _parse_hatch_test(args, common)
    if prog == "go":
        return _parse_go(args, common)
    if prog == "gotestsum":
        return _parse_gotestsum(args, common)
    if prog in ("make", "gmake"):
        return _parse_make(args, common)
    if prog in ("npm", "pnpm", "yarn"):
        return _parse_script_runner(prog, args, common)
    sub = args.peek()
    if prog in _NON_TEST_PROGRAMS or sub in _NON_TEST_SUBCOMMANDS.get(prog, ()):
        return Unknown(non_test=True, **common)
    return Unknown(**common)


# cargo -----------------------------------------------------------------------------------

_CARGO_VALUE_SHORT = {"-p", "-F", "-j", "-Z", "-C", "-E", "-P"}
_CARGO_VALUE_LONG = {
    "--package",
    "--exclude",
    "--bin",
    "--test",
    "--bench",
    "--example",
    "--features",
    "--manifest-path",
    "--target",
    "--target-dir",
    "--jobs",
    "--profile",
    "--color",
    "--message-format",
    "--config",
    "--lockfile-path",
    "--filterset",
    "--filter-expr",
    "--partition",
    "--run-ignored",
    "--retries",
    "--test-threads",
    "--cargo-profile",
    "--archive-file",
    "--workspace-remap",
    "--build-jobs",
    "--status-level",
    "--final-status-level",
    "--failure-output",
    "--success-output",
    "--max-fail",
    "--output-path",
    "--output-dir",
    "--ignore-filename-regex",
    "--fail-under-lines",
    "--fail-under-functions",
    "--fail-under-regions",
    "--fail-uncovered-lines",
    "--tool-path",
    "--hide-progress-bar",
    "--nextest-profile",
    "--threads",
}
_HARNESS_VALUE = {
    "--skip",
    "--test-threads",
    "--format",
    "--color",
    "--logfile",
    "-Z",
    "--shuffle-seed",
    "--report-time",
}


def _parse_cargo(cur: _Cursor, common: _Common) -> ParsedCommand:
    # Global options and `+toolchain` come before the subcommand.
    sub = None
    while not cur.done():
        word = cur.take()
        if word.startswith("+"):
            continue
        if word.startswith("-"):
            opt = _option(cur, word, {"-Z", "-C"}, {"--color", "--config", "--manifest-path"})
            if opt and opt[0] == "-C" and opt[1]:
                common["directory"] = _join(common.get("directory"), opt[1])
            continue
        sub = word
        break
    runner = None
    if sub in ("test", "t"):
        runner = "test"
    elif sub == "nextest":
        action = cur.take() if not cur.done() else None
        if action in ("run", "r"):
            runner = "nextest"
        elif action == "list":
            runner = "nextest"
            cmd = CargoTest(runner="nextest", no_run=True, **common)
            _cargo_options(cur, cmd)
            return cmd
        else:
            return Unknown(non_test=action in ("archive", "show-config", "self"), **common)
    elif sub == "llvm-cov":
        # `cargo llvm-cov [opts] [nextest]` runs tests; `report`/`clean`/`show-env` do not.
        words = [w.value for w in cur.rest()]
        subs = [w for w in words if not w.startswith("-")]
        if subs and subs[0] in ("report", "clean", "show-env"):
            return Unknown(non_test=True, **common)
        if subs and subs[0] == "run":
            return Unknown(**common)
        runner = "nextest" if subs and subs[0] == "nextest" else "test"
        common["wrappers"] = common["wrappers"] + ["cargo llvm-cov"]
    elif sub in _NON_TEST_SUBCOMMANDS["cargo"]:
        return Unknown(non_test=True, **common)
    else:
        return Unknown(**common)
    cmd = CargoTest(runner=runner, **common)
    _cargo_options(cur, cmd)
    return cmd


def _cargo_options(cur: _Cursor, cmd: CargoTest) -> None:
    while not cur.done():
        word = cur.take()
        if word == "--":
            _harness_options(cur, cmd)
            return
        if word in ("nextest", "test") and "cargo llvm-cov" in cmd.wrappers:
            continue
        if not word.startswith("-") or word == "-":
            cmd.filters.append(word)
            cmd.positional.append(word)
            continue
        opt = _option(cur, word, _CARGO_VALUE_SHORT, _CARGO_VALUE_LONG)
        if opt is None:
            flag = word
            if flag in ("--workspace", "--all"):
                cmd.workspace = True
            elif flag == "--lib":
                cmd.lib = True
            elif flag == "--bins":
                cmd.bins = True
            elif flag == "--tests":
                cmd.tests = True
            elif flag == "--benches":
                cmd.benches = True
            elif flag == "--examples":
                cmd.examples = True
            elif flag == "--all-targets":
                cmd.all_targets = True
            elif flag == "--doc":
                cmd.doc = True
            elif flag == "--no-run":
                cmd.no_run = True
            elif flag == "--all-features":
                cmd.all_features = True
                cmd.others.append(flag)
            elif flag == "--no-default-features":
                cmd.no_default_features = True
                cmd.others.append(flag)
            else:
                cmd.others.append(flag)
            continue
        name, value = opt
        value = value or ""
        if name in ("-p", "--package"):
            cmd.packages.append(value)
        elif name == "--exclude":
            cmd.exclude.append(value)
        elif name == "--bin":
            cmd.bin_names.append(value)
        elif name == "--test":
            cmd.test_names.append(value)
        elif name == "--bench":
            cmd.bench_names.append(value)
        elif name == "--example":
            cmd.example_names.append(value)
        elif name == "--manifest-path":
            cmd.manifest_path = value
        elif name in ("-E", "--filterset", "--filter-expr"):
            cmd.filterset.append(value)
        elif name == "--run-ignored":
            cmd.ignored = value in ("ignored-only", "only")
            cmd.include_ignored = value == "all"
            cmd.others.append(f"{name}={value}")
        else:
            if name in ("-F", "--features"):
                cmd.features.extend(f for f in re.split(r"[ ,]+", value) if f)
                name = "--features"
            cmd.others.append(f"{name}={value}")


def _harness_options(cur: _Cursor, cmd: CargoTest) -> None:
    """libtest arguments after `--` (nextest emulates the same ones)."""
    while not cur.done():
        word = cur.take()
        cmd.harness_args.append(word)
        name, eq, value = word.partition("=")
        if name in _HARNESS_VALUE and word.startswith("-"):
            if not eq and not cur.done():
                value = cur.take()
                cmd.harness_args.append(value)
            if name == "--skip":
                cmd.skip.append(value)
            cmd.others.append(f"-- {name}={value}")
        elif word == "--exact":
            cmd.exact = True
            cmd.others.append("-- --exact")
        elif word == "--ignored":
            cmd.ignored = True
            cmd.others.append("-- --ignored")
        elif word == "--include-ignored":
            cmd.include_ignored = True
            cmd.others.append("-- --include-ignored")
        elif word == "--list":
            cmd.list_only = True
            cmd.others.append("-- --list")
        elif word.startswith("-"):
            cmd.others.append(f"-- {word}")
        else:
            cmd.filters.append(word)
            cmd.others.append(f"-- {word}")


# pytest ----------------------------------------------------------------------------------

_PYTEST_VALUE_SHORT = {"-k", "-m", "-p", "-c", "-o", "-W", "-r", "-n"}
_PYTEST_VALUE_LONG = {
    "--rootdir",
    "--ignore",
    "--ignore-glob",
    "--deselect",
    "--confcutdir",
    "--basetemp",
    "--junitxml",
    "--junit-xml",
    "--junit-prefix",
    "--maxfail",
    "--tb",
    "--durations",
    "--durations-min",
    "--import-mode",
    "--log-level",
    "--log-format",
    "--log-date-format",
    "--log-cli-level",
    "--log-cli-format",
    "--log-cli-date-format",
    "--log-file",
    "--log-file-level",
    "--log-file-format",
    "--log-file-date-format",
    "--log-file-mode",
    "--capture",
    "--override-ini",
    "--show-capture",
    "--doctest-glob",
    "--numprocesses",
    "--dist",
    "--maxprocesses",
    "--timeout",
    "--timeout-method",
    "--reruns",
    "--reruns-delay",
    "--only-rerun",
    "--cov-report",
    "--cov-config",
    "--cov-fail-under",
    "--cov-context",
    "--html",
    "--css",
    "--json-report-file",
    "--hypothesis-seed",
    "--hypothesis-profile",
    "--random-order-seed",
    "--count",
    "--repeat-scope",
    "--splits",
    "--group",
    "--durations-path",
    "--splitting-algorithm",
    "--asyncio-mode",
    "--randomly-seed",
    "--ds",
    "--dc",
    "--color",
    "--code-highlight",
    "--verbosity",
    "--report-log",
    "--config-file",
    "--keyword",
    "--markers-expr",
    "--rsyncdir",
    "--tx",
    "--benchmark-json",
    "--benchmark-save",
    "--benchmark-storage",
    "--benchmark-min-rounds",
    "--lfnf",
    "--last-failed-no-failures",
    "--deselect-glob",
    "--tests-per-worker",
    "--workers",
    "--ignore-flaky",
}
_PYTEST_OPTIONAL_VALUE = {"--cov", "--cache-show", "--pdbcls"}
_PYTEST_NO_RUN = {
    "--co",
    "--collect-only",
    "--collectonly",
    "--fixtures",
    "--funcargs",
    "--fixtures-per-test",
    "--markers",
    "--version",
    "-V",
    "-h",
    "--help",
    "--setup-plan",
    "--setup-only",
    "--cache-show",
}


def _parse_pytest(cur: _Cursor, common: _Common) -> Pytest:
    cmd = Pytest(**common)
    while not cur.done():
        word = cur.take()
        if word == "--":
            cmd.args.extend(w.value for w in cur.rest())
            break
        if not word.startswith("-") or word == "-":
            cmd.args.append(word)
            continue
        name = word.partition("=")[0]
        if name in _PYTEST_NO_RUN:
            cmd.collect_only = True
            continue
        if name in _PYTEST_OPTIONAL_VALUE:
            if "=" not in word and (nxt := cur.peek()) is not None and not nxt.startswith("-"):
                cur.take()  # argparse nargs='?': the next word is the option's value
            cmd.others.append(name)
            continue
        opt = _option(cur, word, _PYTEST_VALUE_SHORT, _PYTEST_VALUE_LONG)
        if opt is None:
            if word == "--pyargs":
                cmd.pyargs = True
            cmd.others.append(word)
            continue
        name, value = opt
        value = value or ""
        if name in ("-k", "--keyword"):
            cmd.keyword = value
        elif name in ("-m", "--markers-expr"):
            cmd.markers = value
        elif name == "--ignore":
            cmd.ignore.append(value)
        elif name == "--ignore-glob":
            cmd.ignore_glob.append(value)
        elif name == "--deselect":
            cmd.deselect.append(value)
        elif name in ("-c", "--config-file"):
            cmd.inifile = value
        elif name == "--rootdir":
            cmd.rootdir = value
        elif name == "-p":
            cmd.plugins.append(value)
            cmd.others.append(f"-p={value}")
        elif name in ("-o", "--override-ini"):
            cmd.overrides.append(value)
            cmd.others.append(f"-o={value}")
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def _parse_hatch_test(cur: _Cursor, common: _Common) -> ParsedCommand:
    """`hatch test [hatch options] [pytest args]` runs pytest."""
    common["wrappers"] = common["wrappers"] + ["hatch test"]
    while not cur.done() and (cur.peek() or "").startswith("-"):
        word = cur.peek()
        if word == "--":
            cur.take()
            break
        if word in ("-a", "--all", "-p", "--parallel", "-c", "--cover", "-r", "--randomize", "--cover-quiet"):
            cur.take()
        elif word in ("-py", "--python", "-i", "--include", "-x", "--exclude"):
            cur.take()
            if not cur.done():
                cur.take()
        else:
            break
    return _parse_pytest(cur, common)


# go ----------------------------------------------------------------------------------------

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


def _parse_go(cur: _Cursor, common: _Common) -> ParsedCommand:
    sub = cur.take() if not cur.done() else None
    if sub != "test":
        if sub in _NON_TEST_SUBCOMMANDS["go"]:
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
                cmd.tags.extend(t for t in re.split(r"[ ,]+", value) if t)
                cmd.others.append(f"-tags={value}")
            elif name == "list":
                cmd.no_run = True
            elif name == "C":
                cmd.directory = _join(cmd.directory, value)
            else:
                cmd.others.append(f"-{name}={value}")
        else:
            if name == "c":
                cmd.no_run = True
            elif name == "short":
                cmd.short = value.lower() not in ("false", "0")
            cmd.others.append(f"-{name}" + (f"={value}" if eq else ""))
    return cmd


def _parse_gotestsum(cur: _Cursor, common: _Common) -> ParsedCommand:
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
    cmd = _parse_go(_Cursor([Word("test")] + cur.rest()), common)
    if isinstance(cmd, GoTest) and packages and not cmd.packages:
        cmd.packages = packages
    return cmd


# make and package scripts ------------------------------------------------------------------


def _parse_make(cur: _Cursor, common: _Common) -> MakeRun:
    cmd = MakeRun(**common)
    while not cur.done():
        word = cur.take()
        if _ASSIGNMENT.match(word):
            variable, _, assigned = word.partition("=")
            cmd.variables[variable] = assigned
            continue
        if not word.startswith("-"):
            cmd.targets.append(word)
            continue
        opt = _option(
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
            cmd.directory = _join(cmd.directory, value or "")
        elif name in ("-f", "--file", "--makefile"):
            cmd.makefile = value
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


_SCRIPT_ALIASES = {"t": "test", "tst": "test"}


def _parse_script_runner(prog: str, cur: _Cursor, common: _Common) -> ParsedCommand:
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
                directory = _join(directory, value)
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
                if word in _NON_TEST_SUBCOMMANDS.get(prog, ()):
                    return Unknown(non_test=True, **common)
                if word in ("exec", "dlx", "x"):
                    return Unknown(**common)
                script = _SCRIPT_ALIASES.get(word, word)
                continue
            return Unknown(non_test=word in _NON_TEST_SUBCOMMANDS["npm"], **common)
        if word == "--" and not after_dashes:
            after_dashes = True
            continue
        if prog == "npm" and not after_dashes and word.startswith("-"):
            # npm reads flags after the script name as its own config, unless they follow `--`.
            name, eq, value = word.partition("=")
            if name in ("-w", "--workspace"):
                workspace = value if eq else (cur.take() if not cur.done() else "")
            elif name == "--prefix":
                directory = _join(directory, value if eq else (cur.take() if not cur.done() else ""))
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


# --- comparing a cited command with a step command (docs/spec/ci.md#matching) -------------------------


SelectionKey = tuple[Hashable, ...]  # equal for commands that select the same tests


def selection_key(cmd: ParsedCommand | str) -> SelectionKey:
    """What a command selects; two commands with different keys run different tests.

    Wrappers, env assignments, output/profile flags and libtest arguments after `--` are not
    part of it; packages, workspace, excludes, targets and name filters are.
    """
    if isinstance(cmd, str):
        cmd = parse_command(cmd)
    if isinstance(cmd, CargoTest):
        targets = frozenset(
            [("lib",)] * cmd.lib
            + [("bins",)] * cmd.bins
            + [("tests",)] * cmd.tests
            + [("benches",)] * cmd.benches
            + [("examples",)] * cmd.examples
            + [("all-targets",)] * cmd.all_targets
            + [("doc",)] * cmd.doc
            + [("bin", n) for n in cmd.bin_names]
            + [("test", n) for n in cmd.test_names]
            + [("bench", n) for n in cmd.bench_names]
            + [("example", n) for n in cmd.example_names]
        )
        return (
            "cargo",
            cmd.runner,
            frozenset(cmd.packages),
            cmd.workspace,
            frozenset(cmd.exclude),
            targets,
            tuple(cmd.positional),
            cmd.manifest_path,
            cmd.no_run,
            tuple(cmd.filterset),
            cmd.directory,
        )
    if isinstance(cmd, Pytest):
        return (
            "pytest",
            frozenset(a.rstrip("/") for a in cmd.args),
            cmd.keyword,
            cmd.markers,
            frozenset(cmd.ignore),
            frozenset(cmd.ignore_glob),
            frozenset(cmd.deselect),
            cmd.pyargs,
            cmd.collect_only,
            cmd.directory,
        )
    if isinstance(cmd, GoTest):
        return ("go", frozenset(cmd.packages), cmd.run, cmd.skip, cmd.no_run, cmd.directory)
    if isinstance(cmd, MakeRun):
        return ("make", tuple(cmd.targets), cmd.makefile, cmd.directory, tuple(sorted(cmd.variables.items())))
    if isinstance(cmd, ScriptRun):
        return ("script", cmd.manager, cmd.script, cmd.workspace_filter, cmd.directory)
    return ("unknown", tuple(cmd.argv))


def selection_is_dynamic(cmd: ParsedCommand) -> bool:
    """True when a `$VAR` / `${{ … }}` word sits in a selecting position (package, path, filter…)."""
    if not cmd.dynamic:
        return False
    flat = repr(selection_key(cmd)) + repr(getattr(cmd, "skip", "")) + (cmd.directory or "")
    if isinstance(cmd, CargoTest):
        flat += repr(cmd.filters)
    return any(value and value in flat for value in cmd.dynamic)


def _multiset_subset(small: list[str], big: list[str]) -> bool:
    """Every item of `small` is in `big`, as many times (counted: removing each from a list of
    `big` was quadratic)."""
    if not small:
        return True
    pool = Counter(big)
    for item in small:
        left = pool[item]
        if not left:
            return False
        pool[item] = left - 1
    return True


def _contains_run(big: list[str], small: list[str]) -> bool:
    """`small` occurs in `big` as a contiguous run."""
    if not small:
        return True
    n = len(small)
    if n * len(big) <= 4096:  # short commands: comparing at each place is fastest
        return any(big[i : i + n] == small for i in range(len(big) - n + 1))
    # Knuth-Morris-Pratt: linear, where comparing at each place is quadratic on `a a a … b`
    fail = [0] * n  # fail[k]: the longest proper border of small[: k + 1]
    k = 0
    for i in range(1, n):
        while k and small[i] != small[k]:
            k = fail[k - 1]
        if small[i] == small[k]:
            k += 1
        fail[i] = k
    k = 0
    for word in big:
        while k and word != small[k]:
            k = fail[k - 1]
        if word == small[k]:
            k += 1
            if k == n:
                return True
    return False


@functools.lru_cache(maxsize=65536)
def command_matches(cited: str, step_command: str) -> bool:
    """The step contains the cited command, wrappers ignored, same selection options
    (docs/spec/ci.md#matching).

    Extra non-selecting options and extra libtest arguments after `--` in the step are fine;
    every option the citation writes must be in the step.
    """
    a, b = parse_command(cited), parse_command(step_command)
    if a.kind != b.kind:
        return False
    if isinstance(a, Unknown):
        return _contains_run(b.argv, a.argv)
    if selection_key(a) != selection_key(b):
        return False
    return _multiset_subset(a.others, b.others)


class CommandIndex:
    """Step commands grouped by what they select, so matching a cited command is one lookup.

    A pre-filter for `command_matches` (which still decides): only commands of the same kind and
    selection can match, so a job of 400 steps cited by 20,000 rows is not 8 M comparisons;
    `Unknown` commands (matched by argument runs) are all candidates.
    """

    __slots__ = ("_answers", "_by_key", "_unknown")

    def __init__(self, texts: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, SelectionKey], list[str]] = {}
        self._unknown: list[str] = []
        # cited command -> its matches: the rows of a crate cite the same command again and
        # again, and its selection key is a dozen frozensets
        self._answers: dict[str, tuple[str, ...]] = {}
        for text in dict.fromkeys(texts):
            cmd = parse_command(text)
            if isinstance(cmd, Unknown):
                self._unknown.append(text)
            else:
                self._by_key.setdefault((cmd.kind, selection_key(cmd)), []).append(text)

    def matching(self, cited: str) -> tuple[str, ...]:
        """The indexed step commands `cited` matches, in insertion order."""
        found = self._answers.get(cited)
        if found is None:
            if len(self._answers) >= _ANSWERS_KEPT:  # an editor types a new command per keystroke
                self._answers.clear()
            a = parse_command(cited)
            candidates = (
                self._unknown if isinstance(a, Unknown) else self._by_key.get((a.kind, selection_key(a)), ())
            )
            found = self._answers[cited] = tuple(t for t in candidates if command_matches(cited, t))
        return found


_ANSWERS_KEPT = 4096  # cited commands whose matches a job's index remembers


def closest_command(cited: str, candidates: list[str]) -> str | None:
    """The candidate most like `cited` (same kind of command first); None when nothing is close."""
    if not candidates:
        return None
    a = parse_command(cited)
    a_text = " ".join(a.argv)

    def score(candidate: str) -> tuple[int, float]:
        b = parse_command(candidate)
        same = int(a.kind == b.kind and a.kind != "unknown") + int(a.program == b.program)
        return same, difflib.SequenceMatcher(None, a_text, " ".join(b.argv)).ratio()

    best = max(candidates, key=score)
    same, ratio = score(best)
    return best if same or ratio >= 0.5 else None
