"""What a language is to parity-lsp: one `Language` value per language module.

Invariant: importing this module (or a language module) is cheap and imports no scanner and
nothing of tree-sitter: a scanner is named by `module:function` and imported on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parity_lsp.workspace.symbols._common import Rec


@dataclass(frozen=True, slots=True)
class Language:
    """A language parity-lsp understands: its files, its scanner and its test conventions.

    `scanner` is `"module:function"`, a function `(text, wanted) -> list[Rec]` over a text whose
    line breaks are `\\n` (see `parity_lsp.workspace.symbols`); with `partial_scan`, it honours
    `wanted` (record only the functions of those names), otherwise it is called with the text
    alone. `requires` names the modules the scanner needs beyond parity-lsp (a tree-sitter
    grammar wheel): when one cannot be imported, the language is not understood (a warning,
    then a whole-word search), never "symbol not defined".
    """

    id: str  # "rust", "java", ...: what `language_for_path` answers
    name: str  # "Rust", "Java": what messages and docs say
    extensions: tuple[str, ...]  # lower case, with the dot: (".rs",)
    scanner: str  # "parity_lsp.workspace.symbols.rust:scan"
    fence: str = ""  # the Markdown code fence info string (hover, completion documentation)
    filenames: tuple[str, ...] = ()  # exact base names of this language without an extension
    partial_scan: bool = False  # the scanner records only the functions asked for (`wanted`)
    preload: bool = False  # the server imports the scanner while the client waits for `initialize`
    requires: tuple[str, ...] = ()  # modules (grammar wheels) the scanner imports on first use
    separator: str = "::"  # how people write a member after its container (`Class.method`)
    tests: str = ""  # the test conventions understood (README's language table)
    disabled: str = ""  # the disabled-test markers understood (PM308)
    # A CI command can run this language's disabled tests (`cargo test -- --ignored`), and the
    # CI verdict models it: only then does a verdict "runs" clear PM308. A skip marker in
    # code (Go's `t.Skip()`, pytest's `skip`) skips the test under every command.
    ci_runs_disabled: bool = False
    # base names of test files (regexes, fullmatch) and directory names that hold tests
    test_files: tuple[str, ...] = ()
    test_dirs: tuple[str, ...] = ()

    def is_test_file_name(self, base: str) -> bool:
        """Whether a base name follows this language's test-file conventions."""
        return bool(self.test_files) and _alternatives(self.test_files).fullmatch(base) is not None


@functools.lru_cache(maxsize=64)
def _alternatives(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class PartialRecs(list["Rec"]):
    """A scan that met syntax it could not read (a parse error): the definitions it lists are
    real, but a name it does not list may still be defined. `symbols.lookup` then answers
    "not understood" (a word search) rather than "not defined"."""

    __slots__ = ()
