"""Foundation figures: MCP server start-up and state-store throughput.

- spawn → ``initialize`` + ``tools/list`` answered, median of 7, against spawning ``python -c pass``
  (target: ≤ 1.0 s; Claude Code holds the first turn for it at most MCP_CONNECT_TIMEOUT_MS, 5 s by default);
- state transitions per second through the locked, validated, fsync'd atomic store, against
  a plain ``json.dump`` of the same state to the same disk.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report

REPO = Path(__file__).resolve().parent.parent


async def _spawn_and_list() -> tuple[float, int]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    start = time.perf_counter()
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], cwd=str(REPO))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = await session.list_tools()
        elapsed = time.perf_counter() - start
    return elapsed, len(tools.tools)


def _bare_python() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def bench_mcp_startup(runs: int = 7) -> None:
    asyncio.run(_spawn_and_list())  # warm the bytecode caches once
    samples = [asyncio.run(_spawn_and_list()) for _ in range(runs)]
    spawn = statistics.median(s for s, _ in samples)
    bare = statistics.median(_bare_python() for _ in range(runs))
    report(f"mcp spawn→tools/list ({samples[0][1]} tools)", spawn, "s", "python -c pass", bare,
           target="≤ 1.0 s")


def bench_state_store(count: int = 300) -> None:
    from goldloop.state.ops import start_attempt, transition
    from goldloop.state.store import StateStore
    from goldloop.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws")
        store = StateStore(ws)
        start_attempt(store, "vix", 1)
        start = time.perf_counter()
        for i in range(count):
            transition(store, "in_progress", actor="orchestrator", summary=f"step {i}")
        store_rate = count / (time.perf_counter() - start)

        raw = store.read().model_dump(mode="json")
        plain = Path(tmp) / "plain.json"
        start = time.perf_counter()
        for i in range(count):
            raw["updated_at"] = str(i)
            with plain.open("w", encoding="utf-8") as handle:
                json.dump(raw, handle)
        plain_rate = count / (time.perf_counter() - start)
    print(f"(history grew to {count + 1} events during the run)")
    report("state transitions/s (lock+validate+fsync+replace)", store_rate, "/s", "plain json.dump", plain_rate)


def main() -> None:
    bench_mcp_startup()
    bench_state_store()


if __name__ == "__main__":
    main()
