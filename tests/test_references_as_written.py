"""References as teams write them (issue 17 item 5; docs/spec/evidence.md#references-as-teams-write-them): the parser's grammar — lists,
full-width separators, placeholders, names after a file and a colon, bare names, globs,
commands — with its negatives (prose is never a name), the rules on them (PM301 by base name,
PM303/PM305 on bare names, PM309, PM310, PM404) in tiny workspaces, and a fuzz of the new forms
(never a crash, every span inside its cell)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rulekit import workspace

from parity_lsp.engine import check_paths
from parity_lsp.model import RefKind
from parity_lsp.parse.evidence import parse_evidence
from parity_lsp.workspace.index import Workspace


def refs(text: str, role: str = "tests"):
    return [
        (
            r.kind.value,
            r.path or r.pattern or (r.commands[0].text if r.commands else ""),
            [text[s.span.start : s.span.end] for s in r.symbols],
        )
        for r in parse_evidence(text, 0, "docs/m.md", role).refs
    ]


def test_lists_with_commas_full_width_separators_and_names_after_a_file():
    assert refs("`x_test.go`: `TestA`, `TestB`; `y_test.go`: `TestC`") == [
        ("path", "x_test.go", ["TestA", "TestB"]),
        ("path", "y_test.go", ["TestC"]),
    ]
    assert refs("x_test.go: TestA、TestB； y_test.go： TestC") == [
        ("path", "x_test.go", ["TestA", "TestB"]),
        ("path", "y_test.go", ["TestC"]),
    ]
    assert refs("test_parse_row，`CalcTests.testAdd` + CalcTests/testSub") == [
        ("name", "", ["test_parse_row"]),
        ("name", "", ["CalcTests.testAdd"]),
        ("name", "", ["CalcTests/testSub"]),
    ]


def test_placeholders_are_no_evidence_never_a_path_or_a_name():
    for cell in ("Gap", "N/A", "`N/A`", "-", "—", "TBD", "none", "`n/a`, —"):
        assert refs(cell) == [], cell
        assert refs(cell, "code") == [], cell


def test_prose_in_a_tests_cell_is_not_test_names():
    for cell in (
        "covered by the snapshot suite",
        "tested on macOS and iPhone with Node.js",
        "see e.g. the integration suite",
        "`crates/core/src/lib.rs`: handles retries and backoff",
    ):
        assert [r for r in refs(cell) if r[0] == "name"] == [], cell
    # found trying a repository not written for these tests: a pattern of test names, a CI
    # job's name in a code span, a crate, a word ending in "it"
    for cell in ("unit tests: test_rate_limit_*", "CI job `audit`", "hashing via `bcrypt`", "see `audit`"):
        assert [r for r in refs(cell, "evidence") if r[0] == "name"] == [], cell
        assert [r for r in refs(cell, "tests") if r[0] == "name"] == [], cell
    # a code column's bare words are prose; its code spans may name symbols
    assert refs("parse_row handles it", "code") == []
    assert refs("`parse_row`, `Type::{A, B}`", "code") == [
        ("name", "", ["parse_row"]),
        ("name", "", ["A", "B"]),
    ]


def test_globs_and_commands_in_code_spans():
    assert refs("`crates/*/Cargo.toml`, `make ffi-example`, `cargo xtask parity`, `npm run e2e`", "code") == [
        ("glob", "crates/*/Cargo.toml", []),
        ("command", "make ffi-example", []),
        ("command", "cargo xtask parity", []),
        ("command", "npm run e2e", []),
    ]


SWIFT_TESTS = "import XCTest\n\nfinal class CalcTests: XCTestCase {\n    func testAdd() {}\n    func testSubtractsNegative() {}\n}\n"


def _check(root, matrix="docs/FEATURES.md"):
    ws = Workspace(root)
    result = check_paths(ws, [matrix])
    return [(f.code, f.message) for f in result.findings]


def _repo(tmp_path, rows: str, extra: dict[str, str] | None = None):
    files = {
        "Tests/CalcTests/CalcTests.swift": SWIFT_TESTS,
        "docs/FEATURES.md": "| Feature | Status | Tests |\n|---|---|---|\n" + rows,
        **(extra or {}),
    }
    return workspace(tmp_path, files, dedent=False)


def test_bare_names_resolve_against_the_workspace_definitions(tmp_path):
    root = _repo(
        tmp_path,
        "| A | ✅ | testAdd, `CalcTests.testSubtractsNegative`, CalcTests/testAdd, CalcTests.swift |\n"
        "| B | ✅ | testSubtractsNegativ |\n",
    )
    assert _check(root) == [
        ("PM201", "`✅` row has no proving test that resolves (every cited test is missing)"),
        (
            "PM305",
            "test `testSubtractsNegativ` is not defined in the workspace (did you mean `testSubtractsNegative`?)",
        ),
    ]


def test_a_name_only_in_a_file_of_a_language_not_understood_is_an_info_not_defined_nowhere(tmp_path):
    root = _repo(
        tmp_path, "| A | ✅ | test_scala_thing |\n", {"src/Thing.scala": "def test_scala_thing() = ()\n"}
    )
    assert _check(root) == [
        (
            "PM305",
            "`test_scala_thing` found only by word search in `src/Thing.scala`: this language is not understood",
        )
    ]


def test_bare_file_names_one_match_resolves_several_are_ambiguous_none_is_missing(tmp_path):
    root = _repo(
        tmp_path,
        "| A | ✅ | `CalcTests.swift` (`testAdd`) |\n| B | ✅ | `Twice.swift` |\n| C | ✅ | `Gone.swift` |\n",
        {"a/Twice.swift": "", "b/Twice.swift": ""},
    )
    found = _check(root)
    assert [c for c, _ in found] == ["PM309", "PM201", "PM301"]
    assert (
        "`Twice.swift` is ambiguous: 2 files have that name (`a/Twice.swift`, `b/Twice.swift`)" in found[0][1]
    )


def test_globs_must_match_and_commands_must_name_a_target_alias_or_script(tmp_path):
    root = _repo(
        tmp_path,
        "| A | 🟡 | `Tests/*/CalcTests.swift`, `Sources/*/Nope.swift` |\n"
        "| B | 🟡 | `make demo`, `make test`, `cargo xtask parity`, `cargo nextest run`, `npm run e2e`, `npm test` |\n",
        {
            "Makefile": "test:\n\tswift test\n",
            ".cargo/config.toml": '[alias]\nxtask = "run -p xtask --"\n',
            "package.json": '{"scripts": {"test": "jest"}}\n',
        },
    )
    assert _check(root) == [
        ("PM310", "glob `Sources/*/Nope.swift` matches no file or directory"),
        ("PM404", "`Makefile` has no target `demo`"),
        ("PM404", "`package.json` has no script `e2e`"),
    ]


def test_a_missing_cargo_alias(tmp_path):
    root = _repo(tmp_path, "| A | 🟡 | `cargo xtask parity` |\n")
    assert _check(root) == [
        (
            "PM404",
            "`cargo xtask` is not a cargo subcommand and no `.cargo/config.toml` defines the alias `xtask`",
        )
    ]


PIECES = [
    "`", "``", " ", ",", "，", "、", "；", "；", ";", "+", "<br>", "\n", ":", "：", "Gap", "N/A", "-", "—", "TBD",
    "none", "test_a", "CalcTests", ".", "/", "::", "testAdd", "Type::{A, B}", "{", "}", "*", "?", "[a]",
    "crates/*/Cargo.toml", "make x", "cargo xtask", "npm run e2e", "x_test.go", "Foo.swift", "(", ")",
    "✅", "🟡", "⬜", "é", "\\|", "()",
]  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.sampled_from(["code", "tests", "ci", "evidence"]),
)
def test_fuzz_the_new_reference_forms_never_crash_and_spans_stay_in_the_cell(text, role):
    offset = 7
    ev = parse_evidence(text, offset, "docs/m.md", role)
    end = offset + len(text)
    for r in ev.refs:
        spans = [r.span, r.full_span, *(s.span for s in r.symbols), *(c.span for c in r.commands)]
        for s in spans:
            assert offset <= s.start <= s.end <= end, (text, r)
        if r.kind in (RefKind.NAME, RefKind.GLOB, RefKind.COMMAND):
            assert r.path == ""


def test_hover_and_go_to_definition_on_the_new_reference_forms(tmp_path):
    from parity_lsp.engine import parse_matrix
    from parity_lsp.features.hover import hover
    from parity_lsp.features.navigate import definition

    rows = (
        "| A | ✅ | testAdd, CalcTests.swift, `Twice.swift` |\n"
        "| B | 🟡 | `Tests/*/CalcTests.swift`, `make test` |\n"
    )
    root = _repo(
        tmp_path,
        rows,
        {"a/Twice.swift": "", "b/Twice.swift": "", "Makefile": "x:\n\ty\ntest:\n\tswift test\n"},
    )
    ws = Workspace(root)
    text = (root / "docs/FEATURES.md").read_text(encoding="utf-8")
    matrix = parse_matrix("docs/FEATURES.md", text)

    def at(needle: str) -> int:
        return text.index(needle) + 2

    swift = "Tests/CalcTests/CalcTests.swift"
    # a bare test name: its definition, wherever it is
    assert [(t.path, t.line) for t in definition(ws, matrix, at("testAdd"))] == [(swift, 3)]
    assert f"`{swift}`: `CalcTests::testAdd` — " in hover(ws, matrix, at("testAdd")).markdown
    # a bare file name: the one file of that name; an ambiguous one: every candidate
    assert [t.path for t in definition(ws, matrix, at("CalcTests.swift"))] == [swift]
    assert f"resolves by its base name to `{swift}`" in hover(ws, matrix, at("CalcTests.swift")).markdown
    assert [t.path for t in definition(ws, matrix, at("Twice.swift"))] == ["a/Twice.swift", "b/Twice.swift"]
    assert "2 files have that name (PM309)" in hover(ws, matrix, at("Twice.swift")).markdown
    # a glob: the files it matches; a command: the Makefile target
    assert [t.path for t in definition(ws, matrix, at("Tests/*"))] == [swift]
    assert "matches 1 file: `Tests/CalcTests/CalcTests.swift`" in hover(ws, matrix, at("Tests/*")).markdown
    assert [(t.path, t.line) for t in definition(ws, matrix, at("make test"))] == [("Makefile", 2)]
    assert "make target `test` — `Makefile` line 3" in hover(ws, matrix, at("make test")).markdown


def test_the_editor_checks_again_the_rows_citing_a_bare_name_when_a_file_containing_it_changes(tmp_path):
    """The definitions index is incremental: a changed, created or deleted file re-checks only
    the rows whose bare names (or bare file names, globs) it concerns, and the findings are a
    full check's."""
    from parity_lsp.analysis import Analysis

    rows = "".join(f"| Row {i} | 🟡 | `FormatTests.testFormats` |\n" for i in range(6))
    rows += "| Sub | ✅ | testSubtracts, `Gone.swift` |\n"
    root = _repo(
        tmp_path,
        rows,
        {
            "Tests/CalcTests/FormatTests.swift": "final class FormatTests: XCTestCase {\n    func testFormats() {}\n}\n"
        },
    )
    (root / ".parity-lsp.toml").write_text('include = ["docs/*.md"]\n')
    analysis = Analysis(root)
    matrix = "docs/FEATURES.md"
    analysis.check(matrix)
    assert {f.code for f in analysis.findings(matrix)} == {"PM201", "PM301", "PM305"}
    swift = root / "Tests/CalcTests/CalcTests.swift"
    # the test is written: only the row citing it by its bare name is checked again
    swift.write_text(SWIFT_TESTS.replace("func testAdd()", "func testSubtracts() {}\n    func testAdd()"))
    assert analysis.file_changed("Tests/CalcTests/CalcTests.swift", False) == [matrix]
    state = analysis.check(matrix)
    assert state.full_checks == 1 and state.row_checks == 1
    assert {f.code for f in analysis.findings(matrix)} == {"PM301"}
    # a file named as the bare file name appears elsewhere: the row citing it, only
    (root / "Sources").mkdir()
    (root / "Sources/Gone.swift").write_text("struct Gone {}\n")
    analysis.file_changed("Sources/Gone.swift", True)
    state = analysis.check(matrix)
    assert state.full_checks == 1 and state.row_checks == 2
    assert analysis.findings(matrix) == [] == _check(root, matrix)


