"""Command models, matching (docs/spec/ci.md#matching), and following make/npm (parity_lsp.workspace.ci.commands)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from parity_lsp.workspace.ci.commands import (
    Unknown,
    closest_command,
    command_matches,
    parse_command,
    selection_is_dynamic,
    selection_key,
)
from parity_lsp.workspace.ci.follow import follow, parse_makefile
from parity_lsp.workspace.ci.runners.cargo import CargoTest
from parity_lsp.workspace.ci.runners.go import GoTest
from parity_lsp.workspace.ci.runners.make import MakeRun
from parity_lsp.workspace.ci.runners.npm import ScriptRun
from parity_lsp.workspace.ci.runners.pytest import Pytest
from parity_lsp.workspace.fs import FileSystem


def make_fs(root: Path, files: dict[str, str]) -> FileSystem:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content).lstrip("\n"))
    return FileSystem(root)


# --- wrappers and env --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, wrappers",
    [
        ("pytest tests", []),
        ("uv run pytest tests", ["uv run"]),
        ("uv run --frozen --with pytest-xdist pytest tests", ["uv run"]),
        ("poetry run pytest tests", ["poetry run"]),
        ("hatch run test:pytest tests", ["hatch run"]),
        ("pdm run pytest tests", ["pdm run"]),
        ("pipenv run pytest tests", ["pipenv run"]),
        ("python -m pytest tests", ["python -m"]),
        ("python3 -m pytest tests", ["python3 -m"]),
        (".venv/bin/python -u -m pytest tests", ["python -m"]),
        ("time env CI=1 uv run python -m pytest tests", ["time", "env", "uv run", "python -m"]),
        ("coverage run -m pytest tests", ["coverage run"]),
        ("timeout 600 pytest tests", ["timeout"]),
    ],
)
def test_wrappers_are_stripped(text, wrappers):
    cmd = parse_command(text)
    assert isinstance(cmd, Pytest)
    assert cmd.args == ["tests"]
    assert cmd.wrappers == wrappers


def test_env_assignments_and_directory_switches():
    cmd = parse_command("RUST_LOG=debug FOO='a b' cargo test")
    assert isinstance(cmd, CargoTest) and cmd.env == {"RUST_LOG": "debug", "FOO": "a b"}
    assert parse_command("uv run --directory python/pkg pytest").directory == "python/pkg"
    assert parse_command("make -C python test").directory == "python"
    assert parse_command("go test -C go ./...").directory == "go"
    assert parse_command("npm --prefix web test").directory == "web"


# --- cargo -------------------------------------------------------------------------------------


def test_cargo_test_options():
    cmd = parse_command(
        "cargo +nightly test --locked -p core --package=cli -pflow --lib --bins --bin arco --tests "
        "--test api --all-targets --doc --features 'a,b' -F c --manifest-path x/Cargo.toml "
        "name_filter -- --skip slow_ --skip=parity --exact --include-ignored --test-threads 2 extra"
    )
    assert isinstance(cmd, CargoTest) and cmd.runner == "test"
    assert cmd.packages == ["core", "cli", "flow"]
    assert cmd.lib and cmd.bins and cmd.tests and cmd.all_targets and cmd.doc
    assert cmd.bin_names == ["arco"] and cmd.test_names == ["api"]
    assert cmd.features == ["a", "b", "c"]
    assert cmd.manifest_path == "x/Cargo.toml"
    assert cmd.positional == ["name_filter"]
    assert cmd.filters == ["name_filter", "extra"]
    assert cmd.skip == ["slow_", "parity"]
    assert cmd.exact and cmd.include_ignored and not cmd.ignored
    assert "--locked" in cmd.others


def test_cargo_workspace_exclude_and_nextest():
    cmd = parse_command(
        "cargo nextest run --workspace --exclude core --exclude=cli -E 'test(foo)' --run-ignored all"
    )
    assert isinstance(cmd, CargoTest) and cmd.runner == "nextest"
    assert cmd.workspace and cmd.exclude == ["core", "cli"]
    assert cmd.filterset == ["test(foo)"] and cmd.include_ignored
    assert parse_command("cargo test --all").workspace
    assert parse_command("cargo test --no-run").no_run
    assert parse_command("cargo nextest list").no_run
    assert (
        parse_command("cargo llvm-cov nextest --workspace --lcov --output-path lcov.info").runner == "nextest"
    )
    assert parse_command("cargo test -- --ignored").ignored


@pytest.mark.parametrize(
    "text", ["cargo build --workspace", "cargo clippy -- -D warnings", "cargo fmt --check", "cargo bench"]
)
def test_other_cargo_subcommands_are_not_tests(text):
    cmd = parse_command(text)
    assert isinstance(cmd, Unknown) and cmd.non_test


# --- pytest ------------------------------------------------------------------------------------


def test_pytest_options():
    cmd = parse_command(
        "pytest tests/unit tests/a.py::TestX::test_y -k 'parse and not slow' -m integration "
        "--ignore=tests/unit/legacy --ignore-glob '*_old.py' --deselect tests/a.py::test_z -p no:cacheprovider "
        "-c ci/pytest.ini --rootdir . -o python_files=check_*.py -n 4 --cov=pkg -q -x"
    )
    assert isinstance(cmd, Pytest)
    assert cmd.args == ["tests/unit", "tests/a.py::TestX::test_y"]
    assert cmd.keyword == "parse and not slow" and cmd.markers == "integration"
    assert cmd.ignore == ["tests/unit/legacy"] and cmd.ignore_glob == ["*_old.py"]
    assert cmd.deselect == ["tests/a.py::test_z"] and cmd.plugins == ["no:cacheprovider"]
    assert cmd.inifile == "ci/pytest.ini" and cmd.rootdir == "."
    assert cmd.overrides == ["python_files=check_*.py"]
    assert not cmd.collect_only
    assert parse_command("pytest --co").collect_only
    assert parse_command("py.test -kfoo").keyword == "foo"
    # `--cov` takes an optional value: like argparse, it swallows the next word.
    assert parse_command("pytest --cov src tests").args == ["tests"]


def test_hatch_test_runs_pytest():
    cmd = parse_command("hatch test -py 3.11 --cover tests/unit")
    assert isinstance(cmd, Pytest) and cmd.args == ["tests/unit"]


# --- go ----------------------------------------------------------------------------------------


def test_go_test_options():
    cmd = parse_command(
        "go test -race -count=1 -run '^TestStore' -skip Slow -tags integration,db ./pkg/... ./cmd -args -flag"
    )
    assert isinstance(cmd, GoTest)
    assert cmd.packages == ["./pkg/...", "./cmd"]
    assert cmd.run == "^TestStore" and cmd.skip == "Slow"
    assert cmd.tags == ["integration", "db"]
    assert cmd.binary_args == ["-flag"]
    assert parse_command("go test -list . ./...").no_run
    assert isinstance(parse_command("go vet ./..."), Unknown)
    assert parse_command("gotestsum --format testname -- -run TestX ./...").run == "TestX"


# --- make / npm --------------------------------------------------------------------------------


def test_make_and_script_runners():
    mk = parse_command("make -j4 -C python test-unit ARGS=-x")
    assert isinstance(mk, MakeRun) and mk.targets == ["test-unit"] and mk.variables == {"ARGS": "-x"}
    for text, manager, script, args in [
        ("npm test", "npm", "test", []),
        ("npm t -- --coverage", "npm", "test", ["--coverage"]),
        ("npm run test:unit", "npm", "test:unit", []),
        ("pnpm run e2e", "pnpm", "e2e", []),
        ("pnpm test", "pnpm", "test", []),
        ("yarn test --watch=false", "yarn", "test", ["--watch=false"]),
        ("yarn e2e", "yarn", "e2e", []),
    ]:
        cmd = parse_command(text)
        assert isinstance(cmd, ScriptRun), text
        assert (cmd.manager, cmd.script, cmd.args) == (manager, script, args)
    for text in ["npm ci", "npm install", "yarn", "pnpm install --frozen-lockfile"]:
        cmd = parse_command(text)
        assert isinstance(cmd, Unknown) and cmd.non_test, text


# --- unknown and dynamic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, non_test",
    [
        ("./scripts/ci.sh", False),
        ("bash ci.sh", False),
        ("tox -e py311", False),
        ("echo hi", True),
        ("uv sync --all-extras", True),
        ("python -m pip install -e .", True),
        ("", True),
        ("FOO=1", True),
    ],
)
def test_unknown_commands(text, non_test):
    cmd = parse_command(text)
    assert isinstance(cmd, Unknown) and cmd.non_test is non_test


def test_dynamic_words_in_selecting_positions():
    assert selection_is_dynamic(parse_command("cargo test -p ${{ matrix.crate }}"))
    assert selection_is_dynamic(parse_command('cargo test -p "$CRATE"'))
    assert selection_is_dynamic(parse_command("pytest $TEST_DIR"))
    assert selection_is_dynamic(parse_command("go test -run $PATTERN ./..."))
    # Not selecting: features, output flags; and single quotes keep `$` literal.
    assert not selection_is_dynamic(parse_command("cargo test -p core --features $FEATURES"))
    assert not selection_is_dynamic(parse_command("go test -run '^TestX$' ./..."))


@pytest.mark.parametrize(
    "garbage",
    ["'", '"', "\\", "$(", "${{", "cargo test -p", "pytest -k", "go test -run", "make -C", "((((", "a\x00b"],
)
def test_parse_never_raises(garbage):
    cmd = parse_command(garbage)
    assert cmd.text is not None
    selection_key(cmd)


# --- selection keys and matching (docs/spec/ci.md#matching) --------------------------------------------------------


def test_selection_key_ignores_spelling_and_wrappers():
    assert selection_key("cargo test -p core --tests") == selection_key("cargo test --tests --package=core")
    assert selection_key("uv run pytest  tests/unit") == selection_key("pytest tests/unit/")
    assert selection_key("npm test") == selection_key("npm run test")
    assert selection_key("cargo test -p core") != selection_key("cargo nextest run -p core")
    assert selection_key("cargo test --workspace --exclude a") != selection_key(
        "cargo test --workspace --exclude a --exclude b"
    )


@pytest.mark.parametrize(
    "cited, step, expected",
    [
        # extra libtest arguments after `--` in the step are allowed
        ("cargo test -p core --tests", "cargo test -p core --tests -- --skip slow_", True),
        ("cargo test -p core --tests", "cargo test --locked -p core --tests", True),
        # the step gained an extra --exclude: selection differs (PM403)
        (
            "cargo test --workspace --exclude core",
            "cargo test --workspace --exclude core --exclude cli",
            False,
        ),
        ("cargo test -p core", "cargo test -p core -p cli", False),
        ("cargo test -p core --lib", "cargo test -p core", False),
        ("cargo test -p core name", "cargo test -p core", False),
        # every option the citation writes must be in the step
        ("cargo test -p core --release", "cargo test -p core", False),
        ("cargo test -p core -- --skip slow_", "cargo test -p core", False),
        ("cargo test -p core -- --skip slow_", "cargo test -p core -- --skip slow_ --nocapture", True),
        # wrappers, env and whitespace are ignored
        ("pytest tests/unit", "uv run   python -m pytest -q tests/unit", True),
        ("uv run pytest tests/unit", "CI=1 pytest tests/unit --maxfail=1", True),
        ("pytest tests/unit", "pytest tests/unit tests/integration", False),
        ("pytest tests -k 'not slow'", "pytest tests", False),
        ("go test ./...", "go test -race ./...", True),
        ("go test ./...", "go test -run TestX ./...", False),
        ("make test", "make test", True),
        ("make test", "make test-unit", False),
        ("npm test", "npm run test", True),
        ("./scripts/ci.sh", "bash -x ./scripts/ci.sh --all", True),
        ("./scripts/ci.sh --all", "./scripts/ci.sh", False),
        ("cargo test", "pytest", False),
    ],
)
def test_command_matches(cited, step, expected):
    assert command_matches(cited, step) is expected


def test_closest_command():
    steps = ["cargo build --workspace", "cargo test --workspace --exclude core --exclude cli", "pytest tests"]
    assert closest_command("cargo test --workspace --exclude core", steps) == steps[1]
    assert closest_command("python -m pytest tests/unit", steps) == "pytest tests"
    assert closest_command("cargo test", []) is None
    assert closest_command("deploy.sh", ["echo hello world"]) is None


# --- following make targets and package scripts ------------------------------------------------


MAKEFILE = """\
PYTEST ?= uv run pytest
ARGS :=
include extra.mk

