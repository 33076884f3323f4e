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
import lsp_bench  # noqa: E402

CITED = re.compile(r"`(crates/[^`]+\.rs):(\d+)` \(`([^`]+)`\)")
MISSING = re.compile(r"`(crates/[^`]+\.rs)")
SHIFT = "\n" * 10


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--doc", default="docs/parity/matrix.md")
    ap.add_argument("--cmd", default=f"{sys.executable} -m parity_lsp serve")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    doc = os.path.join(root, args.doc)
    text = Path(doc).read_text(encoding="utf-8")
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

    client = lsp_bench.Client(root, {})
    conn = lsp_bench.Connection(args.cmd.split(), os.getcwd(), client, f"/tmp/file_change_bench_{os.getpid()}.log")
    samples: list[float] = []
    created_samples: list[float] = []
    errors: list[str] = []
    try:
        rid = conn.send_request("initialize", {
            "processId": os.getpid(), "rootUri": lsp_bench.path_to_uri(root),
            "workspaceFolders": [{"uri": lsp_bench.path_to_uri(root), "name": "wl"}],
            "capabilities": lsp_bench.client_capabilities()})
        conn.wait_response(rid, 120)
        conn.notify("initialized", {})
        client.set_text(uri, text)
        conn.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                                                              "text": text}})

        def drift_on_row() -> tuple[float, bool]:
            _, t, res = conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 120)
            items = (res or {}).get("items") or []
            return t, any(d.get("code") == "PM304" and d["range"]["start"]["line"] == row for d in items)

        drift_on_row()
        time.sleep(3.0)  # let the background indexing of the other matrices finish
        _, drifted = drift_on_row()
        for k in range(args.repeat):
            shifted = k % 2 == 0
            target_path.write_bytes(SHIFT.encode() + original if shifted else original)
            t0 = lsp_bench.perf()
            conn.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": target_uri, "type": 2}]})
            while True:
                t1, now = drift_on_row()
                if now != drifted:
                    samples.append((t1 - t0) * 1000)
                    drifted = now
                    break
                if lsp_bench.perf() - t0 > 30:
                    errors.append(f"sample {k}: no change in 30 s")
                    break

        def missing_on_row() -> tuple[float, bool]:
            _, t, res = conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 120)
            items = (res or {}).get("items") or []
            return t, any(d.get("code") == "PM301" and d["range"]["start"]["line"] == missing_row for d in items)

        if missing_path is not None:
            missing_uri = lsp_bench.path_to_uri(str(missing_path))
            _, reported = missing_on_row()
            for k in range(args.repeat):
                create = k % 2 == 0
                if create:
                    missing_path.write_text("pub fn created() {}\n", encoding="utf-8")
                else:
                    missing_path.unlink()
                t0 = lsp_bench.perf()
                conn.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": missing_uri, "type": 1 if create else 3}]})
                while True:
                    t1, now = missing_on_row()
                    if now != reported:
                        created_samples.append((t1 - t0) * 1000)
                        reported = now
                        break
                    if lsp_bench.perf() - t0 > 30:
                        errors.append(f"created/deleted sample {k}: no change in 30 s")
                        break
        else:
            errors.append("no row citing a missing file in an existing directory")
        rid = conn.send_request("shutdown", None)
        conn.wait_response(rid, 30)
        conn.notify("exit", None)
    finally:
        target_path.write_bytes(original)
        if missing_path is not None and missing_path.exists():
            missing_path.unlink()
        conn.close(10)
    print(json.dumps({"root": root, "row_line": row + 1, "cited_file": target,
                      "file_change_to_diag_ms": lsp_bench.summarize(samples),
                      "missing_row_line": (missing_row + 1) if missing_row is not None else None, "missing_file": missing,
                      "file_created_or_deleted_to_diag_ms": lsp_bench.summarize(created_samples),
                      "errors": errors}, indent=2))
    return 0 if samples and created_samples and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
