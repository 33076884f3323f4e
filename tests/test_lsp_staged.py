"""Staged diagnostics through the protocol (issue 19): a matrix opened in the editor is published
first with its syntactic findings, then complete; a pulling client gets the syntactic findings
on its first pull (never an empty report) and is asked to pull again when the rest is known.
The stages' content is checked in process (test_staged_diagnostics.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lspkit import pull_capabilities, session, uri, wait_for
from lsprotocol import types

from parity_lsp.rules import registry

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-repo"
# A matrix the editor opens before it is saved: no background check of the workspace can have
# checked it before the editor opens it (the demo matrix's text, at a new path).
MATRIX = "docs/parity/new-parity-matrix.md"
TEXT = (DEMO / "docs/parity/dagster-parity-matrix.md").read_text(encoding="utf-8")


@pytest.fixture
def root(tmp_path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(DEMO, dest)
    (dest / "docs/parity/dagster-parity-matrix.md").unlink()  # its capabilities are the new one's
    return dest.resolve()


def open_matrix(lsp, root: Path) -> str:
    u = uri(root, MATRIX)
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=u, language_id="markdown", version=1, text=TEXT)
        )
    )
    return u


def check_json(root: Path) -> set[tuple[str, int, int]]:
    """(code, 0-based line, 0-based column) of every finding `parity-lsp check` reports for the
    matrix (written to disk for the command, removed after)."""
    (root / MATRIX).write_text(TEXT, encoding="utf-8")
    try:
        return _check_json(root)
    finally:
        (root / MATRIX).unlink()


def _check_json(root: Path) -> set[tuple[str, int, int]]:
    out = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", MATRIX, "--root", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=root,
    ).stdout
    return {
        (d["code"], d["line"] - 1, d["column"] - 1)
        for d in json.loads(out)["diagnostics"]
        if d["path"] == MATRIX
    }


def seen(diagnostics) -> set[tuple[str, int, int]]:
    # the demo matrix is ASCII where findings start: UTF-16 columns are code points
    return {(d.code, d.range.start.line, d.range.start.character) for d in diagnostics}


async def test_a_push_client_gets_the_syntactic_findings_then_the_complete_ones(root):
    expected = check_json(root)
    async with session(root, client="neovim@v0.7.0") as lsp:  # pushes only
        publishes: list[types.PublishDiagnosticsParams] = []
        builtin = lsp.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def record(params: types.PublishDiagnosticsParams) -> None:
            publishes.append(params)
            builtin(params)

        lsp.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
        u = open_matrix(lsp, root)
        mine = await wait_for(
            lambda: (
                [p for p in publishes if p.uri == u and p.version == 1 and seen(p.diagnostics) == expected]
                and [p for p in publishes if p.uri == u and p.version == 1]
            ),
            what="the complete diagnostics",
        )
        first, final = mine[0], mine[-1]
        assert seen(first.diagnostics) < seen(final.diagnostics) == expected
        assert all(registry.RULES[d.code].stage == "syntactic" for d in first.diagnostics)


async def test_a_pull_client_is_asked_to_pull_again_when_the_rest_is_known(root):
    expected = check_json(root)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        before = lsp.diagnostic_refresh_count
        u = open_matrix(lsp, root)
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
        )
        first = seen(report.items)
        assert first and first < expected, "the first pull answers the syntactic findings"
        # pull again each time the server asks (it asks after any publish it makes: its settings
        # applied, the workspace indexed, and the rest of this matrix known), until complete
        for _ in range(10):
            await wait_for(
                lambda asked=before: lsp.diagnostic_refresh_count > asked, what="workspace/diagnostic/refresh"
            )
            before = lsp.diagnostic_refresh_count
            again = await lsp.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
            )
            assert first <= seen(again.items) <= expected
            if seen(again.items) == expected:
                break
        assert seen(again.items) == expected
        assert again.result_id != report.result_id


async def test_imports_ahead_of_use_and_indexing_wait_for_the_open_matrixs_semantic_stage(monkeypatch):
    """Work nobody waits for (warm-up imports, indexing the other matrices) yields to a running
    semantic stage: the open matrix's complete diagnostics come first."""
    import asyncio
    from types import SimpleNamespace

    from parity_lsp.lsp import server as server_module

    imported: list[str] = []
    monkeypatch.setattr(server_module, "importlib", SimpleNamespace(import_module=imported.append))
    monkeypatch.setattr(server_module, "_warm_up_modules", lambda: ["parity_lsp.features.completion"])
    ls = server_module.ParityServer()
    stage = asyncio.get_running_loop().create_future()
    ls.folders = [SimpleNamespace(completing={"docs/parity/matrix.md": stage})]
    warming = asyncio.ensure_future(ls.warm_up())
    indexing = asyncio.ensure_future(ls.after_semantic_stages())
    await asyncio.sleep(0.1)
    assert imported == [] and not indexing.done(), "nothing runs while the semantic stage does"
    stage.set_result(None)
    await asyncio.wait_for(asyncio.gather(warming, indexing), 10)
    assert imported == ["parity_lsp.features.completion"]


