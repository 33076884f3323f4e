"""Property and fuzz tests through the whole engine (Hypothesis, bounded in the normal suite;
`make fuzz` runs 20x more examples through HYPOTHESIS_PROFILE=fuzz, see tests/conftest.py).

Random and mutated matrices (missing pipes, unbalanced backticks, giant cells, control
characters, mixed line endings, emoji, RTL text), random evidence cells, random workflow YAML
and random Cargo.toml files go through `engine.check_paths` on a copy of the demo workspace.
Invariants: nothing raises and no rule crashes (no PM000 "internal error"); every finding, fix
and edit range lies inside the document; every output format renders; parse → format → parse
keeps every cell and formatting is idempotent; fixes change nothing outside their edit spans.
"""

from __future__ import annotations

import itertools
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.config import load_config
from parity_lsp.engine import ALL_RULES, check_paths, parse_matrix
from parity_lsp.features.format import format_edits, format_text
from parity_lsp.fixer import plan_fixes
from parity_lsp.model import MatrixFormat
from parity_lsp.output import make_report, render
from parity_lsp.report import render as render_report
from parity_lsp.report import report_from_result
from parity_lsp.text import LineIndex
from parity_lsp.workspace.ci import projects
from parity_lsp.workspace.ci.workflows import find_job, nearest_job, parse_workflow
from parity_lsp.workspace.fs import FileSystem
from parity_lsp.workspace.index import Workspace

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-repo"
SCALE = max(1, settings.default.max_examples // 100)  # 1 normally, 20 under `make fuzz`


def examples(n: int):
    """`n` examples per run of the suite's fuzz tests, deep only under `make fuzz` (20n): each
    example is a check of the demo workspace; the normal run has half of `n`."""
    return settings(
        max_examples=n * SCALE if SCALE > 1 else max(30, n // 2),
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
        ],
    )


# --- a shared workspace: the demo repository; fuzzed files are open-buffer overlays ------------------

_WORKSPACE: dict = {}
_VERSIONS = itertools.count(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "demo"
    shutil.copytree(DEMO, root)
    return root.resolve()


def workspace(root: Path) -> Workspace:
    ws = _WORKSPACE.get(root)
    if ws is None:
        ws = _WORKSPACE[root] = Workspace(root)
    return ws


def check_text(root: Path, rel: str, text: str, overlays: dict[str, str] | None = None, fresh: bool = False):
    """The engine on `text` as the open buffer `rel` (plus other overlaid files)."""
    if fresh or overlays:
        ws = Workspace(root, fs=FileSystem(root))
    else:
        ws = workspace(root)
    for path, content in {rel: text, **(overlays or {})}.items():
        ws.fs.set_overlay(path, content, next(_VERSIONS))
        ws.forget(path)
    try:
        return ws, check_paths(ws, [rel])
    finally:
        for path in {rel, *(overlays or {})}:
            ws.fs.clear_overlay(path)
            ws.forget(path)


# --- strategies -----------------------------------------------------------------------------------------

HEADER_COLUMNS = [
    "Capability",
    "Arco Feature",
    "Status",
    "Proof Level Required",
    "Evidence (Code)",
    "Evidence (Tests)",
    "Evidence (CI)",
    "Owner",
    "Notes",
]
STATUSES = [
    "Implemented",
    "Partial",
    "Designed",
    "Planned",
    "Exception",
    "Implemeted",
    "implemented",
    "Done ✅",
    "",
    "TBD",
    "Plannd",
]
PROOFS = ["unit", "integration", "e2e", "prod", "intgration", "", "E2E"]
REFERENCES = [
    "`crates/flow-core/src/schedule.rs:6` (`tick_idempotency_key`)",
    "`crates/flow-core/src/schedule.rs:12` (`TickLedger::record`)",
    "`crates/flow-core/src/schedule.rs:999`",
    "`crates/flow-core/src/schedule.rs#L1-L3`",
    "`crates/flow-core/src/lib.rs` (`RunKey::for_tick`)",
    "`crates/flow-core/tests/schedule_tests.rs` (`tick_key_format_is_stable`)",
    "`crates/flow-core/tests/schedule_tests.rs` (`gone`)",
    "`crates/flow-core/src/lib.rs` (`tests::run_key_is_deterministic`)",
    "`crates/flow-sensors/tests/push_tests.rs`",
    "`python/arco_cli/tests/unit/test_cli.py::test_x`",
    "`crates/nowhere/src/x.rs:3` (`x`)",
    "`../outside.rs`",
    "`/etc/passwd`",
    "[schedule](../../crates/flow-core/src/schedule.rs#L6)",
    "[link](crates/flow-core/src/)",
    "`crates/flow-core/`",
    "`.github/workflows/ci.yml` (job `rust`: `cargo test -p flow-core --tests`)",
    "`.github/workflows/ci.yml` (job `rust-fast`: `cargo test --workspace --exclude flow-sensors`)",
    "`.github/workflows/ci.yml` (job `python`: `python -m pytest tests/unit`)",
    "`.github/workflows/ci.yml` (job `nope`: `make`)",
    "`.github/workflows/missing.yml` (job `x`: `y`)",
    "`.github/workflows/fz.yml` (job `build`: `cargo test -p flow-core`)",
    "Missing proof: soak test",
    "TBD",
    "—",
    "Rust: `crates/flow-core/src/schedule.rs`",
    "`docs/plans/x.md`",
    "EX-1",
    "EX-04",
    "`crates/flow-core/src/schedule.rs` (global idempotency gate)",
    "`crates/flow-core/src/schedule.rs` (`a`, `b::c`, `<T as U>::v`)",
]
PIECES = [
    "|",
    "\\|",
    "`",
    "``",
    "```",
    "(",
    ")",
    "[",
    "](",
    "]",
    "<br>",
    "<br/>",
    ";",
    ":",
    "#L",
    "::",
    "/",
    " + ",
    "\t",
    " ",
    "\x00",
    "\x01",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1c",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "🚀",
    "✅",
    "👩‍👩‍👧",
    "日本語",
    "\u202e",
    "\u202d",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0627\u0644\u0633\u0644\u0627\u0645",
    "e\u0301",
    "\ud7ff",
    "\U0010ffff",
    "<!-- x -->",
    "<!-- parity-lsp: disable-next-line PM301 -->",
    "**",
    "_",
    "*",
    "~",
    "&amp;",
    "\\",
    "done",
    "shipped",
    "not yet shipped",
    "Missing proof:",
    "job `",
    "`: `",
    "-p",
    "--tests",
]
GIANT = [
    "x" * 5000,
    "🚀" * 1500,
    "`crates/flow-core/src/schedule.rs` " * 60,
    "a|" * 400,
    "日本" * 1500,
    "word " * 800,
]
NEWLINES = ["\n", "\r\n", "\r"]

piece = st.one_of(st.sampled_from(PIECES), st.sampled_from(REFERENCES), st.text(max_size=8))
cell = st.one_of(
    st.sampled_from(REFERENCES),
    st.lists(piece, max_size=6).map("".join),
    st.lists(st.sampled_from(REFERENCES), min_size=1, max_size=3).map("<br>".join),
    st.sampled_from(GIANT),
)


@st.composite
def rows(draw, ncols: int) -> list[str]:
    cells = [
        draw(st.sampled_from(["Cap A", "Cap B", "Cap A", ""]) | st.text(max_size=10)),
        draw(st.text(max_size=6)),
        draw(st.sampled_from(STATUSES)),
        draw(st.sampled_from(PROOFS)),
    ]
    cells += [draw(cell) for _ in range(3)]
    cells += [draw(st.sampled_from(["@me", "TBD", "", "?", "@team 🚀"])), draw(cell)]
    n = draw(st.sampled_from([ncols, ncols, ncols, ncols - 1, ncols + 1, 1]))  # cell-count mismatches
    return (cells + [draw(cell) for _ in range(max(0, n - len(cells)))])[: max(1, n)]


def render_row(cells: list[str], lead: bool, trail: bool) -> str:
    body = " | ".join(c.replace("\n", " ").replace("\r", " ") for c in cells)
    return ("| " if lead else "") + body + (" |" if trail else "")


@st.composite
def markdown_matrices(draw) -> str:
    header = list(HEADER_COLUMNS)
    mutation = draw(st.sampled_from(["none"] * 6 + ["drop", "rename", "shuffle", "extra"]))
    if mutation == "drop":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif mutation == "rename":
        header[draw(st.integers(0, len(header) - 1))] = draw(
            st.sampled_from(["status ", "CAPABILITY", "Evidence(Code)", "🚀"])
        )
    elif mutation == "shuffle":
        header = draw(st.permutations(header))
    elif mutation == "extra":
        header.append("Extra")
    lines = [
        draw(
            st.sampled_from(
                [
                    "# Parity",
                    "",
                    "## Scheduling",
                    "Governed by `docs/parity/dagster-parity-01-charter.md`",
                    "<!-- parity-lsp: disable PM304 -->",
                    "\ufeff# BOM",
                ]
            )
        )
    ]
    for _ in range(draw(st.integers(1, 2))):
        lead, trail = draw(st.sampled_from([True, True, False])), draw(st.booleans())
        lines += [
            "",
            render_row(header, lead, trail),
            render_row(
                draw(st.sampled_from([["---"] * len(header), [":---:"] * len(header), ["-"] * len(header)])),
                lead,
                trail,
            ),
        ]
        for _ in range(draw(st.integers(0, 6))):
            r = draw(rows(len(header)))
            lines.append(render_row(r, draw(st.sampled_from([lead, lead, not lead])), draw(st.booleans())))
            if draw(st.integers(0, 9)) == 0:
                lines.append(
                    draw(
                        st.sampled_from(
                            ["<!-- parity-lsp: disable-next-line -->", "", "not a row", "|", "| |"]
                        )
                    )
                )
    text = ""
    for line in lines:
        text += line + draw(st.sampled_from(NEWLINES))
    return text if draw(st.booleans()) else text.rstrip("\r\n")


@st.composite
def delimited_matrices(draw, sep: str) -> str:
    header = sep.join(HEADER_COLUMNS)
    out = [header]
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(rows(len(HEADER_COLUMNS)))
        quoted = []
        for c in cells:
            if draw(st.booleans()):
                quoted.append('"' + c.replace('"', '""') + '"')
            else:
                quoted.append(c)
        out.append(sep.join(quoted))
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(['a,"unterminated', '"', '""', sep * 20])))
    nl = draw(st.sampled_from(NEWLINES))
    return nl.join(out) + nl


