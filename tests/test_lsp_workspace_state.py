"""The language server's state, end to end (issue 16, items 10-13): a real server process and
a real pytest-lsp client.

- workspace-scoped findings (PM003) follow the current documents: rows inserted then deleted,
  an unsaved buffer closed;
- the client's configuration is applied before the first publish;
- multi-root: each workspace folder is a root of its own, folders come and go;
- no root at all (`rootUri: null`, no folders): the opened file's root, never the server's
  working directory, and a bounded listing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from lspkit import (
    ALWAYS_A_PROCESS,
    HEADER,
    client_capabilities,
    client_converter,
    codes,
    start_in_process,
    stop_in_process,
    wait_for,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

FIXTURE = Path(__file__).parent / "fixtures" / "realistic"
MATRIX = "docs/parity/matrix.md"
SERVER = [sys.executable, "-m", "parity_lsp", "serve"]


@contextlib.asynccontextmanager
async def client(
    folders: list[Path] | None,
    *,
    settings: dict[str, dict] | None = None,
    client_name: str = "visual-studio-code",
    capabilities: types.ClientCapabilities | None = None,
    server_command: list[str] | None = None,
    configuration_delay: float = 0.0,
):
    """A client with these workspace folders (None: `rootUri` null and no folders). `settings`
    maps a scope (a folder's URI, "" for every scope) to its `parityLsp` settings. Every
    publishDiagnostics is recorded in order (`lsp.history`)."""

    def make_client() -> LanguageClient:
        lsp = LanguageClient(converter_factory=client_converter)
        own = (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WORKSPACE_CONFIGURATION)
        register_lsp_features(lsp, {k: f for k, f in DEFAULT_CLIENT_FEATURES.items() if k not in own})
        lsp.history = []
        lsp.config_requests = []

        @lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams):
            lsp.diagnostics[params.uri] = params.diagnostics
            lsp.history.append((params.uri, params.diagnostics))

        @lsp.feature(types.WORKSPACE_CONFIGURATION)
        async def configuration(params: types.ConfigurationParams):
            lsp.config_requests.append([item.scope_uri for item in params.items])
            await asyncio.sleep(configuration_delay)  # a client that answers late (a busy editor)
            return [lsp.get_configuration(section=i.section, scope_uri=i.scope_uri) for i in params.items]

        return lsp

    if server_command is None and not ALWAYS_A_PROCESS:  # served in this process (tests/lspkit.py)
        lsp = await start_in_process(make_client)
    else:
        lsp = await ClientServerConfig(
            server_command=server_command or SERVER, client_factory=make_client
        ).start()
    for scope, value in (settings or {"": {}}).items():
        lsp.set_configuration({"parityLsp": value}, scope_uri=scope or None)

    uris = [f.resolve().as_uri() for f in folders or []]
    await lsp.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or client_capabilities(client_name),
            root_uri=uris[0] if uris else None,
            workspace_folders=[types.WorkspaceFolder(uri=u, name=Path(u).name) for u in uris]
            if uris
            else None,
        )
    )
    try:
        yield lsp
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(lsp.shutdown_session(), 10)
        with contextlib.suppress(Exception):
            await lsp.stop()
        if getattr(lsp, "in_process", None):
            await stop_in_process(lsp)


def open_text(lsp, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.resolve().as_uri()
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="markdown",
                version=version,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return uri


def change(lsp, uri: str, version: int, line: int, text: str, delete_line: bool = False) -> None:
    """Insert `text` at the start of `line`, or delete that line."""
    end = types.Position(line=line + 1 if delete_line else line, character=0)
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=line, character=0), end=end), text=text
                )
            ],
        )
    )


def pm003(lsp, uri: str) -> list[int]:
    return [line for code, line in codes(lsp.diagnostics.get(uri, [])) if code == "PM003"]


@pytest.fixture
def realistic(tmp_path: Path) -> Path:
    dest = tmp_path / "realistic"
    shutil.copytree(FIXTURE, dest)
    return dest


# --- item 10: workspace-scoped findings follow the current documents ----------------------------------


async def test_rows_inserted_then_deleted_leave_no_duplicate_warning(realistic):
    """`| --- |` inserted as a row in two tables is the same capability twice (PM003); deleting
    both rows gives back the file on disk, whose `check` finds nothing: neither does the server."""
    lines = (realistic / MATRIX).read_text(encoding="utf-8").split("\n")
    first, second = [i + 1 for i, line in enumerate(lines) if line.startswith("|---")][:2]
    async with client([realistic], client_name="neovim@v0.7.0") as lsp:
        uri = open_text(lsp, realistic / MATRIX)
        await wait_for(lambda: uri in lsp.diagnostics, what="first diagnostics")
        change(lsp, uri, 2, first, "| --- |\n")
        change(lsp, uri, 3, second + 1, "| --- |\n")
        await wait_for(lambda: pm003(lsp, uri) == [first, second + 1], what="two PM003")
        change(lsp, uri, 4, second + 1, "", delete_line=True)
        change(lsp, uri, 5, first, "", delete_line=True)
        await wait_for(lambda: not lsp.diagnostics[uri], what="the duplicates gone")
        await asyncio.sleep(0.3)  # nothing comes back later
        assert not lsp.diagnostics[uri]


async def test_closing_an_unsaved_matrix_clears_it_and_the_duplicates_it_caused(realistic):
    """An unsaved buffer (no file on disk) listing a capability of the matrix on disk: PM003 on
    both. Closed: its diagnostics are cleared (not "does not exist"), and the matrix on disk
    no longer points at it."""
    lines = (realistic / MATRIX).read_text(encoding="utf-8").split("\n")
    row = next(line for line in lines if line.startswith("| Duplicate tick suppression |"))
    async with client([realistic], client_name="neovim@v0.7.0") as lsp:
        on_disk = (realistic / MATRIX).resolve().as_uri()
        await wait_for(lambda: on_disk in lsp.diagnostics, what="indexing")
        unsaved = realistic / "docs/parity/unsaved-parity.md"
        uri = open_text(lsp, unsaved, "# New\n\n" + HEADER + row + "\n")
        await wait_for(lambda: pm003(lsp, uri) and pm003(lsp, on_disk), what="PM003 on both")
        lsp.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await wait_for(lambda: not lsp.diagnostics[uri], what="the closed buffer cleared")
        await wait_for(lambda: pm003(lsp, on_disk) == [], what="PM003 gone from the matrix on disk")
        await asyncio.sleep(0.3)
        assert not lsp.diagnostics[uri] and not lsp.diagnostics[on_disk]


# --- item 11: the configuration before the first publish ----------------------------------------------

# 30 rows whose status is misspelled: 30 PM101, a finding of the first (syntactic) publish
MISSPELLED = (
    textwrap.dedent("""\
    # Matrix

    ## Group

    """)
    + HEADER
    + "".join(f"| Cap {i} | F | Plannd | unit | — | — | — | @me | |\n" for i in range(30))
)


async def test_the_first_publish_already_applies_the_clients_settings(tmp_path):
    """`ignore = ["PM101"]` in the editor's settings, answered late by the client: the first
    publish (of the open document and of every other matrix) has none of the 30 PM101."""
    root = tmp_path / "ws"
    (root / "docs/parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "docs/parity/open.md").write_text(MISSPELLED.replace("| Cap ", "| Open "))
    (root / "docs/parity/closed.md").write_text(MISSPELLED.replace("| Cap ", "| Closed "))
    async with client([root], settings={"": {"ignore": ["PM101"]}}, configuration_delay=0.5) as lsp:
        uri = open_text(lsp, root / "docs/parity/open.md")
        closed = (root / "docs/parity/closed.md").resolve().as_uri()
        await wait_for(lambda: closed in lsp.diagnostics and uri in lsp.diagnostics, what="publishes")
    assert lsp.history, "nothing published"
    first = {}
    for published_uri, diagnostics in lsp.history:
        first.setdefault(published_uri, diagnostics)
    assert [d.code for ds in first.values() for d in ds if d.code == "PM101"] == []
    assert lsp.config_requests  # the settings were asked for (VS Code's capabilities)


async def test_without_those_settings_the_same_matrices_have_pm103(tmp_path):
    """The control: the matrices above do have the 30 findings the settings ignore, in the
    first publish."""
    root = tmp_path / "ws"
    (root / "docs/parity").mkdir(parents=True)
    (root / ".parity-lsp.toml").write_text("")
    (root / "docs/parity/open.md").write_text(MISSPELLED)
    async with client([root], client_name="neovim@v0.7.0") as lsp:
        uri = open_text(lsp, root / "docs/parity/open.md")
        await wait_for(lambda: uri in lsp.diagnostics, what="publish")
        assert [code for code, _ in codes(lsp.diagnostics[uri])] == ["PM101"] * 30


# --- item 12: multi-root ------------------------------------------------------------------------------------

ROW = "| Tick keys | Events | Planned | unit | `src/lib.rs` | — | — | TBD | |\n"


def folder(root: Path, config: str = "", extra: str = "") -> Path:
    (root / "docs/parity").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "src/lib.rs").write_text("pub fn f() {}\n")
    (root / ".parity-lsp.toml").write_text(config)
    (root / "docs/parity/m.md").write_text("# M\n\n" + HEADER + ROW + extra)
    return root


async def test_each_workspace_folder_is_a_root_of_its_own(tmp_path):
    """Two folders with different configurations list the same capability: no PM003 across
    them, each its own configuration (file and editor settings by scopeUri), paths resolved
    against its own root; a folder added later is served with its own settings, a folder
    removed is cleared; workspace symbols cover every folder, a report is one folder's."""
    a = folder(tmp_path / "a", 'ignore = ["PM103"]\n')
    b = folder(
        tmp_path / "b", "", extra="| Only in b | X | Planned | unit | `src/gone.rs` | — | — | @o | |\n"
    )
    c = folder(tmp_path / "c", "")
    uri_a, uri_b, uri_c = (p.resolve().as_uri() for p in (a, b, c))
    m_a, m_b, m_c = (f"{u}/docs/parity/m.md" for u in (uri_a, uri_b, uri_c))
    settings = {"": {}, uri_c: {"ignore": ["PM103", "PM301"]}}
    async with client([a, b], settings=settings) as lsp:
        await wait_for(lambda: m_a in lsp.diagnostics and m_b in lsp.diagnostics, what="both folders")
        assert codes(lsp.diagnostics[m_a]) == []  # PM103 ignored by a's .parity-lsp.toml; no PM003
        assert codes(lsp.diagnostics[m_b]) == [("PM103", 4), ("PM301", 5)]  # src/gone.rs: b's root
        assert m_c not in lsp.diagnostics
        lsp.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(
                    added=[types.WorkspaceFolder(uri=uri_c, name="c")],
                    removed=[types.WorkspaceFolder(uri=uri_b, name="b")],
                )
            )
        )
        # c is indexed with its own editor settings (scopeUri), asked for when it was added
        await wait_for(lambda: m_c in lsp.diagnostics, what="c indexed")
        assert codes(lsp.diagnostics[m_c]) == [] and [uri_c] in lsp.config_requests
        assert sorted(lsp.config_requests[0]) == sorted([uri_a, uri_b])  # one request, a scope per folder
        await wait_for(lambda: not lsp.diagnostics[m_b], what="b cleared")
        symbols = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="Tick keys"))
        assert sorted(s.location.uri for s in symbols) == sorted([m_a, m_c])
        report = await lsp.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="parityLsp.showReport", arguments=[{"format": "markdown", "uri": m_c}]
            )
        )
        assert report["root"] == uri_c and sorted(report["folders"]) == sorted([uri_a, uri_c])


