"""The MCP server through the real MCP client over stdio."""

from __future__ import annotations

import json
import time

from tests.conftest import mcp_call

STATE_TOOLS = {"state_get", "state_transition", "next_action", "commit_step"}


def run(env, calls):
    return mcp_call(env, calls)


def test_tools_are_listed_with_schemas_and_called(ws, clean_env):
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    start = time.perf_counter()
    tools, results = run(env, [
        ("next_action", {}),
        ("state_transition", {"status": "in_progress", "summary": "begin", "feature": "vix", "attempt": 1,
                              "stage": "entrance", "resume_from": "researcher"}),
        ("state_get", {}),
        ("commit_step", {"stage": "entrance", "feature": "vix", "attempt": 1}),
    ])
    assert time.perf_counter() - start < 30
    names = set(tools)
    assert STATE_TOOLS <= names
    transition_schema = tools["state_transition"].inputSchema
    assert "status" in transition_schema["required"]
    action, moved, state, commit = results
    assert not any(r.isError for r in results), [r.content for r in results]
    assert action.structuredContent["agent"] == "entrance"
    assert moved.structuredContent["status"] == "in_progress"
    assert state.structuredContent["resume_from"] == "researcher"
    assert commit.structuredContent["message"] == "entrance: vix attempt 1"


def test_bad_calls_are_tool_errors_not_crashes(ws, clean_env):
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    _, results = run(env, [
        ("state_transition", {"status": "completed", "summary": "skip ahead"}),
        ("commit_step", {"stage": "data", "feature": "../../etc"}),
        ("state_transition", {"status": "flying", "summary": "x"}),
        ("state_get", {"workspace_dir": str(ws.root.parent / "nowhere")}),
        ("state_get", {}),
    ])
    illegal, traversal, unknown, missing, fine = results
    assert illegal.isError and "cannot move from 'not_started' to 'completed'" in illegal.content[0].text
    assert traversal.isError and "pattern" in traversal.content[0].text
    assert unknown.isError
    assert missing.isError and "goldloop init" in missing.content[0].text
    assert not fine.isError and fine.structuredContent["status"] == "not_started"
    assert json.loads(ws.state_path.read_text(encoding="utf-8"))["history"] == []


def test_evaluator_decides_through_the_tools(ws, clean_env):
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore

    start_attempt(StateStore(ws), "vix", 1)
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    _, (decided, again, final) = run(env, [
        ("state_decide", {"feature": "vix", "attempt": 1, "verdict": "fail", "plan": "3 regimes"}),
        ("state_decide", {"feature": "vix", "attempt": 1, "verdict": "maybe"}),
        ("final_confirm", {"attempt": 1}),
    ])
    assert not decided.isError and decided.structuredContent["status"] == "evaluated"
    assert again.isError  # not a verdict
    assert final.isError and "no meta-model attempt 1" in final.content[0].text
    assert StateStore(ws).read().features["vix"].attempts[0].plan == "3 regimes"
