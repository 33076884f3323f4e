"""The CI model's Rust tests come from the one Rust scanner the rules use (issue 17: Rust was
lexed twice, and the two lexers disagreed on `#[cfg_attr(miri, ignore)]`). What the rules
call disabled (PM308) is what the CI model calls ignored (PM203's verdicts), on any text."""

from __future__ import annotations

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from rulekit import CI_REF, MATRIX, at, check, in_row, matrix, only, sources, workspace

from parity_lsp.workspace.ci.testinfo import find_rust_test, rust_tests
from parity_lsp.workspace.symbols import find_definitions

RUST_PIECES = [
    "#[test]",
    "#[ignore]",
    "#[cfg_attr(x, ignore)]",
    "#[cfg_attr(miri, ignore)]",
    '#[ignore = "slow"]',
    "#![allow(x)]",
    "#[a[b]]",
    "#[",
    "[",
    "]",
    "mod m {",
    "mod",
    "m",
    "od",
    "fn f",
    "fn",
    "f",
    "n",
    "{",
    "}",
    ";",
    " ",
    "\n",
    "x",
    "_",
    "tokio::test",
    "//",
    '"',
    "'a'",
    "#[rstest]",
    "fn t() {}",
    "mod inner {",
    '#[x = "]"]',
]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(RUST_PIECES), max_size=60).map("".join))
def test_the_ci_model_and_the_rules_agree_on_every_fn(text):
    defs = find_definitions("src/lib.rs", text) or []
    fns = [(d.name, d.disabled is not None, d.is_test) for d in defs if d.kind == "fn"]
    assert [(t.name, t.ignored, t.is_test) for t in rust_tests.__wrapped__(text)] == fns
    for name in {n for n, _i, _t in fns}:
        found = find_rust_test(text, name)
        assert found is not None and found.name == name


def test_a_test_inside_a_raw_string_is_not_a_test():
    src = '#[test]\nfn real() {}\nconst S: &str = r#"\n#[test]\nfn fake() {}\n"#;\n'
    assert find_rust_test(src, "real").is_test
    assert find_rust_test(src, "fake") is None


LEDGER = """
pub fn record() {}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg_attr(miri, ignore)]
    fn under_miri_only_ignored() {}

    #[test]
    #[ignore = "needs a clock"]
    fn always_ignored() {}
}
"""


def test_cfg_attr_ignore_is_not_disabled_for_the_rules_nor_for_ci(tmp_path):
    """`#[cfg_attr(miri, ignore)]`: plain `cargo test` runs it. Neither PM308 (disabled) nor
    PM203 (CI does not run it); `#[ignore]` gets both (before: PM203 only, the CI model's
    own lexer called the miri-only test ignored while the rules did not)."""
    rows = [
        {
            "cap": "Miri",
            "status": "Implemented",
            "tests": "`src/ledger.rs` (`under_miri_only_ignored`)",
            "ci": CI_REF,
        },
        {
            "cap": "Ignored",
            "status": "Implemented",
            "tests": "`src/ledger.rs` (`always_ignored`)",
            "ci": CI_REF,
        },
    ]
    root = workspace(tmp_path, {**sources(), "src/ledger.rs": LEDGER, MATRIX: matrix(rows)})
    diags = check(root)
    (pm308,) = only(diags, "PM308")
    assert at(pm308) == in_row(root, "Ignored", "always_ignored")
    (pm203,) = only(diags, "PM203")
    assert pm203["line"] == in_row(root, "Ignored", "always_ignored")["line"]
    assert "ignored" in pm203["message"]
    assert find_rust_test(LEDGER, "under_miri_only_ignored").ignored is False
    assert find_rust_test(LEDGER, "tests::always_ignored").ignored is True


@settings(max_examples=examples(800), deadline=None)
@given(st.lists(st.sampled_from(RUST_PIECES), max_size=60).map("".join))
def test_without_ignore_or_mod_no_test_is_ignored_or_in_a_module(text):
    """the cargo runner skips the scan of a file holding neither `ignore` nor `mod`: every fn there
    must then be outside inline modules and not ignored (the names the scan would give)."""
    from parity_lsp.workspace.ci.testinfo import rust_tests

    if "ignore" in text or "mod" in text:
        return
    for t in rust_tests.__wrapped__(text):
        assert (t.modules, t.ignored) == ([], False)


def test_a_plain_integration_test_file_gets_the_verdict_of_a_scanned_one(tmp_path):
    """The same verdicts with and without the skipped scan: a file with `mod`/`ignore` words
    takes the scan; one without takes the shortcut; both name the test as libtest does."""
    from parity_lsp.workspace.ci.commands import parse_command
    from parity_lsp.workspace.ci.model import TestTarget
    from parity_lsp.workspace.ci.projects import cargo_target_for_file
    from parity_lsp.workspace.ci.runners import cargo as run_cargo
    from parity_lsp.workspace.fs import FileSystem

    (tmp_path / "Cargo.toml").write_text('[package]\nname = "core"\nversion = "0.1.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src/lib.rs").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/plain.rs").write_text("#[test]\nfn alpha() {}\n")
    (tmp_path / "tests/marked.rs").write_text(
        "#[test]\n#[ignore]\nfn alpha() {}\nmod inner {\n#[test]\nfn beta() {}\n}\n"
    )
    fs = FileSystem(tmp_path)
    outcomes = {}
    for cmd_text in (
        "cargo test",
        "cargo test alpha",
        "cargo test -- --exact alpha",
        "cargo test inner::beta",
    ):
        cmd = parse_command(cmd_text)
        for path, name in (
            ("tests/plain.rs", "alpha"),
            ("tests/marked.rs", "alpha"),
            ("tests/marked.rs", "beta"),
        ):
            target = cargo_target_for_file(fs, path)
            v = run_cargo._names(fs, cmd, target, TestTarget(path, name))
            outcomes[cmd_text, path, name] = v.outcome
    assert outcomes == {
        ("cargo test", "tests/plain.rs", "alpha"): "runs",
        ("cargo test", "tests/marked.rs", "alpha"): "does_not_run",  # #[ignore]
        ("cargo test", "tests/marked.rs", "beta"): "runs",
        ("cargo test alpha", "tests/plain.rs", "alpha"): "runs",
        ("cargo test alpha", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test alpha", "tests/marked.rs", "beta"): "does_not_run",
        ("cargo test -- --exact alpha", "tests/plain.rs", "alpha"): "runs",
        ("cargo test -- --exact alpha", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test -- --exact alpha", "tests/marked.rs", "beta"): "does_not_run",
        ("cargo test inner::beta", "tests/plain.rs", "alpha"): "does_not_run",
        ("cargo test inner::beta", "tests/marked.rs", "alpha"): "does_not_run",
        ("cargo test inner::beta", "tests/marked.rs", "beta"): "runs",
    }
