"""Language server, end to end: textDocument/references and workspace/willRenameFiles."""

from __future__ import annotations

import asyncio
import textwrap

import pytest
from lspkit import HEADER, open_doc, pull_capabilities, session, uri, write_tree
from lsprotocol import types

CODE = """\
    pub struct Ledger;

    impl Ledger {
        pub fn record(&self) -> bool {
            true
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn record_works() {}
    }
    """
WORKFLOW = """\
    name: CI
    on: [push]
    jobs:
      rust:
        name: Rust tests
        runs-on: ubuntu-latest
        steps:
          - run: cargo test
    """
CI = "`.github/workflows/ci.yml` (job `rust`: `cargo test`)"
M = "docs/parity/m.md"
OTHER = "docs/parity/other.md"
# line 2: the emoji shifts UTF-16 columns by one
M_TEXT = HEADER + (
    f"| Ledger 🚀 | F | Partial | unit | `src/ledger.rs:4` (`record`) | `src/ledger.rs` (`record_works`) | {CI} | @team | |\n"
    "| Link | F | Partial | unit | [ledger](../../src/ledger.rs#L4) | — | — | @team | |\n"
)
OTHER_TEXT = HEADER + (
    "| Other | F | Partial | unit | `src/ledger.rs` (`Ledger::record`) | — "
    "| `.github/workflows/ci.yml` (job `Rust tests`: `cargo test`) | @team | |\n"
)


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
            "src/lib.rs": "pub mod ledger;\n",
            "src/ledger.rs": CODE,
            ".github/workflows/ci.yml": WORKFLOW,
            M: M_TEXT,
            OTHER: OTHER_TEXT,
        },
    )


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pos(text: str, needle: str, line: int, delta: int = 0) -> types.Position:
    content = text.splitlines()[line]
    return types.Position(line=line, character=utf16(content[: content.index(needle) + delta]))


def rng(text: str, needle: str, line: int) -> types.Range:
    start = pos(text, needle, line)
    return types.Range(start=start, end=types.Position(line=line, character=start.character + utf16(needle)))


async def references(lsp, file_uri: str, position: types.Position, declaration: bool = False):
    return (
        await lsp.text_document_references_async(
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=file_uri),
                position=position,
                context=types.ReferenceContext(include_declaration=declaration),
            )
        )
        or []
    )


def located(result) -> list[tuple[str, types.Range]]:
    return [(loc.uri, loc.range) for loc in result]


# --- references -----------------------------------------------------------------------------


async def test_references_to_a_symbol_across_matrices(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, M)
        got = await references(lsp, u, pos(M_TEXT, "`record`", 2, delta=3))
        assert located(got) == [
            (u, rng(M_TEXT, "record", 2)),  # `record` after the emoji: UTF-16 columns
            (uri(root, OTHER), rng(OTHER_TEXT, "Ledger::record", 2)),
        ]
        # with the declaration: the definition in the Rust file comes first
        got = await references(lsp, u, pos(M_TEXT, "`record`", 2, delta=3), declaration=True)
        assert located(got)[0] == (uri(root, "src/ledger.rs"), rng(textwrap.dedent(CODE), "record", 3))


async def test_references_to_a_file_including_links(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, M)
        got = await references(lsp, u, pos(M_TEXT, "../../src/ledger.rs", 3, delta=8))
        assert located(got) == [
            (u, rng(M_TEXT, "src/ledger.rs", 2)),
            (
                u,
                types.Range(
                    start=pos(M_TEXT, "src/ledger.rs` (`record_works", 2),
                    end=pos(M_TEXT, "` (`record_works", 2),
                ),
            ),
            (u, rng(M_TEXT, "../../src/ledger.rs", 3)),
            (uri(root, OTHER), rng(OTHER_TEXT, "src/ledger.rs", 2)),
        ]


async def test_references_to_a_ci_job_by_id_or_name(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, OTHER)
        got = await references(lsp, u, pos(OTHER_TEXT, "Rust tests", 2, delta=2))
        assert located(got) == [(uri(root, M), rng(M_TEXT, "rust", 2)), (u, rng(OTHER_TEXT, "Rust tests", 2))]


