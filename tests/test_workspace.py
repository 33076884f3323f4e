"""Workspace index and file system: .gitignore, exclude, containment, nearest paths, renames."""

import os
import subprocess

import pytest

from parity_lsp.config import Config
from parity_lsp.workspace.files import list_files
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace


def tree(root, files):
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)


def test_walk_honours_nested_gitignore_and_exclude(tmp_path):
    tree(
        tmp_path,
        {
            ".gitignore": "target/\n*.log\n",
            "src/a.rs": "",
            "target/debug/x.rs": "",
            "run.log": "",
            "docs/.gitignore": "drafts/\n",
            "docs/drafts/m.md": "",
            "docs/parity/m.md": "",
            "vendor/v.rs": "",
            "node_modules/p/index.js": "",
        },
    )
    files = list_files(tmp_path, exclude=["vendor/**"])
    assert files == [".gitignore", "docs/.gitignore", "docs/parity/m.md", "src/a.rs"]


def test_git_checkout_uses_ls_files(tmp_path):
    tree(tmp_path, {".gitignore": "ignored/\n", "a.rs": "", "ignored/b.rs": "", "untracked.rs": ""})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "a.rs", ".gitignore"], cwd=tmp_path, check=True)
    assert list_files(tmp_path) == [".gitignore", "a.rs", "untracked.rs"]


def test_symlinked_directory_outside_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    tree(outside, {"secret.rs": "fn secret() {}"})
    root = tmp_path / "root"
    tree(root, {"src/a.rs": ""})
    os.symlink(outside, root / "link")
    os.symlink(outside / "secret.rs", root / "src" / "leak.rs")
    fs = FileSystem(root)
    assert fs.escapes("link/secret.rs") and fs.escapes("src/leak.rs") and fs.escapes("../outside/secret.rs")
    assert fs.read_text("link/secret.rs").text is None
    assert fs.read_text("src/leak.rs").error == "outside the workspace"
    assert "link/secret.rs" not in list_files(root)


def test_fifo_is_never_opened_for_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.rs")
    fs = FileSystem(tmp_path)
    result = fs.read_text("pipe.rs")  # must return at once, not block
    assert result.text is None and result.error == "not a regular file"


def test_overlay_wins_over_disk(tmp_path):
    tree(tmp_path, {"a.rs": "fn old() {}"})
    ws = Workspace(tmp_path)
    assert [d.name for d in ws.source("a.rs").definitions] == ["old"]
    ws.fs.set_overlay("a.rs", "fn new() {}", 3)
    assert [d.name for d in ws.source("a.rs").definitions] == ["new"]
    ws.fs.clear_overlay("a.rs")
    assert [d.name for d in ws.source("a.rs").definitions] == ["old"]


def test_large_files_are_not_read(tmp_path):
    (tmp_path / "big.rs").write_text("x" * 2000)
    ws = Workspace(tmp_path, Config(max_file_bytes=1000))
    src = ws.source("big.rs")
    assert src.text is None and "limit" in src.error


def test_nearest_path(tmp_path):
    tree(
        tmp_path,
        {"crates/core/src/schedule.rs": "", "crates/core/src/lib.rs": "", "crates/other/src/x.rs": ""},
    )
    ws = Workspace(tmp_path)
    assert ws.nearest_path("crates/core/src/schedules.rs") == "crates/core/src/schedule.rs"
    assert ws.nearest_path("crates/kore/src/schedule.rs") == "crates/core/src/schedule.rs"  # same file name
    assert ws.nearest_path("crates/core/srcs/lib.rs") == "crates/core/src/lib.rs"
    assert ws.nearest_path("totally/else.py") is None


@pytest.mark.parametrize("stable_stats", [False, True])
def test_nearest_path_follows_files_that_appear_and_vanish(tmp_path, stable_stats):
    # with stable stats the answers are kept: until the editor (or a check) says a file came or went
    tree(tmp_path, {"crates/core/src/schedule.rs": "", "crates/core/src/lib.rs": ""})
    ws = Workspace(tmp_path)
    ws.fs.stable_stats = stable_stats
    assert ws.nearest_path("crates/core/src/schedules.rs") == "crates/core/src/schedule.rs"
    assert ws.nearest_path("crates/core/src/planner.rs") is None
    (tmp_path / "crates/core/src/plan.rs").write_text("")
    ws.file_appeared_or_vanished("crates/core/src/plan.rs", False)
    assert ws.nearest_path("crates/core/src/planner.rs") == "crates/core/src/plan.rs"
    (tmp_path / "crates/core/src/schedule.rs").unlink()
    ws.file_appeared_or_vanished("crates/core/src/schedule.rs", False)
    assert ws.nearest_path("crates/core/src/schedules.rs") is None