DEMO_MATRIX = (DEMO / "docs" / "parity" / "dagster-parity-matrix.md").read_text(encoding="utf-8")


@st.composite
def mutated_demo(draw) -> str:
    """The demo matrix with random mutations: deletions, insertions, pipes removed, line endings
    changed, lines duplicated or dropped."""
    text = DEMO_MATRIX
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["delete", "insert", "unpipe", "endings", "duplicate", "drop", "giant"]))
        n = len(text)
        if n == 0:
            break
        at = draw(st.integers(0, n - 1))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:at] + draw(piece) + text[at:]
        elif op == "giant":
            text = text[:at] + draw(st.sampled_from(GIANT)) + text[at:]
        elif op == "unpipe":
            k = text.find("|", at)
            if k != -1:
                text = text[:k] + text[k + 1 :]
        elif op == "endings":
            text = text.replace("\n", draw(st.sampled_from(NEWLINES)), draw(st.integers(1, 20)))
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "duplicate":
                lines.insert(i, lines[i])
            else:
                del lines[i]
            text = "\n".join(lines)
    return text


# --- invariants -------------------------------------------------------------------------------------------


def assert_engine_invariants(ws: Workspace, rel: str, text: str, result) -> None:
    n = len(text)
    internal = [f.message for f in result.findings if f.code == "PM000" and "internal error" in f.message]
    assert not internal, internal
    index = LineIndex(text)
    for f in result.findings:
        if f.path != rel:
            continue
        assert 0 <= f.span.start <= f.span.end <= n, (f.code, f.span, n)
        for unit in ("utf-16", "utf-8", "utf-32"):
            for off in (f.span.start, f.span.end):
                line, _char = index.to_units(off, unit)
                assert 0 <= line < index.line_count
        for fix in ([f.fix] if f.fix else []) + list(f.alternatives):
            for e in fix.edits:
                if e.path == rel:
                    assert 0 <= e.span.start <= e.span.end <= n, (f.code, fix.message, e.span, n)
                    replaced = text[e.span.start : e.span.end]
                    # a fix edits inside lines: it never swallows or adds a line break
                    assert not any(c in replaced for c in "\r\n"), (f.code, fix.message, replaced)
                    assert not any(c in e.content for c in "\r\n"), (f.code, fix.message, e.content)
    assert_fixes_stay_inside_their_spans(rel, text, result.findings)
    # every output format renders (and parses back where it is a data format)
    files = [rel]
    report = make_report(
        str(ws.root),
        files,
        [f for f in result.findings if f.path == rel],
        lambda p: index if p == rel else LineIndex(ws.fs.read_text(p).text or ""),
        ALL_RULES,
    )
    for fmt in ("text", "json", "sarif", "github", "junit"):
        out = render(report, fmt)
        if fmt in ("json", "sarif"):
            json.loads(out)
        elif fmt == "junit":
            ET.fromstring(out)
    parity = report_from_result(ws, result)
    for fmt in ("markdown", "html", "json"):
        render_report(parity, fmt)


