"""Playwright Test (parity_lsp/workspace/ci/runners/playwright.py): which cited end-to-end tests
`playwright test` runs, and "unknown" wherever the configuration or a filter chooses."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem

CONFIG = """import { defineConfig, devices } from "@playwright/test";

export default defineConfig({
  testDir: "./e2e",
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
});
"""
SPEC = """import { test, expect } from "@playwright/test";

test("editor loads", async ({ page }) => {});

test.skip("export works", async ({ page }) => {});
"""
FILES = {
    "playwright.config.ts": CONFIG,
    "e2e/editor.spec.ts": SPEC,
    "e2e/helpers.ts": "export const x = 1;\n",
    "src/app.spec.ts": SPEC,
    "tests/x_test.py": "def test_x():\n    pass\n",
}
LOADS = TestTarget("e2e/editor.spec.ts", "editor loads")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("npx playwright test", LOADS, Outcome.RUNS, Reason.RUNS),
        ("playwright test --reporter=html --forbid-only", LOADS, Outcome.RUNS, Reason.RUNS),
        ("npx playwright test editor", LOADS, Outcome.RUNS, Reason.RUNS),
        (
            "npx playwright test",
            TestTarget("e2e/editor.spec.ts", "export works"),
            Outcome.DOES_NOT_RUN,
            Reason.IGNORED,
        ),
        ("npx playwright test", TestTarget("src/app.spec.ts"), Outcome.DOES_NOT_RUN, Reason.OUTSIDE_PATHS),
        ("npx playwright test", TestTarget("e2e/helpers.ts"), Outcome.DOES_NOT_RUN, Reason.NOT_COLLECTED),
        ("npx playwright test --list", LOADS, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("npx playwright test --project=firefox", LOADS, Outcome.UNKNOWN, Reason.FILTERSET),
        ("npx playwright test -g checkout", LOADS, Outcome.UNKNOWN, Reason.FILTERSET),
        ("npx playwright test cart", LOADS, Outcome.UNKNOWN, Reason.OUTSIDE_PATHS),
        ("npx playwright install --with-deps", LOADS, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        (
            "npx playwright test",
            TestTarget("tests/x_test.py", "test_x"),
            Outcome.DOES_NOT_RUN,
            Reason.WRONG_LANGUAGE,
        ),
    ],
)
def test_which_tests_playwright_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


@pytest.mark.parametrize(
    "config",
    [
        CONFIG.replace('testDir: "./e2e",', 'testDir: "./e2e",\n  testMatch: "**/*.e2e.ts",'),
        CONFIG.replace("use: {", 'testDir: "./smoke", use: {'),  # a project's own testDir
        CONFIG.replace('testDir: "./e2e"', "testDir: path.join(__dirname, 'e2e')"),
        None,  # no configuration
    ],
)
def test_a_configuration_that_chooses_the_test_files_is_not_read(tmp_path, config):
    files = {k: v for k, v in FILES.items() if k != "playwright.config.ts"}
    if config is not None:
        files["playwright.config.ts"] = config
    root = workspace(tmp_path, files, dedent=False)
    v = command_runs_test(FileSystem(root), "npx playwright test", LOADS)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason
