"""Gradle (`gradle`, `./gradlew`): the command model, its selection key (docs/spec/ci.md#matching),
and whether it runs a JVM test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Precision
first: "runs" when the build that runs (the `settings.gradle(.kts)` where the command runs, or
`-p`) includes the test's project (the root, or a project its settings name), the test lies in
that project's `src/test/<language>/`, a task that runs it is asked for (`test`, `check` or
`build`, unqualified or for that project) and not excluded (`-x`), and `--tests` lets it through;
"does not run" only when that is certain (another project's task, a `--tests` pattern it does
not match, only tasks that run no test, `--dry-run`); anything else, such as a custom source
set, a task parity-lsp does not know, a settings file it cannot read, is "unknown".
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
    cited_disabled,
    glob_regex,
    join_directory,
    words,
)
from parity_lsp.workspace.ci.testinfo import last_part
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class GradleRun(ParsedCommand):
    kind: ClassVar[str] = "gradle"
    tasks: list[str] = field(default_factory=list)  # as written: `test`, `:app:test`, `check`
    excluded: list[str] = field(default_factory=list)  # -x / --exclude-task
    tests: list[str] = field(default_factory=list)  # --tests patterns
    dry_run: bool = False
    other_files: bool = False  # -b / -c: another build or settings file than the default


# --- parsing ---------------------------------------------------------------------------------

_VALUE = frozenset(
    {
        "-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-x", "--exclude-task",
        "--tests", "-g", "--gradle-user-home", "-I", "--init-script", "--max-workers", "--console",
        "--warning-mode", "--priority", "--include-build", "--project-cache-dir", "-F",
        "--dependency-verification", "--write-verification-metadata", "-M",
    }
)  # fmt: skip
# tasks that run tests (their own project's `test` task, or every project's when unqualified)
_TEST_TASKS = frozenset({"test", "check", "build"})
# tasks known to run no test
_NON_TEST_TASKS = frozenset(
    {
        "assemble", "clean", "compileJava", "compileKotlin", "compileTestJava", "compileTestKotlin",
        "classes", "testClasses", "jar", "javadoc", "dependencies", "tasks", "help", "projects",
        "properties", "wrapper", "publish", "publishToMavenLocal", "installDist", "distZip",
        "bootJar", "shadowJar", "spotlessApply", "spotlessCheck", "ktlintCheck", "detekt",
    }
)  # fmt: skip


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    cmd = GradleRun(**common)
    for name, value in words(cur, _VALUE):
        if value is None and name[:2] in ("-x", "-p") and len(name) > 2 and name[1] != "-":
            name, value = name[:2], name[2:]  # `-xtest`
        if value is None:
            if name in ("-m", "--dry-run"):
                cmd.dry_run = True
            else:
                cmd.others.append(name)  # -P/-D properties, --info, --no-daemon, --continue, …
        elif not name:
            cmd.tasks.append(value)
        elif name in ("-x", "--exclude-task"):
            cmd.excluded.append(value)
        elif name == "--tests":
            cmd.tests.append(value)
        elif name in ("-p", "--project-dir"):
            cmd.directory = join_directory(cmd.directory, value)
        elif name in ("-b", "--build-file", "-c", "--settings-file"):
            cmd.other_files = True
        else:
            cmd.others.append(f"{name}={value}")
    return cmd


def selection_key(cmd: GradleRun) -> SelectionKey:
    return (
        "gradle",
        tuple(cmd.tasks),
        frozenset(cmd.excluded),
        frozenset(cmd.tests),
        cmd.dry_run,
        cmd.other_files,
        cmd.directory,
    )


def _selecting_words(cmd: GradleRun) -> str:
    return " ".join(cmd.tasks + cmd.excluded + cmd.tests)


# --- judging ------------------------------------------------------------------------------------

_TEST_SOURCES = re.compile(r"^(?:(.*)/)?src/test/(?:java|kotlin|groovy|scala)/")
_JVM = (".java", ".kt", ".groovy", ".scala")
_SETTINGS = ("settings.gradle.kts", "settings.gradle")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)


def _settings(fs: FileSystem, root: str) -> str | None:
    for name in _SETTINGS:
        text = fs.read_text(join(root, name)).text
        if text is not None:
            return text
    return None


def _included(settings: str, project: str) -> bool:
    """Does `settings` include the project at directory `project` (`libs/core` is `:libs:core`)?"""
    path = project.replace("/", ":")
    return any(q.lstrip(":") == path for q in re.findall(r"""["']([^"']+)["']""", settings))


def _task_runs(task: str, project_path: str) -> bool | None:
    """Whether task `task` runs the tests of the project at Gradle path `project_path` (`:app`;
    "" for the root): True, False, or None when the task is not one parity-lsp knows. An
    unqualified task runs in every project; `:test` in the root; `:app:test` (or `app:test`) in
    `:app`."""
    owner, _, name = task.rpartition(":")
    if name in _NON_TEST_TASKS:
        return False
    if name not in _TEST_TASKS:
        return None
    if ":" not in task:
        return True
    return ":" + owner.lstrip(":") == project_path if owner.lstrip(":") else project_path == ""


def judge(fs: FileSystem, cmd: GradleRun, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(_JVM):
        return does_not_run(
            Reason.WRONG_LANGUAGE,
            f"runs JVM tests; `{test.path}` is not a Java, Kotlin, Groovy or Scala file",
            text,
        )
    if cmd.dry_run:
        return does_not_run(Reason.NO_RUN, "lists the tasks it would run (`--dry-run`) but runs none", text)
    if cmd.other_files:
        return unknown(
            Reason.MANIFEST_ERROR, "a build or settings file given with `-b`/`-c` is not read", text
        )
    if not is_under(test.path, where):
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"builds the project in `{where}`; `{test.path}` is outside it",
            text,
        )
    sources = _TEST_SOURCES.match(test.path[len(where) + 1 :] if where else test.path)
    if sources is None:
        return unknown(
            Reason.NO_TARGET,
            f"`{test.path}` is not under a project's `src/test/<language>/`: its source set is not read",
            text,
        )
    settings = _settings(fs, where)
    if settings is None:
        return unknown(
            Reason.MANIFEST_ERROR,
            f"`{text}` runs a build with no settings.gradle(.kts) in `{where or '.'}`",
            text,
        )
    project = sources.group(1) or ""
    if project and not _included(settings, project):
        return unknown(
            Reason.NO_TARGET, f"the settings in `{where or '.'}` do not name `{project}` as written", text
        )
    project_path = ":" + project.replace("/", ":") if project else ""
    shown = project_path or "the root project"
    verdicts = [_task_runs(task, project_path) for task in cmd.tasks]
    if not any(verdicts):
        if cmd.tasks and all(v is False for v in verdicts):
            test_task = any(t.rpartition(":")[2] in _TEST_TASKS for t in cmd.tasks)
            return does_not_run(
                Reason.OTHER_PACKAGE if test_task else Reason.NOT_A_TEST_COMMAND,
                f"runs {code_list(cmd.tasks)}, none of which runs the tests of `{shown}`",
                text,
            )
        tasks = code_list(cmd.tasks) if cmd.tasks else "the default tasks"
        return unknown(Reason.UNKNOWN_RUNNER, f"runs {tasks}, which parity-lsp does not model", text)
    for excluded in cmd.excluded:
        if excluded.rpartition(":")[2] == "test" and _task_runs(excluded, project_path):
            return does_not_run(Reason.PACKAGE_EXCLUDED, f"excludes `{excluded}` (`-x {excluded}`)", text)
    if cited_disabled(fs, test):
        return does_not_run(Reason.IGNORED, f"runs the tests of `{shown}` but the test is disabled", text)
    if not cmd.tests:
        return runs(f"runs the tests of `{shown}`", text)
    return _filtered(fs, cmd, test, shown)


def _definitions(fs: FileSystem, path: str) -> tuple[str, list[tuple[str, str, bool]]]:
    """(package, [(class as Gradle names it, method, disabled)]) for the tests of a file."""
    from parity_lsp.workspace.symbols import find_definitions

    source = fs.read_text(path).text or ""
    package = _PACKAGE.search(source)
    tests = []
    for d in find_definitions(path, source) or ():
        if d.is_test and "::" in d.qualname:
            owner, _, method = d.qualname.rpartition("::")
            tests.append((owner.replace("::", "$"), method, bool(d.disabled)))
    return (package.group(1) if package else ""), tests


def _filtered(fs: FileSystem, cmd: GradleRun, test: TestTarget, shown: str) -> Verdict:
    text = cmd.text
    package, tests = _definitions(fs, test.path)
    method = last_part(test.name) if test.name else None
    if method is not None:
        tests = [t for t in tests if t[1] == method]
    if not tests:
        return unknown(
            Reason.EXPRESSION, "`--tests` names tests by class: the cited test's class is not known", text
        )
    patterns = [glob_regex(p) for p in cmd.tests]
    for owner, name, _ in tests:
        qualified = f"{package}.{owner}" if package else owner
        dotted = owner.replace("$", ".")
        classes = {qualified, f"{package}.{dotted}" if package else dotted, owner.split("$")[-1], dotted}
        if any(p.fullmatch(n) for p in patterns for c in classes for n in (c, f"{c}.{name}")):
            clause = f"runs the tests of `{shown}` matching {code_list(cmd.tests)}"
            return runs(clause, text, test_name=f"{qualified}.{name}")
    first = f"{package + '.' if package else ''}{tests[0][0]}.{tests[0][1]}"
    return does_not_run(
        Reason.NAME_FILTER, f"runs only tests matching {code_list(cmd.tests)}; `{first}` does not match", text
    )


RUNNER = Runner(
    name="gradle",
    title="Gradle",
    programs=frozenset({"gradle", "gradlew"}),
    model=GradleRun,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="settings.gradle(.kts) (which projects it names) and the `src/test/<language>/` layout",
)
