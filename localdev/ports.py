"""Checks that the stack's ports are free before anything starts."""
from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class PortInUse(Exception):
    variable: str
    port: int

    def __str__(self) -> str:
        return (
            f"Port {self.port} is already in use; choose another one, "
            f"e.g. `make run {self.variable}={self.port + 1}`."
        )


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    # SO_REUSEADDR as the servers use it, so sockets of a run that just stopped (TIME_WAIT) don't count.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def ensure_free(ports: dict[str, int]) -> None:
    """Raise PortInUse for the first variable (e.g. ``API_PORT``) whose port is taken."""
    for variable, port in ports.items():
        if not is_free(port):
            raise PortInUse(variable, port)


def free_port() -> int:
    """A port the kernel just handed out, for tests and benchmarks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
