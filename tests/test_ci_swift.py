"""`swift test` (parity_lsp/workspace/ci/runners/swift.py): which cited Swift tests a SwiftPM
command runs, and "unknown" wherever the package's layout or the filter is not read."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.engine import check_paths
from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace

PACKAGE = """// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "Calc",
    targets: [.target(name: "Calc"), .testTarget(name: "CalcTests", dependencies: ["Calc"])]
)
"""
XCTEST = """import XCTest
@testable import Calc

final class CalcTests: XCTestCase {
    func testAdd() {}

    func testSub() throws {
        throw XCTSkip("later")
    }
}
"""
SWIFT_TESTING = """import Testing

@Suite struct SuiteTests {
    @Test func emphasis() {}
}
"""
FILES = {
    "Package.swift": PACKAGE,
    "Sources/Calc/Calc.swift": "public func add(_ a: Int, _ b: Int) -> Int { a + b }\n",
    "Tests/CalcTests/CalcTests.swift": XCTEST,
    "Tests/CalcTests/SuiteTests.swift": SWIFT_TESTING,
    "Tests/Unlisted/UnlistedTests.swift": XCTEST.replace("CalcTests", "UnlistedTests"),
    "Nested/Package.swift": PACKAGE.replace('"Calc"', '"Nested"').replace("CalcTests", "NestedTests"),
    "Nested/Tests/NestedTests/NestedTests.swift": XCTEST.replace("CalcTests", "NestedTests"),
    "src/lib.rs": "#[test]\nfn adds() {}\n",
}
ADD = TestTarget("Tests/CalcTests/CalcTests.swift", "CalcTests::testAdd")
SUB = TestTarget("Tests/CalcTests/CalcTests.swift", "CalcTests::testSub")
EMPHASIS = TestTarget("Tests/CalcTests/SuiteTests.swift", "SuiteTests::emphasis")
NESTED = TestTarget("Nested/Tests/NestedTests/NestedTests.swift", "NestedTests::testAdd")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("swift test", ADD, Outcome.RUNS, Reason.RUNS),
        ("swift test --parallel -c release", ADD, Outcome.RUNS, Reason.RUNS),
        ("swift test", TestTarget("Tests/CalcTests/CalcTests.swift"), Outcome.RUNS, Reason.RUNS),
        ("swift test", EMPHASIS, Outcome.RUNS, Reason.RUNS),
        ("swift test --filter CalcTests.CalcTests/testAdd", ADD, Outcome.RUNS, Reason.RUNS),
        ("swift test --filter 'testA.*'", ADD, Outcome.RUNS, Reason.RUNS),
        ("swift test --filter CalcTests/testSub", ADD, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        ("swift test --skip testAdd", ADD, Outcome.DOES_NOT_RUN, Reason.SKIP_FILTER),
        ("swift test --list-tests", ADD, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("swift test", SUB, Outcome.DOES_NOT_RUN, Reason.IGNORED),  # XCTSkip
        ("swift test --filter Suite", EMPHASIS, Outcome.UNKNOWN, Reason.EXPRESSION),  # Swift Testing
        ("swift test --filter '(a+)+'", ADD, Outcome.UNKNOWN, Reason.BAD_EXPRESSION),
        ("swift test", NESTED, Outcome.DOES_NOT_RUN, Reason.OUTSIDE_WORKING_DIRECTORY),
        ("swift test --package-path Nested", NESTED, Outcome.RUNS, Reason.RUNS),
        (
            "swift test",
            TestTarget("Tests/Unlisted/UnlistedTests.swift", "UnlistedTests::testAdd"),
            Outcome.UNKNOWN,
            Reason.NO_TARGET,
        ),
        ("swift test --disable-xctest", ADD, Outcome.UNKNOWN, Reason.FILTERSET),
        ("swift build", ADD, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        ("swift test", TestTarget("src/lib.rs", "adds"), Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),
    ],
)
def test_which_swift_tests_a_swift_test_command_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def test_without_a_package_the_verdict_is_unknown(tmp_path):
    files = {k: v for k, v in FILES.items() if not k.endswith("Package.swift")}
    root = workspace(tmp_path, files, dedent=False)
    v = command_runs_test(FileSystem(root), "swift test", ADD)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason


def test_a_matrix_gated_by_swift_test_is_checked(tmp_path):
    # found trying a Swift package: every row was a hint "SwiftPM, which parity-lsp does not model"
    workflow = (
        "on: push\njobs:\n  test:\n    steps:\n      - run: swift test --parallel\n"
        "  subtraction:\n    steps:\n      - run: swift test --filter CalcTests/testSub\n"
    )
    ci = ".github/workflows/swift.yml (job `{}`: `{}`)"
    rows = (
        f"| Add | ✅ | `CalcTests/testAdd` | {ci.format('test', 'swift test --parallel')} |\n"
        f"| Add only | ✅ | `CalcTests/testAdd` | {ci.format('subtraction', 'swift test --filter CalcTests/testSub')} |\n"
    )
    root = workspace(
        tmp_path,
        {
            **FILES,
            ".github/workflows/swift.yml": workflow,
            "docs/FEATURES.md": "| Feature | Status | Tests | CI |\n|---|---|---|---|\n" + rows,
        },
        dedent=False,
    )
    result = check_paths(Workspace(root), ["docs/FEATURES.md"])
    expected = (
        "CI does not run the cited tests (`CalcTests::testAdd`: `swift test --filter CalcTests/testSub` "
        "runs only tests matching `CalcTests/testSub`; `CalcTests.CalcTests/testAdd` does not match)"
    )
    assert [(f.code, f.message) for f in result.findings] == [("PM203", expected)]
