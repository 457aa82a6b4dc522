"""The embedded AWS services reached in-process by the clients of localdev's own process.

The workflow's tasks and the app's Lambdas run in the process that also hosts the moto server.
Over HTTP each of their calls paid a new TCP connection (werkzeug's server closes every one), a
server thread and werkzeug's request parsing: about two thirds of a submission's time. Here a
botocore ``before-send`` handler gives the request to a moto WSGI application in this process
instead. moto keeps its backends in module globals, so this application and the server's see the
same data: the AWS CLI, `make tickets`, `make emails` and the console still read it over HTTP.

Two of moto's per-request look-ups are cached here, for this process's server too: the listing
of its own package directory (``os.listdir`` and a ``stat`` per service, ~0.3 ms under a global
lock) and the method names of a response class (``inspect.getmembers``, ~0.2 ms). Neither
changes while the process runs.
"""
from __future__ import annotations

import functools
from typing import Any, Callable
from urllib.parse import urlsplit

import botocore
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.session import Session as BotocoreSession
from moto import backends
from moto.core import responses
from moto.core.botocore_stubber import MockRawResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import EnvironBuilder, run_wsgi_app


class InProcessAws:
    """botocore's ``before-send`` hook: requests for ``endpoint`` are answered by moto in this process."""

    def __init__(self, endpoint: str) -> None:
        self._prefix = endpoint.rstrip("/") + "/"
        self._app = DomainDispatcherApplication(create_backend_app)

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not request.url.startswith(self._prefix):
            return None  # anything else (the local Step Functions, a real endpoint) goes over the network
        url = urlsplit(request.url)
        body = request.body.read() if hasattr(request.body, "read") else request.body
        environ = EnvironBuilder(
            method=request.method,
            base_url=f"{url.scheme}://{url.netloc}",
            path=url.path or "/",
            query_string=url.query,
            headers=[(name, value.decode() if isinstance(value, bytes) else value)
                     for name, value in request.headers.items()],
            data=body or b"",
        ).get_environ()
        chunks, status, headers = run_wsgi_app(self._app, environ, buffered=True)
        try:
            content = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(headers),
                           MockRawResponse(content))


def route_in_process(endpoint: str) -> Callable[[], None]:
    """Every botocore session made from now on answers ``endpoint``'s requests in-process.

    Returns what stops that for sessions made afterwards (the stack never does; tests do).
    """
    hook = InProcessAws(endpoint)
    _cache_moto_lookups()

    def register(session: BotocoreSession) -> None:
        session.register("before-send", hook)

    botocore.register_initializer(register)
    return lambda: botocore.unregister_initializer(register)


def _cache_moto_lookups() -> None:
    # Both are read through their modules' attributes at each request, by the server as by us.
    listing = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listing
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
