"""The test-runner registry (parity_lsp.workspace.ci.runners): a runner added by one module is
parsed, matched, judged, explained and gated by the rules; typed outcomes and reasons; what a
runner that fails means (unknown, logged — never "does not run")."""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
from dataclasses import dataclass
from typing import ClassVar

import pytest
from rulekit import MATRIX, check, matrix, one, row_line, workspace

from parity_lsp.engine import parse_matrix
from parity_lsp.features.hover import hover
from parity_lsp.workspace.ci import commands, runners
from parity_lsp.workspace.ci.commands import Unknown, command_matches, parse_command, selection_key
from parity_lsp.workspace.ci.explain import explain
from parity_lsp.workspace.ci.model import CiCitation, TestTarget, Verdict, does_not_run, runs
from parity_lsp.workspace.ci.reasons import Outcome, Reason
from parity_lsp.workspace.ci.runners.base import Common, Cursor, ParsedCommand, Runner, SelectionKey
from parity_lsp.workspace.ci.verdict import command_runs_test, verdict
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace

# --- a runner added by one module + one registry line ---------------------------------------------


@dataclass(kw_only=True, slots=True)
class FakeRun(ParsedCommand):
    """`fakerun test [--only NAME] [--verbose]`: runs the `test NAME` lines of `.fk` files."""

    kind: ClassVar[str] = "fake"
    only: str | None = None


def _parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    if cur.peek() != "test":
        return Unknown(non_test=True, **common)
    cur.take()
    cmd = FakeRun(**common)
    while not cur.done():
        word = cur.take()
        if word == "--only":
            cmd.only = cur.take_value()
        else:
            cmd.others.append(word)
    return cmd


def _key(cmd: FakeRun) -> SelectionKey:
    return ("fake", cmd.only, cmd.directory)


def _judge(fs: FileSystem, cmd: FakeRun, where: str, test: TestTarget) -> Verdict:
    if not test.path.endswith(".fk"):
        return does_not_run(Reason.WRONG_LANGUAGE, f"runs fake tests; `{test.path}` is not one", cmd.text)
    if cmd.only is not None and cmd.only != test.name:
        return does_not_run(Reason.NAME_FILTER, f"runs only `{cmd.only}`, not `{test.name}`", cmd.text)
    return runs(f"runs `{test.path}` — matches `{test.name}`", cmd.text, test_name=test.name)


FAKE = Runner(
    name="fake",
    title="fakerun",
    programs=frozenset({"fakerun"}),
    model=FakeRun,
    parse=_parse,
    selection_key=_key,
    judge=_judge,
    needs="nothing",
)


@pytest.fixture
def fake_runner():
    runners.register(FAKE)
    commands.clear_caches()
    try:
        yield FAKE
    finally:
        runners.unregister("fake")
        commands.clear_caches()


WF = ".github/workflows/ci.yml"
WORKFLOW = """\
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: uv run fakerun test --only parses --verbose
"""
FAKE_SRC = "def parse\n  body\n\ntest parses\n  ok\n\ntest renders\n  ok\n"
CITED = "`.github/workflows/ci.yml` (job `test`: `fakerun test --only parses`)"


def test_a_registered_runner_is_parsed_matched_judged_explained_and_gated(tmp_path, fake_runner):
    cmd = parse_command("uv run fakerun test --only parses --verbose")
    assert isinstance(cmd, FakeRun) and (cmd.only, cmd.wrappers, cmd.others) == (
        "parses",
        ["uv run"],
        ["--verbose"],
    )
    assert selection_key("fakerun test --only parses") == ("fake", "parses", None)
    assert command_matches("fakerun test --only parses", "uv run fakerun test --only parses --verbose")
    assert not command_matches("fakerun test --only renders", "fakerun test --only parses")
    assert not command_matches("fakerun test --only parses --quiet", "fakerun test --only parses")

    rows = [
        {"cap": "gated", "status": "Implemented", "tests": "`src/a.fk` (`parses`)", "ci": CITED},
        {"cap": "not gated", "status": "Implemented", "tests": "`src/a.fk` (`renders`)", "ci": CITED},
    ]
    root = workspace(tmp_path, {"src/a.fk": FAKE_SRC, WF: WORKFLOW, MATRIX: matrix(rows)})
    fs = FileSystem(root)
    ci = CiCitation(WF, "test", ["fakerun test --only parses"])
    v = verdict(fs, TestTarget("src/a.fk", "parses"), ci)
    assert (v.outcome, v.code, v.step_index) == (Outcome.RUNS, Reason.RUNS, 1)
    v = verdict(fs, TestTarget("src/a.fk", "renders"), ci)
    assert (v.outcome, v.code) == (Outcome.DOES_NOT_RUN, Reason.NAME_FILTER)
    assert explain(fs, TestTarget("src/a.fk", "parses"), ci).startswith(
        "**runs**: run by job `test`, step 1 (line 5): `uv run fakerun test --only parses --verbose`"
        " — matches `parses`"
    )

    diags = check(root)
    assert not [d for d in diags if d["code"] in ("PM203", "PM403") and d["line"] == row_line(root, "gated")]
    d = one(diags, "PM203")
    assert d["line"] == row_line(root, "not gated")
    assert d["message"] == (
        "CI does not run the cited tests (`renders`: `uv run fakerun test --only parses --verbose`"
        " runs only `parses`, not `renders`)"
    )
    text = (root / MATRIX).read_text()
    at = text.index("fakerun test", text.index("| gated")) + 3
    h = hover(Workspace(root), parse_matrix(MATRIX, text), at)
    assert h is not None and h.markdown == (
        "`fakerun test --only parses` — run by job `test`, step 1 (line 5):"
        " `uv run fakerun test --only parses --verbose`"
    )


