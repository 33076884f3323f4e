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
import enum
import functools
import gc
import importlib
import inspect
import json
import logging
import os
import re
import secrets
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from parity_lsp import __version__
from parity_lsp.analysis import Analysis
from parity_lsp.findings import Related, Severity
from parity_lsp.lsp.convert import Converter, DiagnosticList, Prebuilt, RawJson, encoding_name
from parity_lsp.lsp.docs import rule_doc_uri
from parity_lsp.lsp.folders import Folder, Folders, index_for, settings_from

if TYPE_CHECKING:
    import argparse

    from cattrs import Converter as JsonConverter
    from pygls.io_ import AsyncReader
    from pygls.protocol.json_rpc import RPCMessage

log = logging.getLogger("parity_lsp.lsp")


_CONTENT_LENGTH = re.compile(rb"^Content-Length: (\d+)\r\n$")
_RAW_NONCE = secrets.token_hex(8)
_RAW_SLOT = re.compile(r'"\\u0000' + _RAW_NONCE + r'(\d+)\\u0000"')
BACKGROUND_PAUSE = 0.015  # seconds of quiet from the client before background indexing goes on
READY_TIMEOUT = 10.0  # seconds anything waits for the client's settings (a client that never answers)


class _Read(enum.Enum):
    ANSWERED = enum.auto()  # a message already answered with an error while being read


_ANSWERED = _Read.ANSWERED

# What `diagnostics_for` keys a diagnostic's cached JSON fragment by: (line, its text, code,
# message, column, length, severity, tags, related locations).
_FragmentKey = tuple[int, str, str, str, int, int, Severity, tuple[str, ...], tuple[Related, ...]]


class ParityProtocol(LanguageServerProtocol):
    """pygls logs a request whose params cannot be read and never answers it; a client then
    waits forever. Answer it with the JSON-RPC error (InvalidParams) and keep serving."""

    _server: ParityServer  # the only server this protocol is made for (`protocol_cls`)

    def __init__(self, server: LanguageServer, converter: JsonConverter) -> None:
        super().__init__(server, converter)
        self._parity_initialized = False
        self._writes: set[asyncio.Future[None]] = set()  # writes in flight on an async transport

    def structure_message(self, data: dict[str, Any]) -> object:
        if (
            isinstance(data, dict)
            and "method" in data
            and "params" not in data
            and self.get_message_type(data["method"]) is None
        ):
            data = {**data, "params": None}  # an unknown method without params: MethodNotFound, not -32603
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], None, exc.to_response_error())
            return _ANSWERED  # a malformed notification is dropped (it has no reply)

    def handle_message(self, message: RPCMessage | _Read) -> None:
        if message is _ANSWERED:
            return None
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        if method is not None and msg_id is not None:  # a request
            if method == types.INITIALIZE:
                self._parity_initialized = True
            elif not self._parity_initialized:
                self._send_response(
                    msg_id,
                    None,
                    types.ResponseError(
                        code=types.ErrorCodes.ServerNotInitialized, message="the server is not initialized"
                    ),
                )
                return None
            elif self._shutdown:
                self._send_response(
                    msg_id,
                    None,
                    types.ResponseError(
                        code=types.ErrorCodes.InvalidRequest, message="the server is shutting down"
                    ),
                )
                return None
        super().handle_message(message)

    def _send_data(self, data: Any) -> None:
        """pygls's `_send_data`, with `RawJson` values spliced in as they are. A message going
        out counts as the client talking: its next request usually follows the answer."""
        if not data:
            return
        if self._server is not None:
            self._server.client_is_talking()
        if self.writer is None:
            log.error("Unable to send data, no available transport!")
            return
        raws: list[str] = []

        def default(value: object) -> object:
            if isinstance(value, RawJson):
                raws.append(value.text)
                return f"\0{_RAW_NONCE}{len(raws) - 1}\0"  # a string no document can hold
            return self._serialize_message(value)

        try:
            body = json.dumps(data, default=default)
            if raws:
                body = _RAW_SLOT.sub(lambda m: raws[int(m.group(1))], body)
            payload = body.encode(self.CHARSET)
            if self._include_headers:
                header = (
                    f"Content-Length: {len(payload)}\r\n"
                    f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
                )
                payload = header.encode("ascii") + payload
            res = self.writer.write(payload)
            if inspect.isawaitable(res):
                # the loop keeps only a weak reference to a task: hold it until it is done
                write = asyncio.ensure_future(res)
                self._writes.add(write)
                write.add_done_callback(self._writes.discard)
        except BrokenPipeError:
            log.exception("Error sending data. BrokenPipeError")
            raise
        except Exception as error:
            log.exception("Error sending data")
            self._server._report_server_error(error, JsonRpcInternalError)

    def _serialize_message(self, data: Any) -> dict[str, Any]:
        # results and params already in wire form are sent as they are (see convert.Prebuilt)
        payload = getattr(data, "result", None)
        if isinstance(payload, Prebuilt):
            return {"jsonrpc": data.jsonrpc, "id": data.id, "result": payload}
        payload = getattr(data, "params", None)
        if isinstance(payload, Prebuilt) and hasattr(data, "method"):
            return {"jsonrpc": data.jsonrpc, "method": data.method, "params": payload}
        return super()._serialize_message(data)


