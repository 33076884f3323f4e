"""The transport (issue 20, item 2): what `parity_lsp.lsp.transport` relies on in pygls is there,
with the parameters it calls it with — a pygls release that renames or reshapes any of it fails
here, loudly, not silently in an editor — and prebuilt JSON goes out as it is."""

from __future__ import annotations

import importlib
import inspect
import json

import pygls
from lsprotocol import types
from pygls.protocol.json_rpc import JsonRPCProtocol

from parity_lsp.lsp import transport
from parity_lsp.lsp.convert import DiagnosticList, diagnostic_json
from parity_lsp.lsp.server import create_server
from parity_lsp.lsp.transport import PYGLS_API, ParityProtocol, Prebuilt, RawJson


def _resolve(dotted: str) -> object:
    module, _, rest = dotted.partition(".")
    obj: object = importlib.import_module(module)
    parts = rest.split(".")
    path = module
    for part in parts:
        try:
            obj = getattr(obj, part)
            path = f"{path}.{part}"
        except AttributeError:
            obj = importlib.import_module(f"{path}.{part}")
            path = f"{path}.{part}"
    return obj


def test_every_pygls_member_the_transport_relies_on_has_the_parameters_it_is_called_with():
    assert pygls.__name__ == "pygls"
    for dotted, params in PYGLS_API.items():
        member = _resolve(dotted)
        assert callable(member), f"pygls changed: {dotted} is not callable"
        names = tuple(inspect.signature(member).parameters)
        assert names[: len(params)] == params, (
            f"pygls changed: {dotted}{names}, the transport calls it with {params}"
        )


def test_pygls_sends_every_message_through_the_one_override():
    """Responses, notifications and requests all go through `_send_data`, the override that
    encodes prebuilt JSON: were pygls to send some other way, prebuilt values would not go out."""
    source = inspect.getsource(JsonRPCProtocol)
    for method in ("_send_response", "notify", "send_request"):
        body = inspect.getsource(getattr(JsonRPCProtocol, method))
        assert "self._send_data(" in body, f"pygls changed: {method} no longer sends through _send_data"
    assert "def _send_data(self, data" in source


class Capture:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)

    def close(self) -> None:
        pass

    def messages(self) -> list[dict]:
        out = []
        for chunk in self.chunks:
            header, _, body = chunk.partition(b"\r\n\r\n")
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            assert len(body) == length
            out.append(json.loads(body))
        return out


def _protocol() -> tuple[ParityProtocol, Capture]:
    server = create_server()
    capture = Capture()
    server.protocol.set_writer(capture)
    return server.protocol, capture


def test_prebuilt_params_and_results_are_sent_as_they_are():
    protocol, capture = _protocol()
    sent = []
    protocol.on_send = lambda: sent.append(1)
    diagnostics = DiagnosticList(
        [diagnostic_json({"range": {"start": {"line": 1, "character": 2}}, "message": 'a "quoted" ü'})],
        "file:///x.md",
    )
    protocol.notify(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        Prebuilt(uri="file:///x.md", diagnostics=diagnostics.raw, version=3),
    )
    protocol._send_response(7, Prebuilt(kind="full", items=RawJson("[1, 2]"), resultId="r"))
    protocol.notify(
        types.WINDOW_LOG_MESSAGE, types.LogMessageParams(type=types.MessageType.Log, message="ok")
    )
    publish, response, log = capture.messages()
    assert publish == {
        "jsonrpc": "2.0",
        "method": "textDocument/publishDiagnostics",
        "params": {
            "uri": "file:///x.md",
            "diagnostics": [
                {
                    "range": {"start": {"line": 1, "character": 2}},
                    "message": 'a "quoted" ü',
                    "data": {"uri": "file:///x.md", "index": 0},
                }
            ],
            "version": 3,
        },
    }
    assert response == {
        "jsonrpc": "2.0",
        "id": 7,
        "result": {"kind": "full", "items": [1, 2], "resultId": "r"},
    }
    assert log["params"] == {"type": 4, "message": "ok"}  # not prebuilt: pygls's own path
    assert len(sent) == 3, "every message going out is announced (background work waits)"


def test_errors_are_answered_without_pygls_private_members():
    protocol, capture = _protocol()
    protocol.send_error(None, -32700, "Parse error: x")
    assert capture.messages() == [
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error: x"}}
    ]
    assert transport.is_parse_error(json.JSONDecodeError("x", "", 0))
    assert transport.is_parse_error(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"))
    assert not transport.is_parse_error(ValueError("a handler's"))
