"""One view of everything in flight: runs, slots, the queue and the steps that may run now.

A parallel driver (`goldloop run --parallel N`) writes ``.goldloop/driver.json`` on every turn
(its slots with claims and capacity refusals, and the attempts queued for a slot); without a
live driver the slots are counted from state alone. `goldloop status`, `goldloop monitor
status` and the SessionStart hook all read it here.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goldloop.state.model import State, utcnow

DRIVER_FILE = Path(".goldloop") / "driver.json"


def write_driver_file(root: Path, slots: list[dict[str, Any]], queue: list[dict[str, Any]], parallel: int) -> None:
    from goldloop.state.store import atomic_write_text

    data = {"pid": os.getpid(), "updated_at": utcnow(), "parallel": parallel, "slots": slots, "queue": queue}
    atomic_write_text(Path(root) / DRIVER_FILE, json.dumps(data, indent=1) + "\n", durable=False)


def read_driver_file(root: Path) -> dict[str, Any] | None:
    """The live driver's file, or None when there is none or its process is gone."""
    from goldloop.kaggle.local_backend import pid_alive

    path = Path(root) / DRIVER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if pid_alive(data.get("pid")) else None


def _elapsed(since: str | None) -> float | None:
    if not since:
        return None
    start = datetime.fromisoformat(since.replace("Z", "+00:00"))
    return round((datetime.now(UTC) - start).total_seconds(), 1)


def in_flight_rows(state: State) -> list[dict[str, Any]]:
    return [{"feature": name, "attempt": att.number, "kernel": att.kernel,
             "version": att.run.version if att.run else att.kernel_version,
             "backend": att.run.backend if att.run else None,
             "accelerator": att.run.accelerator if att.run else None,
             "submitted_at": att.run.submitted_at if att.run else None,
             "running_s": _elapsed(att.run.submitted_at if att.run else None)}
            for name, att in state.in_flight()]


def overview(workspace: Any) -> dict[str, Any]:
    from goldloop.config import load_config
    from goldloop.scheduler import slot_table
    from goldloop.state.planner import next_actions
    from goldloop.state.store import StateStore

    config = load_config(workspace.root)
    state = StateStore(workspace).read()
    driver = read_driver_file(workspace.root)
    slots = driver["slots"] if driver else slot_table(config, state, config.kaggle.backend)
    return {
        "status": state.status.value,
        "current": {"feature": state.current_feature, "attempt": state.current_attempt},
        "in_flight": in_flight_rows(state),
        "open_attempts": state.summary()["open_attempts"],
        "slots": slots,
        "queue": driver["queue"] if driver else [],
        "driver": {"pid": driver["pid"], "parallel": driver["parallel"], "updated_at": driver["updated_at"]}
        if driver else None,
        "next_actions": [a.to_dict() for a in next_actions(state, config)],
    }


def slot_line(slots: list[dict[str, Any]]) -> str:
    return "slots: " + ", ".join(f"{s['backend']} {s['accelerator']} {s['busy']}/{s['capacity']}" for s in slots)
