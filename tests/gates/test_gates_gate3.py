"""Gate 3: known-truth columns planted on the real offline panel pass at the rates the primary
test's power says; pure noise passes at most at about its level; the base arm rides the drift."""

from __future__ import annotations

import numpy as np
import pytest

from goldloop.errors import GateInputError
from goldloop.gates import check, synthetic

DRAWS = 20


@pytest.fixture(scope="module")
def real():
    from goldloop.data import load_base_table
    from goldloop.data.panel import data_split

    base, target = load_base_table()
    return base, target, data_split()


def _gate3(new, base, target, settings, **kw):
    return check(new, base, target, metrics=None, settings=settings, gates=("gate3",), **kw).gates["gate3"]


def _pass_count(real, settings, ic: float) -> int:
    base, target, periods = real
    return sum(_gate3(synthetic.signal(target, ic, seed=700 + d, name="planted"), base, target, settings,
                      fast=True, periods=periods)["pass"] for d in range(DRAWS))


# Bounds from the binomial law at the rates bench/bench_gates.py measured over 50+ draws (docs/gates.md):
# each bound fails by chance with probability < 1 % for a gate working as measured.
@pytest.mark.parametrize(("ic", "low", "high"), [
    (0.0, 0, 4),     # level 5 %: P(Bin(20, 0.05) >= 5) = 0.3 %
    (0.03, 3, 17),   # measured ~45-50 %
    (0.05, 11, 20),  # measured >= 80 %: P(Bin(20, 0.8) <= 10) = 0.3 %
    (0.10, 19, 20),  # measured 100 %
])
def test_planted_ic_pass_rates_on_the_real_panel(real, settings, ic, low, high):
    passes = _pass_count(real, settings, ic)
    assert low <= passes <= high, f"IC {ic}: {passes}/{DRAWS} passed"


def test_the_base_arm_starts_from_the_drift_and_tests_after_the_submodels_training_end(real, settings):
    base, target, periods = real
    gate = _gate3(synthetic.noise(target.index, 5), base, target, settings, fast=True, periods=periods)
    design = gate["design"]
    assert design["test_start"] > periods[0] and design["test_end"] <= periods[1]
    assert design["test_days"] > 2900
    # a ridge started from the training mean is mostly long, like always-long, not a coin flip
    assert gate["base"]["days_short"] < 0.25 * design["test_days"]
    assert gate["base"]["direction_accuracy"] > 0.5
    assert gate["primary"]["test"].startswith("Clark–West")
    assert gate["pass"] == gate["primary"]["significant"]


def test_secondary_arms_are_deterministic_with_one_seed(panel, settings):
    base, target = panel
    new = synthetic.signal(target, 0.25, seed=12)
    from goldloop.gates.gate3 import clear_cache

    first = _gate3(new, base, target, settings)
    clear_cache()
    again = _gate3(new, base, target, settings)
    assert first["design"]["seeds"] == settings.gate3.seeds == 1
    assert first["secondary_xgboost"] == again["secondary_xgboost"]
    assert first["pass"] and first["original_rule_met"]


def test_the_original_point_rule_is_available_and_lets_noise_through(real, settings):
    loose = settings.model_copy(update={"gate3": settings.gate3.model_copy(update={"require_significance": False})})
    base, target, periods = real
    noisy = [_gate3(synthetic.noise(target.index, 900 + i), base, target, loose, fast=True, periods=periods)
             for i in range(8)]
    assert all(g["pass"] == g["original_rule_met"] for g in noisy)
    assert sum(g["original_rule_met"] for g in noisy) >= 2  # the point: only noise needs no test


def test_too_few_rows_for_the_folds_is_an_input_error(settings):
    base, target = synthetic.panel(rows=160, base_columns=4, seed=2)
    with pytest.raises(GateInputError, match="too few"):
        check(synthetic.noise(target.index, 1), base, target, metrics=None, settings=settings)


def test_clark_west_equals_twice_the_covariance_of_contribution_and_error():
    from goldloop.gates.stats import clark_west

    rng = np.random.default_rng(0)
    y, pb = rng.normal(size=2000), rng.normal(scale=0.1, size=2000)
    pn = pb + 0.1 * y + rng.normal(scale=0.1, size=2000)  # the new arm knows part of y
    out = clark_west(y, pb, pn)
    assert out["statistic"] > 5 and out["p_value"] < 1e-6
    f = 2 * (y - pb) * (pn - pb)
    assert out["statistic"] == pytest.approx(f.mean() / (f.std() / np.sqrt(len(f))), rel=0.1)
    assert clark_west(y, pb, pb)["p_value"] == 1.0
