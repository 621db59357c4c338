"""The test years are untouchable: perturbing every test-period value of the target changes no
gate verdict or figure and no meta-model attempt's stored metrics (issue #15, item 1)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from goldloop.data import load_base_table
from goldloop.data.panel import data_split
from goldloop.gates import check, synthetic


@pytest.fixture(scope="module")
def real():
    base, target = load_base_table()
    train_end, val_end = data_split()
    rng = np.random.default_rng(15)
    test = target.index > pd.Timestamp(val_end)
    perturbed = target.copy()
    perturbed[test] = rng.standard_t(3, int(test.sum())) * 5.0  # wild values on every test day
    assert test.sum() > 1000 and not np.allclose(perturbed[test], target[test])
    return base, target, perturbed, (train_end, val_end)


def _gates(new, base, target, periods, settings):
    result = check(new, base, target, metrics={"train_loss": 1.0, "val_loss": 1.2}, settings=settings,
                   fast=True, periods=periods)
    return json.dumps(result.to_dict(), sort_keys=True)


@pytest.mark.parametrize("ic", [0.0, 0.1])
def test_gate_results_ignore_the_test_years(real, settings, ic):
    base, target, perturbed, periods = real
    new = synthetic.signal(target, ic, seed=31, name="planted")  # fixed once, from the real target
    assert _gates(new, base, target, periods, settings) == _gates(new, base, perturbed, periods, settings)


def test_meta_model_attempt_metrics_ignore_the_test_years(real):
    from goldloop.models.meta import fit_meta

    base, target, perturbed, (train_end, val_end) = real
    first = fit_meta(base, target, fast=True, n_trials=1, n_jobs=1, train_end=train_end, val_end=val_end)
    second = fit_meta(base, perturbed, fast=True, n_trials=1, n_jobs=1, train_end=train_end, val_end=val_end)
    # what metrics.json holds, but the wall time
    stored = [json.dumps({k: v for k, v in r.to_dict().items() if k != "seconds"}, sort_keys=True)
              for r in (first, second)]
    assert stored[0] == stored[1]
    assert "test" not in first.metrics
    # the test years are still predicted, for the final evaluation to score once
    assert (first.predictions["split"] == "test").sum() > 1000
