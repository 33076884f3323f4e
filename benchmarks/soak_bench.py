#!/usr/bin/env python3
"""A long editing session: does the server's memory stay flat?

Starts `parity-lsp serve` on a workload (gen_workload.py), opens docs/parity/matrix.md and
waits for the workspace to be indexed. Then, K cycles of what a day of editing does:

  1. a heading inserted at the top of the matrix (every row moves: a full check), pulled;
  2. the heading removed again (another full check), pulled;
  3. a note typed into a row in the middle (that row alone is checked again), pulled;
  4. a source file created, then deleted (`didChangeWatchedFiles`: matrices with missing paths
     go back to a full check, in the background).

After each cycle (once the server is quiet) it reads the server's resident memory (VmRSS) from
/proc. A server that keeps replaced models, texts or findings grows by the size of a model
every cycle; a healthy one settles after the first. Prints one JSON object: RSS after each
cycle, and the growth from cycle 2 to the last (cycle 1 holds the first models' peak).

    python benchmarks/soak_bench.py ROOT [--cycles 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lsp_bench
import staged_bench
from session import open_session, parse_workload_args, shut_down


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=10)
    ap.add_argument(
        "--quiet",
        type=float,
        default=2.0,
        help="seconds to wait after each file event (a 2,000-row background check takes ~1 s)",
    )
    args, root, doc, text = parse_workload_args(ap)
    lines = text.splitlines(keepends=True)
    middle = next(
        i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("| ") and "`" in lines[i]
    )
    headed = "# Soak\n\n" + text
    noted = (
        "".join(lines[:middle])
        + lines[middle].rstrip("\n").rstrip()
        + " soak |\n"
        + "".join(lines[middle + 1 :])
    )
    created = Path(root) / "crates" / "soak_created.rs"
    uri, created_uri = lsp_bench.path_to_uri(doc), lsp_bench.path_to_uri(str(created))

    rss_mb: list[float] = []
    errors: list[str] = []
    conn = None
    try:
        client, conn = open_session(root, args.cmd.split(), f"/tmp/soak_bench_{os.getpid()}.log", uri, text)
        version = 1

        def pull() -> int:
            _, _, res = conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 300)
            return len((res or {}).get("items") or [])

        def edit(new_text: str) -> int:
            nonlocal version
            version += 1
            client.set_text(uri, new_text)
            conn.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new_text}]},
            )
            return pull()

        def watched(change_type: int) -> None:
            conn.notify(
                "workspace/didChangeWatchedFiles", {"changes": [{"uri": created_uri, "type": change_type}]}
            )

        # the complete diagnostics (the first pulls hold the syntactic findings only: staged),
        # as many as `parity-lsp check` finds for the document, then the other matrices' indexing
        expected = len(staged_bench.check_findings(root, os.path.relpath(doc, root)))
        deadline = time.monotonic() + 120
        while pull() != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(args.quiet * 2)
        first = pull()
        if first != expected:
            errors.append(f"the first complete diagnostics ({first}) are not `check`'s ({expected})")
        for k in range(args.cycles):
            edit(headed)
            edit(text)
            edit(noted)
            created.write_text("pub fn soak() {}\n", encoding="utf-8")
            watched(1)
            time.sleep(args.quiet)
            created.unlink()
            watched(3)
            time.sleep(args.quiet)
            if edit(text) != first:
                errors.append(f"cycle {k}: the matrix's findings changed")
            status = lsp_bench.read_proc_status(conn.proc.pid) or {}
            rss_mb.append(round((lsp_bench.kb(status.get("VmRSS")) or 0) / 1024, 1))
        shut_down(conn)
    finally:
        if created.exists():
            created.unlink()
        if conn is not None:
            conn.close(10)
    growth = round(rss_mb[-1] - rss_mb[1], 1) if len(rss_mb) > 1 else None
    print(
        json.dumps(
            {
                "root": root,
                "cycles": args.cycles,
                "rss_mb_after_each_cycle": rss_mb,
                "growth_mb_from_cycle_2": growth,
                "errors": errors,
            },
            indent=2,
        )
    )
    return 0 if rss_mb and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
