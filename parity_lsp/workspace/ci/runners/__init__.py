"""The test-runner registry: every CI test runner parity-lsp knows, in one place.

A runner is one module of this package defining `RUNNER` (a `base.Runner`: its name, the
programs it parses, its command model and parser, the selection key matching compares
(docs/spec/ci.md#matching), and the judge of one (command, test) pair or the scripts it
runs) plus one line in `MODULES` below: the module and the programs it parses
(`tests/test_ci_runners.py` holds each line to its module's `RUNNER.programs`).
Everything that knows about runners asks here: `commands.parse_command` (which parser reads a
program), `selection_key`/`command_matches`/`CommandIndex` (which key a command has),
`verdict.command_runs_test` (which judge decides, or which scripts to follow) and the job-level
verdict (which steps run a test runner, judged first).

Invariant: a runner's verdict uses the typed `reasons.Reason` codes; importing this package
imports no runner module; a runner's module is imported when one of its programs is first
parsed (a Rust workspace never imports the Gradle runner), all of them by `runners()`.
"""

from __future__ import annotations

import importlib
from typing import Any

from parity_lsp.workspace.ci.runners.base import ParsedCommand, Runner

__all__ = ["MODULES", "PRELOAD", "Runner", "for_command", "for_program", "register", "runners", "unregister"]

# One line per runner, in registry order: its module of this package and the programs it parses.
MODULES: dict[str, tuple[str, ...]] = {
    "cargo": ("cargo", "cross"),
    "pytest": ("pytest", "py.test", "hatch"),
    "go": ("go", "gotestsum"),
    "swift": ("swift",),
    "gradle": ("gradle", "gradlew"),
    "maven": ("mvn", "mvnw"),
    "jest": ("jest", "vitest"),
    "playwright": ("playwright",),
    "rspec": ("rspec",),
    "dotnet": ("dotnet",),
    "ctest": ("ctest",),
    "make": ("make", "gmake"),
    "npm": ("npm", "pnpm", "yarn"),
    "other": ("rake", "mocha", "phpunit"),
}
# The runners most workspaces' CI runs: the server imports them ahead of a matrix's semantic
# stage, a module a step (the others are imported when first met, ~1-2 ms each).
PRELOAD: tuple[str, ...] = ("cargo", "pytest", "go", "make", "npm", "other")

_loaded: dict[str, Runner[Any]] = {}  # module name -> its runner
_extra: list[Runner[Any]] = []  # registered at run time (tests, plugins)
_by_kind: dict[str, Runner[Any]] = {}


def _module(name: str) -> Runner[Any]:
    runner = _loaded.get(name)
    if runner is None:
        runner = _loaded[name] = importlib.import_module(f"{__name__}.{name}").RUNNER
        _by_kind.setdefault(runner.name, runner)
    return runner


def _ordered() -> list[Runner[Any]]:
    return [_loaded[name] for name in MODULES if name in _loaded] + _extra


def runners() -> tuple[Runner[Any], ...]:
    """Every registered runner, in registry order (every module imported)."""
    for name in MODULES:
        _module(name)
    return tuple(_ordered())


def for_program(program: str) -> list[Runner[Any]]:
    """The runners that parse `program` (a base name: `cargo`, `pytest`), in registry order."""
    found = [_module(name) for name, programs in MODULES.items() if program in programs]
    return found + [r for r in _extra if program in r.programs]


def for_command(cmd: ParsedCommand) -> Runner[Any] | None:
    """The runner whose model `cmd` is (its module was imported to parse it); None for an
    `Unknown` command."""
    return _by_kind.get(cmd.kind)


def register(runner: Runner[Any]) -> None:
    """Add a runner (used by tests and plugins). Parsed commands are cached: a test that
    registers a runner clears `commands.parse_command`'s cache (`commands.clear_caches()`).
    Raises ValueError when the model's `kind` is not the runner's name (its commands would
    never find it)."""
    if runner.model.kind != runner.name:
        raise ValueError(f"runner `{runner.name}`: its model's kind is `{runner.model.kind}`")
    _extra.append(runner)
    _by_kind.setdefault(runner.name, runner)


def unregister(name: str) -> None:
    """Remove the runner named `name` (the inverse of `register`)."""
    _extra[:] = [r for r in _extra if r.name != name]
    for module, runner in list(_loaded.items()):
        if runner.name == name:
            del _loaded[module]
    _by_kind.pop(name, None)
    for runner in _ordered():
        _by_kind.setdefault(runner.name, runner)
