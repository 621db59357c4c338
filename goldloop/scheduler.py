"""Slots and quota: may another kernel run start now, on which pool, and why not.

A *pool* is a backend plus, on Kaggle, an accelerator: Kaggle counts batch GPU and batch
CPU sessions per account separately (2 and 5, see docs/run.md for the sources); the local
backend runs every kernel on this machine, so its GPU and CPU runs share one pool of
``local_workers``. What is busy comes from state (every attempt in flight, with its run
record) plus the pushes this process has claimed and not yet recorded, so a driver that is
killed and restarted counts the runs it left behind.

Two more rules keep Kaggle's own limits:
* the weekly GPU quota: a GPU run is only pushed when the remaining hours cover its
  configured time limit on top of the limits of the GPU runs already in flight;
* a capacity refusal ("Maximum batch GPU session count of 2 reached", HTTP 200 + error)
  means sessions we do not see (the web editor, another machine) hold slots: the pool counts
  as full at what we run now, until one of our runs ends or ``REFUSAL_BACKOFF_S`` passes.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from goldloop.config import Config
from goldloop.state.model import State

REFUSAL_BACKOFF_S = 120.0
QUOTA_CACHE_S = 60.0

Pool = tuple[str, str]  # (backend, accelerator) — accelerator "any" on the local backend


def local_workers(config: Config) -> int:
    """``[parallel] local_workers``, or one per two cores (at least one) when 0."""
    return config.parallel.local_workers or max(1, (os.cpu_count() or 1) // 2)


def pool_of(backend: str, accelerator: str) -> Pool:
    return (backend, accelerator) if backend == "kaggle" else (backend, "any")


def capacity(config: Config, pool: Pool) -> int:
    backend, accelerator = pool
    if backend == "kaggle":
        return config.parallel.kaggle_gpu_slots if accelerator == "gpu" else config.parallel.kaggle_cpu_slots
    return local_workers(config)


def busy_from_state(state: State, default_backend: str) -> Counter[Pool]:
    """Runs in flight per pool, from the attempts' own run records."""
    busy: Counter[Pool] = Counter()
    for _, att in state.in_flight():
        run = att.run
        busy[pool_of(run.backend if run else default_backend, run.accelerator if run else "cpu")] += 1
    return busy


@dataclass(frozen=True)
class Decision:
    ok: bool
    pool: Pool
    reason: str


@dataclass(frozen=True)
class Claim:
    pool: Pool
    feature: str
    attempt: int


def gpu_quota_allows(quota: dict[str, Any] | None, gpu_in_flight: int, limit_hours: float) -> tuple[bool, str]:
    """Whether one more GPU run fits the week's remaining hours (None quota: no limit known)."""
    gpu = (quota or {}).get("gpu_hours")
    if not gpu:
        return True, "no GPU quota reported"
    # Conservative: every GPU run in flight may still use its whole time limit.
    left = gpu["remaining"] - gpu_in_flight * limit_hours
    if left >= limit_hours:
        return True, f"{left:.1f} h of GPU quota left after the runs in flight"
    return False, (f"GPU quota: {gpu['remaining']:g} h remain, {gpu_in_flight} GPU run(s) in flight may use "
                   f"{gpu_in_flight * limit_hours:g} h, a new one needs up to {limit_hours:g} h "
                   f"(refresh {quota.get('refresh') or '?'})")


