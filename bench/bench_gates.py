"""Gates 1–3 on the real panel × 40 columns, default settings, against a straightforward version;
and Gate 3 with 1 and 2 XGBoost threads against the default (the cores free right now).

Panel: the real offline gold panel's base table (19 columns, 1986–2012) plus lagged copies
up to 38 base columns, and 2 new columns (a planted signal and noise) = 40 columns; the gates
see the rows up to the validation end, as ``goldloop run`` passes them.
Baseline: the same Gates 1 and 2, and a Gate 3 that refits a default ``XGBRegressor`` from
scratch for every fold, seed and arm and bootstraps with a Python loop. Our Gate 3 cache is
cleared before every run, so repeated runs measure the work, not the cache.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from bench.common import median_seconds, report

TARGET_SECONDS = 20.0


def _panel() -> tuple[Any, Any, Any, str]:
    import pandas as pd

    from goldloop.gates import synthetic

    try:
        from goldloop.data import load_base_table

        base, target = load_base_table(None)
        source = "offline gold panel"
    except Exception as exc:  # the data module is another area; fall back to the synthetic panel
        print(f"(offline panel unavailable: {exc!r}; using the synthetic panel)")
        base, target = synthetic.panel(3500, 22)
        source = "synthetic panel"
    extra = {f"{c}_lag1": base[c].shift(1) for c in base.columns[: 38 - base.shape[1]]}
    base = pd.concat([base, pd.DataFrame(extra, index=base.index)], axis=1).iloc[1:]
    target = target.iloc[1:]
    new = pd.concat([synthetic.signal(target, 0.1, name="new_signal"),
                     synthetic.noise(target.index, 7, name="new_noise")], axis=1)
    return base, new, target, source


def _naive_gate3(base: Any, new: Any, target: Any, settings: Any) -> dict[str, float]:
    """The obvious implementation: default XGBoost refit per fold × seed × arm, looped bootstrap."""
    import pandas as pd
    from xgboost import XGBRegressor

    from goldloop.metrics import direction_accuracy, mae, sharpe_after_costs
    from goldloop.walkforward import walk_forward_splits

    g3 = settings.gate3
    arms = {"base": base, "new": pd.concat([base, new], axis=1)}
    folds = walk_forward_splits(len(target), g3.folds, embargo=g3.embargo_days)
    preds = {}
    for arm, x in arms.items():
        per_seed = []
        for seed in range(g3.seeds):
            parts = []
            for fold in folds:
                model = XGBRegressor(random_state=seed, n_jobs=2)
                model.fit(x.iloc[fold.train], target.iloc[fold.train])
                parts.append(model.predict(x.iloc[fold.test]))
            per_seed.append(np.concatenate(parts))
        preds[arm] = np.mean(per_seed, axis=0)
    test = np.concatenate([f.test for f in folds])
    y = target.to_numpy()[test]
    rng = np.random.default_rng(0)
    deltas = []
    for _ in range(g3.bootstrap_samples):
        i = rng.integers(0, len(y), len(y))
        deltas.append([
            direction_accuracy(y[i], preds["new"][i]) - direction_accuracy(y[i], preds["base"][i]),
            sharpe_after_costs(y[i], preds["new"][i], g3.cost_bps) - sharpe_after_costs(y[i], preds["base"][i], g3.cost_bps),
            mae(y[i], preds["new"][i]) - mae(y[i], preds["base"][i]),
        ])
    return {"da_ci_lo": float(np.quantile(np.asarray(deltas)[:, 0], 0.025))}


def _peak_rss_mb() -> float:
    try:
        import resource

        scale = 1024 if sys.platform != "darwin" else 1024 * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    except ImportError:  # Windows
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20


def _threads(gate3: Any) -> None:
    """Gate 3 with 1 and 2 XGBoost threads and with the default (the cores free right now)."""
    import os

    from goldloop.gates.gate3 import nthread

    old = os.environ.pop("GOLDLOOP_NTHREAD", None)
    try:
        chosen = nthread()
        t_default = median_seconds(gate3, repeat=3, warmup=0)
        times = {}
        for n in (1, 2):
            os.environ["GOLDLOOP_NTHREAD"] = str(n)
            times[n] = median_seconds(gate3, repeat=3, warmup=0)
    finally:
        os.environ.pop("GOLDLOOP_NTHREAD", None)
        if old is not None:
            os.environ["GOLDLOOP_NTHREAD"] = old
    print(f"load average {os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.1f}; "
          f"default threads {chosen}", flush=True)
    report(f"gate 3, default threads ({chosen})", t_default, "s", "2 threads", times[2])
    report("gate 3, 1 thread", times[1], "s", "2 threads", times[2])


def main() -> None:
    from goldloop.config import GateSettings
    from goldloop.gates import check
    from goldloop.gates.gate1 import run_gate1
    from goldloop.gates.gate2 import run_gate2
    from goldloop.gates.gate3 import clear_cache
    from goldloop.gates.inputs import align

    base, new, target, source = _panel()
    settings = GateSettings()
    try:
        from goldloop.data.panel import data_split

        periods = data_split() if source == "offline gold panel" else None
    except ImportError:
        periods = None
    print(f"panel: {source}, {len(target)} rows × {base.shape[1] + new.shape[1]} columns "
          f"({base.shape[1]} base + {new.shape[1]} new); {settings.gate3.folds} folds × {settings.gate3.seeds} seeds")
    metrics = {"train_loss": 1.0, "val_loss": 1.2}

    until = periods[1] if periods else None

    def ours() -> Any:
        clear_cache()
        return check(new, base, target, metrics=metrics, settings=settings, periods=periods)

    def ours_gate3() -> Any:
        clear_cache()
        return check(new, base, target, metrics=None, settings=settings, gates=("gate3",), periods=periods)

    def baseline() -> Any:
        aligned = align(new, base, target, until=until)
        run_gate1(aligned, metrics, settings.gate1)
        run_gate2(aligned, settings.gate2)
        return _naive_gate3(aligned.base, aligned.new, aligned.target, settings)

    def baseline_gate3() -> Any:
        aligned = align(new, base, target, until=until)
        return _naive_gate3(aligned.base, aligned.new, aligned.target, settings)

    _threads(ours_gate3)

    result = ours()
    print(f"verdict: {result.summary()}")
    t_ours = median_seconds(ours, repeat=3, warmup=0)
    peak_ours = _peak_rss_mb()
    t_g3 = median_seconds(ours_gate3, repeat=3, warmup=0)
    t_base_g3 = median_seconds(baseline_gate3, repeat=3, warmup=0)
    t_base = median_seconds(baseline, repeat=1, warmup=0)
    report(f"gates 1-3, {len(target)} rows x 40 cols, {settings.gate3.folds} folds x {settings.gate3.seeds} seed(s)",
           t_ours, "s",
           "default XGBoost refit per fold/seed/arm + looped bootstrap", t_base,
           target=f"<= {TARGET_SECONDS:.0f} s")
    report("gate 3 alone", t_g3, "s", "straightforward gate 3", t_base_g3)
    print(f"peak RSS after our runs: {peak_ours:.0f} MB; after the baseline too: {_peak_rss_mb():.0f} MB", flush=True)
    print(f"within target: {'yes' if t_ours <= TARGET_SECONDS else 'NO'}", flush=True)
