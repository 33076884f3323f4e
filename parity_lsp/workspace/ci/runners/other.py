"""Test runners parity-lsp recognises but does not model: `swift test`, Gradle, Maven,
`dotnet test`, CTest, RSpec, jest, … Their verdict is "unknown" (`Reason.UNKNOWN_RUNNER`),
never "does not run": they may well run the cited test. Cited and step commands of theirs
match when the step contains the cited words in a row (SPEC 5, as for unknown commands).

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


def _first(*subcommands: str) -> Callable[[list[str]], bool]:
    return lambda args: bool(args) and args[0] in subcommands


def _any(*words: str) -> Callable[[list[str]], bool]:
    return lambda args: any(a in words or a.endswith(tuple(f":{w}" for w in words)) for a in args)


def _always(args: list[str]) -> bool:
    return True


# program → (the tool, does this invocation run tests?)
_TOOLS: dict[str, tuple[str, Callable[[list[str]], bool]]] = {
    "swift": ("SwiftPM", _first("test")),
    "gradle": ("Gradle", _any("test", "check", "build")),
    "gradlew": ("Gradle", _any("test", "check", "build")),
    "mvn": ("Maven", _any("test", "verify", "install", "package", "integration-test", "deploy")),
    "mvnw": ("Maven", _any("test", "verify", "install", "package", "integration-test", "deploy")),
    "dotnet": ("dotnet test", _first("test")),
    "ctest": ("CTest", _always),
    "rspec": ("RSpec", _always),
    "bundle": ("Bundler", lambda args: args[:1] == ["exec"] and args[1:2] in (["rspec"], ["rake"])),
    "rake": ("Rake", _first("test", "spec")),
    "jest": ("Jest", _always),
    "vitest": ("Vitest", _always),
    "mocha": ("Mocha", _always),
    "phpunit": ("PHPUnit", _always),
}


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    tool, runs_tests = _TOOLS[program]
    if not runs_tests([w.value for w in cur.rest()]):
        return None  # `swift build`, `dotnet restore`: the generic parser decides
    return OtherRun(tool=tool, **common)


RUNNER = Runner(
    name="other",
    title="other test runners (unknown)",
    programs=frozenset(_TOOLS),
    model=OtherRun,
    parse=parse,
    needs="nothing: the verdict is unknown",
)
