"""The CI-gating verdict (docs/spec/ci.md#gating): does a cited CI job run a cited test?

Invariant: reads only through a `FileSystem`; never raises. `command_runs_test` judges one
command in one directory; `verdict` judges a whole citation: the workflow must be readable,
the job must exist, and some `run:` step command of the job must run the test. Each answer is
runs / does not run (with the reason) / unknown (with why), never a guess presented as a fact.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any, TypeVar

from parity_lsp.workspace.ci import runners
from parity_lsp.workspace.ci.commands import (
    CommandIndex,
    ParsedCommand,
    Unknown,
    closest_command,
    effective_directory,
    parse_command,
    selection_is_dynamic,
)
from parity_lsp.workspace.ci.follow import Followed, follow_in
from parity_lsp.workspace.ci.model import (
    DOES_NOT_RUN,
    RUNS,
    UNKNOWN,
    CiCitation,
    CitedMatch,
    TestTarget,
    Verdict,
    code_list,
    does_not_run,
    unknown,
)
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.shell import split_commands
from parity_lsp.workspace.ci.workflows import Command, Job, Workflow, find_job, load_workflow, nearest_job
from parity_lsp.workspace.fs import FileSystem, normalize_rel

__all__ = [
    "DOES_NOT_RUN",
    "RUNS",
    "UNKNOWN",
    "CiCitation",
    "CitedMatch",
    "TestTarget",
    "Verdict",
    "command_runs_test",
    "match_cited_commands",
    "verdict",
]

MAX_FOLLOW_DEPTH = 3  # make → make → script: deeper indirection is reported as unknown

_log = logging.getLogger("parity_lsp.workspace")
_Item = TypeVar("_Item")


def _specificity(v: Verdict) -> int:
    """How far the command got before missing the test (`Reason.specificity`)."""
    return v.code.specificity


def command_runs_test(
    fs: FileSystem,
    command: str | Command | ParsedCommand,
    test: TestTarget,
    working_directory: str | None = "",
) -> Verdict:
    """Does `command`, run in `working_directory` (a step's effective directory), run `test`?"""
    try:
        if isinstance(command, Command):
            return _judge(fs, parse_command(command.text), command.working_directory, test, 0)
        parsed = command if isinstance(command, ParsedCommand) else parse_command(command)
        return _judge(fs, parsed, working_directory, test, 0)
    except Exception as exc:  # noqa: BLE001 - the boundary of every runner's judge: a bug is unknown, logged
        text = command if isinstance(command, str) else command.text
        _log.warning("judging `%s` for %s failed", text, test.path, exc_info=True)
        return unknown(Reason.INTERNAL_ERROR, f"`{text}` could not be judged: {exc}", text)


def _normalize(test: TestTarget) -> TestTarget:
    path = normalize_rel(test.path)
    if path is None or path == test.path:
        return test
    return TestTarget(path, test.name, test.ignored, test.markers)


def _judge(fs: FileSystem, cmd: ParsedCommand, cwd: str | None, test: TestTarget, depth: int) -> Verdict:
    test = _normalize(test)
    text = cmd.text
    runner = runners.for_command(cmd)
    # before the directory: `echo` after `cd $TMP` runs no test either way
    if runner is None:
        if isinstance(cmd, Unknown) and cmd.non_test:
            return does_not_run(Reason.NOT_A_TEST_COMMAND, "does not run tests", text)
        return unknown(Reason.UNKNOWN_COMMAND, f"`{text}` is not a command parity-lsp understands", text)
    if not runner.models_tests:
        return unknown(
            Reason.UNKNOWN_RUNNER,
            f"`{text}` runs tests with {runner.tool_of(cmd)}, which parity-lsp does not model",
            text,
        )
    if cwd is None:
        return unknown(
            Reason.UNKNOWN_DIRECTORY, f"the directory `{text}` runs in is only known when CI runs", text
        )
    where = effective_directory(cwd, cmd)
    if where is None:
        return unknown(
            Reason.UNKNOWN_DIRECTORY, f"the directory `{text}` switches to is only known when CI runs", text
        )
    if where and not fs.is_dir(where):
        return does_not_run(
            Reason.MISSING_WORKING_DIRECTORY,
            f"runs in `{where}`, which does not exist",
            text,
            working_directory=where,
        )
    if selection_is_dynamic(cmd):
        dyn = code_list(sorted(cmd.dynamic))
        return unknown(
            Reason.EXPRESSION,
            f"`{text}` selects tests with {dyn}, whose value is only known when CI runs",
            text,
        )
    if runner.judge is not None:
        v = runner.judge(fs, cmd, where, test)
    else:
        v = _judge_followed(fs, runner, cmd, where, test, depth)
    v.working_directory = where
    return v


def _judge_followed(
    fs: FileSystem, runner: runners.Runner[Any], cmd: ParsedCommand, where: str, test: TestTarget, depth: int
) -> Verdict:
    """A make target or package script: the verdict of the commands it runs (the best one)."""
    text = cmd.text
    if depth >= MAX_FOLLOW_DEPTH:
        return unknown(Reason.NOT_FOLLOWED, f"`{text}` is nested too deeply to follow", text)
    result = follow_in(fs, runner, cmd, where)
    if result.error:
        return unknown(Reason.NOT_FOLLOWED, f"`{text}` cannot be followed: {result.error}", text)
    subs: list[tuple[Verdict, Followed]] = []
    for f in result.commands:
        v = _judge(fs, f.command, f.directory, test, depth + 1)
        subs.append((v, f))
    if not subs:
        return does_not_run(Reason.NOT_A_TEST_COMMAND, "runs no command", text)
    chosen, followed = _pick(subs)
    hop = f"`{followed.via}` at `{followed.source}` line {followed.line + 1}"
    inner = chosen.command or ""
    if chosen.outcome == RUNS:
        v = Verdict(
            RUNS,
            chosen.code,
            f"`{text}` runs `{inner}`, which {chosen.clause}",
            f"runs `{inner}`, which {chosen.clause}",
            text,
        )
    elif chosen.outcome == UNKNOWN:
        v = Verdict(UNKNOWN, chosen.code, f"`{text}` runs `{inner}`: {chosen.reason}", chosen.clause, text)
    else:
        if all(s.code == Reason.NOT_A_TEST_COMMAND for s, _ in subs):
            return does_not_run(Reason.NOT_A_TEST_COMMAND, f"runs no test command ({hop})", text, via=[hop])
        v = Verdict(
            DOES_NOT_RUN,
            chosen.code,
            f"`{text}` runs `{inner}`, which {chosen.clause}",
            f"runs `{inner}`, which {chosen.clause}",
            text,
        )
    v.via = [hop] + chosen.via
    v.test_name = chosen.test_name
    v.caveats = chosen.caveats
    return v


def _pick(items: list[tuple[Verdict, _Item]]) -> tuple[Verdict, _Item]:
    """The verdict that answers for a list of commands (each with what it is about): a run
    wins, then unknown, then a no."""
    for wanted in (RUNS, UNKNOWN):
        for v, item in items:
            if v.outcome == wanted:
                return v, item
    return max(items, key=lambda pair: _specificity(pair[0]))


# --- the job-level verdict ----------------------------------------------------------------------


def _command_index(job: Job) -> tuple[CommandIndex, dict[str, list[Command]]]:
    """The job's step commands indexed by selection (their text and pre-matrix template)."""
    cached: tuple[CommandIndex, dict[str, list[Command]]] | None = job.memo.get("command_index")
    if cached is None:
        by_text: dict[str, list[Command]] = {}
        for c in job.commands:
            by_text.setdefault(c.text, []).append(c)
            if c.template and c.template != c.text:
                by_text.setdefault(c.template, []).append(c)
        cached = job.memo["command_index"] = (CommandIndex(by_text), by_text)
    return cached


def _runner_flags(job: Job) -> list[bool]:
    """Per step command: is it a test runner (or something that may start one)?"""
    cached: list[bool] | None = job.memo.get("runner_flags")
    if cached is None:
        cached = job.memo["runner_flags"] = [
            runners.for_command(parse_command(c.text)) is not None for c in job.commands
        ]
    return cached


@functools.lru_cache(maxsize=4096)  # thousands of rows cite the same few commands
def _pieces(cited: str) -> tuple[str, ...]:
    """The simple commands of a cited command line (`a && b` is two)."""
    return tuple(sc.text for sc in split_commands(cited)) or (cited,)


def _position(c: Command) -> int:
    return c.position


def match_cited_commands(job: Job, cited: list[str]) -> list[CitedMatch]:
    """Each cited command with the step commands it matches (docs/spec/ci.md#matching) or the closest one."""
    index, by_text = _command_index(job)
    out: list[CitedMatch] = []
    for text in cited:
        pieces = _pieces(text)
        matched: list[Command] = []
        seen: set[int] = set()  # ids of `matched` (a command is equal only to itself)
        ok = True
        for piece in pieces:
            found = {id(c): c for t in index.matching(piece) for c in by_text[t]}
            if not found:
                ok = False
            for h in sorted(found.values(), key=_position):
                if id(h) not in seen:  # not `h in matched`: a job of 100,000 alike commands
                    seen.add(id(h))
                    matched.append(h)
        closest = None
        if not ok:
            step_texts = list(dict.fromkeys(c.template or c.text for c in job.commands))
            closest = closest_command(text, step_texts)
        out.append(CitedMatch(text, matched if ok else [], closest))
    return out


def verdict(fs: FileSystem, test: TestTarget, ci: CiCitation) -> Verdict:
    """Does the job `ci` cites run `test`? The answer names the step (index, line, command)."""
    try:
        return _verdict(fs, _normalize(test), ci)
    except Exception as exc:  # noqa: BLE001 - the boundary of the citation's verdict: unknown, logged
        _log.warning("judging the CI citation `%s` for %s failed", ci.workflow, test.path, exc_info=True)
        return unknown(
            Reason.INTERNAL_ERROR,
            f"the CI citation could not be judged: {exc}",
            workflow=ci.workflow,
            job=ci.job,
        )


def _verdict(fs: FileSystem, test: TestTarget, ci: CiCitation) -> Verdict:
    path = normalize_rel(ci.workflow)
    if path is None:
        return unknown(
            Reason.WORKFLOW_MISSING,
            f"workflow `{ci.workflow}` is outside the workspace",
            workflow=ci.workflow,
            job=ci.job,
        )
    wf = load_workflow(fs, path)
    if wf.error:
        if wf.missing:
            return unknown(
                Reason.WORKFLOW_MISSING, f"workflow `{path}` does not exist", workflow=path, job=ci.job
            )
        return unknown(
            Reason.WORKFLOW_ERROR, f"workflow `{path}` cannot be read: {wf.error}", workflow=path, job=ci.job
        )
    if ci.job is None:
        return _any_job(fs, wf, test, ci)
    job = find_job(wf, ci.job)
    if job is None:
        near = nearest_job(wf, ci.job)
        hint = f" (did you mean `{near}`?)" if near else ""
        return unknown(
            Reason.JOB_NOT_FOUND,
            f"workflow `{path}` has no job `{ci.job}`{hint}",
            workflow=path,
            job=ci.job,
            nearest_job=near,
        )
    return _job_verdict(fs, wf, job, test, ci.commands)


def _any_job(fs: FileSystem, wf: Workflow, test: TestTarget, ci: CiCitation) -> Verdict:
    results = [_job_verdict(fs, wf, job, test, ci.commands) for job in wf.jobs.values()]
    if not results:
        return does_not_run(Reason.NO_COMMANDS, f"workflow `{wf.path}` has no job", None, workflow=wf.path)
    for wanted in (RUNS, UNKNOWN):
        for v in results:
            if v.outcome == wanted:
                return v
    return max(results, key=_specificity)


def _job_verdict(fs: FileSystem, wf: Workflow, job: Job, test: TestTarget, cited: list[str]) -> Verdict:
    matches = match_cited_commands(job, cited)
    if job.uses:
        return unknown(
            Reason.JOB_USES_WORKFLOW,
            f"job `{job.id}` calls `{job.uses}`, which is not followed",
            workflow=wf.path,
            job=job.id,
            cited=matches,
        )
    commands = job.commands
    if not commands:
        return does_not_run(
            Reason.NO_COMMANDS,
            f"job `{job.id}` has no `run:` step",
            None,
            workflow=wf.path,
            job=job.id,
            cited=matches,
        )
    cited_ids = {id(c) for m in matches for c in m.matched}
    runner = _runner_flags(job)
    details: list[Verdict] = []
    judged: list[Command] = []
    chosen = None
    for i in _judging_order(job, cited_ids, runner):
        c = commands[i]
        v = command_runs_test(fs, c, test)
        _locate(v, c)
        v.workflow, v.job = wf.path, job.id
        details.append(v)
        judged.append(c)
        if v.outcome == RUNS:
            chosen = v
            break
    if chosen is None:
        chosen = next((v for v in details if v.outcome == UNKNOWN), None)
    if chosen is None:
        cited_misses = [v for v, c in zip(details, judged, strict=False) if id(c) in cited_ids]
        chosen = max(cited_misses or details, key=_specificity)
        if _specificity(chosen) <= 1 and not any(runner):
            out = does_not_run(
                Reason.NO_TEST_COMMAND,
                f"job `{job.id}` runs no test command",
                None,
                workflow=wf.path,
                job=job.id,
            )
            out.cited, out.details = matches, details
            return out
    out = _copy(chosen)
    out.cited, out.details = matches, details
    if out.outcome == RUNS:
        step = judged[details.index(chosen)].step
        if step.continue_on_error or job.continue_on_error:
            out.caveats.append("`continue-on-error: true`: a failing test does not fail the job")
        if step.condition:
            out.caveats.append(f"the step runs only `if: {step.condition}`")
        if job.condition:
            out.caveats.append(f"the job runs only `if: {job.condition}`")
    return out


def _judging_order(job: Job, cited_ids: set[int], runner: list[bool]) -> Iterator[int]:
    """Step command indices to judge: the cited ones first, then test runners, then the rest,
    each in step order. Lazy: judging stops at the first that runs the test, most often the
    first (a job of 80 `cargo test -p X` steps need not judge, nor order, all 80)."""
    commands = job.commands
    index_of: dict[int, int] | None = job.memo.get("command_positions")
    if index_of is None:
        index_of = job.memo["command_positions"] = {id(c): i for i, c in enumerate(commands)}
    cited = sorted(index_of[k] for k in cited_ids if k in index_of)
    yield from cited
    done = set(cited)
    yield from (i for i in range(len(commands)) if runner[i] and i not in done)
    yield from (i for i in range(len(commands)) if not runner[i] and i not in done)


def _locate(v: Verdict, c: Command) -> None:
    v.step_index, v.step_line, v.step_name = c.step.index, c.step.line, c.step.name
    v.command_line = c.line
    v.command = v.command or c.text
    if v.working_directory is None:
        v.working_directory = c.working_directory


def _copy(v: Verdict) -> Verdict:
    """A shallow copy whose lists can be extended without touching `v`."""
    fields = {name: getattr(v, name) for name in v.__slots__}
    fields.update(via=list(v.via), caveats=list(v.caveats))
    return Verdict(**fields)
