"""The live panel: real fredapi / yfinance clients against local stand-ins serving real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldloop.config import Config, ConfigError, DataSettings, load_config
from goldloop.data import TARGET, catalog, datacheck, live_panel, load_base_table
from goldloop.data.attempt import write_attempt_data
from goldloop.data.catalog import families_with_data
from goldloop.data.panel import data_split
from goldloop.errors import DataError
from tests.data.standins import FRED_KEY, serve, serve_offline_as_live

START, END = "2000-01-03", "2012-12-31"
LIVE = Config(data=DataSettings(source="live", start=START, end=END))


@pytest.fixture()
def live(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(tmp_path / "cache"))
    live_panel._MEMO.clear()
    with serve() as (url, state):
        monkeypatch.setenv("GOLDLOOP_FRED_URL", f"{url}/fred")
        monkeypatch.setenv("GOLDLOOP_YAHOO_URL", url)
        monkeypatch.setenv("FRED_API_KEY", FRED_KEY)
        serve_offline_as_live(state)
        yield state
    live_panel._MEMO.clear()


def test_live_base_table_has_every_family_input_and_is_clean(live):
    X, y = load_base_table(LIVE)
    assert len(X) > 3000 and X.notna().all().all() and y.name == TARGET
    for name in families_with_data("live"):
        assert set(catalog().inputs(name, "live")) <= set(X.columns), name
    assert not any(c.startswith("yahoo_gold") for c in X.columns)  # the target's columns are gold_*
    report = datacheck(X.join(y), target=TARGET)
    assert report.passed, report.to_markdown()


def test_live_alignment_uses_only_what_was_public_before_gold(live):
    """GC=F is stamped 13:30 New York; the S&P closes at 16:00, so day t sees day t-1's return."""
    X, y = load_base_table(LIVE)
    spx = live.series["^GSPC"]
    spx_ret = 100 * np.log(spx).diff()
    day = X.index[500]
    previous = spx_ret.index[spx_ret.index < day][-1]
    assert X.loc[day, "yahoo_sp500_logret"] == pytest.approx(spx_ret.loc[previous])
    gold = live.series["GC=F"]
    assert y.loc[day] == pytest.approx(100 * (gold.shift(-1) / gold - 1).loc[day])
    # the same-date join would leak: lagged, the S&P says nothing about gold's next day
    assert abs(np.corrcoef(X["yahoo_sp500_logret"], y)[0, 1]) < 0.03


def test_split_defaults_to_60_and_80_percent_of_the_live_days(live):
    X, _ = load_base_table(LIVE)
    train_end, val_end = data_split(LIVE)
    assert (X.index <= train_end).mean() == pytest.approx(0.6, abs=0.01)
    assert (X.index <= val_end).mean() == pytest.approx(0.8, abs=0.01)
    chosen = Config(data=DataSettings(source="live", start=START, end=END, train_end="2006-12-29"))
    assert data_split(chosen)[0] == "2006-12-29"
    assert data_split(Config()) == ("1995-12-31", "2007-12-31")
    with pytest.raises(ConfigError, match="not before val_end"):
        data_split(Config(data=DataSettings(train_end="2011-01-03", val_end="2010-12-31")))


def test_bad_dates_in_the_data_section_are_refused():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        DataSettings(start="Jan 2007")


def _live_workspace(ws) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    text = text.replace('source = "offline"', 'source = "live"').replace('start = "2007-01-01"',
                                                                         f'start = "{START}"\nend = "{END}"')
    ws.config_path.write_text(text, encoding="utf-8")
    assert load_config(ws.root).data == LIVE.data


def test_live_only_family_gets_its_live_series(live, ws):
    _live_workspace(ws)
    folder = write_attempt_data(ws, "inflation_expectations", 1)
    table = pd.read_csv(folder / "input.csv", index_col="date")
    assert list(table.columns) == ["fred_breakeven_10y"] and len(table) > 3000


def test_without_a_fred_key_nothing_is_lost(live, ws, monkeypatch):
    _live_workspace(ws)
    first = write_attempt_data(ws, "gold_technicals", 1)
    before = (first / "input.csv").read_text(encoding="utf-8")
    monkeypatch.delenv("FRED_API_KEY")
    monkeypatch.setenv("GOLDLOOP_CACHE_DIR", str(ws.root / "empty-cache"))
    live_panel._MEMO.clear()
    with pytest.raises(DataError, match="FRED needs an API key") as err:
        write_attempt_data(ws, "gold_technicals", 1)
    assert "FRED_API_KEY" in err.value.hint
    assert (first / "input.csv").read_text(encoding="utf-8") == before  # the earlier data is kept


def test_cli_shows_the_live_panel_of_the_workspace(live, ws):
    import json
    import os
    import subprocess

    from tests.conftest import PYTHON

    _live_workspace(ws)
    done = subprocess.run([PYTHON, "-m", "goldloop.cli", "--workspace", str(ws.root), "data", "panel", "--live",
                           "--json"], capture_output=True, text=True, encoding="utf-8", env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["first"] >= START and data["last"] <= END and data["rows"] > 3000
    assert {"gold", "gold_logret", "fred_vix", "yahoo_gld_logret", TARGET} <= set(data["columns"])
