"""Language server, end to end: textDocument/completion through a real client (pytest-lsp)."""

from __future__ import annotations

import asyncio

import pytest
from lspkit import HEADER, open_doc, session, uri, write_tree
from lsprotocol import types

LIB_RS = """\
/// Doc.
pub fn tick_key(n: u64) -> String {
    format!("{n}")
}
"""
CI_YML = """\
jobs:
  test:
    name: Unit tests
    runs-on: ubuntu-latest
    steps:
      - run: cargo test -p core --tests | tee log.txt
"""
ROW = "| Ticks 🚀 日本 | Events | Impl | unit | `crates/core/src/lib.rs:2` (`tick_key`) | — | — | @team | |\n"


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path,
        {
            "crates/core/src/lib.rs": LIB_RS,
            "crates/core/tests/ticks.rs": "#[test]\nfn tick_key_is_stable() {}\n",
            "ignored/secret.rs": "pub fn hidden() {}\n",
            ".gitignore": "ignored/\n",
            ".github/workflows/ci.yml": CI_YML,
            "docs/audits/exceptions.md": "# Exceptions\n\n- EX-07: no multi-tenancy\n",
            "docs/parity/m.md": "# Matrix\n\n" + HEADER + ROW,
        },
    )


def units(text: str, encoding: str) -> int:
    return len(text.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(text.encode("utf-8"))


async def complete_at(lsp, doc_uri: str, line: int, character: int) -> list[types.CompletionItem]:
    result = await lsp.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def edit(lsp, doc_uri: str, version: int, line: int, start: int, end: int, text: str) -> None:
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=start),
                        end=types.Position(line=line, character=end),
                    ),
                    text=text,
                )
            ],
        )
    )


async def test_capability_and_trigger_characters(root):
    async with session(root) as lsp:
        provider = lsp.init_result.capabilities.completion_provider
        assert provider is not None
        assert {"`", "/", ":", "(", "|", " "} <= set(provider.trigger_characters)


@pytest.mark.parametrize("encoding,markdown", [("utf-16", True), ("utf-8", False)])
async def test_status_values_with_ranges_in_the_negotiated_encoding(root, encoding, markdown):
    caps = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[encoding]),
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
                    if markdown
                    else [types.MarkupKind.PlainText]
                ),
                completion_item_kind=types.ClientCompletionItemOptionsKind(
                    value_set=list(types.CompletionItemKind)
                ),
            )
        ),
    )
    async with session(root, capabilities=caps) as lsp:
        assert (lsp.init_result.capabilities.position_encoding or "utf-16") == encoding
        u = open_doc(lsp, root, "docs/parity/m.md")
        line = ROW.rstrip("\n")
        col = line.index("Impl") + len("Impl")  # after the emoji and CJK of the Capability cell
        items = await complete_at(lsp, u, 4, units(line[:col], encoding))
        assert [i.label for i in sorted(items, key=lambda i: i.sort_text)] == [
            "Implemented",
            "Partial",
            "Designed",
            "Planned",
            "Exception",
        ]
        impl = items[0]
        assert impl.kind == types.CompletionItemKind.EnumMember
        assert impl.text_edit.new_text == "Implemented"
        start = units(line[: line.index("Impl")], encoding)
        assert impl.text_edit.range == types.Range(
            start=types.Position(line=4, character=start),
            end=types.Position(line=4, character=units(line[:col], encoding)),
        )
        if markdown:
            assert (
                "CI-gated" in impl.documentation.value
                and impl.documentation.kind == types.MarkupKind.Markdown
            )
        else:  # a client without Markdown gets the text as a plain string
            assert isinstance(impl.documentation, str) and "CI-gated" in impl.documentation


