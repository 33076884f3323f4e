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
