"""Gate 1: quality and leakage detectors against planted defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldloop.gates import check, synthetic, truncation_test

METRICS = {"train_loss": 1.0, "val_loss": 1.2}


def _gate1(new, panel, settings, metrics=METRICS):
    base, target = panel
    return check(new, base, target, metrics=metrics, settings=settings, gates=("gate1",)).gates["gate1"]


def _failed(gate):
    return {c["name"] for c in gate["checks"] if not c["pass"]}


def test_honest_signal_passes(panel, settings):
    gate = _gate1(synthetic.signal(panel[1], 0.2), panel, settings)
    assert gate["pass"], _failed(gate)


def test_future_return_shifted_in_fails_as_leakage(panel, settings):
    base, target = panel
    leaked = pd.DataFrame({"leak": target.to_numpy()}, index=target.index)  # tomorrow's return at t
    gate = _gate1(leaked, panel, settings)
    assert "leakage[leak]" in _failed(gate)
    two_ahead = pd.DataFrame({"leak2": target.shift(-1).to_numpy()}, index=target.index)
    assert "leakage[leak2]" in _failed(_gate1(two_ahead, panel, settings))
    # the same data one day late (information the model may use) is not a leak
    late = pd.DataFrame({"lagged": target.shift(2).to_numpy()}, index=target.index)
    assert "leakage[lagged]" not in _failed(_gate1(late, panel, settings))


def test_overfit_ratio_nan_and_constant_columns_fail(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 5)
    assert "overfit_ratio" in _failed(_gate1(new, panel, settings, {"train_loss": 1.0, "val_loss": 1.6}))
    holes = new.copy()
    holes.iloc[500:510, 0] = np.nan
    assert "nan_after_warmup[noise]" in _failed(_gate1(holes, panel, settings))
    flat = new.copy()
    flat.iloc[:, 0] = 0.0
    flat.iloc[:5, 0] = 1.0
    assert "not_constant[noise]" in _failed(_gate1(flat, panel, settings))


def test_misaligned_index_is_caught(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 6)
    dup = pd.concat([new, new.iloc[100:103]]).sort_index()
    assert "duplicated_dates" in _failed(_gate1(dup, panel, settings))
    shifted = new.set_axis(new.index + pd.Timedelta(days=1))  # Friday values stamped on Saturday
    gate = _gate1(shifted, panel, settings)
    off = next(c for c in gate["checks"] if c["name"] == "off_calendar_dates")
    assert not off["pass"] and "shifted" in off["detail"]
    beyond = pd.concat([new, pd.DataFrame({"noise": [1.0]}, index=[target.index.max() + pd.Timedelta(days=400)])])
    assert "dates_beyond_data" in _failed(_gate1(beyond, panel, settings))


def test_truncation_test_accepts_causal_and_rejects_look_ahead():
    idx = pd.bdate_range("2020-01-01", periods=300)
    data = pd.DataFrame({"x": np.random.default_rng(0).normal(size=300).cumsum()}, index=idx)
    causal = truncation_test(lambda d: d.rolling(10).mean(), data, cuts=5)
    assert causal["pass"] and causal["max_abs_diff"] == 0
    centred = truncation_test(lambda d: d.rolling(11, center=True).mean(), data, cuts=5)
    full_sample = truncation_test(lambda d: (d - d.mean()) / d.std(), data, cuts=5)
    assert not centred["pass"] and centred["max_abs_diff"] > 0
    assert not full_sample["pass"]


def test_truncation_result_in_metrics_counts_in_gate1(panel, settings):
    gate = _gate1(synthetic.noise(panel[1].index, 7), panel, settings,
                  {**METRICS, "truncation_test": {"pass": False, "max_abs_diff": 0.3}})
    assert "truncation_test" in _failed(gate)


@pytest.mark.parametrize("bad", ["text", "allnan"])
def test_bad_columns_are_input_errors(panel, settings, bad):
    from goldloop.errors import GateInputError

    base, target = panel
    new = synthetic.noise(target.index, 8)
    new["bad"] = "a" if bad == "text" else np.nan
    with pytest.raises(GateInputError, match="non-numeric" if bad == "text" else "all-NaN"):
        check(new, base, target, metrics=None, settings=settings)


def test_same_date_sp500_join_is_caught_on_the_real_panel(settings):
    """The trap of the offline panel: the S&P 500 closes after gold's London stamp, so its return
    joined on gold's own date carries information from after the stamp. It correlates only
    ~0.05 with the target (rule (a) cannot see it) but equals tomorrow's lagged column."""
    import numpy as np

    from goldloop.data import load_base_table
    from goldloop.data.catalog import catalog
    from goldloop.data.offline import load_offline_series
    from goldloop.data.panel import data_split
    from goldloop.gates import check

    base, target = load_base_table()
    close = load_offline_series(catalog().series["sp500"])
    same_date = (100 * np.log(close).diff()).reindex(base.index).rename("sp_same_date").to_frame()
    lagged = base[["sp500_logret"]].rename(columns={"sp500_logret": "sp_lagged"})
    for new, leaks in ((same_date, True), (lagged, False)):
        gate = check(new, base, target, metrics=None, settings=settings, gates=("gate1",),
                     periods=data_split()).gates["gate1"]
        name = f"next_row_leakage[{new.columns[0]}]"
        verdict = next(c for c in gate["checks"] if c["name"] == name)
        assert verdict["pass"] is (not leaks), verdict
        assert gate["pass"] is (not leaks)
