"""Drives a real VS Code workbench: code-server (VS Code in the browser, from npm) in headless
Chromium over the Chrome DevTools Protocol (tests/chromekit.py).

- `find_code_server()`: $PARITY_CODE_SERVER, else the install of `make code-server`
  (editors/vscode/scripts/install-code-server.sh), else `code-server` on PATH.
- `CodeServer`: installs a .vsix into a private extensions directory, writes the user settings,
  serves one folder on 127.0.0.1 (a free port), keeps its own config, data and logs in a temp
  directory, and stops with its process group.
- `Workbench`: what a user does (the command palette, Quick Open, Go to Line, keys) and what a
  user sees (status bar items, notifications, the Problems panel, hovers, the active editor,
  webviews), read from the page's DOM. Every wait polls a condition until a deadline: no sleeps.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chromekit import CDPError, Page

CODE_SERVER_VERSION = "4.100.3"  # the newest release that accepts Node 20
INSTALL_HINT = (
    f"`make code-server` (editors/vscode/scripts/install-code-server.sh: npm install "
    f"code-server@{CODE_SERVER_VERSION} into ~/.cache/parity-lsp/code-server, about a minute) "
    f"or `npm i -g code-server@{CODE_SERVER_VERSION}`, or set PARITY_CODE_SERVER"
)


def code_server_home() -> Path:
    if os.environ.get("PARITY_CODE_SERVER_HOME"):
        return Path(os.environ["PARITY_CODE_SERVER_HOME"])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "parity-lsp" / "code-server"


def find_code_server() -> str | None:
    if os.environ.get("PARITY_CODE_SERVER"):
        given = os.environ["PARITY_CODE_SERVER"]
        return given if Path(given).is_file() else None
    cached = code_server_home() / CODE_SERVER_VERSION / "node_modules" / ".bin" / "code-server"
    if cached.is_file() and (cached.parent.parent.parent / ".installed").is_file():
        return str(cached)
    return shutil.which("code-server")


class CodeServer:
    """`code-server` serving `folder`, with `vsix` installed and `settings` as the user settings."""

    def __init__(
        self,
        exe: str,
        home: Path,
        folder: Path,
        vsix: Path,
        settings: dict[str, Any],
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.exe = exe
        self.home = home
        self.folder = folder
        self.user_data = home / "user-data"
        self.extensions = home / "extensions"
        self.log_path = home / "code-server.log"
        (self.user_data / "User").mkdir(parents=True, exist_ok=True)
        (self.user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
        self.env = {
            **os.environ,
            **(env or {}),
            # code-server keeps its config.yaml and logs here, not in the user's home
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "XDG_DATA_HOME": str(home / "xdg-data"),
            "XDG_CACHE_HOME": str(home / "xdg-cache"),
        }
        self.env.pop("VSCODE_IPC_HOOK_CLI", None)
        self.common = [
            f"--user-data-dir={self.user_data}",
            f"--extensions-dir={self.extensions}",
            f"--config={home / 'config.yaml'}",
        ]
        installed = subprocess.run(
            [exe, *self.common, "--install-extension", str(vsix)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if installed.returncode != 0 or "successfully installed" not in installed.stdout:
            raise RuntimeError(f"installing {vsix} failed:\n{installed.stdout}\n{installed.stderr}")
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                exe,
                *self.common,
                "--auth=none",
                "--bind-addr=127.0.0.1:0",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                "--disable-proxy",
                str(folder),
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: stop() ends the extension host too
        )
        self.port: int | None = None
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self._log.write(line)
                self._log.flush()
                m = re.search(r"HTTP server listening on http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or self.port is None:
            self.stop()
            raise RuntimeError(f"code-server did not start:\n{self.log()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?folder={self.folder}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def output_channel(self, name: str) -> str:
        """The text of an extension's output channel (VS Code writes each one to a log file)."""
        files = sorted(self.user_data.glob(f"logs/*/exthost*/output_logging_*/*-{name}.log"))
        return "\n".join(f.read_text(errors="replace") for f in files)

    def extension_host_log(self) -> str:
        files = sorted(self.user_data.glob("logs/*/exthost*/remoteexthost.log")) + sorted(
            self.user_data.glob("logs/*/remoteagent.log")
        )
        return "\n".join(f.read_text(errors="replace")[-3000:] for f in files)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # what the server left running (language servers)
        self._log.close()

    def __enter__(self) -> CodeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# (key, code, windowsVirtualKeyCode) of the keys the tests press
