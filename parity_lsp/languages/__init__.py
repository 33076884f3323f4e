"""The language registry: every language parity-lsp understands, in one place.

A language is one module of this package defining `LANGUAGE` (a `base.Language`: id, name,
extensions, code fence, scanner, test conventions, disabled markers, test-file names) plus
one line in `MODULES` below. Everything that knows about languages asks here: the symbol
finder (which scanner reads a path), hover and completion (the code fence, the separator,
test files), the evidence parser (which extensions make a path), the server (which scanners
it imports while the client waits for `initialize`), the CI test models (Rust tests come from
the one Rust scanner) and the pre-commit hook's `files:` pattern (generated from here:
`make pre-commit-hooks`, which runs `scripts/pre_commit_hooks.py`).

Invariant: importing this package imports the small language modules only; no scanner and
nothing of tree-sitter is imported before a file of that language is scanned.
"""

from __future__ import annotations

import importlib
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from parity_lsp.languages.base import Language, PartialRecs

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec

__all__ = [
    "MODULES",
    "Language",
    "PartialRecs",
    "by_id",
    "could_define",
    "for_path",
    "is_test_file",
    "languages",
    "register",
    "scanner",
    "source_extensions",
    "unregister",
]

# One line per language: the module of this package that defines its `LANGUAGE`.
MODULES: tuple[str, ...] = (
    "rust",
    "python",
    "go",
    "typescript",
    "javascript",
    "swift",
    "java",
    "kotlin",
    "csharp",
    "c",
    "cpp",
    "ruby",
)

# Source files parity-lsp does not scan for definitions but that are code all the same:
# completion ranks them with the sources, the evidence parser takes `x.scala` for a path.
OTHER_SOURCE_EXTENSIONS: tuple[str, ...] = (
    ".scala",
    ".fs",
    ".ex",
    ".exs",
    ".erl",
    ".hs",
    ".lua",
    ".php",
    ".sql",
    ".proto",
    ".zig",
    ".dart",
    ".vue",
    ".svelte",
)

Scan = Callable[..., "list[Rec]"]  # (text) -> records, or (text, wanted) with `partial_scan`

_languages: list[Language] | None = None
_by_ext: dict[str, Language] = {}
_by_name: dict[str, Language] = {}
_by_id: dict[str, Language] = {}
_scanners: dict[str, Scan] = {}
_extensions: frozenset[str] = frozenset()  # `source_extensions()`, kept with the index


def languages() -> tuple[Language, ...]:
    """Every registered language, in registry order."""
    return tuple(_load())


def _load() -> list[Language]:
    global _languages
    if _languages is None:
        found = []
        for name in MODULES:
            module = importlib.import_module(f"{__name__}.{name}")
            found.append(module.LANGUAGE)
        _languages = found
        _index()
    return _languages


def _index() -> None:
    global _extensions
    _by_ext.clear()
    _by_name.clear()
    _by_id.clear()
    for lang in _languages or ():
        _by_id.setdefault(lang.id, lang)
        for ext in lang.extensions:
            _by_ext.setdefault(ext, lang)
        for base in lang.filenames:
            _by_name.setdefault(base, lang)
    _extensions = frozenset(_by_ext) | frozenset(OTHER_SOURCE_EXTENSIONS)


def register(lang: Language) -> None:
    """Add a language (first wins for an extension already known; used by tests and plugins)."""
    _load().append(lang)
    _index()


def unregister(lang_id: str) -> None:
    """Remove a language registered with `register` (and forget its scanner)."""
    global _languages
    _languages = [lang for lang in _load() if lang.id != lang_id]
    _scanners.pop(lang_id, None)
    _index()


def by_id(lang_id: str) -> Language | None:
    _load()
    return _by_id.get(lang_id)


def for_path(path: str) -> Language | None:
    """The language of a path, from its extension (case-insensitive) or its base name."""
    if _languages is None:
        _load()
    base = path[max(path.rfind("/"), path.rfind("\\")) + 1 :]
    dot = base.rfind(".")
    if dot > 0 or (dot == 0 and len(base) > 1):
        found = _by_ext.get(base[dot:].lower())
        if found is not None:
            return found
    return _by_name.get(base) if _by_name else None


def scanner(lang: Language) -> Scan:
    """The language's scan function, imported on first use (ImportError, AttributeError or
    the scanner module's own errors propagate: the caller decides what "not understood" says)."""
    found = _scanners.get(lang.id)
    if found is None:
        module, _, function = lang.scanner.partition(":")
        found = _scanners[lang.id] = getattr(importlib.import_module(module), function)
    return found


def source_extensions() -> frozenset[str]:
    """Extensions of source files: the registered languages' and `OTHER_SOURCE_EXTENSIONS`
    (asked for every bare word and path of an evidence cell: made once per registry change)."""
    _load()
    return _extensions


def is_test_file(path: str) -> bool:
    """Whether a path is a test file by its language's naming conventions (`FooTests.swift`,
    `foo_spec.rb`, `x_test.go`) or lies in one of its test directories (`spec/`, `src/test/`)."""
    lang = for_path(path)
    if lang is None:
        return False
    base = posixpath.basename(path)
    if lang.is_test_file_name(base):
        return True
    dirs = path.split("/")[:-1]
    return any(d in lang.test_dirs for d in dirs)


def could_define(path: str, text: str, name: str) -> bool:
    """Whether `path` may define `name`: a language is understood there and the name occurs
    in its text (a definition's name is always in the text; the cheap test before a scan)."""
    return for_path(path) is not None and bool(name) and name in text


def extensions_of(langs: Iterable[Language]) -> list[str]:
    return sorted({ext for lang in langs for ext in lang.extensions})


# --- the pre-commit hook's `files:` pattern --------------------------------------------------

PRE_COMMIT_MARK = "# cited code and tests: generated from parity_lsp/languages (make pre-commit-hooks)"


def pre_commit_code_line() -> str:
    """The line of `.pre-commit-hooks.yaml`'s `files:` pattern that matches the files of the
    registered languages (by extension, or by base name for `Rakefile`-like files)."""
    exts = "|".join(re.escape(e[1:]) for e in extensions_of(languages()))
    names = sorted({n for lang in languages() for n in lang.filenames})
    pattern = rf"\.({exts})$"
    if names:
        pattern = rf"(\.({exts})|(^|/)({'|'.join(re.escape(n) for n in names)}))$"
    return f"      | {pattern}  {PRE_COMMIT_MARK}"


def update_pre_commit_hooks(text: str) -> str:
    """`text` (the hooks file) with its generated line replaced by the registry's."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip().endswith(PRE_COMMIT_MARK):
            lines[i] = pre_commit_code_line()
    return "\n".join(lines)


def _main(argv: list[str]) -> int:
    """`python -m parity_lsp.languages`: the registered languages, their files and scanners
    (`scripts/pre_commit_hooks.py` writes the hook's pattern from `pre_commit_code_line`)."""
    if argv:
        print("usage: python -m parity_lsp.languages")
        return 2
    for lang in languages():
        print(f"{lang.id:<11} {' '.join(lang.extensions + lang.filenames):<44} {lang.scanner}")
    return 0


def markdown_table() -> str:
    """README's table of the languages understood (tests/test_languages.py keeps them equal)."""
    rows = ["| language | files | tests | disabled (PM308) |", "|---|---|---|---|"]
    for lang in languages():
        files = ", ".join(f"`{f}`" for f in (*lang.extensions, *lang.filenames))
        rows.append(f"| {lang.name} | {files} | {lang.tests} | {lang.disabled or '—'} |")
    return "\n".join(rows)
