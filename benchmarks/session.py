"""Start `parity-lsp serve` for the measuring scripts (file_change_bench.py, soak_bench.py): the
lsp_bench.py client with the capabilities of the compare runs, initialized, one document open."""

from __future__ import annotations

import os

import lsp_bench


def open_session(root: str, cmd: list[str], log: str, uri: str, text: str) -> tuple[lsp_bench.Client, lsp_bench.Connection]:
    client = lsp_bench.Client(root, {})
    conn = lsp_bench.Connection(cmd, os.getcwd(), client, log)
    rid = conn.send_request("initialize", {
        "processId": os.getpid(), "rootUri": lsp_bench.path_to_uri(root),
        "workspaceFolders": [{"uri": lsp_bench.path_to_uri(root), "name": "wl"}],
        "capabilities": lsp_bench.client_capabilities()})
    conn.wait_response(rid, 120)
    conn.notify("initialized", {})
    client.set_text(uri, text)
    conn.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                                                          "text": text}})
    return client, conn


def shut_down(conn: lsp_bench.Connection) -> None:
    rid = conn.send_request("shutdown", None)
    conn.wait_response(rid, 30)
    conn.notify("exit", None)
