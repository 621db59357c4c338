"""The monitor: one detached process per kernel that polls until the run ends, then fetches
the results, updates state, commits, notifies and (when configured) lets Claude continue.

* One per kernel: the process holds ``.goldloop/monitors/<owner>__<slug>.lock`` (filelock,
  an OS lock, so a SIGKILLed monitor frees it); a second one exits at once and says so.
* It never dies of a poll: whatever one raises (network, timeout, cut answer, 429/5xx, HTML,
  401, 403, 404, a bug) is recorded in the job file (``last_error``) and, when a new kind of
  error starts, in the attempt's ``error_context``; it backs off exponentially and polls
  again, until the give-up time (``[kaggle] max_wait_minutes`` after the push). Then it
  records ``training_failed`` with a clear class and stops the run (``stop_on_give_up``) or
  says plainly that it may still be using quota. An unknown status value counts as running.
* Status and results are pinned to the version recorded at push (``owner/slug/vN``).
* A queued attempt (all GPU slots busy) is pushed by its monitor when a slot frees.
* ``watch`` runs the same loop in the foreground (the autopilot), or waits for the
  background monitor that already holds the lock.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError, TransitionError
from goldloop.kaggle.backends import (
    AuthBackendError,
    Backend,
    RunStatus,
    TransientBackendError,
    get_backend,
)
from goldloop.kaggle.jobs import (
    Context,
    attempt_kernel,
    check_names,
    commit_kaggle_step,
    context,
    job_path,
    load_job,
    save_job,
)
from goldloop.kaggle.local_backend import detached_popen, pid_alive
from goldloop.redaction import redact
from goldloop.state.model import Status, utcnow

LOG_TAIL_LINES = 25
ERROR_CONTEXT_CHARS = 2000


# -- the loop ---------------------------------------------------------------------------------
def backoff_seconds(poll: float, failures: int) -> float:
    """Exponential backoff with jitter after ``failures`` failed polls in a row."""
    import random

    cap = max(poll * 16, 1.0)
    return min(cap, poll * 2 ** min(failures, 10)) * random.uniform(0.5, 1.0)


def error_class(exc: BaseException) -> str:
    """A short, stable name for what a poll raised (job file, state, give-up)."""
    from goldloop.kaggle.backends import (
        CapacityRefusedError,
        ForbiddenBackendError,
        NotFoundBackendError,
    )

    for cls, name in ((TransientBackendError, "transient"), (AuthBackendError, "auth"),
                      (ForbiddenBackendError, "forbidden"), (NotFoundBackendError, "not_found"),
                      (CapacityRefusedError, "capacity")):
        if isinstance(exc, cls):
            return name
    return "error" if isinstance(exc, GoldloopError) else f"bug:{type(exc).__name__}"


def _note_error(ctx: Context, kernel: str, feature: str, attempt: int, exc: BaseException, streak: int) -> None:
    """Record a failed poll in the job file; in state too when a new kind of error starts."""
    text = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
    job = load_job(ctx, kernel)
    kind = error_class(exc)
    save_job(ctx, kernel, last_error=text, last_error_class=kind, last_error_at=utcnow(),
             poll_errors=job.get("poll_errors", 0) + 1, error_streak=streak)
    if streak == 1 or job.get("last_error_class") != kind:
        from goldloop.state.ops import update_attempt
        from goldloop.state.store import StateStore

        try:
            update_attempt(StateStore(ctx.ws), feature, attempt, actor="orchestrator",
                           summary=f"{kernel}: monitor poll failed ({kind}), retrying",
                           error_context=f"monitor: {kind}: {text}")
        except Exception:  # noqa: BLE001 - a state write must not stop the monitor either
            pass


def _give_up_at(ctx: Context, kernel: str, job: dict[str, Any]) -> float:
    """The configured give-up time, fixed at the first start (a restarted monitor keeps it)."""
    if job.get("give_up_at"):
        return float(job["give_up_at"])
    at = time.time() + ctx.config.kaggle.max_wait_minutes * 60
    save_job(ctx, kernel, give_up_at=at)
    return at


def _loop(ctx: Context, feature: str, attempt: int, poll: float) -> dict[str, Any]:
    """Poll until the run ends or the give-up time: whatever a poll raises is recorded,
    backed off and retried — the monitor never dies of it."""
    kernel, job = attempt_kernel(ctx, feature, attempt)
    backend = get_backend(job.get("backend"), ctx.ws, ctx.config)
    deadline = _give_up_at(ctx, kernel, job)
    save_job(ctx, kernel, pid=os.getpid(), phase="queued" if job.get("phase") == "queued" else "polling",
             monitor_started_at=utcnow(), poll_seconds=poll, feature=feature, attempt=attempt)
    polls, streak, last_exc = 0, 0, None
    while True:
        deadline = float(load_job(ctx, kernel).get("give_up_at") or deadline)  # a new push restarts it
        if time.time() > deadline:
            return _give_up(ctx, backend, kernel, feature, attempt, last_exc, load_job(ctx, kernel))
        try:
            job = load_job(ctx, kernel)
            if job.get("deleted_at"):  # `goldloop kaggle cancel --delete-kernel` recorded the end
                return job.get("outcome") or {"outcome": "cancelled", "kernel": kernel}
            if job.get("phase") == "queued":
                if not _push_queued(ctx, backend, kernel, feature, attempt):
                    time.sleep(ctx.config.kaggle.capacity_retry_seconds)
                continue
            status = backend.status(kernel, job.get("version"))
        except Exception as exc:  # noqa: BLE001 - never die: record, back off, poll again
            streak, last_exc = streak + 1, exc
            _note_error(ctx, kernel, feature, attempt, exc, streak)
            if isinstance(exc, AuthBackendError) and hasattr(backend, "reset"):
                backend.reset()  # credentials fixed meanwhile are read again
            time.sleep(backoff_seconds(poll, streak))
            continue
        streak, last_exc = 0, None
        polls += 1
        if status.state == "unknown":  # a status newer than goldloop: logged, counted as running
            print(f"{utcnow()} {kernel}: unknown status {status.raw.get('status')!r}, treated as running", flush=True)
        save_job(ctx, kernel, polls=polls, last_poll_at=utcnow(), last_state=status.state,
                 last_poll_epoch=time.time(), phase="polling",
                 **({"unknown_status": status.raw.get("status")} if status.state == "unknown" else {}))
        if status.finished:
            save_job(ctx, kernel, phase="finishing", finished_seen_epoch=time.time())
            try:
                outcome = finish(ctx, backend, kernel, feature, attempt, status, job.get("version"))
            except Exception as exc:  # noqa: BLE001 - the results are fetched again on the next round
                streak, last_exc = 1, exc
                _note_error(ctx, kernel, feature, attempt, exc, streak)
                time.sleep(backoff_seconds(poll, streak))
                continue
            if outcome.get("outcome") != "resubmitted":
                save_job(ctx, kernel, phase="done", outcome=outcome, done_at=utcnow(), done_epoch=time.time())
                return outcome
            continue
        time.sleep(poll)


def _push_queued(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int) -> bool:
    """A queued attempt (all GPU slots were busy): push it now; False while still refused."""
    from goldloop.kaggle.backends import CapacityRefusedError
    from goldloop.kaggle.jobs import kernel_folder
    from goldloop.kaggle.submit import push_once, record_push

    try:
        outcome = push_once(backend, kernel_folder(ctx, feature, attempt), kernel)
    except CapacityRefusedError as exc:
        save_job(ctx, kernel, queued_reason=exc.detail, last_queue_try_at=utcnow())
        return False
    if isinstance(outcome, RunStatus):
        record_push(ctx, backend, feature, attempt, kernel, outcome.version, [], "adopted (already running)")
    else:
        record_push(ctx, backend, feature, attempt, kernel, outcome.version, outcome.warnings, "pushed from the queue")
    commit_kaggle_step(ctx, feature, attempt, f"pushed v{outcome.version} from the queue")
    return True


def _give_up(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int,
             last_exc: BaseException | None, job: dict[str, Any]) -> dict[str, Any]:
    """The give-up time passed: stop the run when configured, else say plainly it may still bill."""
    minutes = ctx.config.kaggle.max_wait_minutes
    if last_exc is not None:
        kind = error_class(last_exc)
        error_type = "auth_error" if kind == "auth" else "network_timeout" if kind == "transient" else "unknown"
        why = f"gave up at the maximum wait of {minutes:g} min: the last polls failed ({kind}: {str(last_exc).splitlines()[0][:300]})"
    else:
        error_type = "timeout_limit"
        why = f"gave up at the maximum wait of {minutes:g} min: the run was still {job.get('last_state') or 'queued'}"
    if job.get("phase") == "queued":
        why += "; it was still queued, so nothing ran"
    elif ctx.config.kaggle.stop_on_give_up or backend.name == "local":  # a local run costs nothing to stop
        try:
            stopped = backend.cancel(kernel, delete_kernel=True)
            why += f"; {stopped.get('message')}"
        except Exception as exc:  # noqa: BLE001 - say so, never raise at the end of the road
            why += f"; stopping it failed ({exc}): it may still be running and using quota — stop it by hand"
    else:
        why += (f"; the run may STILL be running on {backend.name} and using quota: stop it at "
                f"https://www.kaggle.com/code/{kernel} or with `goldloop kaggle cancel --kernel {kernel} "
                "--delete-kernel` (set [kaggle] stop_on_give_up = true to do this automatically)")
    outcome = record_failure(ctx, kernel, feature, attempt, error_type, why, None)
    outcome["gave_up"] = True
    outcome["notified"] = notify(ctx, outcome)
    save_job(ctx, kernel, phase="done", outcome=outcome, done_at=utcnow(), done_epoch=time.time())
    return outcome


# -- what happens when a run ends ---------------------------------------------------------------
def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a Kaggle JSON log (or a plain-text one)."""
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        entries = json.loads(text)
        text = "".join(str(e.get("data", "")) for e in entries if isinstance(e, dict))
    except ValueError:
        pass
    return "\n".join(text.rstrip().splitlines()[-lines:])


