"""Start `parity-lsp serve` for the measuring scripts (file_change_bench.py, soak_bench.py): the
lsp_bench.py client with the capabilities of the compare runs, initialized, one document open."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import lsp_bench


def parse_workload_args(ap: argparse.ArgumentParser) -> tuple[argparse.Namespace, str, str, str]:
    """Add the arguments every measuring script takes (ROOT, --doc, --cmd) to the script's own
    and parse them: (args, absolute root, the document's path, its text)."""
    ap.add_argument("root")
    ap.add_argument("--doc", default="docs/parity/matrix.md")
    ap.add_argument("--cmd", default=f"{sys.executable} -m parity_lsp serve")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    doc = os.path.join(root, args.doc)
    return args, root, doc, Path(doc).read_text(encoding="utf-8")


def open_session(
    root: str, cmd: list[str], log: str, uri: str, text: str
) -> tuple[lsp_bench.Client, lsp_bench.Connection]:
    client = lsp_bench.Client(root, {})
    conn = lsp_bench.Connection(cmd, os.getcwd(), client, log)
    rid = conn.send_request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": lsp_bench.path_to_uri(root),
            "workspaceFolders": [{"uri": lsp_bench.path_to_uri(root), "name": "wl"}],
            "capabilities": lsp_bench.client_capabilities(),
        },
    )
    conn.wait_response(rid, 120)
    conn.notify("initialized", {})
    client.set_text(uri, text)
    conn.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
    )
    return client, conn


def shut_down(conn: lsp_bench.Connection) -> None:
    rid = conn.send_request("shutdown", None)
    conn.wait_response(rid, 30)
    conn.notify("exit", None)
