"""A workspace written by the sequential goldloop (schema 1) is upgraded in place."""

from __future__ import annotations

import json

from goldloop.config import Config
from goldloop.state.model import SCHEMA_VERSION, Status
from goldloop.state.ops import start_attempt, transition
from goldloop.state.planner import next_actions
from goldloop.state.store import StateStore

SEQUENTIAL_ERA = {
    "schema_version": 1, "project": "gold", "status": "waiting_training",
    "current_feature": "regime", "current_attempt": 1, "resume_from": "evaluator",
    "kaggle_kernel": "tester/gold-regime-1",
    "features": {
        "vix": {"name": "vix", "status": "passed", "best_attempt": 2, "attempts": [
            {"number": 1, "stage": "eval", "started_at": "2026-01-01T00:00:00Z", "verdict": "fail", "plan": "3 states"},
            {"number": 2, "stage": "eval", "started_at": "2026-01-02T00:00:00Z", "verdict": "pass",
             "gates": {"gate3": {"pass": True}}}]},
        "regime": {"name": "regime", "status": "in_progress", "attempts": [
            {"number": 1, "stage": "kaggle", "started_at": "2026-01-03T00:00:00Z",
             "kernel": "tester/gold-regime-1", "kernel_version": 1}]},
    },
    "meta": {"name": "meta"},
    "updated_at": "2026-01-03T00:00:00Z",
    "history": [{"at": "2026-01-01T00:00:00Z", "actor": "orchestrator", "status": "in_progress",
                 "feature": "vix", "attempt": 1, "summary": "vix attempt 1 started"}],
}


def _copy_in(ws, raw: dict) -> None:
    """A workspace of the previous release: its state.json, and no store write record (it kept none)."""
    ws.state_path.write_text(json.dumps(raw), encoding="utf-8")
    StateStore(ws).written_path.unlink(missing_ok=True)


def test_sequential_era_workspace_migrates_and_runs_on(ws):
    _copy_in(ws, SEQUENTIAL_ERA)
    store = StateStore(ws)
    state = store.read()
    assert state.schema_version == SCHEMA_VERSION
    # the original's top-level fields keep their values and meaning (the most recent step)
    assert (state.status, state.current_feature, state.current_attempt, state.kaggle_kernel) == (
        Status.WAITING_TRAINING, "regime", 1, "tester/gold-regime-1")
    assert [a.status for a in state.features["vix"].attempts] == [Status.EVALUATED, Status.EVALUATED]
    assert state.features["regime"].attempts[0].status is Status.WAITING_TRAINING
    assert [(f, a.number) for f, a in state.in_flight()] == [("regime", 1)]
    assert state.history[0].summary == "vix attempt 1 started"  # history kept
    assert "migrated to schema 2" in state.history[-1].summary

    config = Config(features=["vix", "regime", "dxy"])
    assert [(a.feature, a.attempt, a.kind) for a in next_actions(state, config)] == [
        ("regime", 1, "check_monitor"), ("dxy", 1, "start_attempt")]

    # the migrated workspace takes a parallel step at once: dxy starts while regime trains
    start_attempt(store, "dxy", 1)
    after = store.read()
    assert after.attempt_status("regime", 1) is Status.WAITING_TRAINING
    assert json.loads(ws.state_path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION
    # the monitor's result for regime lands on regime although dxy is the most recent step
    transition(store, "training_complete", actor="orchestrator", summary="regime results fetched",
               stage="kaggle", feature="regime", attempt=1)
    final = store.read()
    assert final.attempt_status("regime", 1) is Status.TRAINING_COMPLETE
    assert final.attempt_status("dxy", 1) is Status.IN_PROGRESS
    assert (final.current_feature, final.status) == ("regime", Status.TRAINING_COMPLETE)


def test_an_attempt_the_old_loop_left_open_is_closed_and_named(ws):
    raw = json.loads(json.dumps(SEQUENTIAL_ERA))
    raw["features"]["vix"]["attempts"][1]["verdict"] = None
    raw["features"]["vix"]["status"] = "in_progress"
    _copy_in(ws, raw)
    state = StateStore(ws).read()
    assert state.features["vix"].attempts[1].status is Status.EVALUATED
    assert "closed without a verdict" in state.history[-1].summary and "vix attempt 2" in state.history[-1].summary