def assert_fixes_stay_inside_their_spans(rel: str, text: str, findings) -> None:
    """Apply every safe fix at once (as `parity-lsp fix` does): each line no accepted edit
    touches is byte-identical afterwards, at the same line number."""
    fixes = [
        f.fix
        for f in findings
        if f.fix is not None and f.fix.safe and all(e.path == rel for e in f.fix.edits)
    ]
    if not fixes:
        return
    plan = plan_fixes({rel: text}, fixes)[rel]
    spans = [e.span for fx in plan.applied for e in fx.edits]
    before, after = LineIndex(text), LineIndex(plan.updated)
    assert before.line_count == after.line_count
    for line in range(before.line_count):
        start, end = before.line_start(line), before.line_end(line)
        if any(s.start <= end and start <= s.end for s in spans):
            continue
        assert before.line_text(line) == after.line_text(line), (line, [fx.message for fx in plan.applied])
    # and the fixed text still goes through the engine
    parse_matrix(rel, plan.updated)


def cells_of(matrix):
    return [
        [[c.text for c in table.header]] + [[c.text for c in row.cells] for row in table.rows]
        for table in matrix.tables
    ]


def assert_format_invariants(rel: str, text: str) -> None:
    matrix = parse_matrix(rel, text)
    for e in format_edits(matrix):
        assert 0 <= e.span.start <= e.span.end <= len(text)
    formatted = format_text(matrix)
    again = parse_matrix(rel, formatted)
    assert cells_of(again) == cells_of(matrix), "formatting changed a cell"
    assert [len(t.rows) for t in again.tables] == [len(t.rows) for t in matrix.tables]
    assert format_text(again) == formatted, "formatting is not idempotent"
    if matrix.format != MatrixFormat.MARKDOWN:
        assert formatted == text


