"""Cancel the running session of an attempt's kernel (or of any kernel by reference)."""

from __future__ import annotations

import time
from typing import Any

from goldloop.kaggle.backends import Backend, check_kernel_ref, get_backend
from goldloop.kaggle.jobs import attempt_kernel, context, load_job


def wait_finished(backend: Backend, kernel: str, timeout_s: float = 60.0, poll_s: float = 0.5) -> str:
    """Wait until the kernel's session has ended (after a cancel); its final state."""
    deadline = time.time() + timeout_s
    state = backend.status(kernel).state
    while state in ("queued", "running") and time.time() < deadline:
        time.sleep(poll_s)
        state = backend.status(kernel).state
    return state


def cancel(workspace: Any, feature: str | None = None, attempt: int | None = None, *, kernel: str | None = None,
           session_id: int | None = None, backend: str | None = None) -> dict[str, Any]:
    """Cancel by feature/attempt (the kernel recorded at submit) or by ``kernel`` reference.

    The monitor sees the cancellation on its next poll and records the attempt as failed.
    """
    ctx = context(workspace)
    job: dict[str, Any] = {}
    if kernel is None:
        if feature is None or attempt is None:
            from goldloop.errors import GoldloopError

            raise GoldloopError("say what to cancel", "pass FEATURE ATTEMPT, or --kernel owner/slug")
        kernel, job = attempt_kernel(ctx, feature, attempt)
    else:
        check_kernel_ref(kernel)
        job = load_job(ctx, kernel)
    chosen = get_backend(backend or job.get("backend"), ctx.ws, ctx.config)
    return {**chosen.cancel(kernel, session_id), "backend": chosen.name}
