"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@pytest.fixture()
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh workspace from `goldloop init` in a real git repo under a temp dir."""
    from goldloop.workspace import init_workspace

    for name in ("GOLDLOOP_WORKSPACE", "CLAUDE_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    workspace, _ = init_workspace(tmp_path / "ws", name="gold", owner="tester")
    return workspace


@pytest.fixture()
def clean_env() -> dict[str, str]:
    """An environment for subprocesses without credentials or workspace pointers."""
    drop = {"GOLDLOOP_WORKSPACE", "CLAUDE_PROJECT_DIR", "KAGGLE_USERNAME", "KAGGLE_KEY",
            "KAGGLE_API_TOKEN", "FRED_API_KEY", "ANTHROPIC_API_KEY"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def mcp_call(env: dict[str, str], calls: list[tuple[str, dict]], command: list[str] | None = None):
    """Spawn the MCP server over stdio with the real MCP client, list its tools, make ``calls``.

    Returns ``({tool name: Tool}, [CallToolResult, …])``.
    """
    import asyncio

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    command = command or [PYTHON, "-m", "mcp_server"]

    async def session():
        params = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(REPO))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            tools = {t.name: t for t in (await s.list_tools()).tools}
            return tools, [await s.call_tool(name, args) for name, args in calls]

    return asyncio.run(asyncio.wait_for(session(), 120))
