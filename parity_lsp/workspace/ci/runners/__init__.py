"""The test-runner registry: every CI test runner parity-lsp knows, in one place.

A runner is one module of this package defining `RUNNER` (a `base.Runner`: its name, the
programs it parses, its command model and parser, the selection key matching compares
(docs/spec/ci.md#matching), and the judge of one (command, test) pair or the scripts it
runs) plus one line in `MODULES` below.
Everything that knows about runners asks here: `commands.parse_command` (which parser reads a
program), `selection_key`/`command_matches`/`CommandIndex` (which key a command has),
`verdict.command_runs_test` (which judge decides, or which scripts to follow) and the job-level
verdict (which steps run a test runner, judged first).

Invariant: a runner's verdict uses the typed `reasons.Reason` codes; importing this package
imports no runner module before a command is parsed.
"""

from __future__ import annotations

import importlib
from typing import Any

from parity_lsp.workspace.ci.runners.base import ParsedCommand, Runner

__all__ = ["MODULES", "Runner", "for_command", "for_program", "register", "runners", "unregister"]

# One line per runner: the module of this package that defines its `RUNNER`.
MODULES: tuple[str, ...] = (
    "cargo",
    "pytest",
    "go",
    "swift",
    "gradle",
    "maven",
    "jest",
    "rspec",
    "make",
    "npm",
    "other",
)

_runners: list[Runner[Any]] | None = None
_by_program: dict[str, list[Runner[Any]]] = {}
_by_kind: dict[str, Runner[Any]] = {}


def runners() -> tuple[Runner[Any], ...]:
    """Every registered runner, in registry order."""
    return tuple(_load())


def _load() -> list[Runner[Any]]:
    global _runners
    if _runners is None:
        _runners = [importlib.import_module(f"{__name__}.{name}").RUNNER for name in MODULES]
        _index()
    return _runners


def _index() -> None:
    _by_program.clear()
    _by_kind.clear()
    for runner in _runners or ():
        _by_kind.setdefault(runner.name, runner)
        for program in runner.programs:
            _by_program.setdefault(program, []).append(runner)


def for_program(program: str) -> list[Runner[Any]]:
    """The runners that parse `program` (a base name: `cargo`, `pytest`), in registry order."""
    if _runners is None:
        _load()
    return _by_program.get(program, [])


def for_command(cmd: ParsedCommand) -> Runner[Any] | None:
    """The runner whose model `cmd` is; None for an `Unknown` command."""
    if _runners is None:  # on the hot path of matching and judging: no call once loaded
        _load()
    return _by_kind.get(cmd.kind)


def register(runner: Runner[Any]) -> None:
    """Add a runner (used by tests and plugins). Parsed commands are cached: a test that
    registers a runner clears `commands.parse_command`'s cache (`commands.clear_caches()`).
    Raises ValueError when the model's `kind` is not the runner's name (its commands would
    never find it)."""
    if runner.model.kind != runner.name:
        raise ValueError(f"runner `{runner.name}`: its model's kind is `{runner.model.kind}`")
    _load().append(runner)
    _index()


def unregister(name: str) -> None:
    """Remove the runner named `name` (the inverse of `register`)."""
    _load()[:] = [r for r in _load() if r.name != name]
    _index()
