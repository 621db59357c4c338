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


def headless_command(exe: str, prompt: str = RESUME_PROMPT, plugin_dir: Path | None = None) -> list[str]:
    return [exe, "-p", prompt, "--plugin-dir", str(plugin_dir or bundle_root()),
            "--settings", json.dumps({"permissions": {"allow": HEADLESS_ALLOW}}),
            "--output-format", "json"]
