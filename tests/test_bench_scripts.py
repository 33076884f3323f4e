"""The measuring scripts `make bench` runs work on a generated workload (they are not run by
the test suite otherwise: a broken one would only show when someone benchmarks)."""

import json
import os
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


def test_scanner_bench_measures_every_language(tmp_path):
    out = tmp_path / "scanners.json"
    env = {"BENCH_SCANNER_LINES": "150", "BENCH_SCANNER_ROUNDS": "1", "BENCH_SCANNER_REPEAT": "1"}
    proc = subprocess.run(
        [sys.executable, str(BENCH / "scanner_bench.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env, "BENCH_SCANNER_OUT": str(out)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())["languages"]
    from parity_lsp import languages

    assert sorted(results) == sorted(lang.id for lang in languages.languages())
    for lang_id, r in results.items():
        assert r["understood"] and r["found"] and r["definitions"] > 5, (lang_id, r)
    assert "| java |" in proc.stdout and "lookup / read ×2" in proc.stdout
