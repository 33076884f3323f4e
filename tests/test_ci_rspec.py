"""RSpec (parity_lsp/workspace/ci/runners/rspec.py): which cited Ruby specs `rspec` and
`bundle exec rspec` run, and "unknown" wherever options or `.rspec` choose."""

from __future__ import annotations

import pytest
from rulekit import workspace

from parity_lsp.workspace.ci.model import TestTarget
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.verdict import command_runs_test
from parity_lsp.workspace.fs import FileSystem

CART = """RSpec.describe Shop::Cart do
  describe "#add" do
    it "adds an item" do
    end

    xit "merges duplicates" do
    end
  end
end
"""
FILES = {
    "spec/shop/cart_spec.rb": CART,
    "spec/support/helpers.rb": "module Helpers; end\n",
    "test/cart_test.rb": "class CartTest < Minitest::Test\n  def test_add\n  end\nend\n",
    "engine/spec/engine_spec.rb": CART,
    "src/x.py": "def test_x():\n    pass\n",
}
ADDS = TestTarget("spec/shop/cart_spec.rb", "adds an item")
MERGES = TestTarget("spec/shop/cart_spec.rb", "merges duplicates")


@pytest.mark.parametrize(
    "command, test, outcome, reason",
    [
        ("bundle exec rspec", ADDS, Outcome.RUNS, Reason.RUNS),
        ("rspec --format progress --fail-fast", ADDS, Outcome.RUNS, Reason.RUNS),
        ("bundle exec rspec spec/shop", ADDS, Outcome.RUNS, Reason.RUNS),
        ("bundle exec rspec spec/shop/cart_spec.rb", ADDS, Outcome.RUNS, Reason.RUNS),
        ("rspec -e 'adds an item'", ADDS, Outcome.RUNS, Reason.RUNS),
        ("rspec", MERGES, Outcome.DOES_NOT_RUN, Reason.IGNORED),
        ("rspec spec/models", ADDS, Outcome.DOES_NOT_RUN, Reason.OUTSIDE_PATHS),
        ("rspec", TestTarget("test/cart_test.rb", "test_add"), Outcome.DOES_NOT_RUN, Reason.NOT_COLLECTED),
        ("rspec --dry-run", ADDS, Outcome.DOES_NOT_RUN, Reason.NO_RUN),
        ("cd engine && rspec", ADDS, Outcome.DOES_NOT_RUN, Reason.OUTSIDE_WORKING_DIRECTORY),
        ("rspec spec/shop/cart_spec.rb:3", ADDS, Outcome.UNKNOWN, Reason.EXPRESSION),
        ("rspec -e 'removes'", ADDS, Outcome.UNKNOWN, Reason.EXPRESSION),
        ("rspec --tag slow", ADDS, Outcome.UNKNOWN, Reason.FILTERSET),
        ("rspec --only-failures", ADDS, Outcome.UNKNOWN, Reason.FILTERSET),
        ("rspec", TestTarget("src/x.py", "test_x"), Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),
    ],
)
def test_which_specs_rspec_runs(tmp_path, command, test, outcome, reason):
    root = workspace(tmp_path, FILES, dedent=False)
    if "&&" in command:
        from parity_lsp.workspace.ci.shell import split_commands, with_directories

        *_, (last, cwd) = with_directories(split_commands(command), "")
        v = command_runs_test(FileSystem(root), last.text, test, cwd)
    else:
        v = command_runs_test(FileSystem(root), command, test)
    assert (v.outcome, v.code) == (outcome, reason), v.reason


def test_a_dot_rspec_that_changes_the_pattern_is_not_read(tmp_path):
    root = workspace(
        tmp_path, {**FILES, ".rspec": "--require spec_helper\n--pattern 'spec/**/*_check.rb'\n"}, dedent=False
    )
    v = command_runs_test(FileSystem(root), "rspec", ADDS)
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason
    # `--require` alone changes nothing of which files run
    root2 = workspace(
        tmp_path / "2", {**FILES, ".rspec": "--require spec_helper\n--format documentation\n"}, dedent=False
    )
    assert command_runs_test(FileSystem(root2), "rspec", ADDS).outcome == Outcome.RUNS


def test_a_spec_helper_that_sets_the_pattern_is_not_read(tmp_path):
    helper = "RSpec.configure do |config|\n  config.pattern = 'spec/**/*_check.rb'\nend\n"
    root = workspace(tmp_path, {**FILES, "spec/spec_helper.rb": helper}, dedent=False)
    v = command_runs_test(FileSystem(root), "rspec", TestTarget("test/cart_test.rb", "test_add"))
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.MANIFEST_ERROR), v.reason
