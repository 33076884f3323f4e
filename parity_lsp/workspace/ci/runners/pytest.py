"""pytest (and `py.test`, `hatch test`): the command model, its selection key (docs/spec/ci.md#matching), and
whether it runs a Python test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Follows
pytest: rootdir and ini (`addopts`, `testpaths`, `python_files`, …), positional paths and node
ids relative to the working directory, `--ignore`/`--deselect`, `-k` (substring match on the
item's names, case-insensitive) and `-m` (marker names).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import PytestConfig, is_under, join, list_dir, parent, pytest_config
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    option,
    shell_quote,
)
from parity_lsp.workspace.ci.shell import join_dir, split_words
from parity_lsp.workspace.ci.testinfo import PythonTest, find_python_test, python_tests
from parity_lsp.workspace.fs import FileSystem


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


# --- parsing ---------------------------------------------------------------------------------

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


def _parse_pytest(cur: Cursor, common: Common) -> Pytest:
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
        opt = option(cur, word, _PYTEST_VALUE_SHORT, _PYTEST_VALUE_LONG)
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


def _parse_hatch_test(cur: Cursor, common: Common) -> ParsedCommand:
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


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    if program == "hatch":
        if cur.peek() != "test":
            return None  # `hatch build`, `hatch env`: the generic parser decides
        cur.take()
        return _parse_hatch_test(cur, common)
    return _parse_pytest(cur, common)


def selection_key(cmd: Pytest) -> SelectionKey:
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


# --- -k / -m expressions ----------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|[\w:+\-.\[\]\\/]+)")  # pytest's identifier characters


def match_expression(expr: str, matcher: Callable[[str], bool]) -> bool:
    """Evaluate pytest's `-k`/`-m` grammar (`or`, `and`, `not`, parentheses).

    `matcher(ident) -> bool` decides one identifier. Raises ValueError on a malformed expression.
    """
    tokens: list[str] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise ValueError(f"unexpected character {expr[pos]!r}")
        tokens.append(m.group(1))
        pos = m.end()
    if not tokens:
        return True
    i = 0

    def peek() -> str | None:
        return tokens[i] if i < len(tokens) else None

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise ValueError("unexpected end of expression")
        i += 1
        return tokens[i - 1]

    def not_expr() -> bool:
        tok = take()
        if tok == "not":
            return not not_expr()
        if tok == "(":
            value = or_expr()
            if take() != ")":
                raise ValueError("missing ')'")
            return value
        if tok in (")", "and", "or"):
            raise ValueError(f"unexpected {tok!r}")
        return matcher(tok)

    def and_expr() -> bool:
        value = not_expr()
        while peek() == "and":
            take()
            rhs = not_expr()
            value = value and rhs
        return value

    def or_expr() -> bool:
        value = and_expr()
        while peek() == "or":
            take()
            rhs = and_expr()
            value = value or rhs
        return value

    result = or_expr()
    if i != len(tokens):
        raise ValueError(f"unexpected {tokens[i]!r}")
    return result


def keyword_matches(expr: str, names: set[str]) -> bool:
    """pytest `-k`: an identifier matches when it is a substring of any name (case-insensitive)."""
    lowered = [n.lower() for n in names]
    return match_expression(expr, lambda ident: any(ident.lower() in n for n in lowered))


def markers_match(expr: str, markers: set[str]) -> bool:
    """pytest `-m`: an identifier matches a marker name exactly (`name(kw=…)` compares the name)."""
    return match_expression(expr, lambda ident: ident.split("(", 1)[0] in markers)


# --- the judge ----------------------------------------------------------------------------------


def _merge_addopts(cmd: Pytest, cfg: PytestConfig) -> Pytest:
    """ini `addopts` come before the command-line arguments (for -k/-m the last one wins)."""
    if not cfg.addopts:
        return cmd
    extra = _addopts(tuple(cfg.addopts))
    return Pytest(
        text=cmd.text,
        argv=cmd.argv,
        wrappers=cmd.wrappers,
        env=cmd.env,
        directory=cmd.directory,
        dynamic=cmd.dynamic,
        others=cmd.others,
        args=extra.args + cmd.args,
        keyword=cmd.keyword or extra.keyword,
        markers=cmd.markers or extra.markers,
        ignore=extra.ignore + cmd.ignore,
        ignore_glob=extra.ignore_glob + cmd.ignore_glob,
        deselect=extra.deselect + cmd.deselect,
        plugins=extra.plugins + cmd.plugins,
        inifile=cmd.inifile,
        rootdir=cmd.rootdir,
        overrides=extra.overrides + cmd.overrides,
        pyargs=cmd.pyargs or extra.pyargs,
        collect_only=cmd.collect_only or extra.collect_only,
    )


@functools.lru_cache(maxsize=256)
def _addopts(addopts: tuple[str, ...]) -> Pytest:
    """The ini file's `addopts` as a pytest command (the same options as on the command line)."""
    text = " ".join(shell_quote(a) for a in addopts)
    words = split_words(text)
    common: Common = {
        "text": text,
        "argv": [w.value for w in words],
        "wrappers": [],
        "env": {},
        "directory": None,
        "dynamic": frozenset(),
    }
    return _parse_pytest(Cursor(words), common)


