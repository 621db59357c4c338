"""`goldloop run --agents`: each step handed to the plugin's agents through the real headless
Claude Code, here against the scripted local Messages API."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CLAUDE, REPO, TOOL, claude_env, needs_claude
from fake_anthropic import FakeAnthropic, text, tool_use, turn


@pytest.mark.claude
@needs_claude
def test_agents_mode_runs_sessions_until_one_makes_no_progress(ws, tmp_path):
    script = [
        turn(tool_use(TOOL + "next_action", {})),
        turn(tool_use(TOOL + "state_transition", {
            "status": "in_progress", "summary": "entrance: vix attempt 1 requirements written",
            "actor": "entrance", "stage": "entrance", "feature": "vix", "attempt": 1,
            "resume_from": "researcher"})),
        turn(text("Requirements recorded; the researcher is next.")),
    ]
    with FakeAnthropic(script) as api:
        # no MCP_CONNECT_TIMEOUT_MS from the test: `run --agents` sets its own start-up wait
        env = {**claude_env(tmp_path / "home", api.url, trusted=[ws.root]), "GOLDLOOP_CLAUDE_BIN": str(CLAUDE)}
        env.pop("MCP_CONNECT_TIMEOUT_MS")
        done = subprocess.run([sys.executable, "-m", "goldloop.cli", "run", "--agents",
                               "--workspace-dir", str(ws.root)], env=env, cwd=REPO,
                              capture_output=True, text=True, encoding="utf-8", timeout=300)
    state = json.loads(ws.state_path.read_text(encoding="utf-8"))
    first = api.conversation_requests()[0]
    assert "resume from last time" in json.dumps(first["messages"][0], ensure_ascii=False)
    assert TOOL + "state_transition" in api.tool_names(first)
    # session 1 moved the loop on; session 2 changed nothing, so the run stops and says why
    assert state["status"] == "in_progress" and state["resume_from"] == "researcher"
    assert state["history"][-1]["summary"] == "entrance: vix attempt 1 requirements written"
    assert done.returncode == 2, done.stderr
    assert "session 2 changed nothing in state" in done.stderr and "hint:" in done.stderr


@pytest.mark.claude
def test_agents_mode_without_claude_says_what_to_do(ws, tmp_path, clean_env):
    env = {**clean_env, "GOLDLOOP_CLAUDE_BIN": str(tmp_path / "no-such-claude"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "goldloop.cli", "run", "--agents", "--workspace-dir",
                           str(ws.root)], env=env, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and "Claude Code is not installed" in done.stderr
