"""Maven (`mvn`, `./mvnw`): the command model, its selection key (docs/spec/ci.md#matching),
and whether it runs a JVM test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: "runs" when the build (the `pom.xml` where it runs, or `-f`) reaches the test's module
through its `<module>` entries, the test lies in that module's `src/test/<language>/`, a phase
that runs Surefire is asked for (`test`, `package`, `verify`, `install`, `deploy`), the test
class is one Surefire finds by default (`Test*`, `*Test`, `*Tests`, `*TestCase`) and
`-pl`/`-Dtest` let it through; "does not run" only when that is certain (`-DskipTests`,
only goals known to run no test, another module's `-pl`, a `-Dtest` it does not match, a class
name Surefire does not find in a pom that does not configure it); anything else, such as a
pom that configures Surefire's includes, `-amd`, an artifact id in `-pl`, an unknown goal, is
"unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import TestTarget, Verdict, code_list, does_not_run, runs, unknown
from parity_lsp.workspace.ci.projects import is_under, join, parent
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    cited_disabled,
    glob_regex,
    join_directory,
    words,
)
from parity_lsp.workspace.ci.testinfo import last_part
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class MavenRun(ParsedCommand):
    kind: ClassVar[str] = "maven"
    goals: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)  # -pl
    properties: dict[str, str] = field(default_factory=dict)  # -D
    also_make_dependents: bool = False  # -amd
    non_recursive: bool = False  # -N


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-f", "--file", "-pl", "--projects", "-P", "--activate-profiles", "-T", "--threads", "-s",
        "--settings", "-gs", "--global-settings", "-t", "--toolchains", "-rf", "--resume-from",
        "-l", "--log-file", "-b", "--builder", "-D", "--define",
    }
)  # fmt: skip


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    cmd = MavenRun(**common)
    for name, value in words(cur, _VALUE):
        if value is None and name.startswith("-D") and len(name) > 2:
            name, value = "-D", name[2:]  # `-DskipTests`, `-Dtest=CartTest`
        if value is None:
            if name in ("-amd", "--also-make-dependents"):
                cmd.also_make_dependents = True
            elif name in ("-N", "--non-recursive"):
                cmd.non_recursive = True
            else:
                cmd.others.append(name)  # -B, -q, -e, -U, -am, -ntp, -fae, …
        elif not name:
            cmd.goals.append(value)
        elif name in ("-D", "--define"):
            key, _, val = value.partition("=")
            cmd.properties[key] = val
        elif name in ("-pl", "--projects"):
            cmd.projects.extend(p for p in value.split(",") if p)
        elif name in ("-f", "--file"):
            directory = parent(value) if value.endswith(".xml") else value
            cmd.directory = join_directory(cmd.directory, directory) if directory else cmd.directory
            if value.endswith(".xml") and not value.endswith("pom.xml"):
                cmd.others.append(f"-f={value}")
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: MavenRun) -> SelectionKey:
    selecting = {k: v for k, v in cmd.properties.items() if k in ("test", "skipTests", "maven.test.skip")}
    return (
        "maven",
        tuple(cmd.goals),
        frozenset(cmd.projects),
        frozenset(selecting.items()),
        cmd.also_make_dependents,
        cmd.non_recursive,
        cmd.directory,
    )


def _selecting_words(cmd: MavenRun) -> str:
    return " ".join([*cmd.goals, *cmd.projects, cmd.properties.get("test", "")])


# --- judging ------------------------------------------------------------------------------------

_JVM = (".java", ".kt", ".groovy", ".scala")
_TEST_SOURCES = re.compile(r"^(?:(.*)/)?src/test/(?:java|kotlin|groovy|scala)/")
_TEST_PHASES = frozenset(
    {
        "test", "prepare-package", "package", "pre-integration-test", "integration-test",
        "post-integration-test", "verify", "install", "deploy", "surefire:test",
    }
)  # fmt: skip
_NON_TEST_GOALS = frozenset(
    {
        "clean", "validate", "initialize", "generate-sources", "process-sources", "generate-resources",
        "process-resources", "compile", "process-classes", "generate-test-sources",
        "process-test-sources", "generate-test-resources", "process-test-resources", "test-compile",
        "process-test-classes", "site", "dependency:tree", "dependency:go-offline",
        "dependency:resolve", "spotless:check", "spotless:apply", "checkstyle:check", "versions:set",
    }
)  # fmt: skip
_MODULE = re.compile(r"<module>\s*([^<]+?)\s*</module>")
# a pom that says which tests Surefire runs (or skips): not read
_SUREFIRE_CONFIG = re.compile(r"<(?:includes|include|excludes|testSourceDirectory|skipTests|skip|test)>")
_DEFAULT_CLASSES = re.compile(r"^(?:Test\w*|\w*Test|\w*Tests|\w*TestCase)$")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("", "true")


def _module_reached(fs: FileSystem, root: str, module: str) -> bool | None:
    """Whether the pom at `root` reaches `module` (a directory below it) through `<module>`
    entries, level by level; None when a pom on the way cannot be read."""
    current, remaining = root, module
    while remaining:
        pom = fs.read_text(join(current, "pom.xml")).text
        if pom is None:
            return None
        for entry in _MODULE.findall(pom):
            entry = entry.strip().removeprefix("./").rstrip("/")
            if remaining == entry or remaining.startswith(entry + "/"):
                current, remaining = join(current, entry), remaining[len(entry) :].lstrip("/")
                break
        else:
            return False
    return True


def judge(fs: FileSystem, cmd: MavenRun, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_JVM):
        return does_not_run(
            Reason.WRONG_LANGUAGE,
            f"runs JVM tests; `{test.path}` is not a Java, Kotlin, Groovy or Scala file",
            text,
        )
    if _truthy(cmd.properties.get("skipTests")) or _truthy(cmd.properties.get("maven.test.skip")):
        return does_not_run(Reason.NO_RUN, "skips the tests (`-DskipTests` / `-Dmaven.test.skip`)", text)
    if not is_under(test.path, where):
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"builds the project in `{where}`; `{test.path}` is outside it",
            text,
        )
    root_pom = fs.read_text(join(where, "pom.xml")).text
    if root_pom is None:
        return unknown(
            Reason.MANIFEST_ERROR, f"`{text}` runs a build with no pom.xml in `{where or '.'}`", text
        )
    sources = _TEST_SOURCES.match(test.path[len(where) + 1 :] if where else test.path)
    if sources is None:
        return unknown(
            Reason.NO_TARGET, f"`{test.path}` is not under a module's `src/test/<language>/`", text
        )
    module = sources.group(1) or ""
    if module and (cmd.non_recursive or not _module_reached(fs, where, module)):
        return unknown(
            Reason.NO_TARGET,
            f"the pom in `{where or '.'}` does not reach the module `{module}` as written",
            text,
        )
    shown = f"module `{module}`" if module else "the root module"
    goals = [(goal, goal in _TEST_PHASES, goal in _NON_TEST_GOALS) for goal in cmd.goals]
    if not any(runs_tests for _, runs_tests, _ in goals):
        if goals and all(non_test for _, _, non_test in goals):
            return does_not_run(
                Reason.NOT_A_TEST_COMMAND, f"runs {code_list(cmd.goals)}, which run no test", text
            )
        return unknown(Reason.UNKNOWN_RUNNER, f"runs {code_list(cmd.goals) or 'no goal'}: not modelled", text)
    if cmd.projects:
        if cmd.also_make_dependents or any(":" in p or p.startswith(("!", "-")) for p in cmd.projects):
            return unknown(
                Reason.FILTERSET,
                f"`-pl {','.join(cmd.projects)}`: which modules that builds is not read",
                text,
            )
        if not any(p.strip("./") == module for p in cmd.projects):
            return does_not_run(
                Reason.OTHER_PACKAGE,
                f"builds only {code_list(cmd.projects)} (`-pl`); the test is in {shown}",
                text,
            )
    module_pom = fs.read_text(join(where, module, "pom.xml")).text or ""
    if _SUREFIRE_CONFIG.search(module_pom) or _SUREFIRE_CONFIG.search(root_pom):
        return unknown(Reason.MANIFEST_ERROR, "a pom configures which tests Surefire runs: not read", text)
    klass = test.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not _DEFAULT_CLASSES.match(klass):
        if "<parent>" in module_pom or "<parent>" in root_pom:
            # a parent pom outside the workspace (a company's, a framework's) may configure it
            return unknown(
                Reason.MANIFEST_ERROR, f"`{klass}`: whether a parent pom includes it is not read", text
            )
        if klass.endswith(("IT", "ITCase")):
            return unknown(
                Reason.OTHER_TARGET, f"`{klass}` is an integration test (Failsafe): not modelled", text
            )
        return does_not_run(
            Reason.NOT_COLLECTED,
            f"runs the classes Surefire finds by default (`Test*`, `*Test`, `*Tests`, `*TestCase`);"
            f" `{klass}` is not one",
            text,
        )
    if cited_disabled(fs, test):
        return does_not_run(Reason.IGNORED, f"runs the tests of {shown} but the test is disabled", text)
    selected = cmd.properties.get("test")
    if selected:
        return _filtered(fs, cmd, test, klass, selected, shown)
    return runs(f"runs the tests of {shown}", text)


def _filtered(
    fs: FileSystem, cmd: MavenRun, test: TestTarget, klass: str, selected: str, shown: str
) -> Verdict:
    """`-Dtest=CartTest,Other*#adds*`: class patterns (simple or qualified), each with methods."""
    text = cmd.text
    if "%regex" in selected or "!" in selected:
        return unknown(Reason.EXPRESSION, f"`-Dtest={selected}`: not read", text)
    package = _PACKAGE.search(fs.read_text(test.path).text or "")
    qualified = f"{package.group(1)}.{klass}" if package else klass
    method = last_part(test.name) if test.name else None
    for item in selected.split(","):
        class_part, _, method_part = item.strip().partition("#")
        class_rx = glob_regex(class_part.replace("/", ".").removesuffix(".java"))
        if not any(class_rx.fullmatch(c) for c in (klass, qualified)):
            continue
        if not method_part or method is None:
            return runs(f"runs the tests of {shown} selected by `-Dtest={selected}`", text)
        if any(glob_regex(m).fullmatch(method) for m in method_part.split("+")):
            return runs(f"runs `{klass}#{method}` (`-Dtest={selected}`)", text, test_name=f"{klass}#{method}")
    return does_not_run(
        Reason.NAME_FILTER,
        f"runs only `-Dtest={selected}`; `{klass}{'#' + method if method else ''}` does not match",
        text,
    )


RUNNER = Runner(
    name="maven",
    title="Maven",
    programs=frozenset({"mvn", "mvnw"}),
    model=MavenRun,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="pom.xml `<module>` entries, whether a pom configures Surefire, the `src/test/<language>/` layout",
)
