"""Helpers for end-to-end language-server tests: a real server process, a real pytest-lsp client."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

SERVER = [sys.executable, "-m", "parity_lsp", "serve"]
HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)


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
):
    lsp = await ClientServerConfig(server_command=SERVER).start()
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
