"""Shared pieces of the tool adapters: typed inputs, workspace lookup, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import Field

T = TypeVar("T")

FeatureName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,48}$", description="feature name, e.g. 'vix' or 'meta'")]
AttemptNo = Annotated[int, Field(ge=1, description="attempt number, from 1")]
WorkspaceArg = Annotated[
    str | None,
    Field(description="workspace folder; default: GOLDLOOP_WORKSPACE, CLAUDE_PROJECT_DIR or the cwd"),
]


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call into goldloop; a GoldloopError becomes a tool error with its message and hint."""
    from mcp.server.fastmcp.exceptions import ToolError

    from goldloop.errors import GoldloopError

    try:
        return fn(*args, **kwargs)
    except GoldloopError as exc:
        raise ToolError(str(exc)) from exc


def workspace(path: str | None):
    from goldloop.workspace import find_workspace

    return run(find_workspace, path)
