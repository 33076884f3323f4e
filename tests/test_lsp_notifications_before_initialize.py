"""Notifications that arrive before `initialize` are dropped quietly (LSP: "notifications should
be dropped, except for the exit notification"). The server has no workspace then; its
`initialized`, `didChangeConfiguration` and `didChangeWatchedFiles` handlers used the missing
analysis and failed, which pygls shows the user as "Error in server: AttributeError ...".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rpc_client import RawClient

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-repo"
MATRIX = "docs/parity/dagster-parity-matrix.md"


@pytest.fixture
def root(tmp_path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(DEMO, dest)
    return dest.resolve()


async def test_notifications_before_initialize_are_dropped_without_errors(root):
    async with RawClient.start(root) as c:
        uri = (root / MATRIX).as_uri()
        c.notify("initialized", {})
        c.notify("workspace/didChangeConfiguration", {"settings": {"parityLsp": {}}})
        c.notify(
            "workspace/didChangeWatchedFiles",
            {"changes": [{"uri": (root / "crates/flow-core/src/lib.rs").as_uri(), "type": 2}]},
        )
        await c.drain()
        await c.initialize(root)
        c.open(uri, (root / MATRIX).read_text(encoding="utf-8"))
        await c.wait_diagnostics(uri)
        await c.alive(uri)
        errors = [
            n["params"]["message"]
            for n in c.notifications
            if n.get("method") == "window/showMessage" and n["params"].get("type") == 1
        ]
        assert errors == []
