"""Stop / SubagentStop: commit the finished step, warn on state/file disagreement, and
keep the session from ending as if the work were done while a kernel is training."""

from __future__ import annotations

from typing import Any

from goldloop.hooks.output import block_stop, notice
from goldloop.hooks.workspace_of import workspace_for

# Which commit stage a finished agent's work belongs to.
AGENT_STAGE = {
    "entrance": "entrance",
    "researcher": "research",
    "architect": "design",
    "builder_data": "data",
    "datachecker": "datacheck",
    "builder_model": "model",
    "evaluator": "eval",
}


def _agent(event: dict[str, Any]) -> str | None:
    agent = event.get("agent_type")
    return agent.split(":")[-1] if isinstance(agent, str) and agent else None


def commit_finished_step(ws, state, agent: str | None) -> tuple[str | None, list[str]]:
    """Commit the current attempt's changed files as its step: (the commit message or None,
    the changed files left alone because they are not the step's)."""
    from goldloop.config import Secrets
    from goldloop.gitlog import commit_step

    feature, attempt = state.current_feature, state.current_attempt
    if not feature or not attempt:
        return None, []
    record = state.record(feature)
    current = record.attempt(attempt)
    stage = AGENT_STAGE.get(agent or "") or (current.stage.value if current else "entrance")
    summary = f"{agent or 'session'} finished (auto-commit)"
    result = commit_step(ws.root, stage, feature, attempt, summary,
                         secret_values=Secrets.load(ws.root).values())
    return (result.message if result.committed else None), list(result.left)


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    from goldloop.errors import GoldloopError
    from goldloop.hooks.consistency import disagreements
    from goldloop.state.store import StateStore

    ws = workspace_for(event)
    if ws is None:
        return None
    notes: list[str] = []
    try:
        state = StateStore(ws).read()
    except GoldloopError as exc:  # nothing is committed: a hand-edited state must not be saved
        message = f"goldloop: nothing committed; shared/state.json cannot be used: {exc}"
        if event.get("hook_event_name") == "Stop" and not event.get("stop_hook_active"):
            return block_stop(
                f"shared/state.json cannot be used: {exc.message} Do not report the loop as done "
                "or continue it. Tell the user exactly this, and that they decide with "
                f"`goldloop state accept` or `goldloop state recover`. ({exc.hint})", message)
        return notice(message)
    from goldloop.hooks import session_files

    try:
        if session_files.changed_since_start(ws, event):  # a read-only session commits nothing
            committed, left = commit_finished_step(ws, state, _agent(event))
            if committed:
                notes.append(f"committed '{committed}'")
            if left:
                shown = ", ".join(left[:5]) + (f" (+{len(left) - 5} more)" if len(left) > 5 else "")
                notes.append(f"left uncommitted (not this step's files): {shown}")
            session_files.remember(ws, event)
    except GoldloopError as exc:
        notes.append(f"could not commit: {exc}")
    problems = disagreements(ws, state)
    notes += [f"state and files disagree: {p}" for p in problems]
    running = [f"{a.kernel} ({name} attempt {a.number})" for name, a in state.in_flight()]
    message = "goldloop: " + "; ".join(notes) if notes else None
    if event.get("hook_event_name") == "Stop" and not event.get("stop_hook_active") and (running or problems):
        parts = []
        if running:
            parts.append(
                f"{'Kernel' if len(running) == 1 else 'Kernels'} {', '.join(running)} "
                f"{'is' if len(running) == 1 else 'are'} still training. Do not end as if the work were done: "
                "tell the user training is in "
                "progress, that the monitor will fetch the results and update state, and that "
                "/resume (or 'resume from last time') continues afterwards."
            )
        if problems:
            parts.append("State and files disagree: " + "; ".join(problems)
                         + ". Fix this through the state tools or report it to the user before ending.")
        return block_stop(" ".join(parts), message)
    return notice(message) if message else None
