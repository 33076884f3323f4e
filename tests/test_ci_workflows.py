"""Workflow model: jobs, steps and commands with 0-based lines (parity_lsp.workspace.ci.workflows)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from parity_lsp.workspace.ci.shell import split_commands, split_words, with_directories
from parity_lsp.workspace.ci.workflows import (
    find_job,
    list_workflows,
    load_workflow,
    nearest_job,
    parse_workflow,
)
from parity_lsp.workspace.fs import FileSystem


def make_fs(root: Path, files: dict[str, str | bytes]) -> FileSystem:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content).lstrip("\n"))
    return FileSystem(root)


WORKFLOW = """\
name: CI
on: [push]
defaults:
  run:
    working-directory: .
jobs:
  test:
    name: Rust   tests
    runs-on: ubuntu-latest
    strategy:
      matrix:
        crate: [core, cli]
        os: ${{ fromJSON(inputs.oses) }}
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: |
          # a comment is not a command
          cargo test -p ${{ matrix.crate }} \\
            --tests -- --skip slow_
          cat <<EOF > notes.txt
          cargo test --this-is-heredoc-text
          EOF
          echo "a && b; c | d" && cd python/pkg && pytest tests/unit | tee out.txt

          (cd sub && make test); go test ./... || true
      - run: cargo test --doc
      - run: >
          cargo nextest run
          --workspace
      - name: In a directory
        working-directory: python/pkg
        run: pytest -q
  lint:
    runs-on: [self-hosted, linux]
    defaults:
      run:
        working-directory: web
    steps:
      - run: npm test
      - run: echo "${{ matrix.os }}"
