"""Benchmarks: `make bench` (`python -m bench [NAME ...]`), against PostgreSQL and Redis, never in `make test`.

Each module `bench/<name>.py` (not starting with "_") is one benchmark: a `run() -> list[Metric]` called once
Django is set up on the bench database. See bench/README.md.
"""

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Metric:
    """One measured figure and its target; `ok` says whether the figure meets it."""

    name: str
    value: float
    unit: str
    target: float | None
    ok: bool

    @classmethod
    def at_most(cls, name: str, value: float, unit: str, target: float) -> "Metric":
        """A figure that must not exceed its target (a duration, a number of queries)."""
        return cls(name=name, value=value, unit=unit, target=target, ok=value <= target)

    @classmethod
    def info(cls, name: str, value: float, unit: str) -> "Metric":
        """A figure with no target of its own, reported because another one is read against it (a baseline)."""
        return cls(name=name, value=value, unit=unit, target=None, ok=True)

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `fraction` of the sorted values (p95: 0.95)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
