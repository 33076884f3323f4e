"""Gradle (parity_lsp/workspace/ci/runners/gradle.py): which cited JVM tests `gradle` /
`./gradlew` runs, and "unknown" wherever the build is not read."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.engine import check_paths
from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace

CART = """package shop

import org.junit.jupiter.api.Disabled
import org.junit.jupiter.api.Nested
import org.junit.jupiter.api.Test

class CartTest {
    @Test
    fun addsItems() {}

    @Test
    fun `empty cart totals zero`() {}

    @Disabled("JIRA-12")
    @Test
    fun `applies coupons`() {}

    @Nested
    inner class Checkout {
        @Test
        fun `charges the card`() {}
    }
}
"""
CORE = """package core;

import org.junit.jupiter.api.Test;

class CoreTest {
    @Test
    void parses() {}
}
"""
FILES = {
    "settings.gradle.kts": 'rootProject.name = "shop"\ninclude("app", "libs:core")\n',
    "app/src/test/kotlin/shop/CartTest.kt": CART,
    "app/src/integrationTest/kotlin/shop/CartIT.kt": CART.replace("CartTest", "CartIT"),
    "libs/core/src/test/java/core/CoreTest.java": CORE,
    "tools/src/test/java/ToolTest.java": CORE.replace("CoreTest", "ToolTest"),
    "tests/test_x.py": "def test_x():\n    pass\n",
}
ADDS = TestTarget("app/src/test/kotlin/shop/CartTest.kt", "CartTest::addsItems")
COUPONS = TestTarget("app/src/test/kotlin/shop/CartTest.kt", "CartTest::applies coupons")
CHARGES = TestTarget("app/src/test/kotlin/shop/CartTest.kt", "CartTest::Checkout::charges the card")
PARSES = TestTarget("libs/core/src/test/java/core/CoreTest.java", "CoreTest::parses")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("./gradlew test", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew --no-daemon --continue check", ADDS, Outcome.RUNS, Reason.RUNS),
        ("gradle :app:test -Pci=true", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew app:build", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew :libs:core:test", PARSES, Outcome.RUNS, Reason.RUNS),
        ("./gradlew :libs:core:test", ADDS, Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),
        ("./gradlew :test", ADDS, Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),  # the root project's
        ("./gradlew build -x test", ADDS, Outcome.DOES_NOT_RUN, Reason.PACKAGE_EXCLUDED),
        ("./gradlew assemble", ADDS, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        ("./gradlew --dry-run test", ADDS, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("./gradlew test", COUPONS, Outcome.DOES_NOT_RUN, Reason.IGNORED),
        ("./gradlew test --tests shop.CartTest", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew test --tests '*CartTest.addsItems'", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew test --tests CartTest", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./gradlew test --tests '*Checkout*'", CHARGES, Outcome.RUNS, Reason.RUNS),
        ("./gradlew test --tests 'shop.CartTest.empty*'", ADDS, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        ("./gradlew test --tests shop.OtherTest", ADDS, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        ("./gradlew integrationTest", ADDS, Outcome.UNKNOWN, Reason.UNKNOWN_RUNNER),
        (
            "./gradlew test",
            TestTarget("app/src/integrationTest/kotlin/shop/CartIT.kt", "CartIT::addsItems"),
            Outcome.UNKNOWN,
            Reason.NO_TARGET,
        ),
        (
            "./gradlew test",
            TestTarget("tools/src/test/java/ToolTest.java", "ToolTest::parses"),
            Outcome.UNKNOWN,
            Reason.NO_TARGET,
        ),
        ("./gradlew -p app test", ADDS, Outcome.UNKNOWN, Reason.MANIFEST_ERROR),  # app has no settings
        ("./gradlew -b other.gradle test", ADDS, Outcome.UNKNOWN, Reason.MANIFEST_ERROR),
        (
            "./gradlew test",
            TestTarget("tests/test_x.py", "test_x"),
            Outcome.DOES_NOT_RUN,
            Reason.WRONG_LANGUAGE,
        ),
    ],
)
def test_which_jvm_tests_a_gradle_command_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def test_without_settings_the_verdict_is_unknown(tmp_path):
    root = workspace(tmp_path, {k: v for k, v in FILES.items() if not k.startswith("settings")}, dedent=False)
    v = command_runs_test(FileSystem(root), "./gradlew test", ADDS)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason


def test_a_matrix_gated_by_gradle_is_checked(tmp_path):
    # found trying a Kotlin repository: every row was a hint "Gradle, which parity-lsp does not model"
    workflow = (
        "on: push\njobs:\n  test:\n    steps:\n      - run: ./gradlew :app:test\n"
        "  core:\n    steps:\n      - run: ./gradlew :libs:core:test\n"
    )
    ci = ".github/workflows/gradle.yml (job `{}`: `{}`)"
    rows = (
        f"| Add | ✅ | `CartTest#addsItems` | {ci.format('test', './gradlew :app:test')} |\n"
        f"| Core | ✅ | `CartTest#addsItems` | {ci.format('core', './gradlew :libs:core:test')} |\n"
    )
    root = workspace(
        tmp_path,
        {
            **FILES,
            ".github/workflows/gradle.yml": workflow,
            "docs/FEATURES.md": "| Feature | Status | Tests | CI |\n|---|---|---|---|\n" + rows,
        },
        dedent=False,
    )
    result = check_paths(Workspace(root), ["docs/FEATURES.md"])
    expected = (
        "CI does not run the cited tests (`CartTest.addsItems`: `./gradlew :libs:core:test` runs "
        "`:libs:core:test`, none of which runs the tests of `:app`)"
    )
    assert [(f.code, f.message) for f in result.findings] == [("PM203", expected)]
