#!/usr/bin/env python3
"""A cited file changes on disk: how long until the open matrix's diagnostics show it?

Starts `parity-lsp serve` on a workload (gen_workload.py), opens docs/parity/matrix.md, waits
for the workspace to be indexed, then K times moves the function a row cites (10 blank lines
inserted at the top of its Rust file, then removed again), sends
`workspace/didChangeWatchedFiles` and pulls `textDocument/diagnostic` until the row's line-drift
finding (PM304) appears or disappears. Then K times creates the file a row cites but that does
not exist (one of the planted broken paths) and deletes it again, until the row's PM301
disappears or reappears. The time is notification -> the first pull response that shows the
change (the polling adds up to one pull's latency). Files are restored at the end.

Uses lsp_bench.py's client (same capabilities as the compare runs). Prints one JSON object.

    python benchmarks/file_change_bench.py ROOT [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lsp_bench
from session import open_session, parse_workload_args, shut_down

CITED = re.compile(r"`(crates/[^`]+\.rs):(\d+)` \(`([^`]+)`\)")
MISSING = re.compile(r"`(crates/[^`]+\.rs)")
SHIFT = "\n" * 10


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    # before measuring, the background indexing of the other matrices is let finish (the test of
    # this script, which measures nothing, waits less)
    ap.add_argument("--settle", type=float, default=3.0, metavar="SECONDS")
    args, root, doc, text = parse_workload_args(ap)
    lines = text.splitlines()
    # a row in the middle whose cited line is inside its function: the shift makes it drift
    row, target = None, None
    for i in range(len(lines) // 2, len(lines)):
        m = CITED.search(lines[i])
        if m and (Path(root) / m.group(1)).is_file():
            row, target = i, m.group(1)
            break
    if target is None:
        print(json.dumps({"error": "no row citing a Rust file with a line and a symbol"}))
        return 1
    target_path = Path(root) / target
    original = target_path.read_bytes()
    # a row in the middle citing a file that does not exist (not even its directory may)
    missing_row, missing = None, None
    for i in [*range(len(lines) // 2, len(lines)), *range(len(lines) // 2)]:
        m = MISSING.search(lines[i])
        if m and not (Path(root) / m.group(1)).exists() and (Path(root) / m.group(1)).parent.is_dir():
            missing_row, missing = i, m.group(1)
            break
    missing_path = Path(root) / missing if missing else None
    uri, target_uri = lsp_bench.path_to_uri(doc), lsp_bench.path_to_uri(str(target_path))

    samples: list[float] = []
    created_samples: list[float] = []
    errors: list[str] = []
    conn = None
    try:
        _, conn = open_session(root, args.cmd.split(), f"/tmp/file_change_bench_{os.getpid()}.log", uri, text)

        def on_row(code: str, line: int) -> tuple[float, bool]:
            """(response time, whether the finding `code` is on `line`)."""
            _, t, res = conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 120)
            items = (res or {}).get("items") or []
            return t, any(d.get("code") == code and d["range"]["start"]["line"] == line for d in items)

        def measure(label: str, change, code: str, line: int, out: list[float]) -> None:
            """K times: `change(k)` changes the disk and returns the file event; the time from
            the event to the first pull whose finding on `line` flipped."""
            _, shown = on_row(code, line)
            for k in range(args.repeat):
                event = change(k)
                t0 = lsp_bench.perf()
                conn.notify("workspace/didChangeWatchedFiles", {"changes": [event]})
                while True:
                    t1, now = on_row(code, line)
                    if now != shown:
                        out.append((t1 - t0) * 1000)
                        shown = now
                        break
                    if lsp_bench.perf() - t0 > 30:
                        errors.append(f"{label} sample {k}: no change in 30 s")
                        break

        def move(k: int) -> dict:
            target_path.write_bytes(SHIFT.encode() + original if k % 2 == 0 else original)
            return {"uri": target_uri, "type": 2}

        def create_or_delete(k: int) -> dict:
            if k % 2 == 0:
                missing_path.write_text("pub fn created() {}\n", encoding="utf-8")
                return {"uri": missing_uri, "type": 1}
            missing_path.unlink()
            return {"uri": missing_uri, "type": 3}

        on_row("PM304", row)
        time.sleep(args.settle)  # let the background indexing of the other matrices finish
        measure("changed", move, "PM304", row, samples)
        if missing_path is not None:
            missing_uri = lsp_bench.path_to_uri(str(missing_path))
            measure("created/deleted", create_or_delete, "PM301", missing_row, created_samples)
        else:
            errors.append("no row citing a missing file in an existing directory")
        shut_down(conn)
    finally:
        target_path.write_bytes(original)
        if missing_path is not None and missing_path.exists():
            missing_path.unlink()
        if conn is not None:
            conn.close(10)
    print(
        json.dumps(
            {
                "root": root,
                "row_line": row + 1,
                "cited_file": target,
                "file_change_to_diag_ms": lsp_bench.summarize(samples),
                "missing_row_line": (missing_row + 1) if missing_row is not None else None,
                "missing_file": missing,
                "file_created_or_deleted_to_diag_ms": lsp_bench.summarize(created_samples),
                "errors": errors,
            },
            indent=2,
        )
    )
    return 0 if samples and created_samples and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
