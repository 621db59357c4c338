"""The thin adapters: `goldloop data …`, `goldloop notebook build`, and the MCP tools over stdio."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PYTHON, mcp_call


def _cli(ws, *args, env):
    return subprocess.run([PYTHON, "-m", "goldloop.cli", "-w", str(ws.root), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def test_cli_fetch_check_build(ws, clean_env):
    fetched = _cli(ws, "data", "fetch", "regime", "1", "--json", env=clean_env)
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["files"] == ["dataset-metadata.json", "input.csv"]
    checked = _cli(ws, "data", "check", "regime", "1", "--json", env=clean_env)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["passed"] and len(report["steps"]) == 7
    built = _cli(ws, "notebook", "build", "--feature", "regime", "--attempt", "1",
                 "--params", '{"long_halflife": 90}', "--json", env=clean_env)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["files"] == ["gold-regime-1.ipynb", "kernel-metadata.json"]
    families = _cli(ws, "data", "panel", "--families", "--json", env=clean_env)
    assert json.loads(families.stdout)["dollar_index"]["offline"] is False


def test_cli_datacheck_fail_exits_3_and_bad_input_exits_2(ws, clean_env, tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    days = pd.bdate_range("2000-01-03", periods=400)
    y = rng.normal(size=400)
    pd.DataFrame({"date": days, "leak": y * 0.9 + 0.01, "y": y}).to_csv(tmp_path / "t.csv", index=False)
    failed = _cli(ws, "data", "check", "--path", str(tmp_path / "t.csv"), "--target", "y", env=clean_env)
    assert failed.returncode == 3 and "FAIL" in failed.stdout
    bad = _cli(ws, "notebook", "build", "--feature", "vix", "--attempt", "1", "--params", "{oops",
               env=clean_env)
    assert bad.returncode == 2 and "not valid JSON" in bad.stderr
    live_only = _cli(ws, "data", "fetch", "etf_flows", "1", env=clean_env)
    assert live_only.returncode == 2 and "live-only" in live_only.stderr


def test_mcp_data_tools(ws, clean_env):
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    tools, (fetched, checked, built, refused) = mcp_call(env, [
        ("data_fetch", {"feature": "gold_technicals", "attempt": 1}),
        ("data_check", {"feature": "gold_technicals", "attempt": 1}),
        ("notebook_build", {"feature": "gold_technicals", "attempt": 1, "params": {"window": 60}}),
        ("data_check", {"feature": "vix", "attempt": 5}),
    ])
    assert {"data_fetch", "data_check", "notebook_build"} <= tools.keys()
    assert not fetched.isError and fetched.structuredContent["files"][-1] == "input.csv"
    assert checked.structuredContent["passed"] and "| 6 | future leakage |" in checked.structuredContent["markdown"]
    assert built.structuredContent["files"] == ["gold-gold-technicals-1.ipynb", "kernel-metadata.json"]
    assert refused.isError and "goldloop data fetch vix 5" in refused.content[0].text
