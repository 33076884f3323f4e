"""Completion engine (`parity_lsp.features.completion`) on real temp workspaces: concrete labels,
insert texts and replace ranges for every column, half-typed rows included."""

from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from lspkit import HEADER, write_tree

from parity_lsp.config import Config
from parity_lsp.engine import parse_matrix
from parity_lsp.features.completion import complete
from parity_lsp.features.hover import hover
from parity_lsp.workspace.index import Workspace
from parity_lsp.workspace.tree import FileTree

MATRIX = "docs/parity/m.md"
LIB_RS = """\
/// Tick key.
pub fn tick_key(n: u64) -> String {
    format!("{n}")
}

pub struct Sched {
    pub every: u32,
}

impl Sched {
    pub fn next(&self) -> u32 {
        self.every
    }
}
"""
TICKS_RS = """\
fn helper() {}

#[test]
fn tick_key_is_stable() {}

#[test]
#[ignore]
fn slow_one() {}
"""
TEST_A_PY = """\
import pytest


class TestK:
    def test_m(self):
        pass


def test_a():
    pass
"""
CI_YML = """\
name: CI
on: push
jobs:
  test:
    name: Unit tests
    runs-on: ubuntu-latest
    steps:
      - name: Rust
        run: cargo test -p core --tests
      - run: |
          pytest tests/unit | tee out.txt
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: cargo clippy
"""
EXCEPTIONS = "# Exceptions\n\n| ID | What |\n|---|---|\n| EX-01 | No multi-tenancy |\n| EX-02 | No UI |\n"
OTHER = (
    HEADER
    + "| One | x | Planned | unit | — | — | — | @core | |\n"
    + "| Two | x | Planned | unit | — | — | — | @core | |\n"
    + "| Three | x | Planned | unit | — | — | — | @infra | |\n"
    + "| Four | x | Planned | unit | — | — | — | TBD | |\n"
)


@pytest.fixture
def ws(tmp_path) -> Workspace:
    write_tree(
        tmp_path,
        {
            "crates/core/src/lib.rs": LIB_RS,
            "crates/core/tests/ticks.rs": TICKS_RS,
            "src/app.py": "def main():\n    pass\n",
            "src/a|b.rs": "pub fn piped() {}\n",
            "tests/unit/test_a.py": TEST_A_PY,
            "web/suite.test.ts": 'describe("ui", () => {\n  it("renders a | b", () => {});\n});\n',
            "build/generated.rs": "pub fn gen() {}\n",
            ".gitignore": "build/\n",
            ".github/workflows/ci.yml": CI_YML,
            ".github/workflows/release.yaml": "on: push\njobs:\n  ship:\n    runs-on: x\n    steps:\n      - run: echo\n",
            "docs/audits/arco-exceptions.md": EXCEPTIONS,
            "docs/parity/other.md": OTHER,
            MATRIX: HEADER,
        },
    )
    return Workspace(tmp_path)


def at(text: str) -> tuple[str, int]:
    """Text with one `^` marking the cursor → (text without it, cursor offset)."""
    cursor = text.index("^")
    return text[:cursor] + text[cursor + 1 :], cursor


def run(ws: Workspace, text: str, rel: str = MATRIX, matrices=()):
    text, cursor = at(text)
    items = complete(ws, rel, text, cursor, matrices)
    return items, text, cursor


def replaced(item, text: str) -> str:
    return text[item.replace_span.start : item.replace_span.end]


def labels(items) -> list[str]:
    return [c.label for c in items]


def in_order(items) -> list[str]:
    return [c.label for c in sorted(items, key=lambda c: c.sort_text)]


ROW = "| Ticks | Events | Implemented | unit | "


# --- Status and proof level ---------------------------------------------------------------------


def test_status_values_with_meaning_replace_the_typed_value(ws):
    items, text, cursor = run(ws, HEADER + "| Ticks | Events | Impl^ |\n")
    assert in_order(items) == ["Implemented", "Partial", "Designed", "Planned", "Exception"]
    item = items[0]
    assert item.insert_text == "Implemented" and item.kind == "enum_member"
    assert replaced(item, text) == "Impl" and item.replace_span.end == cursor
    assert "CI-gated" in item.documentation
    designed = next(c for c in items if c.label == "Designed")
    assert "Must not be treated as shipped parity" in designed.documentation
    exception = next(c for c in items if c.label == "Exception")
    assert "`docs/audits/arco-exceptions.md`" in exception.documentation


