"""Test runners parity-lsp recognises but does not model: `rake test`, mocha, PHPUnit, …
Their verdict is "unknown" (`Reason.UNKNOWN_RUNNER`), never "does not run": they may well run
the cited test. Cited and step commands of theirs match when the step contains the cited words
in a row (docs/spec/ci.md#matching, as for unknown commands).

Invariant: pure; no IO.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from parity_lsp.workspace.ci.runners.base import Common, Cursor, ParsedCommand, Runner


@dataclass(kw_only=True, slots=True)
class OtherRun(ParsedCommand):
    kind: ClassVar[str] = "other"
    tool: str = ""  # "Rake", "Mocha", …


Tool = Callable[[list[str]], "str | None"]  # the words after the program → the tool run, or None


def _first(tool: str, *subcommands: str) -> Tool:
    return lambda args: tool if args and args[0] in subcommands else None


def _always(tool: str) -> Tool:
    return lambda args: tool


# program → which tool an invocation runs tests with (None: it runs none, or is not known to)
_TOOLS: dict[str, Tool] = {
    "rake": _first("Rake", "test", "spec"),
    "mocha": _always("Mocha"),
    "phpunit": _always("PHPUnit"),
}


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    tool = _TOOLS[program]([w.value for w in cur.rest()])
    if tool is None:
        return None  # `rake db:migrate`: the generic parser decides
    return OtherRun(tool=tool, **common)


def _tool(cmd: OtherRun) -> str:
    return cmd.tool


RUNNER = Runner(
    name="other",
    title="other test runners (unknown)",
    programs=frozenset(_TOOLS),
    model=OtherRun,
    parse=parse,
    tool=_tool,
    needs="nothing: the verdict is unknown",
)
