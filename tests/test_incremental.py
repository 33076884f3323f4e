"""Row-level re-checking gives exactly what a full check gives, and only re-checks the edited rows."""

import gc
import random
import shutil
import textwrap
import weakref

import pytest

from parity_lsp.analysis import Analysis
from parity_lsp.workspace.files import list_files

HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)
LIB = textwrap.dedent("""\
    /// Doc.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    pub fn other() {}

    #[cfg(test)]
    mod tests {
        #[test]
        fn key_is_stable() {}
    }
    """)
CI = "jobs:\n  rust:\n    steps:\n      - run: cargo test -p core --lib\n"


def row(i: int) -> str:
    status = ["Implemented", "Planned", "Partial", "Implemeted"][i % 4]
    line = [2, 6, 9, 40][i % 4]
    return (
        f"| Cap {i} 🚀 | F | {status} | unit | `crates/core/src/lib.rs:{line}` (`tick_key`) "
        f"| `crates/core/src/lib.rs` (`tests::key_is_stable`) "
        f"| `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --lib`) | @t | |\n"
    )


def text_with(rows: list[str]) -> str:
    return "# M\n\n## Group\n\n" + HEADER + "".join(rows) + "\nsome prose\n\n## Second\n\n" + HEADER + row(99)


@pytest.fixture
def root(tmp_path):
    (tmp_path / ".parity-lsp.toml").write_text("")
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n')
    (tmp_path / "crates/core/src").mkdir(parents=True)
    (tmp_path / "crates/core/Cargo.toml").write_text('[package]\nname = "core"\n')
    (tmp_path / "crates/core/src/lib.rs").write_text(LIB)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/ci.yml").write_text(CI)
    (tmp_path / "docs/parity").mkdir(parents=True)
    return tmp_path


def summary(findings):
    out = []
    for f in findings:
        # deferred suggestions too (computed without keeping them): they must move with their row
        fix = f.fix if f.fix is not None or f.deferred is None else f.deferred.resolve()
        fix = (fix.message, tuple((e.span.start, e.span.end, e.content) for e in fix.edits)) if fix else None
        out.append((f.code, f.span.start, f.span.end, f.message, fix))
    return sorted(out)


def full_check(root, text):
    (root / "docs/parity/m.md").write_text(text)
    fresh = Analysis(root)
    return summary(fresh.findings("docs/parity/m.md"))


EDITS = [
    lambda line: line.replace("| unit |", "| unitx |"),  # a typo in the proof level
    lambda line: (
        line.replace("lib.rs:2`", "lib.rs:7`") if "lib.rs:2`" in line else line.replace(":", ":1", 1)
    ),
    lambda line: (
        line.replace("Planned", "Implemented")
        if "Planned" in line
        else line.replace("Implemented", "Planned")
    ),
    lambda line: line.rstrip("\n") + "x\n",  # an extra cell after the last pipe (the benchmark's edit)
    lambda line: line.replace("`tests::key_is_stable`", "`tests::gone`"),
    lambda line: line.replace("job `rust`", "job `rusty`"),
]


MOVED = "| Moved | F | Implemented | unit | `crates/core/src/moved_away.rs:2` (`tick_key`) | — | — | @t | |\n"


def test_random_row_edits_match_a_full_check(root):
    # the last row cites a file that moved: its suggestion (deferred in the editor) must follow
    # the row when edits above it change the row's offset
    rows = [row(i) for i in range(12)] + [MOVED]
    text = text_with(rows)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    analysis.open_document("docs/parity/m.md", text, 0)
    first = analysis.check("docs/parity/m.md")
    assert first.full_checks == 1
    rnd = random.Random(7)
    edited = 0
    for version in range(1, 25):
        i = rnd.randrange(len(rows))
        before = rows[i]
        rows[i] = rnd.choice(EDITS)(rows[i])
        edited += rows[i] != before
        text = text_with(rows)
        analysis.open_document("docs/parity/m.md", text, version)
        state = analysis.check("docs/parity/m.md")
        assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text), (
            f"edit {version} of row {i}"
        )
    assert edited > 15
    assert state.full_checks == 1 and state.row_checks == edited  # every edit re-checked its row only
    [moved] = [f for f in analysis.findings("docs/parity/m.md") if f.code == "PM301"]
    assert moved.fix is None and moved.deferred is not None  # not computed by the check
    suggestion = moved.suggestion()
    assert suggestion.message == "Replace with `crates/core/src/lib.rs`, where `tick_key` is defined"
    assert (
        not suggestion.safe
        and text[suggestion.edits[0].span.start : suggestion.edits[0].span.end]
        == "crates/core/src/moved_away.rs"
    )
    # a feature asking for the model gets every span right again
    matrix = state.matrix
    assert [r.capability for r in matrix.tables[0].rows][:2] == ["Cap 0 🚀", "Cap 1 🚀"]
    cell = matrix.tables[1].rows[0].cells[0]
    assert matrix.text[cell.span.start : cell.span.end] == "Cap 99 🚀"