def test_whole_value_is_replaced_when_the_cursor_is_inside_it(ws):
    items, text, _cursor = run(ws, HEADER + "| Ticks | Events | Pla^nned | unit |\n")
    assert replaced(items[0], text) == "Planned"


def test_proof_levels_in_a_half_typed_row_after_the_last_pipe(ws):
    # the cursor sits after the Status cell's closing pipe: the Proof Level column, not Status
    items, _text, cursor = run(ws, HEADER + "| Ticks | Events | Implemented | ^")
    assert in_order(items) == ["unit", "integration", "e2e", "prod"]
    assert items[0].replace_span.start == items[0].replace_span.end == cursor
    assert "`**/src/**/*.rs`" in items[0].documentation
    assert "unit < integration < e2e < prod" in items[0].documentation


def test_configured_statuses(tmp_path):
    write_tree(tmp_path, {".parity-lsp.toml": 'statuses = ["Done", "Todo"]\n', MATRIX: HEADER})
    (tmp_path / ".parity-lsp.toml").write_text('statuses = ["Done", "Todo"]\n')
    from parity_lsp.config import load_config

    ws = Workspace(tmp_path, load_config(tmp_path)[0])
    items, _, _ = run(ws, HEADER + "| Ticks | Events | ^")
    assert in_order(items) == ["Done", "Todo"]
    assert "configured for this workspace" in items[0].documentation


# --- evidence paths ---------------------------------------------------------------------------


def test_code_column_lists_the_root_folder_by_folder_source_first_gitignore_honoured(ws):
    items, _text, cursor = run(ws, HEADER + ROW + "`^")
    order = in_order(items)
    assert order[:2] == ["crates/", "src/"]  # folders holding source files first
    assert "build/" not in order  # .gitignored
    assert order.index("tests/") < order.index("docs/")
    crates = next(c for c in items if c.label == "crates/")
    assert crates.insert_text == "crates/" and crates.kind == "folder" and crates.retrigger
    assert crates.replace_span.start == crates.replace_span.end == cursor
    assert crates.detail == "1 source file"


def test_next_segment_replaces_only_the_typed_segment(ws):
    items, text, _cursor = run(ws, HEADER + ROW + "`crates/co^")
    assert labels(items) == ["core/"]
    assert replaced(items[0], text) == "co" and items[0].insert_text == "core/"
    items, text, _cursor = run(ws, HEADER + ROW + "`crates/core/^")
    assert in_order(items) == ["src/", "tests/"]
    items, text, _cursor = run(ws, HEADER + ROW + "`crates/core/src/^`")
    assert labels(items) == ["lib.rs"] and items[0].kind == "file" and not items[0].retrigger
    assert items[0].detail == "crates/core/src/lib.rs"


def test_tests_column_prefers_test_folders_and_files(ws):
    items, _, _ = run(ws, HEADER + ROW + "`src/lib.rs` | `^")
    order = in_order(items)
    assert order[0] == "tests/"
    assert order.index("crates/") < order.index("src/")  # crates/ holds tests
    items, _, _ = run(ws, HEADER + ROW + "`src/lib.rs` | `crates/core/^")
    assert in_order(items) == ["tests/", "src/"]


def test_ci_column_offers_workflow_files_first(ws):
    items, text, cursor = run(ws, HEADER + ROW + "— | — | `^")
    order = in_order(items)
    assert order[:3] == [".github/workflows/ci.yml", ".github/workflows/release.yaml", ".github/"]
    ci = items[0]
    assert ci.label == ".github/workflows/ci.yml" and ci.replace_span.start == cursor
    items, text, cursor = run(ws, HEADER + ROW + "— | — | `.github/wo^")
    full = next(c for c in items if c.label == ".github/workflows/ci.yml")
    assert replaced(full, text) == ".github/wo"
    seg = next(c for c in items if c.label == "workflows/")
    assert replaced(seg, text) == "wo"


