"""The issue's targets as rows: every benchmark returns the ones it measured; `make bench` prints them together."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One measured figure set against its goal, e.g. "sample POST / page GET" 9.1x against "<= 12x"."""

    figure: str
    measured: str  # the two sides of the ratio, as measured, e.g. "14.1 ms / 0.61 ms"
    ratio: float
    goal: str  # "<= 12" or ">= 1.8": compared with ``ratio``
    note: str = ""

    @property
    def met(self) -> bool:
        sign, number = self.goal.split()
        limit = float(number)
        return self.ratio <= limit if sign == "<=" else self.ratio >= limit


def print_targets(rows: list[Target]) -> None:
    print(f"{'target':<46} {'measured':<28} {'ratio':>8}  {'goal':<8} {'met':<4} note")
    for row in rows:
        met = "yes" if row.met else "NO"
        print(f"{row.figure:<46} {row.measured:<28} {row.ratio:>7.2f}x  {row.goal:<8} {met:<4} {row.note}")
