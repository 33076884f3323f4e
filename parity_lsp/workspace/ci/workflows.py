"""GitHub Actions workflows → jobs, steps and the commands their `run:` scripts execute.

Invariant: reads only through a `FileSystem`; never raises on bad input (a workflow that
cannot be read is a `Workflow` with `error` set). Lines are 0-based. PyYAML's composer keeps
a start mark on every node, which is where job, step and command lines come from.
"""

from __future__ import annotations

import itertools
import logging
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import yaml

from parity_lsp.similarity import closest
from parity_lsp.workspace.ci.shell import join_dir, split_commands, with_directories
from parity_lsp.workspace.fs import FileSystem, normalize_rel

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_log = logging.getLogger("parity_lsp.workspace")

WORKFLOW_DIR = ".github/workflows"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)  # what `_expression_split` splits on (quadratic as a regex)
_MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_\-]+)\s*\}\}")
MAX_MATRIX_EXPANSION = 64  # more combinations than this is not a literal list worth expanding


@dataclass(slots=True, eq=False)
class Command:
    text: str  # whitespace-folded single command (matrix values substituted)
    line: int  # 0-based line in the workflow file where the command starts
    # The step, held weakly: the step lists its commands, and that cycle would leave a replaced
    # workflow model to the cyclic GC, which the server keeps off long-lived objects.
    step_ref: weakref.ref[Step] = field(repr=False)
    index: int = 0  # position among the step's commands (before matrix expansion)
    working_directory: str | None = ""  # where it runs after job/step defaults and `cd`; None: unknown
    template: str | None = None  # text before matrix expansion, when expanded
    matrix_values: dict[str, str] = field(default_factory=dict)
    position: int = 0  # index in its job's `commands`

    @property
    def step(self) -> Step:
        step = self.step_ref()
        if step is None:  # the command outlived its workflow model
            raise ReferenceError(f"the step of `{self.text}` was freed with its workflow model")
        return step

    @property
    def has_expression(self) -> bool:
        """True when a `${{ … }}` the model could not resolve remains in the text."""
        return "${{" in self.text


@dataclass(slots=True, eq=False, weakref_slot=True)
class Step:
    index: int  # 1-based, as GitHub shows it
    line: int  # line of the `- ` item
    name: str | None = None
    id: str | None = None
    uses: str | None = None
    run: str | None = None
    run_line: int | None = None  # first line of the script text
    shell: str | None = None
    working_directory: str | None = None  # effective: step, else job/workflow defaults
    continue_on_error: bool = False
    condition: str | None = None  # `if:`
    commands: list[Command] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or (self.run or self.uses or f"step {self.index}").strip().splitlines()[0]


@dataclass(slots=True, eq=False)
class Job:
    id: str
    line: int  # line of the job id key
    name: str | None = None
    name_line: int | None = None
    steps: list[Step] = field(default_factory=list)
    working_directory: str | None = None  # defaults.run.working-directory (job, else workflow)
    matrix: dict[str, list[str]] = field(default_factory=dict)  # literal strategy.matrix lists
    runs_on: str | None = None
    uses: str | None = None  # reusable workflow call: the job has no steps of its own
    continue_on_error: bool = False
    condition: str | None = None
    _commands: list[Command] | None = field(default=None, repr=False)
    # derived data of consumers, of several kinds (a loaded job is not changed)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def commands(self) -> list[Command]:
        """Every step's commands, in order (computed once: a loaded workflow is not changed)."""
        if self._commands is None:
            self._commands = [c for step in self.steps for c in step.commands]
            for i, c in enumerate(self._commands):
                c.position = i
        return self._commands


@dataclass(slots=True, eq=False)
class Workflow:
    path: str
    jobs: dict[str, Job] = field(default_factory=dict)
    name: str | None = None
    error: str | None = None  # why the file cannot be read or understood
    error_line: int | None = None
    missing: bool = False  # the file does not exist (as opposed to: exists but is broken)

    @property
    def ok(self) -> bool:
        return self.error is None


# --- YAML node helpers ----------------------------------------------------------------------