def test_pipe_in_a_file_name_is_escaped(ws):
    items, _text, _ = run(ws, HEADER + ROW + "`src/^")
    item = next(c for c in items if c.label == "a|b.rs")
    assert item.insert_text == "a\\|b.rs"


def test_link_targets_resolve_from_the_matrix_folder(ws):
    items, _text, _cursor = run(ws, HEADER + ROW + "[lib](../../crates/^")
    assert labels(items) == ["core/"]
    items, _text, _cursor = run(ws, HEADER + ROW + "[other](^")
    assert in_order(items) == ["m.md", "other.md", "../"]
    assert items[-1].insert_text == "../" and items[-1].retrigger


def test_new_files_appear_after_the_file_list_is_invalidated(ws):
    run(ws, HEADER + ROW + "`src/^")
    (ws.root / "src" / "new.py").write_text("x = 1\n")
    ws.invalidate_files()
    items, _, _ = run(ws, HEADER + ROW + "`src/^")
    assert "new.py" in labels(items)


# --- symbols ----------------------------------------------------------------------------------


def test_definitions_with_their_line_after_path_colon(ws):
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs:^")
    assert labels(items)[:3] == [
        "tick_key — fn, line 2",
        "Sched — struct, line 6",
        "Sched::every — field, line 7",
    ]
    tick = items[0]
    assert tick.insert_text == "2" and tick.replace_span.start == tick.replace_span.end == cursor
    assert tick.kind == "function" and tick.detail == "pub fn tick_key(n: u64) -> String"
    assert "```rust" in tick.documentation
    assert not any(c.label.startswith("Sched —") and "impl" in c.label for c in items)
    # typing digits: the digits are replaced by the chosen line
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs:1^` |")
    assert replaced(items[0], text) == "1" and items[0].insert_text == "2"
    assert "Sched::next — fn, line 11" in labels(items)


def test_symbols_inside_the_parenthesis_insert_the_qualname(ws):
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs:2` (`^")
    assert labels(items) == ["tick_key", "Sched", "Sched::every", "Sched::next"]
    assert items[0].insert_text == "tick_key`"  # the code span is closed for the user
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs` (`ti^`) |")
    assert items[0].insert_text == "tick_key" and replaced(items[0], text) == "ti"
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs` (^")
    assert items[0].insert_text == "`tick_key`" and items[0].replace_span.start == cursor
    items, text, cursor = run(ws, HEADER + ROW + "`crates/core/src/lib.rs` (`tick_key`, `Sched::n^")
    assert replaced(items[0], text) == "Sched::n"


def test_tests_column_offers_the_tests_of_the_cited_file_first(ws):
    items, _text, _ = run(ws, HEADER + ROW + "— | `crates/core/tests/ticks.rs` (`^")
    assert labels(items) == ["tick_key_is_stable", "slow_one", "helper"]
    assert items[0].detail == "test, line 4"
    assert items[1].detail == "test, line 8 (disabled: #[ignore])"
    items, _text, _ = run(ws, HEADER + ROW + "— | `tests/unit/test_a.py` (^")
    assert labels(items) == ["TestK::test_m", "test_a", "TestK"]
    assert items[0].insert_text == "`TestK::test_m`"


def test_a_path_inside_a_parenthesis_is_still_a_path(ws):
    items, text, _ = run(ws, HEADER + ROW + "`src/app.py` (see `crates/co^")
    assert labels(items) == ["core/"] and replaced(items[0], text) == "co"


def test_pytest_node_id_form(ws):
    items, text, _ = run(ws, HEADER + ROW + "— | `tests/unit/test_a.py::test^`")
    assert labels(items)[0] == "TestK::test_m" and replaced(items[0], text) == "test"


def test_symbol_names_with_a_pipe_are_escaped(ws):
    items, _, _ = run(ws, HEADER + ROW + "— | `web/suite.test.ts` (`^")
    item = next(c for c in items if c.label == "ui::renders a | b")
    assert item.insert_text == "ui::renders a \\| b`"


def test_link_with_line_anchor(ws):
    items, _text, _cursor = run(ws, HEADER + ROW + "[tick](../../crates/core/src/lib.rs#L^")
    assert items[0].label == "tick_key — fn, line 2" and items[0].insert_text == "2"


# --- CI column --------------------------------------------------------------------------------

CI_REF = "— | — | `.github/workflows/ci.yml` "


def test_job_ids_after_job(ws):
    items, text, _cursor = run(ws, HEADER + ROW + CI_REF + "(job ^")
    assert labels(items) == ["test", "lint"]
    assert items[0].insert_text == "`test`" and items[0].detail == "Unit tests"
    assert "cargo test -p core --tests" in items[0].documentation
    items, text, _cursor = run(ws, HEADER + ROW + CI_REF + "(job `te^")
    assert items[0].insert_text == "test`" and replaced(items[0], text) == "te"
    items, text, _cursor = run(ws, HEADER + ROW + CI_REF + "(^")
    assert items[0].label == "job test" and items[0].insert_text == "job `test`: "


def test_run_commands_after_job_id_escape_pipes(ws):
    items, text, cursor = run(ws, HEADER + ROW + CI_REF + "(job `test`: `^")
    assert labels(items) == [
        "cargo test -p core --tests",
        "pytest tests/unit | tee out.txt",
        "pytest tests/unit",
        "tee out.txt",
    ]
    assert items[0].insert_text == "cargo test -p core --tests`"
    assert items[0].detail == "job test · Rust, line 9"
    assert items[1].insert_text == "pytest tests/unit \\| tee out.txt`"
    assert items[0].replace_span.start == cursor
    # a second command after ` + `, the code span already closed
    items, text, cursor = run(
        ws, HEADER + ROW + CI_REF + "(job `test`: `cargo test -p core --tests` + `py^`) |"
    )
    assert replaced(items[1], text) == "py" and items[1].insert_text == "pytest tests/unit \\| tee out.txt"
    # the short form (`lint`: `...`)
    items, _, _ = run(ws, HEADER + ROW + CI_REF + "(`lint`: `^")
    assert labels(items) == ["cargo clippy"]


# --- exception ids, owners, headings -----------------------------------------------------------


def test_exception_ids_in_notes_and_after_ex_anywhere(ws):
    items, text, cursor = run(ws, HEADER + ROW + "— | — | — | @core | see EX^")
    assert labels(items) == ["EX-01", "EX-02"]
    assert items[0].detail == "docs/audits/arco-exceptions.md:5" and replaced(items[0], text) == "EX"
    assert items[0].documentation == "| EX-01 | No multi-tenancy |"
    items, text, cursor = run(ws, HEADER + "| Tenancy per EX-0^ | x |")
    assert labels(items) == ["EX-01", "EX-02"] and replaced(items[0], text) == "EX-0"
    assert run(ws, HEADER + "| Tenancy^ | x |")[0] == []
    items, _, _ = run(ws, "Prose mentions EX^\n")
    assert labels(items) == ["EX-01", "EX-02"]
    # Notes offers the ids on request, but not after every space typed in prose
    text, cursor = at(HEADER + ROW + "— | — | — | @core | Proves keys ^")
    assert labels(complete(ws, MATRIX, text, cursor)) == ["EX-01", "EX-02"]
    assert complete(ws, MATRIX, text, cursor, trigger=" ") == []
    text, cursor = at(HEADER + ROW + "— | — | — | @core | Proves keys EX-^")
    assert labels(complete(ws, MATRIX, text, cursor, trigger="-")) == ["EX-01", "EX-02"]


def test_owners_used_in_the_workspace_most_frequent_first(ws):
    text, cursor = at(
        HEADER + ROW + "— | — | — | @^ | |\n" + 2 * "| B | x | Planned | unit | — | — | — | @infra | |\n"
    )
    mine = parse_matrix(MATRIX, text)
    other = parse_matrix("docs/parity/other.md", OTHER)
    items = complete(ws, MATRIX, text, cursor, [mine, other])
    assert labels(items) == ["@infra", "@core"]  # 3 × @infra, 2 × @core; TBD is a placeholder
    assert items[0].detail == "owner of 3 rows"
    assert [c.insert_text for c in items] == ["@infra", "@core"]
    assert text[items[0].replace_span.start : items[0].replace_span.end] == "@"
    # the half-typed owner of the row under the cursor is not a suggestion
    assert "@" not in labels(items)


def test_group_headings_are_the_workspace_matrices_groups(ws):
    """Issue 20: the headings offered are the groups of this workspace's matrices (the
    headings above their tables), most used first, those already in this file last; not a
    list from one example matrix."""
    other = parse_matrix(
        "docs/parity/other.md",
        "## Query planning\n\n" + OTHER + "\n## Storage\n\n" + OTHER + "\n## Query planning\n\n" + OTHER,
    )
    text, cursor = at("# Matrix\n\n## Storage\n\n" + HEADER + "\n## Qu^\n")
    mine = parse_matrix(MATRIX, text)
    items = complete(ws, MATRIX, text, cursor, [mine, other])
    assert labels(items) == ["Query planning", "Storage"]
    assert replaced(items[0], text) == "Qu" and items[0].insert_text == "Query planning"
    assert items[0].detail == "heading of 2 matrix tables"
    assert items[-1].detail == "already a heading in this file"
    # the template's example groups are not offered to a workspace that does not use them
    assert "Scheduling" not in labels(items)
    assert complete(ws, MATRIX, text, cursor) == []  # no matrices known: nothing to offer
    assert run(ws, "# Sch^\n")[0] == []


# --- robustness --------------------------------------------------------------------------------


def test_no_completion_outside_matrix_tables(ws):
    assert run(ws, "Some prose `src/^\n")[0] == []
    assert run(ws, "| a | b |\n|---|---|\n| `src/^ | |\n")[0] == []  # not a matrix table
    assert run(ws, "| Capability | Status^ |\n|---|---|\n")[0] == []  # the header row


def test_rows_below_a_directive_comment_and_crlf(ws):
    text = (
        HEADER
        + "| A | x | Planned | unit | | | | | |\n<!-- parity-lsp: disable-next-line PM301 -->\n| B | x | Imp^"
    )
    items, text, _cursor = run(ws, text.replace("\n", "\r\n"))
    assert in_order(items)[0] == "Implemented" and replaced(items[0], text) == "Imp"


def test_tables_without_outer_pipes(ws):
    header = HEADER.replace("| Capability", "Capability").replace("Notes |\n", "Notes\n")
    items, text, _ = run(ws, header + "A | x | Des^")
    assert replaced(items[0], text) == "Des" and in_order(items)[0] == "Implemented"


def test_csv_matrix(ws):
    header = "Capability,Arco Feature,Status,Proof Level Required,Evidence (Code),Evidence (Tests),Evidence (CI),Owner,Notes\n"
    items, text, _cursor = run(ws, header + "Ticks,Events,Par^", rel="docs/parity/m.csv")
    assert in_order(items)[0] == "Implemented" and replaced(items[0], text) == "Par"
    row = header + 'Ticks,Events,Implemented,unit,,,".github/workflows/ci.yml (job `test`: `^'
    items, text, _cursor = run(ws, row, rel="docs/parity/m.csv")
    # no Markdown escaping in CSV: the pipe stays a pipe
    assert items[1].insert_text == "pytest tests/unit | tee out.txt`"


def test_unknown_cited_file_gives_nothing(ws):
    assert run(ws, HEADER + ROW + "`crates/nope.rs:^")[0] == []
    assert run(ws, HEADER + ROW + "`crates/nope.rs` (`^")[0] == []
    assert run(ws, HEADER + ROW + "`/etc/^")[0] == []
    assert run(ws, HEADER + ROW + "[x](../../../../^")[0] == []


def test_the_file_tree_built_in_steps_is_the_one_completions_use(tmp_path):
    """The server builds the completion's directory tree in background steps before the
    first completion; it must be the tree a completion would have built."""
    import asyncio

    from parity_lsp.analysis import Analysis

    files = {f"crates/c{i % 7}/src/m{i}.rs": "pub fn f() {}\n" for i in range(50)}
    files.update({f"crates/c{i}/tests/t.rs": "#[test]\nfn t() {}\n" for i in range(7)})
    files[".github/workflows/ci.yml"] = "jobs: {}\n"
    write_tree(tmp_path, files)
    analysis = Analysis(tmp_path)
    steps = analysis.ws.file_tree_steps(files_per_step=8)
    asyncio.run(analysis.run_in_steps(steps, step_seconds=0))
    primed = analysis.ws._tree.tree
    assert primed is not None and primed.files is analysis.ws.files()
    fresh = FileTree(analysis.ws.files())
    assert primed.children == fresh.children and primed.counts == fresh.counts
    assert analysis.ws.file_tree() is primed  # used as it is, not rebuilt
    assert primed.is_dir("crates/c3/tests") and primed.is_file("crates/c3/tests/t.rs")


def test_the_tree_is_built_while_the_client_talks_other_work_waits(tmp_path):
    """Typing sends a message every few milliseconds: background checks wait for a quiet
    moment, the completion tree (wanted by the next completion) goes on between messages."""
    import asyncio
    import time

    from parity_lsp.analysis import Analysis

    write_tree(tmp_path, {f"src/m{i}.rs": "" for i in range(40)})
    analysis = Analysis(tmp_path)

    async def session():
        analysis.defer_until = time.monotonic() + 60  # the client keeps talking
        tree = asyncio.ensure_future(
            analysis.run_in_steps(
                analysis.ws.file_tree_steps(files_per_step=4),
                step_seconds=0,
                while_talking=True,
            )
        )
        polite_steps = []

        def background():
            for i in range(10):
                polite_steps.append(i)
                yield

        other = asyncio.ensure_future(analysis.run_in_steps(background(), step_seconds=0))
        await asyncio.wait_for(tree, 5)
        await asyncio.sleep(0.05)
        assert polite_steps == [0]  # the first step ran, then it waits for quiet
        analysis.defer_until = 0  # the client is quiet: it goes on
        await asyncio.wait_for(other, 5)
        assert polite_steps == list(range(10))

    asyncio.run(session())
    assert analysis.ws.file_tree().is_file("src/m39.rs")


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from(
                [
                    "a.rs",
                    "src/lib.rs",
                    "src/a/b.rs",
                    "src/a/c_test.py",
                    "tests/t.rs",
                    "tests/deep/x/y.rs",
                    ".github/workflows/ci.yml",
                    ".github/workflows/x.yaml",
                    "docs/parity/m.md",
                    "src/a/tests/e2e.rs",
                    "README.md",
                    "src/z.go",
                    "test_x.py",
                ]
            ),
        ),
        max_size=25,
    )
)
def test_a_patched_tree_is_the_tree_of_the_new_list(changes):
    """Created and deleted files patch the completion tree; it must equal a tree built anew
    (no empty directory left behind, counts of source/test/workflow files exact)."""
    files = ["src/lib.rs", "tests/t.rs", "README.md"]
    tree = FileTree(list(files))
    for create, path in changes:
        new = sorted(set(files) | {path}) if create else [f for f in files if f != path]
        assert tree.patch(new)
        files = new
        fresh = FileTree(files)
        assert (tree.children, tree.counts, tree.files) == (fresh.children, fresh.counts, files)


