"""The API as `make run` serves it: chalice local's server, started through `chalice.local` directly.

Not through the `chalice` command: `chalice.cli` imports inquirer/blessed, which query the
terminal and wait for an answer that a pipe never gives. Tuned for a child process:

- Nagle's algorithm off: chalice local's handler writes the status line, headers and body
  separately; with Nagle on, a keep-alive client waits for the delayed ACK (~40 ms) per request.
- A listen backlog of 128 instead of socketserver's 5: bursts of concurrent clients (`make load`)
  were reset before the server accepted them.
- Dies with its parent: if localdev is killed without stopping it (SIGKILL), the kernel sends
  SIGTERM, so no orphaned server keeps the port.
- With RATE_LIMIT_PER_MINUTE=N, a client's requests beyond N a minute get 429 (localdev.rate_limit).
- SIGHUP imports app.py afresh (localdev sends it once its own import of the edit succeeded);
  requests already running finish on the app they started with.
"""
from __future__ import annotations

import argparse
import ctypes
import functools
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from chalice.app import Chalice
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, ThreadedHTTPServer

from localdev import logs, rate_limit, warmup
from localdev.appimport import AppImportFailed, import_app
from localdev.project import apply_stage_environment, chalice_config

logger = logging.getLogger("localdev.api")
_PR_SET_PDEATHSIG = 1


def _exit_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        sys.exit(1)


class RequestHandler(ChaliceRequestHandler):
    """chalice local's handler, its access log in the one log format (INFO: shown from LOG_LEVEL=INFO)."""

    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        logger.info(format, *args)


class RateLimitedRequestHandler(rate_limit.RateLimitedHandler, RequestHandler):
    """The handler above, answering 429 once a client used its minute's requests."""


class ApiServer(ThreadedHTTPServer):
    request_queue_size = 128

    def __init__(
        self, project_dir: Path, host: str, port: int, limit: rate_limit.PerClientLimit | None = None
    ) -> None:
        self.project_dir = project_dir
        # Kept across reloads: an edit does not give every client a fresh minute.
        self.limit = limit
        super().__init__((host, port), self._handler(self._load()))

    def _load(self) -> Chalice:
        app = import_app(self.project_dir)
        validate_routes(app.routes)
        # What chalice.local.create_local_server does to the app: request-local current_request.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
        return app

    def _handler(self, app: Chalice) -> functools.partial[RequestHandler]:
        config = chalice_config(self.project_dir, app)
        if self.limit is None:
            return functools.partial(RequestHandler, app_object=app, config=config)
        return functools.partial(RateLimitedRequestHandler, app_object=app, config=config, limit=self.limit)

    def reload(self) -> None:
        """Serve the project's current app.py from the next request on; keep the old one if it fails."""
        try:
            self.RequestHandlerClass = self._handler(self._load())
        except AppImportFailed as error:
            logger.error("API kept its last good version; app.py failed to import:\n%s", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localdev.api_server", description=__doc__)
    parser.add_argument("--project-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    _exit_with_parent()
    # Before anything slow: an edit saved while this process starts must not end it (SIGHUP's default).
    reloads = threading.Semaphore(0)
    signal.signal(signal.SIGHUP, lambda signum, frame: reloads.release())
    logs.configure()
    apply_stage_environment(args.project_dir)
    per_minute = rate_limit.limit_from_environment(os.environ)
    limit = None if per_minute is None else rate_limit.PerClientLimit(per_minute)
    try:
        server = ApiServer(args.project_dir, args.host, args.port, limit)
    except AppImportFailed as error:
        logger.error("the API could not start; app.py failed to import:\n%s", error)
        return 1
    warmup.warm_app_process(*warmup.API_CLIENTS)
    warmup.warm_workflow_calls()

    def reload_on_signal() -> None:
        while True:
            reloads.acquire()
            server.reload()

    threading.Thread(target=reload_on_signal, name="reload", daemon=True).start()
    if per_minute is not None:
        print(f"Rate limit: {per_minute} requests a minute per client ({rate_limit.VARIABLE})", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
