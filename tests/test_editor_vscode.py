"""End to end in a real VS Code: code-server 4.100.3 (VS Code 1.100 in the browser, from npm)
with the extension's .vsix installed, on a copy of examples/demo-repo, driven like a user in
headless Chromium (Debian's) over the Chrome DevTools Protocol (tests/codekit.py).

Asserted is what a user sees in the workbench: the status bar item (and every text it showed
since the page loaded), the Problems panel's entries and count, the hover, the active editor and
cursor after F12, the command palette, the report webview, the Settings UI, the notifications.
The findings are compared with `parity-lsp check --format json`, run here on the same copy.

On failure, a screenshot of the workbench, the extension's output channel and the logs of
code-server and its extension host go to a directory that the failure message names.

code-server comes from `make code-server` (editors/vscode/scripts/install-code-server.sh) and
Chromium from `apt-get install chromium`; without them these tests skip, saying so, except where
CI is set (conftest.require). The .vsix is the one `make vscode` builds, rebuilt here with
`make vsix` when it is missing or older than the extension's sources.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from chromekit import Browser, Page, find_chromium
from codekit import INSTALL_HINT, CodeServer, Workbench, find_code_server, status_recorder
from conftest import require

REPO = Path(__file__).resolve().parents[1]
EXTENSION = REPO / "editors" / "vscode"
DEMO = REPO / "examples" / "demo-repo"
EXPECTED = json.loads((REPO / "editors" / "demo-expected.json").read_text())
MATRIX = EXPECTED["matrix"]
PKG = json.loads((EXTENSION / "package.json").read_text())
SERVER = Path(sys.executable).parent / "parity-lsp"  # the venv's server, as `parityLsp.path`
STATUS_ID = "parity-lsp.parity-lsp.parityLsp.status"  # publisher.name.id of the status bar item
CHECKING = "$(sync) parity: checking…"  # "$(sync~spin)": the spin is a modifier class
FAILED = "$(error) parity-lsp: failed to start"
TIMEOUT = 90.0  # for anything the server or the workbench does; CI shares 2 CPUs
WIDTH, HEIGHT = 1400, 1000


def parity_lsp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SERVER), *args], cwd=cwd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def check(root: Path) -> dict:
    proc = parity_lsp("check", ".", "--format", "json", cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def findings(report: dict) -> list[tuple]:
    """(file name, line, column, code, severity) of each finding, sorted."""
    return sorted(
        (Path(d["path"]).name, d["line"], d["column"], d["code"], d["severity"])
        for d in report["diagnostics"]
    )


def shown(problems: list[dict]) -> list[tuple]:
    """The same, from the Problems panel's entries."""
    return sorted((p["file"], p["line"], p["column"], p["code"], p["severity"]) for p in problems)


def counts_text(report: dict) -> str:
    errors, warnings = report["summary"]["error"], report["summary"]["warning"]
    return "$(check) parity" if errors == warnings == 0 else f"parity $(error) {errors} $(warning) {warnings}"


