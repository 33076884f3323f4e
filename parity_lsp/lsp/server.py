"""The language server: lifecycle, document sync, configuration and publishing.

Invariant: translation only. Every answer comes from `parity_lsp.analysis.Analysis` (the same
engine the CLI runs) or from `parity_lsp.features`; this package converts to and from LSP.
One module per feature under `lsp/features/`, each with a `register(server)` function listed
explicitly in `FEATURES` — a feature that fails to register fails loudly at start-up.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import importlib
import logging
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from parity_lsp import __version__, runtime
from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.lsp import transport
from parity_lsp.lsp.convert import Converter, DiagnosticList, diagnostic_json, encoding_name
from parity_lsp.lsp.docs import rule_doc_uri
from parity_lsp.lsp.folders import Folder, Folders, index_for, settings_from
from parity_lsp.lsp.transport import ParityProtocol, Prebuilt

if TYPE_CHECKING:
    import argparse

    from parity_lsp.text import LineIndex

log = logging.getLogger("parity_lsp.lsp")

BACKGROUND_PAUSE = 0.015  # seconds of quiet from the client before background work goes on
SEMANTIC_STAGE_POLL = 0.005  # seconds between two looks at whether a semantic stage is done
READY_TIMEOUT = 10.0  # seconds anything waits for the client's settings (a client that never answers)

# What `diagnostics_for` keys a diagnostic's cached JSON object by (its line's text unchanged):
# (line, code, message, column, length, severity, tags, related locations).
_DiagnosticKey = tuple[int, str, str, int, int, Severity, tuple[str, ...], tuple[Related, ...]]


class ParityServer(LanguageServer):
    """The server's state: its folders (lsp/folders.py), what it published, and the work it
    does between messages. Answers `initialize` with what it imported to get there (pygls and
    this package's LSP layer); the engine is imported right after (`ensure_started`), then the
    rest in background steps (`warm_up`)."""

    protocol: ParityProtocol

    def __init__(self) -> None:
        # pygls answers a request whose handler raises with a JSON-RPC error and keeps serving
        super().__init__(
            "parity-lsp",
            __version__,
            protocol_cls=ParityProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.protocol.on_send = self.client_is_talking
        self.protocol.before_message = self.ensure_started
        self.folders = Folders()  # every root served: workspace folders and implicit ones (folders.py)
        self.init_options: dict[str, Any] = {}  # the client's, as it sent them
        # the client's folders, from `initialize`: served once it is answered (`ensure_started`)
        self.initial_folders: list[tuple[str, str, Path]] = []
        self.started = False
        self.published: dict[str, int] = {}  # uri -> number of diagnostics last pushed
        self.pending: dict[str, asyncio.TimerHandle] = {}  # uri -> its coming re-check
        # uri -> (position encoding, the line index of the text, key -> JSON object of a diagnostic)
        self.diagnostic_cache: dict[str, tuple[str, LineIndex, dict[_DiagnosticKey, str]]] = {}
        # uri -> the findings last answered, the line index and encoding they were converted
        # with, and the answer (a pull again without a change is answered with it)
        self.diagnostic_lists: dict[str, tuple[list[Finding], LineIndex, str, DiagnosticList]] = {}
        self.newest_version: dict[str, int] = {}  # uri -> the newest document version seen
        # Set once `initialized` was handled (the first folders' settings applied); bounded by
        # READY_TIMEOUT for a client that never sends it.
        self.ready: asyncio.Event | None = None
        self.watching = False  # the client reports file changes (registered watchers)
        self.doc_owner: dict[str, Folder] = {}  # uri of an open document -> the folder it belongs to
        self.quiet_until = 0.0  # time.monotonic() before which background work waits (client talking)
        self.warming: asyncio.Future[None] | None = None

    # --- transport ---------------------------------------------------------------------------

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio (transport.serve_stdio: stdin read on the event loop)."""
        transport.serve_stdio(self, self.protocol, stdin, stdout, on_input=self.client_is_talking)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A body that is not JSON is answered with ParseError; anything else as pygls does."""
        if transport.is_parse_error(error):
            transport.parse_error(self.protocol, error)
            return
        super().report_server_error(error, source)

    # --- start -------------------------------------------------------------------------------

    def ensure_started(self) -> None:
        """Once `initialize` is answered: import the engine and serve the client's folders
        (their configuration read). Runs right after the answer (scheduled by `initialize`), or
        before the first message that needs it, whichever comes first; a no-op after that."""
        if self.started or self.ready is None:
            return
        self.started = True
        for uri, name, path in self.initial_folders:
            from parity_lsp.lsp.folders import listing_bound

            self.add_folder(uri, name, path, max_files=listing_bound(path))
        self.initial_folders = []
        # with the engine, not later: a user (and the benchmark) types a path right after the
        # first diagnostics, while the client never goes quiet long enough for background imports
        import parity_lsp.features.completion  # noqa: F401

        self.warming = asyncio.ensure_future(self.warm_up())

    async def warm_up(self) -> None:
        """Import what later requests and the semantic stage need (features, scanners, the CI
        model), one module a step while the client is quiet: not on the way of the first
        diagnostics, not in the middle of the first completion, and not while a matrix's
        semantic stage runs (it imports what it needs itself; the complete diagnostics come
        first)."""
        for module in _warm_up_modules():
            await self.after_semantic_stages()
            try:
                importlib.import_module(module)
            except Exception:
                log.warning("could not import %s ahead of its use", module, exc_info=True)
        runtime.long_lived()  # modules and classes: never garbage

    def semantic_stage_running(self) -> bool:
        """Is a matrix's semantic stage (`complete_later`) running in some folder?"""
        return any(not task.done() for folder in self.folders for task in folder.completing.values())

    async def after_semantic_stages(self) -> None:
        """A background turn once no semantic stage runs: work nobody is waiting for (imports
        ahead of use, indexing the other matrices) lets the open matrix's complete diagnostics
        come first."""
        await self.background_turn()
        while self.semantic_stage_running():
            await asyncio.sleep(SEMANTIC_STAGE_POLL)
            await self.background_turn()

    async def background_turn(self) -> None:
        """Let requests in first: yield, and wait while the client is talking."""
        await asyncio.sleep(0)
        while time.monotonic() < self.quiet_until:
            await asyncio.sleep(0.002)

    def client_is_talking(self) -> None:
        """A message is arriving (or an answer leaving): background work pauses for a moment
        (requests first)."""
        until = self.quiet_until = time.monotonic() + BACKGROUND_PAUSE
        for folder in self.folders:
            folder.analysis.defer_until = until

    async def wait_ready(self, folder: Folder | None = None, timeout: float = READY_TIMEOUT) -> None:
        """Requests that arrive before the client's settings are applied (the first pull, or
        the pull for a folder added since) wait for them (bounded)."""
        for event in (self.ready, folder.ready if folder is not None else None):
            if event is not None and not event.is_set():
                # `asyncio.timeout`, not `wait_for`: no task in between, so this request
                # wakes up first when the settings arrive (before the background work that
                # their arrival starts: the semantic stage ran ahead of the first answer)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await event.wait()

    async def ready_document(self, uri: str) -> tuple[Folder, str] | None:
        """(folder, workspace path) of the document at `uri` once its folder's settings are
        applied; None outside every folder."""
        await self.wait_ready()
        found = self.document(uri)
        if found is not None:
            await self.wait_ready(found[0])
        return found

    # --- capabilities of the client ---------------------------------------------------------

    def client_has(self, path: str) -> bool:
        node: object = self.client_capabilities
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return bool(node) if isinstance(node, bool) else True

    @property
    def pull_mode(self) -> bool:
        """The client pulls diagnostics and can be told to pull again when they change.

        A client that pulls but cannot be refreshed (Neovim 0.10/0.11) would never see results
        computed after a save or a file change: it gets pushed diagnostics instead, and empty
        pull reports (two full sets would show every diagnostic twice)."""
        return self.client_has("text_document.diagnostic") and self.client_has(
            "workspace.diagnostics.refresh_support"
        )

    @property
    def workspace_pull(self) -> bool:
        return self.pull_mode and self.client_has("workspace.diagnostics")

    # --- folders and paths -------------------------------------------------------------------

    def document(self, uri: str) -> tuple[Folder, str] | None:
        """The folder a document belongs to (its longest prefix) and its path there."""
        path = self.folders.path(uri)
        folder = self.folders.owner(path) if path is not None else None
        if folder is None or path is None:
            return None
        rel = folder.rel(path)
        return (folder, rel) if rel is not None else None

    def add_folder(
        self,
        uri: str,
        name: str,
        root: Path,
        implicit: bool = False,
        max_files: int | None = None,
    ) -> Folder:
        """Serve `root` (a workspace folder, or an implicit one): its own analysis, with the
        settings the client sent at initialization until it is asked for the folder's own."""
        from parity_lsp.analysis import Analysis

        existing = self.folders.get(root.resolve())
        if existing is not None:
            return existing
        analysis = Analysis(root, settings_from(self.init_options), max_files=max_files)
        # the client's file watchers cover its workspace folders, not a root chosen here
        analysis.ws.fs.stable_stats = self.watching and not implicit
        encoding = encoding_name(self.workspace.position_encoding)
        converter = Converter(analysis.root, encoding, functools.partial(index_for, analysis), rule_doc_uri)
        folder = Folder(uri, name, analysis, converter, implicit=implicit)
        if self.ready is None or not self.client_has("workspace.configuration"):
            folder.ready.set()  # its settings are the initialization options: nothing to ask
        self.folders.add(folder)
        return folder

    def remove_folder(self, folder: Folder) -> None:
        """Stop serving a folder: its work stops (what it has pending publishes nothing), the
        diagnostics it published are cleared, and a folder around it takes its matrices back."""
        self.folders.remove(folder)
        for task in (folder.indexing, folder.check_later_task, *folder.completing.values()):
            if task is not None and not task.done():
                task.cancel()
        prefix = folder.converter.uri("").rstrip("/") + "/"
        depth = len(folder.root.parts)
        for uri, count in list(self.published.items()):
            if not count or not uri.startswith(prefix):
                continue
            found = self.document(uri)
            if found is not None and len(found[0].root.parts) > depth:
                continue  # a folder nested in the removed one published it
            if found is None or found[1] not in found[0].analysis.matrix_paths():
                self.clear_diagnostics(uri)
        for outer, sub in self.folders.containing(folder.root):
            rels = [p for p in outer.analysis.matrix_paths() if p.startswith(sub + "/")]
            if rels:
                self.check_later(outer, rels)  # in the background, published when checked

    def folders_changed(self) -> None:
        """Folders came or went: the matrices a nested folder took (or gave back) change the
        workspace-scoped findings of the others; publish what changed."""
        for folder in self.folders:
            if folder.ready.is_set():
                self.publish_many(folder, [])

    def clear_diagnostics(self, uri: str) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.published[uri] = 0
        self.diagnostic_cache.pop(uri, None)
        self.diagnostic_lists.pop(uri, None)

    # --- publishing --------------------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # logging must never take a handler down
            log.warning("could not send a log message to the client: %s", message, exc_info=True)

    def open_version(self, folder: Folder, rel: str) -> int | None:
        doc = self.workspace.text_documents.get(folder.converter.uri(rel))
        return doc.version if doc is not None else None

    def diagnostics_for(self, folder: Folder, rel: str) -> DiagnosticList:
        """The document's diagnostics in wire form: what is known now (staged: the syntactic
        findings first, the rest computed in the background by `complete_later`, which
        publishes again). Diagnostics of a line whose text and findings did not change since
        the last call are reused (as JSON text), not converted or encoded again."""
        analysis, converter = folder.analysis, folder.converter
        before = analysis.states.get(rel)
        # a matrix waiting for its background check after a file event answers with what it had
        background = folder.check_later_task is not None and not folder.check_later_task.done()
        with runtime.quiet():
            findings = analysis.findings(rel, stale_ok=background, staged=True)
        if analysis.states.get(rel) is not before:
            runtime.long_lived()  # a check made a model that lives until the next one
        if rel in analysis.states and not analysis.is_complete(rel):
            self.complete_later(folder, rel)
        config_findings = analysis.config_findings()
        if rel in config_findings:
            findings = findings + config_findings[rel]
        index = index_for(analysis, rel)
        uri = converter.uri(rel)
        last = self.diagnostic_lists.get(uri)
        if (
            last is not None
            and last[1] is index
            and last[2] == converter.encoding
            and len(last[0]) == len(findings)
            and all(a is b for a, b in zip(last[0], findings, strict=True))
        ):
            return last[3]  # asked again, nothing changed (the findings are the same objects)
        # A diagnostic's JSON depends only on its line's text, its key below and the position
        # encoding: kept per document, for the lines whose text did not change since the last
        # call (one C-level comparison of the texts, not a slice per line). Findings that came
        # back after a workspace-wide change (PM003, file events) reuse it too.
        cached = self.diagnostic_cache.get(uri)
        cache: dict[_DiagnosticKey, str] = {}
        stale = range(0)  # lines whose text changed
        if cached is not None and cached[0] == converter.encoding:
            old_index, cache = cached[1], cached[2]
            if old_index is not index and old_index.text != index.text:
                from parity_lsp.incremental import changed_lines

                changed = changed_lines(old_index.text, index.text, old_index, index)
                if changed is None:  # lines came or went: nothing is kept
                    cache = {}
                else:
                    stale = changed
        fresh: dict[_DiagnosticKey, str] = {}
        objects = []
        starts = index.line_starts
        for f in findings:
            line = bisect.bisect_right(starts, f.span.start) - 1
            key: _DiagnosticKey = (
                line,
                f.code,
                f.message,
                f.span.start - starts[line],
                f.span.end - f.span.start,
                f.severity,
                f.tags,
                tuple(f.related),
            )
            obj = fresh.get(key) or (cache.get(key) if line not in stale else None)
            if obj is None:
                obj = diagnostic_json(converter.diagnostic_wire(f))
            fresh[key] = obj
            objects.append(obj)
        self.diagnostic_cache[uri] = (converter.encoding, index, fresh)
        found = DiagnosticList(objects, uri)
        self.diagnostic_lists[uri] = (findings, index, converter.encoding, found)
        return found

    def complete_later(self, folder: Folder, rel: str) -> None:
        """Finish `rel`'s semantic stage in background steps, then publish it again (a pulling
        client is asked to pull: `refresh_pull`)."""
        task = folder.completing.get(rel)
        if task is None or task.done():
            folder.completing[rel] = asyncio.ensure_future(self._complete(folder, rel))

    async def _complete(self, folder: Folder, rel: str) -> None:
        analysis = folder.analysis
        try:
            # the answer that computed the syntactic stage goes out first (pygls writes it in a
            # callback after this task's first step: a semantic row's first step, with its
            # imports and cited files, came before it)
            await self.background_turn()
            # what its first row would import all at once (~25 ms that a keystroke arriving then
            # waited for), a module a step
            for module in _semantic_stage_modules():
                if module not in sys.modules:
                    importlib.import_module(module)
                    await self.background_turn()
            # a state replaced meanwhile (a structural edit) may be pending again: finish that one
            while not folder.removed and rel in analysis.states and not analysis.is_complete(rel):
                await analysis.complete_in_steps(rel)
            if not folder.removed and analysis.is_complete(rel):
                self.publish_many(folder, [rel])
        except Exception as exc:  # noqa: BLE001 - an engine bug must not take the server down (logged)
            self.log(
                f"parity-lsp: checking {rel} failed: {exc!r}\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
        finally:
            if folder.completing.get(rel) is asyncio.current_task():
                del folder.completing[rel]

    def should_push(self, folder: Folder, rel: str) -> bool:
        """Push unless the client pulls this document (open, or workspace pull)."""
        if not self.pull_mode:
            return True
        if self.workspace_pull:
            return False
        return self.open_version(folder, rel) is None

    def publish(self, folder: Folder, rel: str) -> None:
        if folder.removed:
            return
        uri = folder.converter.uri(rel)
        if not self.should_push(folder, rel):
            if self.published.get(uri):
                # the client now pulls this document: clear what was pushed before
                self.clear_diagnostics(uri)
            return
        version = self.open_version(folder, rel)
        if version is not None and version < self.newest_version.get(uri, version):
            return  # a change arrived out of order: its text is older than one already seen
        try:
            diagnostics = self.diagnostics_for(folder, rel)
        except Exception as exc:  # noqa: BLE001 - an engine bug must not take the server down (logged)
            self.log(
                f"parity-lsp: checking {rel} failed: {exc!r}\n{traceback.format_exc()}",
                types.MessageType.Error,
            )
            return
        if version is not None and self.open_version(folder, rel) != version:
            return  # a newer version arrived while checking: never publish stale results
        params = Prebuilt(uri=uri, diagnostics=diagnostics.raw)
        if version is not None:
            params["version"] = version
        self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
        self.published[uri] = len(diagnostics)

    def publish_many(self, folder: Folder, rels: Iterable[str], edited: str | None = None) -> None:
        """Publish these matrices, and every matrix whose workspace-scoped findings changed
        meanwhile (a duplicate capability removed here clears the warning over there). Before
        the client's settings for the folder are applied nothing is published: the first
        diagnostics are the configured ones (they are published when the settings come).
        A pulling client is asked to pull again, unless the only document concerned is the one
        it just opened or changed (`edited`): it pulls that one itself."""
        if folder.removed:
            return
        if not folder.ready.is_set():
            folder.deferred.update(rels)
            return
        rels = list(rels)
        for rel in rels:
            self.publish(folder, rel)
        pulled = self.follow_cross_changes(folder, exclude=set())
        if edited is None or pulled or any(rel != edited for rel in rels):
            self.refresh_pull()

    def follow_cross_changes(self, folder: Folder, exclude: set[str]) -> bool:
        """Publish the matrices whose workspace-scoped findings changed since they were last
        published (`Analysis.cross_changed`), except `exclude` (just answered). True when some
        of them are pulled by the client (it must be told to pull again: `refresh_pull`)."""
        analysis = folder.analysis
        analysis.refresh_cross()
        pulled = False
        for _ in range(3):  # publishing checks them, which may change others (bounded)
            changed = analysis.take_cross_changed() - exclude
            if not changed:
                break
            for rel in sorted(changed):
                if self.should_push(folder, rel):
                    self.publish(folder, rel)
                else:
                    pulled = True
        return pulled

    def publish_deferred(self, folder: Folder) -> None:
        """The folder's settings are applied: publish what waited for them."""
        folder.ready.set()
        deferred, folder.deferred = folder.deferred, set()
        if deferred:
            self.publish_many(folder, sorted(deferred))

    def refresh_pull(self) -> None:
        if self.pull_mode and self.client_has("workspace.diagnostics.refresh_support"):
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:  # a refresh the client cannot get must not fail a handler (logged)
                log.warning("could not ask the client to pull diagnostics again", exc_info=True)

    def check_later(self, folder: Folder, rels: Iterable[str]) -> None:
        """Check these matrices in full in background steps and publish them when done: a
        created or deleted file can change any row that cites a missing path, and checking
        10,000 rows in the event handler held every request for seconds. Until then the client
        keeps the diagnostics it has (a request for one of them checks it at once)."""
        folder.check_later_paths.update(rels)
        if folder.check_later_task is None or folder.check_later_task.done():
            folder.check_later_task = asyncio.ensure_future(self._check_later(folder))

    async def _check_later(self, folder: Folder) -> None:
        done: set[str] = set()
        analysis = folder.analysis
        try:
            while folder.check_later_paths and not folder.removed:
                rel = min(folder.check_later_paths)
                folder.check_later_paths.discard(rel)
                await analysis.check_in_steps(rel)
                done.add(rel)
            if done and not folder.removed:
                analysis.refresh_cross()
                self.publish_many(folder, sorted(done))
                runtime.long_lived()  # as after indexing: the new models are long-lived
        except Exception as exc:  # noqa: BLE001 - an engine bug must not take the server down (logged)
            folder.check_later_paths.clear()  # requests check them themselves again (no stale answers)
            self.log(
                f"parity-lsp: checking after a file event failed: {exc!r}\n{traceback.format_exc()}",
                types.MessageType.Error,
            )

    def schedule(self, folder: Folder, rel: str, delay: float = 0.0, edited: str | None = None) -> None:
        """Re-check `rel` soon, coalescing bursts of edits into one check (`edited`: the
        document the client changed, see `publish_many`)."""
        loop = asyncio.get_event_loop()
        uri = folder.converter.uri(rel)
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

        def run() -> None:
            self.pending.pop(uri, None)
            self.publish_many(folder, [rel], edited=edited)

        self.pending[uri] = loop.call_later(delay, run)


def folders_from(params: types.InitializeParams) -> list[tuple[str, str, Path]]:
    """The client's workspace folders as (uri, name, path): `workspaceFolders`, else `rootUri`,
    else `rootPath`. None of them (an editor opening a lone file): no folder — the documents
    get implicit ones (folders.py), the server's working directory is never used."""
    out: list[tuple[str, str, Path]] = []
    for folder in params.workspace_folders or []:
        path = to_fs_path(folder.uri)
        if path:
            out.append((folder.uri, folder.name, Path(path)))
    if out:
        return out
    if params.root_uri:
        path = to_fs_path(params.root_uri)
        if path:
            return [(params.root_uri, Path(path).name, Path(path))]
    if params.root_path:
        root = Path(params.root_path)
        return [(root.resolve().as_uri(), root.name, root)]
    return []


def create_server() -> ParityServer:
    from parity_lsp.lsp.features import FEATURES

    server = ParityServer()
    for register in FEATURES:
        register(server)
    return server


def _semantic_stage_modules() -> list[str]:
    """What a matrix's semantic stage imports on its first row: the evidence parser, the
    scanners the registry marks `preload` (Rust, Python, Go; not TypeScript's, whose patterns
    are slower to compile, nor any tree-sitter grammar: the workspaces that cite those pay them
    on their first use), the CI model and the test runners most workspaces use (the others
    are imported when a command of theirs is first parsed)."""
    from parity_lsp import languages
    from parity_lsp.workspace.ci import runners

    scanners = [lang.scanner.partition(":")[0] for lang in languages.languages() if lang.preload]
    return [
        "parity_lsp.parse.evidence",
        *dict.fromkeys(scanners),
        "parity_lsp.workspace.ci.verdict",
        *(f"{runners.__name__}.{name}" for name in runners.PRELOAD),
    ]


def _warm_up_modules() -> list[str]:
    """What `warm_up` imports after the engine: the semantic stage's modules and the editor
    features."""
    return [
        *_semantic_stage_modules(),
        "parity_lsp.features.completion",
        "parity_lsp.features.hover",
        "parity_lsp.features.navigate",
        "parity_lsp.features.actions",
        "parity_lsp.features.outline",
    ]


_first_check_modules = _warm_up_modules  # the name tests/test_languages.py knows


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    server = create_server()
    runtime.server_start()
    if getattr(args, "tcp", None):
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            raise ValueError(f"--tcp expects HOST:PORT, got {args.tcp!r}")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    # LSP: exit after shutdown is 0, exit without it 1 (pygls' loop swallows its own SystemExit)
    return 0 if server.protocol.shutdown_seen else 1
