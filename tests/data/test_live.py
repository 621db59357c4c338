"""Live sources through the real fredapi / yfinance clients against local stand-ins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldloop.data.live import fetch_fred, fetch_series, fetch_yahoo
from goldloop.errors import DataError
from tests.data.standins import FRED_KEY, business_days, serve


@pytest.fixture()
def standin(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path / "cache"))
    with serve() as (url, state):
        monkeypatch.setenv("GOLDLOOP_FRED_URL", f"{url}/fred")
        monkeypatch.setenv("GOLDLOOP_YAHOO_URL", url)
        monkeypatch.setenv("FRED_API_KEY", FRED_KEY)
        yield state


def test_fred_series_through_fredapi(standin):
    values = business_days("2020-01-01", "2020-03-31")
    values.iloc[3] = np.nan  # FRED's "." for a missing day
    standin.series["VIXCLS"] = values
    got = fetch_fred("VIXCLS", "2020-01-01", "2020-03-31")
    assert len(got) == len(values) and np.isnan(got.iloc[3])
    assert got.iloc[0] == pytest.approx(100.0)
    assert any("series_id=VIXCLS" in r for r in standin.requests)


def test_fred_bad_key_and_unknown_series_are_clear(standin, monkeypatch):
    standin.series["VIXCLS"] = business_days("2020-01-01", "2020-01-31")
    with pytest.raises(DataError, match="not registered") as err:
        fetch_fred("VIXCLS", api_key="wrongkeywrongkeywrongkeywrongkey")
    assert "wrongkey" not in str(err.value)
    with pytest.raises(DataError, match="does not exist"):
        fetch_fred("NOPE")
    monkeypatch.delenv("FRED_API_KEY")
    with pytest.raises(DataError, match="FRED_API_KEY"):
        fetch_fred("VIXCLS")


def test_transient_failures_are_retried(standin):
    standin.series["T10Y2Y"] = business_days("2020-01-01", "2020-01-31")
    standin.fail_next = 2
    assert len(fetch_fred("T10Y2Y")) == len(standin.series["T10Y2Y"])


def test_unreachable_source_is_a_data_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("GOLDLOOP_FRED_URL", "http://127.0.0.1:9/fred")  # discard port: refused
    with pytest.raises(DataError, match="after 3 tries") as err:
        fetch_fred("VIXCLS", api_key=FRED_KEY)
    assert FRED_KEY not in str(err.value) + err.value.hint  # the key rides in the URL; never in a message


def test_yahoo_chart_through_yfinance(standin):
    standin.series["GC=F"] = business_days("2021-01-04", "2021-03-31", seed=1800.0)
    got = fetch_yahoo("GC=F", "2021-01-01", "2021-04-01")
    assert len(got) == len(standin.series["GC=F"])
    assert got.iloc[0] == pytest.approx(1800.0)
    assert got.index[0] == pd.Timestamp("2021-01-04")
    assert any(r.startswith("/v8/finance/chart/GC=F") for r in standin.requests)


def test_yahoo_empty_answer_is_refused(standin):
    standin.series["SI=F"] = business_days("2021-01-04", "2021-01-29")
    with pytest.raises(DataError, match="SI=F"):
        fetch_yahoo("SI=F", "2015-01-01", "2015-02-01")  # nothing in that range
    with pytest.raises(DataError):
        fetch_yahoo("NOPE=F", "2021-01-01", "2021-02-01")


def test_partial_series_is_refused_and_good_ones_are_cached(standin):
    standin.series["VIXCLS"] = business_days("2020-01-01", "2020-02-28")
    with pytest.raises(DataError, match="partial"):
        fetch_series("fred_vix", "2020-01-01", "2020-06-30")
    got = fetch_series("fred_vix", "2020-01-01", "2020-02-28")
    standin.series.clear()  # a second call must come from the parquet cache
    pd.testing.assert_series_equal(fetch_series("fred_vix", "2020-01-01", "2020-02-28"), got)
    with pytest.raises(DataError, match="not a live series"):
        fetch_series("gold")
