"""Every write the CLI makes (issue 16 item 6): regular files atomically (temp + rename, mode
kept), non-regular targets in place (`-o /dev/null` as root replaced the system's /dev/null with
a regular file), `-o -` is stdout, a symlink stays a symlink, nothing blocks on a FIFO it reads."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_cli import GOOD_CODE, GOOD_ROW, HEADER, make_repo, run, user_env

from parity_lsp.fixer import FileChangedError, NotRegularFile, read_regular, read_source, write_atomically


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + GOOD_ROW})


def report_text(repo: Path) -> str:
    proc = run("report", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_report_into_a_fifo_writes_in_place(repo, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:  # blocks until the report opens it for writing
            got.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc = run("report", "-o", str(fifo), cwd=repo)
        thread.join(timeout=30)
    finally:
        if thread.is_alive():  # the FIFO was never opened for writing: let the reader go
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(timeout=5)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a regular file put in its place
    assert got and got[0].decode() == report_text(repo)
    assert proc.stderr.startswith(f"wrote {fifo} (in place): verified parity")
    assert [p.name for p in tmp_path.iterdir()] == ["repo", "pipe"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == [
        "pipe",
        "repo",
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_report_onto_a_character_device_keeps_the_device(repo, tmp_path):
    # a /dev/null of our own (the test never touches the system's: the old code replaced it)
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:  # no CAP_MKNOD in this container
        pytest.skip(f"cannot make a device node: {exc}")
    before = os.lstat(null)
    proc = run("report", "-o", str(null), "--format", "html", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "repo"]  # no temp file left


def test_dash_and_dev_stdout_are_standard_output(repo):
    expected = report_text(repo)
    for target in ("-", "/dev/stdout"):
        proc = run("report", "-o", target, cwd=repo)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == expected
    # through the shell's own redirection of stdout to a file (`/dev/stdout` is that file): appended
    out = repo / "log.txt"
    out.write_text("before\n")
    proc = subprocess.run(
        f"{sys.executable} -m parity_lsp report -o /dev/stdout >> {out}",
        shell=True,
        cwd=repo,
        capture_output=True,
        text=True,
        env=user_env(),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == "before\n" + expected


def test_report_into_a_regular_file_is_atomic_and_keeps_its_mode(repo):
    out = repo / "parity.md"
    out.write_text("old\n")
    os.chmod(out, 0o640)
    inode = out.stat().st_ino
    proc = run("report", "-o", "parity.md", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == report_text(repo)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.stat().st_ino != inode  # a new file renamed into place, not rewritten
    assert not [p for p in repo.iterdir() if p.name.endswith(".tmp")]


def test_report_through_a_symlink_replaces_its_target_and_keeps_the_link(repo, tmp_path):
    target = tmp_path / "published" / "parity.md"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o604)
    link = repo / "parity.md"
    link.symlink_to(target)
    proc = run("report", "-o", "parity.md", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "# Parity report" in target.read_text() and stat.S_IMODE(target.stat().st_mode) == 0o604
    # a dangling link: its target is created, as the shell's `>` would
    target.unlink()
    proc = run("report", "-o", "parity.md", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and "# Parity report" in target.read_text()


@pytest.mark.parametrize(
    "target, why",
    [
        ("docs", "is a directory"),
        ("FULL", "No space left on device"),
        ("missing-dir/out.md", "does not exist"),
        ("/dev/stdin", "standard input is not an output"),
    ],
)
def test_writes_that_cannot_be_done_are_exit_2_with_one_line(repo, tmp_path, target, why):
    if target == "FULL":
        # a full device of our own, never the system's /dev/full: code that renames over its
        # target (the bug) would replace it with a regular file, for every process on the machine
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        target = str(tmp_path / "full")
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except OSError as exc:
            pytest.skip(f"cannot make a device node: {exc}")
    proc = run("report", "-o", target, cwd=repo, input="")
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"parity-lsp: error: -o {target}: ") and why in line, line
    assert "Traceback" not in proc.stderr


def test_init_creates_whole_files_and_leaves_no_temp_file(tmp_path):
    proc = run("init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    created = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert created == [".parity-lsp.toml", "docs/parity/parity-matrix.md"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / ".parity-lsp.toml").stat().st_mode) == 0o666 & ~umask
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


# --- fix: what it reads is a regular file, never a FIFO that would block -------------------------


def test_the_fixer_never_reads_a_fifo(tmp_path):
    fifo = tmp_path / "m.md"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(NotRegularFile):
        read_regular(fifo)
    with pytest.raises(ValueError):
        read_source(fifo)
    # a matrix swapped for a FIFO between the check and the write: refused, the FIFO stays
    with pytest.raises(FileChangedError, match="no longer a regular file"):
        write_atomically(fifo, "new", b"old", bom=False, newline=None)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert time.monotonic() - started < 10  # none of it waited for a writer