def test_structural_edits_fall_back_to_a_full_check(root):
    rows = [row(i) for i in range(4)]
    text = text_with(rows)
    analysis = Analysis(root)
    analysis.open_document("docs/parity/m.md", text, 0)
    analysis.check("docs/parity/m.md")
    for version, new in enumerate(
        [
            text_with(rows[:2] + rows[3:]),  # a row removed: fewer lines
            text_with(rows).replace("| Cap 1 🚀 |", "| Cap one |"),  # a capability changed (PM003)
            text_with(rows).replace("| Notes |", "| Remarks |", 1),  # the header changed
        ],
        start=1,
    ):
        analysis.open_document("docs/parity/m.md", new, version)
        state = analysis.check("docs/parity/m.md")
        assert state.full_checks == version + 1
        assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, new)


def test_a_changed_cited_file_rechecks_only_the_rows_citing_it(root):
    (root / "crates/core/src/other.rs").write_text("pub fn elsewhere() {}\n")
    (root / "crates/core/src/third.rs").write_text("pub fn third() {}\n")
    rows = [row(i) for i in range(6)]
    rows.append(
        "| Other | F | Planned | unit | `crates/core/src/other.rs:1` (`elsewhere`) | — | — | @t | |\n"
    )
    rows += [
        f"| Third {i} | F | Planned | unit | `crates/core/src/third.rs:1` (`third`) | — | — | @t | |\n"
        for i in range(10)
    ]
    text = text_with(rows)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    state = analysis.check("docs/parity/m.md")
    # the function moves down two lines: the row citing other.rs drifts, nothing else changes
    (root / "crates/core/src/other.rs").write_text("\n\npub fn elsewhere() {}\n")
    assert analysis.file_changed("crates/core/src/other.rs", False) == ["docs/parity/m.md"]
    state = analysis.check("docs/parity/m.md")
    assert state.full_checks == 1 and state.row_checks == 1
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)
    assert any(f.code == "PM304" for f in analysis.findings("docs/parity/m.md"))
    # the Rust file the first rows cite: each of them is re-checked, and only them
    (root / "crates/core/src/lib.rs").write_text(LIB.replace("pub fn other() {}", "pub fn other() {}\n"))
    analysis.file_changed("crates/core/src/lib.rs", False)
    state = analysis.check("docs/parity/m.md")
    assert state.full_checks == 1 and state.row_checks == 1 + 7  # 6 rows of the first table + Cap 99
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)
    # a file most rows cite: one full check is cheaper than re-checking them one by one
    (root / "crates/core/src/third.rs").write_text("\npub fn third() {}\n")
    analysis.file_changed("crates/core/src/third.rs", False)
    assert analysis.revalidating["docs/parity/m.md"] is state
    assert analysis.check("docs/parity/m.md") is not state  # a new full check
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)