KEYS = {
    "Enter": ("Enter", "Enter", 13),
    "Escape": ("Escape", "Escape", 27),
    "F1": ("F1", "F1", 112),
    "F12": ("F12", "F12", 123),
    "Home": ("Home", "Home", 36),
    "End": ("End", "End", 35),
    "Down": ("ArrowDown", "ArrowDown", 40),
}
MODIFIERS = {"Alt": 1, "Ctrl": 2, "Meta": 4, "Shift": 8}


class WaitTimeout(AssertionError):
    pass


# A status bar item's text as its extension set it: codicons back to `$(name)` (a spinning icon's
# modifier dropped), e.g. "$(error) 10 $(warning) 5".
RENDER_STATUS_ITEM = """(e) => {
  const label = e.querySelector('.statusbar-item-label') || e;
  return [...label.childNodes].map(n => n.nodeType === 3 ? n.textContent
    : ([...(n.classList || [])].filter(c => c.startsWith('codicon-') && !c.startsWith('codicon-modifier-'))
         .map(c => '$(' + c.slice(8) + ')').join('') || n.textContent)).join('').trim();
}"""


def status_recorder(item_id: str) -> str:
    """A script for Page.addScriptToEvaluateOnNewDocument: from the page's first moment, records
    every text the status bar item `item_id` shows, in order, in `window.__statusHistory`
    ([time ms, text] pairs): what a user sees change, even for a moment."""
    return f"""
      window.__statusHistory = [];
      (() => {{
        const render = {RENDER_STATUS_ITEM};
        let last = null;
        const check = () => {{
          const e = document.getElementById({json.dumps(item_id)});
          const text = e ? render(e) : null;
          if (text !== null && text !== last) {{ last = text; window.__statusHistory.push([Date.now(), text]); }}
        }};
        new MutationObserver(check).observe(document, {{subtree: true, childList: true, characterData: true, attributes: true}});
      }})();"""


