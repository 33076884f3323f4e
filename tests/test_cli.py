"""The command line as a user meets it: real files, exit codes and output (`cli.main` in this
process: tests/clikit.py), and real processes for what only the console script shows."""

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import clikit
import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-repo"
HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)


def user_env() -> dict:
    """The environment of a user's shell: no colour, and output buffered as usual (this
    machine sets PYTHONUNBUFFERED, which would hide output lost at exit)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONUNBUFFERED", None)
    return env


def run(*args, cwd=None, input=None):
    """`parity-lsp ARGS` in this process (tests/clikit.py); the tests below that need the
    console script's own exit (pipes, closed and full streams) start it as a process."""
    return clikit.run(*args, cwd=cwd, input=input, env=user_env())


def make_repo(tmp_path, files):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / ".parity-lsp.toml").write_text("")
    for rel, content in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content), encoding="utf-8")
    return tmp_path


GOOD_CODE = """\
    /// Doc.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    pub fn other() {}
"""
GOOD_ROW = "| Tick keys | Events | Planned | unit | `src/lib.rs:2` (`tick_key`) | — | — | @team | |\n"


def test_demo_reports_planted_defects_and_exits_1():
    proc = run("check", "--format", "json", cwd=DEMO)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    codes = {d["code"] for d in data["diagnostics"]}
    assert {
        "PM101",
        "PM201",
        "PM202",
        "PM205",
        "PM206",
        "PM207",
        "PM301",
        "PM304",
        "PM305",
        "PM307",
        "PM308",
        "PM402",
    } <= codes
    assert data["root"] == str(DEMO.resolve())
    assert data["files_checked"] == 1
    assert sum(data["summary"].values()) == len(data["diagnostics"])


def test_clean_matrix_exits_0_with_text_summary(tmp_path):
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + GOOD_ROW})
    proc = run("check", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "1 matrix, 1 row: all checks passed\n"


def test_line_past_the_end_is_an_error_with_a_fix(tmp_path):
    row = "| Tick keys | Events | Planned | unit | `src/lib.rs:9` (`tick_key`) | — | — | @team | |\n"
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    proc = run("check", "--format", "json", cwd=root)  # the file has 6 lines
    assert proc.returncode == 1
    (d,) = json.loads(proc.stdout)["diagnostics"]
    assert (d["code"], d["line"], d["column"], d["end_column"]) == ("PM302", 3, 53, 54)
    assert d["fix"]["edits"][0]["content"] == "2"


def test_text_format_is_ruff_like(tmp_path):
    row = "| Tick keys | Events | Implemeted | unit | `src/lib.rs` | — | — | @team | |\n"
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    proc = run("check", "--select", "PM101", cwd=root)
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first == (
        "docs/parity/m.md:3:24: PM101 unknown status `Implemeted`: expected one of Implemented, Partial, "
        "Designed, Planned, Exception (did you mean `Implemented`?)"
    )
    assert "\x1b[" not in proc.stdout  # no colour when not a TTY


def test_select_ignore_and_fail_on(tmp_path):
    row = "| Tick keys | Events | Planned | unit | `src/gone.rs` | — | — | TBD | |\n"
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    both = json.loads(run("check", "--format", "json", cwd=root).stdout)
    assert sorted(d["code"] for d in both["diagnostics"]) == ["PM103", "PM301"]
    # PM301 is a warning on a Planned row, PM103 info: default --fail-on error passes
    assert run("check", cwd=root).returncode == 0
    assert run("check", "--fail-on", "warning", cwd=root).returncode == 1
    assert run("check", "--fail-on", "warning", "--ignore", "PM301", cwd=root).returncode == 0
    assert run("check", "--fail-on", "info", "--ignore", "PM301", cwd=root).returncode == 1
    only = json.loads(run("check", "--format", "json", "--select", "PM1", cwd=root).stdout)
    assert [d["code"] for d in only["diagnostics"]] == ["PM103"]


@pytest.mark.parametrize("fmt", ["sarif", "github", "junit"])
def test_other_formats_run_on_the_demo(fmt):
    proc = run("check", "--format", fmt, cwd=DEMO)
    assert proc.returncode == 1
    if fmt == "sarif":
        sarif = json.loads(proc.stdout)
        assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    elif fmt == "github":
        assert (
            proc.stdout.startswith("::error file=docs/parity/dagster-parity-matrix.md,line=")
            or "::warning" in proc.stdout
        )
    else:
        assert proc.stdout.lstrip().startswith("<?xml") or "<testsuites" in proc.stdout


def test_usage_errors_exit_2_without_traceback(tmp_path):
    for args in (
        ["check", str(tmp_path / "missing.md")],
        ["check", "--select", "XX9"],
        ["rule", "PM999"],
        ["bogus"],
        ["check", "--root", str(tmp_path / "nope")],
        ["check", "--config", str(tmp_path / "none.toml")],
    ):
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_broken_config_is_exit_2_with_the_line(tmp_path):
    root = make_repo(tmp_path, {"docs/parity/m.md": HEADER + GOOD_ROW})
    (root / ".parity-lsp.toml").write_text(
        'statuses = ["Implemented"]\nbogus-key = 1\nseverity = { PM304 = "loud" }\n'
    )
    proc = run("check", cwd=root)
    assert proc.returncode == 2
    assert ".parity-lsp.toml:2: config error: unknown key `bogus-key`" in proc.stderr
    assert ".parity-lsp.toml:3: config error: `severity`" in proc.stderr
    (root / ".parity-lsp.toml").write_text("include = [\n")
    proc = run("check", cwd=root)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr and "Traceback" not in proc.stderr


def test_pyproject_config_section(tmp_path):
    root = make_repo(
        tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + GOOD_ROW.replace("@team", "TBD")}
    )
    (root / ".parity-lsp.toml").unlink()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.parity-lsp]\nignore = ["PM103"]\n')
    data = json.loads(run("check", "--format", "json", cwd=root).stdout)
    assert data["diagnostics"] == []


