"""Issue 20 item 7: the project's own specification (docs/spec/) is what code and tests cite.

Every `docs/spec/FILE.md#anchor` cited from the code, the tests, README.md and ARCHITECTURE.md
exists (the file, and a heading with that anchor); the links between the spec's files resolve;
the rule index is the one generated from the rule modules; and nothing cites the sections of a
specification outside the repository (the word SPEC and a section number) any more."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "docs" / "spec"
CITED = re.compile(r"docs/spec/([\w-]+\.md)(?:#([\w-]+))?")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"``.*?``|`[^`\n]*`")
OUTSIDE = re.compile("SPEC" + r"( section| §)? ?[0-9]")  # split: this file must not match itself


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {anchor(re.sub(r"`([^`]*)`", r"\1", m.group(1))) for m in HEADING.finditer(text)}


def sources() -> list[Path]:
    found = [p for p in (REPO / "parity_lsp").rglob("*") if p.suffix in (".py", ".md")]
    found += [p for p in (REPO / "tests").glob("*.py") if p.name != Path(__file__).name]
    return [*found, REPO / "README.md", REPO / "ARCHITECTURE.md"]


def citations() -> list[tuple[str, str, str | None]]:
    out = []
    for path in sources():
        for m in CITED.finditer(path.read_text(encoding="utf-8")):
            out.append((str(path.relative_to(REPO)), m.group(1), m.group(2)))
    return out


def test_the_code_cites_the_specification_it_has():
    cited = citations()
    assert len(cited) > 60, "the code cites docs/spec/ (issue 20 item 7)"
    missing = [(where, f, a) for where, f, a in cited if not (SPEC / f).is_file()]
    assert not missing, f"cited files that do not exist: {missing}"
    broken = [(where, f, a) for where, f, a in cited if a is not None and a not in anchors(SPEC / f)]
    assert not broken, f"cited headings that do not exist: {broken}"


@pytest.mark.parametrize("page", sorted(p.name for p in SPEC.glob("*.md")))
def test_links_between_the_specification_files_resolve(page):
    text = CODE_SPAN.sub("", FENCE.sub("", (SPEC / page).read_text(encoding="utf-8")))
    for m in LINK.finditer(text):
        target = m.group(1)
        if "://" in target:
            continue
        file, _, fragment = target.partition("#")
        resolved = (SPEC / page).parent / file if file else SPEC / page
        assert resolved.exists(), f"{page}: {target} does not exist"
        if fragment:
            assert fragment in anchors(resolved), f"{page}: no heading #{fragment} in {file or page}"


def test_the_rule_index_is_generated_from_the_rules():
    from parity_lsp.rules.gendocs import SPEC_INDEX, index

    assert SPEC_INDEX == SPEC / "rules.md"
    assert SPEC_INDEX.read_text(encoding="utf-8") == index(), "run `python -m parity_lsp.rules.gendocs`"


def test_nothing_cites_a_specification_outside_the_repository():
    cites = [
        f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in sources()
        if path.suffix == ".py"
        for text in [path.read_text(encoding="utf-8")]
        for m in OUTSIDE.finditer(text)
    ]
    assert not cites, f"cite docs/spec/FILE.md#heading instead: {cites}"
