"""Gate 3: a planted signal passes as significant; pure noise passes at about the nominal rate."""

from __future__ import annotations

import pytest

from goldloop.errors import GateInputError
from goldloop.gates import check, synthetic

NOISE_COLUMNS = 60


def _gate3(new, panel, settings, **kw):
    base, target = panel
    return check(new, base, target, metrics=None, settings=settings, gates=("gate3",), **kw).gates["gate3"]


def test_planted_signal_passes_as_significant(panel, settings):
    gate = _gate3(synthetic.signal(panel[1], 0.25, seed=11), panel, settings, fast=True)
    assert gate["verdict"] == "pass, significant"
    assert gate["pass"]
    sig = [name for name, d in gate["deltas"].items() if d["significant"]]
    assert sig and all(gate["deltas"][n]["ci"][0] > 0 or gate["deltas"][n]["ci"][1] < 0 for n in sig)
    assert gate["with_new"]["direction_accuracy"] > gate["base"]["direction_accuracy"]
    assert gate["diebold_mariano"]["mae"]["dm_stat"] > 0


def test_full_design_uses_same_folds_and_seeds_for_both_arms(panel, settings):
    gate = _gate3(synthetic.signal(panel[1], 0.25, seed=12), panel, settings)
    design = gate["design"]
    assert (design["folds"], design["seeds"]) == (settings.gate3.folds, settings.gate3.seeds)
    assert len(gate["per_seed"]) == settings.gate3.seeds
    assert all(s["direction_accuracy_pp"] > 0 for s in gate["per_seed"])
    assert gate["pass"]


def test_noise_false_pass_rate_is_near_nominal(panel, settings):
    """Over many pure-noise columns the gate must pass about alpha of the time, not ~30 %."""
    passes = point_passes = 0
    for i in range(NOISE_COLUMNS):
        gate = _gate3(synthetic.noise(panel[1].index, 500 + i), panel, settings, fast=True)
        passes += gate["pass"]
        point_passes += gate["verdict"] != "fail"
    rate = passes / NOISE_COLUMNS
    # nominal 5 %: P(Binomial(60, 0.05) >= 8) < 0.02, so 8 or more would mean a broken test
    assert rate <= 7 / NOISE_COLUMNS, f"false-pass rate {rate:.2%}"
    # the original's point-estimate rule alone would let far more noise through
    assert point_passes / NOISE_COLUMNS > 0.15


def test_point_rule_is_available_when_significance_is_not_required(panel, settings):
    loose = settings.model_copy(update={"gate3": settings.gate3.model_copy(update={"require_significance": False})})
    noisy = [_gate3(synthetic.noise(panel[1].index, 900 + i), panel, loose, fast=True) for i in range(8)]
    assert all(g["pass"] == (g["verdict"] != "fail") for g in noisy)


def test_too_few_rows_for_the_folds_is_an_input_error(settings):
    base, target = synthetic.panel(rows=160, base_columns=4, seed=2)
    with pytest.raises(GateInputError, match="too few"):
        check(synthetic.noise(target.index, 1), base, target, metrics=None, settings=settings)
