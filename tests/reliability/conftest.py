"""Fixtures for reliability tests, and the hypothesis profiles of `make test` and `make fuzz`.

`make test` runs each property with this folder's default (100 examples); `make fuzz` passes
``--hypothesis-profile=fuzz`` (2,000 each) and prints how many inputs were tried and how many
answers broke the contract.
"""
from __future__ import annotations

import collections
import os
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.reliability.harness import OfflineStack, offline_stack

# Registered here, so `pytest tests/reliability --hypothesis-profile=fuzz` finds it at start-up.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
_SLOW_IS_FINE = [
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture,
]


def property_settings(test: Callable[..., Any]) -> Callable[..., Any]:
    """The settings of every property here: the active profile's example count, no deadline.

    Built when a test module is imported, after pytest loaded ``--hypothesis-profile``
    (a ``settings`` object made earlier would keep the default profile's count).
    """
    return settings(deadline=None, suppress_health_check=_SLOW_IS_FINE)(test)


class Tally:
    """Inputs tried and contract violations seen, by property, for the fuzz report."""

    def __init__(self) -> None:
        self.tried: collections.Counter[str] = collections.Counter()
        self.statuses: collections.Counter[str] = collections.Counter()
        self.server_errors = 0

    def record(self, name: str, status: int) -> None:
        self.tried[name] += 1
        self.statuses[str(status)] += 1
        self.server_errors += status >= 500


TALLY = Tally()


@pytest.fixture(scope="module")
def stack() -> Iterator[OfflineStack]:
    """One offline product per module; tests tell their data apart by unique text."""
    with offline_stack() as running:
        yield running


@pytest.fixture
def fresh_stack() -> Iterator[OfflineStack]:
    """A product of its own, for tests that count every ticket or switch faults on."""
    with offline_stack() as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY.tried:
        return
    terminalreporter.section("generated inputs")
    for name, count in sorted(TALLY.tried.items()):
        terminalreporter.write_line(f"{name:<55} {count:>7} tried")
    terminalreporter.write_line(f"{'total':<55} {sum(TALLY.tried.values()):>7} tried")
    terminalreporter.write_line(f"answers by status: {dict(sorted(TALLY.statuses.items()))}")
    terminalreporter.write_line(f"5xx answers or crashes: {TALLY.server_errors}")
    failed = len(terminalreporter.stats.get("failed", []))
    terminalreporter.write_line(f"properties failed (contract violations found): {failed}")
