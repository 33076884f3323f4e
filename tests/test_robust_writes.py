"""Writes: the server never writes a file (it returns edits); `parity-lsp fix` writes matrices
only, atomically, keeping mode, BOM and line endings, refusing when the file changed since it
was read, and a SIGKILL at any moment leaves either the old or the new file."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import require
from rpc_client import RawClient

from parity_lsp import cli
from parity_lsp.engine import check_paths
from parity_lsp.fixer import plan_fixes
from parity_lsp.workspace.index import Workspace

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-repo"
MATRIX = "docs/parity/dagster-parity-matrix.md"
STRACE = shutil.which("strace")


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root`: (kind, mode, size, mtime_ns, bytes) — symlinks not followed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            data = p.read_bytes() if stat.S_ISREG(st.st_mode) else None
            out[str(p.relative_to(root))] = (
                stat.S_IFMT(st.st_mode),
                stat.S_IMODE(st.st_mode),
                st.st_size,
                st.st_mtime_ns,
                data,
            )
    return out


@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    return root.resolve()


# --- the server never writes ----------------------------------------------------------------------

# Installed in the server process through sitecustomize: every audit event that creates,
# writes, renames or deletes a file is appended to the log (opened before the hook exists).
SITECUSTOMIZE = r"""
import os, sys
_log = os.open(os.environ["PARITY_WRITE_AUDIT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_MEASURING = os.environ.get("PARITY_WRITE_AUDIT_IGNORE")  # `make coverage`: coverage's data files
_EVENTS = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "os.chown", "os.symlink",
           "os.link", "os.utime", "os.mkfifo", "os.mknod", "shutil.copyfile", "shutil.copytree", "shutil.move",
           "shutil.rmtree", "shutil.make_archive", "tempfile.mkstemp", "tempfile.mkdtemp"}
def _hook(event, args):
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITE_FLAGS)
        if not writing or path in ("/dev/null", "/dev/tty") or isinstance(path, int):
            return
    elif event not in _EVENTS:
        return
    if _MEASURING and args and isinstance(args[0], str) and args[0].startswith(_MEASURING):
        return
    os.write(_log, (event + " " + repr(args)[:500] + "\n").encode("utf-8", "replace"))
