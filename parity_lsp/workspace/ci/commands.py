"""One shell command → the model of what it selects, and the matching of a cited command
against a step command.

The generic half: env assignments and wrappers (`uv run`, `python -m`, `time`, …) are removed,
then the program's runner (`runners/`: cargo, pytest, go, make, npm, other test runners) parses
the rest into its model; a program no runner claims is `Unknown` (known not to run tests, or
not understood). Matching compares the runner's selection keys.

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
from collections.abc import Iterable

from parity_lsp.workspace.ci import runners
from parity_lsp.workspace.ci.runners.base import (
    ASSIGNMENT,
    UNKNOWN_DIR,
    Common,
    Cursor,
    ParsedCommand,
    SelectionKey,
    Unknown,
    effective_directory,
    join_directory,
)
from parity_lsp.workspace.ci.shell import Word, split_words

__all__ = [
    "UNKNOWN_DIR",
    "CommandIndex",
    "ParsedCommand",
    "SelectionKey",
    "Unknown",
    "clear_caches",
    "closest_command",
    "command_matches",
    "effective_directory",
    "parse_command",
    "selection_is_dynamic",
    "selection_key",
]

_log = logging.getLogger("parity_lsp.workspace")

# --- words and wrappers ---------------------------------------------------------------------

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
# Subcommands of wrappers (`uv`, `poetry`, …) that run no test (runners list their own).
_NON_TEST_SUBCOMMANDS = {
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


def _strip_wrappers(words: list[Word]) -> tuple[list[Word], list[str], dict[str, str], str | None]:
    """Remove env assignments and wrappers (`uv run`, `python -m`, `time`, …) in front."""
    wrappers: list[str] = []
    env: dict[str, str] = {}
    directory: str | None = None
    w = list(words)
    for _ in range(16):  # wrappers nest (`time uv run python -m pytest`) but not forever
        while w and ASSIGNMENT.match(w[0].value):
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
                        directory = join_directory(directory, val)
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
                    directory = join_directory(directory, val)
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
                    directory = join_directory(directory, val)
            if base == "hatch" and w and ":" in w[0].value and not w[0].value.startswith(("/", ".")):
                _env_name, _, script = w[0].value.partition(":")  # `hatch run test:pytest`
                w[0] = Word(script, w[0].dynamic)
            continue
        if base in ("npx", "bunx") or (base in ("pnpm", "yarn", "bundle") and second == "exec"):
            # a package's own binary (`npx jest`, `bundle exec rspec`); `npx -c '…'` runs a string
            skip = 1 if base in ("npx", "bunx") else 2
            options = [x.value for x in w[skip:]]
            if "-c" in options or "--call" in options:
                break
            del w[:skip]
            wrappers.append(base if skip == 1 else f"{base} exec")
            while w and w[0].value.startswith("-"):
                opt = w.pop(0).value
                if opt == "--":
                    break
                if opt in ("-p", "--package") and w:
                    w.pop(0)
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


# --- parsing --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def parse_command(text: str) -> ParsedCommand:
    """Parse one simple command. Never raises; unrecognised commands are `Unknown`.

    Cached by text (a job's steps are judged against every cited test): callers must treat
    the result as read-only.
    """
    # The boundary of every runner's parser: a parser bug must not fail the check. It is logged,
    # and the command is `Unknown` (its verdict unknown, never "does not run").
    try:
        return _parse(text)
    except Exception:  # noqa: BLE001 - a runner's parser may have any bug: logged, `Unknown`
        _log.warning("parsing the command `%s` failed", text, exc_info=True)
        return Unknown(text=" ".join(text.split()), argv=text.split())


def clear_caches() -> None:
    """Forget parsed commands and matches (after `runners.register`/`unregister`)."""
    parse_command.cache_clear()
    command_matches.cache_clear()


def _parse(text: str) -> ParsedCommand:
    folded = " ".join(text.split())
    words = split_words(folded)
    dynamic = frozenset(w.value for w in words if w.dynamic)
    rest, wrappers, env, directory = _strip_wrappers(words)
    common: Common = {
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
    for runner in runners.for_program(prog):
        parsed = runner.parse(prog, Cursor(rest, 1), common)
        if parsed is not None:
            return parsed
    sub = rest[1].value if len(rest) > 1 else None
    if prog in _NON_TEST_PROGRAMS or sub in _NON_TEST_SUBCOMMANDS.get(prog, ()):
        return Unknown(non_test=True, **common)
    return Unknown(**common)


# --- comparing a cited command with a step command (docs/spec/ci.md#matching) ---------------------


def selection_key(cmd: ParsedCommand | str) -> SelectionKey:
    """What a command selects; two commands with different keys run different tests.

    Wrappers, env assignments, output/profile flags and libtest arguments after `--` are not
    part of it; packages, workspace, excludes, targets and name filters are (each runner's
    `selection_key`). A command no runner keys is its words.
    """
    if isinstance(cmd, str):
        cmd = parse_command(cmd)
    runner = runners.for_command(cmd)
    if runner is None or runner.selection_key is None:
        return ("unknown", tuple(cmd.argv))
    return runner.selection_key(cmd)


def _match_kind(cmd: ParsedCommand) -> str | None:
    """The runner whose selection keys compare `cmd`; None: matched by its words in a row."""
    runner = runners.for_command(cmd)
    return runner.name if runner is not None and runner.selection_key is not None else None


def selection_is_dynamic(cmd: ParsedCommand) -> bool:
    """True when a `$VAR` / `${{ … }}` word sits in a selecting position (package, path, filter…)."""
    if not cmd.dynamic:
        return False
    runner = runners.for_command(cmd)
    extra = runner.selecting_words(cmd) if runner is not None else ""
    flat = repr(selection_key(cmd)) + extra + (cmd.directory or "")
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
    kind = _match_kind(a)
    if kind != _match_kind(b):
        return False
    if kind is None:
        return _contains_run(b.argv, a.argv)
    if selection_key(a) != selection_key(b):
        return False
    return _multiset_subset(a.others, b.others)


class CommandIndex:
    """Step commands grouped by what they select, so matching a cited command is one lookup.

    A pre-filter for `command_matches` (which still decides): only commands of the same kind and
    selection can match, so a job of 400 steps cited by 20,000 rows is not 8 M comparisons;
    commands without a selection key (unknown ones, other runners: matched by argument runs)
    are all candidates.
    """

    __slots__ = ("_answers", "_by_key", "_unknown")

    def __init__(self, texts: Iterable[str]) -> None:
        self._by_key: dict[SelectionKey, list[str]] = {}
        self._unknown: list[str] = []
        # cited command -> its matches: the rows of a crate cite the same command again and
        # again, and its selection key is a dozen frozensets
        self._answers: dict[str, tuple[str, ...]] = {}
        for text in dict.fromkeys(texts):
            key = _index_key(parse_command(text))
            if key is None:
                self._unknown.append(text)
            else:
                self._by_key.setdefault(key, []).append(text)

    def matching(self, cited: str) -> tuple[str, ...]:
        """The indexed step commands `cited` matches, in insertion order."""
        found = self._answers.get(cited)
        if found is None:
            if len(self._answers) >= _ANSWERS_KEPT:  # an editor types a new command per keystroke
                self._answers.clear()
            key = _index_key(parse_command(cited))
            candidates = self._unknown if key is None else self._by_key.get(key, ())
            found = self._answers[cited] = tuple(t for t in candidates if command_matches(cited, t))
        return found


_ANSWERS_KEPT = 4096  # cited commands whose matches a job's index remembers


def _index_key(cmd: ParsedCommand) -> SelectionKey | None:
    kind = _match_kind(cmd)
    return None if kind is None else (kind, selection_key(cmd))


def closest_command(cited: str, candidates: list[str]) -> str | None:
    """The candidate most like `cited` (same kind of command first); None when nothing is close."""
    if not candidates:
        return None
    a = parse_command(cited)
    a_kind = _match_kind(a)
    a_text = " ".join(a.argv)

    def score(candidate: str) -> tuple[int, float]:
        b = parse_command(candidate)
        same = int(a_kind is not None and a_kind == _match_kind(b)) + int(a.program == b.program)
        return same, difflib.SequenceMatcher(None, a_text, " ".join(b.argv)).ratio()

    best = max(candidates, key=score)
    same, ratio = score(best)
    return best if same or ratio >= 0.5 else None
