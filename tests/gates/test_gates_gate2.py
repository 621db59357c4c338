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


def test_mi_gain_is_measured_against_a_null_of_the_same_dimensions():
    """The k-NN estimate shifts with every added dimension, so against the base alone pure noise
    shows a 'gain' or 'loss' that depends on the panel. Against the new columns shifted out of
    alignment (same dimensions), noise averages about zero. Real data: the offline panel."""
    from goldloop.data import load_base_table
    from goldloop.gates.gate2 import mutual_information_gain

    base, target = load_base_table()
    base, target = base[:"2007-12-31"], target[:"2007-12-31"]  # the rows the gates see
    noise = [mutual_information_gain(base, synthetic.noise(target.index, 40 + i), target) for i in range(6)]
    assert abs(np.mean([m["mi_increase"] for m in noise])) < 0.1
    signal = mutual_information_gain(base, synthetic.signal(target, 0.2, seed=300), target)
    assert signal["mi_increase"] > 0.05
    assert "shifted out of alignment" in signal["null"] and signal["mi_null"] is not None
    original = mutual_information_gain(base, synthetic.signal(target, 0.2, seed=300), target, null_shifts_count=0)
    assert original["mi_null"] is None and original["mi_increase"] == original["mi_increase_vs_base_alone"]
