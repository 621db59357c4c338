"""The 7-step datacheck passes the real lagged panel and catches each injected defect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldloop.data import TARGET, datacheck, load_base_table, load_offline_panel


@pytest.fixture(scope="module")
def table():
    X, y = load_base_table()
    return X.join(y)


def _status(report, step):
    return report.steps[step - 1].status


def test_the_lagged_panel_and_base_table_pass():
    for frame in (load_offline_panel(), load_base_table()[0].join(load_base_table()[1])):
        report = datacheck(frame, target=TARGET)
        assert report.passed, report.to_markdown()
        assert [s.step for s in report.steps] == [1, 2, 3, 4, 5, 6, 7]
        assert _status(report, 6) == "PASS"


def test_same_date_us_equity_join_is_caught(table):
    from arch.data import sp500

    close = sp500.load()["Adj Close"]
    close.index = close.index.as_unit("ns")
    leaky = table.copy()
    leaky["sp500_same_day"] = (100 * np.log(close).diff()).reindex(leaky.index).to_numpy()
    report = datacheck(leaky, target=TARGET)
    assert not report.passed and _status(report, 6) == "FAIL"
    assert "sp500_same_day" in report.steps[5].message and "same-date" in report.steps[5].message
    assert "sp500_same_day" in report.steps[5].details["too_predictive"]


@pytest.mark.parametrize("defect, step", [
    ("text_column", 1), ("missing", 2), ("duplicate_dates", 3), ("unsorted", 3),
    ("bad_tick", 4), ("infinite", 4), ("dead_feed", 5), ("constant", 5),
    ("target_copy", 6), ("tomorrow_target", 6), ("after_as_of", 6),
])
def test_each_injected_defect_fails_its_step(table, defect, step):
    df = table.copy()
    n = len(df)
    as_of = None
    if defect == "text_column":
        df["label"] = "x"
    elif defect == "missing":
        df.iloc[: n // 3, 0] = np.nan
    elif defect == "duplicate_dates":
        df = pd.concat([df, df.iloc[[100]]]).sort_index()
    elif defect == "unsorted":
        df = df.iloc[::-1]
    elif defect == "bad_tick":
        df.iloc[500, df.columns.get_loc("gold_logret")] *= 1000
    elif defect == "infinite":
        df.iloc[10, 0] = np.inf
    elif defect == "dead_feed":
        df.iloc[-n // 6:, df.columns.get_loc("wti_logret")] = df["wti_logret"].iloc[-n // 6 - 1]
    elif defect == "constant":
        df["flat"] = 1.0
    elif defect == "target_copy":
        df["next_ret_copy"] = df[TARGET] * 0.5 + 0.01
    elif defect == "tomorrow_target":
        df["peek"] = df[TARGET].shift(-1)
    elif defect == "after_as_of":
        as_of = df.index[-200]
    report = datacheck(df, target=TARGET, as_of=as_of)
    assert report.steps[step - 1].status == "FAIL", report.to_markdown()
    assert not report.passed


def test_price_levels_warn_as_train_test_shift(table):
    df = table.copy()
    df["gold_level"] = load_offline_panel()["gold"].reindex(df.index)
    report = datacheck(df, target=TARGET)
    assert _status(report, 7) == "WARN" and "gold_level" in report.steps[6].details["non_stationary"]


def test_reports_render_and_accept_a_date_column(table):
    report = datacheck(table.reset_index(), target=TARGET)
    assert report.passed
    md = report.to_markdown()
    assert md.startswith("# Datacheck:") and md.count("\n| ") >= 8
    data = report.to_dict()
    assert data["passed"] and len(data["steps"]) == 7 and data["rows"] == len(table)


def test_undated_input_fails_schema_and_skips_the_rest():
    report = datacheck(pd.DataFrame({"a": [1.0, 2.0]}, index=["x", "y"]))
    assert _status(report, 1) == "FAIL" and all(s.status == "FAIL" for s in report.steps)


def test_without_target_leakage_is_a_warning(table):
    report = datacheck(table.drop(columns=TARGET))
    assert _status(report, 6) == "WARN" and report.passed
