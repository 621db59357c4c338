"""Gold model benchmark and the honest results table (docs/model.md).

Timings: submodel fit+transform on the full offline panel (baseline: a pandas rolling std of
the same input); meta-model walk-forward fit, fast and full settings (baseline: one default
XGBRegressor fit on the raw features). Results: train 1999-2008 / validate 2009-10 / test
2011-12, and a rolling origin (refit every two years, predict the next two), for the
meta-model vs always long, yesterday's return, 20-day momentum and default raw-feature XGBoost.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from bench.common import median_seconds, report

TRAIN_END, VAL_END = "2008-12-31", "2010-12-31"
ORIGINS = [("2003-01-01", "2004-12-31"), ("2005-01-01", "2006-12-31"), ("2007-01-01", "2008-12-31"),
           ("2009-01-01", "2010-12-31"), ("2011-01-01", "2012-12-31")]


def _da_interval(y_true, y_pred) -> tuple[float, float, float]:
    from statsmodels.stats.proportion import proportion_confint

    t, p = np.asarray(y_true), np.asarray(y_pred)
    keep = (t != 0) & np.isfinite(p)
    hits = int((np.sign(t[keep]) == np.sign(p[keep])).sum())
    lo, hi = proportion_confint(hits, int(keep.sum()), alpha=0.05, method="wilson")
    return hits / keep.sum(), lo, hi


def _row(name, y_true, y_pred) -> str:
    from goldloop.metrics import evaluate

    m = evaluate(y_true, y_pred, cost_bps=5.0)
    da, lo, hi = _da_interval(y_true, y_pred)
    hc = "n/a (constant)" if np.ptp(np.asarray(y_pred)) == 0 else f"{m['high_confidence_da']:.1%}"
    return (f"| {name} | {da:.1%} [{lo:.1%}, {hi:.1%}] | {hc} | {m['mae']:.3f} | "
            f"{m['sharpe']:+.2f} | {int(m['n'])} |")


def _baselines(X, y, train_mask, rows):
    from xgboost import XGBRegressor

    drift = float(y[train_mask].mean())
    raw = XGBRegressor(random_state=0, n_jobs=2).fit(X[train_mask], y[train_mask])
    return {
        "always long (train-mean drift)": np.full(rows.sum(), drift),
        "yesterday's return": X.loc[rows, "gold_logret"].to_numpy(),
        "20-day momentum": X.loc[rows, "gold_mom_20"].to_numpy() / 20.0,
        "default raw-feature XGBoost": raw.predict(X[rows]),
    }


def timings(X, y) -> None:
    from goldloop.data import catalog
    from goldloop.models.meta import fit_meta
    from goldloop.models.submodels import available, for_feature, params_for_attempt

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

    from xgboost import XGBRegressor

    tr = X.index <= TRAIN_END
    raw = median_seconds(lambda: XGBRegressor(random_state=0, n_jobs=2).fit(X[tr], y[tr]), repeat=3)
    fast = median_seconds(lambda: fit_meta(X, y, fast=True), repeat=3, warmup=0)
    report("meta-model fit_meta fast (3 trials x 3 folds)", fast, "s", "default XGBRegressor fit", raw)
    start = time.perf_counter()
    fit_meta(X, y)
    report("meta-model fit_meta full (30 trials x 4 folds)", time.perf_counter() - start, "s",
           "default XGBRegressor fit", raw)


def fixed_split_table(X, y) -> list[str]:
    from goldloop.models.meta import fit_meta
    from goldloop.models.stack import stacked_table

    stacked = stacked_table(X, TRAIN_END)
    Xs, ys = stacked, y.reindex(stacked.index)
    result = fit_meta(Xs, ys, seed=0)
    pred = result.predictions.set_index("date")
    test = pred["split"] == "test"
    rows = Xs.index.isin(pred.index[test])
    lines = [_row("meta-model (base + 5 submodels, Optuna 30 trials)", pred.loc[test, "y_true"], pred.loc[test, "y_pred"])]
    train_mask = Xs.index <= TRAIN_END
    for name, p in _baselines(Xs, ys, train_mask, rows).items():
        lines.append(_row(name, ys[rows], p))
    print(f"meta-model params: {result.params}, best_iteration {result.best_iteration}", flush=True)
    return lines


def rolling_origin_table(X, y) -> list[str]:
    from goldloop.models.meta import fit_meta
    from goldloop.models.stack import stacked_table

    preds: dict[str, list] = {}
    truth = []
    for start, stop in ORIGINS:
        train_end = str((pd.Timestamp(start) - pd.Timedelta(days=1)).date())
        stacked = stacked_table(X[X.index <= stop], train_end)
        ys = y.reindex(stacked.index)
        val_start = pd.Timestamp(train_end) - pd.DateOffset(years=1)
        # fit_meta splits at dates: train to val_start, early-stop on the last training year
        result = fit_meta(stacked, ys, n_trials=10, seed=0,
                          train_end=str(val_start.date()), val_end=train_end)
        p = result.predictions.set_index("date")
        rows = stacked.index >= start
        preds.setdefault("meta-model (base + 5 submodels, Optuna 10 trials)", []).append(p.loc[rows, "y_pred"].to_numpy())
        train_mask = stacked.index <= train_end
        for name, values in _baselines(stacked, ys, train_mask, rows).items():
            preds.setdefault(name, []).append(values)
        truth.append(ys[rows].to_numpy())
    y_all = np.concatenate(truth)
    return [_row(name, y_all, np.concatenate(parts)) for name, parts in preds.items()]


HEADER = ["| model | DA [95% CI] | HC-DA (top 20%) | MAE (%) | Sharpe after 5 bps | days |",
          "|---|---|---|---|---|---|"]


def main() -> None:
    from goldloop.data import load_base_table

    X, y = load_base_table()
    timings(X, y)
    print("\n### Test years 2011-2012 (train 1999-2008, validate 2009-2010)\n")
    print("\n".join(HEADER + fixed_split_table(X, y)), flush=True)
    print("\n### Rolling origin, 2003-2012 (refit every two years on all earlier data)\n")
    print("\n".join(HEADER + rolling_origin_table(X, y)), flush=True)


if __name__ == "__main__":
    main()