def test_duplicates_found_after_row_edits_are_placed_without_re_parsing(root):
    """PM003 is recomputed when another matrix appears; the edited matrix (rows shifted by
    the edits) is not re-parsed for it, and its PM003 ranges and related locations are those of
    a full check."""
    rows = [row(i) for i in range(8)]
    text = text_with(rows)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    analysis.open_document("docs/parity/m.md", text, 0)
    analysis.check_all()
    for version, i in enumerate([1, 2, 4], start=1):  # lengthen early rows: later offsets move
        rows[i] = rows[i].replace("| @t |", "| @team-longer |")
        text = text_with(rows)
        analysis.open_document("docs/parity/m.md", text, version)
        analysis.check("docs/parity/m.md")
    state = analysis.states["docs/parity/m.md"]
    assert not state.consistent and state.full_checks == 1
    (root / "docs/parity/other.md").write_text("# O\n\n" + HEADER + row(6) + row(99))
    analysis.file_changed("docs/parity/other.md", True)
    analysis.check_all()
    assert not state.consistent, "refresh_cross re-parsed the edited matrix"
    got = [f for f in analysis.findings("docs/parity/m.md") if f.code == "PM003"]
    (root / "docs/parity/m.md").write_text(text)
    fresh = Analysis(root)
    fresh.check_all()
    want = [f for f in fresh.findings("docs/parity/m.md") if f.code == "PM003"]
    assert len(got) == 2  # Cap 6 and Cap 99 are listed in other.md too

    def as_seen(fs):
        return [
            (f.span.start, f.span.end, f.message, [(r.path, r.line, r.column) for r in f.related]) for f in fs
        ]

    assert as_seen(got) == as_seen(want)
    assert text[got[0].span.start : got[0].span.end] == "Cap 6 🚀"


def test_a_changed_source_file_drops_only_what_was_derived_from_it(root):
    """An ordinary file's change re-judges the verdicts about its tests (here: a test becomes
    ignored, PM308) and keeps project models such as the Cargo workspace; a manifest's change
    drops everything derived."""
    rows = [row(0), row(2)]
    text = text_with(rows)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    analysis.check_all()
    memo = analysis.ws.fs.memo

    def cargo_keys():
        return [k for k in memo if isinstance(k, tuple) and "load_cargo_workspace" in k]

    assert cargo_keys() and not any(f.code == "PM308" for f in analysis.findings("docs/parity/m.md"))
    lib = root / "crates/core/src/lib.rs"
    lib.write_text(LIB.replace("    #[test]\n", "    #[test]\n    #[ignore]\n"))
    affected = analysis.file_changed("crates/core/src/lib.rs", False)
    assert affected == ["docs/parity/m.md"] and cargo_keys(), "a source edit dropped the Cargo model"
    got = summary(analysis.findings("docs/parity/m.md"))
    assert any(code == "PM308" for code, *_ in got)
    assert got == full_check(root, text)
    (root / "crates/core/Cargo.toml").write_text('[package]\nname = "core"\nversion = "0.2.0"\n')
    analysis.file_changed("crates/core/Cargo.toml", False)
    assert not cargo_keys()
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)


def test_a_file_deleted_while_the_matrix_is_checked_in_steps_is_seen(root):
    """Background indexing yields between rows; a file event in between must not leave the rows
    checked before it with stale findings (they said the cited file existed)."""
    import asyncio

    rows = [row(i) for i in range(12)]
    text = text_with(rows)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)

    async def scenario():
        task = asyncio.ensure_future(analysis.check_in_steps("docs/parity/m.md", step_seconds=0))
        for _ in range(8):  # the check has started, and checked a few rows
            await asyncio.sleep(0)
        assert not task.done()
        (root / "crates/core/src/lib.rs").unlink()
        analysis.file_changed("crates/core/src/lib.rs", True)
        return await task

    state = asyncio.run(scenario())
    got = summary(state.findings)
    assert any(code == "PM301" for code, *_ in got)
    assert got == full_check(root, text)


def test_a_closed_matrix_keeps_no_parsed_references_until_asked(root):
    text = text_with([row(i) for i in range(4)])
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    state = analysis.check("docs/parity/m.md")
    assert all(r._evidence is None for r in state.model.rows())
    # parsed again when asked: a cited file's change re-checks its rows as before
    assert next(state.model.rows()).evidence["evidence (code)"].refs[0].path == "crates/core/src/lib.rs"
    # opened: a full check of the buffer keeps them (document links, hovers walk them)
    analysis.open_document("docs/parity/m.md", text.replace("Cap 0", "Cap zero"), 1)
    state = analysis.check("docs/parity/m.md")
    assert state.full_checks == 2 and all(r._evidence is not None for r in state.model.rows())
    (root / "docs/parity/m.md").write_text(text)
    analysis.open_document("docs/parity/m.md", text, 2)
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)


