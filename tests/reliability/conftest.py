"""Fixtures for reliability tests, and the report `make fuzz` prints.

`make test` runs each property with hypothesis' default (100 examples); `make fuzz` passes
``--hypothesis-profile=fuzz`` (2,000 each, registered in tests/conftest.py) and prints how many
inputs were tried and how many answers broke the contract.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.fuzz import TALLY
from tests.support.offline_stack import OfflineStack, offline_stack


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
