"""Staged diagnostics (issue 19): the editor gets a matrix's syntactic findings first, the rest
when computed. In process, at the `Analysis` level: whatever the edits and however far the
semantic stage got, what is known is a subset of the complete findings of the same text, and
the complete findings equal `parity-lsp check`'s."""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.analysis import Analysis
from parity_lsp.engine import check_paths
from parity_lsp.rules import registry
from parity_lsp.rules.base import STAGES
from parity_lsp.text import LineIndex

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"


def _repos() -> dict[str, tuple[Path, str]]:
    """Every matrix of every example repository (a directory of examples/ added later is covered
    too), and the realistic fixture's."""
    repos = {"realistic": (HERE / "fixtures" / "realistic", "docs/parity/matrix.md")}
    for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        analysis = Analysis(example)
        for rel in analysis.matrix_paths():
            state = analysis.check(rel)
            if state is not None and any(table.rows for table in state.matrix.tables):
                repos[f"{example.name}:{rel}"] = (example, rel)
    assert any(key.startswith("demo-repo:") for key in repos), "the demo repository's matrix"
    return repos


REPOS = _repos()


def keys(findings) -> set[tuple]:
    return {(f.code, f.span.start, f.span.end, f.message, f.severity) for f in findings}


@pytest.fixture(scope="module", params=sorted(REPOS))
def repo(request, tmp_path_factory) -> tuple[Path, str]:
    src, rel = REPOS[request.param]
    dest = tmp_path_factory.mktemp(request.param.replace("/", "_").replace(":", "_")) / "repo"
    shutil.copytree(src, dest)
    return dest, rel


_COMPLETE: dict[tuple[Path, str], set[tuple]] = {}


def complete_findings(root: Path, rel: str, text: str) -> set[tuple]:
    """The complete findings of `text` as the matrix at `rel`: a fresh analysis, unstaged."""
    key = (root, text)
    if key not in _COMPLETE:
        analysis = Analysis(root)
        analysis.open_document(rel, text, 0)
        _COMPLETE[key] = keys(analysis.findings(rel))
    return _COMPLETE[key]


def step(coro: Coroutine[Any, Any, bool], n: int) -> bool | None:
    """Drive `Analysis.complete_in_steps` by hand, `n` of its steps (a row each with a zero step
    length); its result when it finished, else None."""
    for _ in range(n):
        try:
            coro.send(None)
        except StopIteration as done:
            return bool(done.value)
    return None


# --- what a random edit does to a matrix row ---------------------------------------------------

_CITED_LINE = re.compile(r"(\.\w+)[:#]L?(\d+)")
_SYMBOL = re.compile(r"\(`([\w:]+)`")


def random_edit(rnd: random.Random, text: str) -> str:
    """A row of the matrix changed the way a user edits evidence: a status, a cited line, a
    symbol or test renamed, a path broken, a job renamed; or a row duplicated or removed (a
    full check of the matrix)."""
    lines = text.split("\n")
    rows = [
        i
        for i, line in enumerate(lines)
        if line.startswith("| ") and "---" not in line and "Capability" not in line
    ]
    i = rnd.choice(rows)
    line = lines[i]
    kind = rnd.randrange(8)
    if kind == 0:
        line = re.sub(
            r"\| (Implemented|Partial|Planned|Designed|Implemeted) \|",
            lambda m: "| " + rnd.choice(["Implemented", "Partial", "Planned", "Implmented"]) + " |",
            line,
            count=1,
        )
    elif kind == 1:
        line = _CITED_LINE.sub(lambda m: f"{m.group(1)}:{rnd.randrange(1, 120)}", line, count=1)
    elif kind == 2:
        line = _SYMBOL.sub(lambda m: f"(`{m.group(1)}_v2`", line, count=1)
    elif kind == 3:
        line = line.replace(".rs`", "_old.rs`", 1)
    elif kind == 4:
        line = line.replace("(job `", "(job `x", 1)
    elif kind == 5:
        lines.insert(i, line)  # a duplicated row: a full check
    elif kind == 6 and len(rows) > 3:
        del lines[i]
        return "\n".join(lines)
    else:
        line = line.replace("--tests", "--lib", 1)
    lines[i] = line
    return "\n".join(lines)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.lists(st.integers(0, 4), min_size=4, max_size=8))