def test_nearest_path_answers_kept_are_bounded(tmp_path, monkeypatch):
    from parity_lsp.workspace import index

    monkeypatch.setattr(index, "NEAREST_KEPT", 2)
    tree(tmp_path, {"src/schedule.rs": "", "src/plan.rs": ""})
    ws = Workspace(tmp_path)
    ws.fs.stable_stats = True
    for _ in range(2):
        for typed in ("src/s", "src/sch", "src/schedule", "src/schedules.rs", "src/plans.rs"):
            assert ws.nearest_path(typed) == ws._nearest_path(typed, False)
            assert len(ws._nearest) <= 2
    assert ws.nearest_path("src/schedules.rs") == "src/schedule.rs"


def test_git_rename_history(tmp_path):
    tree(tmp_path, {"src/old.rs": "fn a() {}\n", "dir/x.rs": "", "dir/y.rs": ""})
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "a"], cwd=tmp_path, check=True)
    subprocess.run([*git, "mv", "src/old.rs", "src/new.rs"], cwd=tmp_path, check=True)
    subprocess.run([*git, "mv", "dir", "moved"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "b"], cwd=tmp_path, check=True)
    ws = Workspace(tmp_path)
    assert ws.renamed_to("src/old.rs") == "src/new.rs"
    assert ws.renamed_to("dir") == "moved"
    assert ws.renamed_to("never/was.rs") is None


def test_a_source_entry_never_answers_for_a_changed_file(tmp_path):
    tree(tmp_path, {"a.rs": "fn old() {}\n"})
    ws = Workspace(tmp_path)
    before = ws.source("a.rs")
    assert before.line_count == 1 and [d.name for d in before.definitions] == ["old"]
    (tmp_path / "a.rs").write_text("fn newer() {}\n\n")
    # the old entry's text is gone with the file's version; the workspace reads the new one
    assert before.text is None
    after = ws.source("a.rs")
    assert after.line_count == 2 and [d.name for d in after.definitions] == ["newer"]


def test_texts_kept_in_memory_are_bounded(tmp_path):
    from parity_lsp.workspace.fs import TEXT_CACHE_FILES

    n = TEXT_CACHE_FILES + 50
    tree(tmp_path, {f"src/m{i}.rs": f"pub fn f{i}() {{}}\n" for i in range(n)})
    ws = Workspace(tmp_path)
    ws.fs.stable_stats = True
    for i in range(n):
        assert ws.source(f"src/m{i}.rs").lookup(f"f{i}")
    assert len(ws.fs._texts) == TEXT_CACHE_FILES
    # an entry whose text was dropped reads it again, and still answers
    assert ws.source("src/m0.rs").text == "pub fn f0() {}\n"
    assert [d.line for d in ws.source("src/m1.rs").lookup("f1")] == [0]


def test_lru_forgets_the_least_recently_used_entry():
    from parity_lsp.workspace.lru import LRU

    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the oldest
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3 and len(cache) == 2
    cache.pop("a")
    assert cache.get("a") is None and len(cache) == 1


def test_definitions_are_kept_for_the_recently_used_files_only(tmp_path, monkeypatch):
    from parity_lsp.workspace import index

    monkeypatch.setattr(index, "DEFINITIONS_KEPT_FILES", 3)
    # (Rust's scans for some names stay partial when repeated: here, as for the other languages,
    # the second question scans the whole file, whose definitions are kept)
    monkeypatch.setattr(index, "REPEATED_PARTIAL_SCANS", frozenset())
    tree(tmp_path, {f"src/m{i}.rs": f"pub fn f{i}() {{}}\n\npub fn g{i}() {{}}\n" for i in range(5)})
    ws = Workspace(tmp_path)
    first = ws.source("src/m0.rs")
    assert [d.line for d in first.lookup("f0")] == [0]
    assert first._definitions is False and not ws._scanned  # the first question scans for its name only
    assert [d.line for d in first.lookup("g0")] == [2]  # a second one scans the whole file: kept
    assert first._definitions is not False and len(ws._scanned) == 1
    for i in range(1, 5):
        src = ws.source(f"src/m{i}.rs")
        assert src.lookup(f"f{i}") and src.lookup(f"g{i}")
    assert len(ws._scanned) == 3 and first._definitions is False  # dropped: the oldest scan
    # answers given stay; a new question scans the file again
    assert [d.line for d in first.lookup("f0")] == [0]
    assert first.lookup("pub") == [] and first._definitions is not False  # (a word of the text)
    assert [d.name for d in ws.source("src/m0.rs").definitions] == ["f0", "g0"]


