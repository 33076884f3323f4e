"""Protocol robustness through a raw JSON-RPC client (tests/rpc_client.py), not pytest-lsp.

The server must answer with proper JSON-RPC errors and keep serving: every test ends by
checking that a normal request still works. Known deviations are strict xfails naming the bug.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rpc_client import RawClient, frame

from parity_lsp.analysis import Analysis
from parity_lsp.text import LineIndex

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-repo"
MATRIX = "docs/parity/dagster-parity-matrix.md"

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED, REQUEST_CANCELLED = -32002, -32800


@pytest.fixture
def root(tmp_path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(DEMO, dest)
    return dest.resolve()


def uri_of(root: Path, rel: str = MATRIX) -> str:
    return (root / rel).as_uri()


async def opened(c: RawClient, root: Path, rel: str = MATRIX) -> str:
    """initialize + open the demo matrix; returns its uri once its complete diagnostics arrived
    (the first publish has the syntactic findings only)."""
    await c.initialize(root)
    uri = uri_of(root, rel)
    text = (root / rel).read_text(encoding="utf-8")
    c.open(uri, text)
    await c.drain()
    expected = expected_diagnostics(root, rel, text)
    await c.wait_diagnostics(uri, version=1, until=lambda p: got(p) == expected)
    return uri


def expected_diagnostics(root: Path, rel: str, text: str) -> list[tuple[str, int]]:
    """What the engine says about `text` as an open buffer: sorted (code, 0-based line)."""
    analysis = Analysis(root)
    analysis.open_document(rel, text, 1)
    analysis.check_all()
    idx = LineIndex(text)
    return sorted((f.code, idx.position(f.span.start)[0]) for f in analysis.findings(rel))


def got(params: dict) -> list[tuple[str, int]]:
    return sorted((d["code"], d["range"]["start"]["line"]) for d in params["diagnostics"])


def ranges_in(value, uri: str, current: str | None = None):
    """Every LSP Range in a JSON value that refers to the document `uri` (requests are about
    `uri`, so a range outside any Location/edit naming another document is in `uri`)."""
    if isinstance(value, dict):
        here = current
        if isinstance(value.get("uri"), str):
            here = value["uri"]
        elif isinstance(value.get("textDocument"), dict) and isinstance(
            value["textDocument"].get("uri"), str
        ):
            here = value["textDocument"]["uri"]
        if set(value) >= {"start", "end"} and isinstance(value["start"], dict) and "line" in value["start"]:
            if (here or uri) == uri:
                yield value
            return
        for key, v in value.items():
            if key == "changes" and isinstance(v, dict):
                for doc, edits in v.items():
                    yield from ranges_in(edits, uri, doc)
            elif key in ("targetRange", "targetSelectionRange"):
                yield from ranges_in(v, uri, value.get("targetUri"))
            else:
                yield from ranges_in(v, uri, here)
    elif isinstance(value, list):
        for v in value:
            yield from ranges_in(v, uri, current)


def assert_ranges_inside(value, text: str, uri: str) -> None:
    lines = text.split("\n")
    for r in ranges_in(value, uri):
        for pos in (r["start"], r["end"]):
            assert 0 <= pos["line"] <= len(lines), (r, len(lines))
            if pos["line"] < len(lines):
                # UTF-16 units; the demo matrix is ASCII apart from a few BMP characters
                assert 0 <= pos["character"] <= len(lines[pos["line"]].encode("utf-16-le")) // 2, (
                    r,
                    lines[pos["line"]],
                )


def responses(c: RawClient, msg_id) -> list[dict]:
    return [m for m in c.messages if "method" not in m and m.get("id") == msg_id]


# --- malformed input ----------------------------------------------------------------------------

MALFORMED = [
    frame(b'{"jsonrpc": "2.0", "id": 901, "method": '),  # truncated JSON
    frame(b"{not json at all"),
    frame(b"\xff\xfe\x00garbage"),  # not UTF-8
    frame(b"[1, 2, 3]"),  # valid JSON, not a message
    frame(b'"a string"'),
    frame(b"null"),
    frame(b"42"),
    frame(b"{}"),
    frame(b'{"jsonrpc": "2.0"}'),
    frame(b'{"jsonrpc": "2.0", "id": 902, "method": 5}'),  # method is not a string
    frame(b'{"jsonrpc": "2.0", "id": 903, "result": 1}'),  # response to nothing we asked
    frame(b'{"jsonrpc": "2.0", "id": 904, "error": {"code": 1, "message": "x"}}'),
    b"Content-Length: abc\r\n\r\n",  # unreadable header
    b"X-Unknown-Header: 1\r\n" + frame(b'{"jsonrpc": "2.0", "method": "$/noSuchNotification"}'),
]


async def test_malformed_json_and_framing_do_not_stop_the_server(root, tmp_path):
    async with RawClient.start(root, stderr_path=tmp_path / "stderr.txt") as c:
        uri = await opened(c, root)
        for data in MALFORMED:
            c.send_raw(data)
        await c.drain()
        # a request right behind the garbage is answered
        symbols = await c.alive(uri)
        assert symbols, "the outline of the demo matrix is not empty"
        # nothing answers with an id we never used (the ids in the garbage are 9xx)
        for m in c.messages:
            if "method" not in m and m.get("id") not in (None, *range(1, 100)):
                assert m.get("id") in (901, 902), m
        assert c.proc.returncode is None


async def test_malformed_json_is_answered_with_parse_error(root):
    """JSON-RPC 2.0: a body that is not JSON gets ParseError (-32700) with id null (pygls's own
    loop only logged it; the server reads messages with its own loop)."""
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        c.send_raw(frame(b'{"jsonrpc": "2.0", "id": 901, "method": '))
        await c.drain()
        try:
            reply = await c.wait_for(
                lambda: [m for m in c.unmatched if m.get("id") is None], 2, "a ParseError"
            )
            assert reply[0]["error"]["code"] == PARSE_ERROR
        finally:
            await c.alive(uri)


async def test_wrong_param_types_get_invalid_params(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        bad = [
            ("textDocument/hover", {"textDocument": {"uri": 5}, "position": "x"}),
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": "a", "character": 0}}),
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
            ("textDocument/hover", [1, 2]),
            ("textDocument/definition", {"textDocument": {"uri": uri}}),
            ("textDocument/formatting", {"textDocument": {"uri": uri}, "options": "tabs"}),
            ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": None, "context": {}}),
            ("workspace/executeCommand", {"command": 42}),
            ("textDocument/documentSymbol", {"textDocument": None}),
        ]
        for method, params in bad:
            reply = await c.request(method, params, timeout=10)
            assert reply.get("error", {}).get("code") == INVALID_PARAMS, (method, params, reply)
        # notifications with wrong types have no reply; they must not hurt either
        c.notify("textDocument/didOpen", {"textDocument": 7})
        c.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": "v"}, "contentChanges": 3}
        )
        c.notify("textDocument/didClose", {"textDocument": {"uri": None}})
        c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": 1, "type": "x"}]})
        c.notify("$/cancelRequest", {"id": {"nested": "object"}})
        await c.alive(uri)


async def test_unknown_methods_get_method_not_found(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        for method in ("foo/bar", "textDocument/noSuchThing", "$/customRequest"):
            reply = await c.request(method, {}, timeout=10)
            assert reply.get("error", {}).get("code") == METHOD_NOT_FOUND, (method, reply)
        c.notify("foo/barNotification", {"x": 1})  # unknown notifications are ignored silently
        c.notify("$/setTrace", {"value": "verbose"})
        await c.alive(uri)


async def test_unknown_method_without_params_gets_method_not_found(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        try:
            reply = await c.request("foo/bar", None, timeout=10)
            assert reply.get("error", {}).get("code") == METHOD_NOT_FOUND, reply
        finally:
            await c.alive(uri)


# --- lifecycle -------------------------------------------------------------------------------------


async def test_requests_before_initialize_do_not_break_the_server(root):
    async with RawClient.start(root) as c:
        uri = uri_of(root)
        pos = {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 50}}
        for method in ("textDocument/hover", "textDocument/definition", "textDocument/documentSymbol"):
            reply = await c.request(
                method,
                pos if method != "textDocument/documentSymbol" else {"textDocument": {"uri": uri}},
                timeout=10,
            )
            assert "result" in reply or "error" in reply
        c.open(uri, (root / MATRIX).read_text(encoding="utf-8"))  # notifications before initialize
        await c.initialize(root)
        c.open(uri, (root / MATRIX).read_text(encoding="utf-8"))
        await c.wait_diagnostics(uri)
        await c.alive(uri)


async def test_requests_before_initialize_get_server_not_initialized(root):
    async with RawClient.start(root) as c:
        uri = uri_of(root)
        try:
            reply = await c.request(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 50}},
                timeout=10,
            )
            assert reply.get("error", {}).get("code") == SERVER_NOT_INITIALIZED, reply
        finally:
            await c.initialize(root)
            c.open(uri, (root / MATRIX).read_text(encoding="utf-8"))
            await c.alive(uri)


async def test_exit_without_shutdown_stops_the_process(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        await c.alive(uri)
        c.notify("exit")
        await c.drain()
        code = await c.wait_exit(15)
        assert code in (0, 1)


async def test_exit_without_shutdown_exits_with_code_1(root):
    # the console script's exit status: a server process
    async with RawClient.start(root, process=True) as c:
        uri = await opened(c, root)
        await c.alive(uri)
        c.notify("exit")
        await c.drain()
        assert await c.wait_exit(15) == 1


async def test_shutdown_then_exit_exits_with_code_0(root):
    # the console script's exit status: a server process
    async with RawClient.start(root, process=True) as c:
        uri = await opened(c, root)
        await c.alive(uri)
        assert await c.shutdown_and_exit() == 0


async def test_requests_after_shutdown_get_invalid_request(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        await c.alive(uri)
        assert "error" not in await c.request("shutdown")
        try:
            reply = await c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}, timeout=2)
            assert reply.get("error", {}).get("code") == INVALID_REQUEST, reply
        finally:
            c.notify("exit")
            await c.drain()
            assert await c.wait_exit(15) == 0


# --- positions and documents ------------------------------------------------------------------------


async def test_positions_past_the_end_of_a_line_or_the_file(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        text = (root / MATRIX).read_text(encoding="utf-8")
        nlines = len(text.split("\n"))
        positions = [
            {"line": 9, "character": 10_000},  # past the end of a table row
            {"line": 0, "character": 10_000},
            {"line": nlines - 1, "character": 5},  # the empty last line
            {"line": nlines, "character": 0},  # one past the last line
            {"line": nlines + 500, "character": 3},
            {"line": 2**31 - 1, "character": 2**31 - 1},
        ]
        for pos in positions:
            doc_pos = {"textDocument": {"uri": uri}, "position": pos}
            requests = [
                ("textDocument/hover", doc_pos),
                ("textDocument/definition", doc_pos),
                ("textDocument/declaration", doc_pos),
                ("textDocument/completion", doc_pos),
                ("textDocument/references", {**doc_pos, "context": {"includeDeclaration": True}}),
                (
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": {"start": pos, "end": pos},
                        "context": {"diagnostics": []},
                    },
                ),
                (
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": {"start": {"line": 0, "character": 0}, "end": pos},
                        "context": {"diagnostics": []},
                    },
                ),
                (
                    "textDocument/rangeFormatting",
                    {
                        "textDocument": {"uri": uri},
                        "range": {"start": pos, "end": pos},
                        "options": {"tabSize": 4, "insertSpaces": True},
                    },
                ),
            ]
            for method, params in requests:
                reply = await c.request(method, params, timeout=15)
                assert "error" not in reply, (method, pos, reply)
                assert_ranges_inside(reply["result"], text, uri)
        await c.alive(uri)


async def test_did_change_for_a_document_never_opened(root, tmp_path):
    async with RawClient.start(root, stderr_path=tmp_path / "stderr.txt") as c:
        uri = await opened(c, root)
        never = [
            uri_of(root, "docs/parity/never-opened.md"),
            uri_of(root, "crates/flow-core/src/lib.rs"),
            (tmp_path / "outside.md").as_uri(),
            "untitled:Untitled-1",
            "file:///nonexistent/dir/x.md",
        ]
        edit = {
            "range": {"start": {"line": 3, "character": 2}, "end": {"line": 3, "character": 9}},
            "text": "zz",
        }
        for u in never:
            c.change(u, 2, edits=[edit])
            c.change(u, 3, text="| Capability | Status |\n|---|---|\n| a | Implemeted |\n")
            c.notify("textDocument/didSave", {"textDocument": {"uri": u}})
            c.notify("textDocument/didClose", {"textDocument": {"uri": u}})
        await c.drain()
        await c.alive(uri)
        # the open document is unaffected: its outline and diagnostics still come from its text
        reply = await c.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 3}}
        )
        assert "error" not in reply


OLD_STATUS_LINE = 11  # 0-based line of the "Implemeted" row in the demo matrix


async def test_versions_out_of_order_never_publish_diagnostics_for_the_older_text(root):
    """A newer version (10) is followed by an older one (5). Whatever the server does with the
    late change, it must never publish diagnostics labelled with the older version, nor
    diagnostics for the older text after the newer one's."""
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        base = (root / MATRIX).read_text(encoding="utf-8")
        newer = base.replace("| Implemeted |", "| Implemented |")  # fixes the PM101
        older = base.replace("| @sched-team | Proves", "| TBD | Proves")  # another text entirely
        assert newer != base and older != base
        c.change(uri, 10, text=newer)
        await c.drain()
        p10 = await c.wait_diagnostics(uri, version=10)
        assert ("PM101", OLD_STATUS_LINE) not in got(p10)
        seen = len(c.diagnostics_for(uri))
        c.change(uri, 5, text=older)
        await c.drain()
        await c.alive(uri)
        await asyncio.sleep(1.0)  # the server coalesces edits for 20 ms; give it ample time
        late = c.diagnostics_for(uri)[seen:]
        try:
            assert all(p.get("version") != 5 for p in late), [p.get("version") for p in late]
        finally:
            await c.alive(uri)