def positions(text: str, result, rel: str, columns: bool = True) -> list[tuple]:
    idx = LineIndex(text)
    out = []
    for f in result.findings:
        if f.path == rel:
            line, col = idx.position(f.span.start)
            out.append((f.code, line, col) if columns else (f.code, line))
    return sorted(out)


def assert_metamorphic_invariants(root: Path, rel: str, text: str) -> None:
    """Line endings do not change any diagnostic (code, line, column); formatting a table
    does not change which diagnostics are reported on which line."""
    lf = text.replace("\r\n", "\n").replace("\r", "\n")
    _, on_lf = check_text(root, rel, lf)
    crlf = lf.replace("\n", "\r\n")
    _, on_crlf = check_text(root, rel, crlf)
    assert positions(lf, on_lf, rel) == positions(crlf, on_crlf, rel)
    formatted = format_text(parse_matrix(rel, lf))
    if formatted != lf:
        _, on_formatted = check_text(root, rel, formatted)
        assert positions(lf, on_lf, rel, columns=False) == positions(
            formatted, on_formatted, rel, columns=False
        )


# --- tests ------------------------------------------------------------------------------------------------------


@examples(100)
@given(text=markdown_matrices())
def test_random_markdown_matrices_through_the_engine(demo, text):
    rel = "docs/parity/fuzz.md"
    ws, result = check_text(demo, rel, text)
    assert_engine_invariants(ws, rel, text, result)
    assert_format_invariants(rel, text)
    assert_metamorphic_invariants(demo, rel, text)


