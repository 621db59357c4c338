"""Headless Claude Code: find the CLI and build the command that continues the work.

Used by the monitor (continue after results arrive) and by `goldloop run --agents`, so both
start Claude Code the same way: with this bundle as the plugin and the goldloop tools allowed
(in `claude -p` a tool that would need a permission prompt is denied).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from goldloop.workspace import bundle_root

RESUME_PROMPT = "resume from last time"
# What a headless session may do without asking: the goldloop tools, files, git, subagents.
HEADLESS_ALLOW = ["mcp__plugin_goldloop_goldloop", "Read", "Write", "Edit", "Glob", "Grep",
                  "Bash(git *)", "Agent"]
# The bundle's MCP server is `alwaysLoad`: Claude Code holds the first turn until it is up, for
# at most MCP_CONNECT_TIMEOUT_MS (5 s by default). A headless session without the goldloop tools
# can do nothing useful, and a busy machine can take longer than 5 s to start Python, so allow 30.
HEADLESS_CONNECT_TIMEOUT_MS = "30000"


def find_claude() -> str | None:
    """GOLDLOOP_CLAUDE_BIN (when set, only it), else `claude` on PATH, else the copy
    `make test` installs beside the bundle."""
    explicit = os.environ.get("GOLDLOOP_CLAUDE_BIN")
    if explicit:
        return shutil.which(explicit)
    for candidate in ("claude", str(bundle_root() / ".tools" / "node_modules" / ".bin" / "claude")):
        if found := shutil.which(candidate):
            return found
    return None


def headless_env() -> dict[str, str]:
    """The environment for a headless session: ours, with a longer MCP start-up wait
    (a value the user set wins)."""
    env = dict(os.environ)
    env.setdefault("MCP_CONNECT_TIMEOUT_MS", HEADLESS_CONNECT_TIMEOUT_MS)
    return env


def headless_command(exe: str, prompt: str = RESUME_PROMPT, plugin_dir: Path | None = None) -> list[str]:
    return [exe, "-p", prompt, "--plugin-dir", str(plugin_dir or bundle_root()),
            "--settings", json.dumps({"permissions": {"allow": HEADLESS_ALLOW}}),
            "--output-format", "json"]
