"""Workspaces from the benchmark generator (benchmarks/gen_workload.py: Rust-like crates, a CI
workflow, a code-span matrix and a link matrix with the same rows, planted broken paths), for
tests that need scale or the benchmark's shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def generate(root: Path, files: int, rows: int, seed: int) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "gen_workload.py"),
            str(root),
            "--files",
            str(files),
            "--rows",
            str(rows),
            "--seed",
            str(seed),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return root