@examples(100)
@given(text=mutated_demo())
def test_mutated_demo_matrix_through_the_engine(demo, text):
    rel = "docs/parity/dagster-parity-matrix.md"
    ws, result = check_text(demo, rel, text)
    assert_engine_invariants(ws, rel, text, result)
    assert_format_invariants(rel, text)
    assert_metamorphic_invariants(demo, rel, text)


@examples(60)
@given(text=st.one_of(delimited_matrices(","), delimited_matrices("\t")), ext=st.sampled_from(["csv", "tsv"]))
def test_random_csv_and_tsv_matrices_through_the_engine(demo, text, ext):
    rel = f"docs/parity/fuzz-parity.{ext}"
    ws, result = check_text(demo, rel, text)
    assert_engine_invariants(ws, rel, text, result)
    assert_format_invariants(rel, text)


@examples(100)
@given(cells=st.lists(cell, min_size=3, max_size=3), status=st.sampled_from(STATUSES))
def test_random_evidence_cells_through_the_engine(demo, cells, status):
    header = "| " + " | ".join(HEADER_COLUMNS) + " |\n|" + "---|" * len(HEADER_COLUMNS) + "\n"
    row = render_row(["Fuzzed", "x", status, "unit", *cells, "@me", ""], True, True)
    text = header + row + "\n"
    rel = "docs/parity/evidence.md"
    ws, result = check_text(demo, rel, text)
    assert_engine_invariants(ws, rel, text, result)


# --- workflow YAML ------------------------------------------------------------------------------------------------

