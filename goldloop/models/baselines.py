"""Baseline forecasts the final evaluation compares the meta-model with, on the same days.

The gates compute always-long and yesterday's sign themselves; these two need the raw
features: 20-day momentum and a default XGBoost on the raw (base) features — the "what if we
had skipped the submodels and the tuning" baseline.
"""

from __future__ import annotations

from typing import Any


def raw_feature_forecasts(fit_end: str | None = None, seed: int = 0, config: Any = None,
                          root: Any = None, n_jobs: int | None = None) -> dict[str, Any]:
    """Forecasts for every day after ``fit_end`` (default: the validation end of the config's data).

    XGBoost gets ``n_jobs`` threads, by default the cores free right now (``free_cores``): a
    fixed 2 on a busy 2-core machine ran far slower than 1.
    """
    import pandas as pd
    from xgboost import XGBRegressor

    from goldloop.data import data_split, load_base_table
    from goldloop.walkforward import free_cores

    X, y = load_base_table(config, root)
    fit = X.index <= pd.Timestamp(fit_end or data_split(config, root)[1])
    after = ~fit
    model = XGBRegressor(random_state=seed, n_jobs=n_jobs or free_cores()).fit(X[fit], y[fit])
    forecasts = {"raw_feature_xgboost": pd.Series(model.predict(X[after]), index=X.index[after])}
    momentum = f"{config.project.target.series if config is not None else 'gold'}_mom_20"
    if momentum in X.columns:  # the target's own 20-day momentum, when the table has it
        forecasts["momentum_20d"] = X.loc[after, momentum] / 20.0
    return forecasts
