"""Checks that the stack's ports are free before anything starts, and suggests free ones."""
from __future__ import annotations

import socket
from collections.abc import Callable

_SEARCH_LIMIT = 100


class PortUnavailable(Exception):
    """Ports of the stack cannot be used; the message names every make variable to change."""


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    # SO_REUSEADDR as the servers use it, so sockets of a run that just stopped (TIME_WAIT) don't count.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def ensure_free(ports: dict[str, int], free: Callable[[int], bool] = is_free) -> None:
    """Raise PortUnavailable listing every taken or shared port at once, each with a free one to try.

    E.g. ``API_PORT 8000 is in use (try 8001)`` per line, then the `make run` line with all the fixes.
    """
    problems: list[str] = []
    fixes: dict[str, int] = {}
    claimed = set(ports.values())
    seen: dict[int, str] = {}
    for variable, port in ports.items():
        if port in seen:
            problem = f"{variable} {port} is also {seen[port]}"
        elif not free(port):
            problem = f"{variable} {port} is in use"
        else:
            seen[port] = variable
            continue
        seen.setdefault(port, variable)
        suggestion = _next_free(port, claimed, free)
        if suggestion is None:
            problems.append(f"{problem} (and no free port follows it)")
            continue
        claimed.add(suggestion)
        fixes[variable] = suggestion
        problems.append(f"{problem} (try {suggestion})")
    if problems:
        command = " ".join(f"{variable}={port}" for variable, port in fixes.items())
        hint = f"\nStart it with: make run {command}" if fixes else ""
        raise PortUnavailable("\n".join(problems) + hint)


def _next_free(port: int, claimed: set[int], free: Callable[[int], bool]) -> int | None:
    for candidate in range(port + 1, min(port + _SEARCH_LIMIT, 65536)):
        if candidate not in claimed and free(candidate):
            return candidate
    return None


def free_port() -> int:
    """A port the kernel just handed out, for tests and benchmarks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
