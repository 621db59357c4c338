"""The series panel on real data: a workspace CSV aligns exactly like the catalog series it
holds, publication lags and time zones decide what day t may see, and bad files say why."""

from __future__ import annotations

import pytest

from goldloop.config import parse_config
from goldloop.errors import ConfigError, DataError
from goldloop.project import Project


def _project(root, series: dict, target: str = "wti", **project) -> Project:
    raw = {"project": {"name": "t", "target": {"series": target, "description": "test"},
                       "series": series, **project}}
    return Project(root, parse_config(raw))


@pytest.fixture(scope="module")
def wti_csv(tmp_path_factory):
    """WTI as a user would bring it: a CSV with a date column, written from the offline package."""
    from goldloop.data.catalog import catalog
    from goldloop.data.offline import load_offline_series

    root = tmp_path_factory.mktemp("ws")
    values = load_offline_series(catalog().series["wti"])
    frame = values.rename("close").to_frame()
    frame.index = frame.index.strftime("%Y-%m-%d")
    frame.index.name = "day"
    (root / "data").mkdir()
    frame.to_csv(root / "data" / "wti.csv", encoding="utf-8")
    return root


def test_a_workspace_csv_gives_the_same_table_as_the_catalog_series(wti_csv, monkeypatch, tmp_path):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path / "cache"))
    others = {"sp500": {"builtin": "sp500"}, "core_cpi": {"builtin": "core_cpi"}}
    builtin = _project(wti_csv, {"wti": {"builtin": "wti", "transforms": ["logret"]}, **others})
    own = _project(wti_csv, {"wti": {"file": "data/wti.csv", "date_column": "day", "observed": "14:30",
                                     "zone": "America/New_York", "transforms": ["logret"]}, **others})
    (bx, by), (ox, oy) = builtin.base_table(), own.base_table()
    assert by.name == oy.name == "wti_next_ret"
    assert bx.equals(ox) and by.equals(oy)
    assert {"wti_logret", "wti_mom_20", "sp500_logret", "core_cpi_yoy"} <= set(ox.columns)
    assert "wti" not in ox.columns  # the target's price level never enters the features


def test_a_later_close_is_seen_the_next_day_and_monthly_data_after_its_delay(wti_csv, monkeypatch, tmp_path):
    import numpy as np
    import pandas as pd

    from goldloop.data.catalog import catalog
    from goldloop.data.offline import load_offline_series

    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path / "cache"))
    project = _project(wti_csv, {"wti": {"builtin": "wti"}, "sp500": {"builtin": "sp500"},
                                 "core_cpi": {"builtin": "core_cpi"}})
    features, target = project.base_table()
    sp = load_offline_series(catalog().series["sp500"])
    sp_ret = 100 * np.log(sp).diff()
    day = pd.Timestamp("2008-10-15")  # WTI settles 14:30, the S&P closes 16:00 New York
    prior = sp_ret[sp_ret.index < day].iloc[-1]
    assert features.loc[day, "sp500_logret"] == pytest.approx(prior)
    # September's CPI (stamped 09-01) is public 15 days after the month: not on 10-15, yes on 10-16.
    cpi = features["core_cpi_yoy"]
    assert cpi.loc["2008-10-15"] == cpi.loc["2008-10-01"] != cpi.loc["2008-10-16"]
    wti = load_offline_series(catalog().series["wti"])
    nxt = wti[wti.index > day].iloc[0]
    assert target.loc[day] == pytest.approx(100 * (nxt / wti.loc[day] - 1))


@pytest.mark.parametrize("series, needle", [
    ({"wti": {"file": "data/missing.csv"}}, "does not exist"),
    ({"wti": {"file": "data/wti.csv"}}, "no date column 'date'"),
    ({"wti": {"file": "data/wti.csv", "date_column": "day", "column": "open"}}, "value column 'open'"),
])
def test_bad_files_are_errors_saying_what_to_fix(wti_csv, series, needle, monkeypatch, tmp_path):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataError) as err:
        _project(wti_csv, series).base_table()
    assert needle in err.value.message


def test_a_target_that_is_not_one_of_the_series_is_refused(wti_csv):
    with pytest.raises(ConfigError) as err:
        _project(wti_csv, {"sp500": {"builtin": "sp500"}}, target="SalePrice").base_table()
    assert "'SalePrice'" in err.value.message and "sp500" in err.value.hint
