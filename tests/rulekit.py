"""Fixture helpers for the per-rule tests (rust-analyzer style: tiny workspaces written inline).

Plain module, imported by `tests/test_rules_*.py`; not a conftest, so it never collides with
fixtures other suites add.

    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Ticks", "code": "`src/a.rs:9` (`f`)"}]), "src/a.rs": RUST})
    d = one(check(root, select="PM3"), "PM304")
    assert at(d) == in_row(root, "Ticks", "9", after="src/a.rs:")

`check` runs the real engine and returns the diagnostics exactly as `parity-lsp check --format
json` prints them (1-based line/column, end exclusive, code points; `fix` null unless safe).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import subprocess
import textwrap
from collections.abc import Iterable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from parity_lsp import cli
from parity_lsp.config import Config, load_config
from parity_lsp.engine import ALL_RULES, check_paths
from parity_lsp.output import make_report, render
from parity_lsp.text import LineIndex
from parity_lsp.workspace.index import Workspace

MATRIX = "docs/parity/matrix.md"

# Short keys for the SPEC's nine required columns, in order.
COLUMNS = {
    "cap": "Capability",
    "feature": "Arco Feature",
    "status": "Status",
    "proof": "Proof Level Required",
    "code": "Evidence (Code)",
    "tests": "Evidence (Tests)",
    "ci": "Evidence (CI)",
    "owner": "Owner",
    "notes": "Notes",
}
DEFAULTS = {
    "feature": "Feature",
    "status": "Partial",
    "proof": "unit",
    "code": "",
    "tests": "",
    "ci": "",
    "owner": "@team",
    "notes": "",
}


# --- writing workspaces --------------------------------------------------------------------


def workspace(tmp_path: Path, files: dict[str, str | bytes], *, dedent: bool = True) -> Path:
    """Write `files` (workspace-relative path -> content) under `tmp_path/ws` and return the root.

    String contents are dedented and have a leading newline removed, so triple-quoted
    literals can be indented with the test. A `.git`-free root is fine: the engine is given
    the root explicitly.
    """
    root = tmp_path / "ws"
    root.mkdir(parents=True, exist_ok=True)
    write(root, files, dedent=dedent)
    return root


def write(root: Path, files: dict[str, str | bytes], *, dedent: bool = True) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            if dedent:
                content = textwrap.dedent(content)
                if content.startswith("\n"):
                    content = content[1:]
            p.write_bytes(content.encode("utf-8"))


Row = dict[str, str] | list[str]


def _row_cells(row: Row, n: int) -> list[str]:
    if isinstance(row, list):
        return row
    unknown = set(row) - set(COLUMNS)
    assert not unknown, f"unknown matrix keys {unknown}; use {list(COLUMNS)}"
    values = {**DEFAULTS, "cap": f"Capability {n}", **row}
    return [values[k] for k in COLUMNS]


def matrix(
    rows: Iterable[Row | str],
    *,
    header: list[str] | None = None,
    title: str = "# Parity matrix",
    group: str | None = "## Group",
    before_table: str = "",
    after: str = "",
) -> str:
    """A Markdown matrix with the full 9-column header (docs/spec/matrix.md#matrix-tables) and one row per entry.

    A row is a dict of short keys (cap, feature, status, proof, code, tests, ci, owner, notes;
    unspecified cells get harmless defaults: a unique capability, status Partial, proof unit,
    owner @team, empty evidence) or a list of raw cells (used as is, e.g. for PM002).
    A string row is written verbatim (directives, rows without outer pipes).
    """
    head = header or list(COLUMNS.values())
    lines = []
    if title:
        lines += [title, ""]
    if group:
        lines += [group, ""]
    if before_table:
        lines += [before_table.rstrip("\n")]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    n = 0
    for row in rows:
        if isinstance(row, str):
            lines.append(row)
            continue
        n += 1
        lines.append("| " + " | ".join(_row_cells(row, n)) + " |")
    text = "\n".join(lines) + "\n"
    if after:
        text += "\n" + after.rstrip("\n") + "\n"
    return text


def csv_matrix(rows: Iterable[Row], *, header: list[str] | None = None) -> str:
    """The same matrix as CSV (cells quoted when they hold a comma or quote)."""

    def q(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell

    head = header or list(COLUMNS.values())
    lines = [",".join(q(h) for h in head)]
    for n, row in enumerate(rows, start=1):
        lines.append(",".join(q(c) for c in _row_cells(row, n)))
    return "\n".join(lines) + "\n"


# --- running the engine --------------------------------------------------------------------


def make_config(root: Path, select: str | Iterable[str] | None = None, **overrides: Any) -> Config:
    """Config from the root's config file (if any), then `select` and `overrides` (Config field
    names, snake_case; lists become tuples)."""
    config, problems, _ = load_config(root)
    assert not problems, [p.message for p in problems]
    names = {f.name for f in fields(Config)}
    updates: dict[str, Any] = {}
    if select is not None:
        updates["select"] = (select,) if isinstance(select, str) else tuple(select)
    for key, value in overrides.items():
        assert key in names, f"unknown Config field {key!r}"
        updates[key] = tuple(value) if isinstance(value, list) else value
    return replace(config, **updates) if updates else config


def run(root: Path, select: str | Iterable[str] | None = None, paths: list[str] | None = None, **config: Any):
    """(CheckResult, json diagnostics) of the real engine."""
    ws = Workspace(root, make_config(root, select, **config))
    result = check_paths(ws, paths)
    indexes = {m.path: m.index for m in result.matrices}

    def index_for(path: str) -> LineIndex:
        if path not in indexes:
            indexes[path] = LineIndex(ws.fs.read_text(path).text or "")
        return indexes[path]

    files = [m.path for m in result.matrices] + sorted(result.unreadable)
    report = make_report(str(ws.root), files, result.findings, index_for, ALL_RULES)
    return result, json.loads(render(report, "json"))["diagnostics"]


def check(root: Path, select: str | Iterable[str] | None = None, **config: Any) -> list[dict]:
    """Diagnostics as `parity-lsp check --format json` prints them."""
    return run(root, select, **config)[1]


def findings(root: Path, select: str | Iterable[str] | None = None, **config: Any):
    """The engine's Finding objects (unsafe fixes and alternatives included)."""
    return run(root, select, **config)[0].findings


