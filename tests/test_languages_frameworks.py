"""Swift, Java, Kotlin, C#, C/C++ and Ruby through the engine (issue 17 item 6): realistic test
files of each framework (a passing test, a disabled one, a nested class or suite) and matrix
rows citing each form people write (`Class.method`, `Class#method`, `Suite/Name`, a title),
asserted as `parity-lsp check --format json` prints them: codes and positions."""

from __future__ import annotations

import pytest
from rulekit import MATRIX, at, check, in_row, matrix, only, row_line, workspace

JAVA_CALC = """\
package com.acme;

/** Integer arithmetic. */
public final class Calc {
    /** The sum of two numbers. */
    public static int add(int a, int b) {
        return a + b;
    }
}
"""
JAVA_TEST = """\
package com.acme;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Calculator tests. */
class CalcTest {
    @Test
    void addsTwoNumbers() {
        assertEquals(4, Calc.add(2, 2));
    }

    @Disabled("flaky on CI")
    @Test
    void dividesByZero() {
        assertThrows(ArithmeticException.class, () -> Calc.div(1, 0));
    }

    @Nested
    class WhenEmpty {
        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void returnsZero(int x) {
            assertEquals(0, Calc.sum(new int[0]));
        }
    }
}
"""
KOTLIN_TEST = """\
package com.acme

import org.junit.jupiter.api.Disabled
import org.junit.jupiter.api.Nested
import org.junit.jupiter.api.Test

fun Parser.lines(text: String): List<String> = text.split("\\n")

class ParserTest {
    @Test
    fun `parses a row`() {
        assertEquals(1, parse("a").size)
    }

    @Test
    @Disabled("until #42")
    fun rejectsGarbage() {
        assertNull(parse("\\u0000"))
    }

    @Nested
    inner class Escapes {
        @Test
        fun pipes() {
            assertEquals("a|b", parse("a\\\\|b").first())
        }
    }
}
"""
SWIFT_TEST = """\
import XCTest
import Testing
@testable import App

final class CalcTests: XCTestCase {
    func testAddsTwoNumbers() throws {
        XCTAssertEqual(Calc.add(2, 2), 4)
    }

    func testNetwork() throws {
        throw XCTSkip("needs a server")
    }

    func helper() -> Int { 1 }
}

@Suite("Parser")
struct ParserTests {
    @Test("parses a row") func parsesRow() {
        #expect(parse("a").count == 1)
    }

    @Test(.disabled("until the grammar lands")) func parsesTables() {}

    @Suite struct Escapes {
        @Test func pipes() {
            #expect(parse("a\\\\|b").first == "a|b")
        }
    }
}
"""
CSHARP_TEST = """\
using NUnit.Framework;
using Xunit;

namespace Acme.Tests
{
    [TestFixture]
    public class CalcTests
    {
        [Test]
        public void AddsTwoNumbers()
        {
            Assert.AreEqual(4, Calc.Add(2, 2));
        }

        [Test]
        [Ignore("flaky on CI")]
        public void DividesByZero() { }

        public class Rounding
        {
            [Theory]
            [InlineData(1.5)]
            public void RoundsHalfUp(double x) { }

            [Fact(Skip = "needs the new runtime")]
            public void RoundsHalfEven() { }
        }
    }
}
"""
GTEST = """\
#include <gtest/gtest.h>

#include "calc.h"

namespace acme {
namespace {

// Addition.
TEST(CalcTest, AddsTwoNumbers) {
  EXPECT_EQ(acme::add(2, 2), 4);
}

TEST(CalcTest, DISABLED_DividesByZero) {
  EXPECT_DEATH(acme::div(1, 0), "");
}

}  // namespace
}  // namespace acme

class CalcFixture : public ::testing::Test {
 protected:
  void SetUp() override {}
};

TEST_F(CalcFixture, KeepsState) {
  EXPECT_TRUE(true);
}
"""
CATCH2 = """\
#include <catch2/catch_test_macros.hpp>

TEST_CASE("vectors can be sized", "[vector]") {
  std::vector<int> v(5);
  SECTION("resizing bigger") { v.resize(10); }
  REQUIRE(v.size() >= 5);
}

TEST_CASE("slow resize", "[.][slow]") {
  REQUIRE(true);
}
"""
CALC_H = """\
#pragma once

namespace acme {

// The sum of two numbers.
int add(int a, int b);

class Ledger {
 public:
  void record(int amount);
};

}  // namespace acme
"""
RSPEC = """\
require "spec_helper"

RSpec.describe Acme::Calculator do
  describe "#add" do
    it "adds two numbers" do
      expect(Calculator.new.add(2, 2)).to eq(4)
    end

    xit "adds floats" do
      expect(Calculator.new.add(0.1, 0.2)).to be_within(1e-9).of(0.3)
    end
  end

  context "when empty" do
    it "returns zero", skip: "not yet" do
      expect(Calculator.new.sum([])).to eq(0)
    end
  end
end
"""
MINITEST = """\
require "minitest/autorun"

module Acme
  class CalcTest < Minitest::Test
    def test_adds
      assert_equal 4, Calc.add(2, 2)
    end

    def test_divides
      skip "flaky on CI"
      assert_raises(ZeroDivisionError) { Calc.div(1, 0) }
    end
  end
end
"""
CI = """\
name: CI
on: [push]
jobs:
  swift:
    runs-on: macos-latest
    steps:
      - run: swift test
  jvm:
    runs-on: ubuntu-latest
    steps:
      - run: ./gradlew test
      - run: mvn -B test
  dotnet:
    runs-on: ubuntu-latest
    steps:
      - run: dotnet test
  cpp:
    runs-on: ubuntu-latest
    steps:
      - run: ctest --output-on-failure
  ruby:
    runs-on: ubuntu-latest
    steps:
      - run: bundle exec rspec
"""

