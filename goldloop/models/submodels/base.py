"""What every submodel shares: parameters, the causal contract, the train/val runner.

A submodel does not predict the project's target. It turns a family's raw inputs into
hidden state (regimes, persistence, context). Contract: ``fit`` sees past data only (the
caller passes the training slice); ``transform`` is causal — row t of the output depends on
input rows up to t only, so truncating the input never changes earlier outputs.

This module and each submodel module are inlined verbatim into the Kaggle notebooks (where
goldloop is not installed), so they import only numpy, pandas and their model library.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

try:  # on Kaggle goldloop is absent: fall back to a plain exception with the same shape
    from goldloop.errors import GoldloopError
except ImportError:  # pragma: no cover - exercised inside notebooks
    class GoldloopError(Exception):
        def __init__(self, message, hint=None):
            super().__init__(message if hint is None else f"{message}\nHint: {hint}")
            self.message, self.hint = message, hint

WARMUP_ROWS = 60  # outputs may be NaN only in the first rows (Gate 1's warm-up)
DEFAULT_TRAIN_END = "1995-12-31"
DEFAULT_VAL_END = "2007-12-31"


class SubmodelError(GoldloopError):
    """A submodel got unusable input or parameters, or needs a package that is missing."""


class Submodel:
    """Base class: ``DEFAULTS`` are the parameters, ``VARIATIONS`` the autopilot's tries."""

    DEFAULTS: dict = {}
    VARIATIONS: list = [{}]
    REQUIRES: tuple = ()

    def __init__(self, prefix: str = "sub", seed: int = 0, **params):
        unknown = sorted(set(params) - set(self.DEFAULTS))
        if unknown:
            raise SubmodelError(
                f"{type(self).__name__} has no parameter(s) {', '.join(unknown)}",
                f"use: {', '.join(sorted(self.DEFAULTS)) or 'none'}")
        self.prefix = prefix
        self.seed = int(seed)
        self.params = {**self.DEFAULTS, **params}
        self.fitted_ = False

    # -- the interface ---------------------------------------------------------------------
    def output_columns(self, inputs: list) -> list:
        raise NotImplementedError

    def fit(self, X: pd.DataFrame) -> Submodel:
        raise NotImplementedError

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    def loss(self, X: pd.DataFrame, rows) -> float:
        """A self-supervised, causal loss averaged over ``rows`` (a boolean mask on X; lower is
        better). X carries the history before those rows so rolling state is warm."""
        raise NotImplementedError

    # -- shared helpers ----------------------------------------------------------------------
    def output_schema(self, inputs: list) -> dict:
        """Declared output: column name -> dtype. ``transform`` returns exactly these."""
        return {c: "float64" for c in self.output_columns(inputs)}

    def fit_transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return self.fit(X).transform(X)

    def _col(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def _check_input(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
            raise SubmodelError("submodel input must be a DataFrame with at least one column",
                                "pass the family's input columns, date-indexed")
        if len(X) < 2 * WARMUP_ROWS:
            raise SubmodelError(f"submodel input has {len(X)} rows, fewer than {2 * WARMUP_ROWS}",
                                "pass a longer history")
        values = X.astype("float64")
        if not np.isfinite(values.to_numpy()).all():
            raise SubmodelError("submodel input has NaN or infinite values",
                                "run the datacheck and fill or drop them first")
        return values

    def _require_fitted(self) -> None:
        if not self.fitted_:
            raise SubmodelError(f"{type(self).__name__} is not fitted", "call fit() on past data first")

    def _frame(self, X: pd.DataFrame, columns: dict) -> pd.DataFrame:
        out = pd.DataFrame(columns, index=X.index)
        return out[self.output_columns(list(X.columns))].astype("float64")


def split_masks(index: pd.DatetimeIndex, train_end: str, val_end: str):
    """Boolean masks for train (≤ train_end) and validation (train_end, val_end]."""
    train = index <= pd.Timestamp(train_end)
    val = (index > pd.Timestamp(train_end)) & (index <= pd.Timestamp(val_end))
    if train.sum() < 2 * WARMUP_ROWS or val.sum() < WARMUP_ROWS:
        raise SubmodelError(
            f"too little data around the split: {int(train.sum())} train and {int(val.sum())} "
            f"validation rows (train_end {train_end}, val_end {val_end})",
            "move train_end / val_end inside the data's date range")
    return train, val


def run_submodel(model: Submodel, X: pd.DataFrame, train_end: str = DEFAULT_TRAIN_END,
                 val_end: str = DEFAULT_VAL_END):
    """Fit on the training years only, transform every row causally, score train vs val.

    Returns (output frame, metrics dict with train_loss, val_loss, overfit_ratio, ...).
    """
    train, val = split_masks(X.index, train_end, val_end)
    model.fit(X[train])
    out = model.transform(X)
    expected = model.output_columns(list(X.columns))
    if list(out.columns) != expected:
        raise SubmodelError(f"{type(model).__name__} returned {list(out.columns)}, "
                            f"declared {expected}")
    upto_val = X[train | val]
    train_loss = float(model.loss(upto_val, train[train | val]))
    val_loss = float(model.loss(upto_val, val[train | val]))
    metrics = {
        "submodel": type(model).__name__,
        "params": model.params,
        "train_loss": train_loss,
        "val_loss": val_loss,
        "overfit_ratio": val_loss / train_loss if train_loss and math.isfinite(train_loss) else None,
        "rows": int(len(out)),
        "train_rows": int(train.sum()),
        "val_rows": int(val.sum()),
        "nan_share": float(out.isna().to_numpy().mean()),
        "columns": expected,
    }
    json.dumps(metrics)  # fail here, not in the notebook's last cell, if anything is odd
    return out, metrics
