"""The monitor: one detached process per kernel that polls until the run ends, then fetches
the results, updates state, commits, notifies and (when configured) lets Claude continue.

* One per kernel: the process holds ``.goldloop/monitors/<owner>__<slug>.lock`` (filelock,
  an OS lock, so a SIGKILLed monitor frees it); a second one exits at once and says so.
* A transient error (network, timeout, 5xx) never fails a run: tenacity retries it with
  exponential backoff until the maximum wait. A 401 stops the monitor with state untouched
  (the run is still fine; fix the credentials and ``restart_dead`` picks it up).
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
from goldloop.state.model import Status, utcnow

LOG_TAIL_LINES = 25
ERROR_CONTEXT_CHARS = 2000


# -- the loop ---------------------------------------------------------------------------------
def _retrying(ctx: Context, kernel: str, deadline: float, poll: float):
    from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

    def note(state: Any) -> None:
        exc = state.outcome.exception()
        save_job(ctx, kernel, last_error=str(exc).splitlines()[0], last_error_at=utcnow(),
                 transient_errors=load_job(ctx, kernel).get("transient_errors", 0) + 1)

    return Retrying(retry=retry_if_exception_type(TransientBackendError),
                    wait=wait_exponential(multiplier=poll, max=max(poll * 16, 1.0)),
                    stop=stop_after_delay(max(deadline - time.time(), 0.1)),
                    before_sleep=note, reraise=True)


def _with_retry(ctx: Context, kernel: str, deadline: float, poll: float, fn: Any, *args: Any) -> Any:
    for attempt in _retrying(ctx, kernel, deadline, poll):
        with attempt:
            return fn(*args)
    raise AssertionError("unreachable")


def _loop(ctx: Context, feature: str, attempt: int, poll: float) -> dict[str, Any]:
    kernel, job = attempt_kernel(ctx, feature, attempt)
    backend = get_backend(job.get("backend"), ctx.ws, ctx.config)
    started = time.time()
    deadline = started + ctx.config.kaggle.max_wait_minutes * 60
    save_job(ctx, kernel, pid=os.getpid(), phase="polling", monitor_started_at=utcnow(),
             poll_seconds=poll, feature=feature, attempt=attempt)
    polls = 0
    while True:
        try:
            status = _with_retry(ctx, kernel, deadline, poll, backend.status, kernel)
        except TransientBackendError as exc:  # retried until the maximum wait
            return _give_up(ctx, kernel, feature, attempt, f"Kaggle unreachable until the maximum wait: {exc.message}")
        except AuthBackendError as exc:
            save_job(ctx, kernel, phase="auth_error", last_error=exc.message)
            return {"outcome": "auth_error", "kernel": kernel, "message": exc.message, "hint": exc.hint}
        polls += 1
        save_job(ctx, kernel, polls=polls, last_poll_at=utcnow(), last_state=status.state,
                 last_poll_epoch=time.time())
        if status.finished:
            save_job(ctx, kernel, phase="finishing", finished_seen_epoch=time.time())
            outcome = finish(ctx, backend, kernel, feature, attempt, status, deadline, poll)
            if outcome.get("outcome") != "resubmitted":
                save_job(ctx, kernel, phase="done", outcome=outcome, done_at=utcnow(), done_epoch=time.time())
                return outcome
            continue
        if time.time() > deadline:
            return _give_up(ctx, kernel, feature, attempt,
                            f"still {status.state} after the maximum wait of {ctx.config.kaggle.max_wait_minutes:g} min")
        time.sleep(poll)


def _give_up(ctx: Context, kernel: str, feature: str, attempt: int, why: str) -> dict[str, Any]:
    outcome = record_failure(ctx, kernel, feature, attempt, "timeout_limit", why, None)
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
           deadline: float, poll: float) -> dict[str, Any]:
    from goldloop.kaggle.fetch import download, read_metrics

    fetched = _with_retry(ctx, kernel, deadline, poll, download, ctx, backend, kernel, feature, attempt)
    log_path = ctx.root / fetched["log"]
    if status.state == "complete":
        outcome = record_success(ctx, kernel, feature, attempt, read_metrics(log_path.parent), fetched)
    else:
        found = {"error_type": "cancelled", "evidence": "cancelled by request"} \
            if status.state == "cancelled" else classify(log_path, status.failure_message)
        resubmitted = _maybe_resubmit(ctx, backend, kernel, feature, attempt, found["error_type"])
        if resubmitted:
            return resubmitted
        context_text = "\n".join(x for x in (
            f"evidence: {found.get('evidence')}" if found.get("evidence") else "",
            f"failure message: {status.failure_message}" if status.failure_message else "",
            "log tail:\n" + log_tail(log_path)) if x)[-ERROR_CONTEXT_CHARS:]
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
                       summary=f"{kernel} complete; results in {fetched['results']}",
                       metrics=metrics, error_type=None, error_context=None)
    moved = _transition(store, ops, "training_complete", feature, attempt,
                        summary=f"{feature} attempt {attempt} - results fetched", resume_from="evaluator",
                        error_type=None, error_context=None)
    return {"outcome": "complete", "kernel": kernel, "feature": feature, "attempt": attempt,
            "state_updated": moved, **{k: fetched[k] for k in ("results", "files")}}


def record_failure(ctx: Context, kernel: str, feature: str, attempt: int, error_type: str, error_context: str,
                   fetched: dict[str, Any] | None, agent: str | None = None) -> dict[str, Any]:
    from goldloop.routes import route_for

    ops, StateStore = _state_ops()
    store = StateStore(ctx.ws)
    route = route_for(error_type)
    ops.update_attempt(store, feature, attempt, actor="orchestrator",
                       summary=f"{kernel} failed: {error_type}", error_type=error_type, error_context=error_context)
    # A cancelled run was someone's decision: the orchestrator picks up, not a builder.
    agent = agent or ("orchestrator" if error_type == "cancelled" else route.agent)
    moved = _transition(store, ops, "training_failed", feature, attempt,
                        summary=f"{feature} attempt {attempt} - training failed ({error_type})",
                        resume_from=agent,
                        error_type=error_type, error_context=error_context)
    return {"outcome": "failed", "kernel": kernel, "feature": feature, "attempt": attempt, "error_type": error_type,
            "route": agent, "instruction": route.instruction, "state_updated": moved,
            "error_context": error_context, **({k: fetched[k] for k in ("results", "files")} if fetched else {})}


def _transition(store: Any, ops: Any, status: str, feature: str, attempt: int, **kwargs: Any) -> bool:
    """Move state only while it still waits for this attempt (a person may have moved on)."""
    state = store.read()
    if state.status is not Status.WAITING_TRAINING or (state.current_feature, state.current_attempt) != (feature, attempt):
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
    pushed = backend.push(folder)
    ops.update_attempt(store, feature, attempt, actor="orchestrator", retries=att.retries + 1,
                       kernel_version=pushed.version,
                       summary=f"{kernel} resubmitted unchanged after {error_type} (retry {att.retries + 1})")
    save_job(ctx, kernel, version=pushed.version, resubmits=att.retries + 1)
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

    state = StateStore(ctx.ws).read()
    return state.status is Status.WAITING_TRAINING and (state.current_feature, state.current_attempt) == (feature, attempt)


def status(workspace: Any) -> list[dict[str, Any]]:
    """Every known monitor: kernel, feature, attempt, pid, alive, phase, polls, last error, outcome."""
    from goldloop.kaggle.jobs import all_jobs

    ctx = context(workspace)
    rows = []
    for job in all_jobs(ctx):
        kernel = job.get("kernel")
        if not kernel:
            continue
        alive = _held(ctx, kernel)
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
    """Start a monitor for the attempt state still waits on, when none is alive (SessionStart hook)."""
    from goldloop.state.store import StateStore

    ctx = context(workspace)
    state = StateStore(ctx.ws).read()
    if state.status is not Status.WAITING_TRAINING or not state.current_feature or not state.current_attempt:
        return []
    att = state.record(state.current_feature).attempt(state.current_attempt)
    if att is None or not att.kernel:
        return []
    job = load_job(ctx, att.kernel)
    if _running(ctx, att.kernel, job):
        return []
    result = start(ctx.ws, state.current_feature, state.current_attempt, poll_seconds=job.get("poll_seconds"))
    return [{**result, "restarted": True}]


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
