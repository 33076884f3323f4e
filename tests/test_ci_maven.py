"""Maven (parity_lsp/workspace/ci/runners/maven.py): which cited JVM tests `mvn` / `./mvnw`
runs, and "unknown" wherever the build is not read."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem

CART = """package shop;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class CartTest {
    @Test
    void addsItems() {}

    @Disabled("JIRA-12")
    @Test
    void appliesCoupons() {}
}
"""
POM = "<project><modules><module>app</module><module>libs/core</module></modules></project>\n"
FILES = {
    "pom.xml": POM,
    "app/pom.xml": "<project><artifactId>app</artifactId></project>\n",
    "app/src/test/java/shop/CartTest.java": CART,
    "app/src/test/java/shop/CartSpec.java": CART.replace("CartTest", "CartSpec"),
    "app/src/test/java/shop/CartIT.java": CART.replace("CartTest", "CartIT"),
    "libs/core/pom.xml": "<project><artifactId>core</artifactId></project>\n",
    "libs/core/src/test/java/core/CoreTest.java": CART.replace("CartTest", "CoreTest").replace(
        "shop", "core"
    ),
    "tools/src/test/java/ToolTest.java": CART.replace("CartTest", "ToolTest"),
    "tests/test_x.py": "def test_x():\n    pass\n",
}
ADDS = TestTarget("app/src/test/java/shop/CartTest.java", "CartTest::addsItems")
COUPONS = TestTarget("app/src/test/java/shop/CartTest.java", "CartTest::appliesCoupons")
CORE = TestTarget("libs/core/src/test/java/core/CoreTest.java", "CoreTest::addsItems")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("mvn test", ADDS, Outcome.RUNS, Reason.RUNS),
        ("mvn -B -ntp verify", ADDS, Outcome.RUNS, Reason.RUNS),
        ("./mvnw clean install", CORE, Outcome.RUNS, Reason.RUNS),
        ("mvn -pl app -am test", ADDS, Outcome.RUNS, Reason.RUNS),
        ("mvn -pl libs/core test", ADDS, Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),
        ("mvn -pl :app test", ADDS, Outcome.UNKNOWN, Reason.FILTERSET),
        ("mvn -DskipTests install", ADDS, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("mvn -Dmaven.test.skip=true package", ADDS, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("mvn clean compile", ADDS, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        ("mvn test", COUPONS, Outcome.DOES_NOT_RUN, Reason.IGNORED),
        ("mvn test -Dtest=CartTest", ADDS, Outcome.RUNS, Reason.RUNS),
        ("mvn test -Dtest='CartTest#adds*'", ADDS, Outcome.RUNS, Reason.RUNS),
        ("mvn test -Dtest=shop.CartTest", ADDS, Outcome.RUNS, Reason.RUNS),
        ("mvn test -Dtest=OtherTest", ADDS, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        ("mvn test -Dtest='CartTest#removes*'", ADDS, Outcome.DOES_NOT_RUN, Reason.NAME_FILTER),
        (
            "mvn test",
            TestTarget("app/src/test/java/shop/CartSpec.java"),
            Outcome.DOES_NOT_RUN,
            Reason.NOT_COLLECTED,
        ),
        (
            "mvn verify",
            TestTarget("app/src/test/java/shop/CartIT.java"),
            Outcome.UNKNOWN,
            Reason.OTHER_TARGET,
        ),
        ("mvn test", TestTarget("tools/src/test/java/ToolTest.java"), Outcome.UNKNOWN, Reason.NO_TARGET),
        ("mvn exec:java", ADDS, Outcome.UNKNOWN, Reason.UNKNOWN_RUNNER),
        ("mvn -f libs/core/pom.xml test", CORE, Outcome.RUNS, Reason.RUNS),
        ("mvn -f libs/core/pom.xml test", ADDS, Outcome.DOES_NOT_RUN, Reason.OUTSIDE_WORKING_DIRECTORY),
        ("mvn test", TestTarget("tests/test_x.py", "test_x"), Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),
    ],
)
def test_which_jvm_tests_a_maven_command_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def test_a_pom_that_configures_surefire_is_not_read(tmp_path):
    pom = "<project><build><plugins><plugin><configuration><includes><include>**/*Spec.java</include></includes>"
    root = workspace(
        tmp_path,
        {**FILES, "app/pom.xml": pom + "</configuration></plugin></plugins></build></project>\n"},
        dedent=False,
    )
    v = command_runs_test(FileSystem(root), "mvn test", TestTarget("app/src/test/java/shop/CartSpec.java"))
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason


def test_a_class_name_surefire_does_not_find_by_default_is_unknown_under_a_parent_pom(tmp_path):
    # a parent pom outside the workspace (Spring Boot's, a company's) may include it
    pom = (
        "<project><parent><groupId>acme</groupId></parent><modules><module>app</module></modules></project>\n"
    )
    root = workspace(tmp_path, {**FILES, "pom.xml": pom}, dedent=False)
    v = command_runs_test(FileSystem(root), "mvn test", TestTarget("app/src/test/java/shop/CartSpec.java"))
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason
