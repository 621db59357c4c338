"""Walk-forward splits with a purge/embargo gap, shared by Gate 3 and the meta-model.

Time-series cross-validation must never train on the future: each fold trains on the past
(expanding or rolling window), skips ``embargo`` rows so overlapping targets and
autocorrelated features cannot leak across the boundary, then tests on the next block.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


def free_cores() -> int:
    """Threads for a model fit: GOLDLOOP_NTHREAD, else the cores free right now (the cores this
    process may use minus the 1-minute load average, rounded, at least 1; no load average on
    Windows: all cores). OpenMP threads spin-wait, so on a busy machine more threads than free
    cores run far slower than one (bench/bench_gates.py measures it). Shared by Gate 3 and the
    meta-model (this module is inlined into the notebooks)."""
    if os.environ.get("GOLDLOOP_NTHREAD"):
        return max(1, int(os.environ["GOLDLOOP_NTHREAD"]))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


@dataclass(frozen=True)
class Fold:
    train: np.ndarray
    test: np.ndarray


def walk_forward_splits(
    n: int,
    folds: int = 5,
    *,
    min_train: int | None = None,
    embargo: int = 5,
    expanding: bool = True,
) -> list[Fold]:
    """Split ``n`` time-ordered rows into ``folds`` consecutive test blocks after a first train block.

    Test blocks partition rows ``[min_train + embargo, n)``; the train window for a block ends
    ``embargo`` rows before it. With ``expanding=False`` the train window keeps ``min_train`` rows.
    """
    if folds < 1:
        raise ValueError("folds must be at least 1")
    min_train = min_train if min_train is not None else max(n // (folds + 1), 1)
    first_test = min_train + embargo
    if first_test + folds > n:
        raise ValueError(
            f"{n} rows are too few for {folds} folds after {min_train} training rows and an embargo of {embargo}"
        )
    edges = np.linspace(first_test, n, folds + 1).astype(int)
    out = []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        train_stop = start - embargo
        train_start = 0 if expanding else max(0, train_stop - min_train)
        out.append(Fold(np.arange(train_start, train_stop), np.arange(start, stop)))
    return out