def classify(log_path: Path, failure_message: str | None) -> dict[str, Any]:
    """error_type, route and evidence for a failed run (``unknown`` + log tail without a classifier)."""
    from goldloop.routes import route_for

    fallback = {"error_type": "unknown", "route": {"agent": route_for("unknown").agent},
                "evidence": failure_message or ""}
    try:
        from goldloop.kaggle.classify import classify_log
    except ImportError:
        return fallback
    if not log_path.is_file():
        return fallback
    try:
        result = classify_log(log_path, status="error", failure_message=failure_message, llm=True).to_dict()
    except Exception as exc:  # a classifier bug must never lose a finished run
        return {**fallback, "evidence": f"{failure_message or ''} (classifier failed: {type(exc).__name__}: {exc})"}
    return result if result.get("error_type") not in (None, "none") else fallback


def _source_missing(ctx: Context, feature: str, attempt: int) -> bool:
    """dataset_missing goes to builder_data when the attempt's data was never published."""
    from goldloop.kaggle.backends import read_metadata
    from goldloop.kaggle.jobs import kernel_folder

    data = ctx.root / "data" / f"{feature}_{attempt}"
    try:
        sources = read_metadata(kernel_folder(ctx, feature, attempt)).get("dataset_sources") or []
    except GoldloopError:
        sources = []
    return not sources or not data.is_dir()