def built_vsix() -> Path:
    """The .vsix of the extension as it is now: `make vscode` builds it before pytest (make test);
    missing or older than a source, `make vsix` builds it again."""
    vsix = EXTENSION / f"parity-lsp-{PKG['version']}.vsix"
    sources = [
        EXTENSION / name for name in ("package.json", "package-lock.json", "esbuild.mjs", "README.md")
    ] + sorted((EXTENSION / "src").glob("*.ts"))
    newest = max(p.stat().st_mtime for p in sources)
    if not vsix.is_file() or vsix.stat().st_mtime < newest:
        require(shutil.which("npm"), "npm", "install Node 20 with npm, then `make vsix` builds the .vsix")
        require(shutil.which("make"), "make", "apt-get install make")
        proc = subprocess.run(
            ["make", "-C", str(REPO), "vsix"],
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, f"`make vsix` failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        assert vsix.is_file(), f"`make vsix` made no {vsix}"
    return vsix


@dataclass
class Session:
    server: CodeServer
    page: Page
    wb: Workbench
    ws: Path
    artifacts: Path
    before: dict  # `parity-lsp check --format json` on the copy as the session started

    @contextlib.contextmanager
    def on_failure(self, name: str):
        """Saves what a person would look at when the body fails, and names where in the error."""
        try:
            yield
        except Exception as exc:
            out = self.artifacts / name
            out.mkdir(parents=True, exist_ok=True)
            saved = []
            with contextlib.suppress(Exception):
                self.wb.screenshot(out / "workbench.png")
                saved.append("workbench.png")
            with contextlib.suppress(Exception):
                (out / "status-history.json").write_text(json.dumps(self.wb.status_history(), indent=1))
                (out / "notifications.json").write_text(json.dumps(self.wb.notifications(), indent=1))
                saved += ["status-history.json", "notifications.json"]
            (out / "parity-lsp-output.log").write_text(self.server.output_channel("parity-lsp"))
            (out / "code-server.log").write_text(self.server.log())
            (out / "extension-host.log").write_text(self.server.extension_host_log())
            saved += ["parity-lsp-output.log", "code-server.log", "extension-host.log"]
            raise AssertionError(f"{exc}\n\nscreenshots and logs in {out}: {', '.join(saved)}") from exc

    def reset(self) -> None:
        """Back to a plain workbench between tests: no widget, no editor, the window's size."""
        self.page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        for _ in range(2):
            self.wb.press("Escape")
        self.wb.maximize_panel(False)
        self.wb.run_command("View: Close All Editors")

        def closed() -> bool:
            # an unsaved editor (a test that failed halfway) asks first: its changes are dropped
            self.wb.js(
                """[...document.querySelectorAll('.monaco-dialog-box .monaco-button')]
                   .find(b => b.innerText.trim() === "Don't Save")?.click()"""
            )
            return self.wb.active_editor() == ""

        self.wb.wait("no editor open", closed)

    def status(self) -> str:
        return self.wb.status_items().get(STATUS_ID, "")

    def wait_status(self, text: str) -> None:
        self.wb.wait(f"the status bar item to show {text!r}", lambda: self.status() == text)

    @contextlib.contextmanager
    def problems_panel(self):
        """The Problems panel, maximized so that every entry is rendered (it is a virtual list)."""
        self.wb.run_command("View: Focus Problems (Errors, Warnings, Infos)")
        self.wb.maximize_panel(True)
        try:
            yield
        finally:
            self.wb.maximize_panel(False)


USER_SETTINGS = {
    "parityLsp.path": str(SERVER),
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "security.workspace.trust.enabled": False,
    "git.enabled": False,
    # desktop VS Code's default; in the browser it is "afterDelay": edits saved a second later
    "files.autoSave": "off",
}


@pytest.fixture(scope="module")
def vscode(tmp_path_factory):
    code_server = require(find_code_server(), "code-server", INSTALL_HINT)
    chromium = require(find_chromium(), "chromium", "apt-get install -y chromium (Debian's package)")
    vsix = built_vsix()
    home = tmp_path_factory.mktemp("vscode-e2e")
    ws = home / "demo-repo"
    shutil.copytree(DEMO, ws)
    before = check(ws)
    started = time.monotonic()
    with (
        CodeServer(code_server, home / "code-server", ws, vsix, USER_SETTINGS) as server,
        Browser(chromium, timeout=TIMEOUT) as browser,
    ):
        page = browser.new_page(width=WIDTH, height=HEIGHT)
        page.send("Page.addScriptToEvaluateOnNewDocument", {"source": status_recorder(STATUS_ID)})
        session = Session(server, page, Workbench(page, timeout=TIMEOUT), ws, home / "failures", before)
        with session.on_failure("startup"):
            page.navigate(server.url)
            session.wb.wait_ready()
            session.wb.wait(
                "the first diagnostics in the status bar",
                lambda: session.status() not in ("", CHECKING),
                timeout=2 * TIMEOUT,
            )
        print(f"workbench up with parity-lsp's first results in {time.monotonic() - started:.1f}s")
        yield session


@pytest.fixture
def vs(vscode, request):
    with vscode.on_failure(f"{request.node.name}-setup"):
        vscode.reset()
    return vscode


def on_failure(test):
    """Runs the test inside `Session.on_failure` (a fixture never sees the test's exception)."""

    @functools.wraps(test)
    def run(vs, *args, **kwargs):
        name = test.__name__ + (f"-{kwargs['target']['needle']}" if "target" in kwargs else "")
        with vs.on_failure(name):
            return test(vs, *args, **kwargs)

    return run


@on_failure
def test_extension_activates_and_the_status_bar_says_checking_then_errors_and_warnings(vs):
    # activation: the extension's item is in the status bar, it started the server from the setting
    assert f"[info] starting {SERVER} serve --stdio (from parityLsp.path)" in vs.server.output_channel(
        "parity-lsp"
    )
    want = counts_text(vs.before)
    assert want == "parity $(error) 10 $(warning) 4"  # the demo's planted defects: warnings count too
    vs.wait_status(want)
    # every text the item showed since the page loaded: "checking…" until the first result, never
    # a count before it (a green "no errors" was shown while the counts were still empty)
    history = vs.wb.status_history()
    assert history[0] == CHECKING, history
    first_count = next(i for i, t in enumerate(history) if t != CHECKING)
    assert history[first_count] == want, history
    tooltip = vs.wb.status_tooltip(STATUS_ID)
    assert "parity-lsp: 10 errors and 4 warnings in 1 file (click for the Problems panel)" in tooltip


@on_failure
def test_the_problems_panel_lists_what_parity_lsp_check_finds(vs):
    want = findings(vs.before)
    assert len(want) == len(EXPECTED["diagnostics"])
    with vs.problems_panel():
        got = vs.wb.wait(
            f"{len(want)} entries in the Problems panel",
            lambda: (p := vs.wb.problems()) and len(p) == len(want) and p,
        )
        assert shown(got) == want
        assert {p["source"] for p in got} == {"parity-lsp"}
        by_position = {(p["line"], p["column"], p["code"]): p["message"] for p in got}
        for d in vs.before["diagnostics"]:
            assert by_position[(d["line"], d["column"], d["code"])] == d["message"]
        assert vs.wb.problems_count() == str(len(want))


def column_of(line: int, needle: str) -> int:
    """The 1-based column of `needle`'s first character on the matrix's 1-based `line`."""
    text = (DEMO / MATRIX).read_text().splitlines()[line - 1]
    return text.index(needle) + 1


@on_failure
def test_hover_on_an_evidence_reference_shows_parity_lsp_hover(vs):
    target = EXPECTED["definitions"][0]
    assert target["needle"] == "tick_idempotency_key"
    vs.wb.open_file(MATRIX)
    vs.wb.go_to(target["line"], column_of(target["line"], target["needle"]) + 3)
    vs.wb.press("Ctrl+K")
    vs.wb.press("Ctrl+I")  # Show or Focus Hover
    text = vs.wb.wait("the hover", vs.wb.hover_text)
    cited = (vs.ws / target["target"]).read_text().splitlines()
    # parity-lsp's hover: the cited file and its length, the symbol and its lines, its code
    assert f"{target['target']} — {len(cited)} lines" in text, text
    assert "tick_idempotency_key — fn, lines 5-8" in text, text
    assert cited[target["target_line"] - 1].strip() in text, text


@pytest.mark.parametrize("target", EXPECTED["definitions"], ids=lambda t: t["needle"])
@on_failure
def test_f12_opens_the_cited_file_at_the_cited_line(vs, target):
    vs.wb.open_file(MATRIX)
    vs.wb.go_to(target["line"], column_of(target["line"], target["needle"]) + 1)
    vs.wb.press("F12")
    name = Path(target["target"]).name
    vs.wb.wait(f"{name} in the active editor", lambda: vs.wb.active_editor() == name)
    path = target["target"].split("/")
    vs.wb.wait(f"breadcrumbs {path}", lambda: vs.wb.breadcrumbs()[: len(path)] == path)
    vs.wb.wait(
        f"the cursor on line {target['target_line']}",
        lambda: (vs.wb.cursor() or (0,))[0] == target["target_line"],
    )


@on_failure
def test_the_palette_lists_the_commands(vs):
    contributed = {f"{c['category']}: {c['title']}" for c in PKG["contributes"]["commands"]}
    hidden = {
        f"{c['category']}: {c['title']}"
        for c in PKG["contributes"]["commands"]
        for m in PKG["contributes"]["menus"]["commandPalette"]
        if m["command"] == c["command"] and m["when"] == "false"
    }
    assert hidden == {"parity-lsp: Open a location of the parity report"}
    vs.wb.open_file(MATRIX)  # "Fix all in file" is offered with a matrix open

    def titles() -> set[str]:
        return {e for e in vs.wb.palette_entries("parity-lsp") if e.startswith("parity-lsp: ")}

    # the palette's conditions follow the active editor (its language) a moment after it opens
    got = vs.wb.wait("the palette to offer Fix all", lambda: (t := titles()) and len(t) == 4 and t)
    assert (
        got
        == contributed - hidden
        == {
            "parity-lsp: Restart server",
            "parity-lsp: Show output",
            "parity-lsp: Fix all in file",
            "parity-lsp: Open parity report",
        }
    )


@on_failure
def test_the_report_webview_renders_the_report(vs):
    proc = parity_lsp("report", ".", "--format", "json", cwd=vs.ws)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    overall = report["overall"]
    vs.wb.run_command("parity-lsp: Open parity report")
    vs.wb.wait("the Parity report tab", lambda: vs.wb.active_editor() == "Parity report")

    def frame() -> str | None:
        # the webview's content is the iframe "active-frame" inside the webview's own iframe
        frames = [f for f in vs.wb.frames() if f.get("name") == "active-frame"]
        return frames[-1]["id"] if frames else None

    def headline() -> str | None:
        ident = frame()
        if not ident:
            return None
        with contextlib.suppress(Exception):
            return vs.wb.evaluate_in_frame(ident, "document.querySelector('#headline')?.innerText")
        return None

    assert vs.wb.wait("the report's headline", headline) == (
        f"{overall['verified']} of {overall['rows']} capabilities verified"
    )
    body = vs.wb.evaluate_in_frame(frame(), "document.body.innerText")
    assert f"Broken claims ({overall['broken']})" in body
    for claim in report["broken_claims"]:
        assert claim["capability"] in body
    # the report's own script ran (its CSP allows it by hash): the rows table is sortable
    assert vs.wb.evaluate_in_frame(frame(), "document.querySelectorAll('script').length") >= 1


@on_failure
def test_the_settings_ui_edits_every_setting_but_proof_level_globs(vs):
    props = PKG["contributes"]["configuration"]["properties"]
    vs.wb.run_command("Preferences: Open Settings (UI)")
    vs.wb.wait_js("the Settings editor", "!!document.querySelector('.settings-editor .settings-header')")
    vs.wb.wait_js(
        "the settings search box focused",
        "!!document.activeElement?.closest('.settings-editor .search-container')",
    )
    vs.wb.type("@ext:parity-lsp.parity-lsp")
    # a tall window renders every item (the settings list is virtual too)
    vs.page.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": 4000, "deviceScaleFactor": 1, "mobile": False},
    )
    # code-server shows machine-scoped settings (path, interpreter, args) under "Remote"
    vs.wb.js(
        """[...document.querySelectorAll('.settings-editor .settings-tabs-widget .action-label')]
           .find(e => e.innerText.startsWith('Remote'))?.click()"""
    )
    count = f"{len(props)} Settings Found"
    vs.wb.wait_js(
        f"{count!r}",
        f"document.querySelector('.settings-editor .settings-count-widget')?.innerText === {json.dumps(count)}",
    )

    def items() -> dict[str, dict]:
        return {
            i["label"]: i
            for i in vs.wb.js(
                """[...document.querySelectorAll('.settings-editor .setting-item')].map(e => ({
                     label: (e.querySelector('.setting-item-category')?.innerText || '') +
                            (e.querySelector('.setting-item-label')?.innerText || ''),
                     edit: !!e.querySelector('.edit-in-settings-button'),
                     input: e.querySelector('.setting-item-control input')?.value ?? null,
                     addItem: !!e.querySelector('.setting-list-widget .monaco-button, .setting-list-new-row')}))"""
            )
        }

    got = vs.wb.wait(f"{len(props)} settings rendered", lambda: (i := items()) and len(i) == len(props) and i)
    only_json = sorted(label for label, i in got.items() if i["edit"])
    # an object of arrays is one thing VS Code's Settings UI cannot edit (the globs per proof
    # level, the headers per column role, the values per status meaning)
    assert only_json == [
        "Parity Lsp: Columns",
        "Parity Lsp: Proof Level Globs",
        "Parity Lsp: Status Meanings",
    ], only_json
    for label in (
        "Parity Lsp: Path",
        "Parity Lsp: Interpreter",
        "Parity Lsp: Exception ID Pattern",
        "Parity Lsp: Max File Bytes",
    ):
        assert got[label]["input"] == "", (label, got[label])  # an input box, empty: unset
    for label in ("Parity Lsp: Include", "Parity Lsp: Ignore", "Parity Lsp: Args"):
        assert got[label]["addItem"], (label, got[label])  # a list with "Add Item"


