"""PreToolUse on Write/Edit/MultiEdit/NotebookEdit: shared/state.json is not edited by hand.

The path is resolved as the file system sees it (relative to the session's cwd, `.`/`..`/`//`,
symlinks, hard links and case on case-insensitive file systems): see bash_guard.Places.
"""

from __future__ import annotations

from typing import Any

from goldloop.hooks.bash_guard import STATE_REASON, is_state_path
from goldloop.hooks.output import deny


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    tool_input = event.get("tool_input") or {}
    path = tool_input.get("file_path") or tool_input.get("notebook_path") or tool_input.get("path")
    cwd = event.get("cwd") if isinstance(event.get("cwd"), str) else None
    if isinstance(path, str) and is_state_path(path, cwd):
        return deny(STATE_REASON)
    return None
