"""The measuring scripts `make bench` runs work on a generated workload (they are not run by
the test suite otherwise: a broken one would only show when someone benchmarks)."""

import json
import subprocess
import sys

import pytest
from workloads import BENCH, generate


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("wl") / "ws", files=400, rows=60, seed=3)


def run(script: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_file_change_bench_sees_the_cited_function_move_and_a_missing_file_appear(workload):
    out = run("file_change_bench.py", str(workload), "--repeat", "2")
    assert out["errors"] == [] and out["file_change_to_diag_ms"]["n"] == 2
    assert out["file_created_or_deleted_to_diag_ms"]["n"] == 2
    assert not (workload / out["missing_file"]).exists()  # deleted again


def test_soak_bench_reports_memory_after_each_cycle_and_unchanged_findings(workload):
    created = workload / "crates" / "soak_created.rs"
    out = run("soak_bench.py", str(workload), "--cycles", "2", "--quiet", "0.3")
    assert out["errors"] == []  # the matrix's findings are the same after every cycle
    assert len(out["rss_mb_after_each_cycle"]) == 2 and all(mb > 10 for mb in out["rss_mb_after_each_cycle"])
    assert not created.exists()  # the file it created is gone
