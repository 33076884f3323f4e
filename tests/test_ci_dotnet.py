"""`dotnet test` (parity_lsp/workspace/ci/runners/dotnet.py): which cited .NET tests it runs,
and "unknown" wherever the project or the filter is not read."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem

TESTS = """using Xunit;

namespace Billing.Tests;

public class InvoiceTests
{
    [Fact]
    public void AddLine_IncreasesTotal() { }

    [Fact(Skip = "rounding bug #31")]
    public void ApplyDiscount_Rounds() { }
}
"""
PROJECT = '<Project Sdk="Microsoft.NET.Sdk"></Project>\n'
SOLUTION = (
    'Project("{FAE04EC0}") = "Billing", "src\\\\Billing\\\\Billing.csproj", "{1}"\nEndProject\n'
    'Project("{FAE04EC0}") = "Billing.Tests", "tests\\\\Billing.Tests\\\\Billing.Tests.csproj", "{2}"\nEndProject\n'
)
FILES = {
    "Billing.sln": SOLUTION,
    "Other.slnf": "{}\n",
    "src/Billing/Billing.csproj": PROJECT,
    "tests/Billing.Tests/Billing.Tests.csproj": PROJECT,
    "tests/Billing.Tests/InvoiceTests.cs": TESTS,
    "tests/Legacy.Tests/Legacy.Tests.csproj": PROJECT,
    "tests/Legacy.Tests/LegacyTests.cs": TESTS.replace("Billing.Tests", "Legacy.Tests"),
    "tests/x_test.py": "def test_x():\n    pass\n",
}
ADD = TestTarget("tests/Billing.Tests/InvoiceTests.cs", "InvoiceTests::AddLine_IncreasesTotal")
ROUNDS = TestTarget("tests/Billing.Tests/InvoiceTests.cs", "InvoiceTests::ApplyDiscount_Rounds")
LEGACY = TestTarget("tests/Legacy.Tests/LegacyTests.cs", "InvoiceTests::AddLine_IncreasesTotal")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("dotnet test Billing.sln", ADD, Outcome.RUNS, Reason.RUNS),
        ("dotnet test tests/Billing.Tests", ADD, Outcome.RUNS, Reason.RUNS),
        (
            "dotnet test tests/Billing.Tests/Billing.Tests.csproj --no-build -c Release",
            ADD,
            Outcome.RUNS,
            Reason.RUNS,
        ),
        (
            "dotnet test tests/Billing.Tests --filter FullyQualifiedName~Invoice",
            ADD,
            Outcome.RUNS,
            Reason.RUNS,
        ),
        ("dotnet test Billing.sln --filter Name=AddLine_IncreasesTotal", ADD, Outcome.RUNS, Reason.RUNS),
        (
            "dotnet test Billing.sln --filter ClassName=Billing.Tests.InvoiceTests",
            ADD,
            Outcome.RUNS,
            Reason.RUNS,
        ),
        (
            "dotnet test Billing.sln --filter FullyQualifiedName~Payment",
            ADD,
            Outcome.DOES_NOT_RUN,
            Reason.NAME_FILTER,
        ),
        (
            "dotnet test Billing.sln --filter FullyQualifiedName!~Invoice",
            ADD,
            Outcome.DOES_NOT_RUN,
            Reason.NAME_FILTER,
        ),
        ("dotnet test Billing.sln --filter Category=Unit", ADD, Outcome.UNKNOWN, Reason.EXPRESSION),
        ("dotnet test Billing.sln", ROUNDS, Outcome.DOES_NOT_RUN, Reason.IGNORED),
        ("dotnet test Billing.sln", LEGACY, Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),  # not listed
        ("dotnet test src/Billing/Billing.csproj", ADD, Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),
        ("dotnet test --list-tests Billing.sln", ADD, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("dotnet test", ADD, Outcome.UNKNOWN, Reason.NO_TARGET),  # a solution and a filter at the root
        ("dotnet test bin/Billing.Tests.dll", ADD, Outcome.UNKNOWN, Reason.NO_TARGET),
        ("dotnet build", ADD, Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        (
            "dotnet test Billing.sln",
            TestTarget("tests/x_test.py", "test_x"),
            Outcome.DOES_NOT_RUN,
            Reason.WRONG_LANGUAGE,
        ),
    ],
)
def test_which_dotnet_tests_a_dotnet_test_command_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason
