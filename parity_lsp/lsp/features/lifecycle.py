"""initialize / initialized / configuration / watched files / progress while indexing."""

from __future__ import annotations

import asyncio
import gc
import uuid
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from parity_lsp.features.complete import file_tree_steps
from parity_lsp.lsp.server import ParityServer, root_from

SECTION = "parityLsp"
WATCH_GLOB = "**/*"


def _settings_from(value: Any) -> dict[str, Any]:
    """`parityLsp` settings (a dict, possibly nested under the section name): JSON from the client."""
    if not isinstance(value, dict):
        return {}  # includes [] : an empty Lua table arrives as a JSON array
    if SECTION in value:
        value = value[SECTION] if isinstance(value[SECTION], dict) else {}
    # editor-only keys are not engine configuration
    return {k: v for k, v in value.items() if k not in ("path", "interpreter", "args", "trace")}


def register(server: ParityServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: ParityServer, params: types.InitializeParams) -> None:
        ls.init_options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        ls.start_analysis(root_from(params), _settings_from(ls.init_options))
        ls.ready = asyncio.Event()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ParityServer, params: types.InitializedParams) -> None:
        analysis, ready = ls.analysis, ls.ready
        if analysis is None or ready is None:
            return  # before `initialize` (a client's mistake): dropped, as LSP says
        if ls.client_has("workspace.did_change_watched_files.dynamic_registration"):
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
                # the client reports file changes: stat results can be kept until it does
                analysis.ws.fs.stable_stats = True
            except JsonRpcException as exc:  # the client answered with an error
                ls.log(f"parity-lsp: could not register file watchers: {exc}")
        try:
            await pull_configuration(ls)
        finally:
            ready.set()
        await index_workspace(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ParityServer, params: types.DidChangeConfigurationParams) -> None:
        analysis = ls.analysis
        if analysis is None:
            return  # before `initialize`: the settings arrive with it
        if ls.client_has("workspace.configuration"):
            await pull_configuration(ls)
        else:
            analysis.apply_settings(_settings_from(params.settings))
        ls.publish_many(analysis.check_all())

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ParityServer, params: types.DidChangeWatchedFilesParams) -> None:
        analysis = ls.analysis
        if analysis is None:
            return  # before `initialize`: nothing was read yet
        config_changed = False
        changes: list[tuple[str, bool]] = []
        for change in params.changes:
            rel = ls.rel_of(change.uri)
            if rel is None:
                continue
            if rel in (".parity-lsp.toml", "pyproject.toml", ".gitignore"):
                config_changed = True
            if ls.open_version(rel) is not None:
                continue  # the open buffer wins over the disk
            changes.append((rel, change.type in (types.FileChangeType.Created, types.FileChangeType.Deleted)))
        affected = set(analysis.files_changed(changes)) if changes else set()
        if config_changed:
            analysis.reload_config()
            affected = set(analysis.check_all())
        # rows re-checked in place are ready; matrices sent back to a full check are checked
        # in the background (see `check_later`)
        later = sorted(rel for rel in affected if rel in analysis.revalidating)
        ready = sorted(affected.difference(later))
        for rel in ready:
            analysis.check(rel)
        analysis.refresh_cross()
        if ready or not later:
            ls.publish_many(ready)
        if later:
            ls.check_later(later)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ParityServer, *args: object) -> None:
        for handle in ls.pending.values():
            handle.cancel()
        ls.pending.clear()


async def pull_configuration(ls: ParityServer) -> None:
    analysis = ls.analysis
    if analysis is None or not ls.client_has("workspace.configuration"):
        return
    try:
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            ),
            timeout=5,
        )
    except (JsonRpcException, TimeoutError) as exc:  # an error answer, or none within 5 s
        ls.log(f"parity-lsp: workspace/configuration failed: {exc!r}")
        return
    value = result[0] if result else None
    settings = {**_settings_from(ls.init_options), **_settings_from(value)}
    analysis.apply_settings(settings)
    for p in analysis.config_problems:
        ls.log(f"parity-lsp: {p.path}:{p.line + 1}: {p.message}", types.MessageType.Warning)


def _say_what_was_checked(ls: ParityServer, paths: list[str]) -> None:
    """Never silent (issue 17 item 4): the log says what was checked, and warns when the
    workspace holds no matrix at all (a file opened later gets PM005's notice itself)."""
    analysis = ls.analysis
    if analysis is None:
        return
    states = [analysis.states[rel] for rel in paths if rel in analysis.states]
    checked = [s for s in states if s.model.tables]
    rows = sum(len(t.rows) for s in checked for t in s.model.tables)
    bare = [s for s in states if not s.model.tables and not any(f.code == "PM000" for f in s.findings)]
    note = f" ({len(bare)} included file{'s' if len(bare) != 1 else ''} had no matrix table)" if bare else ""
    if checked or len(states) > len(bare):
        ls.log(f"parity-lsp: {len(checked)} matrices, {rows} rows checked{note}")
    else:
        globs = ", ".join(analysis.ws.config.include)
        ls.log(
            f"parity-lsp: no matrix in {analysis.root}{note} (include globs: {globs}): nothing is checked",
            types.MessageType.Warning,
        )


async def index_workspace(ls: ParityServer) -> None:
    """Check every matrix of the workspace, reporting work-done progress when the client can."""
    analysis = ls.analysis
    if analysis is None:
        return
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
    # open documents first: their diagnostics are the ones someone is looking at
    paths = sorted(analysis.matrix_paths(), key=lambda rel: ls.open_version(rel) is None)
    ls.log(f"parity-lsp {ls.version}: {len(paths)} matrices under {analysis.root}")
    tree_primed = False
    for i, rel in enumerate(paths):
        if not tree_primed and ls.open_version(rel) is None:
            # then what the first path completion needs (the directory tree of every file), in
            # ~1 ms steps even while the client types: the first completion comes mid-burst, and
            # building the tree then took it 130 ms at 50,000 files
            await analysis.run_in_steps(file_tree_steps(analysis.ws), while_talking=True)
            tree_primed = True
        await analysis.check_in_steps(rel)
        if token and (i % 5 == 0 or i == len(paths) - 1):
            ls.work_done_progress.report(
                token,
                types.WorkDoneProgressReport(
                    message=f"{i + 1}/{len(paths)} {rel}", percentage=int(100 * (i + 1) / max(1, len(paths)))
                ),
            )
        await asyncio.sleep(0)  # let requests in between matrices
    if not tree_primed:
        await analysis.run_in_steps(file_tree_steps(analysis.ws), while_talking=True)
    analysis.refresh_cross()
    ls.publish_many(paths)
    _say_what_was_checked(ls, paths)
    for rel in analysis.config_findings():
        ls.publish(rel)
    if token:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{len(paths)} matrices checked"))
    # The index is long-lived: keep the cyclic GC from walking it again on every full collection
    # (those walks were the 200-300 ms pauses in edit latency on a 2,000-row matrix).
    gc.freeze()
