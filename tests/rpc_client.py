"""A raw JSON-RPC client for robustness tests: Content-Length framing over the server's pipes.

Deliberately independent of pygls/pytest-lsp, so tests can send what a real client never would
(malformed JSON, wrong types, out-of-order versions, bursts) and see exactly what comes back.

    async with RawClient.start(root) as c:          # the server in this process (lspkit)
    async with RawClient.start(root, process=True) as c:   # spawns `python -m parity_lsp serve`
        await c.initialize(root)
        reply = await c.request("textDocument/hover", {...})   # the whole response message
        c.notify("textDocument/didOpen", {...})
        await c.wait_notification("textDocument/publishDiagnostics", lambda p: ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lspkit import ALWAYS_A_PROCESS, InProcessServer

SERVER = [sys.executable, "-m", "parity_lsp", "serve"]


def frame(body: bytes) -> bytes:
    return b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def encode(message: dict) -> bytes:
    return frame(json.dumps(message).encode("utf-8"))


class ServerGone(RuntimeError):
    pass


class RawClient:
    def __init__(self, proc: asyncio.subprocess.Process, stderr_path: Path | None = None) -> None:
        self.proc = proc
        self.stderr_path = stderr_path
        self.ids = itertools.count(1)
        self.pending: dict[object, asyncio.Future] = {}
        self.messages: list[dict] = []  # every message received, in order
        self.notifications: list[dict] = []
        self.unmatched: list[dict] = []  # responses whose id we did not ask for (e.g. id null)
        self.server_requests: list[dict] = []
        self.configuration: object = {}  # answer to workspace/configuration
        self._changed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read_loop())
        self.closed = False

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        cwd: Path | None = None,
        command: list[str] | None = None,
        env: dict | None = None,
        stderr_path: Path | None = None,
        process: bool = False,
    ):
        """The server: `python -m parity_lsp serve` (or `command`, in `cwd`, its stderr to
        `stderr_path`) when a process is asked for (`process`, a `command`, an `env`), else
        served in this process over pipes (tests/lspkit.py, InProcessServer): the same bytes
        both ways; it never reads its working directory (tests/test_lsp_workspace_state.py),
        and what it logs goes to this process's (captured) stderr."""
        if not (process or command or env or ALWAYS_A_PROCESS):
            server = await InProcessServer().start(limit=1 << 26)
            client = cls(server)
            try:
                yield client
            finally:
                await client.close()
            return
        with contextlib.ExitStack() as opened:  # the server has its own descriptor once started
            stderr = (
                opened.enter_context(open(stderr_path, "wb")) if stderr_path else asyncio.subprocess.DEVNULL
            )
            proc = await asyncio.create_subprocess_exec(
                *(command or SERVER),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                cwd=str(cwd) if cwd else None,
                env=env,
                limit=1 << 26,
            )
        client = cls(proc, stderr_path)
        try:
            yield client
        finally:
            await client.close()

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                self.proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.proc.wait(), 10)
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader

    async def wait_exit(self, timeout: float = 10.0) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def stderr_text(self) -> str:
        if self.stderr_path and self.stderr_path.exists():
            return self.stderr_path.read_text(errors="replace")
        return ""

    # --- sending --------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        if self.proc.stdin is None or self.proc.stdin.is_closing():
            raise ServerGone("stdin closed")
        self.proc.stdin.write(data)

    async def drain(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self.proc.stdin.drain()

    def send(self, message: dict) -> None:
        self.send_raw(encode(message))

    def notify(self, method: str, params: object = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request_nowait(
        self, method: str, params: object = None, msg_id: object = None
    ) -> tuple[object, asyncio.Future]:
        msg_id = next(self.ids) if msg_id is None else msg_id
        fut = asyncio.get_running_loop().create_future()
        self.pending[msg_id] = fut
        msg = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return msg_id, fut

    async def request(
        self, method: str, params: object = None, timeout: float = 30.0, msg_id: object = None
    ) -> dict:
        """Send a request; the whole response message ({"result": ...} or {"error": ...})."""
        msg_id, fut = self.request_nowait(method, params, msg_id)
        await self.drain()
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.pending.pop(msg_id, None)

    async def result(self, method: str, params: object = None, timeout: float = 30.0):
        reply = await self.request(method, params, timeout)
        assert "error" not in reply, f"{method} failed: {reply['error']}"
        return reply.get("result")

    # --- receiving --------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = await out.readline()
                    if not line:
                        raise ServerGone("stdout closed")
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = await out.readexactly(length)
                message = json.loads(body)
                self._dispatch(message)
        except (ServerGone, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ServerGone("server exited"))
            self._changed.set()

    def _dispatch(self, message: dict) -> None:
        self.messages.append(message)
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            self._answer_server_request(message)
        elif "method" in message:
            self.notifications.append(message)
        else:
            msg_id = message.get("id")
            fut = self.pending.get(msg_id) if isinstance(msg_id, (str, int, float, type(None))) else None
            if fut is not None and not fut.done():
                fut.set_result(message)
            else:
                self.unmatched.append(message)
        self._changed.set()

    def _answer_server_request(self, message: dict) -> None:
        method = message["method"]
        if method == "workspace/configuration":
            items = (message.get("params") or {}).get("items") or [{}]
            result: object = [self.configuration for _ in items]
        else:  # client/registerCapability, window/workDoneProgress/create, */refresh
            result = None
        with contextlib.suppress(Exception):
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    async def wait_for(self, predicate, timeout: float = 20.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    def diagnostics_for(self, uri: str) -> list[dict]:
        """Every publishDiagnostics params for `uri`, in arrival order."""
        return [
            n["params"]
            for n in self.notifications
            if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri
        ]

    async def wait_diagnostics(
        self,
        uri: str,
        version: int | None = None,
        timeout: float = 20.0,
        after: int = 0,
        until: Callable[[dict], bool] | None = None,
    ) -> dict:
        """The first publishDiagnostics for `uri` (of `version`, if given) past the first `after`
        (and for which `until(params)` holds: the server publishes a matrix it opens first with
        its syntactic findings, then complete)."""

        def ready():
            for p in self.diagnostics_for(uri)[after:]:
                if (version is None or p.get("version") == version) and (until is None or until(p)):
                    return p
            return None

        return await self.wait_for(ready, timeout, f"diagnostics for {uri} version {version}")

    # --- the usual conversation -----------------------------------------------------------

    async def initialize(
        self,
        root: Path,
        capabilities: dict | None = None,
        initialized: bool = True,
        init_options: dict | None = None,
    ) -> dict:
        reply = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.resolve().as_uri(),
                "workspaceFolders": [{"uri": root.resolve().as_uri(), "name": root.name}],
                "capabilities": capabilities if capabilities is not None else {},
                "initializationOptions": init_options,
            },
        )
        assert "result" in reply, reply
        if initialized:
            self.notify("initialized", {})
            await self.drain()
        return reply["result"]

    def open(self, uri: str, text: str, version: int = 1, language: str = "markdown") -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}},
        )

    def change(
        self, uri: str, version: int, text: str | None = None, edits: list[dict] | None = None
    ) -> None:
        changes = [{"text": text}] if text is not None else edits
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )

    async def alive(self, uri: str, timeout: float = 30.0) -> list:
        """A normal request still works: documentSymbol on `uri` answers with a list."""
        reply = await self.request(
            "textDocument/documentSymbol", {"textDocument": {"uri": uri}}, timeout=timeout
        )
        assert "error" not in reply, reply
        assert isinstance(reply["result"], list), reply
        assert self.proc.returncode is None
        return reply["result"]

    async def shutdown_and_exit(self, timeout: float = 10.0) -> int:
        reply = await self.request("shutdown", None, timeout=timeout)
        assert "error" not in reply, reply
        self.notify("exit")
        await self.drain()
        return await self.wait_exit(timeout)
