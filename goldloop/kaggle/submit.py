"""``submit``: validate, push, record in state, commit, start the monitor — one call.

Never a double run: Kaggle starts a second, billed session when a kernel is pushed while a
version runs (kaggle-api issue #388), so before any push the attempt's kernel is looked up;
a queued or running session is adopted and monitored instead. Every push that Kaggle
accepted is recorded with its version (also when it warns about invalid sources), and a
push whose answer was lost is adopted from the kernel's look-up. When all GPU slots are
busy ("Maximum batch GPU session count of N reached") the attempt is queued: its monitor
pushes it when a slot frees. GPU kernels are checked against the quota first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.kaggle.backends import (
    Backend,
    CapacityRefusedError,
    PushResult,
    RunStatus,
    TransientBackendError,
    get_backend,
    read_metadata,
)
from goldloop.kaggle.jobs import Context, check_names, commit_kaggle_step, context, save_job
from goldloop.state.model import Status, utcnow


def validation_errors(folder: Path, ctx: Any) -> list[dict[str, Any]] | None:
    """Error-level findings of the validator (None when no validator is installed)."""
    settings = ctx.config.validate_
    try:
        from goldloop.validate import errors, validate_path

        report = validate_path(folder, select=settings.select or None, ignore=settings.ignore or None,
                               workspace_root=ctx.root, strict=True)
    except ImportError:  # the validator is not installed (or half-installed): say so in the result
        return None
    return [f.to_dict() for f in errors(report)]


def _waiting_on(ctx: Context, feature: str, attempt: int) -> bool:
    from goldloop.state.store import StateStore

    state = StateStore(ctx.ws).read()
    return state.status is Status.WAITING_TRAINING and (state.current_feature, state.current_attempt) == (feature, attempt)


def _check_state(ctx: Context, feature: str, attempt: int) -> None:
    from goldloop.state.store import StateStore
    from goldloop.state.transitions import check_transition

    state = StateStore(ctx.ws).read()
    att = state.record(feature).attempt(attempt)
    if att is None:
        raise GoldloopError(f"{feature} attempt {attempt} has not been started",
                            "start it first (`goldloop state` / the orchestrator), then submit")
    # the attempt's own status: other attempts may train at the same time
    check_transition(Status.COMPLETED if state.status is Status.COMPLETED else att.status, Status.WAITING_TRAINING)


def run_record(backend: str, kernel: str, version: int | None, meta: dict[str, Any]) -> dict[str, Any]:
    """The attempt's run record at push time (a fresh one for every push)."""
    return {"backend": backend, "kernel": kernel, "version": version,
            "accelerator": "gpu" if meta.get("enable_gpu") else "cpu", "submitted_at": utcnow(),
            "finished_at": None, "state": "queued", "error_class": None}


def push_once(backend: Backend, folder: Path, kernel: str) -> PushResult | RunStatus:
    """One push of ``folder`` that can never double a run.

    Returns the active session (a ``RunStatus``) when the kernel already has one, so nothing
    was pushed; else the ``PushResult``. When the push fails in transit, the kernel is looked
    up: a version newer than the one before is the push that went through, and is returned.
    Raises ``CapacityRefusedError`` (nothing started), the translated errors otherwise.
    """
    before = backend.current_run(kernel)
    if before is not None and before.active:
        return before
    try:
        return backend.push(folder)
    except TransientBackendError as exc:
        try:
            after = backend.current_run(kernel)
        except GoldloopError:
            raise exc from None
        if after is not None and after.version and (before is None or (before.version or 0) < after.version):
            return PushResult(kernel=kernel, version=after.version, warnings=[
                f"the answer to the push was lost ({exc.message}); Kaggle shows version {after.version}, adopted"])
        raise