def test_without_the_registry_line_the_runner_is_unknown(tmp_path):
    cmd = parse_command("fakerun test --only parses")
    assert isinstance(cmd, Unknown) and not cmd.non_test
    root = workspace(tmp_path, {"src/a.fk": FAKE_SRC, WF: WORKFLOW})
    v = verdict(FileSystem(root), TestTarget("src/a.fk", "parses"), CiCitation(WF, "test", []))
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.UNKNOWN_COMMAND)


def test_each_registry_line_names_its_modules_programs_and_a_runner_is_imported_when_first_met():
    for name, programs in runners.MODULES.items():
        module = importlib.import_module(f"{runners.__name__}.{name}")
        assert module.RUNNER.programs == frozenset(programs), name
    assert set(runners.PRELOAD) <= set(runners.MODULES)
    script = (
        "import sys\nfrom parity_lsp.workspace.ci.commands import parse_command\n"
        "parse_command('cargo test -p core')\n"
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('parity_lsp.workspace.ci.runners.')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['base', 'cargo']"


def test_every_runner_module_is_registered_once():
    names = [r.name for r in runners.runners()]
    assert names == [
        "cargo", "pytest", "go", "swift", "gradle", "maven", "jest", "playwright", "rspec", "dotnet",
        "ctest", "make", "script", "other",
    ]  # fmt: skip
    for r in runners.runners():
        assert r.models_tests == (r.name != "other"), r.name
        assert (r.judge is None) != (r.follow is None) or r.name == "other", r.name
        assert r.needs and r.title, r.name
        assert r.model.kind == r.name
    with pytest.raises(ValueError, match="kind"):
        runners.register(Runner(name="fake2", title="x", programs=frozenset(), model=FakeRun, parse=_parse))


# --- typed outcomes and reasons ------------------------------------------------------------------

CARGO_WS = {
    "Cargo.toml": '[workspace]\nmembers = ["core", "cli"]\n',
    "core/Cargo.toml": '[package]\nname = "core"\n',
    "core/src/lib.rs": "#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {}\n}\n",
    "cli/Cargo.toml": '[package]\nname = "cli"\n',
    "cli/src/main.rs": "fn main() {}\n",
}


@pytest.mark.parametrize(
    "command, outcome, reason",
    [
        ("cargo test --workspace", Outcome.RUNS, Reason.RUNS),
        ("cargo test --workspace --exclude core", Outcome.DOES_NOT_RUN, Reason.PACKAGE_EXCLUDED),
        ("cargo test -p cli", Outcome.DOES_NOT_RUN, Reason.OTHER_PACKAGE),
        ("cargo test -p core --doc", Outcome.DOES_NOT_RUN, Reason.OTHER_TARGET),
        ("cargo test -p core -- --skip adds", Outcome.DOES_NOT_RUN, Reason.SKIP_FILTER),
        ("cargo build", Outcome.DOES_NOT_RUN, Reason.NOT_A_TEST_COMMAND),
        ("./ci.sh", Outcome.UNKNOWN, Reason.UNKNOWN_COMMAND),
        ("swift test", Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),  # a Rust test
        ("./gradlew test", Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),  # a Rust test
        ("mvn test", Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),  # a Rust test
        ("dotnet test", Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),  # a Rust test
        ("ctest", Outcome.DOES_NOT_RUN, Reason.WRONG_LANGUAGE),  # a Rust test
        ("rake test", Outcome.UNKNOWN, Reason.UNKNOWN_RUNNER),
        ("cargo test -p $CRATE", Outcome.UNKNOWN, Reason.EXPRESSION),
    ],
)
def test_verdicts_carry_a_typed_outcome_and_reason(tmp_path, command, outcome, reason):
    root = workspace(tmp_path, CARGO_WS)
    v = command_runs_test(FileSystem(root), command, TestTarget("core/src/lib.rs", "adds"))
    assert type(v.outcome) is Outcome and type(v.code) is Reason
    assert (v.outcome, v.code) == (outcome, reason), v.reason
    assert v.code == reason.value  # the JSON and older callers still see the same strings


@pytest.mark.parametrize(
    "command, tool",
    [
        ("mocha --recursive", "Mocha"),
        ("bundle exec rake test", "Rake"),
        ("npx cypress run", None),  # npx runs a package's binary: cypress, not modelled
    ],
)
def test_other_test_runners_are_unknown_and_named(tmp_path, command, tool):
    root = workspace(tmp_path, {"spec/calc_spec.rb": "describe 'x' do\nend\n"})
    v = command_runs_test(FileSystem(root), command, TestTarget("spec/calc_spec.rb"))
    assert v.outcome == Outcome.UNKNOWN
    if tool is None:
        assert v.code == Reason.UNKNOWN_COMMAND
    else:
        assert v.code == Reason.UNKNOWN_RUNNER
        assert v.reason == f"`{command}` runs tests with {tool}, which parity-lsp does not model"


def test_other_test_runners_match_by_their_words_as_before():
    assert command_matches("mocha", "mocha --recursive")
    assert command_matches("rake test", "bundle exec rake test")
    assert not command_matches("mocha", "npm ci")
    # modelled runners match by what they select: options that select nothing do not count
    assert command_matches("swift test", "swift test --parallel")
    assert not command_matches("rspec", "bundle exec rspec spec/models")
    assert not command_matches("mvn test", "mvn -B verify")


def test_a_reason_says_how_far_the_command_got():
    assert Reason.NOT_A_TEST_COMMAND.specificity < Reason.WRONG_LANGUAGE.specificity
    assert Reason.OUTSIDE_WORKING_DIRECTORY.specificity < Reason.PACKAGE_EXCLUDED.specificity
    assert (
        Reason.PACKAGE_EXCLUDED.specificity < Reason.OTHER_TARGET.specificity < Reason.SKIP_FILTER.specificity
    )


# --- following a make target or script from the directory the command switches to -----------------


def test_make_dash_c_and_npm_prefix_are_followed_in_that_directory(tmp_path):
    """`make -C sub test` runs sub/Makefile's recipes in sub (it looked for `sub/sub/Makefile`)."""
    root = workspace(
        tmp_path,
        {
            "sub/Makefile": "test:\n\tpytest tests\n",
            "sub/tests/test_a.py": "def test_a():\n    pass\n",
            "web/package.json": '{"scripts": {"test": "pytest ../sub/tests"}}',
        },
    )
    fs = FileSystem(root)
    test = TestTarget("sub/tests/test_a.py", "test_a")
    v = command_runs_test(fs, "make -C sub test", test)
    assert (v.outcome, v.working_directory) == (Outcome.RUNS, "sub"), v.reason
    assert (
        v.reason
        == "`make -C sub test` runs `pytest tests`, which collects `sub/tests/test_a.py` — matches `test_a`"
    )
    v = command_runs_test(fs, "npm --prefix web test", test)
    assert v.outcome == Outcome.RUNS, v.reason


def test_a_package_json_nested_too_deeply_is_unknown(tmp_path):
    root = workspace(
        tmp_path, {"package.json": "[" * 100_000, "tests/test_a.py": "def test_a():\n    pass\n"}
    )
    v = command_runs_test(FileSystem(root), "npm test", TestTarget("tests/test_a.py", "test_a"))
    assert (v.outcome, v.code) == (Outcome.UNKNOWN, Reason.NOT_FOLLOWED)
    assert "is not valid JSON: nested too deeply" in v.reason


# --- a runner that fails: unknown, logged ------------------------------------------------------


def _raising_parse(program: str, cur: Cursor, common: Common) -> ParsedCommand | None:
    raise IndexError("parser bug")


def _raising_judge(fs: FileSystem, cmd: FakeRun, where: str, test: TestTarget) -> Verdict:
    raise KeyError("judge bug")


@pytest.mark.parametrize("broken", ["parse", "judge"])
def test_a_runner_that_fails_means_unknown_and_is_logged(tmp_path, caplog, broken):
    runner = Runner(
        name="fake",
        title="fakerun",
        programs=frozenset({"fakerun"}),
        model=FakeRun,
        parse=_raising_parse if broken == "parse" else _parse,
        selection_key=_key,
        judge=_raising_judge if broken == "judge" else _judge,
        needs="nothing",
    )
    runners.register(runner)
    commands.clear_caches()
    try:
        root = workspace(tmp_path, {"src/a.fk": FAKE_SRC})
        with caplog.at_level(logging.WARNING, logger="parity_lsp.workspace"):
            v = command_runs_test(FileSystem(root), "fakerun test", TestTarget("src/a.fk", "parses"))
    finally:
        runners.unregister("fake")
        commands.clear_caches()
    assert v.outcome == Outcome.UNKNOWN, v.reason
    expected = Reason.UNKNOWN_COMMAND if broken == "parse" else Reason.INTERNAL_ERROR
    assert v.code == expected
    assert any("bug" in (r.exc_text or "") or r.exc_info for r in caplog.records), caplog.text
