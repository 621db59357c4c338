"""``submit``: validate, push, record in state, commit, start the monitor — one call.

On a 409 (the kernel still runs) it cancels the running session and pushes again when the
user allowed it (``cancel_running`` / ``[kaggle] cancel_running``); otherwise it stops with a
message naming the kernel and the command. GPU kernels are checked against the quota first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.kaggle.backends import KernelConflictError, get_backend, read_metadata
from goldloop.kaggle.jobs import check_names, commit_kaggle_step, context, save_job
from goldloop.state.model import Status, utcnow


def validation_errors(folder: Path, ctx: Any) -> list[dict[str, Any]] | None:
    """Error-level findings of the validator (None when no validator is installed)."""
    settings = ctx.config.validate_
    try:
        from goldloop.validate import errors, validate_path

        report = validate_path(folder, select=settings.select or None, ignore=settings.ignore or None,
                               workspace_root=ctx.root)
    except ImportError:  # the validator is not installed (or half-installed): say so in the result
        return None
    return [f.to_dict() for f in errors(report)]


def _check_state(ctx: Any, feature: str, attempt: int) -> None:
    from goldloop.state.store import StateStore
    from goldloop.state.transitions import check_transition

    state = StateStore(ctx.ws).read()
    if state.record(feature).attempt(attempt) is None:
        raise GoldloopError(f"{feature} attempt {attempt} has not been started",
                            "start it first (`goldloop state` / the orchestrator), then submit")
    check_transition(state.status, Status.WAITING_TRAINING)


def submit(workspace: Any, folder: Path, feature: str, attempt: int, *, backend: str | None = None,
           cancel_running: bool | None = None, start_monitor: bool = True) -> dict[str, Any]:
    from goldloop.kaggle import monitor
    from goldloop.kaggle.cancel import wait_finished
    from goldloop.kaggle.quota import check_gpu_quota
    from goldloop.state import ops
    from goldloop.state.store import StateStore

    ctx = context(workspace)
    check_names(feature, attempt)
    folder = ctx.ws.inside(folder)
    meta = read_metadata(folder)
    kernel = meta["id"]
    findings = validation_errors(folder, ctx)
    if findings:
        return {"submitted": False, "kernel": kernel, "reason": "the validator found errors; nothing was pushed",
                "findings": findings}
    _check_state(ctx, feature, attempt)
    chosen = get_backend(backend, ctx.ws, ctx.config)
    quota = check_gpu_quota(chosen) if meta.get("enable_gpu") else None
    allow_cancel = ctx.config.kaggle.cancel_running if cancel_running is None else cancel_running
    cancelled = None
    try:
        pushed = chosen.push(folder)
    except KernelConflictError:
        if not allow_cancel:
            raise
        cancelled = chosen.cancel(kernel)
        cancelled["final_state"] = wait_finished(chosen, kernel)
        pushed = chosen.push(folder)

    # The job file first: once state says "waiting", a resumed monitor must find which backend to poll.
    save_job(ctx, kernel, backend=chosen.name, version=pushed.version, feature=feature,
             attempt=attempt, submitted_at=utcnow(), phase="submitted", outcome=None, polls=0)
    store = StateStore(ctx.ws)
    ops.transition(store, "waiting_training", actor="orchestrator", stage="kaggle", feature=feature,
                   attempt=attempt, summary=f"{feature} attempt {attempt} - submitted as {kernel} v{pushed.version}",
                   kaggle_kernel=kernel, resume_from="evaluator", error_type=None, error_context=None,
                   attempt_fields={"kernel": kernel, "kernel_version": pushed.version})
    commit = commit_kaggle_step(ctx, feature, attempt, "submitted")
    result: dict[str, Any] = {"submitted": True, "kernel": kernel, "version": pushed.version, "url": pushed.url,
                              "backend": chosen.name, "commit": commit, "cancelled": cancelled, "quota": quota,
                              "validated": findings is not None}
    if start_monitor:
        result["monitor"] = monitor.start(ctx.ws, feature, attempt)
    return result
