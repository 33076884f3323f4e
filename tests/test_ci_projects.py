"""Cargo workspaces and targets, pytest configuration, Go packages, and the source scanners."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from parity_lsp.workspace.ci.projects import (
    cargo_target_for_file,
    find_cargo_workspace,
    go_module_for_dir,
    go_package_for_file,
    load_cargo_workspace,
    pytest_config,
    python_test_roots,
    resolve_cargo_file,
)
from parity_lsp.workspace.ci.testinfo import (
    eval_go_constraint,
    find_python_test,
    find_rust_test,
    go_build_constraint,
    go_test_names,
    python_tests,
    rust_tests,
)
from parity_lsp.workspace.fs import FileSystem

FIXTURE = Path(__file__).parent / "fixtures" / "ci" / "workspace.txt"


def write_tree(root: Path, text: str) -> None:
    """Write a '=== PATH' multi-file fixture under `root`."""
    path, buf = None, []

    def flush() -> None:
        if path:
            p = root / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("".join(buf))

    for line in text.splitlines(keepends=True):
        if line.startswith("=== "):
            flush()
            path, buf = line[4:].strip(), []
        elif path is not None:
            buf.append(line)
    flush()


def make_fs(root: Path, files: dict[str, str]) -> FileSystem:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content).lstrip("\n"))
    return FileSystem(root)


@pytest.fixture
def fs(tmp_path) -> FileSystem:
    write_tree(tmp_path, FIXTURE.read_text())
    return FileSystem(tmp_path)


# --- Cargo -------------------------------------------------------------------------------------


def test_workspace_members_globs_exclude_and_names(fs):
    ws = load_cargo_workspace(fs, "")
    assert ws.error is None and ws.virtual
    assert sorted((p.name, p.dir) for p in ws.members) == [
        ("arco-cli", "crates/cli"),
        ("arco-flow", "crates/flow"),
        ("core", "crates/core"),
    ]
    assert ws.exclude == ["crates/experimental"]


def test_package_targets(fs):
    ws = load_cargo_workspace(fs, "")
    core = ws.package("core")
    assert sorted((t.kind, t.name, t.path) for t in core.targets) == [
        ("lib", "core", "crates/core/src/lib.rs"),
        ("test", "api", "crates/core/tests/api.rs"),
        ("test", "suite", "crates/core/tests/suite/main.rs"),
    ]
    cli = ws.package("arco-cli")
    assert sorted((t.kind, t.name, t.path) for t in cli.targets) == [
        ("bin", "arco", "crates/cli/src/main.rs"),
        ("test", "e2e", "crates/cli/it/e2e.rs"),
    ]
    flow = ws.package("arco-flow")
    assert not flow.autotests
    assert flow.lib.test is False
    assert [(t.kind, t.name) for t in flow.targets if t.kind == "test"] == [("test", "orchestration")]


@pytest.mark.parametrize(
    "path, expected",
    [
        ("crates/core/src/lib.rs", ("core", "lib", "core", [])),
        ("crates/core/src/tick.rs", ("core", "lib", "core", ["tick"])),
        ("crates/core/tests/api.rs", ("core", "test", "api", [])),
        ("crates/core/tests/suite/main.rs", ("core", "test", "suite", [])),
        ("crates/core/tests/suite/helpers.rs", ("core", "test", "suite", ["helpers"])),
        ("crates/cli/src/main.rs", ("arco-cli", "bin", "arco", [])),
        ("crates/cli/it/e2e.rs", ("arco-cli", "test", "e2e", [])),
        ("crates/flow/tests/orchestration.rs", ("arco-flow", "test", "orchestration", [])),
        ("crates/experimental/src/lib.rs", ("experimental", "lib", "experimental", [])),
    ],
)
def test_cargo_target_for_file(fs, path, expected):
    t = cargo_target_for_file(fs, path)
    assert t is not None
    assert (t.package, t.kind, t.name, t.module_path) == expected


def test_files_in_no_target(fs):
    shared = resolve_cargo_file(fs, "crates/core/tests/common/mod.rs")
    assert shared.target is None and shared.kind == "shared"
    legacy = resolve_cargo_file(fs, "crates/flow/tests/legacy.rs")
    assert legacy.target is None and legacy.kind == "not_built" and "autotests = false" in legacy.reason
    outside = resolve_cargo_file(fs, "python/pkg/src/pkg/__init__.py")
    assert outside.target is None and outside.kind == "outside"


def test_excluded_member_is_its_own_workspace(fs):
    ws = find_cargo_workspace(fs, "crates/experimental/src")
    assert ws.root == "crates/experimental" and not ws.virtual
    assert find_cargo_workspace(fs, "crates/core/tests").root == ""
    # cargo looks upwards for a manifest: from python/pkg it finds the root workspace
    assert find_cargo_workspace(fs, "python/pkg").root == ""


def test_single_package_root_and_default_members(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            "Cargo.toml": """
            [package]
            name = "solo"
            [workspace]
            members = ["tools/gen"]
            default-members = ["."]
            """,
            "src/lib.rs": "",
            "src/bin/tool.rs": "fn main() {}",
            "src/bin/multi/main.rs": "fn main() {}",
            "src/bin/multi/util.rs": "",
            "benches/speed.rs": "",
            "examples/demo.rs": "",
            "tools/gen/Cargo.toml": '[package]\nname = "gen"\n',
            "tools/gen/src/main.rs": "fn main() {}",
        },
    )
    ws = load_cargo_workspace(fs, "")
    assert not ws.virtual and [p.name for p in ws.members] == ["solo", "gen"]
    assert ws.default_members == [""]
    solo = ws.package("solo")
    assert sorted((t.kind, t.name) for t in solo.targets) == [
        ("bench", "speed"),
        ("bin", "multi"),
        ("bin", "tool"),
        ("example", "demo"),
        ("lib", "solo"),
    ]
    assert cargo_target_for_file(fs, "src/bin/multi/util.rs").name == "multi"
    assert cargo_target_for_file(fs, "benches/speed.rs").kind == "bench"
    gen = cargo_target_for_file(fs, "tools/gen/src/main.rs")
    assert (gen.package, gen.kind) == ("gen", "bin")  # a bin-only package: src/ tests belong to the bin


@pytest.mark.parametrize(
    "files, where",
    [
        ({"Cargo.toml": "[workspace\nmembers = ["}, "root"),
        (
            {
                "Cargo.toml": '[workspace]\nmembers = ["a"]\n',
                "a/Cargo.toml": "[package\nname=",
                "a/src/lib.rs": "",
            },
            "member",
        ),
        ({"Cargo.toml": b"\xff\xfe garbage"}, "root"),
    ],
)
def test_broken_toml_gives_an_error_model(tmp_path, files, where):
    for rel, content in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
    fs = FileSystem(tmp_path)
    res = resolve_cargo_file(fs, "a/src/lib.rs")
    assert res.target is None and res.error
    ws = load_cargo_workspace(fs, "")
    if where == "root":
        assert ws.error
    else:
        assert ws.members[0].error and "not valid TOML" in ws.members[0].error


# --- pytest ------------------------------------------------------------------------------------


def test_pytest_config_from_pyproject(fs):
    cfg = pytest_config(fs, "python/pkg")
    assert (cfg.rootdir, cfg.inifile, cfg.testpaths) == (
        "python/pkg",
        "python/pkg/pyproject.toml",
        ["tests/unit"],
    )
    # rootdir is found from the arguments' common ancestor, upwards
    cfg = pytest_config(fs, "", ["python/pkg/tests/integration"])
    assert cfg.rootdir == "python/pkg"
    # no config anywhere above: the common ancestor of the args is the rootdir
    assert pytest_config(fs, "", ["go"]).rootdir == "go"
    assert python_test_roots(fs, "python/pkg") == ["python/pkg/tests/unit"]


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "pytest.ini",
            "[pytest]\ntestpaths = it\naddopts = -m 'not slow' --strict-markers\npython_files = check_*.py\n",
        ),
        (
            "tox.ini",
            "[tox]\nenvlist = py\n[pytest]\ntestpaths = it\naddopts = -m 'not slow' --strict-markers\npython_files = check_*.py\n",
        ),
        (
            "setup.cfg",
            "[metadata]\nname = x\n[tool:pytest]\ntestpaths = it\naddopts = -m 'not slow' --strict-markers\npython_files = check_*.py\n",
        ),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\ntestpaths = ["it"]\naddopts = "-m \'not slow\' --strict-markers"\npython_files = ["check_*.py"]\n',
        ),
    ],
)
def test_pytest_ini_files(tmp_path, name, content):
    fs = make_fs(tmp_path, {f"proj/{name}": content, "proj/it/check_a.py": ""})
    cfg = pytest_config(fs, "proj/it")
    assert cfg.rootdir == "proj" and cfg.inifile == f"proj/{name}"
    assert cfg.testpaths == ["it"] and cfg.python_files == ["check_*.py"]
    assert cfg.addopts == ["-m", "not slow", "--strict-markers"]


def test_pytest_ini_precedence_and_explicit_config(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            "pytest.ini": "[pytest]\ntestpaths = a\n",
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["b"]\n',
            "tox.ini": "[tox]\n",  # no [pytest] section: not a config
            "ci/pytest-ci.ini": "[pytest]\ntestpaths = c\n",
        },
    )
    assert pytest_config(fs, "").testpaths == ["a"]  # pytest.ini wins
    cfg = pytest_config(fs, "", inifile="ci/pytest-ci.ini")
    assert (cfg.rootdir, cfg.testpaths) == ("ci", ["c"])
    assert pytest_config(fs, "", rootdir="ci").rootdir == "ci"


def test_broken_pytest_configs(tmp_path):
    fs = make_fs(
        tmp_path, {"a/pyproject.toml": "[tool.pytest.ini_options\n", "b/setup.cfg": "no section header\n"}
    )
    assert "not valid TOML" in pytest_config(fs, "a").error
    assert "cannot be parsed" in pytest_config(fs, "b").error


def test_setup_py_marks_rootdir(tmp_path):
    fs = make_fs(tmp_path, {"lib/setup.py": "", "lib/tests/test_x.py": ""})
    assert pytest_config(fs, "lib/tests").rootdir == "lib"


# --- Go ----------------------------------------------------------------------------------------


def test_go_packages(fs):
    pkg = go_package_for_file(fs, "go/internal/store/store_test.go")
    assert (pkg.module.root, pkg.module.path, pkg.dir, pkg.rel_dir, pkg.import_path) == (
        "go",
        "example.com/arco",
        "go/internal/store",
        "internal/store",
        "example.com/arco/internal/store",
    )
    assert go_package_for_file(fs, "crates/core/src/lib.rs") is None
    assert go_module_for_dir(fs, "go").path == "example.com/arco"


def test_broken_go_mod(tmp_path):
    fs = make_fs(tmp_path, {"go.mod": "// nothing here\n", "x_test.go": ""})
    assert "no `module` line" in go_package_for_file(fs, "x_test.go").module.error


# --- source scanners ---------------------------------------------------------------------------


RUST = r"""
//! fn not_a_fn() { in a doc comment }
const S: &str = "fn fake() { }";
const C: char = '{';
fn helper<'a>(x: &'a str) -> &'a str { x }

