"""knowledge_search, knowledge_add, memory_add."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_server.tools.common import WorkspaceArg, run, workspace

Tag = Annotated[str, Field(min_length=1, max_length=80)]
Source = Annotated[str, Field(min_length=1, max_length=500)]


def register(server: Any) -> None:
    @server.tool()
    def knowledge_search(
        query: Annotated[str, Field(min_length=1, max_length=500,
                                    description="keywords, English or Japanese")],
        limit: Annotated[int, Field(ge=1, le=50)] = 5,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Search knowledge/ (BM25, best first). Do this before researching anything; cite the
        entry's path when it answers the question."""
        from goldloop.knowledge import search

        results = run(search, workspace(workspace_dir).root, query, limit=limit)
        return {"query": query, "count": len(results), "results": results}

    @server.tool()
    def knowledge_add(
        question: Annotated[str, Field(min_length=8, max_length=400)],
        answer: Annotated[str, Field(min_length=1, description="the answer, markdown")],
        tags: Annotated[list[Tag], Field(min_length=1)],
        sources: Annotated[list[Source], Field(min_length=1, description="URLs or citations, checkable")],
        category: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}(/[a-z0-9_]{1,40})?$",
                                       description="folder under knowledge/, e.g. methodologies")] = "general",
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Add a Q&A entry to knowledge/. Refused when the question is already answered: the
        error names the existing entry — extend that one instead."""
        from goldloop.knowledge import add

        return run(add, workspace(workspace_dir).root, question, answer, tags, sources, category=category)

    @server.tool()
    def memory_add(
        lesson: Annotated[str, Field(min_length=5, max_length=1000, description="one line: the trap and the fix")],
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Append a dated lesson to MEMORY.md; a lesson already recorded is not added twice
        (added=false, duplicate_of shows it)."""
        from goldloop.knowledge import memory_add as add_lesson

        return run(add_lesson, workspace(workspace_dir).root, lesson)
