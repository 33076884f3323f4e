"""A link's heading after `#` (`guide.md#retry-policy`): the anchors of a Markdown document as
GitHub names them, PM301 when a cited heading is gone, F12 to the heading's line
(parity_lsp/workspace/headings.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rulekit import workspace

from parity_lsp.engine import check_paths, parse_matrix
from parity_lsp.features.navigate import definition
from parity_lsp.workspace.headings import anchors, slug
from parity_lsp.workspace.index import Workspace

GUIDE = """# Guide

## Retry policy
Some text.
## Retry policy
Setext title
============
> ## Quoted `code` heading!
- # Listed item
```
## Not a heading
```
<a name="custom-anchor"></a>
## [Linked](http://example.com) and **bold** _emph_
Para under
---
## Émigré café 🚀
"""


def test_slugs_are_githubs():
    assert slug("Retry policy") == "retry-policy"
    assert slug("The `foo()` option!") == "the-foo-option"
    assert slug("Émigré café 🚀") == "émigré-café-"
    assert slug("snake_case and kebab-case") == "snake_case-and-kebab-case"


def test_every_heading_a_reader_can_link_is_an_anchor_and_code_is_not():
    found = anchors(GUIDE)
    for fragment in (
        "guide",
        "retry-policy",
        "retry-policy-1",  # the second heading of the same text
        "setext-title",
        "quoted-code-heading",
        "listed-item",
        "custom-anchor",
        "linked-and-bold-emph",
        "para-under",
        "émigré-café-",
        "%C3%A9migr%C3%A9-caf%C3%A9-",  # percent-encoded, as a browser writes it
        "Retry-Policy",  # loosely: case and punctuation do not make a false alarm
    ):
        assert found.has(fragment), fragment
    for fragment in ("not-a-heading", "retry-policies", "backoff"):
        assert not found.has(fragment), fragment
    assert found.line_of("retry-policy") == 2 and found.line_of("setext-title") == 5


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            ["#", "## ", "`", "```", "~~~", "> ", "- ", "=", "---", "a", " ", "\n", "é", "<a id='x'>"]
        ),
        max_size=60,
    )
)
def test_any_text_gives_anchors_without_raising(pieces):
    found = anchors("".join(pieces))
    assert all(isinstance(line, int) and line >= 0 for line in found.lines.values())


def test_a_cited_heading_that_is_gone_is_a_warning_with_the_closest_one_suggested(tmp_path):
    root = workspace(
        tmp_path,
        {
            "docs/design.md": GUIDE,
            "docs/FEATURES.md": (
                "| Feature | Status | Code |\n|---|---|---|\n"
                "| A | 🟡 | [design](design.md#retry-policy), `docs/design.md#setext-title` |\n"
                "| B | 🟡 | [design](design.md#retry-policies), [top](design.md#L3) |\n"
            ),
        },
        dedent=False,
    )
    result = check_paths(Workspace(root), ["docs/FEATURES.md"])
    [found] = result.findings
    assert (found.code, found.severity.label, found.message) == (
        "PM301",
        "warning",
        "`design.md` has no heading `#retry-policies`",
    )
    text = (root / "docs/FEATURES.md").read_text()
    assert text[found.span.start : found.span.end] == "retry-policies"
    assert found.fix is not None and not found.fix.safe
    assert [e.content for e in found.fix.edits] == ["retry-policy"]


def test_f12_on_a_link_with_a_heading_opens_the_document_at_that_heading(tmp_path):
    root = workspace(
        tmp_path,
        {
            "docs/design.md": GUIDE,
            "docs/FEATURES.md": "| F | Status | Code |\n|---|---|---|\n| A | 🟡 | [d](design.md#setext-title) |\n",
        },
        dedent=False,
    )
    text = (root / "docs/FEATURES.md").read_text()
    matrix = parse_matrix("docs/FEATURES.md", text)
    [target] = definition(Workspace(root), matrix, text.index("design.md#") + 2)
    assert (target.path, target.line) == ("docs/design.md", 5)
