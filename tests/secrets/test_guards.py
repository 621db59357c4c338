"""Every spelling in spellings.toml through hooks/launch.py, fed the JSON Claude Code sends."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import decision, pre_tool_event, run_hook

from goldloop.hooks.bash_guard import POLL_REASON, PUSH_REASON, STATE_REASON, UNREADABLE_REASON

SPELLINGS = tomllib.loads((Path(__file__).with_name("spellings.toml")).read_text(encoding="utf-8"))
REASONS = {"push": PUSH_REASON, "push_decoded": PUSH_REASON, "status": POLL_REASON,
           "state": STATE_REASON, "unreadable": UNREADABLE_REASON}
DENY = [(cmd, group["why"]) for group in SPELLINGS["deny"] for cmd in group["commands"]]
ALLOW = [cmd for group in SPELLINGS["allow"] for cmd in group["commands"]]


def _bash(ws, command: str):
    out, done = run_hook("bash_guard", pre_tool_event(ws.root, "Bash", {"command": command}))
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize(("command", "why"), DENY, ids=[c[:60] for c, _ in DENY])
def test_spelling_is_denied_with_the_tool_to_use(trap_ws, command: str, why: str) -> None:
    out = _bash(trap_ws, command)
    assert decision(out) == "deny", command
    reason = out["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith(REASONS[why])
    assert "mcp__plugin_goldloop_goldloop__" in reason


@pytest.mark.parametrize("command", ALLOW, ids=[c[:60] for c in ALLOW])
def test_mention_or_plugin_command_is_allowed(trap_ws, command: str) -> None:
    assert _bash(trap_ws, command) is None, command


def test_every_issue_spelling_is_listed() -> None:
    # issue 13 counted 40 push spellings (22 passed) and issue 14 five state edits
    assert len([d for d in DENY if d[1].startswith("push") or d[1] == "unreadable"]) >= 40
    assert len([d for d in DENY if d[1] == "state"]) >= 20


@pytest.mark.parametrize("path", [
    "shared/state.json", "shared//state.json", "shared/./state.json", "notebooks/../shared/state.json",
    "link-to-state.json", "{root}/shared/state.json", "{root}/notebooks/../shared//state.json",
])
def test_write_guard_normalises_the_path(trap_ws, path: str) -> None:
    event = pre_tool_event(trap_ws.root, "Write", {"file_path": path.format(root=trap_ws.root), "content": "{}"})
    out, done = run_hook("state_file_guard", event)
    assert done.returncode == 0, done.stderr
    assert decision(out) == "deny", path


def test_write_guard_sees_case_on_a_case_insensitive_file_system(trap_ws) -> None:
    probe = trap_ws.root / "CaseProbe"
    probe.write_text("", encoding="utf-8")
    insensitive = (trap_ws.root / "caseprobe").exists()
    event = pre_tool_event(trap_ws.root, "Edit", {"file_path": "Shared/State.json", "old_string": "a", "new_string": "b"})
    out, _ = run_hook("state_file_guard", event)
    assert (decision(out) == "deny") is insensitive or decision(out) == "deny"


@pytest.mark.parametrize("path", ["shared/state.json.md", "notes/state.json", "shared/other.json", "MEMORY.md"])
def test_write_guard_allows_other_files(trap_ws, path: str) -> None:
    out, _ = run_hook("state_file_guard", pre_tool_event(trap_ws.root, "Write", {"file_path": path}))
    assert out is None
