#!/usr/bin/env python3
"""Startup and staged diagnostics, against the peer, in one run (issue 19).

What `lsp_bench.py compare` does not measure:

- startup: process spawn -> `initialize` answered, against the time `python -c "import
  pygls.lsp.server"` takes in the same environment (spawn -> exit), alternating;
- `didOpen` -> complete diagnostics: parity-lsp publishes a matrix it opens in stages (its
  syntactic findings first). The client pulls right after `didOpen` (the first diagnostics),
  then again each time the server asks (`workspace/diagnostic/refresh`), until the pulled
  diagnostics are `parity-lsp check`'s for the document (computed first, by the command). The
  peer does not stage: its complete diagnostics are its first.

Rounds alternate the servers (A B, B A, ...). Uses lsp_bench.py's client (the same capabilities,
the peer's shim and settings). Prints one JSON object:

    python benchmarks/staged_bench.py ROOT [--doc docs/parity/matrix.md] [--rounds 5]
        [--peer-cmd "node .../main.js --stdio" --peer-doc docs/peer/matrix_links.md]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import lsp_bench  # noqa: E402 - the harness next to this file

REFRESH = "workspace/diagnostic/refresh"


def check_findings(root: str, doc: str) -> set[tuple[str, int, int]]:
    """(code, 0-based line, 0-based column) of `parity-lsp check --format json` for `doc`."""
    out = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", doc, "--root", root, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=root,
    ).stdout
    return {
        (d["code"], d["line"] - 1, d["column"] - 1)
        for d in json.loads(out)["diagnostics"]
        if d["path"] == doc
    }


def seen(items: list[dict], text_lines: list[str]) -> set[tuple[str, int, int]]:
    """The same triples from pulled diagnostics (UTF-16 columns to code points)."""
    out = set()
    for d in items:
        start = d["range"]["start"]
        line = text_lines[start["line"]] if start["line"] < len(text_lines) else ""
        units, col = 0, 0
        while col < len(line) and units < start["character"]:
            units += 2 if ord(line[col]) > 0xFFFF else 1
            col += 1
        out.add((str(d.get("code")), start["line"], col))
    return out


def import_pygls_ms() -> float:
    """Spawn -> exit of `python -c "import pygls.lsp.server"` (the interpreter's start included,
    as it is in a server's spawn -> initialize)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pygls.lsp.server"], check=True)
    return (time.perf_counter() - t) * 1000


def one_run(
    cmd: list[str], root: str, doc: str, expected: set | None, peer: str | None, timeout: float
) -> dict:
    """One server: spawn, initialize, open `doc`, pull; then pull on each refresh until the
    diagnostics are `expected` (None: the first pull is complete)."""
    text = Path(root, doc).read_text(encoding="utf-8")
    lines = text.split("\n")
    uri = lsp_bench.path_to_uri(os.path.join(root, doc))
    peer_cfg = lsp_bench.PEERS.get(peer) if peer else None
    settings = json.loads(json.dumps(peer_cfg["settings"])) if peer_cfg else {}
    holder: dict = {}
    shim = peer_cfg["shim"](lambda: holder["c"]) if peer_cfg else None
    client = holder["c"] = lsp_bench.Client(root, settings, shim)
    with tempfile.NamedTemporaryFile(prefix="staged_bench_", suffix=".log", delete=False) as log:
        log_path = log.name
    conn = lsp_bench.Connection(cmd, os.getcwd(), client, log_path)
    out: dict = {}
    try:
        params = {
            "processId": os.getpid(),
            "rootUri": lsp_bench.path_to_uri(root),
            "rootPath": root,
            "workspaceFolders": [{"uri": lsp_bench.path_to_uri(root), "name": os.path.basename(root)}],
            "capabilities": lsp_bench.client_capabilities(),
        }
        if "initializationOptions" in settings:
            params["initializationOptions"] = settings["initializationOptions"]
        rid = conn.send_request("initialize", params)
        t_init, result = conn.wait_response(rid, timeout)
        out["init_ms"] = (t_init - conn.t_spawn) * 1000
        conn.notify("initialized", {})
        if client.configuration:
            conn.notify("workspace/didChangeConfiguration", {"settings": client.configuration})
        identifier = (
            ((result or {}).get("capabilities") or {}).get("diagnosticProvider", {}).get("identifier")
        )
        client.set_text(uri, text)
        t_open = time.perf_counter()
        conn.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
        )

        def pull() -> tuple[float, list[dict]]:
            req = {"textDocument": {"uri": uri}}
            if identifier:
                req["identifier"] = identifier
            for _ in range(50):
                rid = conn.send_request("textDocument/diagnostic", req)
                try:
                    t, res = conn.wait_response(rid, timeout)
                except lsp_bench.ResponseError as e:
                    if e.error.get("code") in (-32802, -32801):  # ServerCancelled, ContentModified
                        time.sleep(0.005)
                        continue
                    raise
                return t, (res or {}).get("items") or []
            raise lsp_bench.WaitTimeout("diagnostic pulls kept being cancelled")

        t_first, items = pull()
        out["open_first_ms"] = (t_first - t_open) * 1000
        out["first_count"] = len(items)
        got = seen(items, lines)
        if expected is not None:
            out["first_subset_of_final"] = got <= expected
            deadline = time.perf_counter() + timeout
            refreshes = 0
            while got != expected:
                with conn.cv:
                    while conn.req_counts.get(REFRESH, 0) <= refreshes and not conn.dead:
                        left = deadline - time.perf_counter()
                        if left <= 0:
                            raise lsp_bench.WaitTimeout("no complete diagnostics")
                        conn.cv.wait(min(left, 0.05))
                    refreshes = conn.req_counts.get(REFRESH, 0)
                t_done, items = pull()
                got = seen(items, lines)
                out["pulls"] = out.get("pulls", 1) + 1
            out["open_complete_ms"] = ((t_done if out.get("pulls") else t_first) - t_open) * 1000
            out["spawn_to_complete_ms"] = out["init_ms"] + (time.perf_counter() - t_open) * 0  # filled below
            out["spawn_to_complete_ms"] = (t_open - conn.t_spawn) * 1000 + out["open_complete_ms"]
        else:
            out["open_complete_ms"] = out["open_first_ms"]
            out["spawn_to_complete_ms"] = (t_first - conn.t_spawn) * 1000
        out["complete_count"] = len(items)
    except Exception as exc:  # noqa: BLE001 - recorded: a round that failed is reported, not fatal
        out["error"] = repr(exc)
    finally:
        try:
            rid = conn.send_request("shutdown", None)
            conn.wait_response(rid, 10)
            conn.notify("exit", None)
        except Exception:  # noqa: BLE001 - a server that cannot shut down is killed
            pass
        conn.close(10)
        os.unlink(log_path)
    return out


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--doc", default="docs/parity/matrix.md")
    ap.add_argument("--cmd", default=f"{sys.executable} -m parity_lsp serve")
    ap.add_argument("--peer-cmd")
    ap.add_argument("--peer-doc", default="docs/peer/matrix_links.md")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    expected = check_findings(root, args.doc)
    runs: dict[str, list[dict]] = {"parity-lsp": [], "vscode-markdown": []}
    imports: list[float] = []
    load = os.getloadavg()[0]
    for r in range(args.rounds):
        order = ["pygls", "parity-lsp", "vscode-markdown"]
        if r % 2:
            order.reverse()
        for who in order:
            if who == "pygls":
                imports.append(import_pygls_ms())
            elif who == "parity-lsp":
                runs[who].append(one_run(shlex.split(args.cmd), root, args.doc, expected, None, args.timeout))
            elif args.peer_cmd:
                doc = args.peer_doc if Path(root, args.peer_doc).is_file() else args.doc
                runs[who].append(
                    one_run(shlex.split(args.peer_cmd), root, doc, None, "vscode-markdown", args.timeout)
                )
    summary: dict = {"import_pygls_ms": median(imports), "load_at_start": round(load, 2)}
    for who, rs in runs.items():
        if not rs:
            continue
        summary[who] = {
            k: median([x.get(k) for x in rs])
            for k in ("init_ms", "open_first_ms", "open_complete_ms", "spawn_to_complete_ms")
        }
        summary[who]["errors"] = [x["error"] for x in rs if "error" in x]
        if who == "parity-lsp":
            summary[who]["first_subset_of_final"] = all(x.get("first_subset_of_final", False) for x in rs)
            summary[who]["expected_findings"] = len(expected)
    ours, peer = summary.get("parity-lsp", {}), summary.get("vscode-markdown", {})
    ratios = {}
    if ours.get("init_ms") and summary["import_pygls_ms"]:
        ratios["init_vs_import_pygls"] = round(ours["init_ms"] / summary["import_pygls_ms"], 2)
    for key in ("open_first_ms", "open_complete_ms", "init_ms"):
        if ours.get(key) and peer.get("open_complete_ms" if key != "init_ms" else "init_ms"):
            base = peer["open_complete_ms"] if key != "init_ms" else peer["init_ms"]
            ratios[f"{key}_vs_peer"] = round(ours[key] / base, 2)
    summary["ratios"] = ratios
    print(json.dumps({"summary": summary, "runs": runs, "import_pygls_ms": imports}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
