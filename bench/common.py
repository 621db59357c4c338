"""Small helpers for the benchmarks: medians and the one output format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(name: str, value: float, unit: str, baseline_name: str, baseline: float, target: str = "") -> None:
    ratio = value / baseline if baseline else float("nan")
    extra = f" | target {target}" if target else ""
    print(f"{name}: {value:.4g} {unit} | baseline {baseline_name}: {baseline:.4g} {unit} | ratio {ratio:.2f}x{extra}",
          flush=True)