def test_rule_docs():
    proc = run("rule", "PM304")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# PM304 line-drift")
    assert "## Why is this bad?" in proc.stdout
    listing = run("rule")
    assert listing.returncode == 0 and "PM001  missing-column" in listing.stdout


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"\x00\x01\x02binary\x00", "binary file"),
        (b"| Capability | Status |\n|---|---|\n| \xff\xfe | Planned |\n", "not valid UTF-8"),
    ],
)
def test_unreadable_matrix_is_a_diagnostic(tmp_path, content, needle):
    root = make_repo(tmp_path, {"docs/parity/m.md": content})
    proc = run("check", "--format", "json", cwd=root)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    (d,) = json.loads(proc.stdout)["diagnostics"]
    assert d["code"] == "PM000" and needle in d["message"]


def test_huge_matrix_line_is_rejected_clearly(tmp_path):
    root = make_repo(tmp_path, {})
    big = root / "docs" / "parity" / "m.md"
    big.parent.mkdir(parents=True)
    with open(big, "w") as fh:
        fh.write(HEADER)
        fh.write("| x | y | " + "a" * (50 * 1024 * 1024) + " |\n")
    proc = run("check", "--format", "json", cwd=root)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    (d,) = json.loads(proc.stdout)["diagnostics"]
    assert d["code"] == "PM000" and "larger than" in d["message"]


def test_fix_dry_run_prints_diff_and_writes_nothing(tmp_path):
    row = "| Tick keys | Events | Implemeted | unit | `src/lib.rs:4` (`tick_key`) | — | — | @team | |\n"
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    before = (root / "docs/parity/m.md").read_bytes()
    proc = run("fix", "--dry-run", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "--- a/docs/parity/m.md" in proc.stdout and "+++ b/docs/parity/m.md" in proc.stdout
    assert "-| Tick keys | Events | Implemeted |" in proc.stdout
    assert (root / "docs/parity/m.md").read_bytes() == before


def test_fix_applies_safe_fixes_and_keeps_crlf(tmp_path):
    row = "| Tick keys | Events | Implemeted | unit | `src/lib.rs:6` (`tick_key`) | — | — | @team | |\n"
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE})
    m = root / "docs/parity/m.md"
    m.parent.mkdir(parents=True)
    m.write_bytes((HEADER + row).replace("\n", "\r\n").encode())
    os.chmod(m, 0o640)
    proc = run("fix", cwd=root)
    assert proc.returncode == 0, proc.stderr
    after = m.read_bytes().decode()
    assert "| Implemented |" in after and "`src/lib.rs:2` (`tick_key`)" in after
    assert after.count("\r\n") == 3 and "\n" not in after.replace("\r\n", "")
    assert (m.stat().st_mode & 0o777) == 0o640
    again = json.loads(run("check", "--format", "json", cwd=root).stdout)
    assert [d["code"] for d in again["diagnostics"] if d["code"] in ("PM101", "PM304")] == []


def test_path_argument_limits_the_check(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/lib.rs": GOOD_CODE,
            "docs/parity/a.md": HEADER + "| A | x | Planned | unit | `src/none.rs` | — | — | @t | |\n",
            "docs/parity/b.md": HEADER + "| B | x | Planned | unit | `src/nope.rs` | — | — | @t | |\n",
        },
    )
    data = json.loads(run("check", "--format", "json", "docs/parity/b.md", cwd=root).stdout)
    assert {d["path"] for d in data["diagnostics"]} == {"docs/parity/b.md"}
    assert data["files_checked"] == 1


# --- the command exits without tearing its model down: output must still arrive whole ----------


def _many_rows_repo(tmp_path, rows=400):
    body = "".join(
        f"| Capability {i} | Events | Implemented | unit | `src/missing_{i}.rs` (`f{i}`) | — | — | @team | |\n"
        for i in range(rows)
    )
    return make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + body})


def test_console_script_delivers_all_output_through_a_pipe(tmp_path):
    # more than a pipe's buffer (64 KB) of JSON: every byte is flushed before the fast exit
    root = _many_rows_repo(tmp_path)
    script = Path(sys.executable).parent / "parity-lsp"
    proc = subprocess.run(
        [str(script), "check", "--format", "json"], cwd=root, capture_output=True, timeout=120, env=user_env()
    )
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout) > 65536
    data = json.loads(proc.stdout)
    assert sum(data["summary"].values()) == len(data["diagnostics"]) and len(data["diagnostics"]) >= 400 * 3
    assert proc.stdout == run("check", "--format", "json", cwd=root).stdout.encode()
    assert proc.stderr == b""


