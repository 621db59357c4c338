"""Final evaluation: targets with waivers, baselines on the same split, DSR, train–test gap."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from goldloop.config import GateSettings
from goldloop.errors import GateInputError
from goldloop.gates import final_evaluation, final_for_attempt
from goldloop.state.ops import start_attempt, update_attempt
from goldloop.state.store import StateStore
from tests.conftest import PYTHON


def _predictions(n_train=600, n_test=400, skill=0.6, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=n_train + n_test)
    y = rng.standard_t(4, len(dates))
    pred = skill * y + rng.normal(0, 1, len(dates))
    pred[:n_train] = y[:n_train] * 0.9 + rng.normal(0, 0.2, n_train)  # train fits far better: overfit
    split = ["train"] * n_train + ["test"] * n_test
    return pd.DataFrame({"date": dates, "split": split, "y_true": y, "y_pred": pred})


def test_metrics_targets_waivers_and_baselines():
    settings = GateSettings.model_validate({"final": {"mae_pct": 0.1, "waivers": {"mae": "MAE target was set for a calmer market"}}})
    pred = _predictions()
    test = pred[pred.split == "test"].set_index("date")
    evaluation = final_evaluation(pred, n_trials=15, settings=settings,
                                  baselines={"raw_xgboost": test["y_true"].shift(1) * 0 + 0.01})
    v = evaluation["verdicts"]
    assert v["direction_accuracy"]["status"] == "PASS"
    assert v["mae"]["status"] == "WAIVED" and "calmer" in v["mae"]["reason"]
    hits = np.sign(test.y_true) == np.sign(test.y_pred)
    assert evaluation["metrics"]["direction_accuracy"] == pytest.approx(hits.mean())
    lo, hi = evaluation["metrics"]["direction_accuracy_ci"]
    assert lo < hits.mean() < hi
    assert set(evaluation["baselines"]) == {"always_long", "yesterday_sign", "raw_xgboost"}
    long_da = (test.y_true > 0).mean()
    assert evaluation["baselines"]["always_long"]["direction_accuracy"] == pytest.approx(long_da)
    gap = evaluation["overfitting_gap"]
    assert gap["train_da"] > 0.9 and gap["gap_pp"] > 10
    assert evaluation["n_test"] == 400 and len(evaluation["curves"]["dates"]) == 400
    json.dumps(evaluation)  # storable as it is


def test_more_trials_deflate_more():
    pred = _predictions(skill=0.15, seed=1)
    one = final_evaluation(pred, n_trials=1, settings=GateSettings())["deflated_sharpe"]
    many = final_evaluation(pred, n_trials=30, settings=GateSettings())["deflated_sharpe"]
    assert one["expected_max_sharpe"] == 0 and many["expected_max_sharpe"] > 0
    assert many["dsr"] < one["dsr"]


def test_a_model_that_is_always_long_is_called_that_and_ties_do_not_inflate_hc_da():
    pred = _predictions(seed=3)
    test = pred["split"] == "test"
    pred.loc[test, "y_pred"] = 0.02  # the drift: the same positive forecast every test day
    evaluation = final_evaluation(pred, n_trials=1, settings=GateSettings())
    positions = evaluation["positions"]
    assert positions["equals_always_long"] and positions["days_differing_from_always_long"] == 0
    assert "equal always-long on every test day" in positions["statement"]
    # top 20 % of confidence is 80 of 400 days even when every forecast ties, not all 400
    assert evaluation["metrics"]["high_confidence_days"] == 80
    pred.loc[pred.index[test][:7], "y_pred"] = -0.01
    assert final_evaluation(pred, n_trials=1, settings=GateSettings())["positions"][
        "days_differing_from_always_long"] == 7


def test_the_final_equity_plot_names_lines_drawn_on_top_of_each_other(tmp_path):
    from goldloop.gates.report import plot_equity, write_final_report

    pred = _predictions(seed=4)
    pred.loc[pred["split"] == "test", "y_pred"] = 0.03  # long every day: the always-long curve exactly
    evaluation = final_evaluation(pred, n_trials=1, settings=GateSettings())
    report = write_final_report(tmp_path, evaluation, [])
    assert "always_long (identical to final model)" in report.read_text(encoding="utf-8")
    dates = pd.bdate_range("2020-01-01", periods=5)
    labels = plot_equity({"a": (dates, np.ones(5)), "b": (dates, np.zeros(5)), "c": (dates, np.ones(5))},
                         tmp_path / "equity.png", "three lines")
    assert labels == ["a", "b", "c (identical to a)"]
    assert (tmp_path / "equity.png").stat().st_size > 1000


def test_yesterdays_sign_on_the_first_test_day_is_the_last_validation_days_return():
    pred = _predictions(n_train=300, n_test=100, seed=5)
    pred.loc[200:299, "split"] = "val"  # what the meta-model writes: train, val, test
    pred.loc[199, "y_true"], pred.loc[299, "y_true"] = -1.0, 1.0  # last train day down, last val day up
    pred.loc[300, "y_true"] = 2.0  # the first test day is up: yesterday's sign (val's last day) is right
    curves = final_evaluation(pred, n_trials=1, settings=GateSettings())["curves"]["returns"]
    assert curves["yesterday_sign"][0] == pytest.approx(2.0 - 0.05)  # long, paying the entry cost


def test_bad_predictions():
    with pytest.raises(GateInputError, match="y_pred"):
        final_evaluation(pd.DataFrame({"date": ["2020-01-01"], "y_true": [1.0]}), n_trials=1, settings=GateSettings())


def test_final_for_attempt_report_state_and_cli(ws, clean_env):
    store = StateStore(ws)
    for attempt, sharpe in ((1, 0.4), (2, 1.1)):
        start_attempt(store, "meta", attempt)
        # what the meta-model notebook's metrics.json holds: train and validation only
        update_attempt(store, "meta", attempt, actor="evaluator", summary="metrics",
                       metrics={"metrics": {"train": {"direction_accuracy": 0.9 - 0.1 * attempt, "sharpe": 2.0},
                                            "val": {"direction_accuracy": 0.52 + 0.02 * attempt, "sharpe": sharpe}}})
    folder = ws.results / "meta_2"
    folder.mkdir(parents=True)
    _predictions().to_csv(folder / "predictions.csv", index=False)
    evaluation = final_for_attempt(ws, 2)
    assert evaluation["deflated_sharpe"]["n_trials"] == 2
    from goldloop.gates.final import history_from_state

    history = history_from_state(store.read())  # one train and one validation point per attempt
    assert [(h["train_da"], h["val_da"]) for h in history] == [(0.8, 0.54), (0.7, 0.56)]
    assert "positions differ from always-long" in (folder / "final.md").read_text(encoding="utf-8")
    for name in ("final.md", "final_baselines.png", "final_overfitting.png", "final_equity.png"):
        assert (folder / name).stat().st_size > 0, name
    stored = store.read().meta.attempt(2).gates["final"]
    assert "curves" not in stored and stored["verdicts"]["direction_accuracy"]["status"] in ("PASS", "FAIL")
    out = subprocess.run([PYTHON, "-m", "goldloop.cli", "-w", str(ws.root), "gates", "final", "--attempt", "2",
                          "--n-trials", "40", "--json"], capture_output=True, text=True, env=clean_env, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["deflated_sharpe"]["n_trials"] == 40 and data["deflated_sharpe"]["dsr"] < evaluation["deflated_sharpe"]["dsr"]