async def test_the_first_pull_is_answered_before_the_semantic_stage_starts(root, monkeypatch):
    """The answer that carries the syntactic findings leaves before the first semantic row is
    checked (that row imports the CI model and reads the cited files: the answer waited for it,
    since pygls writes an answer in a callback after the tasks already scheduled)."""
    from parity_lsp.analysis import Analysis
    from parity_lsp.lsp.transport import ParityProtocol

    events: list[str] = []
    write, complete_rows = ParityProtocol.write_body, Analysis._complete_rows

    def recording_write(self, body: str) -> None:
        if '"resultId"' in body and not events.count("pull answered"):
            events.append("pull answered")
        write(self, body)

    def recording_rows(self, *args, **kwargs):
        if not events.count("semantic row"):
            events.append("semantic row")
        return complete_rows(self, *args, **kwargs)

    monkeypatch.setattr(ParityProtocol, "write_body", recording_write)
    monkeypatch.setattr(Analysis, "_complete_rows", recording_rows)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_matrix(lsp, root)
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
        )
        assert report.items
        await wait_for(lambda: "semantic row" in events, what="the semantic stage")
    assert events == ["pull answered", "semantic row"]


@pytest.mark.parametrize("git", [False, True], ids=["walked", "git ls-files in a thread"])
async def test_the_completion_tree_is_built_while_the_open_matrixs_semantic_stage_runs(
    root, monkeypatch, git
):
    """The first path completion of a session comes while the open matrix's semantic stage
    (seconds on a large matrix) still runs: the directory tree it needs is built meanwhile, not
    after that stage (the first completion built it: ~0.25 s at 20,000 files). The file list
    is walked in steps, or, in a git repository, read by `git ls-files` in a thread."""
    import asyncio

    from parity_lsp.analysis import Analysis

    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / "src_only_in_git.rs").write_text("fn x() {}\n")

    async def endless_semantic_stage(self, rel, step_seconds=0.001):
        await asyncio.sleep(3600)
        return False

    monkeypatch.setattr(Analysis, "complete_in_steps", endless_semantic_stage)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_matrix(lsp, root)
        await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
        )
        (folder,) = lsp.in_process.server.folders
        assert folder.completing, "the semantic stage is running"
        await wait_for(lambda: folder.analysis.ws._tree.tree is not None, what="the completion tree")
        assert folder.analysis.ws._tree.tree.is_dir("docs/parity")
        assert folder.analysis.ws._tree.tree.is_file("src_only_in_git.rs") is git


async def test_a_hover_on_a_row_shows_its_semantic_findings_before_the_stage_reaches_it(root, monkeypatch):
    """The semantic stage of a large matrix takes seconds; a hover on a row meanwhile checks
    that row (a few milliseconds) and shows its findings, not only the syntactic ones."""
    import asyncio

    from parity_lsp.analysis import Analysis

    async def endless_semantic_stage(self, rel, step_seconds=0.001):
        await asyncio.sleep(3600)
        return False

    semantic = sorted(f for f in check_json(root) if registry.RULES[f[0]].stage == "semantic")
    assert semantic, "the demo matrix has semantic findings"
    code, line, column = semantic[0]
    monkeypatch.setattr(Analysis, "complete_in_steps", endless_semantic_stage)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_matrix(lsp, root)
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
        )
        assert code not in {d.code for d in report.items if d.range.start.line == line}  # not known yet
        hover = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=line, character=column + 1),
            )
        )
        assert hover is not None and f"**{code} " in hover.contents.value
