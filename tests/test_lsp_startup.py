"""Startup (issue 19): `initialize` is answered with what is imported to get there — pygls and the
server's LSP layer — without the engine, and without reading or listing anything of the
workspace; the engine is imported and the workspace's configuration read right after the
answer. Checked in a fresh interpreter (what is in `sys.modules`), with an audit hook on every
file opened, directory listed and process started."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ENGINE = [
    "parity_lsp.engine",
    "parity_lsp.analysis",
    "parity_lsp.rules.registry",
    "parity_lsp.parse.markdown",
    "parity_lsp.workspace.index",
    "parity_lsp.workspace.ci.verdict",
    "parity_lsp.features.completion",
    "parity_lsp.cli",
    "markdown_it",
    "yaml",
]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    root, engine = sys.argv[1], json.loads(sys.argv[2])
    touched = []

    def audit(event, args):
        if event in ("open", "os.listdir", "os.scandir", "os.stat", "subprocess.Popen"):
            arg = args[0] if args else ""
            if isinstance(arg, (list, tuple)):
                arg = " ".join(map(str, arg))
            if root in str(arg) or event == "subprocess.Popen":
                touched.append(f"{event} {arg}")

    sys.addaudithook(audit)
    sys.argv = ["parity-lsp", "serve"]
    import parity_lsp.entry  # the console script's module

    from parity_lsp.lsp.server import create_server

    server = create_server()

    class Capture:
        chunks = []
        def write(self, data): self.chunks.append(data)
        def close(self): pass

    server.protocol.set_writer(Capture())

    async def main():
        uri = "file://" + root
        message = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": uri, "capabilities": {},
            "workspaceFolders": [{"uri": uri, "name": "w"}]}}
        server.protocol.handle_message(json.loads(json.dumps(message), object_hook=server.protocol.structure_message))
        answered = [c for c in Capture.chunks if b'"id": 1' in c or b'"id":1' in c]
        before = {"answered": bool(answered), "engine": [m for m in engine if m in sys.modules], "touched": list(touched)}
        await asyncio.sleep(0.05)  # the loop turns: the server starts serving the folder
        after = {"engine": [m for m in engine if m in sys.modules], "touched": list(touched)}
        print(json.dumps({"before": before, "after": after}))

    asyncio.run(main())
    """
)


def test_initialize_is_answered_before_the_engine_is_imported_or_the_workspace_read(tmp_path: Path):
    root = tmp_path / "ws"
    (root / "docs/parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "docs/parity/m.md").write_text("| Capability | Status |\n|---|---|\n")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(root), json.dumps(ENGINE)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    assert before["answered"]
    assert before["engine"] == [], "imported before `initialize` was answered"
    assert before["touched"] == [], "read, listed or ran before `initialize` was answered"
    # right after the answer the engine is there and the folder's configuration was read
    assert "parity_lsp.analysis" in after["engine"]
    assert "parity_lsp.cli" not in after["engine"], "the server does not import the CLI"
    assert any(".parity-lsp.toml" in t for t in after["touched"])


def test_the_command_starts_the_server_without_the_cli():
    """`parity-lsp serve` (the console script, `python -m parity_lsp serve`) goes straight to the
    server: the CLI imports the engine at its own import."""
    code = textwrap.dedent(
        """
        import sys
        sys.argv = ["parity-lsp", "serve", "--stdio"]
        import parity_lsp.lsp.server as server
        def serve(args):
            print(sorted(m for m in sys.modules if m.startswith("parity_lsp")))
            return 0
        server.serve = serve
        from parity_lsp.entry import run
        run()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "parity_lsp.lsp.server" in proc.stdout
    assert "parity_lsp.cli" not in proc.stdout and "parity_lsp.engine" not in proc.stdout
