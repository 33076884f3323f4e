"""CI gating (docs/spec/ci.md#gating): does the cited CI job really run the cited test?

Code map (each module reads files only through a `FileSystem` and never raises on bad input):
  shell.py      script text → simple commands with lines; words; `cd` tracking (pure)
  workflows.py  GitHub Actions workflow → jobs, steps, commands with 0-based lines
  runners/      the test-runner registry: one module per runner (cargo, pytest, go, make, npm,
                other) with its command model, parser, selection key
                (docs/spec/ci.md#matching), and its judge of one (command, test) pair or the
                scripts it runs; `base.py` says what a runner is
  commands.py   one command → wrappers removed, then its runner's model (or `Unknown`);
                matching of a cited command against a step command (pure;
                docs/spec/ci.md#matching)
  follow.py     `make TARGET` / `npm run SCRIPT` → the commands they run (one level);
                Makefile and package.json readers
  projects.py   Cargo workspaces and targets, pytest rootdir/ini, Go modules and packages
  testinfo.py   what a runner sees of one test: Rust module path/#[ignore], pytest class/markers,
                Go build constraints (pure)
  reasons.py    Outcome and Reason: the typed outcome and reason code of every verdict
  model.py      TestTarget, CiCitation, Verdict (plain data)
  verdict.py    command_runs_test (one command, dispatched to its runner) and verdict (a whole
                citation)
  explain.py    Verdict → Markdown for hovers
"""

from parity_lsp.workspace.ci.commands import (
    closest_command,
    command_matches,
    parse_command,
    selection_key,
)
from parity_lsp.workspace.ci.explain import explain, explain_verdict
from parity_lsp.workspace.ci.model import (
    DOES_NOT_RUN,
    RUNS,
    UNKNOWN,
    CiCitation,
    CitedMatch,
    TestTarget,
    Verdict,
)
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test, match_cited_commands, verdict
from parity_lsp.workspace.ci.workflows import find_job, list_workflows, load_workflow, nearest_job

__all__ = [
    "DOES_NOT_RUN",
    "RUNS",
    "UNKNOWN",
    "CiCitation",
    "CitedMatch",
    "Outcome",
    "Reason",
    "TestTarget",
    "Verdict",
    "closest_command",
    "command_matches",
    "command_runs_test",
    "explain",
    "explain_verdict",
    "find_job",
    "list_workflows",
    "load_workflow",
    "match_cited_commands",
    "nearest_job",
    "parse_command",
    "selection_key",
    "verdict",
]