CELL_PIECES = [
    *PIECES,
    "`Tests/*/CalcTests.swift`",
    "`make test`",
    "`npm run e2e`",
    "testAdd",
    "CalcTests.swift",
]
HEADERS = ["Feature", "Status", "Tests", "Covered By", "Evidence", "Code", "CI", "Notes", "✅", "Proof"]


@settings(deadline=None, max_examples=40)
@given(
    st.lists(st.sampled_from(HEADERS), min_size=2, max_size=8),
    st.lists(
        st.lists(st.lists(st.sampled_from(CELL_PIECES), max_size=8).map("".join), min_size=1, max_size=8),
        max_size=5,
    ),
    st.lists(st.sampled_from(["✅", "🟡", "⬜", "✅✅", "🟢🔴", "❌", "done", ""]), min_size=1, max_size=5),
)
def test_fuzz_the_rules_on_the_new_forms_in_any_shape(tmp_path_factory, header, rows, statuses):
    """Random headers (roles inferred), statuses made of emoji, cells of the new reference
    forms: the engine never fails (no PM000) and every finding lies inside the matrix."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, cells in enumerate(rows):
        cells = (cells + [""] * len(header))[: len(header)]
        if "Status" in header:
            cells[header.index("Status")] = statuses[i % len(statuses)]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    text = "\n".join(lines) + "\n"
    root = workspace(
        tmp_path_factory.mktemp("fuzz"),
        {
            "Tests/CalcTests/CalcTests.swift": SWIFT_TESTS,
            "Makefile": "test:\n\tswift test\n",
            "package.json": "{}",
            "docs/FEATURES.md": text,
        },
        dedent=False,
    )
    result = check_paths(Workspace(root), ["docs/FEATURES.md"])
    for f in result.findings:
        assert f.code != "PM000", f.message
        assert 0 <= f.span.start <= f.span.end <= len(text)


def test_a_test_cited_by_its_bare_name_is_judged_for_ci_gating_and_being_disabled(tmp_path):
    """PM203 and PM308 follow a bare test name to the one file defining it."""
    root = workspace(
        tmp_path,
        {
            "Cargo.toml": '[workspace]\nmembers = ["crates/a", "crates/b"]\n',
            "crates/a/Cargo.toml": '[package]\nname = "a"\nversion = "0.1.0"\n',
            "crates/a/src/lib.rs": "",
            "crates/a/tests/t.rs": "#[test]\nfn runs_in_ci() {}\n\n#[test]\n#[ignore]\nfn flaky_one() {}\n",
            "crates/b/Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\n',
            "crates/b/src/lib.rs": "",
            "crates/b/tests/t.rs": "#[test]\nfn excluded_from_ci() {}\n",
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: cargo test --workspace --exclude b\n"
            ),
            "docs/parity/plan.md": (
                "| Feature | Status | Tests | CI |\n|---|---|---|---|\n"
                "| A | done | runs_in_ci | `.github/workflows/ci.yml` (job `test`: `cargo test --workspace --exclude b`) |\n"
                "| B | done | excluded_from_ci | `.github/workflows/ci.yml` (job `test`: `cargo test --workspace --exclude b`) |\n"
                "| C | done | runs_in_ci, flaky_one | `.github/workflows/ci.yml` (job `test`: `cargo test --workspace --exclude b`) |\n"
            ),
        },
        dedent=False,
    )
    found = _check(root, "docs/parity/plan.md")
    assert [c for c, _ in found] == ["PM203", "PM308"]
    assert "`excluded_from_ci`" in found[0][1]
    assert found[1][1].startswith("test `flaky_one` is disabled (#[ignore])")


def test_a_workspace_with_its_name_index_is_freed_by_reference_counting(tmp_path):
    """No reference cycle (ARCHITECTURE "No reference cycles"): the server keeps the cyclic
    GC off long-lived objects, so a replaced workspace must go when its last reference does."""
    import gc
    import weakref

    from parity_lsp.workspace.index import find_name

    root = workspace(tmp_path, {"tests/test_a.py": "def test_one():\n    pass\n"})
    ws = Workspace(root)
    assert [f for f, _ in find_name(ws, "test_one").defined] == ["tests/test_a.py"]
    gone = weakref.ref(ws)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del ws
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_completion_of_the_names_listed_after_a_file_and_a_colon(tmp_path):
    from parity_lsp.features.completion import complete

    root = _repo(tmp_path, "| A | ✅ | x |\n")
    text = "| Feature | Status | Tests |\n|---|---|---|\n| A | ✅ | `CalcTests.swift`: `testAdd`, `te |\n"
    offset = text.index("`te |") + 3
    labels = [c.label for c in complete(Workspace(root), "docs/FEATURES.md", text, offset)]
    assert labels[:2] == ["CalcTests.testAdd", "CalcTests.testSubtractsNegative"]
    # the first name after the colon too, and with a full-width colon
    text2 = text.replace(": `testAdd`, `te", "： `te")
    labels = [c.label for c in complete(Workspace(root), "docs/FEATURES.md", text2, text2.index("`te |") + 3)]
    assert "CalcTests.testAdd" in labels


def test_a_parenthesis_after_a_bare_path_is_read_as_after_a_code_span():
    """`dir/file.ext (...)` without backticks: the symbols, or the CI job and command, in the
    parenthesis belong to the path (found trying a CSV matrix written without code spans: PM202
    asked for the job the cell had, and a misspelled test went unnoticed)."""
    ci = parse_evidence(
        ".github/workflows/ci.yml (job `test`: `pytest tests/test_a.py`)", 0, "m.md", "ci"
    ).refs
    assert [(r.kind.value, r.path, r.job, [c.text for c in r.commands]) for r in ci] == [
        ("ci", ".github/workflows/ci.yml", "test", ["pytest tests/test_a.py"])
    ]
    assert refs("tests/test_a.py (test_totals, test_discount)") == [
        ("path", "tests/test_a.py", ["test_totals", "test_discount"])
    ]
    assert refs("src/a.rs (`Type::{A, B}`)", "code") == [("path", "src/a.rs", ["A", "B"])]
    assert refs("CalcTests.swift (testAdd)") == [("path", "CalcTests.swift", ["testAdd"])]
    # a parenthesis of prose stays a note; one not right after the path is not the path's
    assert refs("src/a.rs (old version)", "code") == [("path", "src/a.rs", [])]
    assert refs("src/a.rs and more (test_x)", "code") == [("path", "src/a.rs", [])]


def test_a_csv_written_without_code_spans_is_checked_like_one_with_them(tmp_path):
    root = workspace(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: pytest tests/test_invoice.py\n",
            "tests/test_invoice.py": "def test_totals():\n    pass\n\ndef test_discount():\n    pass\n",
            "src/invoice.py": "def total():\n    return 1\n",
            "docs/parity/invoice-parity.csv": (
                "Capability,Status,Evidence (Code),Evidence (Tests),Evidence (CI)\n"
                "Totals,Implemented,src/invoice.py (total),tests/test_invoice.py (test_totals),"
                ".github/workflows/ci.yml (job `test`: `pytest tests/test_invoice.py`)\n"
                "Discounts,Implemented,src/invoice.py (total),tests/test_invoice.py (test_discounts),"
                ".github/workflows/ci.yml (job `test`: `pytest tests/test_invoice.py`)\n"
            ),
        },
    )
    found = [(f.code, f.message) for f in check_paths(Workspace(root)).findings if f.code != "PM001"]
    assert found == [
        ("PM201", "Implemented row has no proving test that resolves (every cited test is missing)"),
        (
            "PM305",
            "test `test_discounts` is not defined in `tests/test_invoice.py` (did you mean `test_discount`?)",
        ),
    ]


def test_a_test_command_after_a_test_file_says_how_its_tests_run_not_which_test():
    # found trying a TypeScript repository: `e2e/editor.spec.ts` (`npm run test:e2e`) was read
    # as a test named `npm run test:e2e`: PM305 "not defined" and PM201 on a correct row
    assert refs("`e2e/editor.spec.ts` (`npm run test:e2e`)") == [
        ("path", "e2e/editor.spec.ts", []),
        ("command", "npm run test:e2e", []),
    ]
    for command in ("pytest -k smoke", "go test ./...", "./gradlew test", "python -m pytest"):
        assert refs(f"tests/x_test.py (`{command}`)") == [("path", "tests/x_test.py", [])], command
    assert refs("tests/x_test.py (`make e2e`)") == [
        ("path", "tests/x_test.py", []),
        ("command", "make e2e", []),
    ]
    # titles that start with a runner's word stay test names
    for title in ("make a payment", "go to checkout", "swift scrolling", "npm"):
        assert refs(f"`e2e/app.spec.ts` (`{title}`)") == [("path", "e2e/app.spec.ts", [title])], title


def test_a_test_file_cited_with_its_command_is_proof_and_the_command_is_checked(tmp_path):
    root = _repo(
        tmp_path,
        "| A | ✅ | `Tests/CalcTests/CalcTests.swift` (`npm run test:e2e`) |\n"
        "| B | ✅ | `Tests/CalcTests/CalcTests.swift` (`npm run e2e`) |\n",
        {"package.json": '{"scripts": {"test:e2e": "playwright test"}}\n'},
    )
    assert _check(root) == [("PM404", "`package.json` has no script `e2e`")]


GO_TESTS = """package queue

