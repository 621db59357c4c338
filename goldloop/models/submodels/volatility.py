"""Volatility regime: EWMA volatility, its trend, and a calm/normal/stressed regime.

The EWMA half-life is chosen on the training years (the one that best forecasts the next
day's squared return); the regime thresholds are training-year quantiles. Both are fitted
parameters; the recursion itself only looks back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldloop.models.submodels.base import Submodel


def ewma_variance(r: np.ndarray, halflife: float) -> np.ndarray:
    """σ²(t) from returns up to t: σ²(t) = λσ²(t-1) + (1-λ) r(t)², seeded with r(0)²."""
    lam = 0.5 ** (1.0 / halflife)
    out = np.empty(r.size)
    acc = r[: min(20, r.size)].var() if r.size > 1 else r[0] ** 2
    for t, x in enumerate(r):
        acc = lam * acc + (1.0 - lam) * x * x
        out[t] = acc
    return out


class VolatilityRegime(Submodel):
    DEFAULTS = {"halflives": [5, 10, 20, 40], "long_halflife": 60, "quantiles": [0.33, 0.67]}
    VARIATIONS = [{}, {"long_halflife": 120}, {"quantiles": [0.5, 0.9]},
                  {"halflives": [3, 5, 10], "long_halflife": 30}]

    def output_columns(self, inputs: list) -> list:
        return [self._col("vol_z"), self._col("vol_trend"), self._col("vol_regime")]

    def _nmse(self, r: np.ndarray, var: np.ndarray, rows: np.ndarray) -> float:
        target, forecast = r[1:] ** 2, var[:-1]
        keep = rows[1:]
        return float(np.mean((target[keep] - forecast[keep]) ** 2) / (np.var(target[keep]) + 1e-12))

    def fit(self, X: pd.DataFrame) -> VolatilityRegime:
        r = self._check_input(X).iloc[:, 0].to_numpy()
        everywhere = np.ones(r.size, dtype=bool)
        scores = {h: self._nmse(r, ewma_variance(r, h), everywhere) for h in self.params["halflives"]}
        self.halflife_ = float(min(scores, key=scores.get))
        logvol = 0.5 * np.log(ewma_variance(r, self.halflife_) + 1e-12)
        self.mu_, self.sd_ = float(logvol.mean()), float(logvol.std() + 1e-12)
        self.thresholds_ = np.quantile(logvol, self.params["quantiles"])
        self.fitted_ = True
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._require_fitted()
        r = self._check_input(X).iloc[:, 0].to_numpy()
        logvol = 0.5 * np.log(ewma_variance(r, self.halflife_) + 1e-12)
        long = 0.5 * np.log(ewma_variance(r, float(self.params["long_halflife"])) + 1e-12)
        names = self.output_columns(list(X.columns))
        return self._frame(X, {
            names[0]: (logvol - self.mu_) / self.sd_,
            names[1]: logvol - long,
            names[2]: np.searchsorted(self.thresholds_, logvol).astype(float),
        })

    def loss(self, X: pd.DataFrame, rows) -> float:
        """Normalised MSE of σ²(t) as the forecast of r(t+1)²."""
        self._require_fitted()
        r = self._check_input(X).iloc[:, 0].to_numpy()
        return self._nmse(r, ewma_variance(r, self.halflife_), np.asarray(rows))
