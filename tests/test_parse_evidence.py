"""Evidence cells: every form of docs/spec/evidence.md#forms, with exact spans."""

import pytest

from parity_lsp.model import RefKind
from parity_lsp.parse.evidence import is_path_candidate, parse_evidence

OFFSET = 100  # cells start somewhere inside the document


def parse(text, column="evidence (code)"):
    return parse_evidence(text, OFFSET, "docs/parity/matrix.md", column)


def at(text, span):
    return text[span.start - OFFSET : span.end - OFFSET]


def test_plain_path():
    t = "`crates/core/src/lib.rs`"
    (ref,) = parse(t).refs
    assert ref.kind == RefKind.PATH and ref.path == "crates/core/src/lib.rs"
    assert at(t, ref.span) == "crates/core/src/lib.rs"
    assert ref.line_start is None and ref.symbols == []


@pytest.mark.parametrize(
    "text,path,start,end,loc",
    [
        ("`crates/core/src/lib.rs:120`", "crates/core/src/lib.rs", 120, None, "120"),
        ("`src/a.py:10-20`", "src/a.py", 10, 20, "10-20"),
        ("`src/a.py#L10`", "src/a.py", 10, None, "L10"),
        ("`src/a.py#L10-L20`", "src/a.py", 10, 20, "L10-L20"),
    ],
)
def test_lines_and_ranges(text, path, start, end, loc):
    (ref,) = parse(text).refs
    assert (ref.path, ref.line_start, ref.line_end) == (path, start, end)
    assert at(text, ref.line_span) == loc


def test_path_with_symbols():
    t = "`src/a.py:40` (`parse_row`, `Type::method`)"
    (ref,) = parse(t).refs
    assert [s.name for s in ref.symbols] == ["parse_row", "Type::method"]
    assert [at(t, s.span) for s in ref.symbols] == ["parse_row", "Type::method"]
    assert at(t, ref.full_span) == t


def test_bare_symbols_in_parenthesis_and_prose_notes():
    (ref,) = parse("`x.rs` (TickLedger::record)").refs
    assert [s.name for s in ref.symbols] == ["TickLedger::record"]
    (ref,) = parse("`x.rs` (global idempotency gate)").refs
    assert ref.symbols == [] and ref.note == "global idempotency gate"


def test_pytest_node_id():
    t = "`tests/test_x.py::test_name`"
    (ref,) = parse(t, "evidence (tests)").refs
    assert ref.path == "tests/test_x.py"
    assert [s.name for s in ref.symbols] == ["test_name"]
    assert at(t, ref.symbols[0].span) == "test_name"


def test_labels_and_separators():
    t = "Rust: `a.rs` (`f`)<br>Python: `b.py` (`g`); `c.go`\n`d.ts`"
    refs = parse(t).refs
    assert [(r.label, r.path) for r in refs] == [
        ("Rust", "a.rs"),
        ("Python", "b.py"),
        (None, "c.go"),
        (None, "d.ts"),
    ]


def test_link_with_anchor():
    t = "[tick key](../../crates/core/src/lib.rs#L120) (`f`)"
    (ref,) = parse(t).refs
    assert ref.is_link and ref.path == "../../crates/core/src/lib.rs" and ref.link_base == "docs/parity"
    assert ref.line_start == 120 and at(t, ref.line_span) == "L120"
    assert [s.name for s in ref.symbols] == ["f"]


def test_urls_and_anchors_are_not_paths():
    assert parse("[docs](https://example.com/a.rs) [x](#section)").refs == []


def test_directory():
    (ref,) = parse("`crates/arco-flow/src/orchestration/events/`").refs
    assert ref.path == "crates/arco-flow/src/orchestration/events/"


