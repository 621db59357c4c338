"""knowledge_search, knowledge_add and memory_add through the real MCP client over stdio."""

from __future__ import annotations

from tests.conftest import mcp_call

QUESTION = "Which CBOE volatility index tracks gold options specifically?"


def _text(result) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_knowledge_tools_over_stdio(ws, clean_env):
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    tools, results = mcp_call(env, [
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
    ])
    by_name = tools
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
