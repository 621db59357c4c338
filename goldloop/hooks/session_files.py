"""What a session changed: a fingerprint of the workspace's uncommitted files, taken when the
session starts and compared when it (or a subagent) stops. A read-only session (/status,
"where are we?") finds the same fingerprint and commits nothing — not even work that an
earlier session left uncommitted, which is not this session's to label."""

from __future__ import annotations

import json
import re
from typing import Any


def _path(ws, session_id: str):
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)[:80]
    return ws.private / "sessions" / f"{safe}.json"


def fingerprint(ws) -> dict[str, list[int]]:
    from goldloop.gitlog import changed_files

    out = {}
    for rel in changed_files(ws.root):
        try:
            stat = (ws.root / rel).stat()
            out[rel] = [stat.st_mtime_ns, stat.st_size]
        except OSError:
            out[rel] = [-1, -1]  # deleted
    return out


def remember(ws, event: dict[str, Any]) -> None:
    """Record the current fingerprint for this session (SessionStart; after each commit)."""
    session = event.get("session_id")
    if not isinstance(session, str) or not session:
        return
    path = _path(ws, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fingerprint(ws)), encoding="utf-8")


def changed_since_start(ws, event: dict[str, Any]) -> bool:
    """False only when the session's start was recorded and nothing changed since."""
    session = event.get("session_id")
    if not isinstance(session, str) or not session:
        return True
    try:
        before = json.loads(_path(ws, session).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # no record (SessionStart did not run): commit as before
    return before != fingerprint(ws)