def test_a_removed_root_answers_missing_not_a_traceback(tmp_path):
    import shutil

    root = tmp_path / "ws"
    tree(root, {"src/a.rs": "fn a() {}\n"})
    ws = Workspace(root)
    shutil.rmtree(root)
    assert ws.fs.stat("") is None and ws.fs.list_dir("") == []
    assert ws.fs.read_bytes("src/a.rs") == (None, "does not exist")
    assert ws.source("src/a.rs").text is None and not ws.source("src/a.rs").readable


def test_ignored_paths_never_read_a_gitignore_through_a_symlinked_directory(tmp_path):
    from parity_lsp.workspace.files import ignored_paths

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".gitignore").write_text("*\n")  # would ignore everything, were it read
    root = tmp_path / "ws"
    tree(root, {".gitignore": "*.log\n", "src/a.rs": ""})
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert ignored_paths(root, ["link/x.rs", "link/y.log", "src/b.rs"]) == {"link/y.log"}


import pytest  # noqa: E402


@pytest.mark.parametrize("git", [False, True])
def test_is_matrix_file_for_one_path_agrees_with_the_file_list(tmp_path, git):
    """A document's first open asks whether it is a matrix before any listing: the answer for
    that path alone must be the file list's, whatever hides a file from the list."""
    tree(
        tmp_path,
        {
            ".gitignore": "drafts/\n*.tmp.md\n",
            "docs/.gitignore": "private-parity.md\n",
            ".parity-lsp.toml": 'exclude = ["docs/parity/old/**"]\n',
            "docs/parity/matrix.md": "",
            "docs/parity/sub/deep.md": "",
            "docs/parity/notes.txt": "",
            "docs/parity/old/m.md": "",
            "docs/parity/x.tmp.md": "",
            "docs/private-parity.md": "",
            "drafts/parity.md": "",
            "node_modules/pkg/parity.md": "",
            "api-parity.csv": "",
            "sub/team_parity.tsv": "",
            "README.md": "",
            "docs/parity/dir.md/inner.rs": "",
        },
    )
    os.symlink(tmp_path / "README.md", tmp_path / "docs" / "parity" / "link.md")
    if git:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        subprocess.run(["git", "add", "docs/parity/matrix.md", ".gitignore"], cwd=tmp_path, check=True)
    from parity_lsp.config import load_config

    config = load_config(tmp_path)[0]
    asked = [
        "docs/parity/matrix.md",
        "docs/parity/sub/deep.md",
        "docs/parity/notes.txt",
        "docs/parity/old/m.md",
        "docs/parity/x.tmp.md",
        "docs/private-parity.md",
        "drafts/parity.md",
        "node_modules/pkg/parity.md",
        "api-parity.csv",
        "sub/team_parity.tsv",
        "README.md",
        "docs/parity/missing.md",
        "docs/parity/dir.md",
        "docs/parity/link.md",
        "../outside-parity.md",
    ]
    one_by_one = Workspace(tmp_path, config)
    answers = {rel: one_by_one.is_matrix_file(rel) for rel in asked}
    assert one_by_one._files is None  # nothing was listed to answer
    listed = Workspace(tmp_path, config)
    assert answers == {rel: rel in listed.matrix_files() for rel in asked}
    assert {rel for rel, yes in answers.items() if yes} == {
        "docs/parity/matrix.md",
        "docs/parity/sub/deep.md",
        "api-parity.csv",
        "sub/team_parity.tsv",
        "docs/parity/link.md",
    }


def test_is_matrix_file_follows_created_files(tmp_path):
    tree(tmp_path, {"docs/parity/a.md": ""})
    ws = Workspace(tmp_path, Config())
    assert not ws.is_matrix_file("docs/parity/b.md")
    (tmp_path / "docs/parity/b.md").write_text("")
    ws.invalidate_files()
    assert ws.is_matrix_file("docs/parity/b.md")