async def test_paths_folder_by_folder_in_an_unsaved_buffer(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        # type a new half-finished row below the table (not on disk)
        new = "| New | x | Planned | unit | `crates/co"
        edit(lsp, u, 2, 5, 0, 0, new)
        items = await complete_at(lsp, u, 5, len(new))
        assert [i.label for i in items] == ["core/"]
        core = items[0]
        assert core.kind == types.CompletionItemKind.Folder
        assert core.text_edit.new_text == "core/"
        assert core.text_edit.range.start == types.Position(line=5, character=len(new) - 2)
        assert core.command is not None and core.command.command == "editor.action.triggerSuggest"
        # the root listing honours .gitignore
        edit(lsp, u, 3, 5, len(new) - len("crates/co"), len(new), "")
        items = await complete_at(lsp, u, 5, len(new) - len("crates/co"))
        names = [i.label for i in sorted(items, key=lambda i: i.sort_text)]
        assert names[0] == "crates/" and "ignored/" not in names


async def test_line_numbers_after_path_colon_and_symbols_in_parenthesis(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        line = ROW.rstrip("\n")
        col = line.index("lib.rs:") + len("lib.rs:")  # before the cited "2"
        items = await complete_at(lsp, u, 4, units(line[:col], "utf-16"))
        assert items[0].label == "tick_key — fn, line 2"
        assert items[0].text_edit.new_text == "2"
        pos = units(line[:col], "utf-16")
        assert items[0].text_edit.range == types.Range(
            start=types.Position(line=4, character=pos), end=types.Position(line=4, character=pos)
        )
        col = line.index("(`tick") + 2
        items = await complete_at(lsp, u, 4, units(line[:col], "utf-16"))
        assert [i.label for i in items] == ["tick_key"]
        assert (
            items[0].kind == types.CompletionItemKind.Function and items[0].text_edit.new_text == "tick_key"
        )


async def test_ci_jobs_and_commands_keep_the_table_intact(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        new = "| New | x | Planned | unit | — | — | `.github/workflows/ci.yml` (job `test`: `"
        edit(lsp, u, 2, 5, 0, 0, new)
        items = await complete_at(lsp, u, 5, len(new))
        by_label = {i.label: i for i in items}
        whole = by_label["cargo test -p core --tests | tee log.txt"]
        assert whole.text_edit.new_text == "cargo test -p core --tests \\| tee log.txt`"
        assert whole.text_edit.range.start == types.Position(line=5, character=len(new))
        assert by_label["cargo test -p core --tests"].detail == "job test · step 1, line 6"
        new2 = "| New | x | Planned | unit | — | — | `.github/workflows/ci.yml` (job "
        edit(lsp, u, 3, 5, 0, len(new), new2)
        items = await complete_at(lsp, u, 5, len(new2))
        assert [(i.label, i.text_edit.new_text, i.detail) for i in items] == [
            ("test", "`test`", "Unit tests")
        ]


async def test_exception_ids_owners_and_headings(root):
    # another matrix of the workspace groups its tables under these headings
    groups = "## Scheduling\n\n" + HEADER + ROW + "\n## Sensors\n\n" + HEADER + ROW
    (root / "docs/parity/groups.md").write_text(groups)
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        new = "| New | x | Exception | unit | — | — | — | @"
        edit(lsp, u, 2, 5, 0, 0, new)
        # owners come from the checked matrices: wait until the server has seen the file
        items = await complete_at(lsp, u, 5, len(new))
        for _ in range(50):
            if items:
                break
            await asyncio.sleep(0.1)
            items = await complete_at(lsp, u, 5, len(new))
        assert [(i.label, i.text_edit.new_text) for i in items] == [("@team", "@team")]
        new2 = new + "team | see EX"
        edit(lsp, u, 3, 5, 0, len(new), new2)
        items = await complete_at(lsp, u, 5, len(new2))
        assert [(i.label, i.detail) for i in items] == [("EX-07", "docs/audits/exceptions.md:3")]
        assert items[0].text_edit.range.start.character == len(new2) - 2
        edit(lsp, u, 4, 1, 0, 0, "## Sen\n")
        items = await complete_at(lsp, u, 1, len("## Sen"))
        for _ in range(50):  # the groups come from the other matrix, once the server checked it
            if items:
                break
            await asyncio.sleep(0.1)
            items = await complete_at(lsp, u, 1, len("## Sen"))
        assert items[0].label == "Scheduling" and "Sensors" in [i.label for i in items]
        sensors = next(i for i in items if i.label == "Sensors")
        assert sensors.text_edit.range == types.Range(
            start=types.Position(line=1, character=3), end=types.Position(line=1, character=6)
        )


async def test_no_items_outside_tables_and_a_document_outside_the_folder_has_its_own_root(
    root, tmp_path_factory
):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.md"
    outside.write_text(HEADER + "| A | b | ")
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        assert await complete_at(lsp, u, 0, 3) == []  # "# Matrix": an h1 is not a group heading
        lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=outside.as_uri(), language_id="markdown", version=1, text=outside.read_text()
                )
            )
        )
        # a document in no workspace folder is served from a root of its own (issue 16, item 13)
        labels = {i.label for i in await complete_at(lsp, outside.as_uri(), 2, 10)}
        assert "Implemented" in labels and not any(label.startswith("crates") for label in labels)
        assert uri(root, "docs/parity/m.md") == u


async def test_kinds_fall_back_for_a_client_without_a_kind_value_set(root):
    async with session(root, capabilities=types.ClientCapabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        new = "| New | x | Planned | unit | `"
        edit(lsp, u, 2, 5, 0, 0, new)
        items = await complete_at(lsp, u, 5, len(new))
        crates = next(i for i in items if i.label == "crates/")
        assert crates.kind == types.CompletionItemKind.File  # Folder is not in LSP 1.0's kinds
        assert isinstance(crates.detail, str) and crates.documentation is None


def test_line_start_follows_lsp_line_breaks():
    from parity_lsp.lsp.features.completion import line_end, line_start

    for text in ("a\nbb\nccc", "a\r\nbb\r\nccc", "a\rbb\rccc"):
        starts = [line_start(text, n) for n in range(4)]
        assert [text[s : line_end(text, s)] for s in starts[:3]] == ["a", "bb", "ccc"]
        assert starts[3] == len(text)  # past the last line: clamped to the end