@on_failure
def test_a_cited_file_counts_when_saved_not_while_edited(vs):
    """README, "Editors": the extension attaches the server to matrices only, so an unsaved edit
    of a cited Rust file changes nothing; saved, VS Code's file watcher (the server registers
    one) reports it and the matrix gets the drift, without saving the matrix (issue 18 item 4).
    `files.autoSave` is desktop VS Code's default, "off" (USER_SETTINGS)."""
    cited = "crates/flow-core/src/schedule.rs"
    original = (vs.ws / cited).read_text()
    drift = ("dagster-parity-matrix.md", 10, "PM304")  # the row cites line 6 of `tick_idempotency_key`

    def drifted() -> bool:
        return drift in {(p["file"], p["line"], p["code"]) for p in vs.wb.problems()}

    try:
        vs.wb.open_file(cited)
        vs.wb.go_to(1, 1)
        vs.wb.type("\n\n")  # two lines above the cited function, unsaved
        with vs.problems_panel():
            time.sleep(2)
            assert not drifted(), "an unsaved edit of a cited file changed the matrix's findings"
            vs.wb.press("Ctrl+S")
            vs.wb.wait("the saved cited file's drift in the Problems panel", drifted)
        assert (vs.ws / cited).read_text() == "\n\n" + original
        assert (vs.ws / MATRIX).read_text() == (DEMO / MATRIX).read_text()  # the matrix was not saved
    finally:
        (vs.ws / cited).write_text(original)  # VS Code reloads the saved editor from the disk
    with vs.problems_panel():
        vs.wb.wait("the drift gone once the cited file is back", lambda: not drifted())
    vs.wait_status(counts_text(vs.before))


