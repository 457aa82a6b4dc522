"""The API server (localdev/api_server.py) as a child process in its own process group.

Its own process, so the API and the workflow's Lambdas don't share one interpreter lock; its
own process group, so stopping it stops all it started.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_STOP_GRACE_SECONDS = 5


class ChaliceLocalFailed(RuntimeError):
    pass


def start(api_port: int, env: dict[str, str], project_dir: Path) -> subprocess.Popen:
    """Start the API on ``api_port`` with the `local` stage; see wait_until_listening."""
    return subprocess.Popen(
        [sys.executable, "-m", "localdev.api_server", "--project-dir", str(project_dir), "--port", str(api_port)],
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_listening(process: subprocess.Popen, api_port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChaliceLocalFailed(f"the API server exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", api_port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ChaliceLocalFailed(f"the API server did not listen on port {api_port} within {timeout:.0f} s")


def reload(process: subprocess.Popen) -> None:
    """Ask the API server to import app.py afresh (it keeps its last good version if that fails)."""
    if process.poll() is None:
        process.send_signal(signal.SIGHUP)


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
