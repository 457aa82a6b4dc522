"""Busy ports are all reported at once, each with a free one to try."""
from __future__ import annotations

import pytest

from localdev.ports import PortUnavailable, ensure_free

PORTS = {"API_PORT": 8000, "SFN_PORT": 8083, "AWS_PORT": 5000}


def free_except(*taken: int):
    return lambda port: port not in taken


def test_free_ports_pass() -> None:
    ensure_free(PORTS, free_except())


def test_every_busy_port_is_reported_at_once_with_a_free_one() -> None:
    # GIVEN all three ports taken, and 8001 too
    # WHEN the stack checks its ports
    with pytest.raises(PortUnavailable) as raised:
        ensure_free(PORTS, free_except(8000, 8001, 8083, 5000))
    # THEN one message names each, suggests the next free port, and gives the whole command
    assert str(raised.value).splitlines() == [
        "API_PORT 8000 is in use (try 8002)",
        "SFN_PORT 8083 is in use (try 8084)",
        "AWS_PORT 5000 is in use (try 5001)",
        "Start it with: make run API_PORT=8002 SFN_PORT=8084 AWS_PORT=5001",
    ]


def test_suggestions_avoid_the_other_ports_of_the_stack() -> None:
    # GIVEN the API's port taken and the next one chosen for Step Functions
    with pytest.raises(PortUnavailable) as raised:
        ensure_free({"API_PORT": 8000, "SFN_PORT": 8001, "AWS_PORT": 5000}, free_except(8000))
    # THEN the suggestion for the API skips 8001
    assert str(raised.value).splitlines()[0] == "API_PORT 8000 is in use (try 8002)"


def test_one_port_for_two_services_is_refused_with_a_free_one() -> None:
    with pytest.raises(PortUnavailable) as raised:
        ensure_free({"API_PORT": 8000, "SFN_PORT": 8083, "AWS_PORT": 8000}, free_except())
    assert str(raised.value).splitlines() == [
        "AWS_PORT 8000 is also API_PORT (try 8001)",
        "Start it with: make run AWS_PORT=8001",
    ]
