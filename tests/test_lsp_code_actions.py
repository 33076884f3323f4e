"""Language server, end to end: code actions (quick fixes bound to diagnostics, fix all, refactors)
and a server that answers bad requests with JSON-RPC errors and keeps serving."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future

import pytest
from lspkit import HEADER, open_doc, pull_capabilities, session, uri, write_tree
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound
from rulekit import git, git_init

CODE = """\
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn tick_key_works() {}
    }
    """
WORKFLOW = """\
    name: CI
    on: [push]
    jobs:
      rust:
        runs-on: ubuntu-latest
        steps:
          - run: cargo test
    """
CI = "`.github/workflows/ci.yml` (job `rust`: `cargo test`)"
TEST = "`src/lib.rs` (`tick_key_works`)"
# line 2: a status typo and a proof-level typo (safe fixes), after an emoji (2 UTF-16 units)
TYPOS = (
    f"| Ticks 🚀 | F | Implemnted | unit tests | `src/lib.rs:1` (`tick_key`) | {TEST} | {CI} | @team | |\n"
)
# line 3: Implemented without a proving test (PM201: only an unsafe downgrade)
NO_TEST = f"| Keys | F | Implemented | unit | `src/lib.rs` | — | {CI} | @team | |\n"
MATRIX = HEADER + TYPOS + NO_TEST
NARROW = "| Capability | Status | Owner |\n|---|---|---|\n| Ticks | Planned | @team |\n"


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
            "src/lib.rs": CODE,
            ".github/workflows/ci.yml": WORKFLOW,
            "docs/parity/m.md": MATRIX,
            "docs/parity/narrow.md": NARROW,
        },
    )


# --- helpers --------------------------------------------------------------------------------


def offset_of(text: str, pos: types.Position) -> int:
    """Offset of an LSP position (UTF-16 code units, the default encoding) in `text`."""
    lines = text.splitlines(keepends=True)
    start = sum(len(before) for before in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    i = 0
    while i < len(line) and units < pos.character:
        units += 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return start + i


def apply(text: str, edit: types.WorkspaceEdit, file_uri: str) -> str:
    assert set(edit.changes) == {file_uri}
    spans = sorted(
        (
            (offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text)
            for e in edit.changes[file_uri]
        ),
        reverse=True,
    )
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text


def position(text: str, needle: str, line: int | None = None) -> types.Position:
    """UTF-16 position of the start of `needle` in `text` (optionally on a given line)."""
    for ln, content in enumerate(text.splitlines()):
        if line is not None and ln != line:
            continue
        col = content.find(needle)
        if col != -1:
            return types.Position(line=ln, character=len(content[:col].encode("utf-16-le")) // 2)
    raise AssertionError(f"{needle!r} not found")


async def pull(lsp, file_uri: str):
    report = await lsp.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=file_uri))
    )
    return report.items


async def actions(
    lsp, file_uri: str, start: types.Position, end: types.Position | None = None, diagnostics=(), only=None
):
    return (
        await lsp.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=file_uri),
                range=types.Range(start=start, end=end or start),
                context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
            )
        )
        or []
    )


def replace_text(lsp, file_uri: str, version: int, text: str) -> None:
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=file_uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def pull_until(lsp, file_uri: str, predicate, what: str):
    for _ in range(200):
        items = await pull(lsp, file_uri)
        if predicate(items):
            return items
        await asyncio.sleep(0.03)
    raise AssertionError(f"timed out waiting for {what}: {[(d.code, d.range.start.line) for d in items]}")


def codes(items) -> list[tuple[str, int]]:
    return sorted((d.code, d.range.start.line) for d in items)


# --- tests ----------------------------------------------------------------------------------


async def test_code_action_kinds_are_advertised(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        provider = lsp.init_result.capabilities.code_action_provider
        assert set(provider.code_action_kinds) == {"quickfix", "source.fixAll.parityLsp", "refactor.rewrite"}


async def test_quick_fix_is_bound_to_its_diagnostic_and_removes_it(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        # the first pull has the syntactic findings; PM201 comes with the rest (staged)
        expected = [("PM101", 2), ("PM102", 2), ("PM201", 3)]
        items = await pull_until(lsp, u, lambda items: codes(items) == expected, "the complete diagnostics")
        assert codes(items) == [("PM101", 2), ("PM102", 2), ("PM201", 3)]
        (typo,) = [d for d in items if d.code == "PM101"]
        # the range is in UTF-16: 🚀 counts two units
        assert typo.range.start == position(MATRIX, "Implemnted", line=2)
        got = await actions(lsp, u, typo.range.start, typo.range.end, diagnostics=[typo])
        quick = [a for a in got if a.kind == types.CodeActionKind.QuickFix]
        assert [(a.title, a.is_preferred) for a in quick] == [("Replace with `Implemented`", True)]
        (fix,) = quick
        (bound,) = fix.diagnostics
        assert (bound.code, bound.range, bound.message, bound.data) == (
            typo.code,
            typo.range,
            typo.message,
            typo.data,
        )
        assert [(e.range, e.new_text) for e in fix.edit.changes[u]] == [(typo.range, "Implemented")]
        text = apply(MATRIX, fix.edit, u)
        assert "| Ticks 🚀 | F | Implemented | unit tests |" in text
        replace_text(lsp, u, 2, text)
        after = await pull_until(lsp, u, lambda items: "PM101" not in [d.code for d in items], "PM101 gone")
        assert codes(after) == [("PM102", 2), ("PM201", 3)]


async def test_diagnostic_sent_by_the_client_is_fixed_from_anywhere_on_the_line(root):
    # VS Code sends the diagnostics of the line with a cursor that may be outside their range
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        (proof,) = [d for d in await pull(lsp, u) if d.code == "PM102"]
        cursor = position(MATRIX, "Ticks", line=2)
        got = await actions(lsp, u, cursor, diagnostics=[proof], only=[types.CodeActionKind.QuickFix])
        assert [(a.title, a.diagnostics[0].code) for a in got] == [("Replace with `unit`", "PM102")]


async def test_unsafe_fix_is_offered_but_not_preferred(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        (pm201,) = [
            d
            for d in await pull_until(lsp, u, lambda items: any(d.code == "PM201" for d in items), "PM201")
            if d.code == "PM201"
        ]
        got = await actions(lsp, u, pm201.range.start, pm201.range.end, diagnostics=[pm201])
        (quick,) = [a for a in got if a.kind == types.CodeActionKind.QuickFix]
        assert (quick.title, quick.is_preferred, quick.diagnostics[0].code) == (
            "Downgrade to Partial",
            None,
            "PM201",
        )
        # the same edit is not listed again as a refactor
        assert "Downgrade to Partial" not in [a.title for a in got if a.kind != types.CodeActionKind.QuickFix]


async def missing_path_moved_by_an_edit_above(lsp, root, matrix: str, path: str):
    """Open `matrix` (its line 4 cites the missing `path`), pull, then add a note to the row
    above: that row alone is checked again and PM301 on line 4 moves. Returns (uri, new text,
    the diagnostics once PM301 is reported at its new place)."""
    u = open_doc(lsp, root, "docs/parity/m.md")
    await pull(lsp, u)
    text = matrix.replace(NO_TEST, NO_TEST.replace("@team | |", "@team | a longer note |"))
    replace_text(lsp, u, 2, text)
    where = position(text, path, line=4)
    items = await pull_until(
        lsp,
        u,
        lambda items: any(d.code == "PM301" and d.range.start == where for d in items),
        f"PM301 on `{path}` at its new place",
    )
    return u, text, items


async def test_a_moved_file_is_suggested_when_the_quick_fix_menu_opens(root):
    # The server does not search for where a missing file's symbol went while it checks (the
    # suggestion is unsafe and costly); the quick-fix menu asks for it, after an edit above
    # the row moved it.
    moved = "| Moved | F | Planned | unit | `src/gone_away.rs` (`tick_key`) | — | — | @team | |\n"
    (root / "docs/parity/m.md").write_text(MATRIX + moved)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u, text, items = await missing_path_moved_by_an_edit_above(
            lsp, root, MATRIX + moved, "src/gone_away.rs"
        )
        (missing,) = [d for d in items if d.code == "PM301"]
        got = await actions(lsp, u, missing.range.start, missing.range.end, diagnostics=[missing])
        quick = [a for a in got if a.kind == types.CodeActionKind.QuickFix]
        assert [(a.title, a.is_preferred) for a in quick] == [
            ("Replace with `src/lib.rs`, where `tick_key` is defined", None)
        ]
        assert "| `src/lib.rs` (`tick_key`) |" in apply(text, quick[0].edit, u)


async def test_fix_all_applies_every_safe_fix(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        await pull(lsp, u)
        got = await actions(
            lsp, u, types.Position(line=0, character=0), only=[types.CodeActionKind.SourceFixAll]
        )
        (fix_all,) = got
        assert (fix_all.kind, fix_all.title) == ("source.fixAll.parityLsp", "Fix all safe problems (2 fixes)")
        text = apply(MATRIX, fix_all.edit, u)
        assert "| Ticks 🚀 | F | Implemented | unit |" in text
        replace_text(lsp, u, 2, text)
        after = await pull_until(lsp, u, lambda items: codes(items) == [("PM201", 3)], "only PM201 left")
        assert after[0].code == "PM201"  # changing a claim is never automatic


async def test_fix_all_computes_a_missing_paths_safe_fix_where_the_row_is_now(root):
    # The safe fix of a missing path (where git history says it was renamed to) is not computed
    # by the check; fix-all computes it, after an edit above the row moved it. A similar name
    # (`src/lb.rs`, cf. `src/lib.rs`) and a planned test in "Missing proof" are never touched.
    (root / "src/ticks.rs").write_text("pub fn tick() {}\n")
    git_init(root)
    git(root, "mv", "src/ticks.rs", "src/tick_source.rs")
    git(root, "commit", "-q", "-m", "rename")
    rows = (
        "| Renamed | F | Planned | unit | `src/ticks.rs` (`tick`) | — | — | @team | |\n"
        "| Typo | F | Planned | unit | `src/lb.rs` (`tick_key`) | — | — | @team | |\n"
        "| Plan | F | Planned | unit | — | Missing proof: (suggested `src/lb_tests.rs`) | — | @team | |\n"
    )
    (root / "docs/parity/m.md").write_text(MATRIX + rows)
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u, text, _ = await missing_path_moved_by_an_edit_above(lsp, root, MATRIX + rows, "src/ticks.rs")
        (fix_all,) = await actions(
            lsp, u, types.Position(line=0, character=0), only=[types.CodeActionKind.SourceFixAll]
        )
        assert fix_all.title == "Fix all safe problems (3 fixes)"
        fixed = apply(text, fix_all.edit, u)
        assert "| Renamed | F | Planned | unit | `src/tick_source.rs` (`tick`) |" in fixed
        assert "| `src/lb.rs` (`tick_key`) |" in fixed
        assert "Missing proof: (suggested `src/lb_tests.rs`)" in fixed
        assert "| @team | a longer note |" in fixed


async def test_downgrade_refactor_clears_pm201(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        await pull(lsp, u)
        cursor = position(MATRIX, "Implemented", line=3)
        got = await actions(lsp, u, cursor, only=[types.CodeActionKind.Refactor])
        assert [(a.kind, a.title) for a in got] == [
            ("refactor.rewrite", "Downgrade to Partial"),
            ("refactor.rewrite", "Insert row from template"),
        ]
        assert all(a.is_preferred is None and a.diagnostics is None for a in got)
        text = apply(MATRIX, got[0].edit, u)
        assert "| Keys | F | Partial | unit |" in text
        replace_text(lsp, u, 2, text)
        await pull_until(lsp, u, lambda items: "PM201" not in [d.code for d in items], "PM201 gone")


async def test_insert_row_from_template(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        await pull(lsp, u)
        got = await actions(
            lsp, u, position(MATRIX, "🚀", line=2), only=[types.CodeActionKind.RefactorRewrite]
        )
        (insert,) = [a for a in got if a.title == "Insert row from template"]
        (edit,) = insert.edit.changes[u]
        end_of_row = types.Position(line=2, character=len(TYPOS.rstrip("\n").encode("utf-16-le")) // 2)
        assert (edit.range.start, edit.range.end) == (end_of_row, end_of_row)
        assert edit.new_text == "\n| New capability | | Planned | unit | | | | TBD | |"
        text = apply(MATRIX, insert.edit, u)
        assert text.splitlines()[3] == "| New capability | | Planned | unit | | | | TBD | |"
        replace_text(lsp, u, 2, text)
        after = await pull_until(lsp, u, lambda items: ("PM103", 3) in codes(items), "the new row checked")
        assert codes(after) == [("PM101", 2), ("PM102", 2), ("PM103", 3), ("PM201", 4)]


async def test_add_missing_columns(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/narrow.md")
        assert codes(await pull(lsp, u)) == [("PM001", 0)]
        got = await actions(lsp, u, position(NARROW, "Ticks"), only=[types.CodeActionKind.Refactor])
        (add,) = [a for a in got if a.title == "Add missing columns"]
        text = apply(NARROW, add.edit, u)
        assert text.splitlines()[0].startswith(
            "| Capability | Status | Owner | Arco Feature | Proof Level Required |"
        )
        replace_text(lsp, u, 2, text)
        after = await pull_until(lsp, u, lambda items: "PM001" not in [d.code for d in items], "PM001 gone")
        assert "PM002" not in [d.code for d in after]


async def test_no_actions_outside_matrices_or_outside_the_workspace(root, tmp_path_factory):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        r = open_doc(lsp, root, "src/lib.rs", "rust")
        assert await actions(lsp, r, types.Position(line=0, character=3)) == []
        outside = tmp_path_factory.mktemp("elsewhere") / "m.md"
        outside.write_text(MATRIX)
        assert await actions(lsp, outside.as_uri(), types.Position(line=2, character=12)) == []
        # and the server still answers for the workspace's matrix
        u = uri(root, "docs/parity/m.md")
        assert await actions(lsp, u, position(MATRIX, "Implemnted"), only=["quickfix"])


# --- item 10: bad requests get JSON-RPC errors, the server keeps serving ----------------------


async def raw_request(lsp, method: str, params, timeout: float = 5.0):
    """Send `params` as they are (no client-side typing), wait for the response."""
    msg_id = f"raw-{uuid.uuid4()}"
    future: Future = Future()
    lsp.protocol._request_futures[msg_id] = future
    lsp.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), timeout)


async def still_serving(lsp, root) -> None:
    u = uri(root, "docs/parity/m.md")
    got = await actions(lsp, u, position(MATRIX, "Implemnted"), only=["quickfix"])
    assert [a.title for a in got] == ["Replace with `Implemented`"]


async def test_unknown_method_gets_an_error_and_the_server_keeps_serving(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        with pytest.raises(JsonRpcMethodNotFound):
            await raw_request(lsp, "parityLsp/noSuchMethod", {})
        await still_serving(lsp, root)


async def test_invalid_params_get_a_json_rpc_error_and_the_server_keeps_serving(root):
    async with session(root, capabilities=pull_capabilities()) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        bad = {
            "textDocument": {"uri": u},
            "context": {"diagnostics": []},
            "range": {"start": {"line": "two", "character": 0}, "end": {"line": 2, "character": 0}},
        }
        try:
            await raw_request(lsp, "textDocument/codeAction", bad)
        except JsonRpcInvalidParams as error:
            assert error.code == -32602
        except JsonRpcException as error:  # any proper JSON-RPC error is acceptable
            assert error.code < 0
        else:
            raise AssertionError("a request with invalid params was answered with a result")
        await still_serving(lsp, root)
