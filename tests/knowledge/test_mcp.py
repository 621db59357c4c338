"""knowledge_search, knowledge_add and memory_add through the real MCP client over stdio."""

from __future__ import annotations

import asyncio

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.conftest import PYTHON, REPO

QUESTION = "Which CBOE volatility index tracks gold options specifically?"


async def _session(env, calls):
    params = StdioServerParameters(command=PYTHON, args=["-m", "mcp_server"], env=env, cwd=str(REPO))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = await session.list_tools()
        return tools, [await session.call_tool(name, args) for name, args in calls]


def _text(result) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_knowledge_tools_over_stdio(ws, clean_env):
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    tools, results = asyncio.run(_session(env, [
        ("knowledge_search", {"query": "レジーム検出 HMM", "limit": 3}),
        ("knowledge_add", {"question": QUESTION, "answer": "GVZCLS on FRED (since 2008-06-03).",
                           "tags": ["gvz", "volatility"], "sources": ["https://fred.stlouisfed.org/series/GVZCLS"],
                           "category": "data_sources"}),
        ("knowledge_add", {"question": QUESTION.lower(), "answer": "again", "tags": ["gvz"], "sources": ["x"]}),
        ("knowledge_search", {"query": "CBOE gold options volatility index"}),
        ("memory_add", {"lesson": "GVZCLS is the gold-specific implied volatility index on FRED."}),
        ("memory_add", {"lesson": "gvzcls is the gold specific implied volatility index on FRED"}),
        ("knowledge_search", {"query": ""}),
        ("knowledge_add", {"question": QUESTION + " (2)", "answer": "x", "tags": ["t"], "sources": ["s"],
                           "category": "../../etc"}),
    ]))
    by_name = {t.name: t for t in tools.tools}
    assert {"knowledge_search", "knowledge_add", "memory_add"} <= set(by_name)
    assert set(by_name["knowledge_add"].inputSchema["required"]) == {"question", "answer", "tags", "sources"}
    japanese, added, duplicate, found, lesson, lesson_again, empty, escape = results

    assert not japanese.isError
    assert japanese.structuredContent["results"][0]["path"] == "knowledge/methodologies/regime_detection.md"
    assert not added.isError, _text(added)
    path = added.structuredContent["path"]
    assert path.startswith("knowledge/data_sources/") and (ws.root / path).is_file()
    assert duplicate.isError and path in _text(duplicate) and "extend that entry" in _text(duplicate)
    assert found.structuredContent["results"][0]["path"] == path
    assert lesson.structuredContent["added"] is True
    assert lesson_again.structuredContent["added"] is False
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8").count("GVZCLS is the gold-specific") == 1
    assert empty.isError and escape.isError
    assert not (ws.root.parent / "etc").exists()
