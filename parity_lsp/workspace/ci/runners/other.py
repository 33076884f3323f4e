"""Test runners parity-lsp recognises but does not model: Maven,
`dotnet test`, CTest, RSpec, mocha, … Their verdict is "unknown" (`Reason.UNKNOWN_RUNNER`),
never "does not run": they may well run the cited test. Cited and step commands of theirs
match when the step contains the cited words in a row (docs/spec/ci.md#matching, as for unknown commands).

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
    tool: str = ""  # "SwiftPM", "Maven", …


Tool = Callable[[list[str]], "str | None"]  # the words after the program → the tool run, or None


def _first(tool: str, *subcommands: str) -> Tool:
    return lambda args: tool if args and args[0] in subcommands else None


def _any(tool: str, *words: str) -> Tool:
    tasks = tuple(f":{w}" for w in words)  # Gradle `:core:test`
    return lambda args: tool if any(a in words or a.endswith(tasks) for a in args) else None


def _always(tool: str) -> Tool:
    return lambda args: tool


def _bundle(args: list[str]) -> str | None:
    if args[:1] != ["exec"] or len(args) < 2:
        return None
    return {"rspec": "RSpec", "rake": "Rake"}.get(args[1])


_MAVEN = _any("Maven", "test", "verify", "install", "package", "integration-test", "deploy")

# program → which tool an invocation runs tests with (None: it runs none, or is not known to)
_TOOLS: dict[str, Tool] = {
    "mvn": _MAVEN,
    "mvnw": _MAVEN,
    "dotnet": _first("dotnet test", "test"),
    "ctest": _always("CTest"),
    "rspec": _always("RSpec"),
    "bundle": _bundle,
    "rake": _first("Rake", "test", "spec"),
    "mocha": _always("Mocha"),
    "phpunit": _always("PHPUnit"),
}


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    tool = _TOOLS[program]([w.value for w in cur.rest()])
    if tool is None:
        return None  # `swift build`, `dotnet restore`: the generic parser decides
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
