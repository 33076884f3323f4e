"""What a completion is (no LSP types: `lsp/features/completion.py` translates), its kinds, and
the escaping of inserted text for the cell it goes into."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from parity_lsp.text import Span

# Kinds (front ends map them to their own vocabulary).
FOLDER, FILE, FUNCTION, METHOD, CLASS, STRUCT, ENUM, INTERFACE, MODULE, CONSTANT, FIELD = (
    "folder",
    "file",
    "function",
    "method",
    "class",
    "struct",
    "enum",
    "interface",
    "module",
    "constant",
    "field",
)
ENUM_MEMBER, REFERENCE, EVENT, TEXT, PERSON, HEADING = (
    "enum_member",
    "reference",
    "event",
    "text",
    "person",
    "heading",
)


@dataclass(frozen=True, slots=True)
class Completion:
    label: str
    insert_text: str  # escaped for the place it is inserted
    replace_span: Span  # code point offsets into the document; always on the cursor's line
    kind: str
    detail: str | None = None
    documentation: str | None = None  # Markdown
    sort_text: str | None = None
    filter_text: str | None = None
    retrigger: bool = False  # ask the editor to complete again after inserting (directories)


Escape = Callable[[str], str]  # text to insert -> text escaped for the cell it goes into


def identity(s: str) -> str:
    return s


def md_escape(s: str) -> str:
    return s.replace("\\|", "|").replace("|", "\\|")


def csv_escape(s: str) -> str:
    return s.replace('"', '""')


_NATURAL = re.compile(r"(\d+)")


def natural(name: str) -> list[int | str]:
    """Sort key: numbers by value (`EX-2` before `EX-10`), text case-insensitively."""
    return [int(p) if p.isdigit() else p.lower() for p in _NATURAL.split(name)]


WORD_TAIL = re.compile(r"[\w-]*$")


def tail(pattern: re.Pattern[str], text: str) -> str:
    """What `pattern` (anchored at the end, and matching the empty string) matches at the end
    of `text`: it always matches, the empty string when nothing else."""
    found = pattern.search(text)
    return found.group(0) if found is not None else ""