def finish(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int, status: RunStatus,
           version: int | None) -> dict[str, Any]:
    from goldloop.kaggle.fetch import download, read_metrics

    fetched = download(ctx, backend, kernel, feature, attempt, version)
    log_path = ctx.root / fetched["log"]
    if status.state == "complete":
        outcome = record_success(ctx, kernel, feature, attempt, read_metrics(log_path.parent), fetched)
    else:
        found = {"error_type": "cancelled", "evidence": "cancelled by request"} \
            if status.state == "cancelled" else classify(log_path, status.failure_message)
        resubmitted = _maybe_resubmit(ctx, backend, kernel, feature, attempt, found["error_type"])
        if resubmitted:
            return resubmitted
        context_text = redact("\n".join(x for x in (
            f"evidence: {found.get('evidence')}" if found.get("evidence") else "",
            f"failure message: {status.failure_message}" if status.failure_message else "",
            "log tail:\n" + log_tail(log_path)) if x), root=ctx.root)[-ERROR_CONTEXT_CHARS:]
        agent = (found.get("route") or {}).get("agent_if_source_missing")
        override = agent if agent and _source_missing(ctx, feature, attempt) else None
        outcome = record_failure(ctx, kernel, feature, attempt, found["error_type"], context_text, fetched,
                                 agent=override)
    outcome["commit"] = commit_kaggle_step(ctx, feature, attempt, "results fetched")
    outcome["notified"] = notify(ctx, outcome)
    outcome["continued"] = continue_with_claude(ctx)
    return outcome


