"""The editor snippets, the pre-commit hook and the GitHub Actions example are valid and do what
they say: configs parse and name the server as it is started, the hook's `files:` pattern picks
matrices and cited files, and the workflow's `parity-lsp` steps run on the demo as documented.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVE = ["serve", "--stdio"]


def fenced(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_helix_languages_toml():
    data = tomllib.loads((REPO / "editors" / "helix" / "languages.toml").read_text())
    server = data["language-server"]["parity-lsp"]
    assert [server["command"], *server["args"]] == ["parity-lsp", *SERVE]
    assert server["config"] == {"parityLsp": {}}
    langs = {lang["name"]: lang for lang in data["language"]}
    assert set(langs) == {"markdown", "csv", "tsv"}
    for lang in langs.values():
        assert "parity-lsp" in lang["language-servers"]
        assert lang["roots"] == [".parity-lsp.toml", "pyproject.toml", ".git"]


def test_nvim_lsp_config_file_shape():
    text = (REPO / "editors" / "nvim" / "lsp" / "parity_lsp.lua").read_text()
    assert "cmd = { 'parity-lsp', 'serve', '--stdio' }" in text
    assert "filetypes = { 'markdown', 'csv', 'tsv' }" in text
    assert "{ '.parity-lsp.toml', 'pyproject.toml', '.git' }" in text


def test_emacs_snippet_registers_the_server():
    text = (REPO / "editors" / "emacs" / "parity-lsp.el").read_text()
    assert '\'("parity-lsp" "serve" "--stdio")' in text
    assert "eglot-server-programs" in text and "(provide 'parity-lsp)" in text
    assert text.count("(") == text.count(")")


def test_pre_commit_hook():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    check, fix = hooks  # tests/test_pre_commit.py runs both through a real pre-commit
    assert (check["id"], check["entry"]) == ("parity-lsp", "parity-lsp check")
    assert (fix["id"], fix["entry"]) == ("parity-lsp-fix", "parity-lsp check --fix")
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
    assert check["files"] == fix["files"]
    files = re.compile(check["files"])
    for path in (
        "docs/parity/dagster-parity-matrix.md",
        "docs/parity/x-parity.csv",
        "m.tsv",
        "crates/flow-core/src/schedule.rs",
        "python/arco_cli/tests/unit/test_runs.py",
        "pkg/x_test.go",
        "web/src/a.test.ts",
        ".github/workflows/ci.yml",
        "sub/.github/workflows/a.yaml",
        ".parity-lsp.toml",
        "pyproject.toml",
        "Cargo.toml",
    ):
        assert files.search(path), path
    for path in ("logo.png", "data.bin", ".github/dependabot.yml", "Makefile"):
        assert not files.search(path), path


def workflow() -> dict:
    (block,) = fenced((REPO / "docs" / "github-actions.md").read_text(), "yaml")[:1]
    return yaml.safe_load(block)


def test_github_actions_example_shape():
    wf = workflow()
    assert wf["permissions"]["security-events"] == "write"
    steps = wf["jobs"]["parity"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()"
    runs = [s["run"] for s in steps if "run" in s]
    assert any("--format github" in r for r in runs)
    sarif_file = upload["with"]["sarif_file"]
    assert any(f"--format sarif > {sarif_file}" in r for r in runs)


def test_github_actions_steps_run_on_the_demo(tmp_path):
    """The workflow's parity-lsp steps, run with bash -e as GitHub runs them, in a copy of the demo."""
    root = tmp_path / "demo-repo"
    shutil.copytree(REPO / "examples" / "demo-repo", root)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    results = {}
    for step in workflow()["jobs"]["parity"]["steps"]:
        if "run" in step and step["run"].startswith("parity-lsp"):
            proc = subprocess.run(
                ["bash", "-e", "-c", step["run"]],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            results[step["name"]] = proc
    sarif_step, gate_step = results.values()
    assert sarif_step.returncode == 0, sarif_step.stderr  # findings are not a failure of this step
    sarif = json.loads((root / "parity-lsp.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results_ = sarif["runs"][0]["results"]
    assert len(results_) == 16
    uri = results_[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "docs/parity/dagster-parity-matrix.md"
    assert gate_step.returncode == 1  # the gate fails on the planted errors
    assert "::error file=docs/parity/dagster-parity-matrix.md,line=12,col=41," in gate_step.stdout


def test_readme_documents_every_editor_and_ci():
    readme = (REPO / "README.md").read_text()
    editors = readme.split("\n## Editors\n", 1)[1].split("\n## ", 1)[0]
    for title in ("VS Code", "Neovim", "Helix", "Emacs", "Sublime Text", "Zed"):
        assert re.search(rf"^### {title}", editors, re.M), title
    ci = readme.split("\n## Continuous integration\n", 1)[1].split("\n## ", 1)[0]
    assert "pre-commit" in ci and "--format github" in ci and "upload-sarif" in ci
    # every repository path the sections mention exists
    assert "`docs/github-actions.md`" in ci
    for rel in re.findall(r"`(editors/[\w./-]+)`", editors + ci):
        assert (REPO / rel).exists(), rel
    # JSON snippets (VS Code settings, Sublime LSP) parse
    for block in fenced(editors, "json"):
        json.loads(block)
    for block in fenced(editors, "toml"):
        tomllib.loads(block)
