"""A tree-sitter language through a real client (issue 17 item 6): hover on a cited Java test
shows its code in a `java` fence and that it is disabled; go to definition jumps to it."""

from lspkit import HEADER, open_doc, session, uri, write_tree
from lsprotocol import types

CALC_TEST = """\
package com.acme;

class CalcTest {
    @Nested
    class WhenEmpty {
        /** Zero for no numbers. */
        @Disabled("flaky on CI")
        @Test
        void returnsZero() {
            assertEquals(0, Calc.sum());
        }
    }
}
"""
ROW = (
    "| Sums | Calc | Partial | unit | — "
    "| `src/test/java/com/acme/CalcTest.java` (`CalcTest.WhenEmpty.returnsZero`) | — | @team | |\n"
)


async def test_hover_and_definition_of_a_java_test(tmp_path):
    root = write_tree(
        tmp_path,
        {"src/test/java/com/acme/CalcTest.java": CALC_TEST, "docs/parity/m.md": HEADER + ROW},
    )
    line = len(HEADER.splitlines())
    character = ROW.index("WhenEmpty.returnsZero") + 12
    async with session(root, client="neovim@v0.7.0") as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        where = types.TextDocumentPositionParams(
            text_document=types.TextDocumentIdentifier(uri=u),
            position=types.Position(line=line, character=character),
        )
        h = await lsp.text_document_hover_async(types.HoverParams(where.text_document, where.position))
        text = h.contents.value
        assert (
            '`CalcTest::WhenEmpty::returnsZero` — method (test, disabled: @Disabled("flaky on CI")), lines 6-11'
            in text
        )
        assert '```java\n        /** Zero for no numbers. */\n        @Disabled("flaky on CI")' in text
        found = await lsp.text_document_definition_async(
            types.DefinitionParams(where.text_document, where.position)
        )
        assert [(loc.uri, loc.range.start.line) for loc in found] == [
            (uri(root, "src/test/java/com/acme/CalcTest.java"), 8)
        ]
