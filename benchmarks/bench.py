#!/usr/bin/env python3
"""`make bench`: parity-lsp against VS Code's Markdown language server, in one compare run per
workload, plus the CLI's cold `check` time and peak memory.

Steps (all from a fresh clone): generate the workloads with gen_workload.py (deterministic),
install the peer with npm into benchmarks/.peers (once), run lsp_bench.py compare (parity-lsp
opens docs/parity/matrix.md, the peer docs/parity/matrix_links.md: same rows, as links), time
`parity-lsp check` cold, print a Markdown table and write JSON to benchmarks/results/.

Environment: BENCH_SIZES ("1000:100 20000:2000" files:rows), BENCH_CLI_SIZES ("100000:10000"),
BENCH_ROUNDS (3), BENCH_REPEAT (20), BENCH_WL (workload dir, default /tmp/parity-lsp-bench).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEERS = HERE / ".peers"
PEER_MAIN = PEERS / "node_modules" / "vscode-markdown-languageserver" / "out" / "node" / "main.js"
RESULTS = HERE / "results"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def sizes(value: str) -> list[tuple[int, int]]:
    out = []
    for item in value.split():
        files, rows = item.split(":")
        out.append((int(files), int(rows)))
    return out


def workload(base: Path, files: int, rows: int) -> Path:
    root = base / f"f{files}_r{rows}"
    if not (root / "ground_truth.json").is_file():
        subprocess.run([sys.executable, str(HERE / "gen_workload.py"), str(root), "--files", str(files),
                        "--rows", str(rows), "--seed", "1", "--force"], check=True, stdout=subprocess.DEVNULL)
    return root


def ensure_peer() -> bool:
    if PEER_MAIN.is_file():
        return True
    if shutil.which("npm") is None:
        print("bench: npm is not installed: the peer cannot be measured", file=sys.stderr)
        return False
    PEERS.mkdir(exist_ok=True)
    proc = subprocess.run(["npm", "install", "--prefix", str(PEERS), "--no-audit", "--no-fund",
                           "vscode-markdown-languageserver@0.3.0"], capture_output=True, text=True)
    if proc.returncode != 0 or not PEER_MAIN.is_file():
        print(f"bench: npm install of the peer failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return False
    return True


def spec(with_peer: bool) -> dict:
    servers = [{"name": "parity-lsp", "cmd": [sys.executable, "-m", "parity_lsp", "serve"],
                "doc": "docs/parity/matrix.md", "diag_mode": "pull"}]
    if with_peer:
        servers.insert(0, {"name": "vscode-markdown", "cmd": ["node", str(PEER_MAIN), "--stdio"],
                           "peer": "vscode-markdown", "doc": "docs/parity/matrix_links.md"})
    return {"baseline": "vscode-markdown" if with_peer else "parity-lsp", "servers": servers}


def cli_check(root: Path) -> dict:
    """Cold `parity-lsp check` wall time and peak RSS (a fresh process each time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "parity_lsp", "check", "--root", str(root), "--format", "json"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(max(peak, before) / 1024, 1), "exit": proc.returncode,
            "summary": data.get("summary"), "files_checked": data.get("files_checked"),
            "note": "peak RSS is the largest child so far (getrusage), measured in a fresh process"}


def main() -> int:
    base = Path(env("BENCH_WL", "/tmp/parity-lsp-bench"))
    rounds, repeat = env("BENCH_ROUNDS", "3"), env("BENCH_REPEAT", "20")
    RESULTS.mkdir(exist_ok=True)
    with_peer = ensure_peer()
    spec_path = RESULTS / "compare-spec.json"
    spec_path.write_text(json.dumps(spec(with_peer), indent=2))
    outs = []
    for files, rows in sizes(env("BENCH_SIZES", "1000:100 20000:2000")):
        root = workload(base, files, rows)
        out = RESULTS / f"compare-f{files}_r{rows}.json"
        print(f"== compare files={files} rows={rows}", file=sys.stderr)
        with open(out, "w") as fh:
            subprocess.run([sys.executable, str(HERE / "lsp_bench.py"), "compare", "--spec", str(spec_path),
                            "--root", str(root), "--rounds", rounds, "--repeat", repeat, "--timeout", "600",
                            "--total-timeout", "3600"], check=True, stdout=fh, cwd=REPO)
        outs.append(str(out))
    table = subprocess.run([sys.executable, str(HERE / "lsp_bench.py"), "table", *outs],
                           capture_output=True, text=True, check=True).stdout
    print(table)
    cli = {}
    for files, rows in sizes(env("BENCH_CLI_SIZES", "100000:10000")):
        root = workload(base, files, rows)
        print(f"== cli check files={files} rows={rows}", file=sys.stderr)
        cli[f"{files}/{rows}"] = cli_check(root)
    (RESULTS / "cli.json").write_text(json.dumps(cli, indent=2))
    print("| workload (files/rows) | `parity-lsp check` cold wall s | peak RSS MB |\n|---|---|---|")
    for key, r in cli.items():
        print(f"| {key} | {r['wall_s']} | {r['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