@on_failure
def test_fix_all_removes_the_fixable_findings(vs, tmp_path):
    # what `parity-lsp fix` makes of the same matrix, on another copy
    other = tmp_path / "demo-repo"
    shutil.copytree(DEMO, other)
    fixed = parity_lsp("fix", ".", cwd=other)
    assert fixed.returncode in (0, 1), fixed.stderr
    after = check(other)
    fixable = {(d["line"], d["code"]) for d in vs.before["diagnostics"] if d.get("fix")}
    assert fixable == {(11, "PM304"), (12, "PM101")}
    remaining = {(d["line"], d["code"]) for d in after["diagnostics"]}
    assert not fixable & remaining
    # row 12's status is `Implemented` once fixed: the row is then judged as a claim (PM203, PM204)
    assert remaining - {(d["line"], d["code"]) for d in vs.before["diagnostics"]} == {
        (12, "PM203"),
        (12, "PM204"),
    }
    vs.wb.open_file(MATRIX)
    vs.wb.run_command("parity-lsp: Fix all in file")
    with vs.problems_panel():
        vs.wb.wait(
            "the Problems panel to list what `parity-lsp check` finds after `parity-lsp fix`",
            lambda: shown(vs.wb.problems()) == findings(after),
        )
        assert vs.wb.problems_count() == str(len(after["diagnostics"]))
    vs.wait_status(counts_text(after))
    vs.wb.open_file(MATRIX)
    vs.wb.press("Ctrl+S")
    vs.wb.wait(
        "the saved matrix to be what `parity-lsp fix` wrote",
        lambda: (vs.ws / MATRIX).read_text() == (other / MATRIX).read_text(),
    )
    assert findings(check(vs.ws)) == findings(after)


