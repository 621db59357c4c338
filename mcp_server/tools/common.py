"""Shared pieces of the tool adapters: typed inputs, workspace lookup, error mapping."""

from __future__ import annotations

import json
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


# Claude Code refuses MCP answers over MAX_MCP_OUTPUT_TOKENS (25,000 tokens by default) and
# warns from 10,000; goldloop's answers aim at well under that, measured in bench_plugin.
OUTPUT_LIMIT_CHARS = 20_000


def _size(value: Any) -> int:
    # as FastMCP sends it: JSON indented by 2 (pydantic_core.to_json(indent=2))
    return len(json.dumps(value, ensure_ascii=False, default=str, indent=2))


def fit(value: T, limit: int = OUTPUT_LIMIT_CHARS) -> T:
    """``value`` unchanged when its JSON fits ``limit``; else its largest nested parts are
    replaced, biggest first, by a note of what was left out — never a cut-off JSON text."""
    if not isinstance(value, dict | list) or _size(value) <= limit:
        return value
    import copy

    value = copy.deepcopy(value)
    while _size(value) > limit:
        parent, key, size = None, None, 0
        stack: list[Any] = [value]
        while stack:  # the largest container below the top level
            node = stack.pop()
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for k, child in items:
                if isinstance(child, dict | list):
                    child_size = _size(child)
                    if child_size > size:
                        parent, key, size = node, k, child_size
                    stack.append(child)
        if parent is None:
            break
        parent[key] = f"(left out: {size} characters; ask for a narrower view)"
    return value


class FittingServer:
    """Wraps FastMCP so that every registered tool's answer goes through :func:`fit`."""

    def __init__(self, server: Any) -> None:
        self._server = server

    def tool(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        import functools

        register = self._server.tool(*args, **kwargs)

        def decorate(fn: Callable[..., Any]) -> Any:
            @functools.wraps(fn)
            def fitted(*a: Any, **k: Any) -> Any:
                return fit(fn(*a, **k))

            return register(fitted)

        return decorate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)