def test_background_indexing_parses_and_checks_in_steps_that_let_requests_in(root):
    """A large matrix is parsed and checked in small steps on the event loop (not on a thread
    that would share the interpreter lock with requests): other coroutines run in between, and
    the result is the full check's."""
    import asyncio

    from parity_lsp.parse.markdown import ROWS_PER_STEP, parse_markdown, parse_markdown_steps

    text = text_with([row(i) for i in range(5 * ROWS_PER_STEP)])
    (root / "docs/parity/m.md").write_text(text)
    steps = parse_markdown_steps("docs/parity/m.md", text)
    assert sum(1 for _ in steps) >= 5  # a yield per ROWS_PER_STEP rows
    assert len(list(parse_markdown("docs/parity/m.md", text).rows())) == 5 * ROWS_PER_STEP + 1
    analysis = Analysis(root)
    turns = 0

    async def scenario():
        nonlocal turns
        task = asyncio.ensure_future(analysis.check_in_steps("docs/parity/m.md", step_seconds=0))
        while not task.done():
            await asyncio.sleep(0)
            turns += 1
        return await task

    state = asyncio.run(scenario())
    assert turns > 5 * ROWS_PER_STEP + 5  # parse steps, then a step per row
    assert state.full_checks == 1
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)


def test_a_stale_answer_expires_so_a_client_that_keeps_asking_gets_the_change(root, monkeypatch):
    """Background checks pause while the client is talking. A client that keeps pulling for
    the change it made never leaves them a quiet moment: it gets the matrix's previous
    findings for `STALE_FOR` seconds, then a check of its own."""
    import parity_lsp.analysis as analysis_module

    text = text_with([row(0), row(1).replace("lib.rs:6`", "new.rs:6`")])
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    before = summary(analysis.findings("docs/parity/m.md"))
    assert any(code == "PM301" for code, *_ in before)
    (root / "crates/core/src/new.rs").write_text(LIB)
    analysis.files_changed([("crates/core/src/new.rs", True)])  # next to every row: a full check
    assert "docs/parity/m.md" in analysis.revalidating
    assert summary(analysis.findings("docs/parity/m.md", stale_ok=True)) == before  # still waiting
    monkeypatch.setattr(analysis_module, "STALE_FOR", 0.0)  # ... for longer than that
    after = summary(analysis.findings("docs/parity/m.md", stale_ok=True))
    assert not any(code == "PM301" for code, *_ in after) and after == full_check(root, text)
    assert not analysis.revalidating


def test_events_for_ignored_files_change_nothing_unless_cited(root):
    """A build writes thousands of files under an ignored directory: no cache is dropped and no
    matrix is checked again; a matrix citing an ignored file still sees it appear."""
    (root / ".gitignore").write_text("target/\n*.log\n")
    cites_generated = "| Gen | F | Planned | unit | `target/gen/out.rs` | — | — | @t | |\n"
    text = text_with(
        [row(i) for i in range(3)]
        + [row(3).replace("`crates/core/src/lib.rs:", "`crates/core/src/new.rs:"), cites_generated]
    )
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    state = analysis.check("docs/parity/m.md")
    analysis.ws.fs.memo["sentinel"] = True  # dropped by any `FileSystem.bump()`
    missing = sorted(f.message for f in state.findings if f.code == "PM301")
    assert missing == ["`crates/core/src/new.rs` does not exist", "`target/gen/out.rs` does not exist"]

    (root / "target/debug").mkdir(parents=True)
    (root / "target/debug/core.o").write_text("")
    (root / "build.log").write_text("")
    events = [
        ("target/debug/core.o", True),
        ("target/debug", True),
        ("build.log", True),
        ("build.log", False),
    ]
    assert analysis.files_changed(events) == []
    assert analysis.ws.fs.memo.get("sentinel") is True  # nothing dropped
    assert analysis.check("docs/parity/m.md") is state and state.full_checks == 1

    # an ignored file a row cites is still seen
    (root / "target/gen").mkdir()
    (root / "target/gen/out.rs").write_text("pub fn gen() {}\n")
    assert analysis.files_changed([("target/gen/out.rs", True)]) == ["docs/parity/m.md"]
    state = analysis.check("docs/parity/m.md")
    assert [f.message for f in state.findings if f.code == "PM301"] == [
        "`crates/core/src/new.rs` does not exist"
    ]
    # and a file that is not ignored goes the usual way
    (root / "crates/core/src/new.rs").write_text(LIB)
    assert analysis.files_changed([("crates/core/src/new.rs", True)]) == ["docs/parity/m.md"]
    state = analysis.check("docs/parity/m.md")
    assert [f for f in state.findings if f.code == "PM301"] == []
    assert summary(state.findings) == full_check(root, text)