scalar = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.sampled_from(
        [
            "cargo test -p flow-core --tests",
            "python -m pytest tests/unit",
            "${{ matrix.pkg }}",
            "make test",
            "cargo nextest run --workspace",
            "go test ./... -run 'Test(A|B)'",
            "cd crates && cargo test",
            "npm test",
        ]
    ),
)
run_value = st.one_of(
    scalar,
    st.lists(
        st.sampled_from(
            [
                "cargo test -p flow-core --tests \\",
                "  --exclude x",
                "pytest -k 'a and not b'",
                "echo $(date)",
                "cat <<EOF",
                "EOF",
                "if true; then",
                "fi",
                "A=1 cargo test",
                "uv run pytest tests/",
                "\t",
                "",
            ]
        ),
        max_size=6,
    ).map("\n".join),
)
step = st.fixed_dictionaries(
    {},
    optional={
        "name": scalar,
        "run": run_value,
        "uses": st.sampled_from(["actions/checkout@v4", "x"]),
        "working-directory": st.sampled_from(
            ["crates/flow-core", "python/arco_cli", "../..", "/abs", "${{ x }}", ""]
        ),
        "with": st.dictionaries(st.text(max_size=4), scalar, max_size=2),
        "if": scalar,
    },
)
job = st.fixed_dictionaries(
    {},
    optional={
        "name": scalar,
        "runs-on": scalar,
        "steps": st.one_of(st.lists(step, max_size=4), scalar),
        "defaults": st.fixed_dictionaries({"run": st.fixed_dictionaries({"working-directory": scalar})}),
        "strategy": st.fixed_dictionaries(
            {
                "matrix": st.dictionaries(
                    st.sampled_from(["pkg", "os", "include"]),
                    st.one_of(st.lists(scalar, max_size=3), scalar),
                    max_size=2,
                )
            }
        ),
        "needs": st.one_of(scalar, st.lists(st.text(max_size=4), max_size=2)),
    },
)
workflow_doc = st.fixed_dictionaries(
    {
        "jobs": st.one_of(
            st.dictionaries(
                st.sampled_from(["build", "test", "rust", "python", "x y", "0", "ビルド"]),
                st.one_of(job, scalar),
                max_size=4,
            ),
            scalar,
            st.lists(scalar, max_size=2),
        )
    },
    optional={
        "name": scalar,
        "on": scalar,
        "defaults": st.fixed_dictionaries({"run": st.dictionaries(st.just("working-directory"), scalar)}),
    },
)
YAML_NOISE = [
    ":",
    "- ",
    "  ",
    "\t",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "{",
    "}",
    "[",
    "]",
    "|",
    ">",
    "\\\n",
    "'",
    '"',
    "#",
    "\n",
    "\r\n",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "? ",
    "<<: *a\n",
    "\x00",
    "🚀",
    "\ufeff",
]


@st.composite
def workflow_texts(draw) -> str:
    text = yaml.safe_dump(draw(workflow_doc), allow_unicode=True, sort_keys=False)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(YAML_NOISE)) + text[at:]
    return text


@examples(150)
@given(
    text=workflow_texts(), cited_job=st.sampled_from(["build", "test", "rust", "x y", "nope", "Rust tests"])
)
def test_random_workflow_yaml_never_raises(demo, text, cited_job):
    wf = parse_workflow(text, ".github/workflows/fz.yml")
    for j in wf.jobs.values():
        for cmd in j.commands:
            assert isinstance(cmd.text, str)
    find_job(wf, cited_job)
    nearest_job(wf, cited_job)
    # and through the engine: a row citing a job and a command of this workflow
    header = "| " + " | ".join(HEADER_COLUMNS) + " |\n|" + "---|" * len(HEADER_COLUMNS) + "\n"
    row = render_row(
        [
            "CI fuzz",
            "x",
            "Implemented",
            "integration",
            "`crates/flow-core/src/schedule.rs`",
            "`crates/flow-core/tests/schedule_tests.rs` (`tick_key_format_is_stable`)",
            f"`.github/workflows/fz.yml` (job `{cited_job}`: `cargo test -p flow-core --tests` + `pytest tests/unit`)",
            "@me",
            "",
        ],
        True,
        True,
    )
    rel = "docs/parity/ci-fuzz.md"
    matrix_text = header + row + "\n"
    ws, result = check_text(demo, rel, matrix_text, overlays={".github/workflows/fz.yml": text})
    assert_engine_invariants(ws, rel, matrix_text, result)


# --- Cargo.toml --------------------------------------------------------------------------------------------------

