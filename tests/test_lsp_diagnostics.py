"""Language server, end to end: diagnostics pushed and pulled, open buffers, watched files."""

import asyncio
import json
import subprocess
import sys

import pytest
from lspkit import HEADER, codes, open_doc, pull_capabilities, pushed, session, uri, wait_for, write_tree
from lsprotocol import types

CODE = """\
    /// Doc.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }
    """
ROW = "| Tick keys | Events | Planned | unit | `src/lib.rs:2` (`tick_key`) | — | — | @team | |\n"
BAD = "| Ticks 🚀 日本 | Events | Planned | unit | `src/gone.rs` | — | — | @team | |\n"


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path,
        {
            "src/lib.rs": CODE,
            "docs/parity/m.md": HEADER + ROW + BAD,
            "docs/parity/other.md": HEADER + BAD.replace("Ticks", "Other ticks"),
        },
    )


async def test_push_client_gets_workspace_wide_diagnostics_with_metadata(root):
    # neovim 0.7 has no pull diagnostics: everything is pushed, unopened matrices included
    # (a server process: textDocument/publishDiagnostics end to end, tests/test_lsp_process.py)
    async with session(root, client="neovim@v0.7.0", process=True) as lsp:
        diags = await pushed(lsp, uri(root, "docs/parity/other.md"))
        assert codes(diags) == [("PM301", 2)]
        diags = await pushed(lsp, uri(root, "docs/parity/m.md"))
        (d,) = diags
        assert d.source == "parity-lsp" and d.severity == types.DiagnosticSeverity.Warning
        assert d.code_description.href.endswith("/PM301.md")
        # 🚀 is two UTF-16 units: the range is in UTF-16 (the default encoding)
        line = (HEADER + ROW + BAD).splitlines()[3]
        start = line.index("`src/gone.rs`") + 1
        utf16 = len(line[:start].encode("utf-16-le")) // 2
        assert (d.range.start.line, d.range.start.character) == (3, utf16)
        assert d.range.end.character - d.range.start.character == len("src/gone.rs")


async def test_utf8_position_encoding_when_offered(root):
    caps = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=["utf-8", "utf-16"])
    )
    async with session(root, capabilities=caps) as lsp:
        assert lsp.init_result.capabilities.position_encoding == "utf-8"
        diags = await pushed(lsp, uri(root, "docs/parity/m.md"))
        line = (HEADER + ROW + BAD).splitlines()[3]
        start = line.index("`src/gone.rs`") + 1
        assert diags[0].range.start.character == len(line[:start].encode("utf-8"))


async def test_pull_diagnostics_and_unchanged_result_ids(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
        )
        assert codes(report.items) == [("PM301", 3)]
        again = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=u), previous_result_id=report.result_id
            )
        )
        assert again.kind == "unchanged"
        ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        by_uri = {i.uri: codes(i.items) for i in ws.items}
        assert by_uri == {
            uri(root, "docs/parity/m.md"): [("PM301", 3)],
            uri(root, "docs/parity/other.md"): [("PM301", 2)],
        }


async def test_editing_a_matrix_updates_diagnostics_with_its_version(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        await pushed(lsp, u)
        line = 3
        text = (HEADER + ROW + BAD).splitlines()[line]
        col = len(text[: text.index("src/gone.rs")].encode("utf-16-le")) // 2
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=col),
                            end=types.Position(line=line, character=col + len("src/gone.rs")),
                        ),
                        text="src/lib.rs",
                    )
                ],
            )
        )
        await wait_for(
            lambda: list(lsp.diagnostics.get(u, [None])) == [], what="diagnostics cleared after the fix"
        )


async def test_unsaved_edit_of_a_cited_file_updates_the_matrix(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        m = uri(root, "docs/parity/m.md")
        await pushed(lsp, m)
        r = open_doc(lsp, root, "src/lib.rs", "rust")
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=r, version=2),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(
                        text="\n\n\n" + (root / "src/lib.rs").read_text()
                    )
                ],
            )
        )
        diags = await wait_for(
            lambda: [d for d in lsp.diagnostics.get(m, []) if d.code == "PM304"], what="PM304 after edit"
        )
        assert diags[0].range.start.line == 2
        assert diags[0].related_information[0].location.uri == r
        assert diags[0].related_information[0].location.range.start.line == 4


async def test_watched_file_deleted_on_disk(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        await wait_for(
            lambda: any(r.method == "workspace/didChangeWatchedFiles" for r in lsp.registrations),
            what="watcher registration",
        )
        # the client pulls; it is told to refresh when a cited file changes
        (root / "src" / "lib.rs").unlink()
        before = lsp.diagnostic_refresh_count
        lsp.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=uri(root, "src/lib.rs"), type=types.FileChangeType.Deleted)]
            )
        )
        await wait_for(lambda: lsp.diagnostic_refresh_count > before, what="diagnostic refresh")
        ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        by_uri = {i.uri: codes(i.items) for i in ws.items}
        assert by_uri[uri(root, "docs/parity/m.md")] == [("PM301", 2), ("PM301", 3)]


async def test_configuration_from_the_client(root):
    async with session(root, capabilities=pull_capabilities(), settings={"ignore": ["PM301"]}) as lsp:
        ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        assert all(codes(i.items) == [] for i in ws.items)
        lsp.set_configuration({"parityLsp": {}})
        lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))

        async def has():
            ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
            return any(codes(i.items) for i in ws.items)

        for _ in range(100):
            if await has():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("configuration change not applied")


