"""Issue 18, item 8: the pre-commit hooks, run by a real `pre-commit` (PyPI, in the test
extras) from a real `git commit` in a temporary repository.

The hooks are this repository's `.pre-commit-hooks.yaml` as a project would use them, with
`language: system` instead of `python` (pre-commit would otherwise build a virtualenv and
install parity-lsp from the network): the entry, `files:`, `pass_filenames` and
`require_serial` under test are the file's own, and `parity-lsp` is this checkout's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import require
from rulekit import CI_REF, matrix, sources, workspace, write

from parity_lsp import cli

REPO = Path(__file__).resolve().parents[1]
HOOKS = REPO / ".pre-commit-hooks.yaml"
MATRIX = "docs/parity/matrix.md"
LEDGER = "src/ledger.rs"
RECORD = 7  # `pub fn record` in LEDGER_RS (dedented)


def pre_commit() -> str:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    return require(exe, "pre-commit", "pip install -e '.[test]' (it brings pre-commit)")


def rows(test: str = "`src/ledger.rs` (`tests::record_works`)") -> str:
    return matrix(
        [
            {
                "cap": "Ticks recorded once",
                "status": "Implemented",
                "code": f"`{LEDGER}:{RECORD}` (`TickLedger::record`)",
                "tests": test,
                "ci": CI_REF,
            }
        ]
    )


class Repo:
    def __init__(self, root: Path, hook_id: str) -> None:
        self.root = root
        home = root.parent / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(
            "[user]\n\tname = Test\n\temail = t@example.com\n[init]\n\tdefaultBranch = main\n"
            "[commit]\n\tgpgsign = false\n"
        )
        self.env = {
            **os.environ,
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "PRE_COMMIT_HOME": str(root.parent / "pre-commit-cache"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1",
        }
        self.env.pop("PRE_COMMIT", None)
        (hook,) = (h for h in yaml.safe_load(HOOKS.read_text()) if h["id"] == hook_id)
        local = {**hook, "language": "system"}
        local.pop("minimum_pre_commit_version", None)
        config = {"repos": [{"repo": "local", "hooks": [local]}]}
        write(root, {**sources(), MATRIX: rows(), ".parity-lsp.toml": "", "logo.txt": "logo\n"}, dedent=True)
        (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        self.git("init", "-q")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "initial")  # before the hook is installed
        self.run(pre_commit(), "install")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    def git(self, *args: str) -> str:
        proc = self.run("git", *args)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        return self.run("git", "commit", "-m", message)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path):
    return lambda hook_id: Repo(tmp_path / "repo", hook_id)


def test_the_hooks_file_is_what_the_script_writes_and_a_valid_manifest():
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "pre_commit_hooks.py"), "--check", str(HOOKS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout
    proc = subprocess.run(
        [pre_commit(), "validate-manifest", str(HOOKS)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text())}
    assert hooks["parity-lsp"]["entry"] == "parity-lsp check"
    assert hooks["parity-lsp-fix"]["entry"] == "parity-lsp check --fix"
    assert hooks["parity-lsp"]["files"] == hooks["parity-lsp-fix"]["files"]


def test_fix_hook_repairs_a_drifted_line_and_fails_the_commit_until_the_fix_is_staged(repo):
    r = repo("parity-lsp-fix")
    before = r.head()
    # two lines inserted above `record`: the matrix's `:7` drifts (PM304, a safe fix)
    ledger = r.root / LEDGER
    lines = ledger.read_text().split("\n")
    ledger.write_text("\n".join([*lines[:5], "    // one", "    // two", *lines[5:]]))
    r.git("add", LEDGER)
    proc = r.commit("move record")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert r.head() == before  # nothing committed
    assert "files were modified by this hook" in out  # pre-commit's own words
    assert "parity-lsp: files were fixed: review them, `git add` them and commit again" in out
    assert f"{MATRIX}: applied 1 fix" in out
    assert f"`{LEDGER}:{RECORD + 2}` (`TickLedger::record`)" in (r.root / MATRIX).read_text()
    assert r.git("diff", "--name-only").split() == [MATRIX]  # the fix, left for the user to stage
    # staged, the commit goes through
    r.git("add", MATRIX)
    proc = r.commit("move record")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert r.git("show", "--name-only", "--format=", "HEAD").split() == [MATRIX, LEDGER]


def test_fix_hook_fails_the_commit_for_what_no_fix_repairs(repo):
    r = repo("parity-lsp-fix")
    before = r.head()
    (r.root / MATRIX).write_text(rows(test="`src/ledger.rs` (`tests::renamed_away`)"))  # PM305: no safe fix
    r.git("add", MATRIX)
    proc = r.commit("cite a test that does not exist")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert r.head() == before
    assert "PM305 test `tests::renamed_away` is not defined in `src/ledger.rs`" in out
    assert "files were modified by this hook" not in out  # nothing to fix: the matrix is untouched
    assert r.git("diff", "--name-only") == ""


def test_check_hook_reports_and_modifies_nothing(repo):
    r = repo("parity-lsp")
    (r.root / MATRIX).write_text(rows(test="`src/ledger.rs` (`tests::renamed_away`)"))
    r.git("add", MATRIX)
    proc = r.commit("cite a test that does not exist")
    assert proc.returncode == 1 and "PM305" in proc.stdout + proc.stderr
    assert r.git("diff", "--name-only") == ""


def test_hooks_do_not_run_for_files_no_matrix_cites(repo):
    r = repo("parity-lsp-fix")
    (r.root / MATRIX).write_text(rows(test="`src/ledger.rs` (`tests::renamed_away`)"))
    r.git("commit", "-qam", "broken matrix", "--no-verify")
    (r.root / "logo.txt").write_text("new logo\n")
    r.git("add", "logo.txt")
    proc = r.commit("logo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "parity-lsp fix(no files to check)Skipped" in (proc.stdout + proc.stderr).replace(".", "")


# --- the hook's command, in-process ------------------------------------------------------------


def check_fix(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--fix", "--root", str(root), *args])
    return code, out.getvalue(), err.getvalue()


def drifted(tmp_path: Path, test: str = "`src/ledger.rs` (`tests::record_works`)") -> Path:
    root = workspace(tmp_path, {**sources(), MATRIX: rows(test).replace(f":{RECORD}`", ":3`")})
    return root


def test_check_fix_applies_the_safe_fixes_then_reports_what_remains(tmp_path):
    root = drifted(tmp_path, test="`src/ledger.rs` (`tests::renamed_away`)")
    code, out, err = check_fix(root, "--format", "json")
    assert code == 1  # PM305 remains: an error
    assert f"`{LEDGER}:{RECORD}` (`TickLedger::record`)" in (root / MATRIX).read_text()
    assert err.splitlines()[0] == f"{MATRIX}: applied 1 fix"  # progress on stderr: stdout is the report
    assert sorted(d["code"] for d in json.loads(out)["diagnostics"]) == ["PM201", "PM305"]


def test_check_fix_passes_when_the_fixes_leave_nothing(tmp_path):
    root = drifted(tmp_path)
    code, out, err = check_fix(root)
    assert code == 0, out
    assert f"`{LEDGER}:{RECORD}` (`TickLedger::record`)" in (root / MATRIX).read_text()
    assert "git add" not in err  # said under pre-commit only (PRE_COMMIT=1)
    code, out, err = check_fix(root)  # nothing left to fix: nothing written
    assert (code, err) == (0, "")
