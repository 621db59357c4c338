"""SubagentStart: give every subagent the loop's state line and MEMORY.md's lessons.

SessionStart's context never reaches subagent requests, and the agents' own rules (the
evaluator's among them) live in MEMORY.md. Standard library only, so it runs in the python3
Claude Code finds without starting goldloop's environment (see bench/bench_plugin.py).
"""

from __future__ import annotations

import json
from typing import Any

from goldloop.hooks.memory_digest import digest
from goldloop.hooks.output import context
from goldloop.hooks.workspace_of import workspace_for

MEMORY_CHARS = 6000  # a subagent's prompt is shorter than a session's; the budget is too
STATE_KEYS = ("status", "current_feature", "current_attempt", "resume_from", "kaggle_kernel", "error_type")


def state_line(ws) -> str:
    """The top-level fields as the store last wrote them (display only: tools validate)."""
    try:
        raw = json.loads(ws.state_path.read_text(encoding="utf-8"))
        return "State: " + ", ".join(f"{key}={raw.get(key)}" for key in STATE_KEYS)
    except (OSError, ValueError, AttributeError):
        return "State: shared/state.json is unreadable; call state_get for the reason."


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    ws = workspace_for(event)
    if ws is None:
        return None
    parts = [f"goldloop workspace: {ws.root}", state_line(ws)]
    memory = ws.root / "MEMORY.md"
    if memory.is_file():
        text = memory.read_text(encoding="utf-8", errors="replace")
        parts.append("Lessons from MEMORY.md (traps learned once; follow them):\n"
                     + digest(text, MEMORY_CHARS, str(memory)))
    return context("SubagentStart", "\n".join(parts))