J = "src/test/java/com/acme/CalcTest.java"
K = "src/test/kotlin/com/acme/ParserTest.kt"
S = "Tests/AppTests/CalcTests.swift"
CS = "tests/Acme.Tests/CalcTests.cs"
G = "tests/calc_test.cc"
C2 = "tests/vector_test.cpp"
R = "spec/calculator_spec.rb"
M = "test/calc_test.rb"

# (capability, tests cell, the codes of PM302-PM308 expected on the row)
ROWS = [
    ("java plain", f"`{J}` (`CalcTest.addsTwoNumbers`)", []),
    ("java hash", f"`{J}` (`CalcTest#addsTwoNumbers`)", []),
    ("java package", f"`{J}` (`com.acme.CalcTest.addsTwoNumbers`)", []),
    ("java disabled", f"`{J}` (`CalcTest.dividesByZero`)", ["PM308"]),
    ("java nested", f"`{J}` (`CalcTest.WhenEmpty.returnsZero`)", []),
    ("java missing", f"`{J}` (`CalcTest.subtracts`)", ["PM305"]),
    ("kotlin backticks", f"`{K}` (`ParserTest.parses a row`)", []),
    ("kotlin disabled", f"`{K}` (`ParserTest.rejectsGarbage`)", ["PM308"]),
    ("kotlin nested", f"`{K}` (`ParserTest.Escapes.pipes`)", []),
    ("kotlin missing", f"`{K}` (`ParserTest.parsesTables`)", ["PM305"]),
    ("kotlin extension", f"`{K}` (`Parser.lines`)", []),
    ("swift xctest", f"`{S}` (`CalcTests.testAddsTwoNumbers`)", []),
    ("swift xctskip", f"`{S}` (`CalcTests.testNetwork`)", ["PM308"]),
    ("swift testing", f"`{S}` (`ParserTests.parsesRow`)", []),
    ("swift disabled", f"`{S}` (`ParserTests.parsesTables`)", ["PM308"]),
    ("swift nested", f"`{S}` (`ParserTests.Escapes.pipes`)", []),
    ("swift missing", f"`{S}` (`CalcTests.testSubtracts`)", ["PM305"]),
    ("csharp plain", f"`{CS}` (`CalcTests.AddsTwoNumbers`)", []),
    ("csharp full name", f"`{CS}` (`Acme.Tests.CalcTests.AddsTwoNumbers`)", []),
    ("csharp ignored", f"`{CS}` (`CalcTests.DividesByZero`)", ["PM308"]),
    ("csharp nested", f"`{CS}` (`CalcTests.Rounding.RoundsHalfUp`)", []),
    ("csharp skip", f"`{CS}` (`Rounding.RoundsHalfEven`)", ["PM308"]),
    ("csharp missing", f"`{CS}` (`CalcTests.Subtracts`)", ["PM305"]),
    ("gtest dot", f"`{G}` (`CalcTest.AddsTwoNumbers`)", []),
    ("gtest colons", f"`{G}` (`CalcTest::AddsTwoNumbers`)", []),
    ("gtest bare", f"`{G}` (`KeepsState`)", []),
    ("gtest disabled", f"`{G}` (`CalcTest.DISABLED_DividesByZero`)", ["PM308"]),
    ("gtest disabled since", f"`{G}` (`CalcTest.DividesByZero`)", ["PM308"]),
    ("gtest missing", f"`{G}` (`CalcTest.Subtracts`)", ["PM305"]),
    ("catch2", f"`{C2}` (`vectors can be sized`)", []),
    ("catch2 hidden", f"`{C2}` (`slow resize`)", ["PM308"]),
    ("rspec title", f"`{R}` (`adds two numbers`)", []),
    ("rspec full", f"`{R}` (`Acme::Calculator#add adds two numbers`)", []),
    ("rspec xit", f"`{R}` (`adds floats`)", ["PM308"]),
    ("rspec skip meta", f"`{R}` (`Acme::Calculator when empty returns zero`)", ["PM308"]),
    ("rspec missing", f"`{R}` (`subtracts`)", ["PM305"]),
    ("minitest hash", f"`{M}` (`CalcTest#test_adds`)", []),
    ("minitest module", f"`{M}` (`Acme::CalcTest.test_adds`)", []),
    ("minitest skip", f"`{M}` (`test_divides`)", ["PM308"]),
    ("minitest missing", f"`{M}` (`test_subtracts`)", ["PM305"]),
]
# (capability, code cell, codes)
CODE_ROWS = [
    ("java code", "`src/main/java/com/acme/Calc.java:6` (`Calc.add`)", []),
    ("java doc line", "`src/main/java/com/acme/Calc.java:5` (`Calc.add`)", []),  # its doc comment
    ("java drift", "`src/main/java/com/acme/Calc.java:2` (`Calc.add`)", ["PM304"]),
    ("java missing symbol", "`src/main/java/com/acme/Calc.java` (`Calc.sub`)", ["PM303"]),
    ("header", "`include/calc.h:6` (`acme::add`)", []),
    ("header method", "`include/calc.h` (`Ledger::record`)", []),
    ("header drift", "`include/calc.h:9` (`acme::add`)", ["PM304"]),
]
EVIDENCE = {"PM302", "PM303", "PM304", "PM305", "PM308"}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("langs")
    rows = [{"cap": cap, "tests": cell} for cap, cell, _ in ROWS]
    rows += [{"cap": cap, "code": cell} for cap, cell, _ in CODE_ROWS]
    ci_rows = [
        ("gated swift", "swift", "swift test", f"`{S}` (`CalcTests.testAddsTwoNumbers`)"),
        ("gated gradle", "jvm", "./gradlew test", f"`{J}` (`CalcTest.addsTwoNumbers`)"),
        ("gated maven", "jvm", "mvn -B test", f"`{J}` (`CalcTest.addsTwoNumbers`)"),
        ("gated dotnet", "dotnet", "dotnet test", f"`{CS}` (`CalcTests.AddsTwoNumbers`)"),
        ("gated ctest", "cpp", "ctest --output-on-failure", f"`{G}` (`CalcTest.AddsTwoNumbers`)"),
        ("gated rspec", "ruby", "bundle exec rspec", f"`{R}` (`adds two numbers`)"),
    ]
    rows += [
        {
            "cap": cap,
            "status": "Implemented",
            "tests": tests,
            "ci": f"`.github/workflows/ci.yml` (job `{job}`: `{cmd}`)",
        }
        for cap, job, cmd, tests in ci_rows
    ]
    files = {
        "src/main/java/com/acme/Calc.java": JAVA_CALC,
        J: JAVA_TEST,
        K: KOTLIN_TEST,
        S: SWIFT_TEST,
        CS: CSHARP_TEST,
        G: GTEST,
        C2: CATCH2,
        "include/calc.h": CALC_H,
        R: RSPEC,
        M: MINITEST,
        ".github/workflows/ci.yml": CI,
        MATRIX: matrix(rows),
    }
    root = workspace(tmp, files)
    return root, check(root)