toml_value = st.one_of(
    st.text(max_size=10).map(json.dumps),
    st.integers(-5, 5).map(str),
    st.sampled_from(["true", "false"]),
    st.lists(
        st.sampled_from(['"crates/*"', '"crates/flow-core"', '"../x"', '"/abs"', '""', '"crates/**"', "1"]),
        max_size=3,
    ).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(
        ['{ path = "src/x.rs" }', "{ workspace = true }", "{}", '"flow-core"', '"src/lib.rs"', '"tests/t.rs"']
    ),
)
TOML_TABLES = [
    "[package]",
    "[workspace]",
    "[lib]",
    "[[test]]",
    "[[bin]]",
    "[[bench]]",
    "[[example]]",
    "[dependencies]",
    "[package.metadata]",
    "[workspace.package]",
    "[features]",
]
TOML_KEYS = [
    "name",
    "path",
    "members",
    "exclude",
    "autotests",
    "harness",
    "test",
    "doctest",
    "workspace",
    "edition",
    "version",
    "required-features",
    "default-members",
    "crate-type",
]
TOML_NOISE = [
    "[",
    "]",
    "=",
    '"',
    "'''",
    "\n",
    "\r\n",
    "#",
    "[[",
    "]]",
    "\\",
    "\x00",
    "🚀",
    " ",
    ".",
    "{",
    "}",
]


@st.composite
def cargo_texts(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        lines.append(draw(st.sampled_from(TOML_TABLES)))
        for _ in range(draw(st.integers(0, 4))):
            lines.append(f"{draw(st.sampled_from(TOML_KEYS))} = {draw(toml_value)}")
    text = "\n".join(lines) + "\n"
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(TOML_NOISE)) + text[at:]
    return text


@examples(150)
@given(
    root_toml=cargo_texts(),
    crate_toml=cargo_texts(),
    cited=st.sampled_from(
        [
            "crates/flow-core/tests/schedule_tests.rs",
            "crates/flow-core/src/schedule.rs",
            "crates/flow-core/src/lib.rs",
            "crates/flow-sensors/tests/push_tests.rs",
            "Cargo.toml",
            "x.rs",
        ]
    ),
)
def test_random_cargo_toml_never_raises(demo, root_toml, crate_toml, cited):
    overlays = {"Cargo.toml": root_toml, "crates/flow-core/Cargo.toml": crate_toml}
    fs = FileSystem(demo)
    for path, content in overlays.items():
        fs.set_overlay(path, content, next(_VERSIONS))
    projects.read_toml(fs, "Cargo.toml")
    projects.load_cargo_package(fs, "crates/flow-core")
    projects.load_cargo_workspace(fs, "")
    projects.find_cargo_workspace(fs, "crates/flow-core")
    projects.resolve_cargo_file(fs, cited)
    projects.cargo_target_for_file(fs, cited)
    # and through the engine: PM203's cargo gating decisions read these manifests
    header = "| " + " | ".join(HEADER_COLUMNS) + " |\n|" + "---|" * len(HEADER_COLUMNS) + "\n"
    row = render_row(
        [
            "Cargo fuzz",
            "x",
            "Implemented",
            "integration",
            f"`{cited}`",
            (
                "`crates/flow-core/tests/schedule_tests.rs` (`tick_key_format_is_stable`)<br>"
                "`crates/flow-core/src/lib.rs` (`tests::run_key_is_deterministic`)"
            ),
            (
                "`.github/workflows/ci.yml` (job `rust`: `cargo test -p flow-core --tests`)<br>"
                "`.github/workflows/ci.yml` (job `rust-fast`: `cargo test --workspace --exclude flow-sensors`)"
            ),
            "@me",
            "",
        ],
        True,
        True,
    )
    rel = "docs/parity/cargo-fuzz.md"
    text = header + row + "\n"
    ws, result = check_text(demo, rel, text, overlays=overlays)
    assert_engine_invariants(ws, rel, text, result)


