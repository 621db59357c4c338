"""Gate 2: mutual information (cross-checked with scikit-learn), VIF, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import mutual_info_regression

from goldloop.gates import check, synthetic
from goldloop.gates.gate2 import ksg_mutual_information


def test_ksg_matches_sklearn_per_feature_mi():
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    for y in (x + rng.normal(size=2000), np.sin(2 * x) + 0.3 * rng.normal(size=2000), rng.normal(size=2000)):
        ours = ksg_mutual_information(x, y, k=3, seed=0)
        ref = mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=3, random_state=0)[0]
        assert max(ours, 0.0) == pytest.approx(ref, abs=0.01)  # scikit-learn clips at 0


def test_ksg_joint_mi_of_gaussians_is_close_to_closed_form():
    # y = x1 + x2 + e: I(y; x1, x2) = 0.5 * log(var(y) / var(e)) = 0.5 * log(3) for unit variances
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3000, 2))
    y = x.sum(axis=1) + rng.normal(size=3000)
    assert ksg_mutual_information(x, y) == pytest.approx(0.5 * np.log(3), abs=0.05)


def test_signal_raises_mi_and_passes(panel, settings):
    base, target = panel
    gate = check(synthetic.signal(target, 0.25), base, target, metrics=None, settings=settings,
                 gates=("gate2",)).gates["gate2"]
    mi = gate["mutual_information"]
    assert mi["mi_base_plus_new"] > mi["mi_base"]
    assert gate["pass"], [c for c in gate["checks"] if not c["pass"]]
    # the per-feature cross-check agrees that the column carries information
    assert mi["per_feature_mi_sklearn"]["signal"] > 0.01


def test_collinear_copy_fails_vif(panel, settings):
    base, target = panel
    rng = np.random.default_rng(3)
    copy = pd.DataFrame({"copy": 2.0 * base["macro_2"] + 0.01 * rng.normal(size=len(base))}, index=base.index)
    gate = check(copy, base, target, metrics=None, settings=settings, gates=("gate2",)).gates["gate2"]
    assert gate["vif"]["copy"] > 100
    assert not gate["pass"]
    assert not next(c for c in gate["checks"] if c["name"] == "vif[copy]")["pass"]


def test_rolling_correlation_stability_matches_pandas(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 9)
    gate = check(new, base, target, metrics=None, settings=settings, gates=("gate2",)).gates["gate2"]
    expected = new["noise"].rolling(settings.gate2.corr_window).corr(target).std()
    assert gate["rolling_corr_std"]["noise"] == pytest.approx(expected)
