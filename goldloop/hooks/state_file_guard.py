"""PreToolUse on Write/Edit/MultiEdit/NotebookEdit: shared/state.json is not edited by hand."""

from __future__ import annotations

from typing import Any

from goldloop.hooks.bash_guard import STATE_REASON, is_state_path
from goldloop.hooks.output import deny


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    tool_input = event.get("tool_input") or {}
    path = tool_input.get("file_path") or tool_input.get("notebook_path") or tool_input.get("path")
    if isinstance(path, str) and is_state_path(path):
        return deny(STATE_REASON)
    return None