#[cfg(test)]
mod tests {
    #[test]
    fn plain() { let s = r#"mod x { fn no() {} }"#; }

    #[test]
    #[ignore]
    fn ignored_one() {}

    mod nested {
        #[tokio::test(flavor = "multi_thread")]
        async fn deep() {}

        #[rstest]
        #[case(1)]
        #[cfg_attr(not(feature = "slow"), ignore)]
        fn param(#[case] x: u32) {}
    }
}
"""


def test_rust_scanner():
    tests = {t.name: t for t in rust_tests(RUST)}
    assert "not_a_fn" not in tests and "fake" not in tests and "no" not in tests
    assert tests["helper"].modules == [] and not tests["helper"].is_test
    assert tests["plain"].modules == ["tests"] and tests["plain"].is_test and not tests["plain"].ignored
    assert tests["ignored_one"].ignored
    assert tests["deep"].modules == ["tests", "nested"] and tests["deep"].is_test
    assert not tests["param"].ignored and tests["param"].is_test  # `cfg_attr(…, ignore)`: conditional
    assert find_rust_test(RUST, "nested::deep").name == "deep"
    assert find_rust_test(RUST, "missing") is None
    assert rust_tests("fn broken( { {{ ") is not None  # garbage does not raise


PY = """
import pytest

pytestmark = [pytest.mark.db]

def test_top(): pass

@pytest.mark.slow
@pytest.mark.parametrize("x", [1, 2])
def test_param(x): pass

@pytest.mark.integration
class TestGroup:
    pytestmark = pytest.mark.net

    @pytest.mark.skip(reason="later")
    def test_inner(self): pass

    async def test_async(self): pass

def helper(): pass
"""


def test_python_scanner():
    top = find_python_test(PY, "test_top")
    assert top.classes == [] and top.markers == {"db"} and not top.skipped
    assert find_python_test(PY, "test_param[1]").markers == {"db", "slow", "parametrize"}
    inner = find_python_test(PY, "TestGroup::test_inner")
    assert (
        inner.classes == ["TestGroup"]
        and inner.markers == {"db", "integration", "net", "skip"}
        and inner.skipped
    )
    assert find_python_test(PY, "TestGroup.test_async").classes == ["TestGroup"]
    assert find_python_test(PY, "test_async").classes == ["TestGroup"]
    assert find_python_test(PY, "Other::test_async") is None
    assert [t.name for t in python_tests(PY)] == ["test_top", "test_param", "test_inner", "test_async"]
    broken = "def test_ok(:\n    pass\nclass TestC:\n    def test_m(self):\n"
    assert find_python_test(broken, "test_m").classes == ["TestC"]
    assert [t.name for t in python_tests(broken)] == ["test_ok"]


def test_go_scanner():
    src = "// Copyright\n//go:build integration && !race\n\npackage x\n\nfunc TestA(t *testing.T) {}\nfunc TestB(t *testing.T) {}\nfunc helper() {}\n"
    assert go_build_constraint(src) == "integration && !race"
    assert go_build_constraint("package x\n//go:build never\n") is None  # only before `package`
    assert go_test_names(src) == ["TestA", "TestB"]
    assert eval_go_constraint("integration && !race", {"integration"}) is True
    assert eval_go_constraint("integration && !race", set()) is False
    assert eval_go_constraint("integration || (linux && amd64)", set()) is None  # platform-dependent
    assert eval_go_constraint("linux && integration", set()) is False
    assert eval_go_constraint("((", set()) is None
