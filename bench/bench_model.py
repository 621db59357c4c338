"""Gold model benchmark and the honest results tables (docs/model.md).

Timings: submodel fit+transform on the full offline panel (baseline: a pandas rolling std of
the same input); meta-model walk-forward fit, fast and full settings (baseline: one default
XGBRegressor fit on the raw features). Results, scored by the loop's own final evaluation
(`goldloop.gates.final_evaluation`, with the baselines `goldloop.models.baselines` gives it):
the project's split (`goldloop.data.data_split`: train / validation / test), and a rolling
origin over every year after training (refit every two years on all earlier data, predict the
next two) — the meta-model vs always long, yesterday's sign, 20-day momentum and default
raw-feature XGBoost.
"""

from __future__ import annotations

import time

import pandas as pd

from bench.common import median_seconds, report

BLOCK_YEARS = 2  # rolling origin: refit every two years
NAMES = {"always_long": "always long", "yesterday_sign": "yesterday's return (its sign)",
         "momentum_20d": "20-day momentum", "raw_feature_xgboost": "default raw-feature XGBoost"}
HEADER = ["| model | DA [95% CI] | HC-DA (top 20%) | MAE (%) | Sharpe after 5 bps | days |",
          "|---|---|---|---|---|---|"]


def _row(name: str, m: dict, constant: bool = False) -> str:
    lo, hi = m["direction_accuracy_ci"]
    hc = "n/a (constant)" if constant else f"{m['high_confidence_da']:.1%}"
    return (f"| {name} | {m['direction_accuracy']:.1%} [{lo:.1%}, {hi:.1%}] | {hc} | {m['mae']:.3f} | "
            f"{m['sharpe']:+.2f} | {int(m['n'])} |")


def _table(label: str, predictions: pd.DataFrame, baselines: dict) -> list[str]:
    """The final evaluation's numbers for the model and every baseline on the same test days."""
    from goldloop.config import GateSettings
    from goldloop.gates import final_evaluation

    ev = final_evaluation(predictions, n_trials=1, settings=GateSettings(), baselines=baselines)
    lines = [_row(label, ev["metrics"])]
    lines += [_row(NAMES.get(k, k), m, constant=k == "always_long") for k, m in ev["baselines"].items()]
    print(f"{ev['start']} .. {ev['end']}: {ev['positions']['statement']}", flush=True)
    return HEADER + lines


def timings(X, y, train_end: str, val_end: str) -> None:
    from xgboost import XGBRegressor

    from goldloop.data import catalog
    from goldloop.models.meta import fit_meta
    from goldloop.models.submodels import available, for_feature, params_for_attempt
    from goldloop.walkforward import free_cores

    for name in ("vix", "gold_technicals", "cross_asset", "real_rate", "regime"):
        if not available(name):
            continue
        inputs = X[catalog().family(name).inputs]
        cls = for_feature(name)
        model = cls(prefix=name, **params_for_attempt(name, 1))
        sub = median_seconds(lambda m=model, x=inputs: m.fit_transform(x), repeat=3, warmup=0)
        base = median_seconds(lambda x=inputs: x.rolling(20).std(), repeat=3)
        report(f"submodel {name} ({cls.__name__}) fit+transform, {len(inputs)} rows", sub, "s",
               "pandas rolling std", base)

    threads = free_cores()
    print(f"threads (free cores now): {threads}", flush=True)
    tr = X.index <= train_end
    raw = median_seconds(lambda: XGBRegressor(random_state=0, n_jobs=threads).fit(X[tr], y[tr]), repeat=3)
    split = {"train_end": train_end, "val_end": val_end}
    fast = median_seconds(lambda: fit_meta(X, y, fast=True, **split), repeat=3, warmup=0)
    report("meta-model fit_meta fast (3 trials x 3 folds)", fast, "s", "default XGBRegressor fit", raw)
    start = time.perf_counter()
    fit_meta(X, y, **split)
    report("meta-model fit_meta full (30 trials x 4 folds)", time.perf_counter() - start, "s",
           "default XGBRegressor fit", raw)


def fixed_split_table(X, y, train_end: str, val_end: str) -> list[str]:
    """The loop's own periods: fit on train, early-stop on validation, score the test years once."""
    from goldloop.models.baselines import raw_feature_forecasts
    from goldloop.models.meta import fit_meta
    from goldloop.models.stack import stacked_table

    stacked = stacked_table(X, train_end)
    result = fit_meta(stacked, y.reindex(stacked.index), seed=0, train_end=train_end, val_end=val_end)
    print(f"meta-model params: {result.params}, best_iteration {result.best_iteration}", flush=True)
    return _table("meta-model (base + 5 submodels, Optuna 30 trials)", result.predictions,
                  raw_feature_forecasts(val_end))


def origins(index: pd.DatetimeIndex, train_end: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Two-year blocks from the day after ``train_end`` to the panel's last day."""
    out, start = [], pd.Timestamp(train_end) + pd.Timedelta(days=1)
    while start <= index.max():
        stop = start + pd.DateOffset(years=BLOCK_YEARS) - pd.Timedelta(days=1)
        out.append((start, min(stop, index.max())))
        start = stop + pd.Timedelta(days=1)
    return out


def rolling_origin_table(X, y, train_end: str) -> tuple[str, list[str]]:
    from goldloop.models.baselines import raw_feature_forecasts
    from goldloop.models.meta import fit_meta
    from goldloop.models.stack import stacked_table

    parts, forecasts = [], {}
    blocks = origins(X.index, train_end)
    for start, stop in blocks:
        fit_end = start - pd.Timedelta(days=1)
        stacked = stacked_table(X[X.index <= stop], str(fit_end.date()))
        # fit_meta splits at dates: train to a year before the origin, early-stop on that last year
        result = fit_meta(stacked, y.reindex(stacked.index), n_trials=10, seed=0,
                          train_end=str((fit_end - pd.DateOffset(years=1)).date()), val_end=str(fit_end.date()))
        p = result.predictions
        parts.append(p[p["date"] >= start])
        for name, series in raw_feature_forecasts(str(fit_end.date())).items():
            forecasts.setdefault(name, []).append(series[(series.index >= start) & (series.index <= stop)])
    predictions = pd.concat(parts, ignore_index=True)
    span = f"{blocks[0][0].year}-{blocks[-1][1].year}"
    return span, _table("meta-model (base + 5 submodels, Optuna 10 trials)", predictions,
                        {k: pd.concat(v) for k, v in forecasts.items()})


def main() -> None:
    from goldloop.data import data_split, load_base_table

    X, y = load_base_table()
    train_end, val_end = data_split()
    timings(X, y, train_end, val_end)
    test = X.index[X.index > val_end]
    print(f"\n### Test years {test.min().year}-{test.max().year} (train to {train_end}, "
          f"validate to {val_end})\n", flush=True)
    print("\n".join(fixed_split_table(X, y, train_end, val_end)), flush=True)
    span, table = rolling_origin_table(X, y, train_end)
    print(f"\n### Rolling origin, {span} (refit every {BLOCK_YEARS} years on all earlier data)\n")
    print("\n".join(table), flush=True)


if __name__ == "__main__":
    main()
