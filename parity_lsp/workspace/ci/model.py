"""Inputs and outputs of the CI-gating verdict (docs/spec/ci.md#gating).

Invariant: plain data; no IO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, Unpack

from parity_lsp.workspace.ci.reasons import Outcome, Reason

if TYPE_CHECKING:
    from parity_lsp.workspace.ci.workflows import Command

RUNS = Outcome.RUNS
DOES_NOT_RUN = Outcome.DOES_NOT_RUN
UNKNOWN = Outcome.UNKNOWN


@dataclass(slots=True)
class TestTarget:
    """A cited test: a file, optionally one test in it (`test_x`, `TestC::test_x`, `mod::name`)."""

    __test__ = False  # not a pytest test class

    path: str  # workspace-relative
    name: str | None = None
    ignored: bool | None = None  # `#[ignore]` / `@pytest.mark.skip`; None: read it from the source
    markers: frozenset[str] | None = None  # pytest markers; None: read them from the source


@dataclass(slots=True)
class CiCitation:
    """`.github/workflows/ci.yml` (job `test`: `cmd a` + `cmd b`)."""

    workflow: str
    job: str | None = None  # None: any job of the workflow
    commands: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CitedMatch:
    """How one cited command relates to the job's step commands (PM403)."""

    cited: str
    matched: list[Command] = field(default_factory=list)  # the step commands it matches
    closest: str | None = None  # the closest step command, when none matches


@dataclass(slots=True)
class Verdict:
    outcome: Outcome
    code: Reason  # why: `Reason.RUNS`, `Reason.PACKAGE_EXCLUDED`, `Reason.JOB_NOT_FOUND`, …
    reason: str  # one human sentence, Markdown code spans
    clause: str | None = None  # verb phrase about `command`: "excludes package `core`"
    command: str | None = None  # the command judged (as written in the step)
    working_directory: str | None = None
    workflow: str | None = None
    job: str | None = None  # job id
    step_index: int | None = None  # 1-based
    step_line: int | None = None  # 0-based line of the step's `- `
    step_name: str | None = None
    command_line: int | None = None  # 0-based line of the command in the workflow
    via: list[str] = field(default_factory=list)  # followed make targets / scripts
    test_name: str | None = None  # the name the runner sees (`tests::foo`, `TestC::test_x`)
    caveats: list[str] = field(default_factory=list)
    details: list[Verdict] = field(default_factory=list)  # job level: one per step command
    cited: list[CitedMatch] = field(default_factory=list)
    nearest_job: str | None = None  # job_not_found: the closest job id/name

    @property
    def runs(self) -> bool:
        return self.outcome == RUNS


class VerdictFields(TypedDict, total=False):
    """The `Verdict` fields `runs`, `does_not_run` and `unknown` take by keyword."""

    working_directory: str | None
    workflow: str | None
    job: str | None
    step_index: int | None
    step_line: int | None
    step_name: str | None
    command_line: int | None
    via: list[str]
    test_name: str | None
    caveats: list[str]
    details: list[Verdict]
    cited: list[CitedMatch]
    nearest_job: str | None


def runs(
    clause: str, command: str | None, code: Reason = Reason.RUNS, **kw: Unpack[VerdictFields]
) -> Verdict:
    return Verdict(RUNS, code, f"`{command}` {clause}" if command else clause, clause, command, **kw)


def does_not_run(code: Reason, clause: str, command: str | None, **kw: Unpack[VerdictFields]) -> Verdict:
    return Verdict(DOES_NOT_RUN, code, f"`{command}` {clause}" if command else clause, clause, command, **kw)


def unknown(
    code: Reason,
    reason: str,
    command: str | None = None,
    clause: str | None = None,
    **kw: Unpack[VerdictFields],
) -> Verdict:
    return Verdict(UNKNOWN, code, reason, clause, command, **kw)


def code_list(values: list[str], limit: int = 4) -> str:
    """`a`, `b`, `c` (and 2 more)."""
    shown = ", ".join(f"`{v}`" for v in values[:limit])
    return shown + (f" (and {len(values) - limit} more)" if len(values) > limit else "")