class PipeReader:
    """stdin read by the event loop itself (asyncio pipe transport), not by a worker thread.

    pygls's reader does one thread round trip per header line and per body, and each needs the
    GIL back from whatever the loop is running: while the index was being built in the
    background a request took several steps to be read. Here bytes arrive with the loop's
    select and a buffered message is parsed without yielding."""

    def __init__(self, stream: BinaryIO, on_input: Callable[[], None] | None = None) -> None:
        self.stream = stream
        self.reader: asyncio.StreamReader | None = None
        self.on_input = on_input  # called for each header line: the client is talking

    async def _ready(self) -> asyncio.StreamReader:
        if self.reader is None:
            loop = asyncio.get_running_loop()
            reader = asyncio.StreamReader(limit=1 << 20)  # for a header line; bodies are read by size
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self.stream)
            self.reader = reader
        return self.reader

    async def readline(self) -> bytes:
        try:
            line = await (await self._ready()).readline()
        except ValueError:  # a header line over the limit (dropped by the stream): not a header
            return b"X-Parity-Overlong-Header: dropped\r\n"
        if self.on_input is not None:
            self.on_input()
        return line

    async def readexactly(self, n: int) -> bytes:
        try:
            return await (await self._ready()).readexactly(n)
        except asyncio.IncompleteReadError as exc:  # end of input: what there was
            return exc.partial


