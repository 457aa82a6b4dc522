"""A fault-injecting HTTP proxy between the browser and the local API.

The page is loaded through it, so its ``fetch("contact")`` goes through it too. Each POST takes
the next planned fault (none once the plan is used up), so a test can lose an answer the API
already gave, as a network or a gateway would, and watch what the page does next.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Fault = Literal[
    "pass",  # forward and relay the answer
    "drop-before",  # fail the connection without forwarding (the API cannot be reached)
    "drop-after",  # forward, then fail the connection (the answer is lost on the way back)
    "gateway-timeout-after",  # forward, then answer 504 (a gateway gave up waiting)
]
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class Posted:
    key: str | None
    body: bytes
    fault: Fault


@dataclass
class FaultProxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    canned: tuple[int, dict] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def plan(self, *faults: Fault) -> None:
        with self._lock:
            self.faults = list(faults)
            self.posts.clear()

    def answer_with(self, status: int, body: dict) -> None:
        """Answer every POST with this, without forwarding."""
        self.canned = (status, body)

    def _next_fault(self) -> Fault:
        with self._lock:
            return self.faults.pop(0) if self.faults else "pass"


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        # One request a connection: Chrome silently resends a request whose reused keep-alive
        # connection closed without an answer; a fresh connection makes the page see the failure.
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._relay(*self._forward(b""))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = proxy._next_fault()
            with proxy._lock:
                proxy.posts.append(Posted(self.headers.get("Idempotency-Key"), body, fault))
            if proxy.canned is not None:
                status, answer = proxy.canned
                self._relay(status, {"Content-Type": "application/json"}, json.dumps(answer).encode())
                return
            if fault == "drop-before":
                self._break()
                return
            status, headers, answer = self._forward(body)
            if fault == "drop-after":
                self._break()
                return
            if fault == "gateway-timeout-after":
                timeout = {"message": "Endpoint request timed out"}
                self._relay(504, {"Content-Type": "application/json"}, json.dumps(timeout).encode())
                return
            self._relay(status, headers, answer)

        def _break(self) -> None:
            # Not HTTP, then closed: the browser fails the fetch. (A connection closed without a
            # byte, or reset, Chrome may silently send again itself, hiding what the page does.)
            self.wfile.write(b"connection lost\r\n\r\n")
            self.close_connection = True

        def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            finally:
                connection.close()

        def _relay(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def running_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
