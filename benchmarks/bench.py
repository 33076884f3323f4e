#!/usr/bin/env python3
"""`make bench`: parity-lsp against VS Code's Markdown language server, in one compare run per
workload; startup and staged diagnostics; a cited file changed on disk -> diagnostics; the
CLI's cold `check` time and memory.

Steps (all from a fresh clone): generate the workloads — a Rust monorepo shaped like a real
repository (gen_realrepo.py: ~1,800 files, a few source files of 5,000-7,000 lines, a 30-row
matrix) and the generated ones (gen_workload.py), all deterministic — install the peer with
npm into benchmarks/.peers (once), run lsp_bench.py compare (parity-lsp opens
docs/parity/matrix.md, the peer the same rows as links), staged_bench.py (spawn ->
`initialize` against `import pygls.lsp.server`; `didOpen` -> first and complete diagnostics
against the peer), file_change_bench.py and soak_bench.py (memory over a long editing
session), time `parity-lsp check` cold with -j 1 and with the default (one process per CPU)
and against the baseline commit (alternating), scanner_bench.py (µs/KB per language scanner),
then goals.py: issue 19's goals side by side with their references, from this run's results.
Prints Markdown tables and writes JSON to benchmarks/results/. `--goals` (`make bench-goals`):
only what the goals table needs.

Environment (sizes are files:rows, `real` the real-repository workload): BENCH_SIZES ("real
1000:100 20000:2000 50000:10000"), BENCH_STAGED_SIZES ("real 20000:2000 50000:10000"),
BENCH_STAGED_ROUNDS (5), BENCH_FILE_CHANGE_SIZES ("20000:2000"), BENCH_SOAK_SIZES
("20000:2000"), BENCH_CLI_SIZES ("100000:10000"), BENCH_CLI_BASELINE (a checkout of another
parity-lsp: `check` is timed against it, alternating, BENCH_CLI_PAIRS (3) pairs),
BENCH_CLI_BASELINE_REF (759391e: the commit extracted with `git archive` when BENCH_CLI_BASELINE
is not set), BENCH_ROUNDS (3), BENCH_REPEAT (20), BENCH_WL (workload dir, default
/tmp/parity-lsp-bench).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEERS = HERE / ".peers"
PEER_MAIN = PEERS / "node_modules" / "vscode-markdown-languageserver" / "out" / "node" / "main.js"
RESULTS = HERE / "results"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


REAL = (0, 0)  # the real-repository workload in a list of sizes
BASELINE_REF = "759391e"  # issue 19: `check` on 100,000 files is measured against this commit


def sizes(value: str) -> list[tuple[int, int]]:
    out = []
    for item in value.split():
        if item == "real":
            out.append(REAL)
            continue
        files, rows = item.split(":")
        out.append((int(files), int(rows)))
    return out


def label(files: int, rows: int) -> str:
    return "real repo (1800/30)" if (files, rows) == REAL else f"{files}/{rows}"


def peer_doc(root: Path) -> str:
    """The peer's document: the same rows as docs/parity/matrix.md, as Markdown links."""
    real = root / "docs/peer/matrix_links.md"
    return "docs/peer/matrix_links.md" if real.is_file() else "docs/parity/matrix_links.md"