@pytest.mark.parametrize("cap,cell,expected", ROWS + CODE_ROWS, ids=[r[0] for r in ROWS + CODE_ROWS])
def test_rows_citing_each_form(checked, cap, cell, expected):
    root, diags = checked
    line = row_line(root, cap)
    got = sorted(d["code"] for d in diags if d["line"] == line and d["code"] in EVIDENCE)
    assert got == expected, [(d["code"], d["message"]) for d in diags if d["line"] == line]


def test_disabled_tests_say_why_and_point_at_the_name(checked):
    root, diags = checked
    messages = {d["line"]: d for d in only(diags, "PM308")}
    d = messages[row_line(root, "java disabled")]
    assert at(d) == in_row(root, "java disabled", "CalcTest.dividesByZero")
    assert d["message"].startswith('test `CalcTest.dividesByZero` is disabled (@Disabled("flaky on CI"))')
    assert (
        '(@Test(.disabled("until the grammar lands")))'
        in messages[row_line(root, "swift disabled")]["message"]
    )
    assert '(throw XCTSkip("needs a server"))' in messages[row_line(root, "swift xctskip")]["message"]
    assert '([Ignore("flaky on CI")])' in messages[row_line(root, "csharp ignored")]["message"]
    assert '([Fact(Skip = "needs the new runtime")])' in messages[row_line(root, "csharp skip")]["message"]
    assert "(DISABLED_ prefix)" in messages[row_line(root, "gtest disabled")]["message"]
    # cited before it was disabled: the test is there, renamed by GoogleTest's convention
    since = messages[row_line(root, "gtest disabled since")]["message"]
    assert since.startswith("test `CalcTest.DividesByZero` is disabled (DISABLED_ prefix)")
    assert "(hidden tag [.])" in messages[row_line(root, "catch2 hidden")]["message"]
    assert "(xit)" in messages[row_line(root, "rspec xit")]["message"]
    assert '(skip: "not yet")' in messages[row_line(root, "rspec skip meta")]["message"]
    assert '(skip "flaky on CI")' in messages[row_line(root, "minitest skip")]["message"]
    assert '(@Disabled("until #42"))' in messages[row_line(root, "kotlin disabled")]["message"]


