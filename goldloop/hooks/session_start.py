"""SessionStart: tell the model where the loop stands, what to do next and what was learned.

Injects the state summary, the next action, the Kaggle monitors (a dead monitor of a
kernel that is still waiting is restarted), state/file disagreements and MEMORY.md.
"""

from __future__ import annotations

from typing import Any

from goldloop.hooks.memory_digest import digest
from goldloop.hooks.output import context
from goldloop.hooks.workspace_of import workspace_for

MEMORY_CHARS = 8000  # seeded rules whole + the newest learned lessons (memory_digest)
RULES = (
    "Rules (enforced by hooks and tools): submit kernels only with the goldloop kaggle_submit tool "
    "(never `kaggle kernels push`); never poll Kaggle by hand (the monitor does; use kaggle_monitor "
    "or /status); change shared/state.json only through the state tools; commit each step with "
    "commit_step."
)


def _state_lines(ws) -> tuple[list[str], Any]:
    from goldloop.config import load_config
    from goldloop.errors import GoldloopError
    from goldloop.state.planner import next_actions
    from goldloop.state.store import StateStore

    try:
        state = StateStore(ws).read()
        actions = next_actions(state, load_config(ws.root))
        action = actions[0]
    except GoldloopError as exc:
        return [f"State could not be read: {exc}"], None
    s = state.summary()
    lines = [
        f"State: status={s['status']}, feature={s['current_feature']}, attempt={s['current_attempt']}, "
        f"resume_from={s['resume_from']}, kaggle_kernel={s['kaggle_kernel']}, error_type={s['error_type']}",
    ]
    for name, rec in s["features"].items():
        lines.append(f"  {name}: {rec['status']}, {rec['attempts']} attempt(s), best {rec['best_attempt']}")
    meta = s["meta"]
    lines.append(f"  meta: {meta['status']}, {meta['attempts']} attempt(s), best {meta['best_attempt']}, "
                 f"{meta['attempts_since_best']} since best")
    for row in s["in_flight"]:
        lines.append(f"In flight: {row['feature']} attempt {row['attempt']} — {row['kernel']} on "
                     f"{row['backend'] or '?'} {row['accelerator'] or ''}, submitted {row['submitted_at'] or '?'}")
    who = f"{action.agent} agent" if action.agent else "a person"
    lines.append(f"Next action ({action.kind}, for {who}): {action.instruction} Reason: {action.reason}.")
    others = [f"{a.kind} {a.feature} attempt {a.attempt}" for a in actions[1:]]
    if others:
        lines.append("Also possible now, independent of it (start one while others train; never two "
                     "attempts of one feature): " + "; ".join(others) + ".")
    return lines, state


def _describe_monitor(row: dict[str, Any]) -> str:
    life = f"alive (pid {row.get('pid')})" if row.get("alive") else "DEAD"
    return (f"{row.get('kernel')} ({row.get('feature')} attempt {row.get('attempt')}): monitor {life}, "
            f"phase {row.get('phase')}, {row.get('polls', 0)} poll(s), last state {row.get('last_state')}")


def _monitor_lines(ws, state) -> list[str]:
    """Kaggle monitors; a dead monitor of a kernel that state still waits on is restarted."""
    from goldloop.errors import GoldloopError
    from goldloop.kaggle import monitor

    lines = []
    try:
        for row in monitor.restart_dead(ws):
            lines.append(f"Restarted the dead monitor of {row.get('kernel')} (pid {row.get('pid')}).")
        rows = [_describe_monitor(r) for r in monitor.status(ws) if r.get("alive") or r.get("phase") == "dead"]
    except GoldloopError as exc:
        return [f"Kaggle monitors could not be checked: {exc}"]
    lines.append("Kaggle monitors: " + ("; ".join(rows) if rows else "none running"))
    return lines


def _memory(ws) -> str:
    from goldloop.workspace import bundle_root

    for path in (ws.root / "MEMORY.md" if ws else None, bundle_root() / "MEMORY.md"):
        if path is not None and path.is_file():
            text = digest(path.read_text(encoding="utf-8", errors="replace"), MEMORY_CHARS, str(path))
            return f"Lessons from MEMORY.md (traps learned once; follow them):\n{text}"
    return ""


def briefing(event: dict[str, Any]) -> str:
    from goldloop.hooks.consistency import disagreements

    ws = workspace_for(event)
    if ws is None:
        where = event.get("cwd") or "this folder"
        parts = [f"goldloop: no workspace in {where} (no goldloop.toml). Run /init to scaffold one.", RULES]
    else:
        lines, state = _state_lines(ws)
        parts = [f"goldloop workspace: {ws.root}", *lines, *_monitor_lines(ws, state)]
        if state is not None:
            parts += [f"Warning: {p}" for p in disagreements(ws, state)]
        parts.append(RULES)
    memory = _memory(ws)
    if memory:
        parts.append(memory)
    return "\n".join(parts)


def handle(event: dict[str, Any]) -> dict[str, Any]:
    text = briefing(event)
    ws = workspace_for(event)
    if ws is not None:
        from goldloop.errors import GoldloopError
        from goldloop.hooks import session_files

        try:
            session_files.remember(ws, event)  # the Stop hook commits only what changes after this
        except (GoldloopError, OSError):
            pass  # no record: the Stop hook then commits the step's files as before (changed_since_start)
    return context("SessionStart", text, ws.root if ws else None)
