"""Fix planning, diffs and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity_lsp import fixer
from parity_lsp.findings import Edit, Fix
from parity_lsp.fixer import FileChangedError, plan_fixes, read_source, unified_diff, write_atomically
from parity_lsp.text import Span

M = "docs/parity/m.md"
N = "docs/parity/n.md"


def fix(message, *edits):
    return Fix(message, tuple(Edit(path, Span(s, e), content) for path, s, e, content in edits))


# --- planning -----------------------------------------------------------------------------


def test_edits_apply_in_reverse_order_with_shifting_lengths():
    text = "see line 120 and line 7"
    plans = plan_fixes(
        {M: text}, [fix("a", (M, 9, 12, "14")), fix("b", (M, 22, 23, "1234")), fix("c", (M, 0, 0, ">> "))]
    )
    assert plans[M].updated == ">> see line 14 and line 1234"
    assert [f.message for f in plans[M].applied] == ["a", "b", "c"]
    assert plans[M].skipped == []


def test_overlapping_fix_is_skipped_with_a_reason():
    text = "0123456789"
    first = fix("first", (M, 2, 6, "X"))
    overlapping = fix("second", (M, 5, 8, "Y"))
    adjacent = fix("third", (M, 6, 8, "Z"))
    plans = plan_fixes({M: text}, [first, overlapping, adjacent])
    assert plans[M].updated == "01XZ89"
    assert plans[M].applied == [first, adjacent]
    [(skipped, reason)] = plans[M].skipped
    assert skipped is overlapping
    assert "overlaps the fix 'first'" in reason and "[2:6]" in reason


def test_insertions_at_the_same_point_or_inside_a_replacement_conflict():
    text = "abcdef"
    plans = plan_fixes(
        {M: text},
        [
            fix("ins", (M, 3, 3, "1")),
            fix("ins again", (M, 3, 3, "2")),
            fix("touching", (M, 1, 3, "")),
            fix("far", (M, 5, 5, "!")),
        ],
    )
    assert plans[M].updated == "abc1de!f"
    assert [f.message for f, _ in plans[M].skipped] == ["ins again", "touching"]


def test_a_fix_is_all_or_nothing_across_files():
    texts = {M: "aaaa", N: "bbbb"}
    taken = fix("taken", (N, 0, 2, "X"))
    both = fix("rename in both", (M, 0, 1, "A"), (N, 1, 3, "B"))  # conflicts in N only
    plans = plan_fixes(texts, [taken, both])
    assert plans[M].updated == "aaaa"  # not half-applied
    assert plans[N].updated == "Xbb"
    assert plans[M].skipped[0][0] is both and plans[N].skipped[0][0] is both
    assert plans[M].applied == [] and plans[N].applied == [taken]


def test_multi_file_fix_applies_to_every_file():
    texts = {M: "see `old.py`", N: "old.py:1"}
    both = fix("rename", (M, 5, 11, "new.py"), (N, 0, 6, "new.py"))
    plans = plan_fixes(texts, [both])
    assert plans[M].updated == "see `new.py`" and plans[N].updated == "new.py:1"
    assert plans[M].applied == [both] and plans[N].applied == [both]


def test_fix_with_self_overlapping_edits_unknown_file_or_bad_span_is_skipped():
    text = "0123456789"
    plans = plan_fixes(
        {M: text},
        [
            fix("self", (M, 0, 5, "a"), (M, 4, 6, "b")),
            fix("elsewhere", (M, 0, 1, "x"), ("unknown.md", 0, 1, "y")),
            fix("past end", (M, 8, 11, "z")),
            Fix("empty", ()),
        ],
    )
    assert plans[M].updated == text
    reasons = {f.message: r for f, r in plans[M].skipped}
    assert "own edits overlap" in reasons["self"]
    assert "unknown.md is not loaded" in reasons["elsewhere"]
    assert "past the end" in reasons["past end"]
    assert "unknown.md" not in plans


def test_unsafe_and_duplicate_fixes():
    text = "abc"
    unsafe = Fix("guess", (Edit(M, Span(0, 1), "X"),), safe=False)
    safe = fix("safe", (M, 2, 3, "Z"))
    plans = plan_fixes({M: text}, [unsafe, safe, safe])
    assert plans[M].updated == "abZ"
    assert [r for _, r in plans[M].skipped] == [
        "unsafe fix (offered in the editor only)",
        "duplicate of a fix already applied",
    ]
    assert plan_fixes({M: text}, [unsafe], include_unsafe=True)[M].updated == "Xbc"


def test_crlf_text_keeps_its_line_endings():
    text = "| a |\r\n| b |\r\n"
    plans = plan_fixes({M: text}, [fix("b", (M, 9, 10, "c\r\n| d"))])
    assert plans[M].updated == "| a |\r\n| c\r\n| d |\r\n"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab\n😀", max_size=30),
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 5), st.text(alphabet="XY", max_size=3)), max_size=6
    ),
)
def test_plan_matches_a_left_to_right_rebuild(text, raw):
    fixes = []
    for start, length, content in raw:
        start = min(start, len(text))
        fixes.append(fix(f"{start}+{length}->{content}", (M, start, min(start + length, len(text)), content)))
    plans = plan_fixes({M: text}, fixes)
    if not fixes:
        assert plans == {}
        return
    plan = plans[M]
    assert len(plan.applied) + len(plan.skipped) == len(fixes)
    edits = sorted((e for f in plan.applied for e in f.edits), key=lambda e: e.span.start)
    out, pos = [], 0
    for e in edits:
        assert e.span.start >= pos  # accepted edits never overlap
        out.append(text[pos : e.span.start] + e.content)
        pos = e.span.end
    out.append(text[pos:])
    assert plan.updated == "".join(out)


# --- diff ---------------------------------------------------------------------------------


def test_unified_diff_headers_and_content():
    plans = plan_fixes({M: "one\ntwo\nthree\n"}, [fix("f", (M, 4, 7, "2"))])
    assert unified_diff(plans[M]) == (f"--- a/{M}\n+++ b/{M}\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n")


def test_unified_diff_marks_missing_final_newline_and_is_empty_without_change():
    plans = plan_fixes({M: "a\nb"}, [fix("f", (M, 2, 3, "c"))])
    diff = unified_diff(plans[M])
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")
    unchanged = plan_fixes({M: "a"}, [fix("f", (M, 0, 1, "X")), fix("g", (M, 0, 1, "Y"))])[M]
    unchanged.updated = unchanged.original
    assert unified_diff(unchanged) == ""


# --- atomic writes -------------------------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_keeps_mode_crlf_and_bom(tmp_path):
    target = tmp_path / "m.md"
    original = "\ufeff| a |\r\n| b |\r\n".encode("utf-8")
    target.write_bytes(original)
    os.chmod(target, 0o640)
    src = read_source(target)
    assert src.bom and src.newline == "\r\n" and src.text == "| a |\r\n| b |\r\n"
    plans = plan_fixes({M: src.text}, [fix("f", (M, 9, 10, "c"))])
    write_atomically(target, plans[M].updated, src.raw, bom=src.bom, newline=None)
    assert target.read_bytes() == "\ufeff| a |\r\n| c |\r\n".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_write_converts_line_endings_when_asked(tmp_path):
    target = tmp_path / "m.md"
    target.write_bytes(b"a\r\nb\r\n")
    write_atomically(target, "a\nc\n", b"a\r\nb\r\n", bom=False, newline="\r\n")
    assert target.read_bytes() == b"a\r\nc\r\n"
    write_atomically(target, "x\r\ny\n", b"a\r\nc\r\n", bom=False, newline="\n")
    assert target.read_bytes() == b"x\ny\n"


def test_write_refuses_when_the_file_changed(tmp_path):
    target = tmp_path / "m.md"
    target.write_bytes(b"edited by someone else\n")
    with pytest.raises(FileChangedError, match="changed since it was read; not writing"):
        write_atomically(target, "new\n", b"original\n", bom=False, newline=None)
    assert target.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_write_refuses_when_the_file_is_gone(tmp_path):
    with pytest.raises(FileChangedError, match="no longer exists"):
        write_atomically(tmp_path / "gone.md", "new\n", b"original\n", bom=False, newline=None)
    assert list(tmp_path.iterdir()) == []


def test_write_refuses_when_the_file_changes_while_writing(tmp_path, monkeypatch):
    target = tmp_path / "m.md"
    target.write_bytes(b"original\n")
    real_chmod = os.chmod

    def chmod_then_race(path, mode, *args, **kwargs):
        real_chmod(path, mode, *args, **kwargs)
        target.write_bytes(b"raced\n")  # another writer sneaks in before the rename

    monkeypatch.setattr(fixer.os, "chmod", chmod_then_race)
    with pytest.raises(FileChangedError):
        write_atomically(target, "new\n", b"original\n", bom=False, newline=None)
    assert target.read_bytes() == b"raced\n"
    assert leftovers(tmp_path) == []


def test_temp_file_is_removed_when_replace_fails(tmp_path, monkeypatch):
    target = tmp_path / "m.md"
    target.write_bytes(b"original\n")
    seen = []

    def failing_replace(src, dst):
        seen.append(Path(src))
        assert Path(src).read_bytes() == b"new\n"  # fully written and flushed before the rename
        raise OSError("disk on fire")

    monkeypatch.setattr(fixer.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomically(target, "new\n", b"original\n", bom=False, newline=None)
    [tmp] = seen
    assert tmp.parent == tmp_path  # same directory, so the rename is atomic
    assert not tmp.exists()
    assert target.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_a_kill_before_the_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "m.md"
    target.write_bytes(b"original\n")

    def killed(src, dst):
        raise KeyboardInterrupt  # SIGINT at the worst moment

    monkeypatch.setattr(fixer.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new text\n", b"original\n", bom=False, newline=None)
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.md"]


def test_temp_file_is_removed_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "m.md"
    target.write_bytes(b"original\n")

    def no_fsync(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(fixer.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        write_atomically(target, "new\n", b"original\n", bom=False, newline=None)
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.md"]


def test_symlink_is_kept_and_its_target_written(tmp_path):
    real = tmp_path / "real.md"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomically(link, "new\n", b"old\n", bom=False, newline=None)
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_read_source_rejects_binary(tmp_path):
    target = tmp_path / "b.md"
    target.write_bytes(b"\x00\x01")
    with pytest.raises(ValueError, match="binary"):
        read_source(target)