async def test_progress_and_log_messages_count_what_is_checked(root):
    """Issue 18, item 6: the log counts the matrices checked, as `check` does, not every file
    the include globs match (a charter next to the matrix holds no matrix table)."""
    (root / "docs/parity/charter.md").write_text("# Charter\n\nNo table here.\n")
    (root / "docs/parity/notes.md").write_text("| a | b |\n|---|---|\n| 1 | 2 |\n")
    async with session(root, client="visual-studio-code") as lsp:
        (log,) = await wait_for(
            lambda: [m.message for m in lsp.log_messages if "checked under" in m.message], what="log message"
        )
        assert "2 matrices checked under" in log and "2 included file(s) had no matrix table" in log

        def finished():
            return [r for r in lsp.progress_reports.values() if r and r[-1].kind == "end"]

        (reports,) = await wait_for(finished, what="progress to end")
        assert reports[0].kind == "begin" and reports[0].title == "parity-lsp: indexing"
        assert reports[-1].message == "2 matrices checked"
    check = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", "--format", "json", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert json.loads(check.stdout)["files_checked"] == 2


async def test_pull_client_gets_no_pushed_duplicates(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        open_doc(lsp, root, "docs/parity/m.md")
        await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        await asyncio.sleep(0.3)
        assert all(not d for d in lsp.diagnostics.values())


async def test_watched_file_created_on_disk_push_mode(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        m = uri(root, "docs/parity/m.md")
        await wait_for(lambda: codes(lsp.diagnostics.get(m, [])) == [("PM301", 3)], what="initial")
        (root / "src" / "gone.rs").write_text("fn x() {}\n")
        lsp.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=uri(root, "src/gone.rs"), type=types.FileChangeType.Created)]
            )
        )
        await wait_for(
            lambda: list(lsp.diagnostics.get(m, [None])) == [], what="PM301 gone once the file exists"
        )


async def test_disabled_test_is_tagged_unnecessary(tmp_path):
    lib = "#[test]\n#[ignore]\nfn slow() {}\n"
    row = "| Slow | F | Partial | unit | — | `tests/t.rs` (`slow`) | — | @team | |\n"
    root = write_tree(tmp_path, {"tests/t.rs": lib, "docs/parity/m.md": HEADER + row})
    async with session(root, client="neovim@v0.7.0") as lsp:
        diags = await pushed(lsp, uri(root, "docs/parity/m.md"))
        (d,) = [d for d in diags if d.code == "PM308"]
        assert list(d.tags) == [types.DiagnosticTag.Unnecessary]
        assert d.related_information[0].location.range.start.line == 2


THREE_THOUSAND_ROWS = "".join(ROW.replace("Tick keys", f"Tick keys {i}") for i in range(3000))


async def create_the_missing_file(lsp, root, missing: str) -> tuple[types.DocumentDiagnosticParams, int]:
    """Open the matrix (3,000 rows, then one citing `missing`), see that row's PM301, create
    the file and tell the server. Returns the pull parameters and the refresh count before."""
    await wait_for(
        lambda: any(r.method == "workspace/didChangeWatchedFiles" for r in lsp.registrations),
        what="watcher registration",
    )
    u = open_doc(lsp, root, "docs/parity/m.md")
    params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=u))
    first = await lsp.text_document_diagnostic_async(params)
    assert codes(first.items) == [("PM301", 3002)]
    (root / missing).parent.mkdir(parents=True, exist_ok=True)
    (root / missing).write_text("fn x() {}\n")
    before = lsp.diagnostic_refresh_count
    lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(root, missing), type=types.FileChangeType.Created)]
        )
    )
    return params, before


async def test_a_created_file_is_checked_in_the_background_while_requests_are_answered(tmp_path):
    """A created file next to most rows (here every row cites a file in `src/`) sends the
    matrix back to a full check. The server does it in the background: a pull right after the
    event is answered at once with what the document had; the client is told to refresh when
    the new check is done."""
    root = write_tree(tmp_path, {"src/lib.rs": CODE, "docs/parity/m.md": HEADER + THREE_THOUSAND_ROWS + BAD})
    async with session(root, capabilities=pull_capabilities()) as lsp:
        params, before = await create_the_missing_file(lsp, root, "src/gone.rs")
        # 3,000 rows take a few hundred milliseconds to check again: this answer does not wait
        meanwhile = await lsp.text_document_diagnostic_async(params)
        assert codes(meanwhile.items) == [("PM301", 3002)]
        for _ in range(400):  # then the background check lands, and the client is told to pull
            await asyncio.sleep(0.05)
            if lsp.diagnostic_refresh_count > before:
                after = await lsp.text_document_diagnostic_async(params)
                if not after.items:
                    break
        else:
            raise AssertionError("the background check did not land")


async def test_a_created_file_far_from_most_rows_is_seen_by_the_next_pull(tmp_path):
    """A created file only changes the rows near it (citing it, its directory, its neighbours):
    those are checked again when the event arrives, so the very next pull shows the change."""
    far = BAD.replace("src/gone.rs", "tools/gen/gone.rs")
    root = write_tree(tmp_path, {"src/lib.rs": CODE, "docs/parity/m.md": HEADER + THREE_THOUSAND_ROWS + far})
    async with session(root, capabilities=pull_capabilities()) as lsp:
        params, _ = await create_the_missing_file(lsp, root, "tools/gen/gone.rs")
        after = await lsp.text_document_diagnostic_async(params)
        assert list(after.items) == []
