"""Persistence of a return series: rolling Hurst exponent, variance ratio, autocorrelation.

Every statistic at row t is computed from the trailing window ending at t (shorter while
the history is shorter, from the warm-up on), so the output is causal by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldloop.models.submodels.base import WARMUP_ROWS, Submodel


def _hurst_rs(window: np.ndarray) -> float:
    """Rescaled-range Hurst exponent of one window (slope of log R/S on log chunk size)."""
    n = window.size
    sizes = [s for s in (8, 16, 32, 64, 128) if s <= n // 2]
    if len(sizes) < 2:
        return np.nan
    logs, logrs = [], []
    for s in sizes:
        chunks = window[: (n // s) * s].reshape(-1, s)
        dev = np.cumsum(chunks - chunks.mean(axis=1, keepdims=True), axis=1)
        spread = dev.max(axis=1) - dev.min(axis=1)
        sd = chunks.std(axis=1)
        ok = sd > 0
        if not ok.any():
            return np.nan
        logs.append(np.log(s))
        logrs.append(np.log((spread[ok] / sd[ok]).mean()))
    return float(np.polyfit(logs, logrs, 1)[0])


def _variance_ratio(window: np.ndarray, q: int) -> float:
    """Lo-MacKinlay variance ratio: var of q-day sums / (q · var of 1-day), 1 = random walk."""
    var1 = window.var()
    if window.size <= q or var1 == 0:
        return np.nan
    sums = np.convolve(window, np.ones(q), mode="valid")
    return float(sums.var() / (q * var1))


def _autocorr(window: np.ndarray) -> float:
    a, b = window[:-1], window[1:]
    if a.std() == 0 or b.std() == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])


class Persistence(Submodel):
    """Trend vs mean reversion of the first input column over a trailing window."""

    DEFAULTS = {"window": 120, "vr_lag": 5}
    VARIATIONS = [{"window": 120}, {"window": 60}, {"window": 250}, {"window": 120, "vr_lag": 10}]

    def output_columns(self, inputs: list) -> list:
        return [self._col("hurst"), self._col("variance_ratio"), self._col("autocorr")]

    def fit(self, X: pd.DataFrame) -> Persistence:
        self._check_input(X)  # nothing to learn: the statistics are fixed formulas
        self.fitted_ = True
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._require_fitted()
        r = self._check_input(X).iloc[:, 0].to_numpy()
        w, q = int(self.params["window"]), int(self.params["vr_lag"])
        out = np.full((r.size, 3), np.nan)
        for t in range(WARMUP_ROWS - 1, r.size):
            window = r[max(0, t + 1 - w): t + 1]
            out[t] = (_hurst_rs(window), _variance_ratio(window, q), _autocorr(window))
        names = self.output_columns(list(X.columns))
        return self._frame(X, dict(zip(names, out.T, strict=True)))

    def loss(self, X: pd.DataFrame, rows) -> float:
        """Normalised MSE of the AR(1) forecast r̂(t+1) = autocorr(t) · r(t)."""
        r = self._check_input(X).iloc[:, 0].to_numpy()
        ac = self.transform(X)[self._col("autocorr")].to_numpy()
        pred, actual = ac[:-1] * r[:-1], r[1:]
        keep = np.asarray(rows)[:-1] & np.isfinite(pred)
        return float(np.mean((actual[keep] - pred[keep]) ** 2) / (np.var(actual[keep]) + 1e-12))