async def test_a_nested_folder_owns_its_matrices(tmp_path):
    """A folder inside another: its matrix is published once, with its own configuration.
    Removed while its matrix is open, the matrix goes to the outer folder (its settings, and a
    duplicate capability with the outer matrix now)."""
    outer = folder(tmp_path / "outer", "")
    inner = folder(outer / "inner", 'ignore = ["PM103"]\n')
    m_outer = (outer / "docs/parity/m.md").resolve().as_uri()
    m_inner = (inner / "docs/parity/m.md").resolve().as_uri()
    async with client([outer, inner], client_name="neovim@v0.7.0") as lsp:
        await wait_for(lambda: m_outer in lsp.diagnostics and m_inner in lsp.diagnostics, what="both")
        await asyncio.sleep(0.3)
        assert codes(lsp.diagnostics[m_outer]) == [("PM103", 4)]  # no PM003 with the inner matrix
        assert codes(lsp.diagnostics[m_inner]) == []
        assert [d for u, ds in lsp.history if u == m_inner for d in ds] == []  # never the outer's view
        open_text(lsp, inner / "docs/parity/m.md")
        lsp.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(
                    added=[], removed=[types.WorkspaceFolder(uri=inner.resolve().as_uri(), name="inner")]
                )
            )
        )
        await wait_for(lambda: codes(lsp.diagnostics[m_inner]) == [("PM003", 4), ("PM103", 4)], what="moved")
        await wait_for(lambda: codes(lsp.diagnostics[m_outer]) == [("PM003", 4), ("PM103", 4)], what="outer")


