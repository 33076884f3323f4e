"""Issue 17 acceptance (items 5 and 7): references as teams write them, tried as a new user
would. Four repositories in four shapes — Rust (`Plan heading | Status | Evidence
(code/workflow/docs) | Evidence (tests) | Gap note`), Swift (`Feature | Status | Tests`, ✅ /
🟡 / ⬜), Kotlin (`Feature | Status | Covered By Unit/Snapshot Tests`, covered / gap), Python
(`Normative Source | Status | Current Enforcement Evidence | Notes`, done / partial / not
started) — cite evidence with comma lists, bare file names, bare test names and `Class.method`;
each is right at first (`check` finds nothing), then rots through git commits (a test renamed,
a cited file deleted, a placeholder row marked done, a status typo, and the new kinds: a glob
that matches nothing, a make target renamed, an ambiguous file name), and `check --format json`
reports exactly the planted defects — with no configuration and with one — and nothing on the
rows that are still right. Built once per module; `check` runs in process, and once per shape
through the real CLI.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from rulekit import git, git_init, workspace

from parity_lsp import cli


@dataclass
class Shape:
    name: str
    files: dict[str, str]
    matrix: str  # its path
    config: str  # a .parity-lsp.toml for it (its headers also allow inference)
    rot: list[
        tuple[str, ...]
    ]  # ("write", path, text) | ("rm", path) | ("mv", a, b) | ("replace", path, old, new)
    planted: list[tuple[str, int, str]]  # (code, line, a key phrase of the message)


RUST = Shape(
    "rust",
    {
        "Cargo.toml": '[workspace]\nmembers = ["crates/core"]\n',
        "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
        "crates/core/src/lib.rs": (
            "pub fn schedule() {}\n\npub struct Queue;\n\nimpl Queue {\n    pub fn push(&self) {}\n}\n"
        ),
        "crates/core/src/ffi.rs": "pub fn ffi_entry() {}\n",
        "crates/core/tests/queue.rs": (
            "#[test]\nfn coordinator_requeues_tasks_from_stale_worker() {}\n\n"
            "#[test]\nfn queue_push_is_fifo() {}\n"
        ),
        "Makefile": "ffi-example:\n\tcargo run --example ffi\n",
        ".cargo/config.toml": '[alias]\nxtask = "run -p xtask --"\n',
        ".github/workflows/ci.yml": (
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: cargo test -p core --tests\n"
        ),
        "docs/parity/plan.md": """\
            # Plan

            | Plan heading | Status | Evidence (code/workflow/docs) | Evidence (tests) | Gap note |
            |---|---|---|---|---|
            | 1.1 Scheduling | done | `crates/core/src/lib.rs` (`schedule`), `crates/core/src/ffi.rs`, `make ffi-example`<br>`.github/workflows/ci.yml` (job `test`: `cargo test -p core --tests`) | coordinator_requeues_tasks_from_stale_worker, queue_push_is_fifo | |
            | 1.2 Queue | done | `Queue::push`, `crates/*/Cargo.toml`, `cargo xtask parity`<br>`.github/workflows/ci.yml` (job `test`: `cargo test -p core --tests`) | `queue.rs`: `queue_push_is_fifo` | |
            | 2.1 Retries | not started | Gap | Gap | later |
            | 2.2 Design | partial | `docs/design.md` | — | design only |
            """,
        "docs/design.md": "# Design\n",
    },
    "docs/parity/plan.md",
    '[columns]\ncapability = "Plan heading"\nevidence = ["Evidence (code/workflow/docs)"]\n'
    'tests = ["Evidence (tests)"]\nnotes = ["Gap note"]\n',
    [
        (
            "replace",
            "crates/core/tests/queue.rs",
            "coordinator_requeues_tasks_from_stale_worker",
            "coordinator_requeues_stale_tasks",
        ),
        ("replace", "crates/core/src/lib.rs", "pub fn push", "pub fn enqueue"),
        ("rm", "crates/core/src/ffi.rs"),
        ("replace", "Makefile", "ffi-example:", "ffi-demo:"),
        ("replace", "docs/parity/plan.md", "| 2.1 Retries | not started |", "| 2.1 Retries | done |"),
        ("replace", "docs/parity/plan.md", "| 2.2 Design | partial |", "| 2.2 Design | parital |"),
    ],
    [
        ("PM301", 5, "`crates/core/src/ffi.rs` does not exist"),
        ("PM404", 5, "`Makefile` has no target `ffi-example` (did you mean `ffi-demo`?)"),
        ("PM305", 5, "`coordinator_requeues_tasks_from_stale_worker` is not defined in the workspace"),
        ("PM303", 6, "`Queue::push` is not defined in the workspace"),
        ("PM202", 7, "cites no CI workflow"),  # Retries: a `Gap` row marked done ...
        ("PM201", 7, "cites no proving test"),  # ... with no test either
        ("PM101", 8, "`parital` has no meaning"),
    ],
)


SWIFT = Shape(
    "swift",
    {
        "Package.swift": "// swift-tools-version:5.9\n",
        "Sources/Calc/Calc.swift": (
            "public struct Calc {\n    public func add(_ a: Int, _ b: Int) -> Int { a + b }\n"
            "    public func sub(_ a: Int, _ b: Int) -> Int { a - b }\n}\n"
        ),
        "Tests/CalcTests/CalcTests.swift": (
            "import XCTest\n@testable import Calc\n\nfinal class CalcTests: XCTestCase {\n"
            "    func testAdd() { XCTAssertEqual(Calc().add(1, 2), 3) }\n"
            "    func testSubtractsNegative() { XCTAssertEqual(Calc().sub(1, 2), -1) }\n}\n"
        ),
        "Tests/CalcTests/FormatTests.swift": (
            "import XCTest\n\nfinal class FormatTests: XCTestCase {\n    func testFormatsThousands() {}\n}\n"
        ),
        "docs/FEATURES.md": """\
            # Calc features

            | Feature | Status | Tests |
            |---|---|---|
            | Addition | ✅ | `CalcTests.testAdd`, CalcTests.swift |
            | Subtraction | ✅ | CalcTests/testSubtractsNegative |
            | Formatting | ✅ | `FormatTests.swift` (`testFormatsThousands`) |
            | Rounding | ⬜ | N/A |
            | Prose | 🟡 | covered by the snapshot suite on macOS |
            """,
    },
    "docs/FEATURES.md",
    '[columns]\ncapability = "Feature"\ntests = ["Tests"]\n\n[statuses]\nshipped = ["✅"]\npartial = ["🟡"]\nplanned = ["⬜"]\n',
    [
        ("replace", "Tests/CalcTests/CalcTests.swift", "testSubtractsNegative", "testSubtractsNegatives"),
        (
            "write",
            "Tests/CLITests/FormatTests.swift",
            "import XCTest\n\nfinal class FormatTests: XCTestCase {\n    func testFormatsThousands() {}\n}\n",
        ),
        ("replace", "docs/FEATURES.md", "| Rounding | ⬜ |", "| Rounding | ✅ |"),
        ("replace", "docs/FEATURES.md", "| Prose | 🟡 |", "| Prose | dne |"),
    ],
    [
        ("PM201", 6, "no proving test that resolves"),  # Subtraction: its test was renamed ...
        (
            "PM305",
            6,
            "`CalcTests/testSubtractsNegative` is not defined (did you mean `testSubtractsNegatives`?)",
        ),
        ("PM309", 7, "`FormatTests.swift` is ambiguous: 2 files"),  # a second FormatTests.swift
        ("PM201", 8, "cites no proving test"),  # Rounding: `N/A` marked ✅
        ("PM101", 9, "`dne` has no meaning"),
    ],
)

KOTLIN = Shape(
    "kotlin",
    {
        "build.gradle.kts": 'plugins { kotlin("jvm") }\n',
        "src/main/kotlin/shop/Cart.kt": "package shop\n\nclass Cart {\n    fun total(): Int = 0\n}\n",
        "src/test/kotlin/shop/CartTest.kt": (
            "package shop\n\nimport org.junit.jupiter.api.Test\n\nclass CartTest {\n"
            "    @Test\n    fun totalIsZeroWhenEmpty() {}\n\n    @Test\n    fun addsItems() {}\n}\n"
        ),
        "src/test/kotlin/shop/CheckoutSnapshotTest.kt": (
            "package shop\n\nimport org.junit.jupiter.api.Test\n\nclass CheckoutSnapshotTest {\n"
            "    @Test\n    fun rendersReceipt() {}\n}\n"
        ),
        "package.json": '{"scripts": {"e2e": "playwright test"}}\n',
        "docs/coverage.md": """\
            # Coverage

            | Feature | Status | Covered By Unit/Snapshot Tests |
            |---|---|---|
            | Cart total | covered | `CartTest.totalIsZeroWhenEmpty`, `CartTest.addsItems` |
            | Receipt | covered | `src/test/kotlin/shop/CheckoutSnapshotTest.kt`, `src/test/kotlin/shop/*SnapshotTest.kt`, `npm run e2e` |
            | Coupons | gap | - |
            """,
    },
    "docs/coverage.md",
    '[columns]\ncapability = "Feature"\ntests = ["Covered By Unit/Snapshot Tests"]\n\n'
    '[statuses]\nshipped = ["covered"]\nplanned = ["gap"]\n',
    [
        ("replace", "src/test/kotlin/shop/CartTest.kt", "fun addsItems", "fun addsTwoItems"),
        ("mv", "src/test/kotlin/shop/CheckoutSnapshotTest.kt", "src/test/kotlin/shop/CheckoutTest.kt"),
        ("write", "package.json", '{"scripts": {"test:e2e": "playwright test"}}\n'),
        ("replace", "docs/coverage.md", "| Coupons | gap |", "| Coupons | covered |"),
        ("replace", "docs/coverage.md", "| Cart total | covered |", "| Cart total | coverd |"),
    ],
    [
        ("PM101", 5, "`coverd` has no meaning"),
        ("PM305", 5, "`CartTest.addsItems` is not defined in the workspace (did you mean `addsTwoItems`?)"),
        ("PM201", 6, "no proving test that resolves"),  # Receipt: its test file was renamed ...
        ("PM301", 6, "`src/test/kotlin/shop/CheckoutSnapshotTest.kt` does not exist"),
        ("PM310", 6, "glob `src/test/kotlin/shop/*SnapshotTest.kt` matches no file"),
        ("PM404", 6, "`package.json` has no script `e2e`"),
        ("PM201", 7, "cites no proving test"),  # Coupons: `-` marked covered
    ],
)

PYTHON = Shape(
    "python",
    {
        "pyproject.toml": '[project]\nname = "ledger"\nversion = "0"\n',
        "src/ledger/session.py": "class Session:\n    def number(self):\n        return 1\n",
        "src/ledger/audit.py": "def audit():\n    pass\n",
        "tests/test_session.py": (
            "from ledger.session import Session\n\n\ndef test_c01_session_numbering():\n    assert Session().number()\n\n\n"
            "class TestSession:\n    def test_renumbers(self):\n        pass\n"
        ),
        "docs/conformance.md": """\
            # Conformance

            | Normative Source | Status | Current Enforcement Evidence | Notes |
            |---|---|---|---|
            | RFC 1 §2 numbering | done | `src/ledger/session.py` (`Session.number`); test_c01_session_numbering, `TestSession.test_renumbers` | |
            | RFC 1 §3 audit | done | `src/ledger/audit.py`, `tests/test_session.py` | |
            | RFC 1 §4 export | not started | TBD | |
            | RFC 1 §5 import | partial | `src/ledger/session.py` | reader only |
            """,
    },
    "docs/conformance.md",
    '[columns]\ncapability = "Normative Source"\nevidence = ["Current Enforcement Evidence"]\n\n'
    '[statuses]\nshipped = ["done"]\npartial = ["partial"]\nplanned = ["not started"]\n',
    [
        ("replace", "tests/test_session.py", "def test_renumbers", "def test_renumbers_after_reset"),
        ("rm", "src/ledger/audit.py"),
        ("replace", "docs/conformance.md", "| RFC 1 §4 export | not started |", "| RFC 1 §4 export | done |"),
        ("replace", "docs/conformance.md", "| RFC 1 §5 import | partial |", "| RFC 1 §5 import | partal |"),
    ],
    [
        ("PM305", 5, "`TestSession.test_renumbers` is not defined in the workspace"),
        ("PM301", 6, "`src/ledger/audit.py` does not exist"),
        ("PM201", 7, "cites no proof"),  # export: `TBD` marked done
        ("PM101", 8, "`partal` has no meaning"),
    ],
)

SHAPES = [RUST, SWIFT, KOTLIN, PYTHON]


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _check(root: Path, shape: Shape) -> list[tuple[str, int, str]]:
    code, out, err = _cli("check", "--root", str(root), "--format", "json", str(root / shape.matrix))
    assert code in (0, 1), err
    return [(d["code"], d["line"], d["message"]) for d in json.loads(out)["diagnostics"]]


def _rot(root: Path, shape: Shape) -> None:
    for step in shape.rot:
        if step[0] == "replace":
            path = root / step[1]
            text = path.read_text(encoding="utf-8")
            assert step[2] in text, step
            path.write_text(text.replace(step[2], step[3]), encoding="utf-8")
        elif step[0] == "write":
            (root / step[1]).parent.mkdir(parents=True, exist_ok=True)
            (root / step[1]).write_text(step[2], encoding="utf-8")
            git(root, "add", step[1])
        elif step[0] == "rm":
            git(root, "rm", "-q", step[1])
        elif step[0] == "mv":
            git(root, "mv", step[1], step[2])
        git(root, "commit", "-qam", " ".join(step[:2]))


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    """Each shape: (root, its findings before the rot, after it, after it with the configuration)."""
    out = {}
    for shape in SHAPES:
        root = workspace(tmp_path_factory.mktemp(shape.name), shape.files)
        git_init(root)
        before = _check(root, shape)
        _rot(root, shape)
        after = _check(root, shape)
        (root / ".parity-lsp.toml").write_text(shape.config, encoding="utf-8")
        configured = _check(root, shape)
        (root / ".parity-lsp.toml").unlink()
        out[shape.name] = (root, before, after, configured)
    return out


def _same(found: list[tuple[str, int, str]], planted: list[tuple[str, int, str]]) -> None:
    assert [(c, n) for c, n, _ in found] == [(c, n) for c, n, _ in planted], found
    for (code, line, message), (_, _, phrase) in zip(found, planted, strict=True):
        words = phrase.replace(" (did you mean", " ... (did you mean").split(" ... ")
        assert all(w in message for w in words), (code, line, message, phrase)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_a_repository_in_its_own_shape_rots_and_check_reports_exactly_the_planted_defects(repos, shape):
    _, before, after, configured = repos[shape.name]
    assert before == []  # every reference is right before the rot: nothing is reported
    _same(after, shape.planted)
    _same(configured, shape.planted)  # the same with a configuration naming the columns


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_the_real_cli_reports_the_same_and_fails_the_gate(repos, shape):
    root = repos[shape.name][0]
    proc = subprocess.run(
        [sys.executable, "-m", "parity_lsp", "check", "--format", "json", shape.matrix],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    found = [(d["code"], d["line"], d["message"]) for d in json.loads(proc.stdout)["diagnostics"]]
    _same(found, shape.planted)
