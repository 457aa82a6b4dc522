"""What the generated-input (hypothesis) tests share: their settings and the tally `make fuzz` prints."""
from __future__ import annotations

import collections
from typing import Any, Callable

from hypothesis import HealthCheck, settings

_SLOW_IS_FINE = [
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture,
]


def property_settings(test: Callable[..., Any]) -> Callable[..., Any]:
    """The settings of every property: the active profile's example count, no deadline.

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