import "testing"

func TestPushPop(t *testing.T) {}

func TestRequeue(t *testing.T) {
	t.Run("stale worker", func(t *testing.T) {})
}
"""


def test_a_name_after_a_source_file_and_one_colon_is_a_name_in_that_file():
    # found trying a Go repository: `queue_test.go:TestPushPop` was a path that does not exist
    assert refs("`pkg/queue_test.go:TestPushPop`, pkg/a.py:Class.method") == [
        ("path", "pkg/queue_test.go", ["TestPushPop"]),
        ("path", "pkg/a.py", ["Class.method"]),
    ]
    # a line stays a line; a document's heading and `L120` are not names
    assert refs("`src/lib.rs:120`, `src/lib.rs:L120`, `docs/a.md:Intro`") == [
        ("path", "src/lib.rs", []),
        ("path", "src/lib.rs:L120", []),
        ("path", "docs/a.md:Intro", []),
    ]


def test_a_go_subtest_names_its_test_function():
    # `go test -run` names a subtest `TestRequeue/stale_worker`: was a path that does not exist
    assert refs("`TestRequeue/stale_worker`, TestPushPop/empty") == [
        ("name", "", ["TestRequeue"]),
        ("name", "", ["TestPushPop"]),
    ]
    # Go's rule for a test name (`Test`, then no lower-case letter) keeps directories paths
    assert refs("`Tests/CalcTests`, `Testing/x`") == [
        ("path", "Tests/CalcTests", []),
        ("path", "Testing/x", []),
    ]
    # in a code column it reads as `Class/member` does (docs/spec/evidence.md: class, then member)
    assert refs("`TestRequeue/stale_worker`", "code") == [("name", "", ["TestRequeue/stale_worker"])]


def test_go_names_written_as_go_test_prints_them_resolve_and_a_misspelling_is_found(tmp_path):
    root = _repo(
        tmp_path,
        "| A | ✅ | `pkg/queue/queue_test.go:TestPushPop` |\n"
        "| B | ✅ | `TestRequeue/stale_worker` |\n"
        "| C | ✅ | `pkg/queue/queue_test.go:TestPushPopp` |\n"
        "| D | ✅ | `TestRequeu/stale_worker` |\n",
        {"pkg/queue/queue_test.go": GO_TESTS},
    )
    assert [(code, message.split(" (")[0]) for code, message in _check(root)] == [
        ("PM201", "`✅` row has no proving test that resolves"),
        ("PM305", "test `TestPushPopp` is not defined in `pkg/queue/queue_test.go`"),
        ("PM201", "`✅` row has no proving test that resolves"),
        ("PM305", "test `TestRequeu` is not defined in the workspace"),
    ]


def test_a_fragment_after_a_file_is_a_heading_or_a_member_never_part_of_the_path(tmp_path):
    # found trying a repository: `[design](../a.md#intro)` and `CartTest.java#addsItems` were
    # paths that do not exist (PM301 on a link that works on GitHub)
    assert refs("[design](docs/a.md#intro), `src/CartTest.java#addsItems`, `src/a.rs#L10`") == [
        ("path", "docs/a.md", []),
        ("path", "src/CartTest.java", ["addsItems"]),
        ("path", "src/a.rs", []),
    ]
    assert refs("`src/C#/x.cs`") == [("path", "src/C#/x.cs", [])]  # a `#` in a directory's name
    root = _repo(
        tmp_path,
        "| A | ✅ | `src/CartTest.java#addsItems` ([design](../guide.md#intro)) |\n"
        "| B | ✅ | `src/CartTest.java#addsItem` |\n",
        {
            "src/CartTest.java": "class CartTest {\n  @Test void addsItems() {}\n}\n",
            "guide.md": "# Guide\n## Intro\n",
        },
    )
    assert [(code, message.split(" (")[0]) for code, message in _check(root)] == [
        ("PM201", "`✅` row has no proving test that resolves"),
        ("PM305", "test `addsItem` is not defined in `src/CartTest.java`"),
    ]


def test_a_csv_with_capability_status_code_tests_ci_columns_is_checked_by_its_roles(tmp_path):
    # found trying a Python repository: the CSV below got only PM001 and PM101 (`done`), none of
    # its real defects; a bare pytest node id lost its test name (a skipped test passed)
    root = workspace(
        tmp_path,
        {
            "src/ledger/core.py": "def reconcile(a, b):\n    return a == b\n",
            "tests/test_core.py": (
                "import pytest\n\n\nclass TestLedger:\n    @pytest.mark.skip(reason='later')\n"
                "    def test_balance(self):\n        pass\n\n\ndef test_reconcile():\n    pass\n"
            ),
            "docs/parity.csv": (
                "Area,Capability,Status,Code,Tests,Notes\n"
                "Recon,Reconcile,done,src/ledger/core.py (reconcile),tests/test_core.py::test_reconcile,\n"
                "Posting,Balance,done,src/ledger/core.py,tests/test_core.py::TestLedger::test_balance,\n"
                "Posting,Undo,done,src/ledger/core.py,tests/test_core.py::test_undo,\n"
                "Export,CSV export,not started,,,\n"
            ),
        },
        dedent=False,
    )
    assert [(code, message.split(" (")[0]) for code, message in _check(root, "docs/parity.csv")] == [
        ("PM308", "test `TestLedger::test_balance` is disabled"),
        ("PM201", "`done` row has no proving test that resolves"),
        ("PM305", "test `test_undo` is not defined in `tests/test_core.py`"),
    ]


def test_a_downgrade_writes_the_tables_own_word_in_its_own_case(tmp_path):
    # found trying a C# repository: a table of `Done` / `In progress` was offered `in progress`
    root = workspace(
        tmp_path,
        {
            "docs/FEATURES.md": (
                "| Feature | Status | Tests |\n|---|---|---|\n| A | Done | |\n| B | In progress | |\n"
                "| C | done | |\n"
            ),
        },
        dedent=False,
    )
    result = check_paths(Workspace(root), ["docs/FEATURES.md"])
    fixes = [f.fix.message for f in result.findings if f.code == "PM201" and f.fix is not None]
    assert fixes == ["Downgrade to `In progress`", "Downgrade to `in progress`"]


def test_a_workflow_cited_by_its_file_name_alone_is_told_where_workflows_live(tmp_path):
    # found trying a Rust repository: `rust.yml` → `test` was told "names a command but no
    # workflow file and job"
    root = workspace(
        tmp_path,
        {
            ".github/workflows/rust.yml": "on: push\njobs:\n  test:\n    steps:\n      - run: cargo test\n",
            "docs/FEATURES.md": "| Feature | Status | Tests | CI |\n|---|---|---|---|\n| A | ✅ | | `rust.yml` → `test` |\n",
        },
        dedent=False,
    )
    assert (
        "PM202",
        "`rust.yml` is not a workflow path: cite `.github/workflows/rust.yml` (job `ID`: `COMMAND`)",
    ) in _check(root)


KOTLIN_TESTS = """package shop