sys.addaudithook(_hook)
"""


async def exercise_every_feature(c: RawClient, root: Path) -> None:
    """One session through every capability the server has, on the demo workspace."""
    caps = await c.initialize(
        root,
        capabilities={
            "workspace": {
                "configuration": True,
                "didChangeWatchedFiles": {"dynamicRegistration": True},
                "workspaceEdit": {"documentChanges": True},
                "applyEdit": True,
            },
            "textDocument": {
                "synchronization": {"didSave": True},
                "codeAction": {
                    "codeActionLiteralSupport": {
                        "codeActionKind": {"valueSet": ["quickfix", "source", "refactor"]}
                    }
                },
            },
            "window": {"workDoneProgress": True},
        },
    )
    assert caps["capabilities"]["documentFormattingProvider"]
    uri = (root / MATRIX).as_uri()
    text = (root / MATRIX).read_text(encoding="utf-8")
    c.open(uri, text)
    await c.drain()
    await c.wait_diagnostics(uri)
    lines = text.split("\n")
    doc = {"textDocument": {"uri": uri}}
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": len(lines), "character": 0}}
    fmt = {"tabSize": 4, "insertSpaces": True}
    for ln in range(len(lines)):
        for ch in range(0, len(lines[ln]) + 1, 23):
            pos = {**doc, "position": {"line": ln, "character": ch}}
            for method in (
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/declaration",
                "textDocument/completion",
            ):
                c.request_nowait(method, pos)
        c.request_nowait(
            "textDocument/references",
            {**doc, "position": {"line": ln, "character": 20}, "context": {"includeDeclaration": True}},
        )
        c.request_nowait(
            "textDocument/codeAction",
            {
                **doc,
                "range": {"start": {"line": ln, "character": 0}, "end": {"line": ln, "character": 200}},
                "context": {"diagnostics": []},
            },
        )
        await c.drain()
    requests = [
        (
            "textDocument/codeAction",
            {**doc, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll.parityLsp"]}},
        ),
        (
            "textDocument/codeAction",
            {**doc, "range": whole, "context": {"diagnostics": [], "only": ["refactor.rewrite"]}},
        ),
        ("textDocument/formatting", {**doc, "options": fmt}),
        ("textDocument/rangeFormatting", {**doc, "range": whole, "options": fmt}),
        ("textDocument/documentSymbol", doc),
        ("workspace/symbol", {"query": "tick"}),
        ("textDocument/foldingRange", doc),
        ("textDocument/codeLens", doc),
        ("textDocument/documentLink", doc),
        ("textDocument/diagnostic", doc),
        ("workspace/diagnostic", {"previousResultIds": []}),
        (
            "workspace/willRenameFiles",
            {
                "files": [
                    {
                        "oldUri": (root / "crates/flow-core/src/schedule.rs").as_uri(),
                        "newUri": (root / "crates/flow-core/src/sched.rs").as_uri(),
                    },
                    {
                        "oldUri": (root / "crates/flow-core").as_uri(),
                        "newUri": (root / "crates/core").as_uri(),
                    },
                ]
            },
        ),
        ("workspace/executeCommand", {"command": "parityLsp.showReport", "arguments": [{"format": "html"}]}),
        (
            "workspace/executeCommand",
            {"command": "parityLsp.showReport", "arguments": [{"format": "markdown"}]},
        ),
        ("workspace/executeCommand", {"command": "parityLsp.noop", "arguments": []}),
    ]
    for method, params in requests:
        reply = await c.request(method, params, timeout=60)
        assert "error" not in reply or reply["error"]["code"] == -32601, (method, reply)
    # edits, saves, watched-file events and configuration changes
    c.change(uri, 2, text=text.replace("Implemeted", "Implemented"))
    c.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    c.notify(
        "workspace/didChangeWatchedFiles",
        {
            "changes": [
                {"uri": (root / "crates/flow-core/src/schedule.rs").as_uri(), "type": 2},
                {"uri": (root / "crates/flow-core/src/new.rs").as_uri(), "type": 1},
                {"uri": (root / "Cargo.toml").as_uri(), "type": 2},
                {"uri": (root / ".parity-lsp.toml").as_uri(), "type": 2},
            ]
        },
    )
    c.notify("workspace/didChangeConfiguration", {"settings": {"parityLsp": {"ignore": ["PM103"]}}})
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    await c.drain()
    await asyncio.wait_for(asyncio.gather(*c.pending.values(), return_exceptions=True), 120)
    c.open(uri, text, version=5)
    await c.alive(uri)


def _coverage_data_dir() -> str | None:
    """Under `make coverage` (COVERAGE_FILE set), the directory where coverage's subprocess patch
    makes the server save its data: those writes are the measurement's, not the server's."""
    data = os.environ.get("COVERAGE_FILE")
    return str(Path(data).resolve().parent) + os.sep if data else None


def _write_violations(trace: str, ours: Path) -> list[str]:
    """strace lines that create, write, rename or delete a file (except our own audit log, and
    coverage's data files when it measures)."""
    calls = (
        "rename",
        "renameat",
        "renameat2",
        "unlink",
        "unlinkat",
        "mkdir",
        "mkdirat",
        "truncate",
        "ftruncate",
        "rmdir",
    )
    write_flags = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
    harmless = ('"/dev/null"', '"/dev/tty"', f'"{ours}"')
    measuring = _coverage_data_dir()
    bad = []
    for line in trace.splitlines():
        if " = -1 " in line:
            continue  # failed calls changed nothing
        if measuring and f'"{measuring}' in line:
            continue
        changes = any(f" {call}(" in line for call in calls)
        opens_for_writing = (
            "open" in line
            and any(flag in line for flag in write_flags)
            and not any(path in line for path in harmless)
        )
        if changes or opens_for_writing:
            bad.append(line)
    return bad


async def test_the_server_never_writes_a_file(demo, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    audit_log = tmp_path / "writes.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "PARITY_WRITE_AUDIT": str(audit_log),
        "PARITY_WRITE_AUDIT_IGNORE": _coverage_data_dir() or "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = None
    trace = tmp_path / "strace.txt"
    if STRACE:
        command = [
            STRACE,
            "-f",
            "-qq",
            "-o",
            str(trace),
            "-e",
            "trace=open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,ftruncate",
            sys.executable,
            "-m",
            "parity_lsp",
            "serve",
        ]
    before = snapshot(demo)
    async with RawClient.start(demo, command=command, env=env, stderr_path=tmp_path / "stderr.txt") as c:
        await exercise_every_feature(c, demo)
        assert await c.shutdown_and_exit() == 0
    assert audit_log.exists(), "the audit hook was not installed in the server"
    assert audit_log.read_text() == "", f"the server wrote:\n{audit_log.read_text()}"
    assert snapshot(demo) == before
    if STRACE:
        text = trace.read_text(errors="replace")
        assert str(demo / "crates") in text, "strace saw the server's reads"
        assert not _write_violations(text, audit_log), "\n".join(_write_violations(text, audit_log)[:20])


# --- fix: atomic, faithful, refusing stale plans -------------------------------------------------------


def expected_fix(root: Path, rel: str) -> bytes:
    """The bytes `parity-lsp fix` should produce: the engine's safe fixes applied in-process."""
    ws = Workspace(root)
    result = check_paths(ws)
    fixes = [f.fix for f in result.findings if f.fix is not None and f.fix.safe]
    raw = (root / rel).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3 if bom else 0 :].decode("utf-8")
    plan = plan_fixes({rel: text}, fixes)[rel]
    return (b"\xef\xbb\xbf" if bom else b"") + plan.updated.encode("utf-8")


def test_fix_writes_atomically_keeping_mode_bom_and_crlf(demo):
    path = demo / MATRIX
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    want = expected_fix(demo, MATRIX)
    assert want != path.read_bytes(), "the demo matrix has safe fixes"
    proc = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "fix", str(demo)], capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data = path.read_bytes()
    assert data == want
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 10, "every line break is still CRLF"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode, "replaced by rename, not rewritten in place"
    assert not [n for n in os.listdir(path.parent) if n.endswith(".tmp")]
    # only the matrix changed
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        p.name for p in (DEMO / "docs/parity").iterdir()
    )