async def test_references_from_the_rust_source(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        r = open_doc(lsp, root, "src/ledger.rs", "rust")
        code = (root / "src/ledger.rs").read_text()
        got = await references(lsp, r, pos(code, "record", 3, delta=2))
        assert located(got) == [
            (uri(root, M), rng(M_TEXT, "record", 2)),
            (uri(root, OTHER), rng(OTHER_TEXT, "Ledger::record", 2)),
        ]
        assert await references(lsp, r, types.Position(line=4, character=10)) == []


async def test_no_references_off_evidence(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, M)
        assert await references(lsp, u, pos(M_TEXT, "Partial", 2)) == []


# --- willRenameFiles ------------------------------------------------------------------------


async def will_rename(lsp, root, *moves: tuple[str, str]):
    return await lsp.workspace_will_rename_files_async(
        types.RenameFilesParams(
            files=[types.FileRename(old_uri=uri(root, old), new_uri=uri(root, new)) for old, new in moves]
        )
    )


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)

    def offset(p: types.Position) -> int:
        line = lines[p.line]
        units, i = 0, 0
        while units < p.character:
            units += 2 if ord(line[i]) > 0xFFFF else 1
            i += 1
        return sum(len(before) for before in lines[: p.line]) + i

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


async def test_will_rename_is_registered_for_files_and_folders(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        ops = lsp.init_result.capabilities.workspace.file_operations
        assert {(f.pattern.glob, f.pattern.matches) for f in ops.will_rename.filters} == {
            ("**/*", types.FileOperationPatternKind.File),
            ("**/*", types.FileOperationPatternKind.Folder),
        }


async def test_renaming_a_file_updates_every_matrix_and_the_diagnostics_stay_clean(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        m, other = open_doc(lsp, root, M), open_doc(lsp, root, OTHER)
        ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        assert all(not item.items for item in ws.items)
        edit = await will_rename(lsp, root, ("src/ledger.rs", "crates/core/src/ledger.rs"))
        assert set(edit.changes) == {m, other}
        assert [(e.range, e.new_text) for e in edit.changes[m]] == [
            (rng(M_TEXT, "src/ledger.rs", 2), "crates/core/src/ledger.rs"),
            (
                types.Range(
                    start=pos(M_TEXT, "src/ledger.rs` (`record_works", 2),
                    end=pos(M_TEXT, "` (`record_works", 2),
                ),
                "crates/core/src/ledger.rs",
            ),
            (rng(M_TEXT, "../../src/ledger.rs", 3), "../../crates/core/src/ledger.rs"),
        ]
        new_m, new_other = apply(M_TEXT, edit.changes[m]), apply(OTHER_TEXT, edit.changes[other])
        assert (
            "`crates/core/src/ledger.rs:4` (`record`)" in new_m
            and "(../../crates/core/src/ledger.rs#L4)" in new_m
        )
        # the client applies the edit, then moves the file and reports it
        for file_uri, text in ((m, new_m), (other, new_other)):
            lsp.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=file_uri, version=2),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
        (root / "crates/core/src").mkdir(parents=True)
        (root / "src/ledger.rs").rename(root / "crates/core/src/ledger.rs")
        lsp.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=uri(root, "src/ledger.rs"), type=types.FileChangeType.Deleted),
                    types.FileEvent(
                        uri=uri(root, "crates/core/src/ledger.rs"), type=types.FileChangeType.Created
                    ),
                ]
            )
        )
        for _ in range(100):
            ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
            by_uri = {item.uri: [d.code for d in item.items] for item in ws.items}
            if by_uri.get(m) == [] and by_uri.get(other) == []:
                break
            await asyncio.sleep(0.05)
        assert by_uri[m] == [] and by_uri[other] == []


async def test_renaming_a_folder_rewrites_every_path_under_it(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        edit = await will_rename(
            lsp, root, ("src", "lib"), (".github/workflows/ci.yml", ".github/workflows/test.yml")
        )
        m, other = uri(root, M), uri(root, OTHER)
        new_m = apply(M_TEXT, edit.changes[m])
        assert new_m == M_TEXT.replace("src/", "lib/").replace("workflows/ci.yml", "workflows/test.yml")
        assert apply(OTHER_TEXT, edit.changes[other]) == OTHER_TEXT.replace("src/", "lib/").replace(
            "workflows/ci.yml", "workflows/test.yml"
        )


async def test_moving_a_matrix_keeps_its_links_relative(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        edit = await will_rename(lsp, root, (M, "docs/m.md"))
        (old,) = edit.changes  # the edit addresses the matrix at its old place
        assert old == uri(root, M)
        assert [e.new_text for e in edit.changes[old]] == ["../src/ledger.rs"]


async def test_renames_that_touch_no_reference_or_leave_the_workspace(root, tmp_path_factory):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        assert await will_rename(lsp, root, ("Cargo.toml", "Cargo2.toml")) is None
        outside = tmp_path_factory.mktemp("elsewhere") / "ledger.rs"
        result = await lsp.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[types.FileRename(old_uri=uri(root, "src/ledger.rs"), new_uri=outside.as_uri())]
            )
        )
        assert result is None
