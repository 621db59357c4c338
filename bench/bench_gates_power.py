"""Gate 3's power table: pass rate by planted information coefficient (IC) on the real panel.

Columns correlated IC with gold's next-day return (``synthetic.signal``) are planted on the
offline panel's real dates and base table and run through Gate 3 with the default settings
(``goldloop run``'s), the periods as ``run_for_attempt`` passes them. Baseline, in the same run:
today's design before issue #15 — Gate 3's source at commit ``BASELINE_COMMIT``, loaded from git
(5 folds × 3 seeds of subsampled XGBoost, three "any of" criteria with a Bonferroni bootstrap,
every row including the test years), with its defaults of the time (3 seeds).

Goal (issue #15): >= 80 % at IC 0.05, <= 5 % at IC 0. ``GOLDLOOP_POWER_DRAWS`` (default 50)
sets the draws per IC.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ICS = (0.0, 0.02, 0.03, 0.05, 0.08, 0.10)
BASELINE_COMMIT = "bf61d21"
ROOT = Path(__file__).resolve().parent.parent


def _baseline_gate3() -> Any:
    """Today's Gate 3 module from git (it imports only helpers that still exist unchanged)."""
    source = subprocess.run(["git", "show", f"{BASELINE_COMMIT}:goldloop/gates/gate3.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True, encoding="utf-8").stdout
    spec = importlib.util.spec_from_loader("baseline_gate3", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{BASELINE_COMMIT}:goldloop/gates/gate3.py", "exec"), module.__dict__)  # noqa: S102
    return module


def _wilson(k: int, n: int) -> str:
    from goldloop.gates.stats import wilson_interval

    lo, hi = wilson_interval(k, n)
    return f"[{lo:.0%}, {hi:.0%}]"


def main() -> None:
    from goldloop.config import Gate3Settings, GateSettings
    from goldloop.data import load_base_table
    from goldloop.data.panel import data_split
    from goldloop.gates import check, synthetic
    from goldloop.gates.inputs import align

    draws = int(os.environ.get("GOLDLOOP_POWER_DRAWS", "50"))
    base, target = load_base_table()
    periods = data_split()
    settings = GateSettings()
    old = _baseline_gate3()
    old_settings = Gate3Settings(seeds=3)
    print(f"offline panel, {len(target)} days; periods {periods}; {draws} draws per IC; default settings "
          f"(folds {settings.gate3.folds}, alpha {settings.gate3.alpha}); baseline = Gate 3 at {BASELINE_COMMIT}",
          flush=True)
    print("| IC | ours: pass rate (95% CI) | s/run | today's design (all rows): pass rate (95% CI) | s/run |")
    print("|---|---|---|---|---|", flush=True)
    for ic in ICS:
        ours = base_passes = 0
        t_ours = t_base = 0.0
        for d in range(draws):
            new = synthetic.signal(target, ic, seed=5000 + d, name="planted")
            start = time.perf_counter()
            ours += check(new, base, target, metrics=None, settings=settings, gates=("gate3",),
                          periods=periods).gates["gate3"]["pass"]
            t_ours += time.perf_counter() - start
            start = time.perf_counter()
            base_passes += old.run_gate3(align(new, base, target), old_settings, seed=0)[0]["pass"]
            t_base += time.perf_counter() - start
        print(f"| {ic:.2f} | {ours}/{draws} = {ours / draws:.0%} {_wilson(ours, draws)} | {t_ours / draws:.2f} | "
              f"{base_passes}/{draws} = {base_passes / draws:.0%} {_wilson(base_passes, draws)} | "
              f"{t_base / draws:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
