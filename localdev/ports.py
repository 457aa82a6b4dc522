"""Checks that the stack's ports are free before anything starts."""
from __future__ import annotations

import socket


class PortUnavailable(Exception):
    """A port of the stack cannot be used; the message names the make variable to change."""


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
    """Raise PortUnavailable naming the variable (e.g. ``API_PORT``) of a taken or shared port."""
    seen: dict[int, str] = {}
    for variable, port in ports.items():
        if port in seen:
            raise PortUnavailable(f"{seen[port]} and {variable} are both {port}; give each its own port.")
        seen[port] = variable
        if not is_free(port):
            raise PortUnavailable(
                f"{variable}={port} is already in use by another program; "
                f"pick a free one, e.g. `make run {variable}={port + 1}`."
            )


def free_port() -> int:
    """A port the kernel just handed out, for tests and benchmarks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
