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
    out = run("file_change_bench.py", str(workload), "--repeat", "2", "--settle", "0.5")
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


def test_the_check_ab_runs_the_baseline_checkouts_own_code(tmp_path):
    """`python -m parity_lsp` puts its working directory first on sys.path: the baseline of the
    A/B must run from its own checkout, not this one's (it ran this code before)."""
    sys.path.insert(0, str(BENCH))
    try:
        import bench
    finally:
        sys.path.remove(str(BENCH))
    fake = tmp_path / "baseline" / "parity_lsp"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text('print(\'{"summary": {"baseline": true}}\')\n')
    out = bench.cli_check(tmp_path, "1", code=tmp_path / "baseline")
    assert out["summary"] == {"baseline": True}, out


def test_the_goals_table_names_every_goal_and_what_was_not_measured(tmp_path):
    staged = {
        "real repo (1800/30)": {
            "import_pygls_ms": 400.0,
            "parity-lsp": {"init_ms": 480.0, "open_first_ms": 30.0, "open_complete_ms": 120.0},
            "vscode-markdown": {"open_complete_ms": 10.0},
        }
    }
    (tmp_path / "staged.json").write_text(json.dumps(staged))
    proc = subprocess.run(
        [sys.executable, str(BENCH / "goals.py"), str(tmp_path), "--json"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["goal"]: r for r in json.loads(proc.stdout)}
    first = rows["real repo: didOpen → first diagnostics"]
    assert first["ratio"] == 3.0 and first["met"] is False
    assert rows["real repo: didOpen → complete diagnostics"]["met"] is True
    startup = rows["startup: spawn → `initialize` answered (median of 1 workloads)"]
    assert startup["ratio"] == 1.2 and startup["met"] is True
    assert rows["20000/2000: first diagnostics"]["measured"] == "not measured"
    assert any(goal.startswith("`check` 100000/10000") for goal in rows)
    assert any(goal.startswith("Rust, ~7,000 lines") for goal in rows)
