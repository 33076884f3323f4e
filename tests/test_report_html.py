"""The HTML report rendered in headless Chromium (Debian `chromium`): no console errors, no
network, the hand-counted numbers on the page, sorting/filtering with JavaScript, readable
without it and when printed.

Chromium is driven over the DevTools protocol on a pipe (`tests/chromekit.py`): every console
message, uncaught exception and log entry (CSP violations, failed loads) is recorded, which is
more reliable than scraping `--enable-logging` output.
"""

import base64
import json
import os
import subprocess
from pathlib import Path

import clikit
import pytest
from chromekit import Browser, find_chromium
from conftest import require
from reportkit import COUNTS, FILES, HEADER, MATRIX, MATRIX_PATH, write_workspace

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-repo"


def run(*args, cwd=None):
    """`parity-lsp ARGS` in this process (tests/clikit.py)."""
    return clikit.run(*args, cwd=cwd, env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def browser():
    exe = require(
        find_chromium(),
        "headless Chromium (for the HTML report tests)",
        "apt-get install -y chromium (.ci/run does this in CI)",
    )
    with Browser(exe) as b:
        yield b


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("ws"))
    (root / "out").mkdir()
    proc = run("report", "--format", "html", "-o", "out/report.html", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "out" / "report.html"


@pytest.fixture
def page(browser, report_file):
    p = browser.new_page(width=1280, height=900)
    p.navigate(report_file.as_uri())
    yield p
    p.close()


def text_of(page, selector):
    return page.evaluate(
        f"document.querySelector({json.dumps(selector)}).textContent.replace(/\\s+/g, ' ').trim()"
    )


def test_renders_without_console_errors_or_network(page, report_file):
    assert page.problems() == []
    urls = page.requests()
    assert urls and all(u == report_file.as_uri() or u.startswith("data:") for u in urls), urls
    assert page.evaluate("document.title").startswith("Parity report")


def test_page_shows_the_hand_counted_numbers(page):
    o = COUNTS["overall"]
    assert text_of(page, "#headline") == f"{o['verified']} of {o['rows']} capabilities verified"
    cards = page.evaluate(
        "[...document.querySelectorAll('.card')].map(c => [c.querySelector('.label').textContent, "
        "c.querySelector('.value').firstChild.textContent.trim()])"
    )
    assert dict(cards) == {
        "Verified parity": "4",
        "Claimed": "4",
        "Broken claims": "2",
        "Partial": "1",
        "Not shipped": "3",
    }
    groups = page.evaluate(
        "[...document.querySelectorAll('#groups tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    assert groups == [
        ["Alpha", "5", "4", "3 (60%)", "1", "1", "0", "0 (0)"],
        ["Beta", "5", "0", "1 (20%)", "1", "0", "3", "2 (1)"],
        ["All groups", "10", "4", "4 (40%)", "2", "1", "3", "2 (1)"],
    ]
    by_status = page.evaluate(
        "[...document.querySelectorAll('#by-status tr')].map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    assert by_status[0] == ["Group", "Implemented", "Partial", "Designed", "Planned", "Exception"]
    assert by_status[-1] == ["All groups"] + [str(v) for v in COUNTS["overall"]["by_status"].values()]
    proof = page.evaluate(
        "[...document.querySelectorAll('#proof tbody tr')].map(r => [...r.cells].slice(0, 6).map(c => c.textContent.trim()))"
    )
    assert proof == [
        ["unit", "1", "1", "0", "0", "0"],
        ["integration", "2", "1", "0", "0", "1"],
        ["e2e", "1", "0", "1", "0", "0"],
        ["All Implemented rows", "4", "2 (50%)", "1", "0", "1"],
    ]


def test_broken_claims_link_to_their_rows_with_diagnostics(page):
    items = page.evaluate(
        "[...document.querySelectorAll('#broken .broken > li')].map(li => ({cap: li.querySelector('.cap').textContent, "
        "href: li.querySelector('.cap').getAttribute('href'), codes: [...li.querySelectorAll('.code')].map(c => c.textContent)}))"
    )
    assert items == [
        {"cap": "Vanished proof", "href": "../docs/parity/matrix.md#L9", "codes": ["PM201", "PM305"]},
        {"cap": "GraphQL API", "href": "../docs/parity/matrix.md#L20", "codes": ["PM207"]},
    ]
    owners = page.evaluate(
        "[...document.querySelectorAll('#owners tbody tr')].map(r => [...r.cells].slice(0, 4).map(c => c.textContent))"
    )
    assert owners == [[o, *map(str, COUNTS["owners"][o][:3])] for o in ("@alpha", "@beta")]


def test_svg_charts_are_inline_and_carry_the_counts(page):
    segments = page.evaluate(
        "[...document.querySelectorAll('#status-chart svg rect title')].map(t => t.textContent)"
    )
    assert segments == [
        "Alpha: 4 Implemented",
        "Alpha: 1 Partial",
        "Beta: 1 Designed",
        "Beta: 2 Planned",
        "Beta: 2 Exception",
    ]
    bars = page.evaluate(
        "[...document.querySelectorAll('#claimed-chart svg rect title')].map(t => t.textContent)"
    )
    assert bars == ["Alpha: 4 of 5 claimed", "Alpha: 3 of 5 verified", "Beta: 1 of 5 verified"]
    assert (
        page.evaluate("document.querySelectorAll('img, link[rel=stylesheet], script[src], iframe').length")
        == 0
    )


def test_rows_table_filters_and_sorts_with_javascript(page):
    assert page.evaluate("document.documentElement.classList.contains('js')")
    assert text_of(page, "#count") == "Showing 10 of 10 rows"
    visible = "[...document.querySelectorAll('#rows tbody tr')].filter(r => !r.hidden).map(r => r.cells[0].textContent)"
    page.evaluate(
        "(() => { const q = document.getElementById('q'); q.value = 'flow'; q.dispatchEvent(new Event('input')); })()"
    )
    assert page.evaluate(visible) == ["Flow runs", "Flow end to end"]
    assert text_of(page, "#count") == "Showing 2 of 10 rows"
    page.evaluate(
        "(() => { const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input'));"
        " const v = document.getElementById('verdict'); v.value = 'broken'; v.dispatchEvent(new Event('change')); })()"
    )
    assert page.evaluate(visible) == ["Vanished proof", "GraphQL API"]
    page.evaluate(
        "(() => { const v = document.getElementById('verdict'); v.value = ''; v.dispatchEvent(new Event('change')); })()"
    )
    errors_header = "document.querySelectorAll('#rows thead th')[6]"
    page.evaluate(f"{errors_header}.querySelector('button').click()")
    page.evaluate(f"{errors_header}.querySelector('button').click()")  # second click: descending
    assert page.evaluate(f"{errors_header}.getAttribute('aria-sort')") == "descending"
    assert page.evaluate(visible)[0] == "Vanished proof"  # 2 errors
    page.evaluate("document.querySelectorAll('#rows thead th')[0].querySelector('button').click()")
    caps = page.evaluate(visible)
    assert caps == sorted(caps, key=str.casefold)
    assert page.problems() == []


def test_readable_without_javascript(browser, report_file):
    p = browser.new_page()
    p.send("Emulation.setScriptExecutionDisabled", {"value": True})
    p.navigate(report_file.as_uri())
    assert p.evaluate("document.documentElement.classList.contains('js')") is False
    assert text_of(p, "#headline") == "4 of 10 capabilities verified"
    assert p.evaluate("document.querySelectorAll('#rows tbody tr:not([hidden])').length") == 10
    assert p.evaluate("getComputedStyle(document.querySelector('.controls')).display") == "none"
    assert p.evaluate("document.querySelectorAll('#status-chart svg rect').length") > 0
    assert p.problems() == []


def test_readable_when_printed(page):
    page.evaluate(
        "(() => { const q = document.getElementById('q'); q.value = 'flow'; q.dispatchEvent(new Event('input')); })()"
    )
    page.send("Emulation.setEmulatedMedia", {"media": "print"})
    assert page.evaluate("getComputedStyle(document.querySelector('.controls')).display") == "none"
    # rows hidden by the on-screen filter are printed anyway
    assert page.evaluate(
        "[...document.querySelectorAll('#rows tbody tr')].every(r => getComputedStyle(r).display === 'table-row')"
    )
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    pdf = base64.b64decode(page.send("Page.printToPDF", {"printBackground": False}, timeout=60)["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.send("Emulation.setEmulatedMedia", {"media": ""})
    assert page.problems() == []


def test_the_error_detection_itself_works(browser, tmp_path):
    """A page with a console error, an uncaught exception and a blocked fetch is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; script-src 'unsafe-inline'\">"
        "<img src='https://example.invalid/x.png'>"
        "<script>console.error('boom'); setTimeout(() => { throw new Error('kaput') }, 0);</script>"
    )
    p = browser.new_page()
    p.navigate(bad.as_uri())
    p.evaluate("new Promise(r => setTimeout(r, 100))")
    problems = "\n".join(p.problems())
    assert "console.error: boom" in problems
    assert "Uncaught" in problems and "kaput" in problems
    assert "Content Security Policy" in problems or "example.invalid" in problems


def test_compare_section_renders_clean(browser, tmp_path):
    root = write_workspace(tmp_path)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "HOME": str(tmp_path),
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    (root / "crates/core/tests/flow.rs").unlink()  # "Flow runs" and "Flow end to end" lose their test
    out = tmp_path / "cmp.html"
    proc = run("report", "--format", "html", "--compare", "HEAD", "-o", str(out), cwd=root)
    assert proc.returncode == 0, proc.stderr
    p = browser.new_page()
    p.navigate(out.as_uri())
    assert p.problems() == []
    regressions = p.evaluate(
        "[...document.querySelectorAll('#regressions tbody tr')].map(r => r.cells[0].querySelector('a').textContent)"
    )
    assert regressions == ["Flow runs", "Flow end to end"]
    stats = p.evaluate(
        "[...document.querySelectorAll('#compare .grid2 tbody tr')].map(r => [...r.cells].map(c => c.textContent))"
    )
    assert stats[0] == ["Verified parity", "4", "2", "−2"]
    p.close()


def test_demo_report_renders_clean(browser, tmp_path):
    out = tmp_path / "demo.html"
    proc = run("report", "--format", "html", "-o", str(out), cwd=DEMO)
    assert proc.returncode == 0, proc.stderr
    p = browser.new_page()
    p.navigate(out.as_uri())
    assert p.problems() == []
    assert text_of(p, "#headline") == "5 of 14 capabilities verified"
    assert p.evaluate("document.querySelectorAll('#broken .broken > li').length") == 6


def test_readme_shows_the_committed_screenshot():
    png = REPO / "docs" / "report.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Parity report" in readme and "![Parity report](docs/report.png)" in readme


LONG_GROUPS = {
    "## Alpha": "## Starter Rows (Examples)",  # the label the issue saw clipped: "tarter Rows (Examples)"
    "## Beta": "## Staleness/reconciliation, partition status and backfills — operator view",
}
CJK_TABLE = (
    "\n## スケジュールとセンサーの再実行 🚀\n\n"
    + HEADER
    + "| Replay | Sensors | Planned | unit | — | — | — | @gamma | |\n"
)


def test_long_group_labels_fit_inside_the_charts(browser, tmp_path):
    """Issue 18, item 7: every label of both charts lies inside its SVG (its bounding box, as
    laid out by Chromium), however long or wide its group's name; a clipped name has the whole
    name as its tooltip."""
    matrix = MATRIX
    for old, new in LONG_GROUPS.items():
        matrix = matrix.replace(old, new)
    root = write_workspace(tmp_path, {**FILES, MATRIX_PATH: matrix + CJK_TABLE})
    out = tmp_path / "long.html"
    proc = run("report", "--format", "html", "-o", str(out), cwd=root)
    assert proc.returncode == 0, proc.stderr
    p = browser.new_page(width=1280, height=900)
    p.navigate(out.as_uri())
    boxes = p.evaluate(
        """[...document.querySelectorAll('#status-chart svg[role=img], #claimed-chart svg[role=img]')].flatMap(svg =>
             [...svg.querySelectorAll(':scope > text')].map(t => {
               const b = t.getBBox();
               return {chart: svg.closest('section, div').id, text: t.textContent, x: b.x, right: b.x + b.width,
                       width: svg.viewBox.baseVal.width};
             }))"""
    )
    labels = {b["text"] for b in boxes}
    assert "Starter Rows (Examples)" in labels and "スケジュールとセンサーの再実行 🚀" in labels
    outside = [b for b in boxes if b["x"] < 0 or b["right"] > b["width"]]
    assert outside == [], outside
    tips = p.evaluate(
        "[...document.querySelectorAll('#status-chart svg > text > title')].map(t => t.textContent)"
    )
    assert tips == ["Staleness/reconciliation, partition status and backfills — operator view"]  # clipped
    assert p.problems() == []
    p.close()
