"""`goldloop run --parallel N`: up to N attempts in flight, every independent step at once.

One driver thread asks the planner for *every* step that may run now (``next_actions``)
and hands each to a worker, never two to the same attempt:

* local steps (the stages before training, the gates) run on ``local_workers`` threads —
  this machine's cores are the limit there;
* a push needs a slot from the :class:`~goldloop.scheduler.SlotScheduler` (backend slots,
  weekly GPU quota, capacity refusals); without one the attempt waits in the queue;
* each run in flight is watched by its own thread (the monitor loop in the foreground, as
  the sequential autopilot does; it waits for a detached monitor that already holds the
  kernel), so a finished run is evaluated as soon as it arrives, whatever the others do.
  These threads are daemons: stopped by an error or Ctrl-C, the driver returns at once and
  the runs go on on the backend, to be watched again by the next driver (or a monitor).

Nothing here keeps state of its own: what is in flight is read from state on every turn, so
a driver killed at any moment and started again picks up every run where it is — runs in
flight are watched again, never pushed again.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from goldloop.autopilot.context import RunContext
from goldloop.errors import GoldloopError
from goldloop.scheduler import SlotScheduler, local_workers
from goldloop.state.model import State, Status
from goldloop.state.planner import Action, next_actions

LOCAL_KINDS = frozenset({"start_attempt", "continue", "run_gates", "fix_and_resubmit"})
SLOT_KINDS = frozenset({"submit", "resubmit"})
TURN_S = 0.2  # how often the driver looks again when nothing finished


def accelerator_of(ctx: RunContext, feature: str, attempt: int) -> str:
    from goldloop.kaggle.backends import read_metadata

    folder = ctx.root / "notebooks" / f"{feature}_{attempt}"
    try:
        return "gpu" if read_metadata(folder).get("enable_gpu") else "cpu"
    except GoldloopError:
        return "cpu"


def breadth_first(actions: list[Action]) -> list[Action]:
    """A family's first attempt before another family's next one (stable otherwise).

    Attempts of one family form a chain (each waits for the previous verdict). Following up a
    started family first leaves the last family's chain to run alone while other slots idle;
    starting the longest remaining chains first keeps every slot busy to the end (measured on
    `bench parallel`, 2 slots: 6 waves of runs instead of 5). The sequential loop keeps the
    original's order (``next_action``).
    """
    return sorted(actions, key=lambda a: a.kind == "start_attempt" and (a.attempt or 1) > 1)


class ParallelDriver:
    def __init__(self, ctx: RunContext, parallel: int, handlers: dict[str, Any], on_step=None) -> None:
        from goldloop.kaggle.backends import get_backend

        self.ctx, self.parallel, self.handlers, self.on_step = ctx, parallel, handlers, on_step
        ctx.parallel = True
        backend = ctx.options.backend
        quota = None
        if backend == "kaggle":
            quota = get_backend(backend, ctx.workspace, ctx.config).quota
        self.slots = SlotScheduler(ctx.config, backend, quota=quota)
        self.local = ThreadPoolExecutor(local_workers(ctx.config), thread_name_prefix="goldloop-step")

        self.busy: dict[tuple[str | None, int | None], Future] = {}
        self.peak_in_flight = 0
        self._lock = threading.Lock()

    # -- what one turn starts
    def _open(self, state: State) -> int:
        """Attempts begun and not evaluated, plus starts handed out this turn."""
        return len(state.open_attempts()) + sum(
            1 for key in self.busy if key not in {(f, a.number) for f, a in state.open_attempts()})

    def _dispatch(self, state: State, action: Action) -> bool:
        key = (action.feature, action.attempt)
        if key in self.busy:
            return False
        if action.kind == "start_attempt" and self._open(state) >= self.parallel:
            return False  # N attempts are in flight already
        if action.kind in SLOT_KINDS:
            return self._dispatch_push(state, action)
        if action.kind == "check_monitor":
            self.busy[key] = _daemon(self.handlers["check_monitor"], self.ctx, action)
            return True
        if action.kind in LOCAL_KINDS:
            self.busy[key] = self.local.submit(self._local_step, action)
            return True
        return False

    def _local_step(self, action: Action) -> None:
        if action.kind in ("start_attempt", "continue"):
            # the stages up to the built notebook; the push waits for a slot in the driver
            self.handlers[action.kind](self.ctx, action, stop_before="kaggle")
        else:
            self.handlers[action.kind](self.ctx, action)

    def _dispatch_push(self, state: State, action: Action) -> bool:
        accelerator = accelerator_of(self.ctx, action.feature, action.attempt)
        claim = self.slots.claim(state, action.feature, action.attempt, accelerator)
        if not hasattr(claim, "feature"):  # a Decision: no slot now, stay queued
            return False
        self.busy[(action.feature, action.attempt)] = _daemon(self._push_and_watch, action, claim)
        return True

    def _push_and_watch(self, action: Action, claim: Any) -> None:
        try:
            self.handlers[action.kind](self.ctx, action)
        except GoldloopError as exc:
            if not _is_capacity_refusal(exc):
                raise
            self.slots.refused(claim, self.ctx.store.read())
            self.ctx.say(f"  {action.feature} attempt {action.attempt}: {exc.message} — queued for a free slot")
            return
        finally:
            self.slots.release(claim)
        with self._lock:
            self.peak_in_flight = max(self.peak_in_flight, len(self.ctx.store.read().in_flight()))
        if self.ctx.store.read().attempt_status(action.feature, action.attempt) is Status.WAITING_TRAINING:
            self.handlers["check_monitor"](self.ctx, action)  # evaluated as soon as it arrives

    # -- the loop
    def run(self, max_steps: int) -> dict[str, Any] | None:
        """Until done; ``max_steps`` bounds the steps handed out (a guard against a planner/step
        disagreement looping forever), not the turns spent waiting for runs."""
        evaluation, handed_out = None, 0
        try:
            while handed_out <= max_steps:
                self._reap()
                state = self.ctx.store.read()
                if self.on_step:
                    self.on_step(state, self.ctx.config)
                actions = breadth_first(next_actions(state, self.ctx.config))
                self._publish(state)
                first = actions[0]
                if first.kind == "done" and not self.busy:
                    return evaluation
                if first.kind in ("finalize", "needs_human") and not self.busy:
                    if first.kind == "needs_human":
                        raise GoldloopError(first.instruction, first.reason)
                    evaluation = self.handlers["finalize"](self.ctx, first)
                    continue
                started = sum(self._dispatch(state, a) for a in actions)
                handed_out += started
                if not started:
                    self._wait()
            raise GoldloopError(f"the loop did not settle after {max_steps} steps",
                                "inspect `goldloop state history`; this is a bug worth reporting")
        finally:
            # A failure or Ctrl-C stops new work; local steps already running finish (never left
            # half-way); the run watchers are daemons and do not hold the driver back.
            self.local.shutdown(wait=True, cancel_futures=True)

    def _publish(self, state: State) -> None:
        """The slots and queue for `goldloop status` and the live display (best effort)."""
        from goldloop.status import write_driver_file

        try:
            write_driver_file(self.ctx.root, self.slots.snapshot(state), self.slots.queue(), self.parallel)
        except OSError:
            pass  # a display aid only: `goldloop status` falls back to state; the run goes on

    def _wait(self) -> None:
        if self.busy:
            wait(list(self.busy.values()), timeout=TURN_S * 10, return_when=FIRST_COMPLETED)
        else:
            time.sleep(TURN_S)

    def _reap(self) -> None:
        for key, future in list(self.busy.items()):
            if future.done():
                del self.busy[key]
                future.result()  # re-raise a step's error in the driver


def _daemon(fn: Any, *args: Any) -> Future:
    """Run ``fn`` in a daemon thread; its Future says when it ended and how."""
    future: Future = Future()
    future.set_running_or_notify_cancel()

    def body() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the driver through the Future
            future.set_exception(exc)

    threading.Thread(target=body, daemon=True, name="goldloop-run").start()
    return future


def _is_capacity_refusal(exc: GoldloopError) -> bool:
    """Kaggle's "Maximum batch GPU/CPU session count of N reached" (HTTP 200 + error)."""
    from goldloop.kaggle import backends

    kind = getattr(backends, "CapacityError", None)
    if kind is not None and isinstance(exc, kind):
        return True
    return "session count" in exc.message.lower() and "reached" in exc.message.lower()