def test_a_cargo_workspace_exclude_that_is_not_a_list_is_an_error_value(demo):
    """Found by `make fuzz` (test_random_cargo_toml_never_raises): `exclude = 0` raised TypeError."""
    fs = FileSystem(demo)
    fs.set_overlay("Cargo.toml", '[workspace]\nmembers = ["crates/*"]\nexclude = 0\n', next(_VERSIONS))
    projects.load_cargo_workspace(fs, "")
    assert projects.find_cargo_workspace(fs, "crates/flow-core") is not None


# --- configuration files -----------------------------------------------------------------------------------------

CONFIG_KEYS = [
    "include",
    "exclude",
    "required-columns",
    "statuses",
    "proof-levels",
    "exceptions-doc",
    "exception-id-pattern",
    "forbidden-evidence",
    "owner-placeholders",
    "select",
    "ignore",
    "max-file-bytes",
    "proof-level-globs",
    "severity",
    "requiredColumns",
    "unknown-key",
    "changed-since",
]
config_value = st.one_of(
    toml_value,
    st.lists(
        st.sampled_from(
            [
                '"docs/parity/**/*.md"',
                '"**/*.csv"',
                '"["',
                '"!x"',
                '""',
                '"PM1"',
                '"PM304"',
                '"ALL"',
                '"XX9"',
                '"unit"',
                '"Implemented"',
                '"🚀"',
                "1",
                "true",
            ]
        ),
        max_size=4,
    ).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(
        [
            '"EX-\\\\d+"',
            '"("',
            '"[a-"',
            '"(?P<x>"',
            '""',
            '"(a|b)+"',
            '"\\\\bX\\\\b"',
            "0",
            "-1",
            "5242880",
            "99999999999999999999",
            "1.5",
            '{ unit = ["tests/unit/**"] }',
            '{ PM304 = "error" }',
            '{ PM304 = "loud" }',
            "{ x = 1 }",
            '"HEAD~1"',
            '"no-such-revision"',
        ]
    ),
)
SAFE_REVS = ('"HEAD~1"', '"no-such-revision"')


@st.composite
def config_texts(draw) -> tuple[str, str]:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(CONFIG_KEYS))
        value = draw(st.sampled_from(SAFE_REVS)) if key == "changed-since" else draw(config_value)
        lines.append(f"{key} = {value}")
    if draw(st.booleans()):
        lines.append("[severity]")
        for _ in range(draw(st.integers(0, 3))):
            code = draw(st.sampled_from(["PM304", "PM1", "pm101", "XX", "PM000"]))
            level = draw(st.sampled_from(['"error"', '"off"', '"loud"', "1", "[]", '"hint"']))
            lines.append(f"{code} = {level}")
    body = "\n".join(lines) + "\n"
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(TOML_NOISE)) + body[at:]
    name = draw(st.sampled_from([".parity-lsp.toml", "pyproject.toml"]))
    if name == "pyproject.toml":
        body = '[project]\nname = "x"\n\n[tool.parity-lsp]\n' + body
    return name, body


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("config")


@examples(100)
@given(config=config_texts())
def test_random_configuration_never_raises(demo, config_dir, config):
    name, body = config
    for old in (".parity-lsp.toml", "pyproject.toml"):
        (config_dir / old).unlink(missing_ok=True)
    (config_dir / name).write_text(body, encoding="utf-8")
    cfg, problems, _path = load_config(config_dir)
    for p in problems:
        assert isinstance(p.message, str) and p.line >= 0
    # the engine runs with whatever was accepted
    ws = Workspace(demo, cfg, fs=FileSystem(demo, cfg.max_file_bytes))
    result = check_paths(ws)
    internal = [f.message for f in result.findings if f.code == "PM000" and "internal error" in f.message]
    assert not internal, internal


def test_a_pyproject_whose_tool_is_not_a_table_is_a_config_problem(tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 1  # tool.parity-lsp\n")
    _config, problems, _ = load_config(tmp_path)
    assert problems
