"""CI gating (docs/spec/ci.md#gating): does the cited CI job really run the cited test?

Code map (each module reads files only through a `FileSystem` and never raises on bad input):
  shell.py      script text → simple commands with lines; words; `cd` tracking (pure)
  workflows.py  GitHub Actions workflow → jobs, steps, commands with 0-based lines
  commands.py   one command → CargoTest | Pytest | GoTest | MakeRun | ScriptRun | Unknown;
                matching a cited command against a step command (pure; docs/spec/ci.md#matching)
  follow.py     `make TARGET` / `npm run SCRIPT` → the commands they run (one level)
  projects.py   Cargo workspaces and targets, pytest rootdir/ini, Go modules and packages
  testinfo.py   what a runner sees of one test: Rust module path/#[ignore], pytest class/markers,
                Go build constraints (pure)
  run_cargo.py, run_pytest.py, run_go.py   one runner's judgement of one (command, test) pair
  model.py      TestTarget, CiCitation, Verdict (plain data)
  verdict.py    command_runs_test (one command) and verdict (a whole citation)
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
from parity_lsp.workspace.ci.verdict import command_runs_test, match_cited_commands, verdict
from parity_lsp.workspace.ci.workflows import find_job, list_workflows, load_workflow, nearest_job

__all__ = [
    "DOES_NOT_RUN",
    "RUNS",
    "UNKNOWN",
    "CiCitation",
    "CitedMatch",
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
