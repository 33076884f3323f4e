"""The anchors of a Markdown document: what `guide.md#retry-policy` may point at.

A link's fragment names a heading by its slug, as GitHub (and VS Code's Markdown server)
computes it: the heading's text lower-cased, punctuation and symbols dropped (letters, digits,
`-` and `_` kept), each space a `-`; a repeated heading gets `-1`, `-2`. HTML `id` and `name`
attributes are anchors too.

Invariant: a fragment is reported missing only when nothing in the document could be its
target. Headings are over-approximated (a line underlined by `===` or `---`, a heading in a
blockquote or a list item), and a fragment is compared loosely as well: letters and digits only,
a trailing `-N` dropped, against the heading's raw text and its text with links and emphasis
markers removed. A stale anchor (the heading was renamed or deleted) is found; a slug computed
slightly differently from GitHub's is not a false alarm. `anchors` is pure (text in, anchors
out); `document_anchors` reads a workspace file once per version.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from parity_lsp.workspace.fs import FileSystem, memoized

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
# blockquote and list markers before a heading (`> ## Notes`, `- # Item`)
_CONTAINER = re.compile(r"(?:[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))+")
_HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKERS = re.compile(r"[*_`~]+|<[^>]+>")
_SUFFIX = re.compile(r"-\d+$")


@dataclass(frozen=True, slots=True)
class Anchors:
    """A document's anchors: exact slugs (with duplicates' suffixes) and their loose forms."""

    slugs: frozenset[str]
    loose: frozenset[str]
    headings: tuple[str, ...]  # slugs in document order, for a suggestion
    lines: dict[str, int]  # slug and loose form -> 0-based line of the heading (first one)

    def has(self, fragment: str) -> bool:
        """Whether `fragment` (as written after `#`, maybe percent-encoded) could name an anchor."""
        wanted = unquote(fragment).strip()
        if not wanted or wanted.lower() in self.slugs or wanted in self.slugs:
            return True
        return _loose(wanted) in self.loose or _loose(_SUFFIX.sub("", wanted)) in self.loose

    def line_of(self, fragment: str) -> int | None:
        """The line of the heading `fragment` names (exactly, else loosely), or None."""
        wanted = unquote(fragment).strip()
        for key in (wanted, wanted.lower(), _loose(wanted), _loose(_SUFFIX.sub("", wanted))):
            if key in self.lines:
                return self.lines[key]
        return None


def slug(text: str) -> str:
    """GitHub's slug of a heading's text (github-slugger): lower case, punctuation and symbols
    removed, each space a `-`."""
    out = []
    for ch in text.lower():
        if ch.isalnum() or ch in "-_ " or unicodedata.category(ch)[0] == "M":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def _loose(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def anchors(text: str) -> Anchors:
    """The anchors of Markdown `text` (linear in its length)."""
    found: list[str] = []
    loose: set[str] = set()
    seen: dict[str, int] = {}
    lines: dict[str, int] = {}

    def add(heading: str, line: int) -> None:
        rendered = _MARKERS.sub("", _LINK.sub(r"\1", heading))
        base = slug(rendered.strip())
        count = seen.get(base)
        seen[base] = 0 if count is None else count + 1
        names = [base if count is None else f"{base}-{count + 1}", slug(heading.strip())]
        found.extend(names)
        forms = (_loose(rendered), _loose(heading))
        loose.update(forms)
        for key in (*names, *forms):
            lines.setdefault(key, line)

    fence: str | None = None
    previous = ""  # the last line of a paragraph, for a setext underline
    for number, raw in enumerate(text.splitlines()):
        container = _CONTAINER.match(raw)
        line = raw[container.end() :] if container is not None else raw
        opened = _FENCE.match(line)
        if fence is not None:
            if opened is not None and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened is not None:
            fence = opened.group(1)
            previous = ""
            continue
        atx = _ATX.match(line)
        if atx is not None:
            add(atx.group(2) or "", number)
            previous = ""
            continue
        if previous and _SETEXT_UNDERLINE.match(line):
            add(previous, number - 1)
            previous = ""
            continue
        previous = line.strip()
    for m in _HTML_ID.finditer(text):
        found.append(m.group(1))
        loose.add(_loose(m.group(1)))
        lines.setdefault(m.group(1), text.count("\n", 0, m.start()))
    slugs = frozenset(found) | frozenset(s.lower() for s in found)
    return Anchors(slugs, frozenset(loose), tuple(dict.fromkeys(found)), lines)


def document_anchors(fs: FileSystem, rel: str) -> Anchors | None:
    """The anchors of the workspace's Markdown file `rel` (kept per file version until the
    file system's derived data is dropped); None when it cannot be read."""
    return _document_anchors(fs, rel, fs.version(rel))


@memoized
def _document_anchors(fs: FileSystem, rel: str, version: object) -> Anchors | None:
    text = fs.read_text(rel).text
    return anchors(text) if text is not None else None