def _is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    # not a terminal: the pipe transport makes the descriptor non-blocking, and a terminal's
    # flag is shared with the shell that started us
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class ParityServer(LanguageServer):
    def __init__(self) -> None:
        # pygls answers a request whose handler raises with a JSON-RPC error and keeps serving
        super().__init__(
            "parity-lsp",
            __version__,
            protocol_cls=ParityProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.folders = Folders()  # every root served: workspace folders and implicit ones (folders.py)
        self.init_options: dict[str, Any] = {}  # the client's, as it sent them
        self.published: dict[str, int] = {}  # uri -> number of diagnostics last pushed
        self.pending: dict[str, asyncio.TimerHandle] = {}  # uri -> its coming re-check
        # uri -> (position encoding, line key -> JSON fragment)
        self.diagnostic_cache: dict[str, tuple[str, dict[_FragmentKey, str]]] = {}
        self.newest_version: dict[str, int] = {}  # uri -> the newest document version seen
        # Set once `initialized` was handled (the first folders' settings applied); bounded by
        # READY_TIMEOUT for a client that never sends it.
        self.ready: asyncio.Event | None = None
        self.watching = False  # the client reports file changes (registered watchers)
        self.doc_owner: dict[str, Folder] = {}  # uri of an open document -> the folder it belongs to

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls's stdio server, reading stdin with `PipeReader` when it is a pipe (as editors
        start servers; anything else, a regular file, with pygls's thread reader), and answering
        a body that is not JSON with a ParseError."""
        stream = stdin or sys.stdin.buffer
        self._stop_event = stop = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        reader: AsyncReader = (
            PipeReader(stream, self.client_is_talking)
            if _is_pipe(stream)
            else StdinAsyncReader(stream, self.thread_pool)
        )
        try:
            asyncio.run(self._read_messages(reader, stop))
        except BrokenPipeError:
            log.error("Connection to the client is lost! Shutting down the server.")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # pygls's `shutdown` has no annotations

    async def _read_messages(self, reader: AsyncReader, stop: threading.Event) -> None:
        """pygls's `run_async` loop (Content-Length framing), except that a body that is not
        JSON gets the JSON-RPC ParseError (-32700, id null) instead of only a log line."""
        length = 0
        while not stop.is_set():
            header = await reader.readline()
            if not header:
                break
            if not length:
                match = _CONTENT_LENGTH.fullmatch(header)
                if match:
                    length = int(match.group(1))
            if not length or header.strip():
                continue
            body = await reader.readexactly(length)
            length = 0
            if not body:
                break
            try:
                message = json.loads(body, object_hook=self.protocol.structure_message)
            except ValueError as exc:  # not JSON (or not UTF-8): the client must hear about it
                self.protocol._send_data(
                    {
                        "jsonrpc": "2.0",
                        "id": None,
                        "error": {"code": -32700, "message": f"Parse error: {exc}"},
                    }
                )
                continue
            except Exception as exc:
                log.exception("Unable to read message")
                self.report_server_error(exc, JsonRpcException)
                continue
            try:
                self.protocol.handle_message(message)
            except Exception as exc:
                log.exception("Unable to handle message")
                self.report_server_error(exc, JsonRpcException)

    def client_is_talking(self) -> None:
        """A message is arriving (or an answer leaving): background indexing pauses for a
        moment (requests first)."""
        until = time.monotonic() + BACKGROUND_PAUSE
        for folder in self.folders:
            folder.analysis.defer_until = until

    async def wait_ready(self, folder: Folder | None = None, timeout: float = READY_TIMEOUT) -> None:
        """Requests that arrive before the client's settings are applied (the first pull, or
        the pull for a folder added since) wait for them (bounded)."""
        for event in (self.ready, folder.ready if folder is not None else None):
            if event is not None and not event.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout)

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
        for task in (folder.indexing, folder.check_later_task):
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
        """The document's diagnostics in wire form. Diagnostics of a line whose text and
        findings did not change since the last call are reused (as JSON text), not converted
        or encoded again."""
        analysis, converter = folder.analysis, folder.converter
        before = analysis.states.get(rel)
        # a matrix waiting for its background check after a file event answers with what it had
        background = folder.check_later_task is not None and not folder.check_later_task.done()
        # A full check builds a model that lives until the next one and leaves no cyclic garbage
        # (models hold no cycles): the cyclic GC would only walk it, twice (~8% of the first
        # check of 10,000 rows). It is paused for the call and a new model frozen.
        enabled = gc.isenabled()
        gc.disable()
        try:
            findings = analysis.findings(rel, stale_ok=background)
        finally:
            if analysis.states.get(rel) is not before:
                gc.freeze()  # a full check made a large long-lived model: keep the cyclic GC off it
            if enabled:
                gc.enable()
        config_findings = analysis.config_findings()
        if rel in config_findings:
            findings = findings + config_findings[rel]
        index = index_for(analysis, rel)
        uri = converter.uri(rel)
        # A fragment depends only on its key below (and the position encoding): findings that
        # came back after a workspace-wide change (PM003, file events) reuse it too.
        cached_encoding, cache = self.diagnostic_cache.get(uri, (None, {}))
        if cached_encoding != converter.encoding:
            cache = {}
        fresh: dict[_FragmentKey, str] = {}
        data_prefix = ',"data":{"uri":' + json.dumps(uri) + ',"index":'
        fragments = []
        starts = index.line_starts
        line_texts: dict[int, str] = {}
        for f in findings:
            line = bisect.bisect_right(starts, f.span.start) - 1
            text = line_texts.get(line)
            if text is None:
                text = line_texts[line] = index.line_text(line)
            key: _FragmentKey = (
                line,
                text,
                f.code,
                f.message,
                f.span.start - starts[line],
                f.span.end - f.span.start,
                f.severity,
                f.tags,
                tuple(f.related),
            )
            frag = cache.get(key) or fresh.get(key)
            if frag is None:
                # everything but the closing `index}}`: DiagnosticList appends the position
                frag = json.dumps(converter.diagnostic_wire(f))[:-1] + data_prefix
            fresh[key] = frag
            fragments.append(frag)
        self.diagnostic_cache[uri] = (converter.encoding, fresh)
        return DiagnosticList(fragments)

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

    def publish_many(self, folder: Folder, rels: Iterable[str]) -> None:
        """Publish these matrices, and every matrix whose workspace-scoped findings changed
        meanwhile (a duplicate capability removed here clears the warning over there). Before
        the client's settings for the folder are applied nothing is published: the first
        diagnostics are the configured ones (they are published when the settings come)."""
        if folder.removed:
            return
        if not folder.ready.is_set():
            folder.deferred.update(rels)
            return
        rels = list(rels)
        for rel in rels:
            self.publish(folder, rel)
        self.follow_cross_changes(folder, exclude=set())
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
            with contextlib.suppress(Exception):
                self.workspace_diagnostic_refresh(None)

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
                gc.freeze()  # as after indexing: the new models are long-lived
        except Exception as exc:  # noqa: BLE001 - an engine bug must not take the server down (logged)
            folder.check_later_paths.clear()  # requests check them themselves again (no stale answers)
            self.log(
                f"parity-lsp: checking after a file event failed: {exc!r}\n{traceback.format_exc()}",
                types.MessageType.Error,
            )

    def schedule(self, folder: Folder, rel: str, delay: float = 0.0) -> None:
        """Re-check `rel` soon, coalescing bursts of edits into one check."""
        loop = asyncio.get_event_loop()
        uri = folder.converter.uri(rel)
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

        def run() -> None:
            self.pending.pop(uri, None)
            self.publish_many(folder, [rel])

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


def _first_check_modules() -> list[str]:
    """The evidence parser and the scanners the registry marks `preload` (Rust, Python, Go:
    ~10 ms together). Not TypeScript's (compiling its patterns takes ~50 ms) nor any
    tree-sitter grammar: the workspaces that cite those pay it in their first check."""
    from parity_lsp import languages

    scanners = [lang.scanner.partition(":")[0] for lang in languages.languages() if lang.preload]
    return ["parity_lsp.parse.evidence", *dict.fromkeys(scanners)]


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    server = create_server()
    # Modules the engine imports on first use (the CLI may never need them): imported now, while
    # the client waits for `initialize` anyway, not between didOpen and the first diagnostics.
    for module in _first_check_modules():
        importlib.import_module(module)
    # The server holds a large, long-lived, mostly acyclic index: objects that exist now (modules,
    # types) never need the cyclic GC again, and collections of the young generation can be rarer.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    # pygls reads stdin on a worker thread, one readline/read per round trip: with the default
    # 5 ms GIL switch interval, a request arriving while the index is being built waited up to
    # 5 ms per round trip for the thread to get the GIL back.
    sys.setswitchinterval(0.0005)
    if getattr(args, "tcp", None):
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            raise ValueError(f"--tcp expects HOST:PORT, got {args.tcp!r}")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    # LSP: exit after shutdown is 0, exit without it 1 (pygls' loop swallows its own SystemExit)
    return 0 if server.protocol._shutdown else 1
