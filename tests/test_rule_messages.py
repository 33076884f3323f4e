"""Issue 18, item 7: rule messages are Markdown that renders, and the reports render it as a
Markdown viewer does.

A message is shown as Markdown by the editors (hover), by `report --format markdown` and, with
its code spans as `<code>`, by `report --format html`. PM202 nested backticks
("(write `(job `ID`: `COMMAND`)`)"), which splits into the code spans "(job ", ": " and ")".
The first test runs the engine on a realistic workspace where nearly every rule fires and checks
each message; the others check the code-span reading shared by both reports against
markdown-it-py (CommonMark), on hand-picked and on generated text.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rulekit import git, git_init, matrix, run

from parity_lsp.report.html import _rich
from parity_lsp.report.markdown import cell, code, code_spans

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"
COMMONMARK = MarkdownIt("commonmark")
CI = "`.github/workflows/ci.yml`"

# rows added to the demo repository, each making a rule speak (the demo plants the others)
ROWS = [
    {"cap": "List runs by status", "status": "Partial"},  # PM003: the demo has it
    {"cap": "Empty owner", "owner": ""},  # PM004
    {"cap": "Proof typo", "proof": "integraton"},  # PM102
    {"cap": "Past the end", "code": "`crates/flow-core/src/schedule.rs:99`"},  # PM302
    {"cap": "Gone symbol", "code": "`crates/flow-core/src/schedule.rs` (`NoSuchThing`)"},  # PM303
    {"cap": "Escapes", "code": "`../outside.rs`"},  # PM306
    {"cap": "No workflow", "ci": "`.github/workflows/nope.yml` (job `rust`: `cargo test`)"},  # PM401
    {"cap": "Other command", "ci": f"{CI} (job `rust`: `cargo test -p nothing`)"},  # PM403
    {"cap": "Changed", "code": "`crates/flow-core/src/lib.rs`"},  # PM601 (changed since HEAD)
    # PM202, each of its messages
    {"cap": "No CI", "status": "Implemented", "tests": "`crates/flow-core/tests/schedule_tests.rs`"},
    {"cap": "Command only", "status": "Implemented", "ci": "`cargo test -p flow-core --tests`"},
    {"cap": "Workflow only", "status": "Implemented", "ci": CI},
    {"cap": "Job only", "status": "Implemented", "ci": f"{CI} (job `rust`)"},
    ["Short row", "Partial", "unit"],  # PM002
]
MORE = (
    "# More parity\n\nThis matrix is governed by:\n- `docs/missing-charter.md`\n\n"  # PM501
    + matrix(ROWS, title="")
    + "\n## Two\n\n"
    + matrix(
        [["Column missing", "Feature", "Partial"]], header=["Capability", "Arco Feature", "Status"], title=""
    )
)  # PM001


def well_formed(message: str) -> list[str]:
    """What is wrong with the Markdown of `message` (nothing: []): every backtick belongs to a
    code span, and every span holds what was meant: no blank at either end (what a nested
    backtick leaves: "(job "), brackets balanced."""
    problems = []
    for raw, content in code_spans(message):
        if content is None:
            if "`" in raw:
                problems.append(f"a stray backtick in {raw!r}")
            continue
        if content != content.strip():
            problems.append(f"code span {raw!r} starts or ends with a blank")
        for a, b in ("()", "[]", "{}"):
            if content.count(a) != content.count(b):
                problems.append(f"code span {raw!r} has unbalanced {a}{b}")
    return problems


def test_every_rule_message_of_a_realistic_run_is_markdown_that_renders(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    (root / "docs/parity/more-parity-matrix.md").write_text(MORE)
    (root / "docs/parity/unreadable-parity.md").write_bytes(b"| Capability | Status |\n\xff\xfe\x00")  # PM000
    git_init(root)
    lib = root / "crates/flow-core/src/lib.rs"
    lib.write_text(lib.read_text() + "\n// changed\n")
    git(root, "commit", "-qam", "change")
    _, diags = run(root, changed_since="HEAD~1")
    seen = {d["code"] for d in diags}
    wanted = {f"PM{n:03d}" for n in (0, 1, 2, 3, 4, 101, 102, 103, 201, 202, 203, 204, 205, 206, 207)}
    wanted |= {f"PM{n}" for n in (301, 302, 303, 304, 305, 306, 307, 308, 401, 402, 403, 501, 601)}
    assert wanted <= seen, f"no message from {sorted(wanted - seen)}"
    assert len({d["message"] for d in diags if d["code"] == "PM202"}) == 4
    bad = {d["message"]: well_formed(d["message"]) for d in diags if well_formed(d["message"])}
    assert bad == {}


def test_pm202_names_the_form_to_write_in_code_spans_that_render():
    message = (
        "CI reference `.github/workflows/ci.yml` names no job and command: add (job `ID`: `COMMAND`) after it"
    )
    assert well_formed(message) == []
    nested = "CI reference `ci.yml` names no job and command (write `(job `ID`: `COMMAND`)`)"
    assert well_formed(nested) == [
        "code span '`(job `' starts or ends with a blank",
        "code span '`(job `' has unbalanced ()",
        "code span '`: `' starts or ends with a blank",
        "code span '`)`' has unbalanced ()",
    ]


# --- the reports' reading of code spans is CommonMark's -----------------------------------------


def commonmark_code(text: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", COMMONMARK.renderInline(text), re.S)]


def our_code(text: str) -> list[str]:
    return [c for _, c in code_spans(text) if c is not None]


CASES = [
    "CI reference `ci.yml` names no job and command (write `(job `ID`: `COMMAND`)`)",
    "text `` a`b `` more",  # a longer fence holds a backtick
    "x `a``b` y",  # a run of another length inside
    "`` ` ``",
    "\\`not` code`",  # an escaped backtick is text
    "un`closed",
    "``a` `b``",
    "` a `",  # one blank stripped at each end
    "`  `",  # but not from blanks only
    "a ```b``` c ``d",
    "\\\\`code`",  # an escaped backslash, then a span
    "`|` pipe and `<b>` tag",
]


def test_code_spans_are_read_as_commonmark_reads_them():
    for text in CASES:
        assert our_code(text) == commonmark_code(text), text
        assert "".join(raw for raw, _ in code_spans(text)) == text


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="`\\ ab", max_size=24))
def test_code_spans_match_commonmark_on_any_text(text):
    assert our_code(text) == commonmark_code(text)
    assert "".join(raw for raw, _ in code_spans(text)) == text


@given(st.text(alphabet="`ab |", min_size=1, max_size=12))
def test_code_holds_any_text_whole(text):
    """`code(value)`: a span that shows `value` exactly, whatever backticks it holds."""
    if text.strip(" ") == "":
        return  # blanks only: shown as they are, nothing to strip (CommonMark)
    assert commonmark_code(code(text)) == [text]


def test_the_html_report_shows_code_spans_as_markdown_does():
    assert _rich("add (job `ID`: `COMMAND`)") == "add (job <code>ID</code>: <code>COMMAND</code>)"
    assert _rich("status `` `Implemented` `` is quoted") == "status <code>`Implemented`</code> is quoted"
    assert _rich("a `<b>` tag & `x") == "a <code>&lt;b&gt;</code> tag &amp; `x"


def test_the_markdown_report_keeps_code_spans_and_escapes_the_rest():
    # pipes inside a code span are escaped for the table, HTML outside it is neutral
    assert cell("`a|b` <b> | `` x`y ``") == "`a\\|b` &lt;b&gt; \\| `` x`y ``"
    assert cell("`unclosed <b>") == "`unclosed &lt;b&gt;"