def test_line_drift_points_to_the_definition(checked):
    root, diags = checked
    (drift,) = [d for d in only(diags, "PM304") if d["line"] == row_line(root, "java drift")]
    assert at(drift) == in_row(root, "java drift", "2", after="Calc.java:")
    assert "outside `Calc.add`, which is at lines 5-8 (defined at line 6)" in drift["message"]
    assert drift["fix"]["edits"][0]["content"] == "6"
    (header,) = [d for d in only(diags, "PM304") if d["line"] == row_line(root, "header drift")]
    assert "lines 5-6 (defined at line 6)" in header["message"]


def test_ci_commands_of_other_test_runners_are_unknown_not_a_failure(checked):
    """Of the runners of other languages (docs/spec/ci.md#runners), RSpec runs the cited spec;
    `swift test`, Gradle, Maven, `dotnet test` and CTest are modelled but this workspace has no
    Package.swift, settings.gradle, pom.xml, project file or CMakeLists.txt: "unknown" (a hint),
    never "does not run"."""
    root, diags = checked
    gated = {row_line(root, cap) for cap in ("gated swift", "gated gradle", "gated maven")}
    gated |= {row_line(root, cap) for cap in ("gated dotnet", "gated ctest", "gated rspec")}
    found = [d for d in diags if d["line"] in gated and d["code"] in ("PM203", "PM403", "PM305")]
    assert {d["line"] for d in found} == gated - {row_line(root, "gated rspec")}
    assert {d["code"] for d in found} == {"PM203"} and {d["severity"] for d in found} == {"hint"}
    messages = {d["line"]: d["message"] for d in found}
    assert messages[row_line(root, "gated maven")] == (
        "cannot tell whether CI runs the cited tests: `mvn -B test` runs a build with no pom.xml in `.`"
    )
    assert messages[row_line(root, "gated dotnet")] == (
        f"cannot tell whether CI runs the cited tests: the project that compiles `{CS}` is not known"
    )
    assert messages[row_line(root, "gated ctest")] == (
        "cannot tell whether CI runs the cited tests: no CMakeLists.txt above"
        f" `{G}` registers the tests of an executable built from it"
    )


def test_verdict_for_another_test_runner_is_unknown(checked):
    from parity_lsp.workspace.ci.model import UNKNOWN, CiCitation, TestTarget
    from parity_lsp.workspace.ci.verdict import verdict
    from parity_lsp.workspace.fs import FileSystem

    root, _ = checked
    fs = FileSystem(root)
    for cmd in ("swift test", "mvn -B test", "bundle exec rspec"):
        v = verdict(
            fs, TestTarget(J, "CalcTest.addsTwoNumbers"), CiCitation(".github/workflows/ci.yml", None, [cmd])
        )
        assert v.outcome == UNKNOWN, (cmd, v)
