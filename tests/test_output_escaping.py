"""Control characters from matrix cells, cited paths and file names never reach a terminal or a
CI log raw (issue 16 item 7): they could retitle or clear the terminal and break
one-line-per-finding. And the report cannot be turned into markup by a cell (`</script>`, a
Markdown link)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from test_cli import GOOD_CODE, HEADER, make_repo, run

from parity_lsp.output.escape import escape_controls, picture_controls

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # \n: the lines

TITLE = "\x1b]0;pwned\x07"  # retitles an xterm
CLEAR = "\x1b[2J\x1b[H"  # clears the screen


def test_escape_controls_writes_them_out_and_leaves_other_text_alone():
    text = "plain `x` — 日本 😀"
    assert escape_controls(text) is text
    assert (
        escape_controls(f"a{TITLE}b\r\n\t\x9b\u202e\u2028")
        == "a\\x1b]0;pwned\\x07b\\r\\n\\t\\x9b\\u202e\\u2028"
    )
    assert picture_controls("a\x1b[2Jb\x7f\x85") == "a\u241b[2Jb\u2421\ufffd"  # one character each


@pytest.fixture
def hostile(tmp_path):
    """A matrix whose cells, cited paths and own file name carry terminal escapes."""
    rows = (
        f"| Tick {CLEAR}keys | Events | Implemeted | unit | `src/gone{TITLE}.rs` | — | — | @team | |\n"
        f"| Other\u202e | Events | Planned | unit | `src/lib.rs:2` (`tick_key`) | — | — | TBD | |\n"
    )
    return make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, f"docs/parity/m{CLEAR}.md": HEADER + rows})


def test_text_output_is_one_line_per_finding_with_nothing_raw(hostile):
    proc = run("check", "--select", "PM101,PM301", cwd=hostile)
    assert proc.returncode == 1, proc.stderr
    assert not RAW.search(proc.stdout), proc.stdout
    findings = [line for line in proc.stdout.splitlines() if line.startswith("docs/parity/")]
    assert len(findings) == 2
    assert all(line.startswith("docs/parity/m\\x1b[2J\\x1b[H.md:") for line in findings)
    assert "`src/gone\\x1b]0;pwned\\x07.rs`" in proc.stdout


@pytest.mark.parametrize("fmt", ["github", "junit"])
def test_ci_formats_carry_no_control_character(hostile, fmt):
    proc = run("check", "--format", fmt, cwd=hostile)
    assert proc.returncode == 1, proc.stderr
    assert not RAW.search(proc.stdout), proc.stdout
    if fmt == "github":
        assert all(line.startswith("::") for line in proc.stdout.splitlines())
    else:
        suite = ET.fromstring(proc.stdout.split("\n", 1)[1]).find("testsuite")
        assert any("\\x1b" in (c.get("classname") or "") for c in suite.findall("testcase"))


def test_json_and_sarif_escape_as_json_does(hostile):
    data = json.loads(run("check", "--format", "json", cwd=hostile).stdout)
    assert any(CLEAR in d["path"] for d in data["diagnostics"])  # the real name, JSON-escaped on the wire
    assert not RAW.search(run("check", "--format", "sarif", cwd=hostile).stdout)


def test_stderr_lines_escape_what_the_user_named(tmp_path):
    proc = run("check", f"missing{TITLE}.md", cwd=make_repo(tmp_path, {}))
    assert proc.returncode == 2
    assert proc.stderr == "parity-lsp: error: missing\\x1b]0;pwned\\x07.md: no such file or directory\n"


# --- the report: a cell is text, never markup ------------------------------------------------------


@pytest.fixture
def injecting(tmp_path):
    rows = (
        "| [click](https://evil.example) ![x](https://evil.example/t.png) </script><script>alert(1)</script> "
        f"| Events | Implemented | unit | `src/gone.rs` | — | — | @team{TITLE} | |\n"
    )
    return make_repo(tmp_path, {"src/lib.rs": GOOD_CODE, "docs/parity/m.md": HEADER + rows})


def test_markdown_report_shows_links_and_escapes_literally(injecting):
    proc = run("report", cwd=injecting)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert not RAW.search(md)
    assert "](https://evil.example)" not in md.replace("\\](https://evil.example)", "")
    assert "\\[click\\](https://evil.example) !\\[x\\](https://evil.example/t.png)" in md
    assert "<script>" not in md and "&lt;/script&gt;" in md
    assert "@team\\x1b\\]0;pwned\\x07" in md  # written out; `]` escaped like any bracket


def test_html_report_has_one_script_and_no_raw_control(injecting):
    proc = run("report", "--format", "html", cwd=injecting)
    assert proc.returncode == 0, proc.stderr
    page = proc.stdout
    assert page.count("<script") == 1 and page.count("</script>") == 1  # the page's own
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page
    assert 'href="https://evil.example' not in page
    assert not RAW.search(page.replace("\n", ""))
