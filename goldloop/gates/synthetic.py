"""A synthetic panel with known truth, for the gates' tests, benchmark and demos.

The target behaves like a daily return in percent (GARCH(1,1) volatility, Student-t shocks);
base columns are what a feature table holds (lagged returns, rolling volatility and momentum,
persistent AR(1) "macro" series). Helpers plant a real signal, pure noise, a leak or a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def panel(rows: int = 1500, base_columns: int = 10, seed: int = 0) -> tuple[Any, Any]:
    """(base table, target) on business days; the target at t is the return from t to t+1."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = rows + 60
    shocks = rng.standard_t(5, n) / np.sqrt(5 / 3)
    var = np.empty(n)
    r = np.empty(n)
    var[0] = 1.0
    for t in range(n):
        if t:
            var[t] = 0.02 + 0.06 * r[t - 1] ** 2 + 0.92 * var[t - 1]
        r[t] = np.sqrt(var[t]) * shocks[t]
    dates = pd.bdate_range("2008-01-01", periods=n)
    realised = pd.Series(r, index=dates)  # return ending at each date
    target = realised.shift(-1).rename("target")  # next day's return
    cols: dict[str, Any] = {}
    for lag in range(min(5, base_columns)):
        cols[f"ret_lag{lag}"] = realised.shift(lag)
    windows = [5, 10, 20, 60]
    k = 0
    while len(cols) < base_columns:
        w = windows[k % len(windows)]
        kind = k % 3
        if kind == 0:
            cols[f"vol_{w}_{k}"] = realised.rolling(w).std()
        elif kind == 1:
            cols[f"mom_{w}_{k}"] = realised.rolling(w).mean()
        else:
            e = rng.standard_normal(n)
            ar = np.empty(n)
            ar[0] = e[0]
            for t in range(1, n):
                ar[t] = 0.97 * ar[t - 1] + e[t]
            cols[f"macro_{k}"] = pd.Series(ar, index=dates)
        k += 1
    base = pd.DataFrame(cols).iloc[60:]
    return base, target.iloc[60:]


def signal(target: Any, corr: float = 0.2, seed: int = 1, name: str = "signal") -> Any:
    """A column correlated ``corr`` with the target: the predictive content a good submodel adds."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    z = (target - target.mean()) / target.std()
    x = corr * z.fillna(0.0) + np.sqrt(1 - corr**2) * rng.standard_normal(len(target))
    return pd.DataFrame({name: x}, index=target.index)


def noise(index: Any, seed: int, name: str = "noise", persistence: float = 0.5) -> Any:
    """An AR(1) column independent of everything else."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    e = rng.standard_normal(len(index))
    x = np.empty(len(index))
    x[0] = e[0]
    for t in range(1, len(index)):
        x[t] = persistence * x[t - 1] + e[t]
    return pd.DataFrame({name: x}, index=index)