def _state_ops():
    from goldloop.state import ops
    from goldloop.state.store import StateStore

    return ops, StateStore


def record_success(ctx: Context, kernel: str, feature: str, attempt: int, metrics: dict[str, Any],
                   fetched: dict[str, Any]) -> dict[str, Any]:
    ops, StateStore = _state_ops()
    store = StateStore(ctx.ws)
    ops.update_attempt(store, feature, attempt, actor="orchestrator",
                       summary=f"{kernel} complete; results in {fetched['results']}" + (
                           f"; refused output names: {', '.join(r['name'] for r in fetched['refused'])}"
                           if fetched.get("refused") else ""),
                       metrics=metrics, error_type=None, error_context=None,
                       run=_run_end(ctx, kernel, "complete", None))
    moved = _transition(store, ops, "training_complete", feature, attempt,
                        summary=f"{feature} attempt {attempt} - results fetched", resume_from="evaluator",
                        error_type=None, error_context=None)
    return {"outcome": "complete", "kernel": kernel, "feature": feature, "attempt": attempt,
            "state_updated": moved, **{k: fetched.get(k) for k in ("results", "files", "refused")}}


def record_failure(ctx: Context, kernel: str, feature: str, attempt: int, error_type: str, error_context: str,
                   fetched: dict[str, Any] | None, agent: str | None = None) -> dict[str, Any]:
    from goldloop.routes import route_for

    ops, StateStore = _state_ops()
    store = StateStore(ctx.ws)
    route = route_for(error_type)
    ops.update_attempt(store, feature, attempt, actor="orchestrator",
                       summary=f"{kernel} failed: {error_type}", error_type=error_type, error_context=error_context,
                       run=_run_end(ctx, kernel, "cancelled" if error_type == "cancelled" else "error", error_type))
    # A cancelled run was someone's decision: the orchestrator picks up, not a builder.
    agent = agent or ("orchestrator" if error_type == "cancelled" else route.agent)
    moved = _transition(store, ops, "training_failed", feature, attempt,
                        summary=f"{feature} attempt {attempt} - training failed ({error_type})",
                        resume_from=agent,
                        error_type=error_type, error_context=error_context)
    return {"outcome": "failed", "kernel": kernel, "feature": feature, "attempt": attempt, "error_type": error_type,
            "route": agent, "instruction": route.instruction, "state_updated": moved,
            "error_context": error_context, **({k: fetched.get(k) for k in ("results", "files", "refused")} if fetched else {})}


