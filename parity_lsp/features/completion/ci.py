"""The CI reference's parenthesis: `(job `id`: `command` + `command`)` — the workflow's jobs,
then the chosen job's `run:` commands (as the CI model reads them)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parity_lsp.features.completion.cursor import Prefix, Request
from parity_lsp.features.completion.items import EVENT, TEXT, Completion
from parity_lsp.model import Reference
from parity_lsp.text import Span
from parity_lsp.workspace.index import resolve_reference_path

if TYPE_CHECKING:
    from parity_lsp.workspace.ci.workflows import Job, Step, Workflow

_JOB_ID = re.compile(r"^\s*(?:jobs?\s+)?$", re.I)
_JOB_WORD = re.compile(r"^\s*(?:j|jo|job|jobs)?$", re.I)
_BARE_JOB = re.compile(r"^\s*jobs?\s+([\w.-]*)$", re.I)
_AFTER_JOB = re.compile(r"^\s*(?:jobs?\s+)?`?([\w.-]+)`?\s*:\s*(?P<rest>.*)$", re.I | re.S)
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
_LINES = re.compile(r"(?<!\\)\n")


def in_parenthesis(req: Request, ref: Reference, inner_start: int, st: Prefix) -> list[Completion]:
    from parity_lsp.workspace.ci.workflows import find_job, load_workflow

    rel = resolve_reference_path(ref.path, None, req.ws.fs)
    if rel is None:
        return []
    wf = load_workflow(req.ws.fs, rel)
    if not wf.ok or not wf.jobs:
        return []
    # the open code span's content, if it starts inside the parenthesis (None: not in code)
    code_start = st.code_start if st.code_start is not None and st.code_start > inner_start else None
    before = req.pre[inner_start : (code_start - st.code_run) if code_start is not None else len(req.pre)]
    if code_start is not None and _JOB_ID.match(before):
        return jobs(req, wf, req.span(code_start), wrap=False, closed=req.code_closed(st))
    if code_start is None:
        m = _BARE_JOB.match(before)
        if m:
            return jobs(req, wf, req.span(len(req.pre) - len(m.group(1))), wrap=True, closed=True)
        if _JOB_WORD.match(before):
            word = before.strip()
            return jobs(req, wf, req.span(len(req.pre) - len(word)), wrap=True, closed=True, keyword=True)
    m = _AFTER_JOB.match(before)
    if m is None:
        return []
    job = find_job(wf, m.group(1))
    if job is None:
        return []
    rest = m.group("rest")
    if code_start is not None:
        return commands(req, job, req.span(code_start), wrap=False, closed=req.code_closed(st))
    if not rest.strip() or rest.rstrip().endswith("+"):
        return commands(req, job, req.span(len(req.pre)), wrap=True, closed=True)
    return []


def jobs(
    req: Request, wf: Workflow, span: Span, wrap: bool, closed: bool, keyword: bool = False
) -> list[Completion]:
    out: list[Completion] = []
    for i, job in enumerate(sorted(wf.jobs.values(), key=lambda j: j.line)):
        if keyword:
            label, insert, filt = f"job {job.id}", f"job `{req.escape(job.id)}`: ", f"job {job.id}"
        else:
            label, insert, filt = job.id, req.wrapped(job.id, wrap, closed), job.id
        cmds = list(dict.fromkeys(c.text for c in job.commands))
        doc = f"`{wf.path}`, line {job.line + 1}"
        if cmds:
            doc += "\n\n```sh\n" + "\n".join(cmds[:20]) + "\n```"
        out.append(
            Completion(
                label,
                insert,
                span,
                EVENT,
                detail=job.name or None,
                documentation=doc,
                sort_text=f"{i:05d}",
                filter_text=filt,
            )
        )
    return out


def commands(req: Request, job: Job, span: Span, wrap: bool, closed: bool) -> list[Completion]:
    """The job's `run:` commands: each script line as written (a pipeline or `&&` chain whole),
    then the simple commands the CI model splits it into (matrix values substituted)."""
    out: list[Completion] = []
    seen: set[str] = set()

    def add(text: str, step: Step, line: int) -> None:
        if not text or text in seen:
            return
        seen.add(text)
        where = step.name or f"step {step.index}"
        out.append(
            Completion(
                text,
                req.wrapped(text, wrap, closed),
                span,
                TEXT,
                detail=f"job {job.id} · {where}, line {line + 1}",
                sort_text=f"{len(out):05d}",
                filter_text=text,
            )
        )

    for step in job.steps:
        base = step.run_line if step.run_line is not None else step.line
        for k, line in _script_lines(step.run or ""):
            if "${{" not in line:
                add(line, step, base + k)
        for cmd in step.commands:
            add(cmd.text, step, cmd.line)
    return out


def _script_lines(script: str) -> list[tuple[int, str]]:
    """Logical lines of a `run:` script (`\\` continuations joined, comments skipped), folded."""
    out = []
    line_no = 0
    for chunk in _LINES.split(script.replace("\r\n", "\n")):
        folded = " ".join(_CONTINUATION.sub(" ", chunk).replace("\\\n", " ").split())
        if folded and not folded.startswith("#"):
            out.append((line_no, folded))
        line_no += chunk.count("\n") + 1
    return out
