"""`chalice local` as a child process in its own process group, so stopping it stops all it started."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from localdev.project import PROJECT_DIR, STAGE

_STOP_GRACE_SECONDS = 5


class ChaliceLocalFailed(RuntimeError):
    pass


def start(api_port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start `chalice local --stage local` on ``api_port``; see wait_until_listening."""
    # No autoreload: its stat() watcher walks the whole project (.venv included) every second and
    # restarts on any new file; the workflow's Lambdas run in localdev's process and would not reload anyway.
    process = subprocess.Popen(
        [
            sys.executable, "-m", "localdev.chalice_cli", "--project-dir", str(PROJECT_DIR),
            "local", "--stage", STAGE, "--port", str(api_port), "--no-autoreload",
        ],
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    return process


def wait_until_listening(process: subprocess.Popen, api_port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChaliceLocalFailed(f"chalice local exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", api_port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise ChaliceLocalFailed(f"chalice local did not listen on port {api_port} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the whole process group, then SIGKILL whatever of it is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
    process.wait()
