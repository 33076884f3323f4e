"""Containment: evidence can never make the CLI or the server open anything outside the root,
nor any non-regular file inside it (FIFOs, devices), nor hang on one.

A canary file is planted outside the workspace root, and a matrix cites it in every way we
know: absolute paths, `..`, Markdown links, symlinked files and directories, symlink loops,
`/proc/self/environ`, `/dev/zero`, a FIFO and a character device inside the root, CI
workflows and Cargo manifests that are symlinks out. Opens are audited in-process
(`sys.addaudithook`: "open", "os.listdir", "os.scandir") while the engine and the editor
features run, and with `strace` on the real CLI and server processes when it is available.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require
from rpc_client import RawClient

from parity_lsp.analysis import Analysis
from parity_lsp.config import load_config
from parity_lsp.engine import check_paths
from parity_lsp.features.completion import complete
from parity_lsp.features.hover import hover
from parity_lsp.features.links import document_links
from parity_lsp.features.navigate import definition
from parity_lsp.workspace.index import Workspace

CANARY_TOKEN = "CANARY-7f3e-never-read"
HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)
STRACE = shutil.which("strace")


# --- the audit hook (installed once per process; records only while active) ----------------------

_AUDIT: dict = {"active": False, "events": []}


def _hook(event: str, args: tuple) -> None:
    if _AUDIT["active"] and event in ("open", "os.listdir", "os.scandir", "os.mkfifo", "os.mknod"):
        _AUDIT["events"].append((event, args))


_INSTALLED = False


@contextlib.contextmanager
def deadline(seconds: float):
    """Fail (instead of hanging the suite) if the body blocks, e.g. opening a FIFO: SIGALRM
    interrupts a blocking open() in the main thread and the handler's exception ends it."""

    def expired(signum, frame):
        raise TimeoutError(f"blocked for more than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def audited():
    """Collect audit events of this thread and every other for the duration."""
    global _INSTALLED
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED = True
    _AUDIT["events"] = []
    _AUDIT["active"] = True
    try:
        yield _AUDIT["events"]
    finally:
        _AUDIT["active"] = False


def event_path(args: tuple) -> str | None:
    path = args[0] if args else None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return path if isinstance(path, str) else None  # an int is an fd (scandir of an fd)


# --- the planted workspace --------------------------------------------------------------------------


def plant(tmp_path: Path) -> dict:
    """A workspace whose evidence points outside in every way, and the canary outside it."""
    base = tmp_path.resolve()
    outside = base / "outside"
    (outside / "dir").mkdir(parents=True)
    canary = outside / "canary.rs"
    canary.write_text(f"// {CANARY_TOKEN}\nfn canary_secret() {{}}\n#[test]\nfn canary_test() {{}}\n")
    (outside / "dir" / "x.rs").write_text(f"// {CANARY_TOKEN}\nfn x() {{}}\n")
    (outside / "dir" / "ci.yml").write_text(
        f"# {CANARY_TOKEN}\njobs:\n  t:\n    steps:\n      - run: cargo test\n"
    )
    (outside / "Cargo.toml").write_text(f'# {CANARY_TOKEN}\n[package]\nname = "evil"\n')
    (outside / "exceptions.md").write_text(f"{CANARY_TOKEN} EX-1\n")
    (outside / "outside-parity.md").write_text(
        HEADER + f"| {CANARY_TOKEN} | x | Planned | unit | | | | @me | |\n"
    )

    root = base / "ws"
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "docs" / "parity").mkdir(parents=True)
    (root / "docs" / "audits").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "crates" / "evil" / "src").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "src" / "a.rs").write_text("fn real() {}\n")
    (root / "tests" / "test_a.py").write_text("def test_real():\n    pass\n")
    (root / "crates" / "evil" / "src" / "lib.rs").write_text("fn lib() {}\n")
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: pytest tests/test_a.py\n"
    )

    links = {
        "link_file.rs": canary,  # absolute target
        "src/rel_link.rs": Path("../../outside/canary.rs"),  # relative target
        "link_dir": outside / "dir",
        "src/link_dir_rel": Path("../../outside/dir"),
        "loop_a": Path("loop_b"),
        "loop_b": Path("loop_a"),
        "self_loop": Path("self_loop"),
        "proc_link": Path("/proc/self/environ"),
        "zero_link.rs": Path("/dev/zero"),
        ".github/workflows/out.yml": outside / "dir" / "ci.yml",
        "crates/evil/Cargo.toml": outside / "Cargo.toml",
        "docs/audits/exceptions.md": outside / "exceptions.md",  # matches the exceptions-doc glob
        "docs/parity/linked-parity.md": outside / "outside-parity.md",  # a "matrix" that is a link out
    }
    for rel, target in links.items():
        os.symlink(target, root / rel)

    fifos = [
        "fifo.rs",
        "tests/fifo_test.py",
        ".github/workflows/fifo.yml",
        "docs/parity/fifo-parity.md",
        "fifo_dir.rs",
    ]
    for rel in fifos:
        os.mkfifo(root / rel)
    devices = []
    try:
        os.mknod(root / "dev_zero.rs", 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # a copy of /dev/zero
        devices.append("dev_zero.rs")
    except (PermissionError, OSError):
        pass  # not root (or no CAP_MKNOD): the FIFOs and /dev links still cover non-regular files

    a = str(canary)
    rows = [
        (
            "Absolute path",
            f"`{a}` (`canary_secret`)<br>`{a}:2`<br>[abs]({a}#L2)",
            f"`{a}` (`canary_test`)",
            f"`{outside}/dir/ci.yml` (job `t`: `cargo test`)",
        ),
        (
            "Dot-dot",
            "`../outside/canary.rs:2` (`canary_secret`)<br>`src/../../outside/canary.rs`<br>[up](../../../outside/canary.rs#L2)",
            "`tests/../../outside/canary.rs` (`canary_test`)",
            "`../outside/dir/ci.yml` (job `t`: `cargo test`)",
        ),
        (
            "Symlinked file",
            "`link_file.rs` (`canary_secret`)<br>`src/rel_link.rs:2` (`canary_secret`)<br>[l](../../link_file.rs#L2)",
            "`link_file.rs` (`canary_test`)",
            "`.github/workflows/out.yml` (job `t`: `cargo test`)",
        ),
        (
            "Symlinked directory",
            "`link_dir/x.rs` (`x`)<br>`link_dir/`<br>`src/link_dir_rel/x.rs:2` (`x`)<br>`link_dir`",
            "`link_dir/x.rs` (`x`)",
            "`link_dir/ci.yml` (job `t`: `cargo test`)",
        ),
        (
            "Symlink loops",
            "`loop_a` (`x`)<br>`loop_a/x.rs:1`<br>`self_loop/x.rs` (`x`)<br>`self_loop`",
            "`loop_b` (`t`)",
            "`loop_a/ci.yml` (job `t`: `cargo test`)",
        ),
        (
            "Proc and dev",
            "`/proc/self/environ` (`x`)<br>`proc_link` (`x`)<br>`/dev/zero:1`<br>`zero_link.rs:1` (`x`)<br>`/dev/stdin`",
            "`/proc/self/environ` (`test_x`)",
            "`/proc/self/environ` (job `t`: `cargo test`)",
        ),
        (
            "FIFO and device",
            "`fifo.rs` (`f`)<br>`fifo.rs:1`<br>`dev_zero.rs:1` (`f`)<br>`fifo_dir.rs/`",
            "`tests/fifo_test.py` (`test_f`)<br>`dev_zero.rs` (`t`)",
            "`.github/workflows/fifo.yml` (job `t`: `cargo test -p evil`)",
        ),
        (
            "Cargo manifest link",
            "`crates/evil/src/lib.rs` (`lib`)",
            "`crates/evil/src/lib.rs` (`tests::t`)",
            "`.github/workflows/ci.yml` (job `t`: `cargo test -p evil --lib`)",
        ),
        (
            "Proper row",
            "`src/a.rs:1` (`real`)",
            "`tests/test_a.py` (`test_real`)",
            "`.github/workflows/ci.yml` (job `t`: `pytest tests/test_a.py`)",
        ),
    ]
    body = "".join(
        f"| {name} | x | Implemented | unit | {code} | {tests} | {ci} | @me | EX-1 |\n"
        for name, code, tests, ci in rows
    )
    body += "| Exception row | x | Exception | unit | | | | @me | See [ex](../audits/exceptions.md) EX-1 |\n"
    matrix = root / "docs" / "parity" / "m.md"
    matrix.write_text(
        "# Matrix\n\nGoverned by `../../outside/canary.rs` and `link_file.rs`.\n\n" + HEADER + body
    )
    csv = root / "docs" / "parity" / "m-parity.csv"
    csv.write_text(
        "Capability,Status,Evidence (Code),Evidence (Tests),Evidence (CI),Owner\n"
        f"CSV row,Implemented,`{a}` (`canary_secret`),`link_file.rs` (`canary_test`),`../outside/dir/ci.yml` (job `t`: `x`),@me\n"
    )
    return {
        "root": root,
        "outside": outside,
        "canary": canary,
        "matrix": "docs/parity/m.md",
        "special": [root / f for f in fifos + devices],
        "rows": [r[0] for r in rows],
    }


_CITED_SYSTEM = re.compile(r"^(?:/proc/(?:self|thread-self|\d+)/(?:environ|fd/0)|/dev/zero|/dev/stdin)$")


def outside_root(paths: list[str], planted: dict) -> list[str]:
    """Paths (as the process named them) that reach outside the root: the canary's directory or
    the system files the matrix cites (/proc/self/environ, /dev/zero, /dev/stdin), directly or
    through a symlink."""
    outside = str(planted["outside"])
    bad = []
    for p in paths:
        for x in (os.path.realpath(p), os.path.normpath(p)):
            if x == outside or x.startswith(outside + os.sep) or _CITED_SYSTEM.match(x):
                bad.append(p)
                break
    return bad


def special_files(paths: list[str], planted: dict) -> list[str]:
    """Paths that are one of the FIFOs or devices planted inside the root."""
    special = {str(p) for p in planted["special"]}
    return [p for p in paths if os.path.realpath(p) in special or os.path.normpath(p) in special]


def reference_offsets(text: str) -> list[int]:
    """Every offset inside a table row: hover/definition/completion are asked everywhere."""
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("|") or "Governed" in line:
            out.extend(range(pos, pos + len(line.rstrip("\n")) + 1))
        pos += len(line)
    return out


@pytest.fixture
def planted(tmp_path):
    return plant(tmp_path)


# --- in-process audit -------------------------------------------------------------------------------------


def run_engine_and_features(planted: dict) -> tuple[list[str], object]:
    """Paths opened (audit hook) while the engine and the editor features run everywhere."""
    root = planted["root"]
    config, problems, _ = load_config(root)
    assert not problems
    text = (root / planted["matrix"]).read_text()
    with deadline(120), audited() as events:
        ws = Workspace(root, config)
        result = check_paths(ws)
        analysis = Analysis(root)
        analysis.check_all()
        matrix = analysis.states[planted["matrix"]].matrix
        findings = analysis.findings(planted["matrix"])
        for offset in reference_offsets(text):
            hover(analysis.ws, matrix, offset, findings)
            definition(analysis.ws, matrix, offset)
            complete(analysis.ws, planted["matrix"], text, offset, [matrix])
        document_links(matrix, analysis.ws.fs)
    opened = [p for e, a in events if (p := event_path(a)) is not None]
    assert opened, "the audit hook saw nothing: it is not working"
    assert str(root / "src" / "a.rs") in opened, "the proper row's file is read"
    return opened, result


def test_engine_and_editor_features_never_open_outside_the_root(planted):
    opened, result = run_engine_and_features(planted)
    bad = outside_root(opened, planted)
    assert not bad, f"opened outside the root: {sorted(set(bad))}"
    assert not any(CANARY_TOKEN in (f.message or "") for f in result.findings)
    # the rows that cite outside are told so (PM306), and no rule crashed
    codes = {f.code for f in result.findings}
    assert "PM306" in codes
    assert not [f for f in result.findings if f.code == "PM000" and "internal error" in f.message]


def test_engine_and_editor_features_never_open_fifos_or_devices(planted):
    opened, _ = run_engine_and_features(planted)
    bad = special_files(opened, planted)
    assert not bad, f"opened non-regular files: {sorted(set(bad))}"


def test_cli_check_and_fix_never_open_the_canary(planted, tmp_path):
    """The real CLI, under `strace -f` when available (git included), else under the audit hook."""
    root = planted["root"]
    require(STRACE, "strace", "apt-get install -y strace (.ci/run does)")
    for args in (["check", "--format", "json"], ["fix", "--dry-run"], ["report", "--format", "json"]):
        trace = tmp_path / f"strace-{args[0]}.txt"
        proc = subprocess.run(
            [
                STRACE,
                "-f",
                "-qq",
                "-e",
                "trace=open,openat,openat2,execve",
                "-o",
                str(trace),
                sys.executable,
                "-m",
                "parity_lsp",
                *args,
                str(root),
            ],
            capture_output=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")[-2000:]
        assert CANARY_TOKEN.encode() not in proc.stdout
        opened = strace_opens(trace.read_text(errors="replace"))
        assert any(p == str(root / "src" / "a.rs") for p, _ in opened), "strace saw the workspace reads"
        bad = outside_root([p for p, _ in opened], planted)
        assert not bad, f"`parity-lsp {args[0]}` opened {sorted(set(bad))}"
        assert str(planted["canary"]) not in trace.read_text(errors="replace")


_OPEN_LINE = re.compile(
    r'^\d+\s+(?:open|openat|openat2)\((?:AT_FDCWD|\d+[^,]*), "((?:[^"\\]|\\.)*)", ([^)]*?)\)\s+=\s+(-?\d+)'
)


def strace_opens(trace: str) -> list[tuple[str, str]]:
    """(path, flags) of every open call that succeeded, from `strace -f` output."""
    out = []
    for line in trace.splitlines():
        m = _OPEN_LINE.match(line)
        if m and int(m.group(3)) >= 0:
            out.append((m.group(1), m.group(2)))
    return out


def test_cli_check_with_git_never_opens_the_canary(planted, tmp_path):
    """Same, in a git checkout: the file list comes from `git ls-files` (run with hooks and
    fsmonitor disabled), and strace follows git too."""
    require(STRACE, "strace", "apt-get install -y strace (.ci/run does)")
    require(shutil.which("git"), "git", "apt-get install -y git")
    root = planted["root"]
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env, timeout=30)
    trace = tmp_path / "strace-git.txt"
    proc = subprocess.run(
        [
            STRACE,
            "-f",
            "-qq",
            "-e",
            "trace=open,openat,openat2,execve",
            "-o",
            str(trace),
            sys.executable,
            "-m",
            "parity_lsp",
            "check",
            "--format",
            "json",
            str(root),
        ],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")[-2000:]
    assert re.search(
        r'execve\("[^"]*/git", \["git", "-c", "core.fsmonitor=false"', trace.read_text(errors="replace")
    ), "git ran (with fsmonitor disabled) under strace"
    opened = strace_opens(trace.read_text(errors="replace"))
    bad = outside_root([p for p, _ in opened], planted)
    assert not bad, f"opened {sorted(set(bad))}"


async def test_server_never_opens_the_canary(planted, tmp_path):
    """The real server under strace, asked for hover, definition, completion, links,
    references and code actions everywhere in the matrix."""
    require(STRACE, "strace", "apt-get install -y strace (.ci/run does)")
    root = planted["root"]
    trace = tmp_path / "strace-serve.txt"
    command = [
        STRACE,
        "-f",
        "-qq",
        "-e",
        "trace=open,openat,openat2",
        "-o",
        str(trace),
        sys.executable,
        "-m",
        "parity_lsp",
        "serve",
    ]
    text = (root / planted["matrix"]).read_text()
    lines = text.split("\n")
    async with RawClient.start(
        root, command=command, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    ) as c:
        await c.initialize(root)
        uri = (root / planted["matrix"]).as_uri()
        c.open(uri, text)
        await c.drain()
        await c.wait_diagnostics(uri, timeout=60)
        for ln, line in enumerate(lines):
            if not line.startswith("|") and "Governed" not in line:
                continue
            for ch in range(0, len(line) + 1, 7):
                doc_pos = {"textDocument": {"uri": uri}, "position": {"line": ln, "character": ch}}
                for method, params in (
                    ("textDocument/hover", doc_pos),
                    ("textDocument/definition", doc_pos),
                    ("textDocument/completion", doc_pos),
                ):
                    c.request_nowait(method, params)
            await c.drain()
        for method, params in (
            ("textDocument/documentLink", {"textDocument": {"uri": uri}}),
            (
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": {
                        "start": {"line": 0, "character": 0},
                        "end": {"line": len(lines), "character": 0},
                    },
                    "context": {"diagnostics": []},
                },
            ),
            (
                "textDocument/references",
                {
                    "textDocument": {"uri": uri},
                    "position": {"line": 10, "character": 20},
                    "context": {"includeDeclaration": True},
                },
            ),
            (
                "workspace/executeCommand",
                {"command": "parityLsp.showReport", "arguments": [{"format": "markdown"}]},
            ),
        ):
            reply = await c.request(method, params, timeout=120)
            assert "error" not in reply, (method, reply)
        await asyncio.wait_for(asyncio.gather(*c.pending.values()), 120)
        assert CANARY_TOKEN not in str(c.messages)
        await c.alive(uri)
        await c.shutdown_and_exit()
    opened = strace_opens(trace.read_text(errors="replace"))
    assert any(p == str(root / "src" / "a.rs") for p, _ in opened)
    bad = outside_root([p for p, _ in opened], planted)
    assert not bad, f"the server opened {sorted(set(bad))}"