def test_ignored_paths_follow_git_and_gitignore_files(tmp_path):
    import subprocess

    from parity_lsp.workspace.files import ignored_paths

    asked = ["target/debug/x.o", "src/a.rs", "a.log", "sub/gen/x.rs", "sub/y.rs", "node_modules/p/i.js"]
    for use_git in (False, True):
        root = tmp_path / f"git{use_git}"
        (root / "sub").mkdir(parents=True)
        (root / ".gitignore").write_text("target/\n*.log\n")
        (root / "sub/.gitignore").write_text("gen/\n")
        if use_git:
            subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        assert ignored_paths(root, asked) == {
            "target/debug/x.o",
            "a.log",
            "sub/gen/x.rs",
            "node_modules/p/i.js",
        }


def test_a_matrix_sent_back_to_a_full_check_keeps_its_duplicates_and_old_findings_meanwhile(root):
    """After a created file, matrices with missing paths are checked again in full — in the
    server, in the background. Meanwhile PM003 still sees their capabilities, and asking with
    `stale_ok` answers with what they had (same text, so same positions)."""
    one = text_with([row(0), row(1).replace("lib.rs:6`", "new.rs:6`")])
    other = text_with([row(0)])  # "Cap 0" twice across the two matrices
    (root / "docs/parity/m.md").write_text(one)
    (root / "docs/parity/n.md").write_text(other)
    analysis = Analysis(root)
    analysis.check_all()
    assert [f.code for f in analysis.findings("docs/parity/n.md") if f.code == "PM003"] == ["PM003", "PM003"]
    before = summary(analysis.findings("docs/parity/m.md"))
    assert any(code == "PM301" for code, *_ in before)

    (root / "crates/core/src/new.rs").write_text(LIB)
    analysis.files_changed([("crates/core/src/new.rs", True)])
    assert "docs/parity/m.md" in analysis.revalidating and "docs/parity/m.md" not in analysis.states
    analysis.refresh_cross()
    assert [f.code for f in analysis.findings("docs/parity/n.md") if f.code == "PM003"] == ["PM003", "PM003"]
    assert summary(analysis.findings("docs/parity/m.md", stale_ok=True)) == before
    assert "docs/parity/m.md" not in analysis.states  # answered without checking

    after = summary(analysis.findings("docs/parity/m.md"))  # a plain request checks it now
    assert not any(code == "PM301" for code, *_ in after)
    assert [f for f in after if f[0] != "PM003"] == full_check(root, one)  # (a lone check has no PM003)
    assert not analysis.revalidating


def test_a_matrix_replaced_by_a_full_check_is_freed_without_the_cyclic_gc(root):
    # The server keeps the cyclic GC off long-lived models (gc.freeze after a full check): a
    # model left with reference cycles (rows <-> table) would never be freed, and every full
    # check of a 10,000-row matrix would add its ~25 MB for good.
    rows = [row(i) for i in range(6)]
    text = text_with(rows)
    analysis = Analysis(root)
    analysis.open_document("docs/parity/m.md", text, 0)
    first = analysis.check("docs/parity/m.md")
    tables = [weakref.ref(t) for t in first.matrix.tables]
    del first
    gc.disable()
    try:
        analysis.open_document("docs/parity/m.md", "# Moved down\n\n" + text, 1)
        assert analysis.check("docs/parity/m.md").full_checks == 2
        assert tables and all(t() is None for t in tables)  # freed by reference counting alone
        rows_now = analysis.states["docs/parity/m.md"].matrix.tables[0].rows
        assert rows_now[0].table is analysis.states["docs/parity/m.md"].matrix.tables[0]
    finally:
        gc.enable()


# --- created and deleted files: only the rows near them are checked again ---------------------

