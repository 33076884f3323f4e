#!/usr/bin/env python3
"""Issue 19's goals, side by side with the peer, from one `make bench` run's results.

Reads the JSON that bench.py's steps wrote to benchmarks/results/ (the compare runs, the staged
diagnostics and startup, the `check` A/B against the baseline commit, the scanners) and prints
one Markdown table: each goal, what was measured against what, the ratio, met or not. A goal
whose measurement is missing (a step skipped or failed) says so rather than disappearing.

    python benchmarks/goals.py [RESULTS_DIR]   # default benchmarks/results; --json for the rows
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
REAL = "real repo (1800/30)"  # bench.py's label of the real-repository workload
PEER, OURS = "vscode-markdown", "parity-lsp"


def load(results: Path, name: str) -> dict:
    path = results / name
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def compare_metric(data: dict, server: str, key: str) -> float | None:
    """A median over the compare run's rounds (lsp_bench.py's `summary`)."""
    return ((data.get("summary") or {}).get(server) or {}).get(key)


def median(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def workload_name(file_name: str) -> str:
    """compare-f20000_r2000.json -> 20000/2000; compare-realrepo.json -> the real repository."""
    stem = file_name.removeprefix("compare-").removesuffix(".json")
    if stem == "realrepo":
        return REAL
    files, _, rows = stem.removeprefix("f").partition("_r")
    return f"{files}/{rows}"


def row(
    goal: str, target: str, ours: float | None, base: float | None, limit: float, unit: str, what: str
) -> dict:
    """One goal: `ours / base <= limit` (base None: `ours <= limit`, an absolute bound)."""
    if ours is None or (base is None and what != "absolute"):
        return {"goal": goal, "target": target, "measured": "not measured", "ratio": None, "met": None}
    if what == "absolute":
        ratio = None
        met = ours <= limit
        measured = f"{ours:.{1 if ours < 100 else 0}f} {unit}"
    else:
        ratio = ours / base if base else None
        met = ratio is not None and ratio <= limit
        measured = (
            f"{ours:.{1 if ours < 100 else 0}f} {unit} vs {base:.{1 if base < 100 else 0}f} {unit} ({what})"
        )
    return {"goal": goal, "target": target, "measured": measured, "ratio": ratio, "met": met}


def goals(results: Path) -> list[dict]:
    staged = load(results, "staged.json")
    real = load(results, "compare-realrepo.json")
    mid = load(results, "compare-f20000_r2000.json")
    big = load(results, "compare-f50000_r10000.json")
    ab = load(results, "cli-ab.json")
    scanners = (load(results, "scanners.json").get("languages")) or {}
    out = []

    s_real = staged.get(REAL) or {}
    ours, peer = s_real.get(OURS) or {}, s_real.get(PEER) or {}
    out.append(
        row(
            "real repo: didOpen → first diagnostics",
            "≤ 2× peer",
            ours.get("open_first_ms"),
            peer.get("open_complete_ms"),
            2,
            "ms",
            "peer",
        )
    )
    out.append(
        row(
            "real repo: didOpen → complete diagnostics",
            "≤ 150 ms",
            ours.get("open_complete_ms"),
            None,
            150,
            "ms",
            "absolute",
        )
    )
    for key, goal in (
        ("change_to_diag_ms.p95", "real repo: edit → diagnostics p95"),
        ("completion_ms.p95", "real repo: completion p95"),
    ):
        out.append(
            row(
                goal,
                "≤ 1× peer",
                compare_metric(real, OURS, key),
                compare_metric(real, PEER, key),
                1,
                "ms",
                "peer",
            )
        )
    # nothing of the workspace is read before `initialize` is answered: every staged workload
    # measures the same thing, and their median is steadier than one workload's
    inits = [(v.get(OURS) or {}).get("init_ms") for v in staged.values() if isinstance(v, dict)]
    imports = [v.get("import_pygls_ms") for v in staged.values() if isinstance(v, dict)]
    out.append(
        row(
            f"startup: spawn → `initialize` answered (median of {len([i for i in inits if i])} workloads)",
            "≤ 1.25× `import pygls.lsp.server`",
            median(inits),
            median(imports),
            1.25,
            "ms",
            "python -c 'import pygls.lsp.server'",
        )
    )

    s_mid, s_big = staged.get("20000/2000") or {}, staged.get("50000/10000") or {}
    for data, key, goal, limit in (
        (s_mid, "open_first_ms", "20000/2000: first diagnostics", 0.5),
        (s_mid, "open_complete_ms", "20000/2000: complete diagnostics", 1),
        (s_big, "open_complete_ms", "50000/10000: complete diagnostics", 1.5),
    ):
        o, p = data.get(OURS) or {}, data.get(PEER) or {}
        out.append(
            row(goal, f"≤ {limit:g}× peer", o.get(key), p.get("open_complete_ms"), limit, "ms", "peer")
        )
    out.append(
        row(
            "20000/2000: edit → diagnostics p95",
            "≤ 0.1× peer",
            compare_metric(mid, OURS, "change_to_diag_ms.p95"),
            compare_metric(mid, PEER, "change_to_diag_ms.p95"),
            0.1,
            "ms",
            "peer",
        )
    )
    for name, data in (("20000/2000", mid), ("50000/10000", big)):
        o, p = compare_metric(data, OURS, "peak_rss_kb"), compare_metric(data, PEER, "peak_rss_kb")
        out.append(
            row(
                f"{name}: peak memory",
                "≤ 0.35× peer",
                o / 1024 if o else None,
                p / 1024 if p else None,
                0.35,
                "MB",
                "peer",
            )
        )
    for name in sorted(ab):
        med = ab[name].get("median") or {}
        this, base = med.get("this") or {}, med.get("baseline") or {}
        ref = ab[name].get("baseline_name", "759391e")
        wall = row(
            f"`check` {name}: wall", f"≤ 0.75× {ref}", this.get("wall_s"), base.get("wall_s"), 0.75, "s", ref
        )
        if this.get("cpu_s") and base.get("cpu_s"):  # steadier than wall time on a loaded machine
            cpu, base_cpu = this["cpu_s"], base["cpu_s"]
            wall["measured"] += f"; CPU {cpu:.1f} s vs {base_cpu:.1f} s ({cpu / base_cpu:.2f}×)"
        out.append(wall)
        out.append(
            row(
                f"`check` {name}: peak memory (sum of processes)",
                f"≤ 0.9× {ref}",
                this.get("peak_rss_mb_sum"),
                base.get("peak_rss_mb_sum"),
                0.9,
                "MB",
                ref,
            )
        )
    if not ab:
        out.append(
            row("`check` 100000/10000: wall and memory", "≤ 0.75× / ≤ 0.9× 759391e", None, None, 0, "", "")
        )
    completions = [  # every compare run of this results directory (1000/100 too, when run)
        (workload_name(path.name), compare_metric(load(results, path.name), OURS, "completion_ms.p95"))
        for path in sorted(results.glob("compare-*.json"))
        if path.name != "compare-spec.json"
    ]
    worst = max((c for c in completions if c[1] is not None), key=lambda c: c[1], default=None)
    out.append(
        row(
            f"completion p95 everywhere (worst: {worst[0]})" if worst else "completion p95 everywhere",
            "≤ 10 ms",
            worst[1] if worst else None,
            None,
            10,
            "ms",
            "absolute",
        )
    )
    rust = scanners.get("rust") or {}
    read2 = 2 * rust["read_s"] * 1000 if rust.get("read_s") else None
    out.append(
        row(
            "Rust, ~7,000 lines: lookup of one name",
            "≤ reading the file twice",
            rust["lookup_s"] * 1000 if rust.get("lookup_s") else None,
            read2,
            1,
            "ms",
            "read ×2",
        )
    )
    return out


def per_kb(scanners: dict) -> list[str]:
    """µs/KB per language scanner, cold and warm (reported; the goal is the lookup above)."""
    lines = ["| scanner | cold µs/KB | warm µs/KB | lookup of one name / read ×2 |", "|---|---|---|---|"]
    for lang, r in scanners.items():
        if "error" in r or not r.get("bytes"):
            lines.append(f"| {lang} | error | | |")
            continue
        kb = r["bytes"] / 1024
        lines.append(
            f"| {lang} | {r['cold_s'] * 1e6 / kb:.0f} | {r['warm_s'] * 1e6 / kb:.0f} "
            f"| {r['lookup_s'] / (2 * r['read_s']):.1f}× |"
        )
    return lines


def render(rows: list[dict]) -> str:
    lines = ["| goal | target | measured | ratio | met |", "|---|---|---|---|---|"]
    for r in rows:
        met = "not measured" if r["met"] is None else ("met" if r["met"] else "**not met**")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(f"| {r['goal']} | {r['target']} | {r['measured']} | {ratio} | {met} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    results = Path(args[0]) if args else RESULTS
    rows = goals(results)
    if "--json" in argv:
        print(json.dumps(rows, indent=1))
        return 0
    staged = load(results, "staged.json")
    loads = sorted({str(v.get("load_at_start")) for v in staged.values() if isinstance(v, dict)})
    print(f"Issue 19's goals (load average at the staged runs' start: {', '.join(loads) or '?'})\n")
    print(render(rows))
    scanners = (load(results, "scanners.json").get("languages")) or {}
    if scanners:
        print()
        print("\n".join(per_kb(scanners)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