def _items(node: yaml.Node | None) -> list[tuple[str, yaml.ScalarNode, yaml.Node]]:
    """(key, key_node, value_node) of a mapping node, merge keys (`<<: *x`) resolved."""
    if not isinstance(node, yaml.MappingNode):
        return []
    own: list[tuple[str, yaml.ScalarNode, yaml.Node]] = []
    merged: list[tuple[str, yaml.ScalarNode, yaml.Node]] = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.tag == "tag:yaml.org,2002:merge" or key.value == "<<":
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for src in sources:
                merged.extend(_items(src))
            continue
        own.append((key.value, key, value))
    keys = {k for k, _, _ in own}
    return [m for m in merged if m[0] not in keys] + own


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    for k, _, v in _items(node):
        if k == key:
            return v
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    value: str = node.value  # the composer gives every scalar node its text
    return value


def _path(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = _get(node, key)
        if node is None:
            return None
    return node


def _truthy(node: yaml.Node | None) -> bool:
    return (_scalar(node) or "").strip().lower() in ("true", "yes", "on")


# --- loading --------------------------------------------------------------------------------

_cache: weakref.WeakKeyDictionary[FileSystem, dict[str, tuple[object, Workflow]]] = (
    weakref.WeakKeyDictionary()
)


def load_workflow(fs: FileSystem, rel_path: str) -> Workflow:
    """The workflow at `rel_path`; cached by the file's content version."""
    path = normalize_rel(rel_path) or rel_path
    hit = _cache.get(fs, {}).get(path)
    if hit is not None and hit[0] is not None and hit[0] == fs.version(path):
        return hit[1]  # unchanged: a stat, no read
    read = fs.read_text(path)
    if read.text is None:
        missing = not fs.exists(path)
        return Workflow(path, error=f"`{path}` {read.error or 'cannot be read'}", missing=missing)
    per_fs = _cache.setdefault(fs, {})
    hit = per_fs.get(path)
    if hit is not None and read.version is not None and hit[0] == read.version:
        return hit[1]
    wf = parse_workflow(read.text, path)
    if read.version is not None:
        per_fs[path] = (read.version, wf)
    return wf


def parse_workflow(text: str, path: str = "") -> Workflow:
    """Parse workflow YAML text. Never raises."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line if mark is not None else None
        where = f" (line {line + 1})" if line is not None else ""
        return Workflow(path, error=f"invalid YAML{where}: {problem}", error_line=line)
    except (ValueError, RecursionError) as exc:  # C loader: lone surrogates; Python loader: deep nesting
        return Workflow(path, error=f"invalid YAML: {exc}")
    if not isinstance(root, yaml.MappingNode):
        return Workflow(path, error="not a workflow: the document is not a mapping", error_line=0)
    try:
        return _build(root, path, text.replace("\r\n", "\n").split("\n"))
    except RecursionError as exc:  # merge keys that merge their own mapping: `&a {<<: *a}`
        return Workflow(path, error=f"cannot be understood: {exc}")
    except Exception as exc:  # noqa: BLE001 - a model bug is the workflow's error (and logged)
        _log.warning("building the model of workflow %s failed", path, exc_info=True)
        return Workflow(path, error=f"cannot be understood: {exc}")


def _build(root: yaml.MappingNode, path: str, src: list[str]) -> Workflow:
    wf = Workflow(path, name=_scalar(_get(root, "name")))
    jobs_node = _get(root, "jobs")
    if not isinstance(jobs_node, yaml.MappingNode):
        wf.error = "not a workflow: no `jobs:` mapping"
        wf.error_line = 0
        return wf
    wf_dir = _scalar(_path(root, "defaults", "run", "working-directory"))
    for job_id, key_node, job_node in _items(jobs_node):
        wf.jobs[job_id] = _build_job(job_id, key_node, job_node, wf_dir, src)
    return wf


def _build_job(
    job_id: str, key_node: yaml.ScalarNode, node: yaml.Node, wf_dir: str | None, src: list[str]
) -> Job:
    name_node = _get(node, "name")
    runs_on = _get(node, "runs-on")
    job = Job(
        id=job_id,
        line=key_node.start_mark.line,
        name=_scalar(name_node),
        name_line=name_node.start_mark.line if name_node is not None else None,
        working_directory=_scalar(_path(node, "defaults", "run", "working-directory")) or wf_dir,
        matrix=_literal_matrix(_path(node, "strategy", "matrix")),
        runs_on=_scalar(runs_on) if runs_on is not None else None,
        uses=_scalar(_get(node, "uses")),
        continue_on_error=_truthy(_get(node, "continue-on-error")),
        condition=_scalar(_get(node, "if")),
    )
    if isinstance(runs_on, yaml.SequenceNode):
        job.runs_on = ", ".join(v for v in (_scalar(x) for x in runs_on.value) if v)
    steps = _get(node, "steps")
    if isinstance(steps, yaml.SequenceNode):
        for i, step_node in enumerate(steps.value, start=1):
            job.steps.append(_build_step(i, step_node, job, src))
    return job


def _literal_matrix(node: yaml.Node | None) -> dict[str, list[str]]:
    """strategy.matrix keys whose values are literal scalar lists (plus `include` additions)."""
    out: dict[str, list[str]] = {}
    dynamic: set[str] = set()
    for key, _, value in _items(node):
        if key in ("include", "exclude"):
            continue
        vals = [_scalar(v) for v in value.value] if isinstance(value, yaml.SequenceNode) else []
        literal = [v for v in vals if v is not None and "${{" not in v]
        if vals and len(literal) == len(vals):
            out[key] = literal
        else:
            dynamic.add(key)
    include = _get(node, "include")
    seen: dict[str, set[str]] = {}  # the values of `out`, for membership
    if isinstance(include, yaml.SequenceNode):
        for entry in include.value:  # each entry may add a value (a job) for a key
            for key, _, value in _items(entry):
                v = _scalar(value)
                if v is None or "${{" in v or key in dynamic:
                    continue
                values = out.setdefault(key, [])
                known = seen.get(key)
                if known is None:
                    known = seen[key] = set(values)
                if v not in known:  # not `v in values`: 100,000 include entries
                    known.add(v)
                    values.append(v)
    return out


def _build_step(index: int, node: yaml.Node, job: Job, src: list[str]) -> Step:
    line = node.start_mark.line
    step = Step(index=index, line=line)
    if not isinstance(node, yaml.MappingNode):
        return step
    # The `- ` sits on the line of the first key; a mapping's start mark is that key.
    step.name = _scalar(_get(node, "name"))
    step.id = _scalar(_get(node, "id"))
    step.uses = _scalar(_get(node, "uses"))
    step.shell = _scalar(_get(node, "shell"))
    step.condition = _scalar(_get(node, "if"))
    step.continue_on_error = _truthy(_get(node, "continue-on-error"))
    step.working_directory = _scalar(_get(node, "working-directory")) or job.working_directory
    run_node = _get(node, "run")
    if isinstance(run_node, yaml.ScalarNode):
        step.run = run_node.value
        step.run_line = run_node.start_mark.line + (1 if run_node.style in ("|", ">") else 0)
        step.commands = _commands(step, run_node, job, src)
    return step


def _directory(value: str | None) -> str | None:
    """A `working-directory:` value as a workspace-relative directory; None when unknowable."""
    if not value:
        return ""
    return join_dir("", value.strip())


def _commands(step: Step, run_node: yaml.ScalarNode, job: Job, src: list[str]) -> list[Command]:
    text: str = run_node.value
    base_line = step.run_line or 0
    literal = run_node.style == "|"
    lines = src[base_line : run_node.end_mark.line + 1] if not literal else []
    cwd = _directory(step.working_directory)
    out: list[Command] = []
    for index, (sc, where) in enumerate(with_directories(split_commands(text), cwd)):
        if literal:
            line = base_line + sc.line
        else:  # folded or flow scalars: find the first word in the source lines
            line = _locate(sc.text, lines, base_line)
        for expanded, values in _expand_matrix(sc.text, job.matrix):
            out.append(
                Command(
                    text=expanded,
                    line=line,
                    step_ref=weakref.ref(step),
                    index=index,
                    working_directory=where,
                    template=sc.text if values else None,
                    matrix_values=values,
                )
            )
    return out


def _locate(text: str, lines: list[str], base: int) -> int:
    """Line of a command from a folded scalar: the first source line holding its first word."""
    first = text.split(" ", 1)[0]
    for i, src in enumerate(lines):
        if first and first in src:
            return base + i
    return base


def _expand_matrix(text: str, matrix: dict[str, list[str]]) -> list[tuple[str, dict[str, str]]]:
    """One text per combination of the literal matrix values the text refers to."""
    keys = [k for k in dict.fromkeys(m.group(1) for m in _MATRIX_REF.finditer(text)) if k in matrix]
    if not keys:
        return [(text, {})]
    combos = list(itertools.islice(itertools.product(*(matrix[k] for k in keys)), MAX_MATRIX_EXPANSION + 1))
    if len(combos) > MAX_MATRIX_EXPANSION:
        return [(text, {})]
    return [_substitute(text, dict(zip(keys, combo, strict=False))) for combo in combos]


def _substitute(text: str, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """`text` with the `${{ matrix.x }}` it holds replaced by `values` (folded), and `values`."""
    expanded = _MATRIX_REF.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return " ".join(expanded.split()), values


# --- queries --------------------------------------------------------------------------------


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _expression_split(text: str) -> list[str]:
    """`EXPRESSION.split(text)`: the text around each `${{ … }}`. The regex reads to the end of
    the text for every `${{` that is never closed (quadratic); here one `${{` without a `}}`
    after it ends the search."""
    parts: list[str] = []
    last = 0
    while True:
        start = text.find("${{", last)
        if start < 0:
            break
        end = text.find("}}", start + 3)
        if end < 0:
            break
        parts.append(text[last:start])
        last = end + 2
    parts.append(text[last:])
    return parts


def _name_matches(name: str, want: str) -> bool:
    """Does the job name `name`, with its `${{ … }}` parts matching anything
    (`Test (${{ matrix.os }})`), match `want` (folded) whole? The literal parts in order: the
    first at the start, the last at the end, each other one at its leftmost place after the
    previous one (as good as any other place), so no backtracking (the regex this replaces,
    `part.*part.*…\\Z`, took 13 s for ten parts)."""
    parts = _expression_split(fold(name))
    if len(parts) == 1:  # no closed expression: the name itself
        return want == parts[0]
    first, *middle, last = parts
    if not want.startswith(first) or not want.endswith(last) or len(first) + len(last) > len(want):
        return False
    pos = len(first)
    end = len(want) - len(last)
    for part in middle:
        found = want.find(part, pos, end)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def find_job(workflow: Workflow, ref: str) -> Job | None:
    """The job whose id or `name:` is `ref` (case-insensitive, whitespace folded)."""
    if ref in workflow.jobs:
        return workflow.jobs[ref]
    want = fold(ref.strip().strip("`"))
    for job in workflow.jobs.values():
        if fold(job.id) == want:
            return job
    for job in workflow.jobs.values():
        if job.name and fold(job.name) == want:
            return job
    for job in workflow.jobs.values():
        if job.name and "${{" in job.name and _name_matches(job.name, want):
            return job
    return None


def nearest_job(workflow: Workflow, ref: str) -> str | None:
    """The id of the job whose id or `name:` is closest to `ref`: the id, as the workflow writes
    it (what a citation should say, and what messages list as the workflow's jobs)."""
    candidates: dict[str, str] = {}
    for job in workflow.jobs.values():
        candidates.setdefault(fold(job.id), job.id)
        if job.name:
            candidates.setdefault(fold(job.name), job.id)
    match = closest(fold(ref), candidates, cutoff=0.5)
    return candidates[match] if match is not None else None


def list_workflows(fs: FileSystem) -> list[str]:
    """Workspace-relative paths of `.github/workflows/*.yml|yaml`."""
    return [
        f"{WORKFLOW_DIR}/{name}"
        for name, is_dir in fs.list_dir(WORKFLOW_DIR)
        if not is_dir and name.endswith((".yml", ".yaml"))
    ]