def _apply_overrides(cfg: PytestConfig, overrides: list[str]) -> None:
    for item in overrides:
        key, eq, value = item.partition("=")
        if eq and key.strip() in (
            "testpaths",
            "python_files",
            "python_classes",
            "python_functions",
            "norecursedirs",
        ):
            setattr(cfg, key.strip(), value.split())


def _name_matches(name: str, patterns: list[str]) -> bool:
    """python_functions / python_classes: a prefix, or a glob when it has glob characters."""
    return any(
        fnmatch.fnmatch(name, p) if any(c in p for c in "*?[") else name.startswith(p) for p in patterns
    )


def judge(fs: FileSystem, cmd: Pytest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(".py"):
        return does_not_run(
            Reason.WRONG_LANGUAGE, f"runs Python tests; `{test.path}` is not a Python file", text
        )
    if cmd.collect_only:
        return does_not_run(Reason.NO_RUN, "only collects or reports, it runs no test", text)
    if cmd.pyargs:
        return unknown(
            Reason.UNKNOWN_COMMAND,
            f"`{text}` names Python packages (`--pyargs`), which are not resolved",
            text,
        )
    cfg = pytest_config(fs, where, cmd.args, cmd.inifile, cmd.rootdir)
    if cfg.error:
        return unknown(Reason.MANIFEST_ERROR, f"cannot read the pytest configuration: {cfg.error}", text)
    cmd = _merge_addopts(cmd, cfg)
    _apply_overrides(cfg, cmd.overrides)

    read = fs.read_text(test.path)
    source = read.text or ""
    if test.name:
        info = find_python_test(source, test.name) if source else None
        if info is None:
            parts = [p for p in re.split(r"::|\.", test.name.split("[", 1)[0]) if p]
            info = PythonTest(parts[-1], parts[:-1], found=False)
        candidates = [info]
    else:
        candidates = python_tests(source) or [PythonTest("", found=False)]

    first: Verdict | None = None
    for info in candidates:
        v = _judge_one(fs, cmd, cfg, where, test, info)
        if v.outcome != Outcome.DOES_NOT_RUN:
            return v
        first = first or v
    assert first is not None
    return first


def _qualname(info: PythonTest) -> list[str]:
    return [*info.classes, info.name] if info.name else []


def _judge_one(
    fs: FileSystem, cmd: Pytest, cfg: PytestConfig, where: str, test: TestTarget, info: PythonTest
) -> Verdict:
    text = cmd.text
    qual = _qualname(info)
    shown = "::".join(qual) or test.path
    verdict = _collected(fs, cmd, cfg, where, test, qual)
    if verdict is not None:
        return verdict
    for ignored in cmd.ignore:
        p = join_dir(where, ignored)
        if p is not None and is_under(test.path, p):
            return does_not_run(Reason.IGNORE_OPTION, f"ignores `{p}` (`--ignore {ignored}`)", text)
    for pattern in cmd.ignore_glob:
        p = join_dir(where, pattern) or pattern
        if fnmatch.fnmatch(test.path, p) or fnmatch.fnmatch(test.path, pattern):
            return does_not_run(
                Reason.IGNORE_OPTION, f"ignores files matching `{pattern}` (`--ignore-glob`)", text
            )
    for node in cmd.deselect:
        file_part, _, rest = node.partition("::")
        parts = [x.split("[", 1)[0] for x in rest.split("::") if x] if rest else []
        if join_dir(where, file_part) == test.path and (not parts or parts == qual[: len(parts)]):
            return does_not_run(Reason.DESELECTED, f"deselects it (`--deselect {node}`)", text)
    if qual:
        if info.classes and not _name_matches(info.classes[0], cfg.python_classes):
            return does_not_run(
                Reason.NOT_COLLECTED,
                f"does not collect class `{info.classes[0]}`:"
                f" it does not match `python_classes` ({code_list(cfg.python_classes)})",
                text,
            )
        if not _name_matches(info.name, cfg.python_functions):
            return does_not_run(
                Reason.NOT_COLLECTED,
                f"does not collect `{info.name}`:"
                f" it does not match `python_functions` ({code_list(cfg.python_functions)})",
                text,
            )
    markers = set(test.markers) if test.markers is not None else set(info.markers)
    if cmd.keyword:
        if not qual:
            return unknown(
                Reason.EXPRESSION,
                f"`{text}` selects by `-k {cmd.keyword}`;"
                f" which tests of `{test.path}` match depends on their names",
                text,
            )
        names = _keyword_names(test.path, cfg.rootdir, info) | markers
        try:
            ok = keyword_matches(cmd.keyword, names)
        except ValueError as exc:
            return unknown(Reason.BAD_EXPRESSION, f"`-k {cmd.keyword}` cannot be evaluated: {exc}", text)
        if not ok:
            return does_not_run(
                Reason.K_EXPRESSION,
                f"deselects `{shown}` with `-k {_shell(cmd.keyword)}`",
                text,
                test_name=shown,
            )
    if cmd.markers:
        try:
            ok = markers_match(cmd.markers, markers)
        except ValueError as exc:
            return unknown(Reason.BAD_EXPRESSION, f"`-m {cmd.markers}` cannot be evaluated: {exc}", text)
        if not ok:
            have = code_list(sorted(markers)) if markers else "none"
            return does_not_run(
                Reason.M_EXPRESSION,
                f"deselects `{shown}` with `-m {_shell(cmd.markers)}` (its markers: {have})",
                text,
                test_name=shown,
            )
    skipped = test.ignored if test.ignored is not None else info.skipped
    if skipped:
        return does_not_run(
            Reason.IGNORED, f"collects `{shown}` but it is marked `@pytest.mark.skip`", text, test_name=shown
        )
    clause = f"collects `{test.path}`" + (f" — matches `{shown}`" if qual else "")
    return runs(clause, text, test_name=shown if qual else None)


def _shell(expr: str) -> str:
    return f"'{expr}'" if " " in expr else expr


def _collected(
    fs: FileSystem, cmd: Pytest, cfg: PytestConfig, where: str, test: TestTarget, qual: list[str]
) -> Verdict | None:
    """None when the positional arguments (or testpaths, or the cwd) reach the test."""
    text = cmd.text
    if cmd.args:
        roots = cmd.args
        base = where
        origin = "args"
    elif cfg.testpaths and where == cfg.rootdir:
        roots = _expand_testpaths(fs, cfg)
        base = cfg.rootdir
        origin = "testpaths"
    else:
        roots = [""]
        base = where
        origin = "cwd"
    node_mismatch: Verdict | None = None
    not_collected: Verdict | None = None
    for arg in roots:
        file_part, _, rest = arg.partition("::")
        p = join_dir(base, file_part)
        if p is None:
            continue
        if rest:
            if p != test.path:
                continue
            parts = [x.split("[", 1)[0] for x in rest.split("::") if x]
            if not qual or parts == qual[: len(parts)]:
                return None
            node_mismatch = node_mismatch or does_not_run(
                Reason.NODE_ID, f"names `{arg}`, not `{'::'.join(qual)}`", text, test_name="::".join(qual)
            )
            continue
        if p == test.path:
            return None  # an explicit file is collected whatever its name
        if is_under(test.path, p):
            why = _not_collected_under(cfg, p, test.path)
            if why is None:
                return None
            not_collected = not_collected or does_not_run(Reason.NOT_COLLECTED, why, text)
    if node_mismatch:
        return node_mismatch
    if not_collected:
        return not_collected
    if origin == "args":
        return does_not_run(
            Reason.OUTSIDE_PATHS,
            f"collects only {code_list(cmd.args)}"
            + (f" (from `{where}`)" if where else "")
            + f"; `{test.path}` is outside",
            text,
        )
    if origin == "testpaths":
        return does_not_run(
            Reason.OUTSIDE_PATHS,
            f"collects the `testpaths` of `{cfg.inifile}` ({code_list(cfg.testpaths)});"
            f" `{test.path}` is outside",
            text,
        )
    return does_not_run(
        Reason.OUTSIDE_WORKING_DIRECTORY, f"runs in `{where or '.'}` and `{test.path}` is outside it", text
    )


def _expand_testpaths(fs: FileSystem, cfg: PytestConfig) -> list[str]:
    out: list[str] = []
    for t in cfg.testpaths:
        if any(c in t for c in "*?["):  # testpaths may be globs
            base = parent(join(cfg.rootdir, t.split("*", 1)[0].rstrip("/") + "/x"))
            for name, _ in list_dir(fs, base):
                candidate = join(base, name)
                if fnmatch.fnmatch(candidate, join(cfg.rootdir, t)):
                    out.append(candidate[len(cfg.rootdir) + 1 :] if cfg.rootdir else candidate)
        else:
            out.append(t)
    return out


def _not_collected_under(cfg: PytestConfig, directory: str, path: str) -> str | None:
    """Why collecting `directory` misses `path` (python_files, norecursedirs); None if it does not."""
    rel = path[len(directory) + 1 :] if directory else path
    parts = rel.split("/")
    for d in parts[:-1]:
        if any(fnmatch.fnmatch(d, pat) for pat in cfg.norecursedirs):
            return f"does not recurse into `{d}` (`norecursedirs`)"
    name = parts[-1]
    if not any(fnmatch.fnmatch(name, pat) for pat in cfg.python_files):
        return f"does not collect `{name}`: it does not match `python_files` ({code_list(cfg.python_files)})"
    return None


def _keyword_names(path: str, rootdir: str, info: PythonTest) -> set[str]:
    """The names `-k` matches: function, classes, module file and directories below rootdir."""
    names = {info.name, *info.classes, path.rsplit("/", 1)[-1]}
    rel = path[len(rootdir) + 1 :] if rootdir and is_under(path, rootdir) else path
    names.update(rel.split("/")[:-1])
    return {n for n in names if n}


RUNNER = Runner(
    name="pytest",
    title="pytest",
    programs=frozenset({"pytest", "py.test", "hatch"}),
    model=Pytest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    needs="the pytest rootdir and ini file (`projects.pytest_config`), Python test names, "
    "classes, markers and skips (`testinfo`)",
)
