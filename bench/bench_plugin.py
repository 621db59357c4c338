"""Plugin start-up costs: hooks run before every Bash call, the MCP server must be ready
well within the time Claude Code waits for it (MCP_CONNECT_TIMEOUT_MS, 5 s by default).
Each figure against a baseline measured in the same run.

- bash_guard hook (python3 launch.py, stdlib only) vs a bare `python3 -c pass`
- session_start hook (falls back to goldloop's venv) vs a bare venv `python -c pass`
- MCP server initialize through the launcher (as .mcp.json starts it) vs `python -m mcp_server`
- subagent_start hook (stdlib only) vs a bare `python3 -c pass`
- `claude -p` start → its first model request, with the plugin vs an empty plugin (goal ≤ +1.0 s)
- the largest MCP tool answer on a finished `goldloop run --fast` workspace (goal ≤ 20k chars):
  BENCH_FINISHED_WS names one (copied first; `run_gates` re-runs there), else the state of
  one (tests/plugin/fixtures/run_fast_state.json) in a fresh workspace, state tools only
"""

from __future__ import annotations

import json
import os
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


CALL = [{"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "next_action", "arguments": {}}}]


def _mcp_ready(argv: list[str], env: dict | None = None, call: bool = False) -> None:
    """Spawn → the answer to ``initialize`` (``call``: → the answer to a first tool call)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO,
                            env=env)
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in [INIT, *(CALL if call else [])]).encode())
    proc.stdin.flush()
    for _ in range(2 if call else 1):
        proc.stdout.readline()
    proc.kill()
    proc.wait()


def _compile_bytecode() -> None:
    """As setup does for an installed plugin (and any python on a first import, unless
    PYTHONDONTWRITEBYTECODE is set, as on the shared bench machine)."""
    import compileall
    import sysconfig

    for folder in (REPO / "goldloop", REPO / "mcp_server", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(folder, quiet=2)


def main() -> None:
    from goldloop.workspace import init_workspace

    _compile_bytecode()
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
        sub_event = {"hook_event_name": "SubagentStart", "agent_type": "goldloop:evaluator", "agent_id": "a",
                     "session_id": "s", "cwd": str(ws.root)}
        report("subagent_start hook", median_seconds(lambda: _hook("subagent_start", sub_event)), "s",
               "python3 -c pass", bare, "< 0.3 s")
        first_request(ws.root, Path(tmp))
    largest_answer()
    direct = median_seconds(lambda: _mcp_ready([sys.executable, "-m", "mcp_server"]))
    sdk_only = {**os.environ, "GOLDLOOP_MCP_FAST_START": "0"}
    report("MCP initialize, fast start", direct, "s", "the SDK server alone",
           median_seconds(lambda: _mcp_ready([sys.executable, "-m", "mcp_server"], sdk_only)))
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws", owner="bench")
        env = {**os.environ, "GOLDLOOP_WORKSPACE": str(ws.root)}
        fast_call = median_seconds(lambda: _mcp_ready([sys.executable, "-m", "mcp_server"], env, call=True))
        sdk_call = median_seconds(lambda: _mcp_ready([sys.executable, "-m", "mcp_server"],
                                                     {**env, "GOLDLOOP_MCP_FAST_START": "0"}, call=True))
    report("MCP spawn → first tool answer (next_action), fast start", fast_call, "s", "the SDK server alone",
           sdk_call, "≈ 1.0x (the hand-over costs nothing)")
    launched = median_seconds(lambda: _mcp_ready([SYSTEM_PYTHON, str(LAUNCH), "mcp"]))
    report("MCP initialize via launch.py", launched, "s", "python -m mcp_server", direct, "< 1 s (Claude Code waits at most 5 s by default)")
    real = Path(sys.base_prefix) / "bin" / "python3"  # no pyenv/asdf shim in front of the launcher
    if real.exists():
        unshimmed = median_seconds(lambda: _mcp_ready([str(real), str(LAUNCH), "mcp"]))
        report("MCP initialize via launch.py, unshimmed python3", unshimmed, "s", "python -m mcp_server", direct)


def first_request(workspace: Path, tmp: Path, repeat: int = 7) -> None:
    """Seconds from spawning `claude -p` to its first conversation request at a local fake API."""
    import statistics
    import time

    sys.path.insert(0, str(REPO / "tests" / "plugin"))
    from conftest import CLAUDE, claude_env
    from fake_anthropic import FakeAnthropic, text, turn

    if not CLAUDE.exists():
        print("claude first request: skipped (run `make claude`)")
        return
    empty = tmp / "empty-plugin"
    (empty / ".claude-plugin").mkdir(parents=True)
    (empty / ".claude-plugin" / "plugin.json").write_text('{"name": "empty"}', encoding="utf-8")

    def once(plugin: Path) -> float:
        with FakeAnthropic([turn(text("ok"))]) as api:
            env = claude_env(tmp / "home", api.url, trusted=[workspace])
            start = time.perf_counter()
            proc = subprocess.Popen([str(CLAUDE), "-p", "resume from last time", "--plugin-dir", str(plugin)],
                                    env=env, cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while not api.conversation_requests() and proc.poll() is None:
                time.sleep(0.01)
            took = time.perf_counter() - start
            proc.wait(timeout=120)
        return took

    once(REPO)  # warm-up: page cache, compiled bytecode
    pairs = [(once(empty), once(REPO)) for _ in range(repeat)]  # interleaved: same load for both
    bare, full = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    report("claude -p → first model request, goldloop plugin", full, "s", "an empty plugin", bare,
           f"≤ +1.0 s (measured +{full - bare:.2f} s)")


def _answers(env: dict, calls: list) -> list[tuple[str, int]]:
    sys.path.insert(0, str(REPO))
    from tests.conftest import mcp_call

    _, results = mcp_call(env, calls)
    return [(f"{name} {json.dumps(args)}", sum(len(getattr(c, "text", "")) for c in r.content))
            for (name, args), r in zip(calls, results, strict=True)]


def largest_answer() -> None:
    from goldloop.workspace import init_workspace

    calls = [("state_get", {}), ("state_get", {"view": "table"}), ("state_get", {"view": "full"}),
             ("state_get", {"view": "history"}), ("state_get", {"view": "attempt", "feature": "vix"}),
             ("next_action", {}), ("kaggle_monitor", {"action": "status"}),
             ("knowledge_search", {"query": "regime detection persistence"})]
    finished = os.environ.get("BENCH_FINISHED_WS")
    with tempfile.TemporaryDirectory() as tmp:
        if finished:
            root = Path(tmp) / "ws"
            shutil.copytree(finished, root, symlinks=True)
            calls += [("run_gates", {"feature": "vix", "attempt": 1, "fast": True})]
        else:
            ws, _ = init_workspace(Path(tmp) / "ws", owner="bench")
            fixture = REPO / "tests" / "plugin" / "fixtures" / "run_fast_state.json"
            ws.state_path.write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
            (ws.state_path.parent / ".state_backups" / "written.json").unlink()
            root = ws.root
        raw = len((root / "shared" / "state.json").read_text(encoding="utf-8"))
        env = {**os.environ, "GOLDLOOP_WORKSPACE": str(root)}
        sizes = _answers(env, calls)
    name, size = max(sizes, key=lambda pair: pair[1])
    print("MCP answers (chars): " + ", ".join(f"{n}: {s}" for n, s in sizes), flush=True)
    report(f"largest MCP answer ({name})", size, "chars", "state.json itself", raw, "≤ 20000 chars")


if __name__ == "__main__":
    main()
