"""A project that is not gold costs what gold costs: `goldloop run --fast` wall time on the oil
preset (its own series panel, two workspace families) against the gold preset (the built-in
panel, two built-in families), same number of families and attempts, in the same run.

Each preset runs ROUNDS times in alternation (so machine load hits both alike) with its own
data cache warmed once (the panel is built once per cache, as on a user's machine); the
figure is the median wall time. Target: within 1.5x of each other.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report

REPO = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("GOLDLOOP_BENCH_ROUNDS", "3"))
PRESETS = {"gold": ["gold_technicals", "regime"], "oil": ["oil_trend", "equity_stress"]}


def _goldloop(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "goldloop.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout


def _run(preset: str, cache: Path) -> tuple[float, dict]:
    env = {**os.environ, "GOLDLOOP_CACHE_DIR": str(cache)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        _goldloop(["init", str(root), "--preset", preset], Path(tmp), env)
        args = ["run", "--fast", "--workspace-dir", str(root), "--json"]
        for feature in PRESETS[preset]:
            args += ["--features", feature]
        start = time.perf_counter()
        summary = json.loads(_goldloop(args, root, env))
        return time.perf_counter() - start, summary


def main() -> None:
    walls: dict[str, list[float]] = {p: [] for p in PRESETS}
    with tempfile.TemporaryDirectory() as caches:
        for preset in PRESETS:  # warm each preset's data cache (not timed)
            _goldloop(["init", str(Path(caches) / f"warm_{preset}"), "--preset", preset], Path(caches),
                      {**os.environ, "GOLDLOOP_CACHE_DIR": str(Path(caches) / preset)})
            _goldloop(["project", "--data", "--json"], Path(caches) / f"warm_{preset}",
                      {**os.environ, "GOLDLOOP_CACHE_DIR": str(Path(caches) / preset)})
        for _ in range(ROUNDS):
            for preset in PRESETS:
                wall, summary = _run(preset, Path(caches) / preset)
                walls[preset].append(wall)
                attempts = {k: v for k, v in summary["timings"].items() if k in ("training", "eval")}
                print(f"  {preset}: {wall:.1f}s  final attempt {summary['final_attempt']}  {attempts}", flush=True)
    gold, oil = statistics.median(walls["gold"]), statistics.median(walls["oil"])
    report(f"goldloop run --fast, oil preset (median of {ROUNDS})", oil, "s",
           "gold preset, same run", gold, target="0.67x-1.5x")


if __name__ == "__main__":
    main()
