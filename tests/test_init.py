"""Issue 17 item 3: `parity-lsp init` in an existing repository finds its matrix-like tables and
writes a `.parity-lsp.toml` with the inferred `[columns]`/`[statuses]` and `include` globs for
the files found, saying what it inferred and what it could not; the next `check` uses it. (In a
repository without one: the neutral starter, tests/test_report.py.)"""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
from dataclasses import dataclass

from parity_lsp import cli


@dataclass
class _Proc:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, cwd) -> _Proc:
    """`parity-lsp ARGS` run in this process, at the repository `cwd` (its root)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([args[0], "--root", str(cwd), *args[1:]])
    return _Proc(code, out.getvalue(), err.getvalue())


FEATURES = """\
# Markdown renderer: CommonMark coverage

| Feature | Status | Covered By Unit/Snapshot Tests |
|---|---|---|
| Emphasis | ✅ | `Tests/RendererTests/EmphasisTests.swift` (`testStrong`) |
| Tables | ✅ (inline only) | `Tests/RendererTests/TableTests.swift` (`testAlignment`) |
| Footnotes | 🟡 | |
| Math | ⬜ | |
| Wiki links | ? | |
"""

EMPHASIS_TESTS = """\
import XCTest

final class EmphasisTests: XCTestCase {
    func testStrong() {
        XCTAssertEqual(render("**a**"), "<strong>a</strong>")
    }
}
"""

TABLE_TESTS = """\
import XCTest

final class TableTests: XCTestCase {
    func testAlignment() {
        XCTAssertTrue(true)
    }
}
"""


def _repo(tmp_path, files):
    (tmp_path / ".git").mkdir()
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def test_init_writes_the_inferred_configuration_and_check_uses_it(tmp_path):
    root = _repo(
        tmp_path,
        {
            "FEATURES.md": FEATURES,  # not a name the default include globs match
            "Tests/RendererTests/EmphasisTests.swift": EMPHASIS_TESTS,
            "Tests/RendererTests/TableTests.swift": TABLE_TESTS,
            "README.md": "# Renderer\n\n| Option | Default |\n|---|---|\n| wrap | 80 |\n",
        },
    )
    before = run("check", "--format", "json", cwd=root)
    assert before.returncode == 2  # the defaults find no matrix file: nothing checked is not green
    proc = run("init", cwd=root)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "found 1 matrix table in 1 file:"
    assert "FEATURES.md:3: table `Feature | Status | Covered By Unit/Snapshot Tests`" in out
    assert '  tests: `Covered By Unit/Snapshot Tests` (inferred: contains "covered by")' in out
    assert "  no column for CI: CI gating is not checked for this table (PM202)" in out
    assert "  statuses: `✅` shipped, `🟡` partial, `⬜` planned, `?` no meaning" in out
    assert "could not infer the meaning of status `?` (FEATURES.md:3): add it under [statuses]" in out
    config = tomllib.loads((root / ".parity-lsp.toml").read_text(encoding="utf-8"))
    assert "FEATURES.md" in config["include"] and "docs/parity/**/*.md" in config["include"]
    assert config["columns"] == {
        "capability": ["Feature"],
        "status": ["Status"],
        "tests": ["Covered By Unit/Snapshot Tests"],
    }
    assert config["statuses"] == {"shipped": ["✅"], "partial": ["🟡"], "planned": ["⬜"]}
    # the next check reads the matrix with that configuration
    after = run("check", "--format", "json", cwd=root)
    report = json.loads(after.stdout)
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("PM101", 9)], after.stdout
    assert "give it one in `.parity-lsp.toml` [statuses]" in report["diagnostics"][0]["message"]
    # and init never overwrites it
    again = run("init", cwd=root)
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


def test_init_says_which_tables_look_like_a_matrix_but_lack_a_role(tmp_path):
    root = _repo(
        tmp_path, {"docs/roadmap.md": "| Feature | Status | Owner |\n|---|---|---|\n| Sync | done | @a |\n"}
    )
    proc = run("init", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (
        "docs/roadmap.md:1: `Feature | Status | Owner` looks like a matrix but has no evidence column: not read"
        in proc.stdout.splitlines()
    )
    assert "no matrix table found: writing a starter matrix and configuration" in proc.stdout
    assert (root / "docs/parity/parity-matrix.md").is_file()
