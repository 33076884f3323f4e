"""Helpers for language-server tests: a real pytest-lsp client talking JSON-RPC to the server.

`session(root)` serves the client from a server in this process (its own thread and event loop,
the real stdio transport over a pair of pipes: every message is framed, encoded and decoded as
between an editor and `parity-lsp serve`), without the second or two a new interpreter takes to
import the server. `session(root, process=True)` starts `python -m parity_lsp serve` instead:
the thin layer of tests that shows each LSP method through a real server process (one or two per
method; `tests/test_lsp_process.py` lists which) and what only a process shows (its exit, its
start-up: tests/test_lsp_startup.py, tests/test_robust_protocol.py)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import logging
import os
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.io_ import run_async
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp import client_capabilities as _load_capabilities
from pytest_lsp.client import register_lsp_features

SERVER = [sys.executable, "-m", "parity_lsp", "serve"]
# PARITY_TEST_SERVER_PROCESS=1: every session starts a server process (as before the in-process
# transport: a deeper, slower run of the same tests)
ALWAYS_A_PROCESS = os.environ.get("PARITY_TEST_SERVER_PROCESS") == "1"
HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)


@functools.cache
def _capabilities(client: str) -> types.ClientCapabilities:
    return _load_capabilities(client)


def client_capabilities(client: str) -> types.ClientCapabilities:
    """pytest-lsp's capabilities of `client` (e.g. "neovim@v0.7.0"): read and structured once
    per run (a third of a second each time), a copy each call (tests change them)."""
    return copy.deepcopy(_capabilities(client))


# One cattrs converter for the clients and one for the in-process servers of a run: a new
# converter generates its (un)structuring code again on first use, a third of a second per
# session. (A server process has its own, as an editor's server does.)
client_converter = functools.cache(default_converter)
_server_converter = functools.cache(default_converter)


def make_test_lsp_client() -> LanguageClient:
    """pytest-lsp's test client (`make_test_lsp_client`), with the run's client converter."""
    client = LanguageClient(converter_factory=client_converter)
    register_lsp_features(client)
    return client


def pull_capabilities(base: str = "visual-studio-code") -> types.ClientCapabilities:
    """A client that pulls diagnostics (document and workspace) and accepts refresh requests."""
    caps = client_capabilities(base)
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=True
    )
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


def write_tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".parity-lsp.toml").write_text("")
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content) if not content.startswith("|") else content, encoding="utf-8")
    return root


def uri(root: Path, rel: str) -> str:
    return (root / rel).resolve().as_uri()


@contextlib.asynccontextmanager
async def session(
    root: Path,
    client: str = "visual-studio-code",
    settings: dict | None = None,
    init_options: dict | None = None,
    capabilities: types.ClientCapabilities | None = None,
    process: bool = False,
):
    if process or ALWAYS_A_PROCESS:
        process = True
        lsp = await ClientServerConfig(server_command=SERVER, client_factory=make_test_lsp_client).start()
    else:
        lsp = await start_in_process()
    lsp.set_configuration({"parityLsp": settings or {}})
    lsp.registrations = []

    @lsp.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams):
        lsp.registrations.extend(params.registrations)
        return None

    caps = capabilities or client_capabilities(client)
    result = await lsp.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=root.resolve().as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.resolve().as_uri(), name=root.name)],
            initialization_options=init_options,
        )
    )
    lsp.init_result = result
    try:
        yield lsp
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(lsp.shutdown_session(), 10)
        with contextlib.suppress(Exception):
            await lsp.stop()
        if not process:
            await stop_in_process(lsp)


class InProcessServer:
    """`create_server()` served by `transport.serve_stdio` (as `parity-lsp serve` serves) in a
    thread of this process, its stdin and stdout two pipes; shaped like the asyncio process the
    clients would otherwise start: `stdin` (a StreamWriter), `stdout` (a StreamReader),
    `returncode` (what `serve` returns: 0 after shutdown, 1 without), `wait()`, `kill()`."""

    def __init__(self) -> None:
        from parity_lsp.lsp.server import create_server

        self.server = create_server()
        _share_converter(self.server)
        self.returncode: int | None = None
        self.error: BaseException | None = None
        to_server_r, self._to_server_w = os.pipe()
        self._to_client_r, to_client_w = os.pipe()
        self._server_in = os.fdopen(to_server_r, "rb", buffering=0)
        self._server_out = os.fdopen(to_client_w, "wb")
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.thread = threading.Thread(target=self._serve, name="parity-lsp-server", daemon=True)

    def _serve(self) -> None:
        try:
            self.server.start_io(self._server_in, self._server_out)
            self.returncode = 0 if self.server.protocol.shutdown_seen else 1
        except BaseException as exc:  # the console script's "internal error" status
            self.error, self.returncode = exc, 3
            raise
        finally:
            for stream in (self._server_in, self._server_out):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()

    async def start(self, limit: int = 1 << 24) -> InProcessServer:
        self.thread.start()
        loop = asyncio.get_running_loop()
        self.stdout = asyncio.StreamReader(limit=limit)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self.stdout), os.fdopen(self._to_client_r, "rb", 0)
        )
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(self._to_server_w, "wb", 0)
        )
        self.stdin = asyncio.StreamWriter(transport, protocol, None, loop)
        return self

    def kill(self) -> None:
        """End of input (an editor closing the server's stdin): the server stops reading."""
        if self.stdin is not None and not self.stdin.is_closing():
            self.stdin.close()

    async def wait(self, timeout: float = 20.0) -> int | None:
        await asyncio.get_running_loop().run_in_executor(None, self.thread.join, timeout)
        assert not self.thread.is_alive(), "the in-process server did not stop"
        return self.returncode


async def start_in_process(
    client_factory: Callable[[], LanguageClient] = make_test_lsp_client,
) -> LanguageClient:
    """A pytest-lsp client talking to an `InProcessServer`."""
    client = client_factory()
    server = await InProcessServer().start()
    client.protocol.set_writer(server.stdin)
    connection = asyncio.create_task(
        run_async(
            stop_event=client._stop_event,
            reader=server.stdout,
            protocol=client.protocol,
            logger=logging.getLogger("lspkit"),
            error_handler=client.report_server_error,
        )
    )
    client._async_tasks.append(connection)
    client.in_process = server
    return client


def _share_converter(server) -> None:
    """The run's server converter in place of the one `create_server` made (pygls keeps it on
    the protocol and its feature manager)."""
    shared = _server_converter()
    assert hasattr(server.protocol, "_converter"), "pygls changed: update lspkit._share_converter"
    server.protocol._converter = shared
    server.protocol.fm.converter = shared


async def stop_in_process(client: LanguageClient) -> None:
    """End of input for the server (as when an editor closes its pipe), then wait for its thread."""
    server = client.in_process
    server.kill()
    await server.wait()


async def wait_for(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def pushed(lsp, file_uri: str, timeout: float = 20.0, version=None):
    """Wait until diagnostics for `file_uri` (optionally of `version`) were pushed."""

    def ready():
        if file_uri not in lsp.diagnostics:
            return None
        return True

    await wait_for(ready, timeout, f"diagnostics for {file_uri}")
    return lsp.diagnostics[file_uri]


def codes(diags) -> list[tuple[str, int]]:
    return sorted((d.code, d.range.start.line) for d in diags)


def open_doc(lsp, root: Path, rel: str, language: str = "markdown", version: int = 1) -> str:
    text = (root / rel).read_text(encoding="utf-8")
    u = uri(root, rel)
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=u, language_id=language, version=version, text=text)
        )
    )
    return u