from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_POOL = [
    "a.rs",
    "b.log",
    "src/b.log",
    "docs/z.log",
    "src/c.rs",
    "src/gen/d.rs",
    "src/gen/e.log",
    "docs/x.md",
    "docs/drafts/y.md",
    "target/debug/z",
    "deep/er/still/f.py",
    "node_modules/p/i.js",
    "src/target/keep.rs",
]
_PATTERNS = [
    "*.log",
    "target/",
    "gen/",
    "/a.rs",
    "drafts",
    "!e.log",
    "deep/**/f.py",
    "*.md",
    "!docs/x.md",
    "src/",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(_POOL), min_size=1, unique=True),
    st.dictionaries(
        st.sampled_from(["", "src", "docs", "deep/er"]),
        st.lists(st.sampled_from(_PATTERNS), max_size=3),
        max_size=3,
    ),
)
@example(["src/b.log", "b.log", "src/gen/d.rs"], {"": ["*.log"], "src": ["gen/"]})  # both levels apply
@example(["docs/x.md", "docs/drafts/y.md"], {"": ["*.md"], "docs": ["!x.md"]})  # a nested negation
def test_the_walk_ignores_what_each_gitignore_says(tmp_path_factory, files, gitignores):
    """The walk looks up the .gitignore files of each directory once, not per file: it must
    list what asking every .gitignore from the root down about each path would."""
    from parity_lsp.workspace.files import ALWAYS_SKIPPED_DIRS, _gitignored, compile_globs

    root = tmp_path_factory.mktemp("walk")
    tree(root, dict.fromkeys(files, ""))
    specs = {}
    for directory, patterns in gitignores.items():
        (root / directory).mkdir(parents=True, exist_ok=True)
        (root / directory / ".gitignore").write_text("\n".join(patterns) + "\n")
        specs[directory] = compile_globs(patterns)
    walked = list_files(root)  # no git here: the walk
    assert walked == sorted(set(walked))  # each file once, in sorted order
    listed = set(walked)
    everything = set(files) | {f"{d}/.gitignore" if d else ".gitignore" for d in gitignores}
    expected = set()
    for rel in everything:
        parts = rel.split("/")
        dirs = ["/".join(parts[:k]) for k in range(1, len(parts))]
        if any(p in ALWAYS_SKIPPED_DIRS for p in parts[:-1]) or any(
            _gitignored(specs.get, d, True) for d in dirs
        ):
            continue
        if not _gitignored(specs.get, rel, False):
            expected.add(rel)
    assert listed == expected


def test_the_walk_lists_files_in_sorted_order_and_does_not_enter_linked_directories(tmp_path):
    names = [
        "a/b/c.rs",
        "a/b.rs",
        "a/b-c.rs",
        "a/b0",
        "a.b/x",
        "a-b",
        "a0",
        "é/é.rs",
        "Z.md",
        "a/b/d/e.rs",
        "outside/o.rs",
    ]
    tree(tmp_path, dict.fromkeys(names, ""))
    os.symlink(tmp_path / "outside", tmp_path / "a" / "linked_dir")  # listed by neither os.walk nor us
    os.symlink(tmp_path / "a0", tmp_path / "a" / "linked_file")
    os.symlink(tmp_path / "missing", tmp_path / "a" / "broken_link")
    walked = list_files(tmp_path)  # no git here: the walk
    assert walked == sorted(walked)
    expected = sorted(names + ["a/linked_file", "a/broken_link"])
    assert walked == expected
    reference = sorted(
        os.path.relpath(os.path.join(d, f), tmp_path).replace(os.sep, "/")
        for d, _, fs in os.walk(tmp_path, followlinks=False)
        for f in fs
    )
    assert walked == reference


