"""Workspace-scoped findings (PM003) are a function of the current documents, whatever the
history of edits: what the server last published for each matrix equals a fresh check of the
same texts (issue 16, item 10). In-process, at the `Analysis` level, driven as the server
drives it: each edit publishes the edited matrix and every matrix whose workspace-scoped
findings changed (`Analysis.take_cross_changed`)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from parity_lsp.analysis import Analysis

FIXTURE = Path(__file__).parent / "fixtures" / "realistic"
MATRIX = "docs/parity/matrix.md"
OTHER = "docs/parity/other-parity.md"
HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)
# a second matrix on disk, with a row the edits may copy into the first
OTHER_ROW = "| Ported thing | X | Planned | unit | — | — | — | @o | |"
OTHER_TEXT = (
    "# Other\n\n## Misc\n\n"
    + HEADER
    + "| Archived thing | X | Planned | unit | — | — | — | @o | |\n"
    + OTHER_ROW
    + "\n"
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The realistic repository, its matrix cut to its first three tables (20 rows: each
    edit checks it again, most of them in full), and a second matrix."""
    dest = tmp_path / "realistic"
    shutil.copytree(FIXTURE, dest)
    text = (dest / MATRIX).read_text(encoding="utf-8")
    (dest / MATRIX).write_text(text[: text.index("## Partitions")], encoding="utf-8")
    (dest / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    return dest


def summary(findings) -> list[tuple]:
    return sorted(
        (f.code, f.span.start, f.span.end, f.message, tuple((r.path, r.line, r.column) for r in f.related))
        for f in findings
    )


def fresh(root: Path, text: str) -> dict[str, list[tuple]]:
    """What a new analysis (a fresh `check`) finds for the same texts."""
    analysis = Analysis(root)
    analysis.open_document(MATRIX, text, 0)
    analysis.open_matrices.add(MATRIX)
    analysis.check_all()
    return {rel: summary(analysis.findings(rel)) for rel in (MATRIX, OTHER)}


class Editor:
    """The server's side of an editing session, in process: `didChange` sets the buffer and
    publishes what the edit affects (sync.py), then what PM003 changed elsewhere."""

    def __init__(self, root: Path) -> None:
        self.analysis = Analysis(root)
        self.published: dict[str, list[tuple]] = {}
        self.version = 0
        self.analysis.check_all()
        for rel in self.analysis.take_cross_changed() | {MATRIX, OTHER}:
            self.publish(rel)

    def publish(self, rel: str) -> None:
        self.published[rel] = summary(self.analysis.findings(rel))

    def edit(self, text: str) -> None:
        self.version += 1
        analysis = self.analysis
        analysis.open_document(MATRIX, text, self.version)
        analysis.open_matrices.add(MATRIX)
        for rel in sorted(set(analysis.file_changed(MATRIX, False)) | {MATRIX}):
            self.publish(rel)
        for rel in sorted(analysis.take_cross_changed()):
            self.publish(rel)


def table_bodies(lines: list[str]) -> list[tuple[int, int]]:
    """[first body line, end) of each table."""
    out = []
    for i, line in enumerate(lines):
        if line.startswith("|---"):
            end = i + 1
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            out.append((i + 1, end))
    return out


def random_edit(rnd: random.Random, text: str) -> str:
    """One edit in the first two tables: a line inserted or removed (`| --- |`, a duplicated
    row), a capability changed or copied from another row, a keystroke in a cell."""
    lines = text.split("\n")
    tables = table_bodies(lines)[:2]
    start, end = rnd.choice(tables)
    i = rnd.randrange(start, end) if end > start else start
    kind = rnd.randrange(9)
    if kind == 0:
        lines.insert(i, "| --- |")
    elif kind == 8:
        lines.insert(i, OTHER_ROW)  # a capability of the other matrix
    elif kind == 1 and end - start > 1:
        del lines[i]
    elif kind == 2 and i < end:
        lines.insert(i, lines[i])  # a duplicated row
    elif kind == 3 and i < end:
        other = lines[rnd.randrange(*rnd.choice(tables))]
        cells, theirs = lines[i].split("|"), other.split("|")
        if len(cells) > 2 and len(theirs) > 2:
            cells[1] = theirs[1]  # another row's capability
            lines[i] = "|".join(cells)
    elif kind == 4 and i < end:
        lines[i] = lines[i].replace("| ", "|  ", 1)  # the capability moves within its row
    elif kind == 5 and i < end:
        line = lines[i]
        at = rnd.randrange(1, max(2, len(line)))
        lines[i] = line[:at] + rnd.choice("x |`") + line[at:]  # a keystroke
    elif kind == 6 and i < end and len(lines[i]) > 2:
        line = lines[i]
        at = rnd.randrange(1, len(line) - 1)
        lines[i] = line[:at] + line[at + 1 :]
    elif kind == 7 and i < end:
        lines[i] = lines[i].replace("| Implemented |", "| Planned |")
    return "\n".join(lines)


EDITS = 50


@pytest.mark.parametrize("seed", range(3))
def test_random_edits_then_undo_publish_what_a_fresh_check_finds(root, seed):
    original = (root / MATRIX).read_text(encoding="utf-8")
    editor = Editor(root)
    rnd = random.Random(seed)
    history = [original]
    for step in range(EDITS):
        history.append(random_edit(rnd, history[-1]))
        editor.edit(history[-1])
        if step % 25 == 24:
            assert editor.published == fresh(root, history[-1]), f"seed {seed}, edit {step}"
    for step, text in enumerate(reversed(history[:-1])):  # undo, one edit at a time
        editor.edit(text)
        if step % 25 == 24:
            assert editor.published == fresh(root, text), f"seed {seed}, undo {step}"
    assert editor.published == fresh(root, original)
    assert not any(f[0] == "PM003" for f in editor.published[MATRIX])


def test_duplicate_rows_inserted_then_deleted_leave_no_pm003(root):
    """The issue's repro: `| --- |` inserted as a row in two tables (the same capability
    twice), then both rows deleted: the text equals the file on disk again."""
    original = (root / MATRIX).read_text(encoding="utf-8")
    lines = original.split("\n")
    (a, _), (b, _) = table_bodies(lines)[:2]
    inserted = "\n".join(lines[:a] + ["| --- |"] + lines[a:b] + ["| --- |"] + lines[b:])
    editor = Editor(root)
    editor.edit(inserted)
    assert [f[0] for f in editor.published[MATRIX]].count("PM003") == 2
    assert editor.published == fresh(root, inserted)
    editor.edit(original)
    assert editor.published == fresh(root, original)
    assert not any(f[0] == "PM003" for f in editor.published[MATRIX])


def test_a_duplicate_across_files_is_published_on_both_and_cleared_on_both(root):
    """A row copied from the other matrix: PM003 on both files (the other is published
    because its workspace-scoped findings changed), and gone from both on undo."""
    original = (root / MATRIX).read_text(encoding="utf-8")
    lines = original.split("\n")
    (a, _), _ = table_bodies(lines)[:2]
    copied = "\n".join(lines[:a] + [OTHER_ROW] + lines[a:])
    editor = Editor(root)
    editor.edit(copied)
    assert [f[0] for f in editor.published[OTHER]] == ["PM003"]
    assert editor.published == fresh(root, copied)
    editor.edit(original)
    assert editor.published[OTHER] == []


def test_closing_an_unsaved_matrix_forgets_it(root):
    """An unsaved buffer that duplicates a capability of a matrix on disk, then closed: it is
    no matrix of the workspace any more (its diagnostics are to be cleared), and the PM003 it
    caused on the matrix on disk is gone."""
    analysis = Analysis(root)
    analysis.check_all()
    new = "docs/parity/unsaved-parity.md"
    analysis.open_document(new, OTHER_TEXT, 1)
    analysis.open_matrices.add(new)
    assert [f.code for f in analysis.findings(new)] == ["PM003", "PM003"]
    assert analysis.take_cross_changed() >= {OTHER}
    assert [f.code for f in analysis.findings(OTHER)] == ["PM003", "PM003"]
    affected, gone = analysis.close_document(new)
    assert gone and new not in affected and new not in analysis.states
    analysis.refresh_cross()
    assert OTHER in analysis.take_cross_changed()
    assert analysis.findings(OTHER) == []