def _run_end(ctx: Context, kernel: str, run_state: str, error_class: str | None) -> dict[str, Any]:
    """The run record's end: merged into the attempt with its result, in the same write."""
    return {"backend": load_job(ctx, kernel).get("backend") or ctx.config.kaggle.backend, "kernel": kernel,
            "state": run_state, "finished_at": utcnow(), "error_class": error_class}


def _transition(store: Any, ops: Any, status: str, feature: str, attempt: int, **kwargs: Any) -> bool:
    """Move state only while this attempt still waits (a person may have moved on); other
    attempts may be in flight at the same time, so it is the attempt's own status that counts."""
    if store.read().attempt_status(feature, attempt) is not Status.WAITING_TRAINING:
        return False
    try:
        ops.transition(store, status, actor="orchestrator", stage="kaggle", feature=feature, attempt=attempt, **kwargs)
    except TransitionError:
        return False
    return True


def _maybe_resubmit(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int,
                    error_type: str) -> dict[str, Any] | None:
    """network_timeout-like failures: push the same kernel again, up to ``auto_retry_network``."""
    from goldloop.kaggle.jobs import kernel_folder
    from goldloop.routes import route_for

    if not route_for(error_type).auto_resubmit:
        return None
    ops, StateStore = _state_ops()
    store = StateStore(ctx.ws)
    att = store.read().record(feature).attempt(attempt)
    folder = kernel_folder(ctx, feature, attempt)
    if att is None or att.retries >= ctx.config.kaggle.auto_retry_network or not folder.is_dir():
        return None
    from goldloop.kaggle.submit import push_once, record_push

    pushed = push_once(backend, folder, kernel)  # never a second session beside a running one
    ops.update_attempt(store, feature, attempt, actor="orchestrator", retries=att.retries + 1,
                       kernel_version=pushed.version, run={"backend": backend.name, "kernel": kernel,
                                                           "version": pushed.version, "state": "queued",
                                                           "submitted_at": utcnow(), "finished_at": None},
                       summary=f"{kernel} resubmitted unchanged after {error_type} (retry {att.retries + 1})")
    record_push(ctx, backend, feature, attempt, kernel, pushed.version,
                [] if isinstance(pushed, RunStatus) else pushed.warnings, f"resubmitted after {error_type}")
    save_job(ctx, kernel, resubmits=att.retries + 1)
    commit_kaggle_step(ctx, feature, attempt, f"resubmitted after {error_type}")
    return {"outcome": "resubmitted", "kernel": kernel, "version": pushed.version}


def _outcome_text(outcome: dict[str, Any]) -> str:
    return f"goldloop: {outcome.get('feature')} attempt {outcome.get('attempt')} {outcome.get('outcome')}" + (
        f" ({outcome['error_type']})" if outcome.get("error_type") else "")


def notify(ctx: Context, outcome: dict[str, Any]) -> bool:
    """Tell the user a run ended: ``[kaggle] notify_webhook`` (POST JSON) and/or
    ``notify_desktop``. Best effort, never fatal; True when any notification went out."""
    sent = []
    if ctx.config.kaggle.notify_webhook:
        sent.append(_notify_webhook(ctx.config.kaggle.notify_webhook, outcome))
    if ctx.config.kaggle.notify_desktop:
        sent.append(_notify_desktop(outcome))
    return any(sent)


def _notify_webhook(url: str, outcome: dict[str, Any]) -> bool:
    import requests

    body = {k: outcome.get(k) for k in ("outcome", "kernel", "feature", "attempt", "error_type", "route", "results")}
    body["text"] = _outcome_text(outcome)
    try:
        return requests.post(url, json=body, timeout=10).ok
    except requests.RequestException:
        return False


