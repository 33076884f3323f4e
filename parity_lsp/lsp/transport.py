"""The wire: reading messages, answering the ones pygls would drop, and sending JSON built ahead.

Everything this package needs from pygls beyond its documented extension points is here, in one
place, checked by `tests/test_lsp_transport.py` (`PYGLS_API` below lists each dependency; the test
fails loudly when an upgrade of pygls changes one of them). The extension points used:

- `LanguageServer(protocol_cls=ParityProtocol)`, a subclass of `LanguageServerProtocol`
  overriding its public `structure_message` and `handle_message`: a request whose params cannot
  be read is answered with InvalidParams (pygls logs it and never answers: the client would wait
  forever); a request before `initialize` gets ServerNotInitialized, one after `shutdown`
  InvalidRequest (pygls drops both silently);
- `pygls.io_.run_async(stop_event, reader, protocol, logger, error_handler)`, the read loop, with
  our own reader (`PipeReader`: stdin read by the event loop, see its doc) and error handler: a
  body that is not JSON gets the JSON-RPC ParseError (-32700, id null) rather than a log line;
- `JsonRPCProtocol.writer` and `set_writer`, to write messages we frame ourselves.

The one override of a private member: `JsonRPCProtocol._send_data(data)`, which every outgoing
message goes through. Values already in wire form (`Prebuilt`, `RawJson`: a matrix's diagnostics
are kept as JSON text, so that answering after a keystroke joins strings instead of converting
and encoding thousands of diagnostics again) are encoded here; everything else goes to pygls's own
`_send_data`. The override also tells the server a message went out (`on_send`): a client's next
request usually follows an answer, and background work waits for it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.protocol import LanguageServerProtocol

if TYPE_CHECKING:
    from cattrs import Converter as JsonConverter
    from pygls.io_ import AsyncReader
    from pygls.lsp.server import LanguageServer
    from pygls.protocol.json_rpc import RPCMessage

log = logging.getLogger("parity_lsp.lsp")

# What this module relies on in pygls beyond its documented extension points (checked by
# tests/test_lsp_transport.py against the installed pygls): name -> the parameters it must have.
PYGLS_API: dict[str, tuple[str, ...]] = {
    "pygls.protocol.json_rpc.JsonRPCProtocol._send_data": ("self", "data"),
    "pygls.protocol.json_rpc.JsonRPCProtocol.structure_message": ("self", "data"),
    "pygls.protocol.json_rpc.JsonRPCProtocol.handle_message": ("self", "message"),
    "pygls.protocol.json_rpc.JsonRPCProtocol.set_writer": ("self", "writer", "include_headers"),
    "pygls.protocol.json_rpc.JsonRPCProtocol.get_message_type": ("self", "method"),
    "pygls.io_.run_async": ("stop_event", "reader", "protocol", "logger", "error_handler"),
    "pygls.server.JsonRPCServer.report_server_error": ("self", "error", "source"),
}


class RawJson:
    """JSON text sent as it is (a matrix's diagnostics, kept per diagnostic as text)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Prebuilt(dict[str, Any]):
    """A result or params already in wire form (camelCase keys, plain JSON values or `RawJson`):
    sent without cattrs (which walked 20,000 diagnostics for each response)."""


def encode(value: object) -> str:
    """JSON text of a wire-form value: `Prebuilt` and `RawJson` (inserted as it is), and
    everything `json.dumps` encodes. `RawJson` may appear as a value of a `Prebuilt` or an
    element of a list there: a plain dict is encoded whole, by `json.dumps`."""
    parts: list[str] = []
    _encode(value, parts.append)
    return "".join(parts)


def _encode(value: object, out: Callable[[str], object]) -> None:
    if isinstance(value, RawJson):
        out(value.text)
    elif isinstance(value, Prebuilt):
        out("{")
        for i, (key, item) in enumerate(value.items()):
            out(("," if i else "") + json.dumps(str(key)) + ":")
            _encode(item, out)
        out("}")
    elif isinstance(value, list) and any(isinstance(item, (Prebuilt, RawJson)) for item in value):
        out("[")
        for i, item in enumerate(value):
            if i:
                out(",")
            _encode(item, out)
        out("]")
    else:
        out(json.dumps(value))


def _prebuilt_message(data: object) -> Prebuilt | None:
    """The wire form of an outgoing message whose payload is `Prebuilt` (None otherwise): a
    response (`result`) or a notification or request (`params`)."""
    result = getattr(data, "result", None)
    if isinstance(result, Prebuilt):
        return Prebuilt(jsonrpc="2.0", id=getattr(data, "id", None), result=result)
    params = getattr(data, "params", None)
    if isinstance(params, Prebuilt) and hasattr(data, "method"):
        message = Prebuilt(jsonrpc="2.0")
        msg_id = getattr(data, "id", None)
        if msg_id is not None:  # a request
            message["id"] = msg_id
        message["method"] = getattr(data, "method", None)
        message["params"] = params
        return message
    return None


class ParityProtocol(LanguageServerProtocol):
    """pygls's protocol, answering what it would drop (see the module's doc), sending prebuilt
    JSON as it is, and telling `on_send` of every message that goes out."""

    def __init__(self, server: LanguageServer, converter: JsonConverter) -> None:
        super().__init__(server, converter)
        self.initialize_seen = False
        self.shutdown_seen = False  # set by the server's `shutdown` handler (lifecycle.py)
        self.on_send: Callable[[], None] | None = None  # a message goes out
        # called before any message after `initialize` is handled (the server's start)
        self.before_message: Callable[[], None] | None = None
        self._headers = True
        self._writes: set[asyncio.Future[None]] = set()  # writes in flight on an async transport

    # --- reading ----------------------------------------------------------------------------

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
                error = exc.to_response_error()
                self.send_error(data["id"], error.code, error.message)
            return _ANSWERED  # a malformed notification is dropped (it has no reply)

    def handle_message(self, message: RPCMessage | object) -> None:
        if message is _ANSWERED:
            return None
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        if method is not None and msg_id is not None:  # a request
            if method == types.INITIALIZE:
                self.initialize_seen = True
            elif not self.initialize_seen:
                self.send_error(
                    msg_id, types.ErrorCodes.ServerNotInitialized, "the server is not initialized"
                )
                return None
            elif self.shutdown_seen:
                self.send_error(msg_id, types.ErrorCodes.InvalidRequest, "the server is shutting down")
                return None
        if method is not None and method != types.INITIALIZE and self.before_message is not None:
            self.before_message()
        super().handle_message(message)  # type: ignore[arg-type]  # an RPCMessage: _ANSWERED is returned above

    # --- writing ----------------------------------------------------------------------------

    def set_writer(self, writer: Any, include_headers: bool = True) -> None:
        super().set_writer(writer, include_headers)
        self._headers = include_headers

    def send_error(self, msg_id: object, code: int, message: str) -> None:
        """A JSON-RPC error response (`msg_id` None: a message whose id could not be read)."""
        self.write_body(
            json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": {"code": int(code), "message": message}})
        )

    def _send_data(self, data: Any) -> None:
        """pygls's private `_send_data` (PYGLS_API): prebuilt JSON is encoded here, the rest by pygls."""
        if self.on_send is not None:
            self.on_send()
        message = _prebuilt_message(data) if data else None
        if message is None:
            super()._send_data(data)
            return
        try:
            self.write_body(encode(message))
        except BrokenPipeError:
            log.exception("Error sending data. BrokenPipeError")
            raise
        except Exception as error:
            log.exception("Error sending data")
            self._server.report_server_error(error, JsonRpcException)

    def write_body(self, body: str) -> None:
        """Frame a JSON body (Content-Length) and write it."""
        if self.writer is None:
            log.error("Unable to send data, no available transport!")
            return
        payload = body.encode("utf-8")
        if self._headers:
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


class _Answered:
    """What `structure_message` returns for a message it already answered with an error."""


_ANSWERED = _Answered()


# --- reading stdin --------------------------------------------------------------------------------


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


def is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    # not a terminal: the pipe transport makes the descriptor non-blocking, and a terminal's
    # flag is shared with the shell that started us
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def is_parse_error(exc: BaseException) -> bool:
    """Did the read loop fail to decode a message body (not JSON, not UTF-8)?"""
    return isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError))


def serve_stdio(
    server: LanguageServer,
    protocol: ParityProtocol,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    on_input: Callable[[], None] | None = None,
) -> None:
    """Serve over stdio until the client exits or the input ends: pygls's read loop, with
    stdin read by `PipeReader` when it is a pipe (as editors start servers; anything else, a
    regular file, with pygls's thread reader)."""
    stream = stdin or sys.stdin.buffer
    stop = threading.Event()
    protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    reader: AsyncReader = (
        PipeReader(stream, on_input) if is_pipe(stream) else StdinAsyncReader(stream, server.thread_pool)
    )
    try:
        asyncio.run(
            run_async(
                stop_event=stop,
                reader=reader,
                protocol=protocol,
                logger=log,
                error_handler=server.report_server_error,
            )
        )
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop.set()
        server.shutdown()  # type: ignore[no-untyped-call]  # pygls's `shutdown` has no annotations


def parse_error(protocol: ParityProtocol, exc: BaseException) -> None:
    """Answer a body that could not be decoded: ParseError (-32700), id null."""
    protocol.send_error(None, -32700, f"Parse error: {exc}")


def wire_list(items: Iterable[str]) -> RawJson:
    """A JSON array of JSON texts."""
    return RawJson("[" + ",".join(items) + "]")
