"""Plugin start-up costs: hooks run before every Bash call, the MCP server must be ready
well within the time Claude Code waits for it (MCP_CONNECT_TIMEOUT_MS, 5 s by default).
Each figure against a baseline measured in the same run.

- bash_guard hook (python3 launch.py, stdlib only) vs a bare `python3 -c pass`
- session_start hook (falls back to goldloop's venv) vs a bare venv `python -c pass`
- MCP server initialize through the launcher (as .mcp.json starts it) vs `python -m mcp_server`
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import median_seconds, report

REPO = Path(__file__).resolve().parent.parent
LAUNCH = REPO / "hooks" / "launch.py"
SYSTEM_PYTHON = shutil.which("python3") or sys.executable
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}


def _hook(name: str, event: dict) -> None:
    subprocess.run([SYSTEM_PYTHON, str(LAUNCH), "hook", name], input=json.dumps(event), capture_output=True,
                   text=True, check=True)


def _mcp_ready(argv: list[str]) -> None:
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    proc.stdin.write((json.dumps(INIT) + "\n").encode())
    proc.stdin.flush()
    proc.stdout.readline()
    proc.kill()
    proc.wait()


def main() -> None:
    from goldloop.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws", owner="bench")
        bash_event = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": str(ws.root),
                      "tool_input": {"command": "kaggle kernels push -p notebooks/vix_1"}}
        bare = median_seconds(lambda: subprocess.run([SYSTEM_PYTHON, "-c", "pass"], check=True))
        report("bash_guard hook", median_seconds(lambda: _hook("bash_guard", bash_event)), "s",
               "python3 -c pass", bare, "< 0.2 s")
        venv_bare = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
        start_event = {"hook_event_name": "SessionStart", "source": "startup", "cwd": str(ws.root)}
        report("session_start hook", median_seconds(lambda: _hook("session_start", start_event)), "s",
               "venv python -c pass", venv_bare, "< 2 s")
    direct = median_seconds(lambda: _mcp_ready([sys.executable, "-m", "mcp_server"]))
    launched = median_seconds(lambda: _mcp_ready([SYSTEM_PYTHON, str(LAUNCH), "mcp"]))
    report("MCP initialize via launch.py", launched, "s", "python -m mcp_server", direct, "< 1 s (Claude Code waits at most 5 s by default)")
    real = Path(sys.base_prefix) / "bin" / "python3"  # no pyenv/asdf shim in front of the launcher
    if real.exists():
        unshimmed = median_seconds(lambda: _mcp_ready([str(real), str(LAUNCH), "mcp"]))
        report("MCP initialize via launch.py, unshimmed python3", unshimmed, "s", "python -m mcp_server", direct)


if __name__ == "__main__":
    main()