CRATE_TOML = '[package]\nname = "{name}"\n'
TESTS_RS = "#[test]\nfn it_works() {}\n"
EVENT_ROWS = [
    # cites a file that exists, its unit test, a lib-only command
    (
        "| Keys | F | Implemented | unit | `crates/core/src/lib.rs:2` (`tick_key`) | `crates/core/src/lib.rs` "
        "(`tests::key_is_stable`) | `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --lib`) | @t | |\n"
    ),
    # cites files that do not exist yet (a file, a directory, an integration test target)
    (
        "| Later | F | Planned | unit | `crates/core/src/later.rs` (`later`) | `crates/core/tests/later.rs` (`it_works`) "
        "| `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --test later`) | @t | |\n"
    ),
    "| Dir | F | Partial | unit | `crates/web/src/` | — | — | @t | |\n",
    # another crate, far from the files the events touch
    (
        "| Far | F | Implemented | unit | `crates/far/src/lib.rs` (`far`) | `crates/far/tests/t.rs` (`it_works`) "
        "| `.github/workflows/ci.yml` (job `rust`: `cargo test -p far --tests`) | @t | |\n"
    ),
    # a link written relative to the matrix, whose file may appear at the root instead
    "| Link | F | Planned | unit | [code](tools/gen.py) | — | — | @t | |\n",
    # a unit test in a module directory: which target runs it depends on `src/lib.rs` existing
    (
        "| Util | F | Implemented | unit | `crates/core/src/m/util.rs` (`u`) | `crates/core/src/m/util.rs` (`tests::u_works`) "
        "| `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --lib`) | @t | |\n"
    ),
    # a file in a directory that comes and goes as a whole
    "| Deep | F | Planned | unit | `crates/core/src/deep/inner.rs` (`inner`) | — | — | @t | |\n",
    # a generated file the workspace ignores (still checked: it is cited)
    "| Built | F | Planned | unit | `build/gen.rs` (`gen`) | — | — | @t | |\n",
]
UTIL_RS = "pub fn u() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn u_works() {}\n}\n"
EVENT_FILES = {
    "crates/core/src/later.rs": "pub fn later() {}\n",
    "crates/core/tests/later.rs": TESTS_RS,
    "crates/core/tests/other.rs": TESTS_RS,  # a new integration target of the same package
    "crates/core/src/deep/inner.rs": "pub fn inner() {}\n",  # a module in a new directory
    "crates/web/src/lib.rs": "pub fn web() {}\n",  # the cited directory appears
    "crates/far/src/extra.rs": "pub fn extra() {}\n",
    "tools/gen.py": "def gen():\n    pass\n",  # the link's root-relative reading
    "docs/notes.md": "# notes\n",
    "crates/core/src/lib.rs": LIB,  # the library target comes and goes
    "crates/core/src/deep": None,  # a directory (holding inner.rs), created and deleted whole
    "build/gen.rs": "pub fn gen() {}\n",  # ignored by .gitignore: never in the file list
}


def test_created_and_deleted_files_give_what_a_full_check_gives(root):
    (root / "crates/far/src").mkdir(parents=True)
    (root / "crates/far/tests").mkdir()
    (root / "crates/far/Cargo.toml").write_text(CRATE_TOML.format(name="far"))
    (root / "crates/far/src/lib.rs").write_text("pub fn far() {}\n")
    (root / "crates/far/tests/t.rs").write_text(TESTS_RS)
    (root / "crates/core/src/m").mkdir()
    (root / "crates/core/src/m/util.rs").write_text(UTIL_RS)
    (root / "crates/core/src/main.rs").write_text("mod m;\nfn main() {}\n")
    (root / ".github/workflows/ci.yml").write_text(
        "jobs:\n  rust:\n    steps:\n      - run: cargo test -p core --lib\n      - run: cargo test -p core --test later\n"
        "      - run: cargo test -p far --tests\n"
    )
    (root / ".gitignore").write_text("build/\n")
    text = "# M\n\n" + HEADER + "".join(EVENT_ROWS)
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    analysis.check("docs/parity/m.md")
    assert analysis.ws.files()  # listed once: later events patch the list
    rnd = random.Random(11)
    targeted = 0
    for step in range(60):
        rel = rnd.choice(sorted(EVENT_FILES))
        path = root / rel
        if EVENT_FILES[rel] is None:  # a directory: one event for it, none for its file
            if path.exists():
                shutil.rmtree(path)
            else:
                path.mkdir(parents=True)
                (path / "inner.rs").write_text("pub fn inner() {}\n")
        elif path.exists():
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(EVENT_FILES[rel])
        before = analysis.states["docs/parity/m.md"].full_checks
        analysis.files_changed([(rel, True)])
        state = analysis.check("docs/parity/m.md")
        targeted += state.full_checks == before
        assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text), f"step {step}: {rel}"
        assert analysis.ws.files() == list_files(root), f"step {step}: {rel}"  # patched = listed anew
    assert targeted > 25  # most events re-checked a few rows, not the matrix