def only(diags: list[dict], code: str) -> list[dict]:
    return [d for d in diags if d["code"] == code]


def codes(diags: list[dict]) -> list[str]:
    return [d["code"] for d in diags]


def at(d: dict) -> dict:
    """The position of a diagnostic (or edit), for comparison with `span_of`."""
    return {k: d[k] for k in ("line", "column", "end_line", "end_column")}


def span_of(
    root_or_text: Path | str,
    rel: str | None,
    needle: str,
    *,
    line: int | None = None,
    nth: int = 0,
    after: str | None = None,
) -> dict:
    """1-based position of `needle` in a file (or a text), as the JSON output writes it.

    Computed independently of the engine: lines split at \\r\\n, \\r and \\n, columns are
    Python code point indexes. `line`: only look on this 1-based line; `after`: only look after
    the first occurrence of this text on each line; `nth`: which occurrence (0-based).
    """
    if isinstance(root_or_text, Path):
        text = (root_or_text / rel).read_bytes().decode("utf-8")
    else:
        text = root_or_text
    text = text.removeprefix("\ufeff")
    assert "\n" not in needle
    hits = []
    for ln, content in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if line is not None and ln != line:
            continue
        pos = 0
        if after is not None:
            a = content.find(after)
            if a == -1:
                continue
            pos = a + len(after)
        while (i := content.find(needle, pos)) != -1:
            hits.append((ln, i))
            pos = i + 1
    assert len(hits) > nth, f"{needle!r} occurs {len(hits)} times"
    ln, col = hits[nth]
    return {"line": ln, "column": col + 1, "end_line": ln, "end_column": col + 1 + len(needle)}