def test_fix_refuses_when_the_file_changed_since_it_was_read(demo, monkeypatch, capsys):
    import parity_lsp.fixer as fixer

    path = demo / MATRIX
    real_read = fixer.read_source
    edited = b"| edited by someone else |\n"

    def read_then_someone_edits(abs_path):
        src = real_read(abs_path)
        with open(abs_path, "ab") as fh:  # another editor saves between our read and our write
            fh.write(edited)
        return src

    monkeypatch.setattr(fixer, "read_source", read_then_someone_edits)
    before = path.read_bytes()
    code = cli.main(["fix", str(demo)])
    err = capsys.readouterr().err
    assert code == 2
    assert "changed since it was read" in err
    assert path.read_bytes() == before + edited, "the other editor's save is kept"
    assert not [n for n in os.listdir(path.parent) if n.endswith(".tmp")]


def _big_matrix(root: Path) -> Path:
    """A matrix that takes a while to fix: 1 MB of prose and 300 rows with safe fixes."""
    demo_text = (root / MATRIX).read_text(encoding="utf-8")
    header = "\n".join(demo_text.split("\n")[7:9]) + "\n"
    row = demo_text.split("\n")[11] + "\n"  # the `Implemeted` row: a safe PM101 fix
    prose = "".join(f"Paragraph {i}: " + "lorem ipsum dolor sit amet " * 3 + "\n\n" for i in range(12_000))
    path = root / "docs" / "parity" / "big.md"
    path.write_text("# Big\n\n" + prose + "## Table\n\n" + header + row * 300, encoding="utf-8")
    return path


def test_a_kill_at_any_moment_leaves_the_old_or_the_new_file(demo, tmp_path):
    path = _big_matrix(demo)
    os.remove(demo / MATRIX)  # only the big matrix
    os.chmod(path, 0o604)
    original = path.read_bytes()
    command = [sys.executable, "-m", "parity_lsp", "fix", str(demo)]

    # a complete run gives the new version and the time a run takes
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, timeout=120)
    duration = time.monotonic() - start
    assert done.returncode == 0, done.stderr.decode()
    fixed = path.read_bytes()
    assert fixed != original and len(fixed) > 1_000_000

    present = set(os.listdir(path.parent))

    def temps() -> list[str]:
        return [n for n in os.listdir(path.parent) if n not in present]

    rng = random.Random(11)
    outcomes = []
    # moments: random over the whole run, then "as soon as the temp file exists" (mid-write)
    plans = [("random", rng.uniform(0.2, 1.05) * duration) for _ in range(5)] + [("temp file", None)] * 2
    for kind, delay in plans:
        path.write_bytes(original)
        os.chmod(path, 0o604)
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if delay is not None:
            time.sleep(delay)
        else:
            deadline = time.monotonic() + 60
            while proc.poll() is None and not temps() and time.monotonic() < deadline:
                pass  # spin: the temp file lives for milliseconds
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = path.read_bytes()
        left = temps()
        state = "old" if data == original else "new" if data == fixed else "CORRUPT"
        outcomes.append((kind, state, left))
        assert state != "CORRUPT", f"after SIGKILL ({kind}) the matrix is neither the old nor the new file"
        assert stat.S_IMODE(path.stat().st_mode) == 0o604
        # a temp file cannot be cleaned up after SIGKILL: it may stay, but only ever this pattern
        for name in left:
            assert name.startswith(".big.md.") and name.endswith(".parity-lsp.tmp"), left
            os.remove(path.parent / name)
    print("\nSIGKILL outcomes:", outcomes)
    assert any(kind == "temp file" for kind, _, _ in outcomes)


# --- configuration from the repository cannot make git write -------------------------------------------


def test_a_repository_config_cannot_inject_git_options(tmp_path):
    require(shutil.which("git"), "git", "apt-get install -y git")
    root = tmp_path / "repo"
    (root / "docs" / "parity").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (root / ".parity-lsp.toml").write_text(f'changed-since = "--output={victim}"\n')
    (root / "docs" / "parity" / "m.md").write_text(
        "| Capability | Status | Evidence (Code) |\n|---|---|---|\n| a | Planned | `docs/parity/m.md` |\n"
    )
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(
        ["git", "-c", "user.email=a@b", "-c", "user.name=n", "commit", "-qm", "x"],
        cwd=root,
        check=True,
        env=env,
    )
    with open(root / "docs" / "parity" / "m.md", "a") as fh:
        fh.write("| b | Planned | |\n")
    proc = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", str(root)], capture_output=True, timeout=60
    )
    assert victim.read_text() == "precious\n", f"git overwrote {victim} (exit {proc.returncode})"