@on_failure
def test_a_server_that_fails_to_start_says_why_and_a_restart_checks_again(vs):
    settings = vs.ws / ".vscode" / "settings.json"
    settings.parent.mkdir(exist_ok=True)
    seen = len(vs.wb.status_history())
    want = counts_text(check(vs.ws))
    try:
        # a launch setting changed: the extension restarts the server, which exits at once
        settings.write_text(json.dumps({"parityLsp.args": ["--bogus"]}))
        vs.wait_status(FAILED)
        said = "parity-lsp: error: unrecognized arguments: --bogus"  # argparse's last line
        assert said in vs.wb.status_tooltip(STATUS_ID)
        note = vs.wb.wait(
            "the notification", lambda: [n for n in vs.wb.notifications() if "failed to start" in n]
        )
        assert note == [f"parity-lsp failed to start: {said}"], vs.wb.notifications()
        # the client's own transport errors are not shown
        assert not [n for n in vs.wb.notifications() if "connection" in n.lower()], vs.wb.notifications()
        # "checking…" while it started, then "failed to start" (the client's Stopped did not win)
        assert vs.wb.status_history()[seen:] == [CHECKING, FAILED]
    finally:
        settings.write_text("{}")
    seen = len(vs.wb.status_history())
    vs.wait_status(want)
    assert vs.wb.status_history()[seen:] == [CHECKING, want]
    vs.wb.clear_notifications()