# --- things that are not evidence but are read from the root ---------------------------------------------


def test_a_gitignore_symlinked_out_of_the_root_is_not_read(tmp_path):
    planted = plant(tmp_path)
    root = planted["root"]
    os.symlink(planted["canary"], root / ".gitignore")
    with deadline(60), audited() as events:
        check_paths(Workspace(root, load_config(root)[0]))
    opened = [p for e, a in events if (p := event_path(a)) is not None]
    assert not outside_root(opened, planted)


def test_a_fifo_named_gitignore_does_not_hang_the_cli(tmp_path):
    root = tmp_path / "ws"
    (root / "docs" / "parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "docs" / "parity" / "m.md").write_text(HEADER + "| a | x | Planned | unit | | | | @me | |\n")
    os.mkfifo(root / ".gitignore")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "parity_lsp", "check", str(root)], capture_output=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`parity-lsp check` hung on a FIFO named .gitignore")
    assert proc.returncode in (0, 1)


def test_fifo_and_devices_do_not_hang_the_cli(planted):
    """Nothing blocks on a FIFO: `check` of a workspace full of them finishes promptly."""
    proc = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", "--format", "json", str(planted["root"])],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in proc.stderr


# --- real directories are built component by component, as realpath would resolve them --------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from parity_lsp.workspace.fs import FileSystem  # noqa: E402

