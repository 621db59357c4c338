"""The workspace a hook event belongs to: its cwd, CLAUDE_PROJECT_DIR or GOLDLOOP_WORKSPACE."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def workspace_for(event: dict[str, Any], explicit: str | None = None):
    """The goldloop Workspace, or None when the session is not inside one."""
    from goldloop.errors import GoldloopError
    from goldloop.workspace import find_workspace

    cwd = event.get("cwd")
    try:
        return find_workspace(explicit, cwd=Path(cwd) if isinstance(cwd, str) and cwd else None)
    except GoldloopError:
        return None