async def test_storm_of_cancel_requests(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        rng = random.Random(7)
        futures = {}
        for i in range(300):
            line = rng.randrange(0, 40)
            msg_id, fut = c.request_nowait(
                "textDocument/hover",
                {
                    "textDocument": {"uri": uri},
                    "position": {"line": line, "character": rng.randrange(0, 200)},
                },
            )
            futures[msg_id] = fut
            if i % 2 == 0:
                c.notify("$/cancelRequest", {"id": msg_id})
            for _ in range(3):  # cancels for ids that never existed (or were answered long ago)
                c.notify(
                    "$/cancelRequest", {"id": rng.choice([rng.randrange(10**6, 10**7), f"nope-{i}", 1, 2])}
                )
        for _ in range(500):
            c.notify("$/cancelRequest", {"id": rng.randrange(1, 10**9)})
        await c.drain()
        replies = await asyncio.wait_for(asyncio.gather(*futures.values()), 60)
        for reply in replies:
            if "error" in reply:
                assert reply["error"]["code"] == REQUEST_CANCELLED, reply
            else:
                assert "result" in reply
        for msg_id in futures:
            assert len(responses(c, msg_id)) == 1, (
                f"request {msg_id} answered {len(responses(c, msg_id))} times"
            )
        await c.alive(uri)


def _burst(text: str, n: int, final_status: str) -> tuple[list[dict], str]:
    """`n` incremental edits that type and erase in the Status cell of the PM101 row, ending
    with that cell reading `final_status`. Returns (edits, final text)."""
    lines = text.split("\n")
    line = lines[OLD_STATUS_LINE]
    col = line.index("| Implemeted |") + 2
    edits = []
    current = "Implemeted"
    # erase the word, one character at a time
    for _ in range(len(current)):
        edits.append(
            {
                "range": {
                    "start": {"line": OLD_STATUS_LINE, "character": col + len(current) - 1},
                    "end": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                },
                "text": "",
            }
        )
        current = current[:-1]
    # type and erase junk until only the final word is left to type
    rng = random.Random(3)
    while len(edits) < n - len(final_status):
        if current and (rng.random() < 0.45 or len(edits) + len(current) >= n - len(final_status)):
            edits.append(
                {
                    "range": {
                        "start": {"line": OLD_STATUS_LINE, "character": col + len(current) - 1},
                        "end": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                    },
                    "text": "",
                }
            )
            current = current[:-1]
        else:
            ch = rng.choice("abcdefghijklmnopqrstuvwxyz")
            edits.append(
                {
                    "range": {
                        "start": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                        "end": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                    },
                    "text": ch,
                }
            )
            current += ch
    while current:  # erase what is left
        edits.append(
            {
                "range": {
                    "start": {"line": OLD_STATUS_LINE, "character": col + len(current) - 1},
                    "end": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                },
                "text": "",
            }
        )
        current = current[:-1]
    for ch in final_status:
        edits.append(
            {
                "range": {
                    "start": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                    "end": {"line": OLD_STATUS_LINE, "character": col + len(current)},
                },
                "text": ch,
            }
        )
        current += ch
    lines[OLD_STATUS_LINE] = line[:col] + final_status + line[col + len("Implemeted") :]
    return edits, "\n".join(lines)


@pytest.mark.parametrize("final_status, defect", [("Implemented", False), ("Implementd", True)])
async def test_a_thousand_edits_in_a_burst_end_with_diagnostics_for_the_final_text(
    root, final_status, defect
):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        text = (root / MATRIX).read_text(encoding="utf-8")
        assert ("PM101", OLD_STATUS_LINE) in got(c.diagnostics_for(uri)[-1])
        edits, final = _burst(text, 1000, final_status)
        assert len(edits) >= 1000
        for i, edit in enumerate(edits):
            c.change(uri, i + 2, edits=[edit])
        await c.drain()
        last_version = len(edits) + 1
        expected = expected_diagnostics(root, MATRIX, final)
        # the matrix was opened just before the burst: its semantic stage may finish after it
        final_params = await c.wait_diagnostics(
            uri, version=last_version, timeout=60, until=lambda p: got(p) == expected
        )
        await c.alive(uri)
        await asyncio.sleep(0.5)
        # nothing older is published after the final version's diagnostics
        after = c.diagnostics_for(uri)
        assert after[-1].get("version") == last_version, [p.get("version") for p in after[-5:]]
        assert got(after[-1]) == expected
        assert (("PM101", OLD_STATUS_LINE) in got(final_params)) == defect
        # the server's text is the final text: formatting edits are computed against it
        reply = await c.request(
            "textDocument/formatting",
            {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}},
        )
        assert "error" not in reply
        assert_ranges_inside(reply["result"], final, uri)


