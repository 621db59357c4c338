"""The bundle's files: agent and skill front matter, hooks.json, .mcp.json, the in-repo
settings, and the MCP server started the way .mcp.json starts it (real MCP client)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys

import pytest
import yaml
from conftest import REPO, TOOL

from goldloop.hooks import HANDLERS

AGENT_MODELS = {
    "orchestrator": "sonnet", "entrance": "opus", "researcher": "sonnet", "architect": "opus",
    "builder_data": "sonnet", "datachecker": "haiku", "builder_model": "sonnet", "evaluator": "opus",
}
CONTRACT_TOOLS = {
    "state_get", "state_transition", "next_action", "commit_step", "validate_notebook",
    "kaggle_submit", "kaggle_monitor", "kaggle_fetch", "kaggle_cancel", "kaggle_dataset_push",
    "kaggle_classify", "run_gates", "data_fetch", "data_check", "notebook_build",
    "knowledge_search", "knowledge_add", "memory_add", "state_decide", "final_confirm", "project_spec",
}
BUILTIN_TOOLS = {"Agent", "Read", "Glob", "Grep", "Write", "Edit", "Bash", "WebSearch", "WebFetch"}
SKILLS_WITH_ARGS = {"resume", "gate", "submit", "validate", "knowledge", "memory", "init"}


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, f"{path} has no front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


@pytest.mark.parametrize("name", sorted(AGENT_MODELS))
def test_agent_front_matter_and_prompt(name: str) -> None:
    meta, body = front_matter(REPO / "agents" / f"{name}.md")
    assert meta["name"] == name
    assert meta["model"] == AGENT_MODELS[name]
    assert len(meta["description"]) > 60 and "Use it" in meta["description"]
    tools = [t.strip() for t in meta["tools"].split(",")]
    mcp = {t.removeprefix(TOOL) for t in tools if t.startswith("mcp__")}
    assert all(t.startswith(TOOL) for t in tools if t.startswith("mcp__")), "MCP names must be plugin-qualified"
    assert mcp <= CONTRACT_TOOLS, mcp - CONTRACT_TOOLS
    assert set(tools) - {TOOL + t for t in mcp} <= BUILTIN_TOOLS
    assert "state_get" in mcp
    assert "## Hard rules" in body and "shared/state.json" in body
    assert "$" not in body.replace("$ARGUMENTS", "")  # nothing left unexpanded


def test_only_the_orchestrator_can_submit_and_delegate() -> None:
    for name in AGENT_MODELS:
        tools = front_matter(REPO / "agents" / f"{name}.md")[0]["tools"]
        assert (TOOL + "kaggle_submit" in tools) == (name == "orchestrator")
        assert ("Agent" in [t.strip() for t in tools.split(",")]) == (name == "orchestrator")


def test_role_rules_are_in_the_prompts() -> None:
    assert "knowledge_search" in front_matter(REPO / "agents" / "researcher.md")[1]
    assert "knowledge_add" in front_matter(REPO / "agents" / "researcher.md")[1]
    architect = front_matter(REPO / "agents" / "architect.md")[1]
    assert "fact-check" in architect.lower() and "TIPS" in architect
    evaluator = front_matter(REPO / "agents" / "evaluator.md")[1]
    assert "meta_stop_after" in evaluator and "improvement plan" in evaluator


@pytest.mark.parametrize("name", ["resume", "gate", "submit", "status", "validate", "knowledge", "memory", "init"])
def test_skill(name: str) -> None:
    meta, body = front_matter(REPO / "skills" / name / "SKILL.md")
    assert meta["name"] == name and meta["description"]
    assert ("$ARGUMENTS" in body) == (name in SKILLS_WITH_ARGS)
    assert "``" not in body  # an emptied placeholder


def test_hooks_json_commands_and_matchers() -> None:
    config = json.loads((REPO / "hooks" / "hooks.json").read_text(encoding="utf-8"))["hooks"]
    assert set(config) == {"SessionStart", "SubagentStart", "PreToolUse", "Stop", "SubagentStop"}
    matchers = {group.get("matcher") for group in config["PreToolUse"]}
    assert {"Bash|PowerShell", "Write|Edit|MultiEdit|NotebookEdit", TOOL + "kaggle_submit"} == matchers
    for groups in config.values():
        for group in groups:
            for hook in group["hooks"]:
                command = hook["command"]
                first, fallback = command.split(" || ")
                assert first.startswith("python3 ") and fallback.startswith("python ")
                assert first.removeprefix("python3 ") == fallback.removeprefix("python ")
                name = first.split()[-1]
                assert '"${CLAUDE_PLUGIN_ROOT}/hooks/launch.py" hook' in first and name in HANDLERS


def test_mcp_json_and_repo_settings() -> None:
    server = json.loads((REPO / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["goldloop"]
    assert server["command"] == "${GOLDLOOP_PYTHON:-python3}" and server["args"] == ["${CLAUDE_PLUGIN_ROOT}/hooks/launch.py", "mcp"]
    settings = json.loads((REPO / ".claude" / "settings.json").read_text(encoding="utf-8"))
    assert settings["enabledPlugins"] == {"goldloop@goldloop": True}
    assert settings["extraKnownMarketplaces"]["goldloop"]["source"] == {"source": "directory", "path": "."}
    assert "goldloop" in settings["disabledMcpjsonServers"]  # no second, unqualified copy of the server
    assert "mcp__plugin_goldloop_goldloop" in settings["permissions"]["allow"]
    manifest = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text(encoding="utf-8"))
    market = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text(encoding="utf-8"))
    assert market["plugins"][0]["name"] == manifest["name"] == "goldloop"
    assert market["plugins"][0]["version"] == manifest["version"]
    # no second copy of any agent or skill file anywhere in the repository
    assert not (REPO / ".claude" / "agents").exists() and not (REPO / ".claude" / "skills").exists()


def test_mcp_server_starts_through_the_launcher(tmp_path) -> None:
    """Spawned the way .mcp.json spawns it: `python3 hooks/launch.py mcp`, real MCP client."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    python = shutil.which("python3") or sys.executable

    async def tools() -> set[str]:
        params = StdioServerParameters(command=python, args=[str(REPO / "hooks" / "launch.py"), "mcp"],
                                       cwd=str(tmp_path))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return {t.name for t in (await session.list_tools()).tools}

    names = asyncio.run(asyncio.wait_for(tools(), 60))
    assert {"state_get", "state_transition", "next_action", "commit_step"} <= names


def test_headless_sessions_wait_for_the_mcp_server(monkeypatch):
    from goldloop.claude_cli import HEADLESS_CONNECT_TIMEOUT_MS, headless_env

    manifest = json.loads((REPO / ".mcp.json").read_text(encoding="utf-8"))
    assert manifest["mcpServers"]["goldloop"]["alwaysLoad"] is True
    monkeypatch.delenv("MCP_CONNECT_TIMEOUT_MS", raising=False)
    assert headless_env()["MCP_CONNECT_TIMEOUT_MS"] == HEADLESS_CONNECT_TIMEOUT_MS
    monkeypatch.setenv("MCP_CONNECT_TIMEOUT_MS", "90000")  # the user's own value wins
    assert headless_env()["MCP_CONNECT_TIMEOUT_MS"] == "90000"
