"""The meta-model end to end on the offline panel with fast settings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from goldloop.data import load_base_table
from goldloop.models.meta import DEFAULT_PARAMS, SEARCH_SPACE, MetaInputError, fit_meta


@pytest.fixture(scope="module")
def base():
    return load_base_table()


@pytest.fixture(scope="module")
def fast_result(base):
    X, y = base
    return fit_meta(X, y, fast=True, n_trials=2, seed=0, n_jobs=1)


def test_predicts_every_split_in_time_order(fast_result, base):
    X, y = base
    pred = fast_result.predictions
    assert list(pred.columns) == ["date", "split", "y_true", "y_pred"]
    assert len(pred) == len(X) and np.isfinite(pred["y_pred"]).all()
    last = pred.groupby("split")["date"].max()
    first = pred.groupby("split")["date"].min()
    assert last["train"] <= pd.Timestamp("1995-12-31") < first["val"]
    assert last["val"] <= pd.Timestamp("2007-12-31") < first["test"]
    np.testing.assert_allclose(pred["y_true"], y.to_numpy())


def test_reports_the_headline_metrics_per_split(fast_result):
    assert set(fast_result.metrics) == {"train", "val"}  # the test years: the final evaluation only
    for split in ("train", "val"):
        m = fast_result.metrics[split]
        assert {"direction_accuracy", "high_confidence_da", "mae", "sharpe", "n"} <= set(m)
        assert 0.3 < m["direction_accuracy"] < 0.7  # daily gold: near a coin flip, never 94 %
    data = fast_result.to_dict()
    json.dumps(data)
    assert data["n_trials"] == 2 and data["best_iteration"] >= 1


def test_searched_params_stay_in_the_static_space(fast_result):
    for name, spec in SEARCH_SPACE.items():
        assert spec[1] <= fast_result.params[name] <= spec[2], name


def test_fixed_params_are_kept_and_zero_trials_means_defaults(base):
    X, y = base
    result = fit_meta(X, y, params={"max_depth": 2, "learning_rate": 0.05}, n_trials=0,
                      fast=True, n_jobs=1)
    assert result.params == {**DEFAULT_PARAMS, "learning_rate": 0.05}


def test_misaligned_or_short_input_is_refused(base):
    X, y = base
    with pytest.raises(MetaInputError):
        fit_meta(X, y.iloc[:-1], fast=True)
    with pytest.raises(MetaInputError):
        fit_meta(X.iloc[:100], y.iloc[:100], fast=True)
    with pytest.raises(MetaInputError, match="non-numeric"):
        fit_meta(X.assign(tag="x"), y, fast=True)