def record_push(ctx: Context, backend: Backend, feature: str, attempt: int, kernel: str, version: int | None,
                warnings: list[str], how: str) -> None:
    """The job file and the attempt know the pushed version (status and fetch pin it)."""
    from goldloop.state import ops
    from goldloop.state.store import StateStore

    save_job(ctx, kernel, backend=backend.name, version=version, feature=feature, attempt=attempt,
             pushed_at=utcnow(), warnings=warnings, phase="submitted", outcome=None,
             give_up_at=time.time() + ctx.config.kaggle.max_wait_minutes * 60)  # each pushed run gets the full wait
    store = StateStore(ctx.ws)
    context_text = "\n".join(f"push warning: {w}" for w in warnings) or None
    ops.update_attempt(store, feature, attempt, actor="orchestrator", kernel=kernel, kernel_version=version,
                       summary=f"{kernel} v{version} {how}" + (f" ({len(warnings)} warning(s))" if warnings else ""),
                       **({"error_context": context_text} if context_text else {}))


def submit(workspace: Any, folder: Path, feature: str, attempt: int, *, backend: str | None = None,
           start_monitor: bool = True) -> dict[str, Any]:
    from goldloop.kaggle import monitor
    from goldloop.kaggle.quota import check_gpu_quota

    ctx = context(workspace)
    check_names(feature, attempt)
    folder = ctx.ws.inside(folder)
    meta = read_metadata(folder)
    kernel = meta["id"]
    findings = validation_errors(folder, ctx)
    if findings:
        return {"submitted": False, "kernel": kernel, "reason": "the validator found errors; nothing was pushed",
                "findings": findings}
    chosen = get_backend(backend, ctx.ws, ctx.config)
    already_waiting = _waiting_on(ctx, feature, attempt)
    if not already_waiting:
        _check_state(ctx, feature, attempt)
    quota = check_gpu_quota(chosen) if meta.get("enable_gpu") else None
    result: dict[str, Any] = {"kernel": kernel, "backend": chosen.name, "quota": quota,
                              "validated": findings is not None, "warnings": []}
    try:
        outcome = push_once(chosen, folder, kernel)
    except CapacityRefusedError as exc:
        outcome = None
        every = ctx.config.kaggle.capacity_retry_seconds
        result.update(submitted=False, queued=True, version=None,
                      message=f"{exc.message}; queued, retrying every {every:g} s until a slot frees "
                              f"(or stop another GPU run)")
        save_job(ctx, kernel, backend=chosen.name, version=None, feature=feature, attempt=attempt,
                 phase="queued", queued_at=utcnow(), queued_reason=exc.detail, outcome=None)
        summary = f"{feature} attempt {attempt} - queued: {exc.detail}"
    if isinstance(outcome, RunStatus):
        result.update(submitted=False, adopted=True, version=outcome.version,
                      message=f"{kernel} already has a {outcome.state} session (v{outcome.version}); nothing was "
                              "pushed (Kaggle would start a second, billed session); monitoring it")
        record_push(ctx, chosen, feature, attempt, kernel, outcome.version, [], "adopted (already running)")
        summary = f"{feature} attempt {attempt} - {kernel} v{outcome.version} already running, adopted"
    elif isinstance(outcome, PushResult):
        result.update(submitted=True, version=outcome.version, url=outcome.url, warnings=outcome.warnings,
                      message=f"submitted {kernel} v{outcome.version} to the {chosen.name} backend")
        record_push(ctx, chosen, feature, attempt, kernel, outcome.version, outcome.warnings, "pushed")
        summary = f"{feature} attempt {attempt} - submitted as {kernel} v{outcome.version}"
    if not already_waiting:
        from goldloop.state import ops
        from goldloop.state.store import StateStore

        ops.transition(StateStore(ctx.ws), "waiting_training", actor="orchestrator", stage="kaggle",
                       feature=feature, attempt=attempt, summary=summary, kaggle_kernel=kernel,
                       resume_from="evaluator", error_type=None,
                       error_context="\n".join(f"push warning: {w}" for w in result["warnings"]) or None,
                       attempt_fields={"kernel": kernel,
                                      "run": run_record(chosen.name, kernel, result.get("version"), meta)})
    result["commit"] = commit_kaggle_step(ctx, feature, attempt, "queued" if result.get("queued") else "submitted")
    if start_monitor:
        result["monitor"] = monitor.start(ctx.ws, feature, attempt)
    return result