class SlotScheduler:
    """Thread-safe slot accounting for one driver process."""

    def __init__(self, config: Config, default_backend: str,
                 quota: Callable[[], dict[str, Any] | None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.default_backend = default_backend
        self._quota_fn = quota
        self._clock = clock
        self._lock = threading.Lock()
        self._claims: Counter[Pool] = Counter()
        self._refused: dict[Pool, tuple[float, int]] = {}  # pool → (when, our runs at that time)
        self._quota: tuple[float, dict[str, Any] | None] | None = None
        self.waiting: dict[tuple[str, int], str] = {}  # attempts queued for a slot → why

    # -- accounting
    def _busy(self, state: State) -> Counter[Pool]:
        return busy_from_state(state, self.default_backend) + self._claims

    def _effective_capacity(self, pool: Pool, busy: int) -> int:
        cap = capacity(self.config, pool)
        refused = self._refused.get(pool)
        if refused is not None:
            when, ours = refused
            if busy >= ours and self._clock() - when < REFUSAL_BACKOFF_S:
                return min(cap, ours)
            del self._refused[pool]
        return cap

    def _gpu_quota(self) -> dict[str, Any] | None:
        if self._quota_fn is None:
            return None
        now = self._clock()
        if self._quota is None or now - self._quota[0] > QUOTA_CACHE_S:
            self._quota = (now, self._quota_fn())
        return self._quota[1]

    # -- decisions
    def check(self, state: State, accelerator: str, backend: str | None = None) -> Decision:
        backend = backend or self.default_backend
        pool = pool_of(backend, accelerator)
        with self._lock:
            return self._check(state, pool, accelerator)

    def _check(self, state: State, pool: Pool, accelerator: str) -> Decision:
        busy = self._busy(state)
        cap = self._effective_capacity(pool, busy[pool])
        if busy[pool] >= cap:
            why = "after a capacity refusal" if cap < capacity(self.config, pool) else "all in use"
            return Decision(False, pool, f"{pool[0]} {pool[1]} slots: {busy[pool]}/{cap} busy ({why})")
        if pool[0] == "kaggle" and accelerator == "gpu":
            limit_h = self.config.kaggle.run_timeout_minutes / 60
            ok, why = gpu_quota_allows(self._gpu_quota(), busy[pool], limit_h)
            if not ok:
                return Decision(False, pool, why)
        return Decision(True, pool, f"{pool[0]} {pool[1]} slot {busy[pool] + 1}/{cap}")

    def claim(self, state: State, feature: str, attempt: int, accelerator: str,
              backend: str | None = None) -> Claim | Decision:
        """Take a slot for a push about to happen, or say why the attempt must wait."""
        pool = pool_of(backend or self.default_backend, accelerator)
        with self._lock:
            decision = self._check(state, pool, accelerator)
            if not decision.ok:
                self.waiting[(feature, attempt)] = decision.reason
                return decision
            self.waiting.pop((feature, attempt), None)
            self._claims[pool] += 1
            return Claim(pool, feature, attempt)

    def release(self, claim: Claim) -> None:
        """The push is recorded in state (or failed): state counts it from now on."""
        with self._lock:
            self._claims[claim.pool] -= 1
            if self._claims[claim.pool] <= 0:
                del self._claims[claim.pool]

    def refused(self, claim: Claim, state: State) -> None:
        """Kaggle said the slots are full: count the pool as full at what we run now."""
        with self._lock:
            ours = busy_from_state(state, self.default_backend)[claim.pool]
            self._refused[claim.pool] = (self._clock(), ours)
            self.waiting[(claim.feature, claim.attempt)] = (
                f"{claim.pool[0]} refused a {claim.pool[1]} session (capacity): waiting for a slot")

    def snapshot(self, state: State) -> list[dict[str, Any]]:
        """:func:`slot_table` with this driver's claims, refusals and queue."""
        with self._lock:
            busy = self._busy(state)
            rows = slot_table(self.config, state, self.default_backend)
            for row in rows:
                pool = (row["backend"], row["accelerator"])
                row["busy"], row["capacity"] = busy[pool], self._effective_capacity(pool, busy[pool])
            return rows

    def queue(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"feature": f, "attempt": n, "reason": why} for (f, n), why in self.waiting.items()]


def slot_table(config: Config, state: State, default_backend: str) -> list[dict[str, Any]]:
    """Slots per pool as state shows them (for `goldloop status` outside a running driver)."""
    busy = busy_from_state(state, default_backend)
    pools = set(busy) | {pool_of(default_backend, "gpu"), pool_of(default_backend, "cpu")}
    return [{"backend": p[0], "accelerator": p[1], "capacity": capacity(config, p), "busy": busy[p],
             "runs": [f"{name} {att.number}" for name, att in state.in_flight()
                      if pool_of(att.run.backend if att.run else default_backend,
                                 att.run.accelerator if att.run else "cpu") == p]}
            for p in sorted(pools)]
