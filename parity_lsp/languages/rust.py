"""Rust: items with their attributes and doc comments, `impl` methods as `Type::method`,
`#[test]`-style test functions and `#[ignore]`."""

from parity_lsp.languages.base import Language

LANGUAGE = Language(
    id="rust",
    name="Rust",
    extensions=(".rs",),
    scanner="parity_lsp.workspace.symbols.rust:scan",
    fence="rust",
    partial_scan=True,
    preload=True,
    separator="::",
    tests="`#[test]`, `#[tokio::test]`, `#[rstest]`, `#[test_case]`, `#[proptest]` … functions",
    ci_runs_disabled=True,  # `cargo test -- --ignored` / `--include-ignored`, nextest `--run-ignored`
    disabled="`#[ignore]` (a conditional `#[cfg_attr(…, ignore)]`, e.g. under miri, is not disabled)",
    test_files=(r".*_tests?\.rs",),
    test_dirs=("tests", "benches"),
)