async def test_a_nested_folder_removed_and_added_again_gives_its_matrices_back_and_takes_them(tmp_path):
    """The outer folder's globs match the nested folder's matrix: removed, the outer folder
    checks it (a duplicate capability with its own matrix); added again, the duplicate goes."""
    outer = folder(tmp_path / "outer", 'ignore = ["PM103"]\n')
    inner = folder(outer / "inner", 'ignore = ["PM103"]\n')
    (inner / "docs/parity/m.md").rename(inner / "docs/parity/inner-parity.md")
    m_outer = (outer / "docs/parity/m.md").resolve().as_uri()
    m_inner = (inner / "docs/parity/inner-parity.md").resolve().as_uri()
    inner_folder = types.WorkspaceFolder(uri=inner.resolve().as_uri(), name="inner")

    def folders_change(added, removed):
        lsp.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(added=added, removed=removed)
            )
        )

    async with client([outer, inner], client_name="neovim@v0.7.0") as lsp:
        await wait_for(lambda: m_outer in lsp.diagnostics and m_inner in lsp.diagnostics, what="both")
        assert codes(lsp.diagnostics[m_outer]) == codes(lsp.diagnostics[m_inner]) == []
        folders_change([], [inner_folder])
        await wait_for(lambda: codes(lsp.diagnostics[m_inner]) == [("PM003", 4)], what="taken back")
        await wait_for(lambda: codes(lsp.diagnostics[m_outer]) == [("PM003", 4)], what="duplicate")
        folders_change([inner_folder], [])
        await wait_for(lambda: codes(lsp.diagnostics[m_outer]) == [], what="given back")
        await wait_for(lambda: codes(lsp.diagnostics[m_inner]) == [], what="inner's own")