@pytest.mark.parametrize("rows, read_first_line", [(400, True), (1, False)])
def test_a_reader_that_goes_away_is_exit_2_with_one_line(tmp_path, rows, read_first_line):
    # `parity-lsp check | head -1` (the pipe closes while the output is written) and `| true`
    # (closed before a short output is flushed): the output was not delivered, so the run
    # did not pass — exit 2 and one line, never a traceback (issue 16 item 8); with findings
    # too: never 0 (`set -o pipefail` in CI)
    root = _many_rows_repo(tmp_path, rows)
    proc = subprocess.Popen(
        [sys.executable, "-m", "parity_lsp", "check"],
        cwd=root,
        env=user_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if read_first_line:
        proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode().splitlines() == [
        (
            "parity-lsp: error: could not write the output to standard output: "
            "the reader closed the pipe before the output was written"
        )
    ]


def _shell(command, cwd):
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=user_env(), timeout=120
    )


@pytest.mark.parametrize("findings", [True, False])
def test_closed_stdout_is_exit_2_with_one_line(tmp_path, findings):
    row = GOOD_ROW.replace("`src/lib.rs:2`", "`src/gone.rs`") if findings else GOOD_ROW
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    # the console script once, started with stdout closed; every command in this process
    if findings:
        proc = _shell(f"{sys.executable} -m parity_lsp check --format text >&-", root)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            "parity-lsp: error: standard output is closed: nothing can be written"
        ]
    for args in (("check", "--format", "text"), ("check", "--format", "json")):
        proc = clikit.run(*args, cwd=root, env=user_env(), stdout_closed=True)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            "parity-lsp: error: standard output is closed: nothing can be written"
        ]
    proc = clikit.run("rule", "PM005", cwd=root, env=user_env(), stdout_closed=True)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr


def full_device(tmp_path):
    """A device that is always full: a node of our own (as root), else the system's /dev/full.
    (Never a path the code under test could rename over: see test_cli_writes.)"""
    own = tmp_path / "full"
    try:
        os.mknod(own, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        return own
    except OSError:
        if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
            pytest.skip("no full device")
        return Path("/dev/full")


@pytest.mark.parametrize("findings", [True, False])
def test_a_full_disk_on_stdout_is_exit_2_with_one_line(tmp_path, findings):
    # `> /dev/full`: said as "internal error ... please report this", and 0 with no findings
    row = GOOD_ROW.replace("| Planned |", "| Plannd |") if findings else GOOD_ROW  # PM101, a safe fix
    full = full_device(tmp_path)
    root = make_repo(tmp_path / "repo", {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + row})
    # the console script once (its output flushed at exit); every command in this process
    if findings:
        proc = _shell(f"{sys.executable} -m parity_lsp check > {full}", root)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            "parity-lsp: error: could not write the output to standard output: no space left on the device"
        ]
    for args in ("check", "check --format json", "report", "fix --dry-run"):
        proc = clikit.run(*args.split(), cwd=root, env=user_env(), stdout_to=full)
        if args == "fix --dry-run" and not findings:
            assert proc.returncode == 0  # nothing to print: nothing lost
            continue
        assert proc.returncode == 2, (args, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if "fix" not in line]  # fix's own summary
        assert lines == [
            "parity-lsp: error: could not write the output to standard output: no space left on the device"
        ], args


def test_fix_applies_every_fix_when_the_reader_of_its_progress_goes_away(tmp_path):
    # `parity-lsp fix | head -1`: the progress lines stop reaching anyone, the fixing must not
    row = "| Tick keys {i} | Events | Implemeted | unit | `src/lib.rs:6` (`tick_key`) | — | — | @team | |\n"
    long = "matrix-with-a-long-name-" * 4  # ~130-byte progress lines: flushed several times during the run
    files = {f"docs/parity/{long}{i:03}.md": HEADER + row.format(i=i) for i in range(300)}
    root = make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, **files})
    proc = subprocess.Popen(
        [sys.executable, "-m", "parity_lsp", "fix"],
        cwd=root,
        env=user_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"applied 600 fixes" in err, err
    unfixed = [rel for rel in files if "| Implemented |" not in (root / rel).read_text()]
    assert unfixed == []


def test_a_long_output_is_written_in_pieces_unchanged(monkeypatch):
    import io

    from parity_lsp import cli

    monkeypatch.setattr(cli, "_WRITE_PIECE", 7)
    text = "ab😀cdé\n" * 11 + "tail"  # pieces end anywhere, astral characters included
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    writes = []
    real_write = stream.write
    monkeypatch.setattr(stream, "write", lambda s: writes.append(s) or real_write(s))
    cli._write_in_pieces(stream, text)
    stream.flush()
    assert stream.buffer.getvalue().decode("utf-8") == text
    assert max(map(len, writes)) <= 7 and len(writes) == -(-len(text) // 7)