"""


def test_jobs_steps_and_lines():
    wf = parse_workflow(WORKFLOW, "ci.yml")
    assert wf.error is None
    assert list(wf.jobs) == ["test", "lint"]
    job = wf.jobs["test"]
    assert (job.line, job.name, job.name_line) == (6, "Rust   tests", 7)
    assert job.runs_on == "ubuntu-latest"
    assert wf.jobs["lint"].runs_on == "self-hosted, linux"
    assert [s.index for s in job.steps] == [1, 2, 3, 4, 5]
    assert [s.line for s in job.steps] == [14, 15, 26, 27, 30]
    assert job.steps[0].uses == "actions/checkout@v4" and job.steps[0].commands == []
    # A block scalar's text starts on the line after `run: |`.
    assert job.steps[1].run_line == 17
    assert job.steps[2].run_line == 26
    assert job.steps[3].run_line == 28  # folded `>`


def test_commands_split_with_lines_and_directories():
    job = parse_workflow(WORKFLOW).jobs["test"]
    got = [(c.text, c.line, c.working_directory) for c in job.steps[1].commands]
    assert got == [
        ("cargo test -p core --tests -- --skip slow_", 18, ""),
        ("cargo test -p cli --tests -- --skip slow_", 18, ""),
        ("cat <<EOF > notes.txt", 20, ""),
        ('echo "a && b; c | d"', 23, ""),
        ("cd python/pkg", 23, ""),
        ("pytest tests/unit", 23, "python/pkg"),
        ("tee out.txt", 23, "python/pkg"),
        ("cd sub", 25, "python/pkg"),
        ("make test", 25, "python/pkg/sub"),  # inside the subshell
        ("go test ./...", 25, "python/pkg"),  # the subshell's cd is forgotten
        ("true", 25, "python/pkg"),
    ]


def test_folded_and_single_line_runs():
    job = parse_workflow(WORKFLOW).jobs["test"]
    assert [(c.text, c.line) for c in job.steps[2].commands] == [("cargo test --doc", 26)]
    assert [(c.text, c.line) for c in job.steps[3].commands] == [("cargo nextest run --workspace", 28)]
    step = job.steps[4]
    assert step.working_directory == "python/pkg"
    assert [(c.text, c.working_directory) for c in step.commands] == [("pytest -q", "python/pkg")]


def test_job_defaults_working_directory():
    lint = parse_workflow(WORKFLOW).jobs["lint"]
    assert lint.working_directory == "web"
    assert lint.steps[0].commands[0].working_directory == "web"


def test_matrix_expansion_and_expressions():
    job = parse_workflow(WORKFLOW).jobs["test"]
    assert job.matrix == {"crate": ["core", "cli"]}  # `os` is an expression, not a literal list
    first, second = job.steps[1].commands[:2]
    assert first.matrix_values == {"crate": "core"} and second.matrix_values == {"crate": "cli"}
    assert first.template == "cargo test -p ${{ matrix.crate }} --tests -- --skip slow_"
    assert not first.has_expression
    echo = parse_workflow(WORKFLOW).jobs["lint"].steps[1].commands[0]
    assert echo.has_expression and echo.text == 'echo "${{ matrix.os }}"'


def test_matrix_include_adds_values():
    wf = parse_workflow(
        textwrap.dedent(
            """
            jobs:
              t:
                strategy:
                  matrix:
                    pkg: [a]
                    include:
                      - pkg: b
                steps:
                  - run: cargo test -p ${{ matrix.pkg }}
            """
        )
    )
    assert [c.text for c in wf.jobs["t"].commands] == ["cargo test -p a", "cargo test -p b"]


def test_expression_in_working_directory_is_unknown():
    wf = parse_workflow(
        "jobs:\n  t:\n    steps:\n      - working-directory: ${{ inputs.dir }}\n        run: pytest\n"
    )
    assert wf.jobs["t"].commands[0].working_directory is None


def test_anchors_and_merge_keys():
    wf = parse_workflow(
        textwrap.dedent(
            """
            x-defaults: &defaults
              runs-on: ubuntu-latest
              defaults:
                run:
                  working-directory: py
            jobs:
              a:
                <<: *defaults
                steps:
                  - run: pytest
            """
        )
    )
    job = wf.jobs["a"]
    assert job.runs_on == "ubuntu-latest" and job.commands[0].working_directory == "py"


def test_crlf_workflow():
    wf = parse_workflow(
        "jobs:\r\n  t:\r\n    steps:\r\n      - run: |\r\n          a\r\n          b && c\r\n"
    )
    assert [(c.text, c.line) for c in wf.jobs["t"].commands] == [("a", 4), ("b", 5), ("c", 5)]


@pytest.mark.parametrize(
    "text, needle, line",
    [
        ("jobs:\n  a: [\n", "invalid YAML", 2),
        ("jobs:\n  a:\n    steps:\n  - run: x\n   bad: : :\n", "invalid YAML", None),
        ("- just\n- a list\n", "not a mapping", 0),
        ("name: x\non: push\n", "no `jobs:`", 0),
        ("", "not a mapping", 0),
        ("\x00\x01 garbage", "invalid YAML", None),
        ("a: 1\n---\nb: 2\n", "invalid YAML", None),
    ],
)
def test_broken_yaml_gives_an_error_model(text, needle, line):
    wf = parse_workflow(text, "w.yml")
    assert wf.error is not None and needle in wf.error
    assert wf.jobs == {}
    if line is not None:
        assert wf.error_line == line


def test_load_workflow_missing_binary_and_cache(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs:\n  a:\n    steps:\n      - run: pytest\n",
            ".github/workflows/bin.yml": b"\x00\x01\x02",
        },
    )
    missing = load_workflow(fs, ".github/workflows/nope.yml")
    assert missing.missing and "does not exist" in missing.error
    binary = load_workflow(fs, ".github/workflows/bin.yml")
    assert binary.error and not binary.missing
    first = load_workflow(fs, ".github/workflows/ci.yml")
    assert load_workflow(fs, ".github/workflows/ci.yml") is first  # cached by content version
    fs.set_overlay(".github/workflows/ci.yml", "jobs:\n  b:\n    steps: []\n", 2)
    assert list(load_workflow(fs, ".github/workflows/ci.yml").jobs) == ["b"]


def test_list_workflows(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs: {}\n",
            ".github/workflows/nightly.yaml": "jobs: {}\n",
            ".github/workflows/README.md": "x",
            ".github/workflows/sub/x.yml": "jobs: {}\n",
        },
    )
    assert list_workflows(fs) == [".github/workflows/ci.yml", ".github/workflows/nightly.yaml"]
    assert list_workflows(FileSystem(tmp_path / "empty-nonexistent")) == []


def test_find_job_by_id_and_name():
    wf = parse_workflow(
        textwrap.dedent(
            """
            jobs:
              test:
                name: Rust   Tests
                steps: []
              py:
                name: Python (${{ matrix.os }})
                steps: []
            """
        )
    )
    assert find_job(wf, "test").id == "test"
    assert find_job(wf, "TEST").id == "test"
    assert find_job(wf, "rust tests").id == "test"  # name: case-insensitive, whitespace folded
    assert find_job(wf, "Python (ubuntu-latest)").id == "py"  # expressions match anything
    assert find_job(wf, "docs") is None
    assert nearest_job(wf, "tset") == "test"
    assert nearest_job(wf, "Rust test") == "test"  # the id of the job whose name is closest
    assert nearest_job(wf, "zzzzzz") is None


# --- the shell splitter the workflow model relies on ----------------------------------------


def test_split_commands_operators_quotes_and_heredocs():
    script = textwrap.dedent(
        """\
        set -euo pipefail
        if [ -f x ]; then cargo test; fi
        for c in a b; do pytest "$c"; done
        foo 2>&1 | grep 'x | y' &
        python - <<'PY'
        print("not a command")
        PY
        echo done # trailing comment
        a \\
          b \\
          c
        """
    )
    got = [(c.text, c.line) for c in split_commands(script)]
    assert got == [
        ("set -euo pipefail", 0),
        ("[ -f x ]", 1),
        ("cargo test", 1),
        ('pytest "$c"', 2),
        ("foo 2>&1", 3),
        ("grep 'x | y'", 3),
        ("python - <<'PY'", 4),
        ("echo done", 7),
        ("a b c", 8),
    ]


def test_split_commands_is_tolerant():
    assert split_commands("") == []
    assert [c.text for c in split_commands("echo 'unterminated && x")] == ["echo 'unterminated && x"]
    assert [c.text for c in split_commands("echo $(date && true) && ls")] == ["echo $(date && true)", "ls"]
    assert [c.text for c in split_commands("cat <<EOF\nno end")] == ["cat <<EOF"]


def test_split_words_and_directories():
    words = split_words("""pytest -k "not slow" '$HOME' "$X" ${{ matrix.a }} a\\ b""")
    assert [(w.value, w.dynamic) for w in words] == [
        ("pytest", False),
        ("-k", False),
        ("not slow", False),
        ("$HOME", False),
        ("$X", True),
        ("${{ matrix.a }}", True),
        ("a b", False),
    ]
    cmds = split_commands("cd a\npushd b\nx\npopd\ncd $GITHUB_WORKSPACE/c\ny\ncd $SOMEWHERE\nz\ncd ../..")
    dirs = [(c.text, d) for c, d in with_directories(cmds, "")]
    assert dirs[2] == ("x", "a/b")
    assert dirs[5] == ("y", "c")
    assert dirs[7] == ("z", None)
