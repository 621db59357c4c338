"""Monitor costs: CPU per idle poll (vs a bare ``time.sleep`` loop), and the latency from a
run's completion to state updated (target ≤ one poll interval + 5 s).

Idle CPU is measured on a live detached monitor watching a kernel that sleeps, for both
backends: local (a JSON read + a pid check per poll) and kaggle (one real ``kaggle`` client
request per poll, against the local emulator). Latency: the run's final run.json write
(LocalBackend) → state.json rewritten to training_complete by the monitor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report

IDLE_POLL_S = 0.5
IDLE_WINDOW_S = 8.0
LATENCY_POLL_S = 2.0
KEY = "0123456789abcdef0123456789abcdef"
CONFIG = """\
features = ["vix"]
[kaggle]
owner = "tester"
backend = "{backend}"
poll_seconds = {poll}
[validate]
select = ["syntax"]
"""


def _workspace(root: Path, backend: str, poll: float):
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore
    from goldloop.workspace import init_workspace

    ws, _ = init_workspace(root, name="gold", owner="tester")
    (ws.root / "goldloop.toml").write_text(CONFIG.format(backend=backend, poll=poll), encoding="utf-8")
    start_attempt(StateStore(ws), "vix", 1)
    return ws


def _job(ws) -> dict:
    from goldloop.kaggle import monitor

    rows = monitor.status(ws.root)
    return rows[0] if rows else {}


def _wait(predicate, timeout: float = 120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError("timed out")


def _cpu(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def idle_cpu_per_poll(backend: str) -> float:
    """CPU seconds the monitor process spends per poll while the kernel runs."""
    from goldloop.kaggle import monitor
    from goldloop.kaggle.submit import submit
    from tests.kaggle.kernels import make_kernel

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        ws = _workspace(Path(tmp) / "ws", backend, IDLE_POLL_S)
        submit(ws.root, make_kernel(ws.root, "vix", 1, sleep=IDLE_WINDOW_S + 15), "vix", 1)
        job = _wait(lambda: (j := _job(ws)) and j["alive"] and j["polls"] >= 3 and j)
        pid, polls0, cpu0 = job["pid"], job["polls"], _cpu(job["pid"])
        time.sleep(IDLE_WINDOW_S)
        cpu1, polls1 = _cpu(pid), _job(ws)["polls"]
        monitor.stop(ws.root)
        from goldloop.kaggle.cancel import cancel

        cancel(ws.root, "vix", 1)  # the kernel would outlive the temp folder otherwise
        return (cpu1 - cpu0) / max(polls1 - polls0, 1)


def sleep_loop_cpu_per_iteration() -> float:
    """CPU per iteration of a bare ``time.sleep`` loop. Iterations are 1 ms apart so that enough
    of them fit in the window for the OS's CPU-time tick (~10 ms) to resolve the figure."""
    code = "import time\nwhile True:\n    time.sleep(0.001)\n"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(1.0)
        cpu0, t0 = _cpu(proc.pid), time.perf_counter()
        time.sleep(4.0)
        cpu1, t1 = _cpu(proc.pid), time.perf_counter()
        iterations = (t1 - t0) / 0.00106  # sleep(0.001) wakes after ~1.06 ms on Linux
        return (cpu1 - cpu0) / iterations
    finally:
        proc.kill()
        proc.wait()


def completion_to_state_latency() -> float:
    from goldloop.kaggle.submit import submit
    from goldloop.state.store import StateStore
    from tests.kaggle.kernels import make_kernel

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        ws = _workspace(Path(tmp) / "ws", "local", LATENCY_POLL_S)
        submit(ws.root, make_kernel(ws.root, "vix", 1, sleep=1.3), "vix", 1)
        store = StateStore(ws)
        _wait(lambda: store.read().status.value == "training_complete")
        _wait(lambda: _job(ws).get("outcome") == "complete")  # the monitor is done writing
        run_json = ws.root / ".goldloop" / "kernels" / "tester" / "gold-vix-1" / "v1" / "run.json"
        finished = run_json.stat().st_mtime  # the runner's final write
        return ws.state_path.stat().st_mtime - finished


def main() -> None:
    from goldloop.kaggle.emulator import KaggleEmulator

    baseline = sleep_loop_cpu_per_iteration()
    local = idle_cpu_per_poll("local")
    report("monitor CPU per idle poll (local backend)", local * 1000, "ms",
           "bare time.sleep loop iteration", baseline * 1000)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        em = KaggleEmulator(Path(tmp) / "em", users={"tester": KEY}).start()
        saved = {k: os.environ.get(k) for k in ("GOLDLOOP_KAGGLE_API_URL", "KAGGLE_USERNAME", "KAGGLE_KEY")}
        os.environ.update(GOLDLOOP_KAGGLE_API_URL=em.url, KAGGLE_USERNAME="tester", KAGGLE_KEY=KEY)
        try:
            remote = idle_cpu_per_poll("kaggle")
            report("monitor CPU per idle poll (kaggle backend, emulator)", remote * 1000, "ms",
                   "bare time.sleep loop iteration", baseline * 1000)
        finally:
            em.stop()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    print(f"   at the default 60 s poll: {local / 60 * 100:.4f}% (local) and {remote / 60 * 100:.4f}% (kaggle) "
          "of one core", flush=True)
    latencies = [completion_to_state_latency() for _ in range(3)]
    report(f"run completion → state updated (poll {LATENCY_POLL_S:g} s, median of 3)", statistics.median(latencies),
           "s", "poll interval", LATENCY_POLL_S, target=f"≤ {LATENCY_POLL_S + 5:g} s (poll + 5 s)")
    print(f"   latencies: {', '.join(f'{x:.2f}' for x in latencies)} s", flush=True)


if __name__ == "__main__":
    main()
