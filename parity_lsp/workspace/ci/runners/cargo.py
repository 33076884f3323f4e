"""cargo test / cargo nextest (and `cross`, `cargo llvm-cov`): the command model, its
selection key (docs/spec/ci.md#matching), and whether it runs a Rust test.

Invariant: parsing is pure; judging reads only through a `FileSystem`; never raises. Follows
cargo's rules: package selection (`-p`, `--workspace`/`--exclude`, else the package of the
working directory or the workspace's default members), target selection (`--lib`, `--tests`,
`--test NAME`, …, default: lib, bins, integration tests and doc tests), then libtest's name
filters, `--skip`, `--exact` and `#[ignore]`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import ClassVar

from parity_lsp.workspace.ci.model import (
    RUNS,
    TestTarget,
    Verdict,
    code_list,
    does_not_run,
    runs,
    unknown,
)
from parity_lsp.workspace.ci.projects import (
    CargoTarget,
    CargoWorkspace,
    ancestors,
    find_cargo_workspace,
    join,
    parent,
    resolve_cargo_file,
)
from parity_lsp.workspace.ci.reasons import Reason
from parity_lsp.workspace.ci.runners.base import (
    Common,
    Cursor,
    ParsedCommand,
    Runner,
    SelectionKey,
    Unknown,
    join_directory,
    option,
    split_list,
)
from parity_lsp.workspace.ci.shell import join_dir
from parity_lsp.workspace.ci.testinfo import find_rust_test, rust_tests
from parity_lsp.workspace.fs import FileSystem


@dataclass(kw_only=True, slots=True)
class CargoTest(ParsedCommand):
    kind: ClassVar[str] = "cargo"
    runner: str = "test"  # "test" | "nextest"
    packages: list[str] = field(default_factory=list)
    workspace: bool = False
    exclude: list[str] = field(default_factory=list)
    lib: bool = False
    bins: bool = False
    bin_names: list[str] = field(default_factory=list)
    tests: bool = False
    test_names: list[str] = field(default_factory=list)
    benches: bool = False
    bench_names: list[str] = field(default_factory=list)
    examples: bool = False
    example_names: list[str] = field(default_factory=list)
    all_targets: bool = False
    doc: bool = False
    no_run: bool = False  # --no-run / nextest list: builds, runs nothing
    features: list[str] = field(default_factory=list)
    all_features: bool = False
    no_default_features: bool = False
    manifest_path: str | None = None
    filters: list[str] = field(default_factory=list)  # name filters (before and after `--`)
    positional: list[str] = field(default_factory=list)  # name filters before `--` (selection)
    skip: list[str] = field(default_factory=list)
    exact: bool = False
    ignored: bool = False  # only #[ignore] tests
    include_ignored: bool = False
    list_only: bool = False  # `-- --list`
    filterset: list[str] = field(default_factory=list)  # nextest -E expressions (not evaluated)
    harness_args: list[str] = field(default_factory=list)  # everything after `--`

    @property
    def has_target_flags(self) -> bool:
        return bool(
            self.lib
            or self.bins
            or self.bin_names
            or self.tests
            or self.test_names
            or self.benches
            or self.bench_names
            or self.examples
            or self.example_names
            or self.all_targets
            or self.doc
        )


# --- parsing ---------------------------------------------------------------------------------

NON_TEST_SUBCOMMANDS = frozenset(
    {
        "build",
        "b",
        "check",
        "c",
        "clippy",
        "fmt",
        "doc",
        "d",
        "install",
        "uninstall",
        "fetch",
        "update",
        "publish",
        "package",
        "clean",
        "metadata",
        "tree",
        "audit",
        "deny",
        "udeps",
        "machete",
        "generate-lockfile",
        "login",
        "search",
        "vendor",
        "version",
        "bench",
        "sort",
        "about",
        "rustdoc",
        "rustc",
        "semver-checks",
        "msrv",
        "outdated",
        "fix",
        "add",
        "remove",
        "new",
        "init",
        "locate-project",
        "verify-project",
        "binstall",
        "set-version",
        "upgrade",
    }
)

_CARGO_VALUE_SHORT = {"-p", "-F", "-j", "-Z", "-C", "-E", "-P"}
_CARGO_VALUE_LONG = {
    "--package",
    "--exclude",
    "--bin",
    "--test",
    "--bench",
    "--example",
    "--features",
    "--manifest-path",
    "--target",
    "--target-dir",
    "--jobs",
    "--profile",
    "--color",
    "--message-format",
    "--config",
    "--lockfile-path",
    "--filterset",
    "--filter-expr",
    "--partition",
    "--run-ignored",
    "--retries",
    "--test-threads",
    "--cargo-profile",
    "--archive-file",
    "--workspace-remap",
    "--build-jobs",
    "--status-level",
    "--final-status-level",
    "--failure-output",
    "--success-output",
    "--max-fail",
    "--output-path",
    "--output-dir",
    "--ignore-filename-regex",
    "--fail-under-lines",
    "--fail-under-functions",
    "--fail-under-regions",
    "--fail-uncovered-lines",
    "--tool-path",
    "--hide-progress-bar",
    "--nextest-profile",
    "--threads",
}
_HARNESS_VALUE = {
    "--skip",
    "--test-threads",
    "--format",
    "--color",
    "--logfile",
    "-Z",
    "--shuffle-seed",
    "--report-time",
}


def parse(program: str, cur: Cursor, common: Common) -> ParsedCommand:
    # Global options and `+toolchain` come before the subcommand.
    sub = None
    while not cur.done():
        word = cur.take()
        if word.startswith("+"):
            continue
        if word.startswith("-"):
            opt = option(cur, word, {"-Z", "-C"}, {"--color", "--config", "--manifest-path"})
            if opt and opt[0] == "-C" and opt[1]:
                common["directory"] = join_directory(common.get("directory"), opt[1])
            continue
        sub = word
        break
    runner = None
    if sub in ("test", "t"):
        runner = "test"
    elif sub == "nextest":
        action = cur.take() if not cur.done() else None
        if action in ("run", "r"):
            runner = "nextest"
        elif action == "list":
            runner = "nextest"
            cmd = CargoTest(runner="nextest", no_run=True, **common)
            _cargo_options(cur, cmd)
            return cmd
        else:
            return Unknown(non_test=action in ("archive", "show-config", "self"), **common)
    elif sub == "llvm-cov":
        # `cargo llvm-cov [opts] [nextest]` runs tests; `report`/`clean`/`show-env` do not.
        words = [w.value for w in cur.rest()]
        subs = [w for w in words if not w.startswith("-")]
        if subs and subs[0] in ("report", "clean", "show-env"):
            return Unknown(non_test=True, **common)
        if subs and subs[0] == "run":
            return Unknown(**common)
        runner = "nextest" if subs and subs[0] == "nextest" else "test"
        common["wrappers"] = common["wrappers"] + ["cargo llvm-cov"]
    elif sub in NON_TEST_SUBCOMMANDS:
        return Unknown(non_test=True, **common)
    else:
        return Unknown(**common)
    cmd = CargoTest(runner=runner, **common)
    _cargo_options(cur, cmd)
    return cmd


# flag → the `CargoTest` attribute it sets
_CARGO_FLAGS = {
    "--workspace": "workspace",
    "--all": "workspace",
    "--lib": "lib",
    "--bins": "bins",
    "--tests": "tests",
    "--benches": "benches",
    "--examples": "examples",
    "--all-targets": "all_targets",
    "--doc": "doc",
    "--no-run": "no_run",
    "--all-features": "all_features",
    "--no-default-features": "no_default_features",
}

# option → the `CargoTest` list its values go to
_CARGO_LISTS = {
    "-p": "packages",
    "--package": "packages",
    "--exclude": "exclude",
    "--bin": "bin_names",
    "--test": "test_names",
    "--bench": "bench_names",
    "--example": "example_names",
    "-E": "filterset",
    "--filterset": "filterset",
    "--filter-expr": "filterset",
}


def _cargo_options(cur: Cursor, cmd: CargoTest) -> None:
    while not cur.done():
        word = cur.take()
        if word == "--":
            _harness_options(cur, cmd)
            return
        if word in ("nextest", "test") and "cargo llvm-cov" in cmd.wrappers:
            continue
        if not word.startswith("-") or word == "-":
            cmd.filters.append(word)
            cmd.positional.append(word)
            continue
        opt = option(cur, word, _CARGO_VALUE_SHORT, _CARGO_VALUE_LONG)
        if opt is None:
            attribute = _CARGO_FLAGS.get(word)
            if attribute is not None:
                setattr(cmd, attribute, True)
            if attribute is None or word in ("--all-features", "--no-default-features"):
                cmd.others.append(word)  # features change what is built, not which tests
            continue
        name, value = opt
        value = value or ""
        listed = _CARGO_LISTS.get(name)
        if listed is not None:
            getattr(cmd, listed).append(value)
        elif name == "--manifest-path":
            cmd.manifest_path = value
        elif name == "--run-ignored":
            cmd.ignored = value in ("ignored-only", "only")
            cmd.include_ignored = value == "all"
            cmd.others.append(f"{name}={value}")
        else:
            if name in ("-F", "--features"):
                cmd.features.extend(split_list(value))
                name = "--features"
            cmd.others.append(f"{name}={value}")


def _harness_options(cur: Cursor, cmd: CargoTest) -> None:
    """libtest arguments after `--` (nextest emulates the same ones)."""
    while not cur.done():
        word = cur.take()
        cmd.harness_args.append(word)
        name, eq, value = word.partition("=")
        if name in _HARNESS_VALUE and word.startswith("-"):
            if not eq and not cur.done():
                value = cur.take()
                cmd.harness_args.append(value)
            if name == "--skip":
                cmd.skip.append(value)
            cmd.others.append(f"-- {name}={value}")
        elif word == "--exact":
            cmd.exact = True
            cmd.others.append("-- --exact")
        elif word == "--ignored":
            cmd.ignored = True
            cmd.others.append("-- --ignored")
        elif word == "--include-ignored":
            cmd.include_ignored = True
            cmd.others.append("-- --include-ignored")
        elif word == "--list":
            cmd.list_only = True
            cmd.others.append("-- --list")
        elif word.startswith("-"):
            cmd.others.append(f"-- {word}")
        else:
            cmd.filters.append(word)
            cmd.others.append(f"-- {word}")


def selection_key(cmd: CargoTest) -> SelectionKey:
    targets = frozenset(
        [("lib",)] * cmd.lib
        + [("bins",)] * cmd.bins
        + [("tests",)] * cmd.tests
        + [("benches",)] * cmd.benches
        + [("examples",)] * cmd.examples
        + [("all-targets",)] * cmd.all_targets
        + [("doc",)] * cmd.doc
        + [("bin", n) for n in cmd.bin_names]
        + [("test", n) for n in cmd.test_names]
        + [("bench", n) for n in cmd.bench_names]
        + [("example", n) for n in cmd.example_names]
    )
    return (
        "cargo",
        cmd.runner,
        frozenset(cmd.packages),
        cmd.workspace,
        frozenset(cmd.exclude),
        targets,
        tuple(cmd.positional),
        cmd.manifest_path,
        cmd.no_run,
        tuple(cmd.filterset),
        cmd.directory,
    )


def _selecting_words(cmd: CargoTest) -> str:
    return repr(cmd.skip) + repr(cmd.filters)


# --- judging ------------------------------------------------------------------------------------


def judge(fs: FileSystem, cmd: CargoTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(".rs"):
        return does_not_run(Reason.WRONG_LANGUAGE, f"runs Rust tests; `{test.path}` is not a Rust file", text)
    if cmd.no_run or cmd.list_only:
        return does_not_run(Reason.NO_RUN, "builds or lists the tests but does not run them", text)
    res = resolve_cargo_file(fs, test.path)
    if res.error:
        return unknown(
            Reason.MANIFEST_ERROR, f"cannot resolve the Cargo target of `{test.path}`: {res.error}", text
        )
    if res.target is None:
        if res.kind == "shared":
            return unknown(Reason.NO_TARGET, f"{res.reason}; which targets include it is not known", text)
        return does_not_run(Reason.NO_TARGET, f"cannot run it: {res.reason}", text)
    target = res.target

    manifest_dir = where
    if cmd.manifest_path:
        mp = join_dir(where, cmd.manifest_path)
        if mp is None:
            return unknown(Reason.UNKNOWN_DIRECTORY, f"`{cmd.manifest_path}` is outside the workspace", text)
        manifest_dir = parent(mp)
    ws = find_cargo_workspace(fs, manifest_dir)
    if ws is None:
        return does_not_run(
            Reason.OUTSIDE_WORKING_DIRECTORY,
            f"runs in `{manifest_dir or '.'}`, where there is no Cargo.toml",
            text,
        )
    if ws.error:
        return unknown(Reason.MANIFEST_ERROR, f"cannot read the Cargo workspace: {ws.error}", text)
    if res.workspace is None or ws.root != res.workspace.root:
        return does_not_run(
            Reason.OTHER_WORKSPACE,
            f"runs in the Cargo workspace at `{ws.root or '.'}`, which does not contain `{test.path}`",
            text,
        )

    verdict = _packages(fs, cmd, ws, manifest_dir, target)
    if verdict is not None:
        return verdict
    verdict = _targets(cmd, target)
    if verdict is not None:
        return verdict
    if cmd.filterset:
        return unknown(
            Reason.FILTERSET,
            f"`{text}` filters with a nextest filterset ({code_list(cmd.filterset)}), which is not evaluated",
            text,
        )
    if not target.harness and (cmd.filters or cmd.skip or cmd.exact or cmd.ignored):
        return unknown(
            Reason.CUSTOM_HARNESS,
            f"`{text}` passes filters to {_describe(target)}, which has `harness = false`",
            text,
        )
    return _names(fs, cmd, target, test)


def _package_matches(spec: str, name: str) -> bool:
    spec = (
        spec.split("@", 1)[0].split(":", 1)[0]
        if not spec.startswith(("http", "git", "path+", "file"))
        else spec.rsplit("#", 1)[-1].split("@")[0]
    )
    return fnmatch.fnmatchcase(name, spec) if any(c in spec for c in "*?[") else spec == name


def _packages(
    fs: FileSystem, cmd: CargoTest, ws: CargoWorkspace, manifest_dir: str, target: CargoTarget
) -> Verdict | None:
    name = target.package
    if cmd.workspace:
        hit = [e for e in cmd.exclude if _package_matches(e, name)]
        if hit:
            return does_not_run(
                Reason.PACKAGE_EXCLUDED, f"excludes package `{name}` (`--exclude {hit[0]}`)", cmd.text
            )
        return None
    if cmd.packages:
        if any(_package_matches(p, name) for p in cmd.packages):
            return None
        return does_not_run(
            Reason.OTHER_PACKAGE,
            f"selects package{'s' if len(cmd.packages) > 1 else ''} {code_list(cmd.packages)}, not `{name}`",
            cmd.text,
        )
    # No selection flag: the package in the directory, else the workspace's default members.
    nearest = next((d for d in ancestors(manifest_dir) if fs.is_file(join(d, "Cargo.toml"))), ws.root)
    if nearest == ws.root:
        if ws.default_members is not None:
            dirs = ws.default_members
            why = "the workspace's `default-members`"
        elif ws.virtual:
            return None  # a virtual workspace root selects every member
        else:
            dirs = [ws.root]
            why = "the root package only"
    else:
        dirs = [nearest]
        why = "the package there"
    if target.package_dir in dirs:
        return None
    names = [p.name or p.dir for p in ws.members if p.dir in dirs]
    where = f" in `{manifest_dir}`" if manifest_dir else ""
    return does_not_run(
        Reason.OTHER_PACKAGE,
        f"runs{where} without `-p` or `--workspace`, which selects {why} ({code_list(names)}), not `{name}`",
        cmd.text,
    )


def _describe(t: CargoTarget) -> str:
    return {
        "lib": f"the library unit tests of `{t.package}`",
        "bin": f"binary `{t.name}` of `{t.package}`",
        "test": f"integration test target `{t.name}` of `{t.package}`",
        "bench": f"bench target `{t.name}` of `{t.package}`",
        "example": f"example `{t.name}` of `{t.package}`",
    }.get(t.kind, f"target `{t.name}`")


def _selected_targets(cmd: CargoTest) -> str:
    parts = []
    if cmd.lib:
        parts.append("the library (`--lib`)")
    if cmd.bins:
        parts.append("binaries (`--bins`)")
    parts += [f"binary `{n}`" for n in cmd.bin_names]
    if cmd.tests:
        parts.append("targets with `test = true` (`--tests`)")
    parts += [f"integration test `{n}` (`--test {n}`)" for n in cmd.test_names]
    if cmd.benches:
        parts.append("benches (`--benches`)")
    parts += [f"bench `{n}`" for n in cmd.bench_names]
    if cmd.examples:
        parts.append("examples (`--examples`)")
    parts += [f"example `{n}`" for n in cmd.example_names]
    return ", ".join(parts) or "no target"


def _name_in(names: list[str], name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, n) if any(c in n for c in "*?[") else n == name for n in names)


def _targets(cmd: CargoTest, t: CargoTarget) -> Verdict | None:
    if _only_doc(cmd):
        return does_not_run(
            Reason.OTHER_TARGET, f"runs only doc tests (`--doc`); the test is in {_describe(t)}", cmd.text
        )
    if cmd.all_targets:
        return None  # lib, bins, tests, benches and examples (not doc tests)
    if not cmd.has_target_flags:
        if t.kind in ("lib", "bin", "test") and t.test:
            return None
        if t.kind in ("bench", "example") and t.test:
            return None
        flag = {
            "lib": "--lib",
            "bin": f"--bin {t.name}",
            "test": f"--test {t.name}",
            "bench": "--benches",
            "example": "--examples",
        }[t.kind]
        why = "sets `test = false`" if t.kind in ("lib", "bin", "test") else "is not tested by default"
        return does_not_run(
            Reason.OTHER_TARGET, f"does not test {_describe(t)}: the target {why} (needs `{flag}`)", cmd.text
        )
    selected = {
        "lib": cmd.lib,
        "bin": cmd.bins or _name_in(cmd.bin_names, t.name),
        "test": _name_in(cmd.test_names, t.name),
        "bench": cmd.benches or _name_in(cmd.bench_names, t.name),
        "example": cmd.examples or _name_in(cmd.example_names, t.name),
    }.get(t.kind, False) or (cmd.tests and t.test)
    if selected:
        return None
    return does_not_run(
        Reason.OTHER_TARGET,
        f"selects only {_selected_targets(cmd)}; the test is in {_describe(t)} (`{t.path}`)",
        cmd.text,
    )


def _only_doc(cmd: CargoTest) -> bool:
    return cmd.doc and not (
        cmd.lib
        or cmd.bins
        or cmd.bin_names
        or cmd.tests
        or cmd.test_names
        or cmd.benches
        or cmd.bench_names
        or cmd.examples
        or cmd.example_names
        or cmd.all_targets
    )


# --- libtest names ------------------------------------------------------------------------------


def _names(fs: FileSystem, cmd: CargoTest, target: CargoTarget, test: TestTarget) -> Verdict:
    read = fs.read_text(test.path)
    text = read.text or ""
    candidates: list[tuple[str, bool]] = []  # (full libtest name, ignored)
    if test.name:
        short = [p for p in test.name.replace(".", "::").split("::") if p]
        # Without `ignore` nor `mod` in the file, no test there is ignored or inside an inline
        # module: the scan could only confirm the plain name (most integration-test files).
        plain = len(short) == 1 and "ignore" not in text and "mod" not in text
        found = find_rust_test(text, test.name) if text and not plain else None
        if found is not None:
            full = "::".join(target.module_path + found.modules + [found.name])
            ignored = found.ignored
        else:
            full = "::".join(target.module_path + short)
            ignored = False
        candidates.append((full, test.ignored if test.ignored is not None else ignored))
    else:
        for t in rust_tests(text):
            if t.is_test:
                candidates.append(("::".join(target.module_path + t.modules + [t.name]), t.ignored))
        if not candidates:
            return runs(f"runs {_describe(target)}", cmd.text, test_name=None)
    first_failure: Verdict | None = None
    for full, ignored in candidates:
        v = _libtest(cmd, full, ignored, target)
        if v.outcome == RUNS:
            return v
        first_failure = first_failure or v
    assert first_failure is not None
    if not test.name and len(candidates) > 1:
        first_failure.clause = (
            f"runs none of the {len(candidates)} tests in `{test.path}` ({first_failure.clause})"
        )
        first_failure.reason = f"`{cmd.text}` {first_failure.clause}"
    return first_failure


def _libtest(cmd: CargoTest, full: str, ignored: bool, target: CargoTarget) -> Verdict:
    text = cmd.text
    if cmd.filters:
        hit = [f for f in cmd.filters if (f == full if cmd.exact else f in full)]
        if not hit:
            if cmd.exact:
                return does_not_run(
                    Reason.EXACT_MISMATCH,
                    f"with `--exact` needs a filter equal to the full name `{full}`;"
                    f" it has {code_list(cmd.filters)}",
                    text,
                    test_name=full,
                )
            return does_not_run(
                Reason.NAME_FILTER,
                f"filters by name {code_list(cmd.filters)}, which does not match `{full}`",
                text,
                test_name=full,
            )
    skipped = [s for s in cmd.skip if (s == full if cmd.exact else s in full)]
    if skipped:
        return does_not_run(
            Reason.SKIP_FILTER, f"skips it: `--skip {skipped[0]}` matches `{full}`", text, test_name=full
        )
    if cmd.ignored and not cmd.include_ignored and not ignored:
        return does_not_run(
            Reason.ONLY_IGNORED,
            f"runs only `#[ignore]`d tests (`--ignored`); `{full}` is not ignored",
            text,
            test_name=full,
        )
    if ignored and not (cmd.ignored or cmd.include_ignored):
        return does_not_run(
            Reason.IGNORED,
            f"does not run `#[ignore]`d tests and `{full}` is ignored"
            " (needs `--ignored` or `--include-ignored`)",
            text,
            test_name=full,
        )
    clause = f"runs {_describe(target)}"
    if cmd.filters:
        clause += f" — `{full}` matches the filter"
    else:
        clause += f" — matches `{full}`"
    return runs(clause, text, test_name=full)


RUNNER = Runner(
    name="cargo",
    title="cargo test / cargo nextest",
    programs=frozenset({"cargo", "cross"}),
    model=CargoTest,
    parse=parse,
    selection_key=selection_key,
    judge=judge,
    selecting_words=_selecting_words,
    needs="Cargo workspaces, members, default-members and targets (`projects.resolve_cargo_file`), "
    "Rust test names and `#[ignore]` (`testinfo`)",
)