def line_of(root: Path, rel: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line containing `needle`."""
    text = (root / rel).read_bytes().decode("utf-8").removeprefix("\ufeff")
    hits = [i for i, ln in enumerate(re.split(r"\r\n|\r|\n", text), start=1) if needle in ln]
    assert len(hits) > nth, f"{needle!r} is on {len(hits)} lines"
    return hits[nth]


def row_line(root: Path, capability: str, rel: str = MATRIX) -> int:
    """1-based line of the row whose first cell is `capability` (Markdown, CSV or TSV)."""
    text = (root / rel).read_bytes().decode("utf-8").removeprefix("\ufeff")
    for i, ln in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        body = ln.lstrip().removeprefix("|").lstrip()
        if body.startswith(capability) and body[len(capability) :].startswith((" |", ",", "\t")):
            return i
    raise AssertionError(f"no row {capability!r} in {rel}")


def in_row(
    root: Path, capability: str, needle: str, *, nth: int = 0, after: str | None = None, rel: str = MATRIX
) -> dict:
    """Position of `needle` on the row of `capability`."""
    return span_of(root, rel, needle, line=row_line(root, capability, rel), nth=nth, after=after)


def one(diags: list[dict], code: str) -> dict:
    """The single diagnostic of `code` (fails listing everything otherwise)."""
    hits = only(diags, code)
    assert len(hits) == 1, f"expected one {code}, got {[(d['code'], d['line'], d['message']) for d in diags]}"
    return hits[0]


def summary(diags: list[dict]) -> list[tuple]:
    """(code, line, message) of each diagnostic: what must not change when something else is fixed."""
    return sorted((d["code"], d["line"], d["message"]) for d in diags)


# --- fixing --------------------------------------------------------------------------------


def fix(root: Path, select: str, *extra: str) -> tuple[int, str]:
    """Run `parity-lsp fix --root ROOT --select CODES` in-process; (exit code, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["fix", "--root", str(root), "--select", select, *extra])
    return code, err.getvalue()


def apply_edits(text: str, diags: list[dict]) -> str:
    """Apply the JSON fix edits of `diags` to `text` by line/column (1-based, code points), the
    way a client would: every edit of every fix, last position first. Edits must be disjoint."""
    lines = re.split(r"(\r\n|\r|\n)", text)  # content, break, content, break, ...
    starts, pos = [], 0
    for i in range(0, len(lines), 2):
        starts.append(pos)
        pos += len(lines[i]) + (len(lines[i + 1]) if i + 1 < len(lines) else 0)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    edits = [e for d in diags for e in d["fix"]["edits"]]
    spans = sorted(
        (offset(e["line"], e["column"]), offset(e["end_line"], e["end_column"]), e["content"]) for e in edits
    )
    for (s1, e1, _), (s2, _, _) in itertools.pairwise(spans):
        assert e1 <= s2 and (s1, e1) != (s2, s2), f"overlapping edits {spans}"
    for s, e, content in reversed(spans):
        text = text[:s] + content + text[e:]
    return text


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (outside .git) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".git" not in p.relative_to(root).parts
    }


# --- git -----------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(
        [
            "git",
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=Test",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout


def git_init(root: Path, message: str = "initial") -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


# --- shared source fixtures ------------------------------------------------------------------
# Line numbers are part of the tests: keep these texts stable (they are dedented by `workspace`).

LEDGER_RS = """
pub struct TickLedger {
    seen: Vec<u64>,
}

impl TickLedger {
    /// Records a tick.
    pub fn record(&mut self, t: u64) -> bool {
        self.seen.push(t);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doc comment of the test.
    #[test]
    fn record_works() {
        assert!(TickLedger { seen: vec![] }.record(1));
    }

    #[test]
    #[ignore = "needs a real clock"]
    fn slow_restart() {}
}
"""
# 1 struct TickLedger | 5 impl | 6 doc | 7 fn record | 8-9 body | 10 } (end of record) | 11 } (end of impl)
# 13 #[cfg(test)] | 14 mod tests | 17 doc | 18 #[test] | 19 fn record_works | 21 } | 23-25 slow_restart

RUNS_PY = """
import pytest


class RunTable:
    \"\"\"Rows of runs.\"\"\"

    def render(self):
        return "x"


def list_runs(status):
    return []


@pytest.mark.skip(reason="flaky")
def test_skipped():
    pass


class TestRunTable:
    def test_render(self):
        assert RunTable().render()
"""
# 4 class RunTable | 7 def render | 8 body | 11 def list_runs | 15 @skip | 16 def test_skipped
# 20 class TestRunTable | 21 def test_render

CI_YML = """
name: CI
on: [push]
jobs:
  rust:
    name: Rust tests
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Tests
        run: |
          cargo test -p core   --tests
          cargo   fmt --check
  python:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: py
    steps:
      - run: python -m pytest tests/unit
"""

TEST_REF = "`src/ledger.rs` (`record_works`)"
CI_REF = "`.github/workflows/ci.yml` (job `rust`: `cargo test -p core --tests`)"


CARGO_TOML = """
[package]
name = "core"
version = "0.1.0"
edition = "2021"
"""


def sources(**extra: str) -> dict[str, str]:
    """The shared source tree: a Rust crate `core` (src/ledger.rs with unit tests), a Python
    module with pytest tests (py/runs.py), and a CI workflow running both."""
    return {
        "Cargo.toml": CARGO_TOML,
        "src/lib.rs": "pub mod ledger;\n",
        "src/ledger.rs": LEDGER_RS,
        "py/runs.py": RUNS_PY,
        ".github/workflows/ci.yml": CI_YML,
        **extra,
    }