def workload(base: Path, files: int, rows: int) -> Path:
    if (files, rows) == REAL:
        root = base / "realrepo"
        if not (root / "ground_truth.json").is_file():
            subprocess.run(
                [sys.executable, str(HERE / "gen_realrepo.py"), str(root), "--seed", "1", "--force"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        return root
    root = base / f"f{files}_r{rows}"
    if not (root / "ground_truth.json").is_file():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_workload.py"),
                str(root),
                "--files",
                str(files),
                "--rows",
                str(rows),
                "--seed",
                "1",
                "--force",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return root


def ensure_peer() -> bool:
    if PEER_MAIN.is_file():
        return True
    if shutil.which("npm") is None:
        print("bench: npm is not installed: the peer cannot be measured", file=sys.stderr)
        return False
    PEERS.mkdir(exist_ok=True)
    proc = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(PEERS),
            "--no-audit",
            "--no-fund",
            "vscode-markdown-languageserver@0.3.0",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not PEER_MAIN.is_file():
        print(f"bench: npm install of the peer failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return False
    return True


def spec(with_peer: bool, root: Path) -> dict:
    servers = [
        {
            "name": "parity-lsp",
            "cmd": [sys.executable, "-m", "parity_lsp", "serve"],
            "doc": "docs/parity/matrix.md",
            "diag_mode": "pull",
        }
    ]
    if with_peer:
        servers.insert(
            0,
            {
                "name": "vscode-markdown",
                "cmd": ["node", str(PEER_MAIN), "--stdio"],
                "peer": "vscode-markdown",
                "doc": peer_doc(root),
            },
        )
    return {"baseline": "vscode-markdown" if with_peer else "parity-lsp", "servers": servers}


def cli_check(root: Path, jobs: str, code: Path | None = None) -> dict:
    """Cold `parity-lsp check -j JOBS` (a fresh process): wall time, CPU, and memory: the largest
    process's peak RSS and the sum of every process's peak (forked workers included), read
    from /proc while they run. `code`: another checkout of parity-lsp to run instead (an A/B)."""
    sys.path.insert(0, str(HERE))
    import lsp_bench

    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        start = time.perf_counter()
        before = os.times()
        # output to files, not pipes: 30,000 diagnostics would fill a pipe while we sample
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "parity_lsp",
                "check",
                "--root",
                str(root),
                "--format",
                "json",
                "-j",
                jobs,
            ],
            stdout=out_file,
            stderr=err_file,
            text=True,
            # `-m` puts the working directory first on sys.path: run from the checkout measured
            cwd=str(code or REPO),
            env={**os.environ, "PYTHONPATH": str(code or REPO)},
        )
        peaks: dict[int, int] = {}
        while proc.poll() is None:
            for pid in lsp_bench.proc_descendants(proc.pid):
                status = lsp_bench.read_proc_status(pid) or {}
                hwm = lsp_bench.kb(status.get("VmHWM"))
                if hwm:
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
            time.sleep(0.1)  # VmHWM is each process's own peak: sampling only has to see it alive
        wall = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    data = json.loads(out) if out.startswith("{") else {}
    return {
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb_largest": round(max(peaks.values(), default=0) / 1024, 1),
        "peak_rss_mb_sum": round(sum(peaks.values()) / 1024, 1),
        "processes": len(peaks),
        "exit": proc.returncode,
        "summary": data.get("summary"),
        "files_checked": data.get("files_checked"),
        "stderr": err[-500:],
    }


def script(name: str, root: Path, *args: str) -> dict:
    """Run one of the measuring scripts on a workload; its JSON output, or the error."""
    proc = subprocess.run(
        [sys.executable, str(HERE / name), str(root), *args], capture_output=True, text=True, cwd=REPO
    )
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return {"error": proc.stderr[-2000:]}


def per_size(env_name: str, default: str, base: Path, what: str, name: str, *args: str) -> dict:
    """`script(name)` on each workload size of `env_name`, keyed by "files/rows"."""
    out = {}
    for files, rows in sizes(env(env_name, default)):
        root = workload(base, files, rows)
        print(f"== {what}, files={files} rows={rows}", file=sys.stderr)
        out[f"{files}/{rows}"] = script(name, root, *args)
    return out


def staged_table(base: Path, with_peer: bool) -> None:
    """staged_bench.py per workload: startup against `import pygls.lsp.server`, and `didOpen`
    -> first and complete diagnostics against the peer, in one run each."""
    staged = {}
    rounds = env("BENCH_STAGED_ROUNDS", "5")
    for files, rows in sizes(env("BENCH_STAGED_SIZES", "real 20000:2000 50000:10000")):
        root = workload(base, files, rows)
        print(f"== startup and staged diagnostics, {label(files, rows)}", file=sys.stderr)
        args = ["--rounds", rounds, "--peer-doc", peer_doc(root)]
        if with_peer:
            args += ["--peer-cmd", f"node {PEER_MAIN} --stdio"]
        staged[label(files, rows)] = script("staged_bench.py", root, *args).get("summary", {})
    (RESULTS / "staged.json").write_text(json.dumps(staged, indent=2))
    print(
        "| workload | spawn -> initialize ms (import pygls.lsp.server ms; ratio) "
        "| didOpen -> first diagnostics ms (peer; ratio) | didOpen -> complete ms (peer; ratio) "
        "| load |\n|---|---|---|---|---|"
    )
    for key, r in staged.items():
        ours, peer, ratios = r.get("parity-lsp") or {}, r.get("vscode-markdown") or {}, r.get("ratios") or {}
        peer_ms = peer.get("open_complete_ms")
        print(
            f"| {key} | {ours.get('init_ms')} ({r.get('import_pygls_ms')}; "
            f"{ratios.get('init_vs_import_pygls')}×) "
            f"| {ours.get('open_first_ms')} ({peer_ms}; {ratios.get('open_first_ms_vs_peer')}×) "
            f"| {ours.get('open_complete_ms')} ({peer_ms}; {ratios.get('open_complete_ms_vs_peer')}×) "
            f"| {r.get('load_at_start')} |"
        )
    print()


def compile_package() -> None:
    """Byte-compile parity_lsp as `pip install` does for an installed package. The editable
    install of `make` relies on Python writing the caches on first import, which a
    PYTHONDONTWRITEBYTECODE environment (this machine's) forbids: every process then compiled
    the package again (~60 ms of each server start and each `check`), a cost users never pay."""
    import compileall

    compileall.compile_dir(str(REPO / "parity_lsp"), quiet=1)


def main() -> int:
    # --goals: only what issue 19's goals table needs (no 1000/100 compare, file changes, soak
    # or plain `check` timings): `make bench-goals`
    goals_only = "--goals" in sys.argv[1:]
    base = Path(env("BENCH_WL", "/tmp/parity-lsp-bench"))
    rounds, repeat = env("BENCH_ROUNDS", "3"), env("BENCH_REPEAT", "20")
    RESULTS.mkdir(exist_ok=True)
    compile_package()
    with_peer = ensure_peer()
    outs = []
    default_sizes = "real 20000:2000 50000:10000" if goals_only else "real 1000:100 20000:2000 50000:10000"
    for files, rows in sizes(env("BENCH_SIZES", default_sizes)):
        root = workload(base, files, rows)
        spec_path = RESULTS / "compare-spec.json"
        spec_path.write_text(json.dumps(spec(with_peer, root), indent=2))
        out = RESULTS / (
            "compare-realrepo.json" if (files, rows) == REAL else f"compare-f{files}_r{rows}.json"
        )
        print(f"== compare {label(files, rows)}", file=sys.stderr)
        with open(out, "w") as fh:
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "lsp_bench.py"),
                    "compare",
                    "--spec",
                    str(spec_path),
                    "--root",
                    str(root),
                    "--rounds",
                    rounds,
                    "--repeat",
                    repeat,
                    "--timeout",
                    "600",
                    "--total-timeout",
                    "3600",
                ],
                check=True,
                stdout=fh,
                cwd=REPO,
            )
        outs.append(str(out))
    table = subprocess.run(
        [sys.executable, str(HERE / "lsp_bench.py"), "table", *outs],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(table)
    staged_table(base, with_peer)
    if goals_only:
        ab_and_goals(base)
        return 0
    changes = per_size(
        "BENCH_FILE_CHANGE_SIZES",
        "20000:2000",
        base,
        "cited file changed on disk",
        "file_change_bench.py",
        "--repeat",
        "20",
    )
    (RESULTS / "file-change.json").write_text(json.dumps(changes, indent=2))
    print(
        "| workload (files/rows) | cited file changed -> diagnostics ms median / p95 "
        "| cited missing file created or deleted -> diagnostics ms median / p95 |\n|---|---|---|"
    )
    for key, r in changes.items():
        d = r.get("file_change_to_diag_ms") or {}
        c = r.get("file_created_or_deleted_to_diag_ms") or {}
        print(f"| {key} | {d.get('median')} / {d.get('p95')} | {c.get('median')} / {c.get('p95')} |")
    print()
    soaks = per_size(
        "BENCH_SOAK_SIZES", "20000:2000", base, "a long editing session", "soak_bench.py", "--cycles", "10"
    )
    (RESULTS / "soak.json").write_text(json.dumps(soaks, indent=2))
    print(
        "| workload (files/rows) | server RSS MB after each cycle of full checks, a row edit, a file created "
        "and deleted | growth from cycle 2 MB |\n|---|---|---|"
    )
    for key, r in soaks.items():
        after = r.get("rss_mb_after_each_cycle") or []
        cycles = " ".join(map(str, after)) or r.get("error", "")[:200]
        print(f"| {key} | {cycles} | {r.get('growth_mb_from_cycle_2')} |")
    print()
    cli = {}
    for files, rows in sizes(env("BENCH_CLI_SIZES", "100000:10000")):
        root = workload(base, files, rows)
        for jobs in ("1", "0"):  # 0: the default, one process per CPU
            print(f"== cli check files={files} rows={rows} -j {jobs}", file=sys.stderr)
            cli[f"{files}/{rows} -j {jobs}"] = cli_check(root, jobs)
    (RESULTS / "cli.json").write_text(json.dumps(cli, indent=2))
    print(
        "| workload (files/rows), jobs | `parity-lsp check` cold wall s | CPU s "
        "| peak RSS MB, largest process | sum of processes' peaks |\n|---|---|---|---|---|"
    )
    for key, r in cli.items():
        print(
            f"| {key} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb_largest']} | {r['peak_rss_mb_sum']} |"
        )
    ab_and_goals(base)
    return 0


def ab_and_goals(base: Path) -> None:
    """The `check` A/B against the baseline, the scanners, then the goals table from every
    result of this run."""
    baseline = baseline_checkout(base)
    if baseline is not None:
        cli_ab(base, baseline)
    print("== scanners", file=sys.stderr)
    subprocess.run([sys.executable, str(HERE / "scanner_bench.py")], check=True, cwd=REPO)
    print()
    subprocess.run([sys.executable, str(HERE / "goals.py"), str(RESULTS)], check=True)


def baseline_checkout(base: Path) -> Path | None:
    """The checkout `check` is timed against: BENCH_CLI_BASELINE (a directory), else the commit
    BENCH_CLI_BASELINE_REF (759391e, issue 19's reference) extracted with `git archive` into the
    workload directory (once). None, with a notice, without git or the commit."""
    given = os.environ.get("BENCH_CLI_BASELINE")
    if given:
        return Path(given)
    ref = env("BENCH_CLI_BASELINE_REF", BASELINE_REF)
    dest = base / f"base-{ref}"
    if (dest / "parity_lsp" / "__init__.py").is_file():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        print(
            f"bench: no A/B of `check`: commit {ref} not found ({archive.stderr[-300:]!r})", file=sys.stderr
        )
        return None
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def cli_ab(base: Path, baseline: Path) -> None:
    """`check` (default -j) of this checkout against another one, alternating A B, B A, ...:
    the median wall time and memory of each, and their ratios (this / the other)."""
    import compileall
    import statistics

    compileall.compile_dir(str(baseline / "parity_lsp"), quiet=1)  # as for this one
    pairs = int(env("BENCH_CLI_PAIRS", "3"))
    columns = (
        "workload (files/rows)",
        "wall s, this / baseline",
        "ratio",
        "peak RSS MB (sum), this / baseline",
    )
    print("\n| " + " | ".join(columns) + " | ratio |")
    print("|---|---|---|---|---|")
    ab = {}
    for files, rows in sizes(env("BENCH_CLI_SIZES", "100000:10000")):
        root = workload(base, files, rows)
        runs: dict[str, list[dict]] = {"this": [], "baseline": []}
        for i in range(pairs):
            order = ["this", "baseline"] if i % 2 == 0 else ["baseline", "this"]
            for who in order:
                print(f"== cli A/B {who} files={files} rows={rows} ({i + 1}/{pairs})", file=sys.stderr)
                runs[who].append(cli_check(root, "0", None if who == "this" else baseline))
        med = {
            who: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "peak_rss_mb_sum")}
            for who, rs in runs.items()
        }
        ab[label(files, rows)] = {
            "runs": runs,
            "median": med,
            "baseline_name": baseline.name.removeprefix("base-"),
        }
        this, other = med["this"], med["baseline"]
        print(
            f"| {label(files, rows)} | {this['wall_s']:.2f} / {other['wall_s']:.2f} "
            f"| {this['wall_s'] / other['wall_s']:.2f}× | {this['peak_rss_mb_sum']:.0f} / "
            f"{other['peak_rss_mb_sum']:.0f} | {this['peak_rss_mb_sum'] / other['peak_rss_mb_sum']:.2f}× |"
        )
    (RESULTS / "cli-ab.json").write_text(json.dumps(ab, indent=2))


if __name__ == "__main__":
    sys.exit(main())
