"""Packaging: the wheel installs in a fresh virtualenv and works there; one version everywhere.

The build runs on a copy of the sources (pyproject.toml, README.md, parity_lsp/) so that it leaves
no build/ or *.egg-info behind, and the fresh venv installs the wheel's dependencies from the
package index, as `pip install parity-lsp` / `pipx install parity-lsp` would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import parity_lsp

REPO = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((REPO / "editors" / "demo-expected.json").read_text())


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run([str(c) for c in cmd], **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "parity_lsp", src / "parity_lsp", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    out = tmp_path_factory.mktemp("wheelhouse")
    proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, src])
    assert proc.returncode == 0, proc.stderr
    wheels = list(out.glob("parity_lsp-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with only the wheel (and its dependencies) installed.

    The venv is made without pip, and this pip installs into it (`pip --python`): the same
    resolution and install from the index as the venv's own pip, without bootstrapping a pip
    that nothing here runs (3.5 s of CPU of the 11 s this file took)."""
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    proc = run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    assert proc.returncode == 0, proc.stderr
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    proc = run(
        [sys.executable, "-m", "pip", "--python", bindir / "python"]
        + ["install", "-q", "--disable-pip-version-check", wheel]
    )
    assert proc.returncode == 0, proc.stderr
    return bindir


def test_wheel_name_and_contents(wheel):
    assert wheel.name.startswith(f"parity_lsp-{parity_lsp.__version__}-py3-none-any")
    names = zipfile.ZipFile(wheel).namelist()
    assert "parity_lsp/cli.py" in names
    assert "parity_lsp/py.typed" in names
    assert any(n.startswith("parity_lsp/rules/docs/") and n.endswith(".md") for n in names), (
        "rule docs are package data"
    )
    assert not any(n.startswith(("tests/", "examples/", "editors/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "parity-lsp = parity_lsp.entry:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_checks_the_demo(venv, tmp_path):
    """`parity-lsp check examples/demo-repo` from the fresh venv: exit 1 and the planted defects."""
    proc = run(
        [venv / "parity-lsp", "check", REPO / "examples" / "demo-repo", "--format", "json"], cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    got = sorted((d["line"], d["code"]) for d in report["diagnostics"])
    assert got == sorted((d["line"], d["code"]) for d in EXPECTED["diagnostics"])
    assert {d["path"] for d in report["diagnostics"]} == {EXPECTED["matrix"]}
    # the text format too, and rule docs from the installed package data
    text = run([venv / "parity-lsp", "check", REPO / "examples" / "demo-repo"], cwd=tmp_path)
    assert text.returncode == 1 and "1 matrix, 14 rows: 10 errors, 4 warnings, 2 info" in text.stdout
    rule = run([venv / "parity-lsp", "rule", "PM304"], cwd=tmp_path)
    assert rule.returncode == 0 and rule.stdout.startswith("# PM304 line-drift"), rule.stderr


def test_installed_wheel_runs_from_the_venv_not_the_sources(venv, tmp_path):
    code = "import parity_lsp, sys; print(parity_lsp.__file__)"
    proc = run([venv / "python", "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(venv.parent), proc.stdout


def test_installed_version(venv, tmp_path):
    proc = run([venv / "parity-lsp", "--version"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"parity-lsp {parity_lsp.__version__}"
    proc = run([venv / "python", "-m", "parity_lsp", "--version"], cwd=tmp_path)
    assert proc.stdout.strip() == f"parity-lsp {parity_lsp.__version__}"


def test_installed_server_answers_initialize(venv, tmp_path):
    """`parity-lsp serve` from the wheel speaks LSP (its dependencies came along)."""
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": (REPO / "examples" / "demo-repo").as_uri(),
                "capabilities": {},
            },
        }
    )
    exit_ = json.dumps({"jsonrpc": "2.0", "method": "exit"})
    data = "".join(f"Content-Length: {len(m.encode())}\r\n\r\n{m}" for m in (body, exit_))
    proc = run([venv / "parity-lsp", "serve", "--stdio"], input=data, cwd=tmp_path, timeout=60)
    m = re.search(r"\{.*\"serverInfo\".*", proc.stdout)
    assert m, (proc.stdout, proc.stderr)
    assert (
        f'"version": "{parity_lsp.__version__}"' in proc.stdout
        or f'"version":"{parity_lsp.__version__}"' in proc.stdout
    )


def test_one_version_everywhere():
    """parity_lsp.__version__ is the version; the editor packages and docs follow it."""
    version = parity_lsp.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?\w+)?", version)
    assert 'dynamic = ["version"]' in (REPO / "pyproject.toml").read_text()
    pkg = json.loads((REPO / "editors" / "vscode" / "package.json").read_text())
    assert pkg["version"] == version, "editors/vscode/package.json version must equal parity_lsp.__version__"
    lock = json.loads((REPO / "editors" / "vscode" / "package-lock.json").read_text())
    assert lock["version"] == version and lock["packages"][""]["version"] == version, (
        "run `npm install` in editors/vscode"
    )
    for doc in (REPO / "docs" / "github-actions.md", REPO / "README.md"):
        for pinned in re.findall(r"parity-lsp==([\w.]+)", doc.read_text()):
            assert pinned == version, f"{doc.name} pins parity-lsp=={pinned}"