# --- item 13: no root ----------------------------------------------------------------------------------------

AUDITED_SERVER = """\
import os, sys
log = open({log!r}, "w", buffering=1)
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        log.write(json.dumps([event, os.fsdecode(args[0])]) + "\\n")
import json
os.chdir({cwd!r})
import parity_lsp.lsp.folders
parity_lsp.lsp.folders.IMPLICIT_MAX_FILES = {limit}
sys.addaudithook(hook)
from parity_lsp.cli import main
sys.argv = ["parity-lsp", "serve"]
sys.exit(main())
"""


def audited_server(tmp_path: Path, cwd: Path, limit: int = 10_000) -> tuple[list[str], Path]:
    log = tmp_path / "audit.jsonl"
    script = tmp_path / "serve_audited.py"
    script.write_text(AUDITED_SERVER.format(log=str(log), cwd=str(cwd), limit=limit))
    return [sys.executable, str(script)], log


def audit(log: Path) -> list[tuple[str, str]]:
    events = []
    for line in log.read_text().splitlines():
        with contextlib.suppress(ValueError):
            event, path = json.loads(line)
            events.append((event, os.path.abspath(path)))
    return events


def busy_directory(path: Path, n: int = 300) -> Path:
    """A directory like `/`: many files, other projects' matrices among them."""
    for i in range(n):
        d = path / f"d{i % 10}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.txt").write_text("x")
    (path / "other/docs/parity").mkdir(parents=True)
    (path / "other/docs/parity/m.md").write_text("# other\n\n" + HEADER + ROW)
    return path


