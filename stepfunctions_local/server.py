"""The Step Functions API over HTTP: AWS JSON 1.0, so boto3 and the AWS CLI work unchanged.

``POST /`` is the AWS protocol; ``GET /`` and ``/console/...`` serve the local web console.
"""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.exceptions import ParamValidationError

from stepfunctions_local.api_errors import OPERATIONS, ApiError
from stepfunctions_local.client import validate
from stepfunctions_local.console import Console
from stepfunctions_local.observability import ExecutionStore, observe
from stepfunctions_local.service import Runtime
from stepfunctions_local.wire_input import read_members

_TARGET_PREFIX = "AWSStepFunctions."
_CONTENT_TYPE = "application/x-amz-json-1.0"
_STARTS = ("StartExecution", "StartSyncExecution")


class Server:
    """A running endpoint: ``url`` to point clients at, ``console`` (its web console), ``shutdown()``.

    ``store`` keeps the executions the console shows; ``recorder`` is the runtime observer feeding it.
    """

    def __init__(self, runtime: Runtime, host: str, port: int) -> None:
        self.runtime = runtime
        self.store = ExecutionStore()
        self.recorder = observe(runtime, self.store)  # recorder.add(sink) hands the same records to more sinks
        self.console = Console(runtime, self.store)
        self._httpd = _HttpServer((host, port), runtime, self.console)
        # the socket's own address (server_address is the same, but typed as if the host could be bytes)
        bound_host, bound_port = self._httpd.socket.getsockname()[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="sfn-server", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def serve(runtime: Runtime, host: str = "127.0.0.1", port: int = 0) -> Server:
    """Serve ``runtime`` in a background thread; port 0 picks a free port."""
    return Server(runtime, host, port)


def handle(runtime: Runtime, target: str, body: bytes, store: ExecutionStore | None = None,
           trace_header: str | None = None) -> tuple[int, dict]:
    """One AWS JSON 1.0 request -> (HTTP status, JSON body).

    A started execution's trace header (``traceHeader``, else the ``X-Amzn-Trace-Id`` HTTP
    header) is noted in ``store`` for the console; the AWS answer stays as AWS gives it.
    """
    operation = target[len(_TARGET_PREFIX):] if target.startswith(_TARGET_PREFIX) else ""
    if operation not in OPERATIONS:
        # 400, as real AWS JSON services answer an X-Amz-Target they do not know (captured in
        # github.com/aws/aws-sdk-net/issues/1536 and github.com/aws/aws-sdk-js/issues/425), though
        # AWS's Common Errors page lists the code under 404.
        return 400, _error("UnknownOperationException", f"Unknown operation {target}")
    try:
        params = json.loads(body or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        return 400, _error("SerializationException", "Malformed request body")
    if not isinstance(params, dict):
        return 400, _error("SerializationException", "Request body must be a JSON object")
    try:
        params = read_members(operation, params)
        validate(operation, params)
        answer = runtime.invoke(operation, params)
        trace = params.get("traceHeader") or trace_header
        if store is not None and trace and operation in _STARTS:
            store.note_trace(answer["executionArn"], trace)
        return 200, answer
    except ParamValidationError as error:
        return 400, _error("ValidationException", str(error))
    except ApiError as error:
        return 400, _error(error.code, error.message)
    except Exception as error:  # a bug here must answer, not leave the client waiting
        return 500, _error("InternalFailure", f"{type(error).__name__}: {error}")


def _not_json(constant: str) -> Any:
    """NaN and Infinity: Python's json reads them, JSON (and AWS's parser) does not."""
    raise ValueError(f"{constant} is not JSON")


def _error(code: str, message: str) -> dict:
    return {"__type": code, "message": message}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _HttpServer(ThreadingHTTPServer):
    """What each request's handler answers from: the runtime and its console."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], runtime: Runtime, console: Console) -> None:
        super().__init__(address, _Handler)
        self.runtime = runtime
        self.console = console


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "stepfunctions_local"
    # With Nagle on, a keep-alive client waits ~40 ms for a small answer's last packet.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = (self.headers.get("Content-Length") or "0").strip()
        if not length.isascii() or not length.isdigit():
            # Not a length: the body's end is unknown, so answer and close rather than read a guess.
            self.close_connection = True
            data = json.dumps(_error("SerializationException", "Invalid Content-Length")).encode()
            self._answer(400, _CONTENT_TYPE, data, {"x-amzn-RequestId": str(uuid.uuid4()), "Connection": "close"})
            return
        body = self.rfile.read(int(length))
        runtime = self.server.runtime
        console = self.server.console
        status, payload = handle(runtime, self.headers.get("X-Amz-Target", ""), body, console.store,
                                 self.headers.get("X-Amzn-Trace-Id"))
        data = json.dumps(payload, default=_json_default, ensure_ascii=False).encode("utf-8")
        self._answer(status, _CONTENT_TYPE, data, {"x-amzn-RequestId": str(uuid.uuid4())})

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path, _, query = self.path.partition("?")
        status, content_type, data = self.server.console.get(path, query)
        self._answer(status, content_type, data, {"Cache-Control": "no-store"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a method it has no do_X for, a bad request line, headers too large)
        in AWS's JSON error shape rather than an HTML page; an unsupported method is the client's
        mistake, so 400 UnknownOperationException rather than 501."""
        status, code_name = (400, "UnknownOperationException") if code == HTTPStatus.NOT_IMPLEMENTED \
            else (code, "BadRequestException")
        self.close_connection = True
        data = json.dumps(_error(code_name, message or HTTPStatus(code).phrase)).encode()
        self._answer(status, _CONTENT_TYPE, b"" if self.command == "HEAD" else data, {"Connection": "close"})

    def _answer(self, status: int, content_type: str, data: bytes, headers: dict[str, str]) -> None:
        if self.request_version == "HTTP/0.9":
            # What http.server assumes of a line it cannot read (or a bare "GET /"): it would then send
            # no status line and no headers. Nobody speaks 0.9; every answer gets both.
            self.request_version = "HTTP/1.0"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        # Headers and body in one write (one send, one packet): end_headers() would send the headers
        # alone; http.server keeps them in _headers_buffer until flush_headers().
        self._headers_buffer.append(b"\r\n" + data)  # type: ignore[attr-defined]
        self.flush_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request lines would drown the app's own logs."""
