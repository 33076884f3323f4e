"""jest and vitest (parity_lsp/workspace/ci/runners/jest.py): which cited JavaScript and
TypeScript tests they run, and "unknown" wherever a configuration or a filter chooses."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.engine import check_paths
from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace

PARSER = """import { describe, it, expect } from "vitest";

describe("Parser", () => {
  it("parses empty input", () => {});

  it.skip("handles unicode", () => {});
});
"""
FILES = {
    "package.json": '{"scripts": {"test": "vitest run", "jest": "jest --ci"}}\n',
    "src/__tests__/parser.test.ts": PARSER,
    "src/lib/helpers.ts": "export const x = 1;\n",
    "src/lib/__tests__/helpers.ts": "test('helper', () => {});\n",
    "node_modules/dep/index.test.js": "test('x', () => {});\n",
    "web/src/app.spec.tsx": "test('renders', () => {});\n",
    "tests/test_x.py": "def test_x():\n    pass\n",
}
EMPTY = TestTarget("src/__tests__/parser.test.ts", "Parser::parses empty input")
UNICODE = TestTarget("src/__tests__/parser.test.ts", "Parser::handles unicode")
APP = TestTarget("web/src/app.spec.tsx")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("vitest run", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("vitest", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("jest --ci --coverage", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("npm test", EMPTY, Outcome.RUNS, Reason.RUNS),  # the script: `vitest run`
        ("npx vitest run", EMPTY, Outcome.RUNS, Reason.RUNS),  # a package's binary
        ("pnpm exec jest --ci", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("npx -c 'jest'", EMPTY, Outcome.UNKNOWN, Reason.UNKNOWN_COMMAND),
        ("vitest run", APP, Outcome.RUNS, Reason.RUNS),
        ("vitest run parser", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("vitest run -t 'empty input'", EMPTY, Outcome.RUNS, Reason.RUNS),
        ("vitest run", UNICODE, Outcome.DOES_NOT_RUN, Reason.IGNORED),
        ("jest", TestTarget("src/lib/__tests__/helpers.ts"), Outcome.RUNS, Reason.RUNS),
        # vitest finds `*.test.ts` / `*.spec.ts` only, not `__tests__/` files
        (
            "vitest run",
            TestTarget("src/lib/__tests__/helpers.ts"),
            Outcome.DOES_NOT_RUN,
            Reason.NOT_COLLECTED,
        ),
        ("jest", TestTarget("node_modules/dep/index.test.js"), Outcome.DOES_NOT_RUN, Reason.NOT_COLLECTED),
        ("jest --listTests", EMPTY, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("vitest list", EMPTY, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("vitest bench", EMPTY, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        ("cd web && vitest run", EMPTY, Outcome.DOES_NOT_RUN, Reason.OUTSIDE_WORKING_DIRECTORY),
        ("vitest run web", EMPTY, Outcome.UNKNOWN, Reason.OUTSIDE_PATHS),
        ("jest --testPathPattern web", EMPTY, Outcome.UNKNOWN, Reason.OUTSIDE_PATHS),
        ("vitest run -t 'renders'", EMPTY, Outcome.UNKNOWN, Reason.EXPRESSION),
        ("jest --onlyChanged", EMPTY, Outcome.UNKNOWN, Reason.FILTERSET),
        ("vitest run --project web", EMPTY, Outcome.UNKNOWN, Reason.FILTERSET),
        ("vitest run", TestTarget("tests/test_x.py", "test_x"), Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),
    ],
)
def test_which_tests_jest_and_vitest_run(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = _judge(root, command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def _judge(root, command, test):
    from parity_lsp.workspace.ci.shell import split_commands, with_directories
    from parity_lsp.workspace.ci.verdict import command_runs_test as judge_one

    if "&&" not in command:
        return judge_one(FileSystem(root), command, test)
    # `cd web && vitest run`: the last command, in the directory the first one leaves
    (*_, (last, cwd)) = with_directories(split_commands(command), "")
    return judge_one(FileSystem(root), last.text, test, cwd)


@pytest.mark.parametrize(
    "config",
    [
        ("vitest.config.ts", "export default { test: { include: ['e2e/**/*.ts'] } }\n"),
        ("vitest.workspace.ts", "export default ['packages/*']\n"),
    ],
)
def test_a_configuration_that_chooses_the_test_files_makes_it_unknown(tmp_path, config):
    root = workspace(tmp_path, {**FILES, config[0]: config[1]}, dedent=False)
    v = command_runs_test(FileSystem(root), "vitest run", EMPTY)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason
    # a configuration that does not choose them (plugins, an environment) keeps the defaults
    root2 = workspace(
        tmp_path / "2", {**FILES, "vitest.config.ts": "export default { test: { environment: 'jsdom' } }\n"}
    )
    assert command_runs_test(FileSystem(root2), "vitest run", EMPTY).outcome == Outcome.RUNS


def test_jest_configured_in_package_json_is_not_read(tmp_path):
    files = {**FILES, "package.json": '{"scripts": {"test": "jest"}, "jest": {"roots": ["<rootDir>/lib"]}}\n'}
    root = workspace(tmp_path, files, dedent=False)
    v = command_runs_test(FileSystem(root), "jest", EMPTY)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason


def test_a_matrix_gated_by_npm_test_running_vitest_is_checked(tmp_path):
    # found trying a TypeScript repository: `npm test` ran `vitest run`, "not understood"
    workflow = "on: push\njobs:\n  unit:\n    steps:\n      - run: npm ci\n      - run: npm test\n"
    ci = ".github/workflows/ci.yml (job `unit`: `npm test`)"
    rows = (
        f"| Empty | ✅ | `src/__tests__/parser.test.ts` (`parses empty input`) | {ci} |\n"
        f"| Unicode | ✅ | `src/__tests__/parser.test.ts` (`handles unicode`) | {ci} |\n"
    )
    root = workspace(
        tmp_path,
        {
            **FILES,
            ".github/workflows/ci.yml": workflow,
            "docs/FEATURES.md": "| F | Status | Tests | CI |\n|---|---|---|---|\n" + rows,
        },
        dedent=False,
    )
    found = [
        (f.code, f.message.split(" (")[0])
        for f in check_paths(Workspace(root), ["docs/FEATURES.md"]).findings
    ]
    assert found == [
        ("PM308", "test `handles unicode` is disabled"),
        ("PM203", "CI does not run the cited tests"),
    ]
