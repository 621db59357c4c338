"""`goldloop status` and `goldloop monitor status` show every run in flight, the slots and the queue."""

from __future__ import annotations

import json

from goldloop.state.ops import start_attempt, transition
from goldloop.state.store import StateStore
from goldloop.status import write_driver_file
from tests.foundation.test_cli import goldloop


def _submitted(store, feature, accelerator):
    start_attempt(store, feature, 1)
    run = {"backend": "kaggle", "kernel": f"tester/gold-{feature}-1", "version": 1, "accelerator": accelerator}
    transition(store, "waiting_training", actor="orchestrator", summary=f"{feature} submitted", stage="kaggle",
               feature=feature, attempt=1, kaggle_kernel=run["kernel"],
               attempt_fields={"kernel": run["kernel"], "kernel_version": 1, "run": run})


def test_status_lists_every_run_slots_queue_and_next_steps(ws, clean_env):
    (ws.root / "goldloop.toml").write_text(
        'features = ["vix", "regime", "dxy"]\n[kaggle]\nbackend = "kaggle"\nowner = "tester"\n', encoding="utf-8")
    store = StateStore(ws)
    _submitted(store, "vix", "gpu")
    _submitted(store, "regime", "gpu")
    done = goldloop("status", "--json", cwd=ws.root, env=clean_env)
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert [(r["feature"], r["kernel"], r["accelerator"]) for r in view["in_flight"]] == [
        ("vix", "tester/gold-vix-1", "gpu"), ("regime", "tester/gold-regime-1", "gpu")]
    gpu = next(s for s in view["slots"] if s["accelerator"] == "gpu")
    assert (gpu["busy"], gpu["capacity"], gpu["runs"]) == (2, 2, ["vix 1", "regime 1"])
    assert [(a["feature"], a["kind"]) for a in view["next_actions"]] == [
        ("regime", "check_monitor"), ("vix", "check_monitor"), ("dxy", "start_attempt")]
    assert view["driver"] is None and view["queue"] == []

    # a live driver's queue (here: this test process plays the driver)
    write_driver_file(ws.root, view["slots"], [{"feature": "dxy", "attempt": 1,
                                                "reason": "kaggle gpu slots: 2/2 busy (all in use)"}], 3)
    human = goldloop("status", cwd=ws.root, env=clean_env).stdout
    assert "kaggle gpu 2/2" in human and "queued: dxy attempt 1" in human and "tester/gold-vix-1 v1" in human
    monitors = goldloop("monitor", "status", cwd=ws.root, env=clean_env).stdout
    assert "slots: " in monitors and "kaggle gpu 2/2" in monitors and "queued: 1" in monitors