def test_a_created_file_patches_the_tree_the_next_completion_uses(tmp_path):
    from parity_lsp.analysis import Analysis

    write_tree(tmp_path, {"crates/a/src/lib.rs": "", "crates/a/tests/t.rs": ""})
    analysis = Analysis(tmp_path)
    before = analysis.ws.file_tree()
    (tmp_path / "crates/b/tests").mkdir(parents=True)
    (tmp_path / "crates/b/tests/new_test.rs").write_text("")
    analysis.files_changed([("crates/b/tests/new_test.rs", True)])
    after = analysis.ws.file_tree()
    assert after is before  # patched in place, not built again
    assert after.is_file("crates/b/tests/new_test.rs") and after.counts["crates"] == [1, 2, 0]
    (tmp_path / "crates/a/tests/t.rs").unlink()
    analysis.files_changed([("crates/a/tests/t.rs", True)])
    tree = analysis.ws.file_tree()
    fresh = FileTree(analysis.ws.files())
    assert (tree.children, tree.counts) == (fresh.children, fresh.counts)
    assert "crates/a/tests" not in tree.children


def test_status_values_of_a_table_with_its_own_words_come_first(tmp_path):
    # issue 17: the table's own words (as its rows write them, most used first), then its
    # vocabulary (here the built-in lexicon), each with its meaning
    text = "| Feature | Status | Tests |\n|---|---|---|\n| A | ✅ | |\n| B | ✅ | |\n| C | ⬜ | |\n"
    ws = Workspace(tmp_path, Config())
    matrix = parse_matrix(MATRIX, text)
    items, _, _ = run(ws, text + "| D | ^ |\n", matrices=[matrix])
    order = in_order(items)
    assert order[:2] == ["✅", "⬜"]
    assert "done" in order and "not started" in order
    assert items[0].detail == "Status"
    assert items[0].documentation.startswith("**shipped** — `✅` is in the built-in lexicon (shipped)")