def test_searching_a_package_for_a_symbol_finds_what_looking_in_every_file_finds(tmp_path):
    # files that cannot define the symbol (its last word is not in them) are skipped unread
    # into entries: the answers must be those of asking each file of the package
    from parity_lsp.workspace.index import _scope_files, find_symbol_near

    tree(
        tmp_path,
        {
            "crates/core/Cargo.toml": '[package]\nname = "core"\n',
            "crates/core/src/lib.rs": "pub fn tick_key() {}\nimpl Store { pub fn persist(&self) {} }\n",
            "crates/core/src/a.rs": "// tick_key moved to lib.rs\npub fn other() {}\n",
            "crates/core/src/b.rs": "pub struct Store;\nimpl Store { fn persist(&self) {} }\n",
            "crates/core/src/c.rs": "fn unrelated() {}\n",
            "crates/core/tests/t.rs": "#[test]\nfn tick_key_is_stable() {}\n",
        },
    )
    (tmp_path / "crates/core/src/bin.rs").write_bytes(b"\xff\xfe tick_key \x00")
    ws = Workspace(tmp_path)
    ws.source("crates/core/src/a.rs").lookup("other")  # one file already has an entry
    for symbol in ("tick_key", "Store::persist", "persist", "tick_key_is_stable", "missing", "Store"):
        scope = _scope_files(ws, "crates/core", "rust", "crates/core/src")
        expected = [
            (f, d)
            for f in scope
            if f != "crates/core/src/gone.rs"
            for d in (ws.source(f).lookup(symbol) or ())
        ]
        assert find_symbol_near(Workspace(tmp_path), "crates/core/src/gone.rs", symbol) == expected, symbol
        assert find_symbol_near(ws, "crates/core/src/gone.rs", symbol) == expected, symbol


def test_the_file_list_walked_in_steps_is_the_list_and_a_change_meanwhile_walks_again(tmp_path):
    """A server walks the file list a directory a step, between messages; the result is the
    list `files()` gives, and a file created while it walked (a watched-file event invalidates
    the list) is not lost: the stale walk is not kept, the list is walked again."""
    for rel in ("a/x.rs", "a/b/y.rs", "c/z.py", "d/e/f/g.md", "ignored/h.rs", "top.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / ".gitignore").write_text("ignored/\n")
    expected = Workspace(tmp_path).files()
    assert "ignored/h.rs" not in expected and "a/b/y.rs" in expected

    ws = Workspace(tmp_path)
    steps = ws.files_steps()
    next(steps)  # the root directory is listed
    next(steps)
    (tmp_path / "a" / "new.rs").write_text("")  # in a directory the walk has listed
    ws.file_appeared_or_vanished("a/new.rs", ignored=False)  # as a watched-file event does
    walked = [None for _ in steps]
    assert len(walked) >= 3, "a step per directory"
    assert ws._files is not None  # the walk kept its list: no listing of its own below
    assert ws.files() == sorted([*expected, "a/new.rs"])


def test_a_snapshot_stats_each_path_once_while_it_runs_and_the_disk_again_after(tmp_path, monkeypatch):
    """A server's first check runs before its client says it reports file changes: every stat
    asks the disk. During one check (`FileSystem.snapshot`) a path is stat-ed once — the
    workflow that each of 2,000 rows cites was stat-ed 2,000 times — and after it the disk
    is asked again."""
    from parity_lsp.analysis import Analysis
    from parity_lsp.workspace import fs as fs_module

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.rs").write_text("fn a() {}\n")
    fs = FileSystem(tmp_path)
    with fs.snapshot():
        assert fs.exists("src/a.rs")
        (tmp_path / "src" / "a.rs").unlink()
        assert fs.exists("src/a.rs")  # one answer per path while it runs
    assert not fs.exists("src/a.rs")  # after it, the disk

    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("jobs:\n  t:\n    steps:\n      - run: x\n")
    (tmp_path / "docs" / "parity").mkdir(parents=True)
    rows = "".join(
        f"| Cap {i} | Planned | `src/m{i}.rs` | `.github/workflows/ci.yml` (job `t`: `x`) |\n"
        for i in range(50)
    )
    (tmp_path / "docs" / "parity" / "m.md").write_text(
        "| Capability | Status | Evidence (Code) | Evidence (CI) |\n|---|---|---|---|\n" + rows
    )
    stats: list[str] = []
    lstat = os.lstat
    monkeypatch.setattr(fs_module.os, "lstat", lambda p, *a, **k: stats.append(str(p)) or lstat(p, *a, **k))
    analysis = Analysis(tmp_path)
    assert not analysis.ws.fs.stable_stats
    analysis.check("docs/parity/m.md", staged=True)
    assert sum(s.endswith("ci.yml") for s in stats) == 1
