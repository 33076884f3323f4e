"""Does a `cargo test` / `cargo nextest run` command run a Rust test?

Invariant: reads only through a `FileSystem`; never raises. Follows cargo's rules: package
selection (`-p`, `--workspace`/`--exclude`, else the package of the working directory or the
workspace's default members), target selection (`--lib`, `--tests`, `--test NAME`, …, default:
lib, bins, integration tests and doc tests), then libtest's name filters, `--skip`, `--exact`
and `#[ignore]`.
"""

from __future__ import annotations

import fnmatch

from parity_lsp.workspace.ci.commands import CargoTest
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
from parity_lsp.workspace.ci.shell import join_dir
from parity_lsp.workspace.ci.testinfo import find_rust_test, rust_tests
from parity_lsp.workspace.fs import FileSystem


def judge(fs: FileSystem, cmd: CargoTest, where: str, test: TestTarget) -> Verdict:
    text = cmd.text
    if not test.path.endswith(".rs"):
        return does_not_run("wrong_language", f"runs Rust tests; `{test.path}` is not a Rust file", text)
    if cmd.no_run or cmd.list_only:
        return does_not_run("no_run", "builds or lists the tests but does not run them", text)
    res = resolve_cargo_file(fs, test.path)
    if res.error:
        return unknown(
            "manifest_error", f"cannot resolve the Cargo target of `{test.path}`: {res.error}", text
        )
    if res.target is None:
        if res.kind == "shared":
            return unknown("no_target", f"{res.reason}; which targets include it is not known", text)
        return does_not_run("no_target", f"cannot run it: {res.reason}", text)
    target = res.target

    manifest_dir = where
    if cmd.manifest_path:
        mp = join_dir(where, cmd.manifest_path)
        if mp is None:
            return unknown("unknown_directory", f"`{cmd.manifest_path}` is outside the workspace", text)
        manifest_dir = parent(mp)
    ws = find_cargo_workspace(fs, manifest_dir)
    if ws is None:
        return does_not_run(
            "outside_working_directory",
            f"runs in `{manifest_dir or '.'}`, where there is no Cargo.toml",
            text,
        )
    if ws.error:
        return unknown("manifest_error", f"cannot read the Cargo workspace: {ws.error}", text)
    if res.workspace is None or ws.root != res.workspace.root:
        return does_not_run(
            "other_workspace",
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
            "filterset",
            f"`{text}` filters with a nextest filterset ({code_list(cmd.filterset)}), which is not evaluated",
            text,
        )
    if not target.harness and (cmd.filters or cmd.skip or cmd.exact or cmd.ignored):
        return unknown(
            "custom_harness",
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
                "package_excluded", f"excludes package `{name}` (`--exclude {hit[0]}`)", cmd.text
            )
        return None
    if cmd.packages:
        if any(_package_matches(p, name) for p in cmd.packages):
            return None
        return does_not_run(
            "other_package",
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
        "other_package",
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
            "other_target", f"runs only doc tests (`--doc`); the test is in {_describe(t)}", cmd.text
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
            "other_target", f"does not test {_describe(t)}: the target {why} (needs `{flag}`)", cmd.text
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
        "other_target",
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
                    "exact_mismatch",
                    f"with `--exact` needs a filter equal to the full name `{full}`;"
                    f" it has {code_list(cmd.filters)}",
                    text,
                    test_name=full,
                )
            return does_not_run(
                "name_filter",
                f"filters by name {code_list(cmd.filters)}, which does not match `{full}`",
                text,
                test_name=full,
            )
    skipped = [s for s in cmd.skip if (s == full if cmd.exact else s in full)]
    if skipped:
        return does_not_run(
            "skip_filter", f"skips it: `--skip {skipped[0]}` matches `{full}`", text, test_name=full
        )
    if cmd.ignored and not cmd.include_ignored and not ignored:
        return does_not_run(
            "only_ignored",
            f"runs only `#[ignore]`d tests (`--ignored`); `{full}` is not ignored",
            text,
            test_name=full,
        )
    if ignored and not (cmd.ignored or cmd.include_ignored):
        return does_not_run(
            "ignored",
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
