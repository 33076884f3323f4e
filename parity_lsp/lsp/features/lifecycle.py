"""initialize / initialized / configuration / workspace folders / watched files / progress
while indexing.

Every root is a `Folder` (lsp/folders.py). The client's settings are asked for each folder
(`workspace/configuration` with its `scopeUri`) before anything of it is published: the first
diagnostics are the configured ones.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import to_fs_path

from parity_lsp import runtime
from parity_lsp.lsp import folders as lsp_folders
from parity_lsp.lsp.folders import SECTION, Folder, implicit_root, path_of, settings_from
from parity_lsp.lsp.server import READY_TIMEOUT, ParityServer, folders_from

WATCH_GLOB = "**/*"
CONFIG_TIMEOUT = 5.0  # seconds a workspace/configuration answer is waited for
CONFIG_FILES = (".parity-lsp.toml", "pyproject.toml", ".gitignore")  # at a folder's root
# Files added to the completion tree in one step (`build_tree` lets messages in between steps
# every 0.2 ms).
TREE_FILES_PER_STEP = 100


def register(server: ParityServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: ParityServer, params: types.InitializeParams) -> None:
        """Answered with what is imported already: nothing of the workspace is read (nor the
        engine imported) before the answer; its folders are served right after it."""
        ls.init_options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        ready = ls.ready = asyncio.Event()
        ls.initial_folders = folders_from(params)
        if not ls.client_has("workspace.configuration"):
            ready.set()  # the settings are the initialization options: nothing to wait for
        loop = asyncio.get_event_loop()
        loop.call_soon(ls.ensure_started)  # runs once this handler's answer is written
        # a client that never sends `initialized` still gets its diagnostics, late
        loop.call_later(READY_TIMEOUT, _stop_waiting, ls)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ParityServer, params: types.InitializedParams) -> None:
        ready = ls.ready
        if ready is None:
            return  # before `initialize` (a client's mistake): dropped, as LSP says
        # the folders of `initialize` (those opened since are started by `start_folder`)
        first = [f for f in ls.folders if f.indexing is None]
        try:
            await configure(ls, [f for f in first if not f.ready.is_set()])
        finally:
            ready.set()
            for folder in first:
                ls.publish_deferred(folder)
                build_tree(ls, folder)
        await register_watchers(ls)
        for folder in first:
            if not folder.removed:
                await index_workspace(ls, folder)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ParityServer, params: types.DidChangeConfigurationParams) -> None:
        if ls.ready is None:
            return  # before `initialize`: the settings arrive with it
        folders = list(ls.folders)
        if ls.client_has("workspace.configuration"):
            await configure(ls, folders)
        else:
            for folder in folders:
                folder.analysis.apply_settings(settings_from(params.settings))
        for folder in folders:
            if not folder.removed:
                ls.publish_many(folder, folder.analysis.check_all())

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(ls: ParityServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        if ls.ready is None:
            return  # before `initialize`
        for gone in params.event.removed or []:
            path = path_of(gone.uri)
            folder = ls.folders.get(path) if path is not None else None
            if folder is not None and not folder.implicit:
                ls.remove_folder(folder)
        added = []
        for new in params.event.added or []:
            fs_path = to_fs_path(new.uri)
            if not fs_path:
                continue
            existing = ls.folders.get(Path(fs_path).resolve())
            if existing is not None and existing.implicit:
                ls.remove_folder(existing)  # the user made it a workspace folder: settings of its own
            elif existing is not None:
                continue
            path = Path(fs_path)
            added.append(ls.add_folder(new.uri, new.name, path, max_files=lsp_folders.listing_bound(path)))
        reroute_documents(ls)
        ls.folders_changed()
        for folder in added:
            start_folder(ls, folder)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ParityServer, params: types.DidChangeWatchedFilesParams) -> None:
        if ls.ready is None:
            return  # before `initialize`: nothing was read yet
        changes: dict[Folder, list[tuple[str, bool]]] = {}
        config_changed: set[Folder] = set()
        for change in params.changes:
            path = path_of(change.uri)
            if path is None:
                continue
            # every folder holding the file: an outer folder's rows may cite a nested one's files
            for folder, rel in ls.folders.containing(path):
                if rel in CONFIG_FILES:
                    config_changed.add(folder)
                if ls.open_version(folder, rel) is not None:
                    continue  # the open buffer wins over the disk
                created_or_deleted = change.type in (
                    types.FileChangeType.Created,
                    types.FileChangeType.Deleted,
                )
                changes.setdefault(folder, []).append((rel, created_or_deleted))
        for folder in set(changes) | config_changed:
            files_changed(ls, folder, changes.get(folder, []), folder in config_changed)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ParityServer, *args: object) -> None:
        ls.protocol.shutdown_seen = True  # requests from now on are refused (transport.py)
        for handle in ls.pending.values():
            handle.cancel()
        ls.pending.clear()


def _stop_waiting(ls: ParityServer) -> None:
    """READY_TIMEOUT after `initialize`: whatever still waits for settings goes on without."""
    if ls.ready is not None and not ls.ready.is_set():
        ls.log("parity-lsp: no `initialized` from the client: going on with the initialization options")
        ls.ready.set()
        for folder in ls.folders:
            if not folder.ready.is_set():
                ls.publish_deferred(folder)


def files_changed(
    ls: ParityServer, folder: Folder, changes: list[tuple[str, bool]], config_changed: bool
) -> None:
    """File events of one folder: rows re-checked in place are published now; matrices sent
    back to a full check are checked in the background (see `check_later`)."""
    analysis = folder.analysis
    affected = set(analysis.files_changed(changes)) if changes else set()
    if config_changed:
        analysis.reload_config()
        affected = set(analysis.check_all())
    later = sorted(rel for rel in affected if rel in analysis.revalidating)
    ready = sorted(affected.difference(later))
    for rel in ready:
        analysis.check(rel)
    analysis.refresh_cross()
    if ready or not later:
        ls.publish_many(folder, ready)
    if later:
        ls.check_later(folder, later)


def start_folder(ls: ParityServer, folder: Folder) -> None:
    """A folder added after `initialize` (by the client, or implicit for a lone document):
    its settings are asked for, what waited for them published, then it is indexed."""

    async def start() -> None:
        await ls.wait_ready()
        if folder.removed:
            return
        if not folder.ready.is_set():
            try:
                await configure(ls, [folder])
            finally:
                ls.publish_deferred(folder)
        if not folder.removed:
            build_tree(ls, folder)
            await index_workspace(ls, folder)

    folder.indexing = asyncio.ensure_future(start())


def build_tree(ls: ParityServer, folder: Folder) -> None:
    """Build the folder's directory tree (what the first path completion needs) in small steps
    between messages, from the moment its settings are known: a user types a path soon after
    opening the matrix, while its semantic stage and the indexing still run (the first
    completion built it itself: ~0.25 s at 20,000 files, the slowest completion of a session).
    The file list comes first (`files_listed`, shared with the indexing); steps go on while the
    client talks: a user typing is never quiet for long."""

    async def build() -> None:
        await asyncio.sleep(0)  # after the answer being written
        await files_listed(folder)
        if not folder.removed:
            analysis = folder.analysis
            # a fifth of a millisecond a turn: an edit's handlers await several times before
            # its answer, and the tree's steps ran between them
            await analysis.run_in_steps(
                analysis.ws.file_tree_steps(TREE_FILES_PER_STEP), step_seconds=0.0002, while_talking=True
            )

    if folder.tree_building is None or folder.tree_building.done():
        folder.tree_building = asyncio.ensure_future(build())


async def files_listed(folder: Folder) -> None:
    """The folder's file list, walked a directory at a time between messages (even while the
    client talks: 20,000 files took ~35 ms in one piece, which the first keystroke after the
    first diagnostics waited for), or read by git in a thread. One listing, whoever asks first;
    a request that needs the list before it is done lists it at once."""
    ws = folder.analysis.ws
    if folder.listing is None or folder.listing.done():
        if ws.listed_by_git():
            # `git ls-files` is one piece (~10 ms at 1,800 files): waited for in a thread, whose
            # subprocess lets the loop go on (the first edit after the first diagnostics waited)
            folder.listing = asyncio.ensure_future(_in_thread(ws.files))
        else:
            folder.listing = asyncio.ensure_future(
                folder.analysis.run_in_steps(ws.files_steps(), while_talking=True)
            )
    await asyncio.shield(folder.listing)


async def _in_thread(work: Callable[[], object]) -> None:
    await asyncio.to_thread(work)


def implicit_folder(ls: ParityServer, uri: str) -> Folder | None:
    """A document in no folder: the folder of its nearest root marker, else of its directory
    (made now; its settings are asked for, and it is indexed, in the background)."""
    path = ls.folders.path(uri)
    if path is None:
        return None
    root, listable = implicit_root(path)
    existing = ls.folders.get(root)
    if existing is not None:
        return existing
    folder = ls.add_folder(
        root.as_uri(),
        root.name,
        root,
        implicit=True,
        max_files=lsp_folders.IMPLICIT_MAX_FILES if listable else 0,
    )
    ls.log(f"parity-lsp: {uri} is in no workspace folder: its root is {root}")
    start_folder(ls, folder)
    return folder


def reroute_documents(ls: ParityServer) -> None:
    """Workspace folders came or went: each open document goes to the folder that is now its
    longest prefix (overlaid in every folder holding it) and is published there; implicit
    folders left without documents are dropped."""
    from parity_lsp.workspace.files import is_matrix_name

    for uri, doc in list(ls.workspace.text_documents.items()):
        found = ls.document(uri)
        if found is None and uri in ls.doc_owner and is_matrix_name(uri) and implicit_folder(ls, uri):
            found = ls.document(uri)  # its folder was removed: a root of its own, as if opened now
        path = ls.folders.path(uri)
        if found is None or path is None:
            ls.doc_owner.pop(uri, None)
            continue
        owner, rel = found
        for folder, frel in ls.folders.containing(path):
            if not folder.analysis.ws.fs.has_overlay(frel):
                folder.analysis.open_document(frel, doc.source, doc.version)
        if ls.doc_owner.get(uri) is not owner:
            ls.doc_owner[uri] = owner
            analysis = owner.analysis
            if analysis.is_matrix_document(rel, doc.source):
                analysis.open_matrices.add(rel)
            ls.publish_many(owner, [rel])
    owned = set(ls.doc_owner.values())
    for folder in ls.folders:
        if folder.implicit and folder not in owned:
            ls.remove_folder(folder)


async def register_watchers(ls: ParityServer) -> None:
    if not ls.client_has("workspace.did_change_watched_files.dynamic_registration"):
        return
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=str(uuid.uuid4()),
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[types.FileSystemWatcher(glob_pattern=WATCH_GLOB)]
                        ),
                    )
                ]
            )
        )
    except JsonRpcException as exc:  # the client answered with an error
        ls.log(f"parity-lsp: could not register file watchers: {exc}")
        return
    # the client reports file changes: stat results can be kept until it does
    ls.watching = True
    for folder in ls.folders:
        # an implicit folder is outside the folders the client watches: every stat asks the disk
        folder.analysis.ws.fs.stable_stats = not folder.implicit


async def configure(ls: ParityServer, folders: list[Folder]) -> None:
    """Ask the client for the settings of each folder (one `workspace/configuration` request,
    an item per folder with its `scopeUri`) and apply them over the initialization options.
    No answer within CONFIG_TIMEOUT, or an error: the initialization options."""
    if not folders or not ls.client_has("workspace.configuration"):
        return
    values: list[object] = [None] * len(folders)
    try:
        async with asyncio.timeout(CONFIG_TIMEOUT):  # no task in between (see wait_ready)
            result = await ls.workspace_configuration_async(
                types.ConfigurationParams(
                    items=[types.ConfigurationItem(scope_uri=f.uri, section=SECTION) for f in folders]
                )
            )
        ok = isinstance(result, Sequence) and not isinstance(result, str)  # JSON: a list, or anything
        answered = list(result) if ok else []
        if len(answered) == len(folders):
            values = answered
        else:
            ls.log(f"parity-lsp: workspace/configuration answered {result!r} for {len(folders)} folder(s)")
    except (JsonRpcException, TimeoutError) as exc:  # an error answer, or none in time
        ls.log(f"parity-lsp: workspace/configuration failed: {exc!r}")
    for folder, value in zip(folders, values, strict=True):
        if folder.removed:
            continue
        analysis = folder.analysis
        analysis.apply_settings({**settings_from(ls.init_options), **settings_from(value)})
        for p in analysis.config_problems:
            ls.log(f"parity-lsp: {p.path}:{p.line + 1}: {p.message}", types.MessageType.Warning)


async def index_workspace(ls: ParityServer, folder: Folder) -> None:
    """Check every matrix of a folder, reporting work-done progress when the client can."""
    analysis = folder.analysis
    # requests that waited for the configuration (the first diagnostics) go before the listing
    await asyncio.sleep(0)
    token = None
    if ls.client_has("window.work_done_progress"):
        token = str(uuid.uuid4())
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title="parity-lsp: indexing", percentage=0)
            )
        except JsonRpcException as exc:  # the client answered with an error: no progress then
            ls.log(f"parity-lsp: no indexing progress: {exc}")
            token = None
    await files_listed(folder)
    # open documents first: their diagnostics are the ones someone is looking at
    paths = sorted(analysis.matrix_paths(), key=lambda rel: ls.open_version(folder, rel) is None)
    if analysis.ws.files_truncated:
        limit = analysis.ws.max_files
        why = f"stopped listing files after {limit}" if limit else "did not list its files"
        what = (
            "the root chosen for a document outside every workspace folder"
            if folder.implicit
            else "a workspace folder at the file system root or the home directory"
        )
        ls.log(
            f"parity-lsp: {analysis.root} is {what}; {why}: open the project as a workspace folder "
            "to check all of it",
            types.MessageType.Info,
        )
    for i, rel in enumerate(paths):
        await ls.after_semantic_stages()  # an open matrix's complete diagnostics first
        if folder.removed:
            return
        await analysis.check_in_steps(rel)
        if token and (i % 5 == 0 or i == len(paths) - 1):
            ls.work_done_progress.report(
                token,
                types.WorkDoneProgressReport(
                    message=f"{i + 1}/{len(paths)} {rel}", percentage=int(100 * (i + 1) / max(1, len(paths)))
                ),
            )
        await asyncio.sleep(0)  # let requests in between matrices
    await ls.after_semantic_stages()
    if folder.removed:
        return
    analysis.refresh_cross()
    ls.publish_many(folder, paths)
    for rel in analysis.config_findings():
        ls.publish(folder, rel)
    counts = analysis.counts()
    checked = f"{counts.matrices} {'matrix' if counts.matrices == 1 else 'matrices'} checked"
    notes = []
    if counts.unreadable:
        notes.append(f"{counts.unreadable} could not be read")
    if counts.without_table:
        notes.append(f"{counts.without_table} included file(s) had no matrix table")
    ls.log(
        f"parity-lsp {ls.version}: {checked} under {analysis.root}"
        + (f" ({'; '.join(notes)})" if notes else "")
    )
    if not counts.matrices:  # never silent: a workspace with no matrix says so (PM005 tells an open file)
        globs = ", ".join(analysis.ws.config.include)
        ls.log(
            f"parity-lsp: no matrix in {analysis.root} (include globs: {globs}): nothing is checked",
            types.MessageType.Warning,
        )
    if token:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=checked))
    runtime.long_lived()  # the index