# --- one vocabulary text (issue 20 item 5) -------------------------------------------------------


def _exception_row(evidence: str) -> str:
    return f"| Tenancy | x | Exception | unit | {evidence} | — | — | @core | |\n"


def test_status_meanings_are_hovers_and_say_what_pm206_checks(ws):
    """Completion and hover say the same thing of each status, and what they say of an
    Exception row is what PM206 and PM207 check: the exceptions document *or* a declared id
    (completion used to say "and", contradicting hover and the rule)."""
    from parity_lsp.engine import check_paths

    items, _text, _ = run(ws, HEADER + "| Ticks | Events | ^ |\n")
    completion_docs = {c.label: c.documentation for c in items}
    for status, doc in completion_docs.items():
        text = HEADER + f"| Ticks | Events | {status} |\n"
        shown = hover(ws, parse_matrix(MATRIX, text), text.rindex(status) + 1)
        assert shown is not None and shown.markdown == doc, status
    exception = completion_docs["Exception"]
    assert "(`docs/audits/arco-exceptions.md`): a path or link to it, or an exception id" in exception
    assert "and cite" not in exception

    # what PM206/PM207 do with such rows
    def findings_of(evidence: str) -> list[str]:
        (ws.root / MATRIX).write_text(HEADER + _exception_row(evidence))
        fresh = Workspace(ws.root)
        return sorted(f.code for f in check_paths(fresh, [MATRIX]).findings if f.code in ("PM206", "PM207"))

    assert findings_of("see EX-01") == []  # an id it declares, no path: enough
    assert findings_of("`docs/audits/arco-exceptions.md`") == []  # the document, no id: enough
    assert findings_of("see EX-99") == ["PM207"]  # an id it does not declare
    assert findings_of("no reason given") == ["PM206"]