def test_ci_reference_with_job_and_joined_commands():
    t = "`.github/workflows/ci.yml` (job `test`: `cargo test -p core --tests` + `cargo test -p x -- --skip a \\| b`)"
    (ref,) = parse(t, "evidence (ci)").refs
    assert ref.kind == RefKind.CI and ref.path == ".github/workflows/ci.yml"
    assert ref.job == "test" and at(t, ref.job_span) == "test"
    assert [c.text for c in ref.commands] == ["cargo test -p core --tests", "cargo test -p x -- --skip a | b"]
    assert at(t, ref.commands[1].span) == "cargo test -p x -- --skip a \\| b"


def test_ci_reference_forms():
    (r1,) = parse("`.github/workflows/ci.yml` (job build: `make test`)", "evidence (ci)").refs
    assert (r1.job, [c.text for c in r1.commands]) == ("build", ["make test"])
    (r2,) = parse("`.github/workflows/ci.yml` (`lint`: `cargo clippy`)", "evidence (ci)").refs
    assert (r2.job, [c.text for c in r2.commands]) == ("lint", ["cargo clippy"])
    (r3,) = parse("`.github/workflows/ci.yml` (arco-flow tests)", "evidence (ci)").refs
    assert r3.job is None and r3.commands == [] and r3.note == "arco-flow tests"


def test_command_without_workflow():
    (ref,) = parse("`cargo test -p core`", "evidence (ci)").refs
    assert ref.kind == RefKind.CI and ref.path == "" and ref.commands[0].text == "cargo test -p core"


@pytest.mark.parametrize(
    "text", ["", "TBD", "—", "-", "N/A", "Missing proof: no test yet", "**Missing proof**: later"]
)
def test_no_evidence_markers(text):
    ev = parse(text)
    assert ev.missing_marker


def test_missing_proof_still_parses_paths():
    ev = parse("Missing proof: `crates/a/tests/x.rs` not written")
    assert ev.missing_marker and [r.path for r in ev.refs] == ["crates/a/tests/x.rs"]


def test_bare_path_in_prose():
    t = "see crates/core/src/lib.rs:12 for more, and/or ask"
    (ref,) = parse(t).refs
    assert ref.path == "crates/core/src/lib.rs" and ref.line_start == 12
    assert at(t, ref.span) == "crates/core/src/lib.rs"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("src/a.rs", True),
        ("lib.rs", True),
        ("a/b", True),
        ("Type::method", False),
        ("cargo test -p x", False),
        ("src/{a,b}.rs", False),
        ("src/*.rs", False),
        ("https://x.y/a.rs", False),
        ("Vec<u8>", False),
        ("parse_row", False),
    ],
)
def test_path_candidates(text, expected):
    assert is_path_candidate(text) is expected


def test_unbalanced_backticks_and_parens_never_raise():
    for t in ["`a.rs", "`a.rs` (`f`", "((((", "`" * 500, "[a](b", "`x.rs` (job `t`: `", "\x00\x7f\u202e"]:
        parse(t)


def test_ci_reference_as_a_relative_link():
    t = "[.github/workflows/ci.yml](../../.github/workflows/ci.yml) (job `test`: `cargo test -p c2 --tests`)"
    (ref,) = parse(t, "evidence (ci)").refs
    assert ref.kind == RefKind.CI and ref.is_link and ref.path == "../../.github/workflows/ci.yml"
    assert ref.job == "test" and [c.text for c in ref.commands] == ["cargo test -p c2 --tests"]


def _growing_backtick_runs(size):
    """Runs of 2, 3, 4... backticks: no two alike, so none closes another."""
    parts, total, run = [], 0, 2
    while total < size:
        parts.append("`" * run + " x ")
        total += run + 3
        run += 1
    return "".join(parts)


PATHOLOGICAL = 200_000


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param("(" * PATHOLOGICAL, id="open parens"),
        pytest.param("[" * PATHOLOGICAL, id="open brackets"),
        pytest.param("[a](" * (PATHOLOGICAL // 4), id="link openers"),
        pytest.param(_growing_backtick_runs(PATHOLOGICAL), id="growing backtick runs"),
    ],
)
def test_a_200_kb_cell_of_unmatched_openers_parses(junk):
    """Each unmatched opener used to rescan to the end of the cell: O(n^2), minutes for 100 KB.
    (No timing here: the adversarial test in test_robust_resources.py bounds it in a subprocess.)"""
    ev = parse(junk)
    assert ev.refs == [] and not ev.missing_marker
    # a reference after the junk is still found whole
    t = junk + " `src/a.rs:3` (`f`)"
    (ref,) = parse(t).refs
    assert (ref.path, ref.line_start, [s.name for s in ref.symbols]) == ("src/a.rs", 3, ["f"])
    assert at(t, ref.full_span) == "`src/a.rs:3` (`f`)"


