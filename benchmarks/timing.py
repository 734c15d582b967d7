"""Timings of repeated calls and their summary, in milliseconds."""

from __future__ import annotations

import math
import statistics
import time


def percentile(values: list[float], p: float) -> float:
    """The value below which a share `p` (0 to 1) of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]


def timed(function, repeat: int) -> list[float]:
    """Call `function` `repeat` times; how long each call took, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    """Median, 95th percentile and slowest of some timings, on one line."""
    if not times:
        return "no successful run"
    return (
        f"median {statistics.median(times):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms"
        f"   max {max(times):7.1f} ms   (n={len(times)})"
    )
