"""Human (Markdown) explanation of a CI verdict, for hovers and reports.

Invariant: formats a `Verdict`; the only IO is the verdict computation itself (`explain`).
Lines are shown 1-based, as editors and GitHub show them.
"""

from __future__ import annotations

from parity_lsp.workspace.ci.model import DOES_NOT_RUN, RUNS, CiCitation, TestTarget, Verdict
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import verdict as compute_verdict
from parity_lsp.workspace.fs import FileSystem

MAX_OTHER_STEPS = 5
_MARKS = {Outcome.RUNS: "runs", Outcome.DOES_NOT_RUN: "does not run", Outcome.UNKNOWN: "unknown"}


def explain(fs: FileSystem, test: TestTarget, ci: CiCitation) -> str:
    """ "run by job `test`, step 9 (line 212): `cargo test -p core --tests` — matches `test_foo`"."""
    return explain_verdict(compute_verdict(fs, test, ci))


def _where(v: Verdict) -> str:
    parts = []
    if v.step_index is not None:
        line = v.command_line if v.command_line is not None else v.step_line
        parts.append(f"step {v.step_index}" + (f" (line {line + 1})" if line is not None else ""))
    return ", ".join(parts)


def _job(v: Verdict) -> str:
    return f"job `{v.job}`" if v.job else "the workflow"


def _suffix(v: Verdict) -> str:
    out = f" (in `{v.working_directory}`)" if v.working_directory else ""
    if v.via:
        out += " via " + " → ".join(v.via)
    return out


def explain_verdict(v: Verdict) -> str:
    where = _where(v)
    head_where = f"{_job(v)}, {where}" if where else _job(v)
    if v.outcome == RUNS:
        match = f" — matches `{v.test_name}`" if v.test_name else ""
        text = f"**runs**: run by {head_where}: `{v.command}`{_suffix(v)}{match}"
    elif v.outcome == DOES_NOT_RUN:
        if v.command and v.clause:
            text = f"**not run**: {head_where} runs `{v.command}`{_suffix(v)}, which {v.clause}"
        else:
            text = f"**not run**: {v.reason}"
    else:
        text = f"**unknown**: {v.reason}" + (f" ({head_where})" if where else "")
    lines = [text]
    lines += [f"- note: {c}" for c in v.caveats]
    for m in v.cited:
        if not m.matched:
            closest = f"; closest step command: `{m.closest}`" if m.closest else ""
            lines.append(f"- cited `{m.cited}` is not a command of {_job(v)}{closest}")
    others = [d for d in v.details if d.command != v.command and d.code != Reason.NOT_A_TEST_COMMAND]
    for d in others[:MAX_OTHER_STEPS]:
        mark = _MARKS[d.outcome]
        lines.append(f"- {_where(d)}: `{d.command}` — {mark}: {d.clause or d.reason}")
    return "\n".join(lines)
