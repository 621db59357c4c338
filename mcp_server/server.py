"""Build and run the stdio MCP server.

Start-up is budgeted (Claude Code's headless mode drops a server not ready ~2.5 s after
spawn; we aim at 1 s): tool modules import only the MCP SDK and pydantic at load time, and
each tool imports its goldloop module when called.
"""

from __future__ import annotations

import importlib

# Each module has ``register(server)``; later capabilities add theirs here.
TOOL_MODULES = ("state_tools", "gates_tools", "knowledge_tools", "validate_tools", "kaggle_tools",
                "data_tools")

INSTRUCTIONS = (
    "goldloop runs an ML research loop. Read state with state_get and next_action; change it "
    "only with the state tools; submit kernels only with kaggle_submit (never `kaggle kernels "
    "push`); never poll Kaggle by hand."
)


def _redacting_server_class():
    """FastMCP whose every tool answer and tool error passes the one redaction step."""
    from mcp.server.fastmcp import FastMCP
    from mcp.server.fastmcp.exceptions import ToolError

    from goldloop.redaction import redact, redact_data

    class RedactingFastMCP(FastMCP):
        async def call_tool(self, name, arguments):  # noqa: ANN001, ANN202 (FastMCP's signature)
            root = _workspace_root((arguments or {}).get("workspace_dir"))
            try:
                return redact_data(await super().call_tool(name, arguments), root=root)
            except ToolError as exc:
                raise ToolError(redact(str(exc), root=root)) from None

    return RedactingFastMCP


def _workspace_root(explicit: str | None):
    """The workspace whose .env values are masked too (None outside a workspace)."""
    from goldloop.errors import GoldloopError
    from goldloop.workspace import find_workspace

    try:
        return find_workspace(explicit if isinstance(explicit, str) else None).root
    except GoldloopError:
        return None


def build_server():  # -> FastMCP (imported lazily for the type too)
    from mcp_server.tools.common import FittingServer

    server = _redacting_server_class()("goldloop", instructions=INSTRUCTIONS, log_level="WARNING")
    fitting = FittingServer(server)  # every answer fits Claude Code's tool-output limit
    for name in TOOL_MODULES:
        importlib.import_module(f"mcp_server.tools.{name}").register(fitting)
    return server


def main() -> None:
    build_server().run("stdio")