.PHONY: test unit

test: unit lint
\t$(MAKE) -C sub check

unit:
\t@cd python/pkg && \\
\t  $(PYTEST) tests/unit $(ARGS)
\t-echo "done $$HOME"

lint: ; ruff check .

%.o: %.c
\tcc -c $<
"""


def test_parse_makefile():
    mk = parse_makefile(MAKEFILE)
    assert mk.default_goal == "test"
    assert mk.rules["test"].prerequisites == ["unit", "lint"]
    assert [r for r, _ in mk.rules["unit"].recipe] == [
        "cd python/pkg && $(PYTEST) tests/unit $(ARGS)",
        'echo "done $$HOME"',
    ]
    assert mk.rules["lint"].recipe == [("ruff check .", 14)]
    assert mk.rules["unit"].recipe[1][1] == 12
    assert mk.includes and mk.pattern_rules
    assert (
        mk.expand("$(PYTEST) tests $(UNDEFINED) $$X $(shell date)") == "uv run pytest tests  $X $(shell date)"
    )


def test_follow_make_target(tmp_path):
    fs = make_fs(tmp_path, {"Makefile": MAKEFILE, "python/pkg/tests/unit/test_a.py": ""})
    result = follow(fs, parse_command("make test PYTEST=pytest"), "")
    assert result.error is None
    got = [(f.command.text, f.directory, f.line, f.via) for f in result.commands]
    assert got == [
        ("cd python/pkg", "", 10, "make unit"),
        ("pytest tests/unit", "python/pkg", 10, "make unit"),  # command-line variables win
        ('echo "done $HOME"', "", 12, "make unit"),
        ("ruff check .", "", 14, "make lint"),
        ("make -C sub check", "", 7, "make test"),
    ]
    assert isinstance(result.commands[1].command, Pytest)


def test_follow_make_errors(tmp_path):
    fs = make_fs(tmp_path, {"Makefile": "all:\n\techo hi\n", "sub/.keep": ""})
    assert "no target `nope`" in follow(fs, parse_command("make nope"), "").error
    assert "no Makefile" in follow(fs, parse_command("make test"), "sub").error
    assert [f.command.text for f in follow(fs, parse_command("make"), "").commands] == ["echo hi"]


def test_follow_package_scripts(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            "package.json": '{"scripts": {"test": "cd py && pytest tests", "lint": "eslint ."}}',
            "web/package.json": "{ not json",
        },
    )
    result = follow(fs, parse_command("npm test -- -k fast"), "")
    assert [(f.command.text, f.directory) for f in result.commands] == [
        ("cd py", ""),
        ("pytest tests -k fast", "py"),
    ]
    assert result.commands[1].line == 0 and result.commands[1].source == "package.json"
    assert "no script `e2e`" in follow(fs, parse_command("npm run e2e"), "").error
    assert "not valid JSON" in follow(fs, parse_command("npm test"), "web").error
    assert "does not exist" in follow(fs, parse_command("pnpm test"), "nowhere").error
    assert "not followed" in follow(fs, parse_command("npm test -w api"), "").error


# --- the job's command index answers as comparing with every step ---------------------------

from conftest import examples  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from parity_lsp.workspace.ci.commands import CommandIndex  # noqa: E402

_COMMANDS = st.sampled_from(
    [
        "cargo test -p core --tests",
        "cargo test --package core --tests",
        "uv run cargo test -p core --tests",
        "cargo test -p core",
        "cargo test --workspace",
        "cargo test -p other --tests",
        "cargo nextest run -p core",
        "pytest tests/unit",
        "python -m pytest tests/unit",
        "pytest tests/unit -k fast",
        "go test ./...",
        "make test",
        "npm test",
        "./scripts/run.sh --all",
        "cargo test -p core --tests -- --nocapture",
        "echo hi",
        "cargo build",
        "",
    ]
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_COMMANDS, max_size=12), st.lists(_COMMANDS, min_size=1, max_size=6))
def test_command_index_matches_like_every_step_compared(steps, cited):
    index = CommandIndex(steps)
    for text in cited + cited:  # asked again: the remembered answer is the same
        assert list(index.matching(text)) == [s for s in dict.fromkeys(steps) if command_matches(text, s)], (
            text
        )


def test_command_index_remembers_a_bounded_number_of_answers(monkeypatch):
    from parity_lsp.workspace.ci import commands

    monkeypatch.setattr(commands, "_ANSWERS_KEPT", 3)
    steps = ["cargo test -p core --tests", "pytest tests/unit"]
    index = CommandIndex(steps)
    typed = [
        "c",
        "ca",
        "cargo",
        "cargo test",
        "cargo test -p core",
        "cargo test -p core --tests",
        "pytest tests/unit",
    ]
    for text in typed + typed:  # an editor: a new command text per keystroke
        assert list(index.matching(text)) == [s for s in steps if command_matches(text, s)]
        assert len(index._answers) <= 3