async def test_no_root_uses_the_opened_files_root_never_the_working_directory(tmp_path):
    """`rootUri: null`, no folders, the server started in a busy directory: it reads nothing
    there; the opened file's nearest root marker is its root, and paths resolve against it."""
    cwd = busy_directory(tmp_path / "cwd")
    project = folder(
        tmp_path / "project", "", extra="| Gone | X | Planned | unit | `src/gone.rs` | — | — | @o | |\n"
    )
    (project / "docs/parity/other.md").write_text("# O\n\n" + HEADER + ROW.replace("Tick keys", "Other"))
    command, log = audited_server(tmp_path, cwd)
    async with client(None, client_name="neovim@v0.7.0", server_command=command) as lsp:
        uri = open_text(lsp, project / "docs/parity/m.md")
        other = (project / "docs/parity/other.md").resolve().as_uri()
        await wait_for(
            lambda: uri in lsp.diagnostics and other in lsp.diagnostics, what="the project indexed"
        )
        # src/lib.rs exists under the project: only src/gone.rs is missing
        assert codes(lsp.diagnostics[uri]) == [("PM103", 4), ("PM301", 5)]
        said = await wait_for(  # the log message may come right after the diagnostics
            lambda: [m.message for m in lsp.log_messages if "matrices checked under" in m.message],
            what="the log message of the check",
        )
        assert said == [
            f"parity-lsp {__import__('parity_lsp').__version__}: 2 matrices checked under {project.resolve()}"
        ]
    events = audit(log)
    # the project was listed and its other matrix read: the audit works
    assert ("open", str((project / "docs/parity/other.md").resolve())) in events
    assert ("os.scandir", str(project.resolve())) in events
    in_cwd = [e for e in events if e[1] == str(cwd.resolve()) or e[1].startswith(str(cwd.resolve()) + os.sep)]
    assert in_cwd == []
    outside = [
        e
        for e in events
        if e[1].startswith(str(tmp_path.resolve()) + os.sep)
        and not e[1].startswith(str(project.resolve()))
        and not e[1].startswith(str(tmp_path / "audit.jsonl"))
    ]
    assert outside == []


async def test_a_lone_file_without_a_root_marker_is_checked_with_a_bounded_listing(tmp_path):
    """A file in a busy directory with no root marker: that directory is its root, listed up
    to the bound (with a notice in the log); a file in the home directory: nothing listed."""
    home = busy_directory(tmp_path / "home")
    loose = busy_directory(tmp_path / "loose")
    (loose / "notes-parity.md").write_text("# N\n\n" + HEADER + ROW)
    (home / "todo-parity.md").write_text("# T\n\n" + HEADER + ROW)
    command, log = audited_server(tmp_path, tmp_path, limit=50)
    command = ["env", f"HOME={home}", *command]
    async with client(None, client_name="neovim@v0.7.0", server_command=command) as lsp:
        uri = open_text(lsp, loose / "notes-parity.md")
        await wait_for(lambda: uri in lsp.diagnostics, what="diagnostics")
        await wait_for(
            lambda: any("stopped listing files after 50" in m.message for m in lsp.log_messages),
            what="notice",
        )
        home_uri = open_text(lsp, home / "todo-parity.md")
        await wait_for(lambda: home_uri in lsp.diagnostics, what="diagnostics in the home directory")
        await wait_for(
            lambda: any("did not list its files" in m.message for m in lsp.log_messages), what="notice"
        )
        # src/lib.rs: not in ~ (PM103, a semantic finding, comes with the second publish)
        await wait_for(
            lambda: codes(lsp.diagnostics[home_uri]) == [("PM103", 4), ("PM301", 4)], what="complete"
        )
    events = audit(log)
    listed_in_loose = {p for e, p in events if e == "os.scandir" and p.startswith(str(loose.resolve()))}
    assert 0 < len(listed_in_loose) <= 51
    assert not [p for e, p in events if e == "os.scandir" and p.startswith(str(home.resolve()))]
    # the other project's matrix in the busy home directory is never read
    assert str((home / "other/docs/parity/m.md").resolve()) not in {p for _, p in events}