def test_each_stage_is_a_subset_of_the_final_and_the_final_is_check(repo, seed, steps):
    root, rel = repo
    rnd = random.Random(seed)
    text = (root / rel).read_text(encoding="utf-8")
    analysis = Analysis(root)
    analysis.open_document(rel, text, 0)
    first = keys(analysis.findings(rel, staged=True))
    assert not analysis.is_complete(rel), "a matrix's first check is staged"
    assert first <= complete_findings(root, rel, text)
    for version, n in enumerate(steps, 1):
        # the semantic stage runs a few rows, then the user edits a row
        coro = analysis.complete_in_steps(rel, step_seconds=0)
        finished = step(coro, n)
        if finished is None:
            coro.close()
        known = keys(analysis.findings(rel, staged=True))
        assert known <= complete_findings(root, rel, text)
        text = random_edit(rnd, text)
        analysis.open_document(rel, text, version)
        known = keys(analysis.findings(rel, staged=True))
        assert known <= complete_findings(root, rel, text)
    final = keys(analysis.findings(rel))  # unstaged: completed now
    assert analysis.is_complete(rel)
    assert final == complete_findings(root, rel, text)
    # and the complete findings are `parity-lsp check`'s for that text (the engine's one-shot
    # check of the workspace, with the text as the matrix's content)
    cli = Analysis(root)
    cli.open_document(rel, text, 0)
    assert keys(f for f in check_paths(cli.ws).findings if f.path == rel) == final


def test_the_first_stage_has_the_syntactic_findings_and_the_second_the_rest(repo):
    root, rel = repo
    analysis = Analysis(root)
    first = analysis.findings(rel, staged=True)
    stage = {code: info.stage for code, info in registry.RULES.items()}
    assert {f.code for f in first} <= {c for c, s in stage.items() if s == "syntactic"} | {"PM000"}
    final = analysis.findings(rel)
    later = keys(final) - keys(first)
    assert all(stage[code] == "semantic" for code, *_ in later)
    if rel == "docs/parity/dagster-parity-matrix.md":
        assert later, "the demo matrix has findings of both stages"


def test_every_rule_names_its_stage():
    """One field per rule (`RuleInfo.stage`); structure, vocabulary, missing paths, workflows
    and jobs first (what the peer class of servers reports), symbols, drift, tests, CI verdicts
    and proof levels after."""
    stages = {code: info.stage for code, info in registry.RULES.items()}
    assert set(stages.values()) <= set(STAGES)
    for code in ("PM001", "PM002", "PM003", "PM101", "PM102", "PM301", "PM401", "PM402"):
        assert stages[code] == "syntactic", code
    for code in ("PM201", "PM203", "PM204", "PM303", "PM304", "PM305", "PM308", "PM403"):
        assert stages[code] == "semantic", code


def test_an_edit_after_the_first_check_is_one_complete_check(repo):
    root, rel = repo
    analysis = Analysis(root)
    analysis.findings(rel)  # complete
    text = (root / rel).read_text(encoding="utf-8")
    edited = random_edit(random.Random(7), text)
    analysis.open_document(rel, edited, 1)
    analysis.findings(rel, staged=True)
    assert analysis.is_complete(rel)


def test_an_edit_during_the_semantic_stage_checks_its_row_syntactically_and_leaves_the_rest_for_later(repo):
    """An edit does not wait for the first semantic checks of the workspace: the edited row gets
    its syntactic findings at once and is completed with the other pending rows."""
    root, rel = repo
    analysis = Analysis(root)
    text = (root / rel).read_text(encoding="utf-8")
    analysis.open_document(rel, text, 0)
    analysis.findings(rel, staged=True)
    state = analysis.states[rel]
    line = sorted(state.pending)[len(state.pending) // 2]
    analysis._complete_rows(state, [line], analysis._resolver())  # the background reached it
    assert line not in state.pending
    lines = text.split("\n")
    lines[line] = lines[line] + " "
    edited = "\n".join(lines)
    analysis.open_document(rel, edited, 1)
    known = keys(analysis.findings(rel, staged=True))
    assert analysis.states[rel] is state and state.row_checks == 1, "an incremental row check"
    assert line in state.pending, "the edited row is checked again for its semantic rules later"
    assert known <= complete_findings(root, rel, edited)
    assert keys(analysis.findings(rel)) == complete_findings(root, rel, edited)


def test_the_staged_then_completed_findings_are_the_check_commands(repo, capsys):
    """What the editor ends with, after its staged first check, is what `parity-lsp check
    --format json` prints for the matrix: codes, positions, messages and severities."""
    from parity_lsp import cli

    root, rel = repo
    analysis = Analysis(root)
    analysis.open_document(rel, (root / rel).read_text(encoding="utf-8"), 0)
    first = analysis.findings(rel, staged=True)
    final = analysis.findings(rel)
    capsys.readouterr()
    assert cli.main(["check", str(root / rel), "--root", str(root), "--format", "json"]) in (0, 1)
    printed = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["path"] == rel]
    index = LineIndex((root / rel).read_text(encoding="utf-8"))

    def as_check(f) -> tuple:
        line, col = index.position(f.span.start)
        return (f.code, line + 1, col + 1, f.message, f.severity.label)

    cli_keys = sorted((d["code"], d["line"], d["column"], d["message"], d["severity"]) for d in printed)
    assert sorted(map(as_check, final)) == cli_keys
    assert set(map(as_check, first)) <= set(cli_keys)