class CartTest {
    @Test
    fun `empty cart totals zero`() {}

    @Test
    fun addsItems() {}

    @Nested
    inner class Checkout {
        @Test
        fun `charges the card`() {}
    }
}
"""


def test_a_test_class_and_member_as_junit_and_kotlin_write_them():
    # found trying a Kotlin repository: `CartTest#addsItems` and `CartTest.empty cart totals
    # zero` were "no proving test" on rows that cite one
    assert refs("`CartTest#addsItems`, CartTest#addsItems(), `shop.CartTest.empty cart totals zero`") == [
        ("name", "", ["CartTest#addsItems"]),
        ("name", "", ["CartTest#addsItems"]),  # the bare word ends at `(`
        ("name", "", ["shop.CartTest.empty cart totals zero"]),
    ]
    # a class that does not say it holds tests, prose, and other columns: not names
    assert refs("`Cart.total is right`, `see #12`") == []
    assert refs("`CartTest#addsItems`", "code") == []


def test_junit_and_kotlin_test_names_resolve_and_a_misspelling_is_found(tmp_path):
    root = _repo(
        tmp_path,
        "| A | ✅ | `CartTest#addsItems`, `CartTest.Checkout.charges the card` |\n"
        "| B | ✅ | `CartTest.empty cart totals zero` |\n"
        "| C | ✅ | `CartTest.empty cart totals zer` |\n",
        {"src/test/kotlin/shop/CartTest.kt": KOTLIN_TESTS},
    )
    assert [(code, message.split(" (")[0]) for code, message in _check(root)] == [
        ("PM201", "`✅` row has no proving test that resolves"),
        ("PM305", "test `CartTest.empty cart totals zer` is not defined in the workspace"),
    ]


def test_a_word_that_says_tests_is_not_a_test_name():
    # found trying a Python repository: "CI: ci.yaml job `tests` runs ..." in a mixed evidence
    # column was PM305 "test `tests` is not defined"
    for word in ("tests", "test", "spec", "Tests", "testing"):
        assert refs(f"job `{word}` runs `pytest`", "evidence") == [], word
    assert refs("`test_post`, `testAdd`", "evidence") == [
        ("name", "", ["test_post"]),
        ("name", "", ["testAdd"]),
    ]


def test_a_shipped_row_citing_its_test_by_url_is_told_urls_are_not_followed(tmp_path):
    # found trying a Go repository: "cites no proving test" on a row that links its test on GitHub
    root = _repo(tmp_path, "| A | ✅ | [test](https://github.com/acme/q/blob/main/x_test.go#L5) |\n")
    message = (
        "`✅` row cites no proving test in `Tests` (a URL is not followed: cite the test's file in this "
    )
    assert _check(root) == [("PM201", message + "repository as a path)")]
    # a mixed evidence column (a pull request as the only evidence) is told the same
    (root / "docs/FEATURES.md").write_text(
        "| Feature | Status | Evidence |\n|---|---|---|\n| A | ✅ | https://github.com/acme/q/pull/45 |\n"
    )
    [(code, said)] = _check(root)
    assert code == "PM201" and said.endswith(
        "(a URL is not followed: cite the file in this repository as a path)"
    )


def test_a_class_slash_member_in_a_code_span_is_a_name_not_a_path(tmp_path):
    # found trying a Swift package: `ParserTests/testEmptyInput` (as XCTest names a test) in a
    # code span was a path that does not exist; written bare it was already a name
    assert refs("`CalcTests/testAdd`") == [("name", "", ["CalcTests/testAdd"])]
    assert refs("`Tests/CalcTests`, `Sources/CalcKit/Calc.swift`") == [
        ("path", "Tests/CalcTests", []),
        ("path", "Sources/CalcKit/Calc.swift", []),
    ]
    root = _repo(tmp_path, "| A | ✅ | `CalcTests/testAdd` |\n| B | ✅ | `CalcTests/testAddd` |\n")
    assert [(code, message.split(" (")[0]) for code, message in _check(root)] == [
        ("PM201", "`✅` row has no proving test that resolves"),
        ("PM305", "test `CalcTests/testAddd` is not defined in the workspace"),
    ]


def test_a_misspelled_bare_test_name_is_offered_the_test_beside_the_cited_code(tmp_path):
    # found trying a Go repository: `TestPushPopp` had no "did you mean" (the row cites
    # `queue.go`; the test is in `queue_test.go` beside it)
    root = _repo(
        tmp_path,
        "| A | ✅ | `TestPushPopp` |\n",
        {"pkg/queue/queue_test.go": GO_TESTS, "pkg/queue/queue.go": "package queue\n\nfunc Push() {}\n"},
    )
    text = (root / "docs/FEATURES.md").read_text()
    (root / "docs/FEATURES.md").write_text(
        text.replace(
            "| Feature | Status | Tests |\n|---|---|---|",
            "| Feature | Status | Code | Tests |\n|---|---|---|---|",
        ).replace("| A | ✅ |", "| A | ✅ | `pkg/queue/queue.go` (`Push`) |")
    )
    messages = [message for code, message in _check(root) if code == "PM305"]
    assert messages == ["test `TestPushPopp` is not defined in the workspace (did you mean `TestPushPop`?)"]
