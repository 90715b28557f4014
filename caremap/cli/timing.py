"""Timing for the benchmark's parts: one median timer, so that every measurement is taken the same way."""

from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int) -> float:
    """Seconds: the median of `repeat` runs of fn after one warm-up run."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
