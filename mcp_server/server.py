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


def build_server():  # -> FastMCP (imported lazily for the type too)
    from mcp.server.fastmcp import FastMCP

    server = FastMCP("goldloop", instructions=INSTRUCTIONS, log_level="WARNING")
    for name in TOOL_MODULES:
        importlib.import_module(f"mcp_server.tools.{name}").register(server)
    return server


def main() -> None:
    build_server().run("stdio")
