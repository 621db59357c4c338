"""`goldloop run --agents`: the same loop, each step played by the plugin's agents through
headless Claude Code instead of the autopilot's rules.

Each session is `claude -p "resume from last time"` in the workspace (the continuation the
monitor uses). Between sessions we wait for training in the foreground, so no session is
spent polling, and we stop when a session changes nothing: an agent that is stuck needs a
person, not another session.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.state.model import Status

SESSION_TIMEOUT_S = 60 * 60


def run_with_agents(workspace_dir: Path, flags: dict[str, Any], *, max_sessions: int = 40,
                    say=print) -> dict[str, Any]:
    from goldloop.autopilot.driver_lock import driving
    from goldloop.autopilot.options import remembered_line, resolve
    from goldloop.autopilot.runner import open_workspace
    from goldloop.claude_cli import find_claude
    from goldloop.state.store import StateStore

    exe = find_claude()
    if exe is None:
        raise GoldloopError("Claude Code is not installed, so --agents cannot hand steps to the agents",
                            "install it (npm install -g @anthropic-ai/claude-code) or set GOLDLOOP_CLAUDE_BIN; "
                            "without --agents the autopilot runs the loop by rules")
    flags = dict(flags)
    workspace = open_workspace(Path(workspace_dir), flags.pop("data", None))
    with driving(workspace):  # the agents' sessions run under this driver, no other may
        remembered = remembered_line(workspace.root, flags)
        if remembered:
            say(remembered)
        resolve(workspace.root, flags)
        return _sessions(exe, workspace, StateStore(workspace), max_sessions, say)


def _sessions(exe: str, workspace: Any, store: Any, max_sessions: int, say) -> dict[str, Any]:
    from goldloop.claude_cli import headless_command, headless_env

    logs = workspace.private / "agents"
    logs.mkdir(parents=True, exist_ok=True)
    for session in range(1, max_sessions + 1):
        before = store.read()
        if before.status is Status.COMPLETED:
            break
        if before.status is Status.WAITING_TRAINING:
            _wait_for_training(workspace, before)
            continue
        log = logs / f"session-{session:03d}.log"
        say(f"session {session}: claude -p \"resume from last time\" (log: {log})")
        with log.open("w", encoding="utf-8") as handle:
            done = subprocess.run(headless_command(exe), cwd=workspace.root, stdout=handle, env=headless_env(),
                                  stderr=subprocess.STDOUT, timeout=SESSION_TIMEOUT_S)
        after = store.read()
        if done.returncode != 0:
            raise GoldloopError(f"Claude Code session {session} exited with code {done.returncode}",
                                f"read {log}; state is kept, run again to resume")
        if len(after.history) == len(before.history):
            raise GoldloopError(f"session {session} changed nothing in state (still {after.status.value})",
                                f"an agent is stuck: read {log}, then continue by hand or without --agents")
        say(f"  state: {before.status.value} → {after.status.value} ({len(after.history) - len(before.history)} events)")
    state = store.read()
    return {"workspace": str(workspace.root), "status": state.status.value, "sessions": session,
            "final_attempt": state.final.attempt if state.final else None,
            "metrics": state.final.metrics if state.final else {},
            "features": {n: r.status.value for n, r in state.features.items()}, "evaluation": None,
            "report": str(logs)}


def _wait_for_training(workspace: Any, state: Any) -> None:
    from goldloop.kaggle.monitor import watch

    watch(workspace, state.current_feature, state.current_attempt)
