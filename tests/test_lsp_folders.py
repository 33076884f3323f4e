"""Workspace folders → analyses, in process (lsp/folders.py): which folder a document belongs
to, nested folders, the root of a document in no folder, and the bounded listing of such a
root (issue 16, items 12 and 13). End-to-end tests: test_lsp_workspace_state.py."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from lspkit import HEADER

from parity_lsp.analysis import Analysis
from parity_lsp.lsp.convert import Converter
from parity_lsp.lsp.folders import (
    IMPLICIT_MAX_FILES,
    Folder,
    Folders,
    implicit_root,
    index_for,
    listing_bound,
)
from parity_lsp.workspace.index import Workspace

ROW = "| Tick keys | Events | Planned | unit | `src/lib.rs` | — | — | @o | |\n"


def make_folder(root: Path, implicit: bool = False) -> Folder:
    analysis = Analysis(root)
    converter = Converter(analysis.root, "utf-16", functools.partial(index_for, analysis))
    return Folder(root.resolve().as_uri(), root.name, analysis, converter, implicit=implicit)


def matrix(root: Path) -> Path:
    (root / "docs/parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "src").mkdir()
    (root / "src/lib.rs").write_text("pub fn f() {}\n")
    (root / "docs/parity/m-parity.md").write_text("# M\n\n" + HEADER + ROW)
    return root


def test_a_document_belongs_to_its_longest_prefix_and_is_in_every_folder_holding_it(tmp_path):
    outer = matrix(tmp_path / "outer")
    inner = matrix(outer / "inner")
    lone = matrix(tmp_path / "lone")
    folders = Folders()
    f_outer, f_inner, f_lone = make_folder(outer), make_folder(inner), make_folder(lone, implicit=True)
    for f in (f_outer, f_inner, f_lone):
        folders.add(f)
    doc = (inner / "docs/parity/m-parity.md").resolve()
    assert folders.owner(doc) is f_inner
    assert {(f.name, rel) for f, rel in folders.containing(doc)} == {
        ("outer", "inner/docs/parity/m-parity.md"),
        ("inner", "docs/parity/m-parity.md"),
    }
    assert folders.owner((outer / "docs/parity/m-parity.md").resolve()) is f_outer
    assert folders.owner((lone / "docs/parity/m-parity.md").resolve()) is f_lone
    assert folders.owner(tmp_path.resolve() / "elsewhere.md") is None
    # the outer folder leaves the inner folder's matrices to it: no double publishing, no PM003
    # between the two; removing the inner folder gives them back
    assert f_outer.analysis.matrix_paths() == ["docs/parity/m-parity.md"]
    assert f_outer.analysis.check_all() == ["docs/parity/m-parity.md"]
    assert [f.code for f in f_outer.analysis.findings("docs/parity/m-parity.md")] == []
    folders.remove(f_inner)
    assert f_inner.removed and folders.owner(doc) is f_outer
    assert f_outer.analysis.matrix_paths() == ["docs/parity/m-parity.md", "inner/docs/parity/m-parity.md"]
    f_outer.analysis.check_all()
    assert [f.code for f in f_outer.analysis.findings("docs/parity/m-parity.md")] == ["PM003"]


def test_a_workspace_folder_wins_over_an_implicit_one(tmp_path):
    """A folder added by the client that holds an implicit root takes its documents (and keeps
    its matrices: the implicit folder is not "nested" in it)."""
    big = matrix(tmp_path / "big")
    small = matrix(big / "small")
    folders = Folders()
    f_small = make_folder(small, implicit=True)
    folders.add(f_small)
    doc = (small / "docs/parity/m-parity.md").resolve()
    assert folders.owner(doc) is f_small
    f_big = make_folder(big)
    folders.add(f_big)
    assert folders.owner(doc) is f_big
    assert "small/docs/parity/m-parity.md" in f_big.analysis.matrix_paths()


def test_the_root_of_a_document_in_no_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    project = home / "code" / "project"
    (project / "docs/parity").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    loose = home / "notes" / "deep"
    loose.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert implicit_root(project / "docs/parity/m-parity.md") == (project, True)  # its nearest root marker
    assert implicit_root(loose / "m.md") == (loose, True)  # none: its own directory
    assert implicit_root(home / "m.md") == (home, False)  # the home directory is never listed
    (home / ".git").mkdir()  # a dotfiles repository: still not a root
    assert implicit_root(loose / "m.md") == (loose, True)
    assert implicit_root(Path("/m.md")) == (Path("/"), False)


@pytest.mark.parametrize("limit", [0, 7])
def test_a_bounded_file_list_stops_at_its_limit(tmp_path, limit):
    for i in range(40):
        d = tmp_path / f"d{i % 4}"
        d.mkdir(exist_ok=True)
        (d / f"f{i}.md").write_text("x")
    bounded = Workspace(tmp_path, max_files=limit)
    files = bounded.files()
    assert len(files) == limit and bounded.files_truncated
    assert files == Workspace(tmp_path).files()[:limit]  # the first files in order
    unbounded = Workspace(tmp_path, max_files=100)
    assert len(unbounded.files()) == 40 and not unbounded.files_truncated


def test_a_workspace_folder_at_the_file_system_root_or_home_is_bounded(tmp_path, monkeypatch):
    """An editor started in `/` or `~` without a project may name it as the workspace folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert listing_bound(Path("/")) == 0  # never listed
    assert listing_bound(tmp_path) == IMPLICIT_MAX_FILES
    assert listing_bound(tmp_path / "project") is None  # a project: the user's choice, all of it
