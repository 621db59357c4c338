"""The main job's budget: `goldloop run --fast` (target < 3 min) and the default run
(target < 10 min) on this machine, each split by stage.

Baseline, measured in the same run: the time the backend spent training (the notebooks
themselves); the ratio shows what the loop around them — data, datacheck, validation,
gates, state, commits, reports — costs on top.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report

REPO = Path(__file__).resolve().parent.parent


def _one(fast: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "workspace"
        args = [sys.executable, "-m", "goldloop.cli", "run", "--workspace-dir", str(workspace), "--json"]
        if fast:
            args.append("--fast")
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", cwd=REPO)
        total = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        summary = json.loads(done.stdout)
    timings = summary["timings"]
    label = "--fast" if fast else "default"
    training = timings.get("training", 0.0)
    report(f"goldloop run {label} (wall)", total, "s", "backend training time", training,
           target="< 180 s" if fast else "< 600 s")
    split = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(timings.items(), key=lambda kv: -kv[1]))
    print(f"  by stage: {split}")
    print(f"  final: {json.dumps({k: round(v, 4) for k, v in summary['metrics'].items() if isinstance(v, float)})}")


def main() -> None:
    _one(fast=True)
    _one(fast=False)


if __name__ == "__main__":
    main()