def test_proof_level_meanings_are_hovers_and_name_the_configured_globs(ws):
    items, _text, _ = run(ws, HEADER + "| Ticks | Events | Implemented | ^ |\n")
    for item in items:
        text = HEADER + f"| Ticks | Events | Implemented | {item.label} |\n"
        shown = hover(ws, parse_matrix(MATRIX, text), text.rindex(item.label) + 1)
        assert shown is not None and shown.markdown == item.documentation, item.label
    docs = {c.label: c.documentation for c in items}
    assert "Tests at this level: " in docs["e2e"] and "a test whose name has `e2e`" in docs["e2e"]
    assert "No test is at this level" in docs["prod"]


def test_owners_follow_a_row_edit_that_changes_the_matrix_in_place(tmp_path):
    """A row edit updates the server's matrix in place (incremental.py): the owners offered
    are those of the edited text, not of the matrix as first parsed."""
    from parity_lsp.analysis import Analysis

    first = HEADER + "| A | x | Planned | unit | — | — | — | @old | |\n"
    write_tree(tmp_path, {MATRIX: first})
    analysis = Analysis(tmp_path)
    analysis.open_document(MATRIX, first, 1)
    state = analysis.check(MATRIX)
    assert state is not None
    model = state.model
    typing = "| B | x | Planned | unit | — | — | — | @"

    def owners(text: str) -> list[str]:
        matrices = [s.model for s in analysis.states.values()]
        return labels(complete(analysis.ws, MATRIX, text + typing, len(text + typing), matrices))

    assert owners(first) == ["@old"]
    edited = first.replace("@old", "@new")
    analysis.open_document(MATRIX, edited, 2)
    assert analysis.check(MATRIX).model is model  # updated in place: the same object
    assert owners(edited) == ["@new"]


