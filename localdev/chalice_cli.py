"""The `chalice` command as `make run` starts it: `chalice local` tuned for a child process.

- Nagle's algorithm off: chalice local's handler writes the status line, headers and body
  separately; with Nagle on, a keep-alive client waits for the delayed ACK (~40 ms) per request.
- A listen backlog of 128 instead of socketserver's 5: bursts of concurrent clients (`make load`)
  were reset before chalice local accepted them.
- Dies with its parent: if localdev is killed without stopping it (SIGKILL), the kernel sends
  SIGTERM, so no orphaned server keeps the port.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

from chalice import local
from chalice.cli import main

from localdev import warmup

_PR_SET_PDEATHSIG = 1


def _exit_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        sys.exit(1)


if __name__ == "__main__":
    _exit_with_parent()
    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    local.ThreadedHTTPServer.request_queue_size = 128
    warmup.warm_app_process(*warmup.API_CLIENTS)
    sys.exit(main())