def _notify_desktop(outcome: dict[str, Any]) -> bool:
    """plyer picks the platform's way (notify-send or D-Bus, Windows balloon, macOS)."""
    import warnings

    try:
        from plyer import notification

        with warnings.catch_warnings():  # plyer warns when it falls back from D-Bus to notify-send
            warnings.simplefilter("ignore")
            notification.notify(title="goldloop", message=_outcome_text(outcome), app_name="goldloop", timeout=10)
    except Exception:  # noqa: BLE001 - no notification service (headless server, missing backend)
        return False
    return True


def continue_with_claude(ctx: Context) -> dict[str, Any] | None:
    """``[kaggle] continue_with_claude``: start ``claude -p "resume from last time"`` headless."""
    if not ctx.config.kaggle.continue_with_claude:
        return None
    from goldloop.claude_cli import find_claude, headless_command, headless_env

    exe = find_claude()
    if exe is None:
        return {"started": False, "reason": "the claude command is not on PATH"}
    log = ctx.ws.private / "claude-continue.log"
    proc = detached_popen(headless_command(exe), log, cwd=ctx.root, env=headless_env())
    return {"started": True, "pid": proc.pid, "log": str(log)}


# -- the public entry points ------------------------------------------------------------------
def _lock(ctx: Context, kernel: str):
    from filelock import FileLock

    return FileLock(str(job_path(ctx, kernel, ".lock")), timeout=0)


def _held(ctx: Context, kernel: str) -> bool:
    from filelock import Timeout

    lock = _lock(ctx, kernel)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def _running(ctx: Context, kernel: str, job: dict[str, Any]) -> bool:
    """A monitor holds the lock, or was just spawned and is about to take it."""
    return _held(ctx, kernel) or (job.get("phase") == "starting" and pid_alive(job.get("pid")))


def _poll_seconds(ctx: Context, poll_seconds: float | None) -> float:
    return float(poll_seconds or ctx.config.kaggle.poll_seconds)


def start(workspace: Any, feature: str, attempt: int, *, poll_seconds: float | None = None) -> dict[str, Any]:
    """Start the detached monitor for an attempt's kernel; a no-op (saying so) when one runs."""
    ctx = context(workspace)
    kernel, job = attempt_kernel(ctx, feature, attempt)
    if _running(ctx, kernel, job):
        return {"started": False, "kernel": kernel, "pid": job.get("pid"),
                "message": f"a monitor for {kernel} is already running (pid {job.get('pid')}); nothing to do"}
    poll = _poll_seconds(ctx, poll_seconds)
    args = [sys.executable, "-m", "goldloop.kaggle.monitor", "run", "--workspace", str(ctx.root),
            "--feature", feature, "--attempt", str(attempt), "--poll", str(poll)]
    proc = detached_popen(args, job_path(ctx, kernel, ".log"), cwd=ctx.root)
    save_job(ctx, kernel, pid=proc.pid, phase="starting", poll_seconds=poll, feature=feature, attempt=attempt,
             outcome=None)
    return {"started": True, "kernel": kernel, "pid": proc.pid, "poll_seconds": poll,
            "message": f"monitoring {kernel} every {poll:g} s (pid {proc.pid})"}


def watch(workspace: Any, feature: str, attempt: int, *, poll_seconds: float | None = None) -> dict[str, Any]:
    """Run the monitor loop here until the run finishes; return the outcome.

    When a background monitor already holds the kernel, wait for it (and take over if it dies).
    """
    from filelock import Timeout

    ctx = context(workspace)
    check_names(feature, attempt)
    poll = _poll_seconds(ctx, poll_seconds)
    kernel, _ = attempt_kernel(ctx, feature, attempt)
    lock = _lock(ctx, kernel)
    while True:
        try:
            lock.acquire()
        except Timeout:
            time.sleep(poll)
            continue
        try:
            job = load_job(ctx, kernel)
            if job.get("phase") == "done" and job.get("outcome") and not _still_waiting(ctx, feature, attempt):
                return job["outcome"]  # a background monitor finished it while we waited
            return _loop(ctx, feature, attempt, poll)
        finally:
            lock.release()