def test_a_created_file_rechecks_the_rows_near_it_only(root):
    (root / ".github/workflows/ci.yml").write_text(
        "jobs:\n  rust:\n    steps:\n      - run: cargo test -p core --lib\n      - run: cargo test -p core --test later\n"
    )
    text = (
        "# M\n\n"
        + HEADER
        + "".join(EVENT_ROWS[:3])
        + "".join(
            f"| Far {i} | F | Planned | unit | `elsewhere/x{i}.py` | — | — | @t | |\n" for i in range(20)
        )
    )
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    analysis.check("docs/parity/m.md")
    assert [f.code for f in analysis.findings("docs/parity/m.md")].count("PM301") == 23

    def event(rel: str, content: str | None):
        """Rows checked again for the event, or "full" for a full check of the matrix."""
        before = analysis.states["docs/parity/m.md"]
        checks = before.row_checks
        if content is None:
            (root / rel).unlink()
        else:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(content)
        analysis.files_changed([(rel, True)])
        state = analysis.check("docs/parity/m.md")
        assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)
        return state.row_checks - checks if state is before else "full"

    assert (
        event("crates/core/src/later.rs", EVENT_FILES["crates/core/src/later.rs"]) == 2
    )  # cited, and next to row 1's
    assert event("crates/core/tests/later.rs", TESTS_RS) == 2  # a Cargo target: the package's rows
    assert event("crates/web/src/lib.rs", "pub fn web() {}\n") == 1  # under the cited directory
    assert event("unrelated/file.txt", "") == 0
    assert event("crates/core/tests/later.rs", None) == 2
    assert event("elsewhere/x3.py", "") == "full"  # next to most rows: cheaper as one full check


def test_a_batch_of_created_files_rechecks_each_row_once_and_a_large_one_goes_to_a_full_check(root):
    text = (
        "# M\n\n"
        + HEADER
        + "".join(f"| Far {i} | F | Planned | unit | `area{i}/x.py` | — | — | @t | |\n" for i in range(10))
    )
    (root / "docs/parity/m.md").write_text(text)
    analysis = Analysis(root)
    state = analysis.check("docs/parity/m.md")
    batch = []
    for i in (1, 2, 3):
        (root / f"area{i}").mkdir()
        (root / f"area{i}/x.py").write_text("")
        (root / f"area{i}/y.py").write_text("")
        batch += [(f"area{i}/x.py", True), (f"area{i}/y.py", True)]
    assert analysis.files_changed(batch) == ["docs/parity/m.md"]
    assert analysis.states["docs/parity/m.md"] is state and state.row_checks == 3  # rows 1-3, once each
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)

    (root / "generated").mkdir()
    for k in range(65):  # a generator, a checkout: more events than are worth sorting out
        (root / f"generated/f{k}.txt").write_text("")
    analysis.files_changed([(f"generated/f{k}.txt", True) for k in range(65)])
    assert "docs/parity/m.md" in analysis.revalidating
    assert summary(analysis.findings("docs/parity/m.md")) == full_check(root, text)


def test_the_same_settings_again_keep_the_checked_matrices(root):
    # a client's first configuration pull repeats its initialization options: reloading then
    # threw away the check of the document opened meanwhile
    (root / "docs/parity/m.md").write_text(text_with([row(i) for i in range(4)]))
    analysis = Analysis(root, {"select": ["PM2", "PM3"]})
    state = analysis.check("docs/parity/m.md")
    codes = {f.code for f in analysis.findings("docs/parity/m.md")}
    assert codes and all(c.startswith(("PM2", "PM3")) for c in codes)
    ws = analysis.ws
    assert analysis.apply_settings({"select": ["PM2", "PM3"]}) is False
    assert analysis.ws is ws and analysis.states["docs/parity/m.md"] is state
    # different settings: a new configuration, and the matrix is checked under it
    assert analysis.apply_settings({"select": ["PM1"]}) is True
    assert analysis.ws is not ws and "docs/parity/m.md" not in analysis.states
    analysis.check("docs/parity/m.md")
    assert {f.code for f in analysis.findings("docs/parity/m.md")} == {"PM101"}  # the misspelt status