# --- the one-match shortcut for the common shapes answers as the general parser ---------------

from conftest import examples  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from parity_lsp.parse import evidence as evidence_module  # noqa: E402

_PATHS = st.sampled_from(
    [
        "crates/core/src/lib.rs",
        "src/a.py",
        "lib.rs",
        "README",
        "Makefile",
        "a/b",
        "docs/x.md",
        "ü/ñ.rs",
        ".github/workflows/ci.yml",
        "../../.github/workflows/ci.yaml",
        "../../crates/c1/src/mod_1.rs",
        "./x.go",
        "a-b/c_d.e.ts",
        "x.",
        ".rs",
        "crates/a/b.RS",
        "CalcTests/testAdd",  # a class and its member, not a path
        "TestRequeue/stale_worker",  # a Go subtest in a tests column
        "Tests/CalcTests",
    ]
)
_LOCATIONS = st.sampled_from(["", ":7", ":7-9", ":007", ":0"])
_ANCHORS = st.sampled_from(["", "#L7", "#L7-L9", "#L7-9", "#L0"])
_PARENS = st.sampled_from(
    [
        "",
        " (`parse_row`)",
        " (`Type::method`)",
        " (`run()`)",
        "(`tight`)",
        "  (`two_spaces`)",
        " (job `test`: `cargo test -p core --tests`)",
        " (job `a.b-c`: ` spaced  `)",
        " (job `t`: `a \\| b`)",
        " (job `t`: ``)",
        " (prose note)",
        " (`a` `b`)",
        " (`not a symbol!`)",
    ]
)


@settings(max_examples=examples(600), deadline=None)
@given(
    st.booleans(),
    _PATHS,
    _LOCATIONS,
    _ANCHORS,
    _PARENS,
    st.sampled_from(["evidence (code)", "evidence (ci)", "evidence (tests)"]),
)
@example(False, "crates/core/src/lib.rs", ":12", "", " (`tick_key`)", "evidence (code)")
@example(True, "../../crates/c1/src/mod_1.rs", "", "#L38", " (`verify_ledger`)", "evidence (code)")
@example(
    False, ".github/workflows/ci.yml", "", "", " (job `test`: `cargo test -p c4 --tests`)", "evidence (ci)"
)
def test_the_shortcut_finds_what_the_general_parser_finds(link, path, location, anchor, paren, column):
    text = f"[label]({path}{anchor}){paren}" if link else f"`{path}{location}`{paren}"
    shortcut = parse_evidence(text, OFFSET, "docs/parity/matrix.md", column)
    quick = evidence_module._parse_quick
    try:
        evidence_module._parse_quick = lambda *args: False
        general = parse_evidence(text, OFFSET, "docs/parity/matrix.md", column)
    finally:
        evidence_module._parse_quick = quick
    assert shortcut == general, text


def test_a_line_number_of_thousands_of_digits_is_past_the_end_and_the_cell_keeps_its_references():
    """`int()` refuses more than 4,300 digits: the whole cell was logged as not parsed and lost
    every reference (found by the adversarial growth family, which only timed it)."""
    for cell in ("`a.rs:" + "9" * 5000 + "` `b.rs`", "[x](src/a.rs#L" + "9" * 5000 + ") `b.rs`"):
        found = parse_evidence(cell, 0, "docs/m.md", "code").refs
        assert [r.path for r in found] == [found[0].path, "b.rs"] and found[0].path.endswith("a.rs")
        assert found[0].line_start is not None and found[0].line_start > 10**17