def _still_waiting(ctx: Context, feature: str, attempt: int) -> bool:
    from goldloop.state.store import StateStore

    return StateStore(ctx.ws).read().attempt_status(feature, attempt) is Status.WAITING_TRAINING


def status(workspace: Any) -> list[dict[str, Any]]:
    """Every known monitor: kernel, feature, attempt, pid, alive, phase, polls, last error, outcome."""
    from goldloop.kaggle.jobs import all_jobs

    ctx = context(workspace)
    rows = []
    for job in all_jobs(ctx):
        kernel = job.get("kernel")
        if not kernel:
            continue
        # a monitor spawned a moment ago has a live pid but not yet the lock: starting, not dead
        alive = _running(ctx, kernel, job)
        rows.append({"kernel": kernel, "feature": job.get("feature"), "attempt": job.get("attempt"),
                     "backend": job.get("backend"), "pid": job.get("pid"), "alive": alive,
                     "phase": job.get("phase") if alive or job.get("phase") in ("done", "stopped", "auth_error")
                     else "dead", "polls": job.get("polls", 0), "last_poll_at": job.get("last_poll_at"),
                     "last_state": job.get("last_state"), "last_error": job.get("last_error"),
                     "outcome": (job.get("outcome") or {}).get("outcome")})
    return rows


def stop(workspace: Any, feature: str | None = None, attempt: int | None = None) -> list[dict[str, Any]]:
    """Stop live monitors (all, or the one of feature/attempt). The kernel keeps running."""
    import psutil

    ctx = context(workspace)
    stopped = []
    for row in status(ctx.ws):
        if not row["alive"] or (feature and row["feature"] != feature) or (attempt and row["attempt"] != attempt):
            continue
        pid = row["pid"]
        if pid and pid_alive(pid):
            try:
                proc = psutil.Process(pid)
                proc.terminate()
                proc.wait(5)
            except psutil.TimeoutExpired:
                proc.kill()
            except psutil.Error:
                pass
        save_job(ctx, row["kernel"], phase="stopped", stopped_at=utcnow())
        stopped.append({"kernel": row["kernel"], "pid": pid, "stopped": True})
    return stopped


def restart_dead(workspace: Any) -> list[dict[str, Any]]:
    """Start a monitor for every attempt in flight that has none alive (SessionStart hook)."""
    from goldloop.state.store import StateStore

    ctx = context(workspace)
    restarted = []
    for feature, att in StateStore(ctx.ws).read().in_flight():
        if not att.kernel:
            continue
        job = load_job(ctx, att.kernel)
        if _running(ctx, att.kernel, job):
            continue
        result = start(ctx.ws, feature, att.number, poll_seconds=job.get("poll_seconds"))
        restarted.append({**result, "restarted": True})
    return restarted


def main(argv: list[str] | None = None) -> int:
    """``python -m goldloop.kaggle.monitor run --workspace W --feature F --attempt N [--poll S]``."""
    from filelock import Timeout

    parser = argparse.ArgumentParser(prog="goldloop-monitor")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--workspace", required=True, type=Path)
    parser.add_argument("--feature", required=True)
    parser.add_argument("--attempt", required=True, type=int)
    parser.add_argument("--poll", type=float, default=None)
    args = parser.parse_args(argv)
    ctx = context(args.workspace)
    kernel, _ = attempt_kernel(ctx, args.feature, args.attempt)
    lock = _lock(ctx, kernel)
    try:
        lock.acquire()
    except Timeout:
        print(f"{utcnow()} a monitor for {kernel} is already running; this one exits", flush=True)
        return 0
    try:
        print(f"{utcnow()} monitoring {kernel} (pid {os.getpid()})", flush=True)
        outcome = _loop(ctx, args.feature, args.attempt, _poll_seconds(ctx, args.poll))
        print(f"{utcnow()} {json.dumps(outcome, default=str)[:2000]}", flush=True)
        return 0
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
