"""The `chalice` command as `make run` starts it: `chalice local` tuned for a child process.

- Nagle's algorithm off: chalice local's handler writes the status line, headers and body
  separately; with Nagle on, a keep-alive client waits for the delayed ACK (~40 ms) per request.
- A listen backlog of 128 instead of socketserver's 5: bursts of concurrent clients (`make load`)
  were reset before chalice local accepted them.
- Dies with its parent: if localdev is killed without stopping it (SIGKILL), the kernel sends
  SIGTERM, so no orphaned server keeps the port.
- With RATE_LIMIT_PER_MINUTE=N, a client's requests beyond N a minute get 429 (localdev.rate_limit).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

from chalice import local
from chalice.cli import main

from localdev import rate_limit

_PR_SET_PDEATHSIG = 1


def _exit_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        sys.exit(1)


def _limit_requests_if_asked() -> None:
    per_minute = rate_limit.limit_from_environment(os.environ)
    if per_minute is None:
        return
    create_server = local.create_local_server

    def create_rate_limited_server(app: Any, config: Any, host: str, port: int) -> local.LocalDevServer:
        server = create_server(app, config, host, port)
        rate_limit.limit_requests(server, app, config, rate_limit.PerClientLimit(per_minute))
        print(f"Rate limit: {per_minute} requests a minute per client ({rate_limit.VARIABLE})", flush=True)
        return server

    local.create_local_server = create_rate_limited_server


if __name__ == "__main__":
    _exit_with_parent()
    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    local.ThreadedHTTPServer.request_queue_size = 128
    _limit_requests_if_asked()
    sys.exit(main())
