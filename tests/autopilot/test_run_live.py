"""`goldloop run --data live`: the whole loop on FRED + Yahoo data, through the real fredapi and
yfinance clients against local stand-ins that serve real market data."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from tests.conftest import PYTHON
from tests.data.standins import FRED_KEY, serve, serve_offline_as_live

pytestmark = pytest.mark.slow


def _goldloop(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)


def test_fast_run_on_live_data_runs_a_live_only_family_end_to_end(tmp_path, clean_env):
    workspace = tmp_path / "workspace"
    with serve() as (url, state):
        serve_offline_as_live(state)
        env = {**clean_env, "GOLDLOOP_FRED_URL": f"{url}/fred", "GOLDLOOP_YAHOO_URL": url,
               "GOLDLOOP_CACHE_DIR": str(tmp_path / "cache")}
        created = _goldloop(env, "init", str(workspace), "--data", "live")
        assert created.returncode == 0, created.stderr
        config = workspace / "goldloop.toml"
        # the stand-ins hold 1999-2012; the key sits in the workspace's .env, as a user keeps it
        config.write_text(config.read_text(encoding="utf-8").replace(
            'start = "2007-01-01"', 'start = "2000-01-03"\nend = "2012-12-31"'), encoding="utf-8")
        (workspace / ".env").write_text(f"FRED_API_KEY={FRED_KEY}\n", encoding="utf-8")
        done = _goldloop(env, "run", "--fast", "--data", "live", "--features", "dollar_index",
                         "--workspace-dir", str(workspace), "--json")
        assert done.returncode == 0, done.stderr[-4000:]
        fred_calls = [r for r in state.requests if "series_id=DTWEXBGS" in r]
    assert fred_calls, "the dollar index came from FRED"
    assert FRED_KEY not in done.stdout + done.stderr
    summary = json.loads(done.stdout)
    assert "data: live" in done.stderr
    doc = json.loads((workspace / "shared" / "state.json").read_text(encoding="utf-8"))
    assert doc["status"] == "completed" and doc["features"]["dollar_index"]["attempts"]
    inputs = pd.read_csv(workspace / "data" / "dollar_index_1" / "input.csv", index_col="date")
    assert list(inputs.columns) == ["fred_dollar_index_logret"]
    base = pd.read_csv(workspace / "data" / "meta_1" / "base.csv", index_col="date")
    assert {"fred_vix_logret", "yahoo_sp500_logret", "fred_real_rate_10y", "gold_next_ret"} <= set(base.columns)
    assert base.index.min() >= "2000-01-03" and base.index.max() <= "2012-12-31"
    assert summary["evaluation"]["metrics"]["direction_accuracy"] > 0.3
    log = subprocess.run(["git", "log", "--format=%s%n%b"], cwd=workspace, capture_output=True, text=True,
                         encoding="utf-8").stdout
    assert FRED_KEY not in log

    # the data source is fixed for a workspace: asking for the other one is refused, nothing changes
    refused = _goldloop(clean_env, "run", "--data", "offline", "--workspace-dir", str(workspace))
    assert refused.returncode == 2
    assert "runs on live data, not offline" in refused.stderr + refused.stdout
    assert json.loads((workspace / "shared" / "state.json").read_text(encoding="utf-8")) == doc


def test_a_live_run_without_a_fred_key_stops_before_any_stage(tmp_path, clean_env):
    workspace = tmp_path / "workspace"
    done = _goldloop(clean_env, "run", "--fast", "--data", "live", "--workspace-dir", str(workspace))
    assert done.returncode == 2
    assert "FRED needs an API key" in done.stdout + done.stderr and "FRED_API_KEY" in done.stdout + done.stderr
    doc = json.loads((workspace / "shared" / "state.json").read_text(encoding="utf-8"))
    assert doc["history"] == [] and doc["status"] != "in_progress"  # nothing started, nothing to undo