LINE_PIECES = [
    "| Capability | Status | Evidence (Tests) |",
    "|---|---|---|",
    "| :-- | --: |",
    "> |---|---|",
    " > > | - |",
    "--- | ---",
    "-|-",
    "| A | x | `a.rs` |",
    "A | x | y",
    "<!-- parity-lsp: disable-next-line PM301 -->",
    "  <!-- note -->",
    "",
    "   ",
    "Prose with a - dash",
    "> quoted prose",
    "\ufeff| Capability | Status |",
    "|",
    ":|:",
    "----",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(LINE_PIECES), min_size=1, max_size=14),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_the_table_header_above_the_cursor_is_the_line_walks(lines, newline, mixed):
    """The header lookup (C-level searches) answers as the walk up the lines it replaced
    (tests every line of random texts of table lines, prose, comments, quotes, CRLF, lone CR)."""
    from parity_lsp.features.completion.cursor import _header_above, _header_above_walk

    breaks = [newline if not mixed or i % 3 else "\r\n" for i in range(len(lines))]
    text = "".join(line + brk for line, brk in zip(lines, breaks, strict=True))
    starts = [0]
    for line, brk in zip(lines, breaks, strict=True):
        starts.append(starts[-1] + len(line) + len(brk))
    for ls in starts:
        assert _header_above(text, ls) == _header_above_walk(text, ls), (text, ls)


