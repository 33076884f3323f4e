"""Hypothesis profiles: the normal suite runs Hypothesis' default profile; `make fuzz` selects
`HYPOTHESIS_PROFILE=fuzz` (20x the examples of the property tests that do not pin a count, 5x
the count a test asks for with `examples(n)`, where the normal run has a third of it).

`require`: what a test does when a program it needs is missing (skip, or fail under CI)."""

import os

import pytest
from hypothesis import settings

settings.register_profile("fuzz", max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def examples(n: int) -> int:
    """The example count of a property test that asks for `n` (`@settings(max_examples=
    examples(600))`): a third of it, at least Hypothesis' default 100, in the normal run (the
    suite's time goes to property tests otherwise, with no coverage to show for the rest);
    five times it under `make fuzz`, the deep run."""
    return n * 5 if DEEP else min(n, max(100, n // 3))


def require(found, what: str, how: str):
    """`found` (e.g. a program's path) when it is there. Missing: the test skips, saying how to
    get it (`how`); but where the environment variable CI is set it fails instead: .ci/run
    installs everything, and a skip there would hide a broken setup (issue 16, item 18)."""
    if found:
        return found
    message = f"{what} not found: {how}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: a missing program fails the test)", pytrace=False)
    pytest.skip(message)


# The files whose tests take longest (measured with `--durations=0`, summed per file, on the
# 2-CPU machine), in that order. `make pytest` hands whole files to two workers (`--dist
# loadfile --no-loadscope-reorder`: each worker takes the next file in this order when it is
# almost done with its own); the longest go first so that the short ones at the end fill both
# workers evenly, instead of a 20-second file starting last on one worker while the other idles
# (xdist's own order is by number of tests, which put these files last). The rest keep pytest's
# order. A file missing here costs only balance, never a test.
SLOWEST_FIRST = (
    "test_editor_vscode.py",  # code-server and Chromium: ~30 s, most of it waiting on them
    "test_robust_adversarial.py",  # one module fixture: 15 families timed in child processes
    "test_robust_resources.py",  # `check` of the 100,000-row CSV
    "test_parallel_check.py",
    "test_symbols_lookup.py",
    "test_packaging.py",
    "test_bench_scripts.py",
    "test_robust_fuzz.py",
    "test_editor_nvim.py",
    "test_robust_writes.py",
    "test_languages_fuzz.py",
    "test_robust_protocol.py",
    "test_symbols_rust_windows.py",
    "test_staged_diagnostics.py",
    "test_cli.py",
    "test_lsp_diagnostics.py",
    "test_robust_containment.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's order kept
