"""goldloop: an autonomous ML research loop (design → data → notebook → Kaggle → gates → improve).

The core library. Adapters (the CLI, the MCP server, the Claude Code hooks) call into it;
heavy libraries are imported inside the functions that need them so those adapters start fast.
"""

__version__ = "0.1.0"