def _tree_file_by_file(files: list[str]) -> tuple[dict, dict]:
    """The tree as defined: each file walked from the root, its category counted in every
    directory above it (the per-directory build in `FileTree.add` must give exactly this)."""
    from parity_lsp.workspace.tree import file_category

    children: dict[str, dict[str, bool]] = {"": {}}
    counts: dict[str, list[int]] = {"": [0, 0, 0]}
    for f in files:
        cat = file_category(f)
        parts = f.split("/")
        d, touched = "", [counts[""]]
        for part in parts[:-1]:
            sub = f"{d}/{part}" if d else part
            children.setdefault(d, {})[part] = True
            touched.append(counts.setdefault(sub, [0, 0, 0]))
            children.setdefault(sub, {})
            d = sub
        children.setdefault(d, {}).setdefault(parts[-1], False)
        for k in range(3):
            if cat[k]:
                for c in touched:
                    c[k] += 1
    return children, counts


_PATH_PART = st.sampled_from(
    ["src", "tests", "test", "spec", "a", "b", ".github", "workflows", "e2e", "Sources", "x.y", ".hidden"]
)
_FILE_NAME = st.sampled_from(
    [
        "lib.rs",
        "test_a.py",
        "a_test.go",
        "ci.yml",
        "x.yaml",
        "README.md",
        ".env",
        "..b",
        "a.",
        "CalcTests.swift",
        "calc_spec.rb",
        "FooIT.java",
        "m.TS",
        "Makefile",
        "x.spec.ts",
        "conftest.py",
        ".a.rs",
    ]
)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.lists(_PATH_PART, max_size=4), _FILE_NAME).map(lambda t: "/".join([*t[0], t[1]])),
            st.sampled_from(
                [
                    ".github/workflows/ci.yml",
                    ".github/workflows/x.YAML",
                    ".github/workflows/a/b.yml",
                    ".github/ci.yml",
                ]
            ),
        ),
        max_size=40,
        unique=True,
    ),
    st.randoms(use_true_random=False),
)
def test_the_tree_built_per_directory_is_the_tree_built_file_by_file(files, rng):
    """Any file list, in any order and in any chunks (the background build adds a step's
    files at a time): the same directories, children and counts as walking every file."""
    files = [f for f in files if not any(f.startswith(g + "/") for g in files)]  # a name is a file or a dir
    order = list(files)
    rng.shuffle(order)
    tree = FileTree([])
    i = 0
    while i < len(order):
        step = rng.randint(1, 7)
        tree.add(order[i : i + step])
        i += step
    children, counts = _tree_file_by_file(files)
    assert (tree.children, tree.counts) == (children, counts)
    assert (FileTree(sorted(files)).children, FileTree(sorted(files)).counts) == (children, counts)