# --- size ---------------------------------------------------------------------------------------------


async def test_huge_messages(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        # a 20 MB notification (a non-matrix document) and a 5 MB request
        big = "lorem ipsum dolor sit amet\n" * (20 * 1024 * 1024 // 27)
        c.open(uri_of(root, "notes/huge.txt"), big, language="plaintext")
        reply = await c.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": uri},
                "position": {"line": 9, "character": 3},
                "workDoneToken": "x" * (5 * 1024 * 1024),
            },
            timeout=60,
        )
        assert "error" not in reply or reply["error"]["code"] == INVALID_PARAMS
        c.notify("textDocument/didClose", {"textDocument": {"uri": uri_of(root, "notes/huge.txt")}})
        await c.alive(uri, timeout=60)


async def test_an_overlong_header_line_is_skipped(root):
    """A header line longer than the reader's line limit (1 MB) with no newline for a while:
    dropped as a non-header line; the next message is read and answered."""
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        c.send_raw(b"X-Junk: " + b"j" * (3 * 1024 * 1024) + b"\r\n")
        await c.drain()
        await c.alive(uri, timeout=60)


async def test_an_open_matrix_buffer_over_the_limit_is_rejected_with_pm000(root):
    async with RawClient.start(root) as c:
        uri = await opened(c, root)
        header = (root / MATRIX).read_text(encoding="utf-8").split("\n")[7:9]
        text = (
            "\n".join(header)
            + "\n| Giant | x | Implemented | unit | | | | @me | "
            + "n" * (11 * 1024 * 1024)
            + " |\n"
        )
        big_uri = uri_of(root, "docs/parity/giant.md")
        c.open(big_uri, text)
        await c.drain()
        try:
            params = await c.wait_diagnostics(big_uri, timeout=60)
            assert [d["code"] for d in params["diagnostics"]] == ["PM000"], got(params)
            assert "larger than" in params["diagnostics"][0]["message"]
        finally:
            await c.alive(uri, timeout=60)


def test_messages_from_a_regular_file_on_stdin_are_served(root, tmp_path):
    """stdin that is not a pipe (here a file) is read by pygls's thread reader, same framing."""

    def framed(obj):
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    script = tmp_path / "session.bin"
    script.write_bytes(
        framed(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}},
            }
        )
        + framed({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        + b"Content-Length: 9\r\n\r\n{not json"
        + framed({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + framed({"jsonrpc": "2.0", "method": "exit"})
    )
    with open(script, "rb") as stdin:
        proc = subprocess.run(
            [sys.executable, "-m", "parity_lsp", "serve"],
            stdin=stdin,
            capture_output=True,
            timeout=60,
            cwd=root,
        )
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert '"id": 1' in out and '"capabilities"' in out and '"id": 2' in out
    assert '"code": -32700' in out
