"""XGBoost's thread count comes from the cores free right now (issue 15, item 6).

On a busy 2-core machine two OpenMP threads per fit spin-wait against the other jobs and ran
about 25x slower than one (bench/bench_gates.py measures it); ``free_cores`` picks the count.
The load average and the CPU affinity are the operating system's, set here per case.
"""

from __future__ import annotations

import os

import pytest

from goldloop.walkforward import free_cores


@pytest.fixture
def machine(monkeypatch):
    """A machine with ``cores`` usable cores and a 1-minute load average ``load``."""
    monkeypatch.delenv("GOLDLOOP_NTHREAD", raising=False)

    def set_(cores: int, load: float | None) -> None:
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
        if load is None:  # Windows: no load average
            monkeypatch.delattr(os, "getloadavg", raising=False)
        else:
            monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load), raising=False)

    return set_


@pytest.mark.parametrize(("cores", "load", "threads"), [
    (2, 0.0, 2),    # an idle 2-core machine: both cores
    (2, 0.4, 2),    # a little background work still leaves both
    (2, 1.0, 1),    # one core busy (another engineer's job): one thread
    (2, 4.4, 1),    # overloaded: never fewer than one
    (8, 2.6, 5),    # a bigger machine: the cores left free, rounded
])
def test_threads_follow_the_free_cores(machine, cores, load, threads):
    machine(cores, load)
    assert free_cores() == threads


def test_without_a_load_average_every_core_is_used(machine):
    machine(4, None)
    assert free_cores() == 4


def test_goldloop_nthread_overrides_and_is_at_least_one(machine, monkeypatch):
    machine(2, 0.0)
    monkeypatch.setenv("GOLDLOOP_NTHREAD", "1")
    assert free_cores() == 1
    monkeypatch.setenv("GOLDLOOP_NTHREAD", "0")
    assert free_cores() == 1


def test_the_raw_feature_baseline_takes_its_threads_from_free_cores(machine, monkeypatch):
    """The final evaluation's default-XGBoost baseline used a fixed 2 threads before."""
    import xgboost

    from goldloop.models.baselines import raw_feature_forecasts

    machine(2, 1.3)
    seen = []
    real_fit = xgboost.XGBRegressor.fit

    def fit(self, *args, **kwargs):  # record the thread count XGBoost was given, then fit for real
        seen.append(self.get_params()["n_jobs"])
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(xgboost.XGBRegressor, "fit", fit)
    forecasts = raw_feature_forecasts()
    assert seen == [1]
    assert len(forecasts["raw_feature_xgboost"]) > 1000
