"""CTest (parity_lsp/workspace/ci/runners/ctest.py): which cited C and C++ tests `ctest` runs,
read from the source tree's CMakeLists.txt, and "unknown" wherever that does not tell."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem

RING = """#include <gtest/gtest.h>

TEST(RingBuffer, PushUntilFull) {}

TEST(RingBuffer, DISABLED_Wraparound) {}
"""
CMAKE = """cmake_minimum_required(VERSION 3.20)
project(ring CXX)
enable_testing()
add_executable(ring_tests tests/ring_test.cpp)
include(GoogleTest)
gtest_discover_tests(ring_tests)
add_executable(other_tests tests/other_test.cpp)
add_test(NAME other COMMAND other_tests)
add_executable(tool tools/tool.cpp)
"""
FILES = {
    "CMakeLists.txt": CMAKE,
    "tests/ring_test.cpp": RING,
    "tests/other_test.cpp": RING.replace("RingBuffer", "Other"),
    "tools/tool.cpp": RING.replace("RingBuffer", "Tool"),
    "tests/test_x.py": "def test_x():\n    pass\n",
}
PUSH = TestTarget("tests/ring_test.cpp", "RingBuffer.PushUntilFull")
WRAP = TestTarget("tests/ring_test.cpp", "RingBuffer.Wraparound")
OTHER = TestTarget("tests/other_test.cpp", "Other.PushUntilFull")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("ctest --test-dir build --output-on-failure", PUSH, Outcome.RUNS, Reason.RUNS),
        ("ctest", OTHER, Outcome.RUNS, Reason.RUNS),  # registered with add_test
        ("ctest -R RingBuffer", PUSH, Outcome.RUNS, Reason.RUNS),
        ("ctest -R '^Ring.*Full$'", PUSH, Outcome.RUNS, Reason.RUNS),
        ("ctest -R Parser", PUSH, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        ("ctest -E Push", PUSH, Outcome.DOES_NOT_RUN, Reason.SKIP_FILTER),
        ("ctest", WRAP, Outcome.DOES_NOT_RUN, Reason.IGNORED),  # DISABLED_ prefix
        ("ctest -N", PUSH, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("ctest -R other", OTHER, Outcome.UNKNOWN, Reason.EXPRESSION),  # add_test names its own test
        ("ctest -L unit", PUSH, Outcome.UNKNOWN, Reason.FILTERSET),
        ("ctest -R '(a+)+'", PUSH, Outcome.UNKNOWN, Reason.BAD_EXPRESSION),
        ("ctest", TestTarget("tools/tool.cpp", "Tool.PushUntilFull"), Outcome.UNKNOWN, Reason.NO_TARGET),
        ("ctest", TestTarget("tests/test_x.py", "test_x"), Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),
    ],
)
def test_which_tests_ctest_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def test_discovered_names_changed_by_a_prefix_are_not_evaluated(tmp_path):
    cmake = CMAKE.replace(
        "gtest_discover_tests(ring_tests)", "gtest_discover_tests(ring_tests TEST_PREFIX ring.)"
    )
    root = workspace(tmp_path, {**FILES, "CMakeLists.txt": cmake}, dedent=False)
    v = command_runs_test(FileSystem(root), "ctest -R Parser", PUSH)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.EXPRESSION), v.reason
    assert command_runs_test(FileSystem(root), "ctest", PUSH).outcome == Outcome.RUNS
