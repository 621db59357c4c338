"""One driver per workspace: `goldloop run` (or `run --agents`) holds an OS-level lock.

A second run on the same workspace would evaluate the same attempts twice, exceed the attempt
limits and race the first one's commits, so it is refused at once, naming the process that
drives the workspace. The lock is ``filelock`` on ``.goldloop/driver.lock`` (like the
monitor's): the OS releases it when its process dies, however it dies, so a killed run never
leaves a workspace locked. Who holds it is kept beside it in ``driver.json`` (filelock
truncates the lock file itself on every attempt to take it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.state.model import utcnow
from goldloop.workspace import Workspace


class WorkspaceBusy(GoldloopError):
    """Another process drives this workspace."""


def _command_line() -> str:
    import shlex
    import sys

    try:
        import psutil

        return shlex.join(psutil.Process().cmdline())
    except Exception:  # noqa: BLE001 - only a label; sys.argv is a fine second best
        return shlex.join(sys.argv)


def holder(workspace: Workspace) -> dict[str, Any]:
    """What ``driver.json`` says about the process holding the lock (may be empty)."""
    try:
        info = json.loads((workspace.private / "driver.json").read_text(encoding="utf-8"))
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


@contextmanager
def driving(workspace: Workspace) -> Iterator[None]:
    """Hold the workspace's driver lock for the block, or raise :class:`WorkspaceBusy`."""
    from filelock import FileLock, Timeout

    workspace.private.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(workspace.private / "driver.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        info = holder(workspace)
        who = (f"pid {info.get('pid')} (`{info.get('command')}`, since {info.get('since')})" if info
               else "another process (it is just starting)")
        raise WorkspaceBusy(
            f"{workspace.root} is already driven by {who}",
            "one run per workspace: wait for it to finish, or stop it (Ctrl-C in its terminal, or "
            f"kill {info.get('pid', '<pid>')}) and run again to resume; another --workspace-dir "
            "starts a separate project") from None
    info_path = workspace.private / "driver.json"
    try:
        info_path.write_text(json.dumps({"pid": os.getpid(), "command": _command_line(), "since": utcnow()}),
                             encoding="utf-8")
        yield
    finally:
        info_path.unlink(missing_ok=True)
        lock.release()