class Workbench:
    """The VS Code workbench in a Chromium page."""

    def __init__(self, page: Page, timeout: float = 60.0) -> None:
        self.page = page
        self.timeout = timeout

    # --- plumbing -----------------------------------------------------------------------------

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def wait(self, what: str, probe: Callable[[], Any], timeout: float | None = None) -> Any:
        """Polls `probe` until it returns something truthy; fails naming `what` and its last value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        last: Any = None
        while True:
            try:
                last = probe()
            except CDPError as e:
                last = f"<{e}>"
            if last and not (isinstance(last, str) and last.startswith("<")):
                return last
            if time.monotonic() > deadline:
                raise WaitTimeout(
                    f"timed out after {timeout or self.timeout:.0f}s waiting for {what}; last: {last!r}"
                )
            time.sleep(0.1)

    def wait_js(self, what: str, expression: str, timeout: float | None = None) -> Any:
        return self.wait(what, lambda: self.js(expression), timeout)

    def press(self, key: str) -> None:
        """`key` with modifiers, e.g. "F12", "Ctrl+Shift+P", "Ctrl+S", "Ctrl+A"."""
        *mods, name = key.split("+")
        bits = 0
        for m in mods:
            bits |= MODIFIERS[m]
        if name in KEYS:
            k, code, vk = KEYS[name]
        elif len(name) == 1 and name.isalpha():
            k, code, vk = name.lower(), f"Key{name.upper()}", ord(name.upper())
        else:
            raise ValueError(key)
        for type_ in ("rawKeyDown", "keyUp"):
            params = {"type": type_, "key": k, "code": code, "windowsVirtualKeyCode": vk, "modifiers": bits}
            self.page.send("Input.dispatchKeyEvent", params)

    def type(self, text: str) -> None:
        self.page.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path, full_page=False)

    # --- workbench parts --------------------------------------------------------------------

    def wait_ready(self) -> None:
        self.wait_js("the workbench", "!!document.querySelector('.monaco-workbench .part.statusbar')")

    def status_items(self) -> dict[str, str]:
        """Status bar item id -> its text as shown (codicons as `$(name)`)."""
        return self.js(
            f"""(() => {{ const render = {RENDER_STATUS_ITEM};
                 return Object.fromEntries([...document.querySelectorAll('.part.statusbar .statusbar-item')]
                   .map(e => [e.id, render(e)])); }})()"""
        )

    def status_history(self) -> list[str]:
        """The texts `status_recorder`'s item showed since the page loaded, in order."""
        return [text for _, text in self.js("window.__statusHistory || []")]

    def status_tooltip(self, item_id: str) -> str:
        return self.js(f"(document.getElementById({json.dumps(item_id)})?.getAttribute('aria-label')) || ''")

    def notifications(self) -> list[str]:
        """The text of every notification toast on screen and in the notification center."""
        return self.js(
            """[...document.querySelectorAll('.notification-list-item')].map(e =>
                 (e.querySelector('.notification-list-item-message')?.innerText || '').trim())"""
        )

    def clear_notifications(self) -> None:
        self.run_command("Notifications: Clear All Notifications")

    def quick_input_rows(self) -> list[str]:
        return self.js(
            """[...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')]
               .map(e => e.getAttribute('aria-label') || e.innerText)"""
        )

    def quick_input_visible(self) -> bool:
        return self.js(
            """(() => { const w = document.querySelector('.quick-input-widget');
                        return !!w && w.style.display !== 'none' && w.offsetParent !== null; })()"""
        )

    def open_palette(self, prefix: str = ">") -> None:
        """The command palette (or Quick Open, with prefix "") with an empty filter."""
        self.press("Ctrl+Shift+P")
        self.wait("the command palette", self.quick_input_visible)
        self.set_quick_input(prefix)

    def set_quick_input(self, text: str) -> None:
        self.js(
            f"""(() => {{ const i = document.querySelector('.quick-input-widget .quick-input-box input');
                 i.value = {json.dumps(text)}; i.dispatchEvent(new Event('input', {{bubbles: true}})); }})()"""
        )

    def palette_entries(self, query: str) -> list[str]:
        """The command palette's entries for `query`, as listed (then the palette is closed)."""
        self.open_palette(">" + query)
        rows = self.wait(
            f"palette entries for {query!r}",
            lambda: [r for r in self.quick_input_rows() if query.lower() in r.lower()],
        )
        self.press("Escape")
        self.wait("the palette to close", lambda: not self.quick_input_visible())
        return rows

    def accept(self, what: str, first_row: Callable[[str], bool]) -> None:
        """Waits until the quick input's first entry satisfies `first_row`, then presses Enter
        (again, if the list was still being refreshed and the input stays open)."""
        for _ in range(5):

            def ready() -> bool:
                rows = self.quick_input_rows()
                return bool(rows) and first_row(rows[0])

            self.wait(f"{what} first in the list (rows: {self.quick_input_rows()[:3]})", ready)
            self.press("Enter")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                if not self.quick_input_visible():
                    return
                time.sleep(0.1)
        raise WaitTimeout(f"{what}: the quick input stayed open after Enter")

    def run_command(self, title: str) -> None:
        """Runs the command whose palette entry is `title` (exactly), as a user picks it."""
        self.open_palette(">" + title)
        # a row's label is the title, then ", " and more (a keybinding, "similar commands", ...)
        self.accept(f"the palette entry {title!r}", lambda row: row == title or row.startswith(title + ", "))

    def open_file(self, rel: str) -> None:
        """Quick Open (Ctrl+P) `rel`, then waits until it is the active editor."""
        self.press("Ctrl+P")
        self.wait("Quick Open", self.quick_input_visible)
        self.set_quick_input(rel)
        name = rel.rsplit("/", 1)[-1]
        self.accept(f"{rel} in Quick Open", lambda row: row.startswith(name))
        self.wait(f"{rel} in the active editor", lambda: self.active_editor() == name)
        # the editor takes the focus a moment later: commands and keys before that go elsewhere
        # (and the palette's conditions, e.g. on the editor's language, are evaluated without it)
        self.wait(f"{rel}'s editor focused", self.editor_focused)

    def editor_focused(self) -> bool:
        return self.js("!!document.activeElement?.closest('.editor-group-container.active .monaco-editor')")

    def active_editor(self) -> str:
        """The active editor tab's label (the file name)."""
        return self.js(
            """(document.querySelector('.editor-group-container.active .tab.active .label-name')?.innerText
                || document.querySelector('.editor-group-container.active .title-label .label-name')?.innerText
                || '').trim()"""
        )

    def active_editor_path(self) -> str:
        """The active tab's resource path, as its tooltip shows it."""
        return self.js(
            """(() => { const tab = document.querySelector('.editor-group-container.active .tab.active');
                        return tab?.getAttribute('data-resource-name') + ' ' + (tab?.getAttribute('aria-label') || ''); })()"""
        )

    def cursor(self) -> tuple[int, int] | None:
        """(line, column) from the status bar's "Ln 12, Col 4"."""
        text = self.status_items().get("status.editor.selection", "")
        m = re.search(r"Ln (\d+), Col (\d+)", text)
        return (int(m.group(1)), int(m.group(2))) if m else None

    def go_to(self, line: int, column: int) -> None:
        """Go to Line/Column (Ctrl+G) in the active editor, then waits for the cursor there."""
        self.press("Ctrl+G")
        self.wait("Go to Line", self.quick_input_visible)
        self.set_quick_input(f":{line}:{column}")
        self.accept("the Go to Line entry", lambda row: f"line {line} and character {column}" in row)
        self.wait(f"the cursor at {line}:{column}", lambda: self.cursor() == (line, column))

    # --- the Problems panel -----------------------------------------------------------------

    def problems(self) -> list[dict[str, Any]]:
        """The markers the Problems panel shows (rows outside its viewport are not rendered:
        maximize the panel first), each as {file, severity, message, source, code, line, column}."""
        return self.js(
            """(() => {
              const out = []; let file = '';
              for (const row of document.querySelectorAll('.markers-panel .monaco-list-row')) {
                const resource = row.querySelector('.resource-label-container .label-name');
                if (resource) { file = resource.innerText.trim(); continue; }
                const icon = row.querySelector('.marker-icon');
                if (!icon) continue;  // related information of the marker above
                const text = (sel) => (row.querySelector(sel)?.innerText || '').trim();
                const pos = /Ln (\\d+), Col (\\d+)/.exec(text('.marker-line')) || [];
                out.push({file, severity: ['error', 'warning', 'info'].find(c => icon.classList.contains(c)) || '',
                          message: text('.marker-message'), source: text('.marker-source'),
                          code: text('.marker-code'), line: Number(pos[1]), column: Number(pos[2])});
              }
              return out; })()"""
        )

    def panel_maximized(self) -> bool:
        return self.js(
            """[...document.querySelectorAll('.part.panel .action-label')]
               .some(e => (e.getAttribute('aria-label') || '').startsWith('Restore Panel Size'))"""
        )

    def maximize_panel(self, on: bool) -> None:
        if self.panel_maximized() != on:
            self.run_command("View: Toggle Maximized Panel")
            self.wait(f"the panel {'maximized' if on else 'restored'}", lambda: self.panel_maximized() == on)

    def problems_count(self) -> str:
        """The count on the Problems tab of the panel."""
        return self.js(
            """(() => { for (const t of document.querySelectorAll('.part.panel .composite-bar .action-item')) {
                 if (!/problems/i.test(t.innerText)) continue;
                 return (t.querySelector('.badge-content')?.innerText || '').trim(); }
               return ''; })()"""
        )

    # --- hovers and webviews ------------------------------------------------------------------

    def hover_text(self) -> str:
        """The text of the editor's hover widget while it is shown."""
        return self.js(
            """[...document.querySelectorAll('.monaco-hover:not(.hidden)')].map(e => e.innerText).join('\\n')"""
        )

    def breadcrumbs(self) -> list[str]:
        """The active editor's breadcrumbs (the file's path from the folder, then symbols)."""
        return self.js(
            """[...document.querySelectorAll('.editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item')]
               .map(e => e.innerText.trim())"""
        )

    def frames(self) -> list[dict[str, Any]]:
        """Every frame of the page (webviews are iframes within iframes): {frameId, url, name}."""
        out: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            out.append(node["frame"])
            for child in node.get("childFrames", []):
                walk(child)

        walk(self.page.send("Page.getFrameTree")["frameTree"])
        return out

    def evaluate_in_frame(self, frame_id: str, expression: str) -> Any:
        world = self.page.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "parity-e2e"})
        result = self.page.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "contextId": world["executionContextId"],
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        if "exceptionDetails" in result:
            raise CDPError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")
