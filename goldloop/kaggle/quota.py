"""Accelerator quota: refuse to push a GPU kernel when the week's GPU hours are spent."""

from __future__ import annotations

from typing import Any

from goldloop.errors import BackendError
from goldloop.kaggle.backends import Backend


class QuotaExhausted(BackendError):
    """No GPU hours left this week."""


def check_gpu_quota(backend: Backend, *, min_hours: float = 0.0) -> dict[str, Any] | None:
    """The quota numbers; raises QuotaExhausted (with the numbers) when none is left."""
    quota = backend.quota()
    gpu = (quota or {}).get("gpu_hours")
    if gpu is None:
        return quota  # the backend has no accelerator quota (local)
    if gpu["remaining"] <= min_hours:
        raise QuotaExhausted(
            f"GPU quota spent: {gpu['time_used']:g} h used + {gpu['time_reserved']:g} h reserved of "
            f"{gpu['total_time_allowed']:g} h (remaining {gpu['remaining']:g} h); it refreshes at {quota.get('refresh')}",
            "wait for the refresh, or set enable_gpu to false in kernel-metadata.json and push a CPU run",
        )
    return quota