_NAMES = ["a", "b", "c", "link", "up", "loop", "file.rs"]


def _realpath_within(root: str, directory: str):
    """The reference: resolve the whole path, keep it only inside the root."""
    try:
        real = os.path.realpath(os.path.join(root, directory) if directory else root)
    except (OSError, RuntimeError, ValueError):
        return None
    return real if real == root or real.startswith(root.rstrip(os.sep) + os.sep) else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["dir", "file", "link"]),
            st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3),
            st.sampled_from(["a", "a/b", "..", "../outside", "c/link", "loop", "/", "file.rs", "missing"]),
        ),
        max_size=10,
    )
)
def test_real_directories_agree_with_realpath(tmp_path_factory, entries):
    base = tmp_path_factory.mktemp("tree")
    root = (base / "root").resolve()
    root.mkdir()
    (base / "outside").mkdir()
    for kind, parts, target in entries:
        path = root.joinpath(*parts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "dir":
                path.mkdir(exist_ok=True)
            elif kind == "file":
                path.write_text("x")
            else:
                os.symlink(target if target != "/" else str(base / "outside"), path)
        except OSError:
            pass  # a parent is a file or a link out: that shape is skipped
    fs = FileSystem(root)
    for parts in (
        [],
        ["a"],
        ["a", "b"],
        ["link"],
        ["link", "c"],
        ["up", "a"],
        ["loop"],
        ["loop", "a"],
        ["c", "link", "b"],
        ["file.rs"],
        ["file.rs", "x"],
        ["missing", "deeper"],
        ["b", "up", "link"],
    ):
        directory = "/".join(parts)
        assert fs._real_dir(directory) == _realpath_within(str(root), directory), directory
