"""Go to definition and hover, end to end through a real client."""

import pytest
from lspkit import HEADER, open_doc, session, uri, write_tree
from lsprotocol import types

LIB = """\
    //! Scheduling.

    /// Idempotency key of one tick.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn key_is_stable() {
            assert_eq!(super::tick_key(1), "1");
        }
    }
    """
CI = """\
    name: CI
    jobs:
      rust:
        name: Rust tests
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: cargo test -p core --lib
    """
EXC = "# Exceptions\n\n| Id | Decision |\n|---|---|\n| EX-01 | out of scope |\n"
ROW = (
    "| Tick keys 🚀 | Events | Implemented | unit | `crates/core/src/lib.rs:4` (`tick_key`) "
    "| `crates/core/src/lib.rs` (`tests::key_is_stable`) "
    "| `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --lib`) | @team | see EX-01 |\n"
)
MATRIX = "This matrix is governed by:\n- `docs/charter.md`\n\n" + HEADER + ROW


@pytest.fixture
def root(tmp_path):
    (tmp_path / "crates/core").mkdir(parents=True)
    (tmp_path / "crates/core/Cargo.toml").write_text('[package]\nname = "core"\n')
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n')
    return write_tree(
        tmp_path,
        {
            "crates/core/src/lib.rs": LIB,
            ".github/workflows/ci.yml": CI,
            "docs/charter.md": "# Charter\n",
            "docs/audits/exceptions.md": EXC,
            "docs/parity/m.md": MATRIX,
        },
    )


def pos(needle, line=5, delta=1):
    text = MATRIX.splitlines()[line]
    col = text.index(needle) + delta
    return types.Position(line=line, character=len(text[:col].encode("utf-16-le")) // 2)


CASES = [
    ("crates/core/src/lib.rs:4", 0, "crates/core/src/lib.rs", 3),  # path:line → that line
    (":4` (`tick_key`)", 8, "crates/core/src/lib.rs", 3),  # symbol → its definition
    ("tests::key_is_stable", 3, "crates/core/src/lib.rs", 10),  # test inside mod tests
    ("job `rust`", 5, ".github/workflows/ci.yml", 2),  # job → its line
    ("`cargo test -p core --lib`)", 3, ".github/workflows/ci.yml", 7),  # command → its step
    (".github/workflows", 2, ".github/workflows/ci.yml", 0),  # workflow → file
    ("EX-01", 1, "docs/audits/exceptions.md", 4),  # exception id → its row
]


@pytest.mark.parametrize("needle,delta,target,line", CASES, ids=[c[0] for c in CASES])
async def test_definition(root, needle, delta, target, line):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        result = await lsp.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=u), position=pos(needle, delta=delta)
            )
        )
        assert result, needle
        loc = result[0]
        assert (loc.uri, loc.range.start.line) == (uri(root, target), line)


async def test_definition_of_governing_doc_and_declaration(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        result = await lsp.text_document_declaration_async(
            types.DeclarationParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=1, character=5),
            )
        )
        assert result[0].uri == uri(root, "docs/charter.md")


async def test_hover_on_symbol_shows_code_and_ci(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=pos("tests::key_is_stable", delta=3),
            )
        )
        text = h.contents.value
        assert "`tests::key_is_stable` — fn (test), lines 10-13" in text
        assert "```rust\n    #[test]\n    fn key_is_stable() {" in text
        assert "**runs**: run by job `rust`, step 2 (line 8): `cargo test -p core --lib`" in text
        line = MATRIX.splitlines()[5]
        start = line.index("tests::key_is_stable")
        utf16 = len(line[:start].encode("utf-16-le")) // 2
        assert (h.range.start.line, h.range.start.character) == (5, utf16)


async def test_hover_on_status_and_on_a_finding(root):
    (root / "docs/parity/m.md").write_text(
        MATRIX.replace("`crates/core/src/lib.rs:4`", "`crates/core/src/lib.rs:12`")
    )
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u), position=pos("Implemented", delta=2)
            )
        )
        assert h.contents.value.startswith(
            "**Implemented** — shipped parity. Requires CI-gated proving tests"
        )
        text = MATRIX.replace(":4`", ":12`").splitlines()[5]
        col = text.index(":12`") + 2
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=5, character=len(text[:col].encode("utf-16-le")) // 2),
            )
        )
        assert "**PM304 line-drift** (warning)" in h.contents.value
        assert "```rust" in h.contents.value  # the cited line is shown


async def test_hover_on_command_says_which_step_runs_it(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=pos("`cargo test -p core --lib`)", delta=4),
            )
        )
        assert h.contents.value == (
            "`cargo test -p core --lib` — run by job `rust`, step 2 (line 8): `cargo test -p core --lib`"
        )


async def test_nothing_under_the_cursor(root):
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        result = await lsp.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=0, character=2),
            )
        )
        assert result is None
        # a position past the end of the file is clamped, not an error
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=500, character=90),
            )
        )
        assert h is None


async def test_definition_of_a_struct_is_one_location_and_hover_on_a_line_shows_code(root):
    """Issue 18, item 5, through a real client: `Type` with `impl` blocks answers one location
    (Neovim's `gd` opens the file, not a list), `path:LINE` hovers with the code around it."""
    (root / "crates/core/src/ledger.rs").write_text(
        "pub struct Ledger {\n    n: u64,\n}\n\nimpl Ledger {\n    pub fn new() -> Self {\n"
        "        Self { n: 0 }\n    }\n}\n\nimpl Default for Ledger {\n"
        "    fn default() -> Self {\n        Self::new()\n    }\n}\n"
    )
    row = "| Ledger | Events | Partial | unit | `crates/core/src/ledger.rs:2` (`Ledger`) | | | @team | |\n"
    (root / "docs/parity/m.md").write_text(HEADER + row)
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        doc = types.TextDocumentIdentifier(uri=u)
        at = row.index("(`Ledger`)") + 3
        result = await lsp.text_document_definition_async(
            types.DefinitionParams(text_document=doc, position=types.Position(line=2, character=at))
        )
        assert [(loc.uri, loc.range.start.line) for loc in result] == [
            (uri(root, "crates/core/src/ledger.rs"), 0)
        ]
        h = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=doc, position=types.Position(line=2, character=row.index("ledger.rs"))
            )
        )
        assert "```rust\n  1 | pub struct Ledger {\n> 2 |     n: u64,\n  3 | }\n" in h.contents.value
