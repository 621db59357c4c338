"""Z-score / mean-reversion state of slow series (real rates, spreads, flows).

For each input: where it stands against its trailing window (z-score), how fast it moved
(window change in training-year standard deviations), and the reversion pressure: the
change over the next ``change_window`` days that an AR(1) fitted on the training years
expects, in the same training-year units as the change. (An earlier pressure, −(1 − φ)·z,
was a constant multiple of the z-score, so Gate 2's VIF was infinite.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldloop.models.submodels.base import WARMUP_ROWS, Submodel


class ZScoreState(Submodel):
    DEFAULTS = {"window": 250, "change_window": 20}
    VARIATIONS = [{"window": 250}, {"window": 120}, {"window": 500}, {"window": 250, "change_window": 60}]

    def output_columns(self, inputs: list) -> list:
        cols = []
        for name in inputs:
            cols += [self._col(f"{name}_z"), self._col(f"{name}_chg"), self._col(f"{name}_pressure")]
        return cols

    def _rolling_z(self, x: pd.Series) -> pd.Series:
        roll = x.rolling(int(self.params["window"]), min_periods=WARMUP_ROWS)
        return (x - roll.mean()) / roll.std().replace(0.0, np.nan)

    def fit(self, X: pd.DataFrame) -> ZScoreState:
        values = self._check_input(X)
        k = int(self.params["change_window"])
        self.chg_sd_, self.phi_ = {}, {}
        for c in values.columns:
            self.chg_sd_[c] = float(values[c].diff(k).std() or 1.0)
            z = self._rolling_z(values[c]).dropna().to_numpy()
            # AR(1) of the z-score on training years: phi near 1 = slow reversion.
            self.phi_[c] = float(np.clip(np.polyfit(z[:-1], z[1:], 1)[0], -1.0, 1.0)) if z.size > 10 else 1.0
        self.fitted_ = True
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._require_fitted()
        values = self._check_input(X)
        k = int(self.params["change_window"])
        cols = {}
        for c in values.columns:
            x = values[c]
            z = self._rolling_z(x)
            chg = x.diff(k)
            chg.iloc[:k] = x.iloc[:k] - x.iloc[0]  # shorter change while warming up
            gap = x - x.rolling(int(self.params["window"]), min_periods=WARMUP_ROWS).mean()
            cols[self._col(f"{c}_z")] = z
            cols[self._col(f"{c}_chg")] = chg / self.chg_sd_.get(c, 1.0)
            cols[self._col(f"{c}_pressure")] = -(1.0 - self.phi_.get(c, 1.0) ** k) * gap / self.chg_sd_.get(c, 1.0)
        return self._frame(X, cols)

    def loss(self, X: pd.DataFrame, rows) -> float:
        """Normalised MSE of the fitted AR(1) forecast of tomorrow's z-score change."""
        out = self.transform(X)
        errs, scale = [], []
        for c in X.columns:
            z = out[self._col(f"{c}_z")].to_numpy()
            pred = (self.phi_[c] - 1.0) * z[:-1]
            actual = np.diff(z)
            keep = np.asarray(rows)[1:] & np.isfinite(pred) & np.isfinite(actual)
            errs.append(np.mean((actual[keep] - pred[keep]) ** 2))
            scale.append(np.var(actual[keep]) + 1e-12)
        return float(np.sum(errs) / np.sum(scale))
