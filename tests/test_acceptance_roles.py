"""Issue 17 acceptance, as a new user would try it: a Swift package keeps its feature coverage
in `docs/FEATURES.md` (`Feature | Status | Covered By Unit/Snapshot Tests`, ✅ / 🟡 / ⬜), the
repository rots through ordinary git commits, and `check --format json` reports exactly the
planted defects — with no configuration, and with the one `parity-lsp init` wrote before the
rot — and nothing on the rows that are still right. (Other shapes — a plan with a mixed
evidence column, a `Normative Source` table, a configured `Scenario | Result` table, CSV and TSV
— are in tests/test_rules_roles.py.)
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from rulekit import git, git_init, workspace

from parity_lsp import cli

RENDERER_TESTS = """\
import XCTest
@testable import MarkdownKit

final class EmphasisTests: XCTestCase {
    func testStrong() {
        XCTAssertEqual(Renderer().render("**a**"), "<strong>a</strong>")
    }

    func testInlineCode() {
        XCTAssertTrue(Renderer().render("`x`").contains("<code>"))
    }
}
"""

TABLE_TESTS = """\
import XCTest
@testable import MarkdownKit

final class TableTests: XCTestCase {
    func testAlignmentCenter() {
        XCTAssertEqual(TableParser().alignment(of: ":-:"), .center)
    }
}
"""

FEATURES = """\
# MarkdownKit feature coverage

| Feature | Status | Covered By Unit/Snapshot Tests |
|---|---|---|
| Strong emphasis | ✅ | `Tests/MarkdownKitTests/EmphasisTests.swift` (`testStrong`) |
| Inline code | ✅ (inline only) | `Tests/MarkdownKitTests/EmphasisTests.swift` (`testInlineCode`) |
| Table alignment | ✅ | `Tests/MarkdownKitTests/TableTests.swift` (`testAlignmentCenter`) |
| Footnotes | 🟡 | |
| Math blocks | ⬜ | |
"""


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _check(root: Path) -> list[tuple[str, int]]:
    code, out, err = _cli("check", "--root", str(root), "--format", "json", str(root / "docs/FEATURES.md"))
    assert code in (0, 1), err
    return [(d["code"], d["line"]) for d in json.loads(out)["diagnostics"]]


def test_a_swift_feature_table_rotted_by_git_commits(tmp_path):
    root = workspace(
        tmp_path,
        {
            "Package.swift": "// swift-tools-version:5.9\n",
            "Tests/MarkdownKitTests/EmphasisTests.swift": RENDERER_TESTS,
            "Tests/MarkdownKitTests/TableTests.swift": TABLE_TESTS,
            "docs/FEATURES.md": FEATURES,
        },
    )
    git_init(root)
    assert _check(root) == []  # every row is right
    code, out, _ = _cli("init", "--root", str(root))
    assert code == 0 and "statuses: `✅` shipped, `🟡` partial, `⬜` planned" in out
    config = (root / ".parity-lsp.toml").read_text(encoding="utf-8")
    (root / ".parity-lsp.toml").unlink()

    # the rot: a test renamed, a test file moved, a test skipped, a row claimed without a test
    tests = root / "Tests/MarkdownKitTests/EmphasisTests.swift"
    tests.write_text(
        RENDERER_TESTS.replace("func testInlineCode()", "func testInlineCodeSpan()").replace(
            "    func testStrong() {\n", '    func testStrong() throws {\n        throw XCTSkip("rewrite")\n'
        )
    )
    git(
        root,
        "mv",
        "Tests/MarkdownKitTests/TableTests.swift",
        "Tests/MarkdownKitTests/TableAlignmentTests.swift",
    )
    git(root, "commit", "-qam", "rename and skip tests")
    matrix = root / "docs/FEATURES.md"
    matrix.write_text(FEATURES.replace("| Footnotes | 🟡 | |", "| Autolinks | ✅ | |\n| Footnotes | 🟡 | |"))
    git(root, "commit", "-qam", "autolinks")

    planted = [
        ("PM308", 5),  # Strong emphasis: its test is skipped
        ("PM201", 6),  # Inline code: its only test was renamed ...
        ("PM305", 6),  # ... and the cited name is gone
        ("PM201", 7),  # Table alignment: its test file moved ...
        ("PM301", 7),  # ... (git recorded the rename: a safe fix)
        ("PM201", 8),  # Autolinks: claimed with no test
    ]
    assert _check(root) == planted
    (root / ".parity-lsp.toml").write_text(config, encoding="utf-8")
    assert _check(root) == planted  # the same with the configuration init wrote
