"""Starts `python -m localdev run` as a user would, on free ports, for end-to-end tests and benchmarks."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from localdev import aws
from localdev.ports import free_port
from localdev.project import PROJECT_DIR
from localdev.stack import READY_MARKER, Ports


class StackFailed(RuntimeError):
    pass


@dataclass
class StackProcess:
    """A running stack and everything it printed so far (stdout and stderr, line by line)."""

    ports: Ports
    process: subprocess.Popen
    state_dir: Path
    lines: list[str] = field(default_factory=list)
    # A state folder the harness made for this stack alone, removed when it stops.
    own_state_dir: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def api_url(self) -> str:
        return aws.endpoint(self.ports.api)

    @property
    def sfn_url(self) -> str:
        return aws.endpoint(self.ports.sfn)

    @property
    def aws_url(self) -> str:
        return aws.endpoint(self.ports.aws)

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def wait_for_output(self, *texts: str, timeout: float = 30) -> str:
        """Wait until one printed line contains every one of ``texts``; return that line."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if all(text in line for text in texts):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    raise StackFailed(f"no output line with {texts!r}; the stack printed:\n{''.join(self.lines)}")
                self._changed.wait(min(remaining, 0.5))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        finally:
            if self.own_state_dir:
                shutil.rmtree(self.state_dir, ignore_errors=True)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()


def start_stack(
    *extra_args: str,
    ports: Ports | None = None,
    state_dir: Path | None = None,
    project_dir: Path = PROJECT_DIR,
    timeout: float = 120,
) -> StackProcess:
    """Start the stack on ``ports`` (free ones by default) and return once it printed its ready message.

    Its data goes to ``state_dir``, by default a new folder removed when it stops (never the
    project's own .localdev/state); ``project_dir`` is the project it serves and watches.
    """
    ports = ports or free_ports()
    own_state_dir = state_dir is None
    state_dir = state_dir or Path(tempfile.mkdtemp(prefix="localdev-state-"))
    process = subprocess.Popen(
        [
            sys.executable, "-m", "localdev", "run",
            "--api-port", str(ports.api), "--sfn-port", str(ports.sfn), "--aws-port", str(ports.aws),
            "--state-dir", str(state_dir), "--project-dir", str(project_dir),
            *extra_args,
        ],
        cwd=PROJECT_DIR,
        # As from a fresh terminal: no AWS settings of the caller's (the stack sets its own). INFO: tests
        # wait for the lines deliveries log.
        env={
            "LOG_LEVEL": "INFO",
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "PYTHONUNBUFFERED": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    stack = StackProcess(ports, process, state_dir, own_state_dir=own_state_dir)
    threading.Thread(target=stack._read, name="stack-output", daemon=True).start()
    try:
        stack.wait_for_output(READY_MARKER, timeout=timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


@contextlib.contextmanager
def running_stack(*extra_args: str) -> Iterator[StackProcess]:
    """A stack on free ports for the duration of the ``with`` block."""
    stack = start_stack(*extra_args)
    try:
        yield stack
    finally:
        stack.stop()


def free_ports() -> Ports:
    chosen: set[int] = set()
    while len(chosen) < 3:
        chosen.add(free_port())
    api, sfn, moto = sorted(chosen)
    return Ports(api=api, sfn=sfn, aws=moto)
