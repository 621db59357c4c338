"""Gates on a real workspace: state, reports, the real data panel, the CLI and the MCP server."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from goldloop.errors import GateInputError
from goldloop.gates import run_for_attempt, synthetic
from goldloop.state.ops import start_attempt
from goldloop.state.store import StateStore
from tests.conftest import PYTHON, mcp_call


def _write_attempt(ws, feature, attempt, new, metrics=None):
    folder = ws.results / f"{feature}_{attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    new.rename_axis("date").to_csv(folder / "output.csv", encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps(metrics or {"train_loss": 1.0, "val_loss": 1.1}),
                                         encoding="utf-8")
    return folder


def _synthetic_periods(ws):
    """The synthetic panel runs 2008-2012: put its train / validation ends in the workspace config."""
    text = ws.config_path.read_text(encoding="utf-8")
    text = text.replace('# train_end = "1995-12-31"', 'train_end = "2009-06-30"')
    ws.config_path.write_text(text.replace('# val_end = "2007-12-31"', 'val_end = "2011-12-31"'), encoding="utf-8")


def test_run_for_attempt_stores_verdict_and_writes_report(ws, panel):
    base, target = panel
    _synthetic_periods(ws)
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    folder = _write_attempt(ws, "vix", 1, synthetic.signal(target, 0.25, name="vix_signal"))
    result = run_for_attempt(ws, "vix", 1, fast=True, base=base, target=target)
    stored = store.read().record("vix").attempt(1).gates
    assert stored["pass"] == result.passed
    assert stored["gate3"]["verdict"] == result.gates["gate3"]["verdict"]
    assert stored["inputs"]["end"] <= "2011-12-31" and stored["gate3"]["design"]["test_start"] > "2009-06-30"
    assert set(stored) >= {"gate1", "gate2", "gate3", "summary"}
    for name in ("gates.md", "gate_checks.png", "gate3_deltas.png", "gate3_equity.png"):
        assert (folder / name).stat().st_size > 0, name
    assert "Gate 3" in (folder / "gates.md").read_text(encoding="utf-8")
    assert store.read().history[-1].actor == "evaluator"


def test_bad_inputs_write_nothing_to_state(ws, panel):
    base, target = panel
    _synthetic_periods(ws)
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    before = store.read().model_dump_json()
    with pytest.raises(GateInputError, match="no output.csv"):
        run_for_attempt(ws, "vix", 1, base=base, target=target)
    short = synthetic.noise(target.index[:50], 1, name="vix_x")
    _write_attempt(ws, "vix", 1, short)
    with pytest.raises(GateInputError, match="misaligned or too short"):
        run_for_attempt(ws, "vix", 1, base=base, target=target)
    with pytest.raises(GateInputError, match="no vix attempt 2"):
        run_for_attempt(ws, "vix", 2, base=base, target=target)
    assert store.read().model_dump_json() == before


def test_real_panel_through_the_data_module(ws):
    """Default path: base table and target from goldloop.data (the offline gold panel)."""
    from goldloop.data import load_base_table

    base, target = load_base_table(None)
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    # an honest, causal submodel-like output: the 20-day volatility's z-score against its past year
    vol = base["gold_vol_20"]
    z = (vol - vol.rolling(250, min_periods=60).mean()) / vol.rolling(250, min_periods=60).std()
    leak = target.to_numpy() + np.random.default_rng(0).normal(0, 0.5, len(target))
    _write_attempt(ws, "vix", 1, pd.DataFrame({"vix_vol_z": z, "vix_leak": leak}, index=base.index))
    result = run_for_attempt(ws, "vix", 1, gates="1,3", fast=True)
    failed = {c["name"] for c in result.gates["gate1"]["checks"] if not c["pass"]}
    assert "leakage[vix_leak]" in failed and "leakage[vix_vol_z]" not in failed
    assert not result.passed
    assert result.gates["gate3"]["design"]["test_days"] > 2000
    assert store.read().record("vix").attempt(1).gates["gate1"]["pass"] is False


def test_cli_check_json_and_bad_input_exit_code(tmp_path, panel, clean_env):
    base, target = panel
    base.rename_axis("date").to_csv(tmp_path / "base.csv")
    target.rename("target").rename_axis("date").to_csv(tmp_path / "target.csv")
    synthetic.signal(target, 0.25).rename_axis("date").to_csv(tmp_path / "new.csv")
    (tmp_path / "metrics.json").write_text('{"train_loss": 1.0, "val_loss": 1.3}', encoding="utf-8")
    cmd = [PYTHON, "-m", "goldloop.cli", "gates", "check", "--new", str(tmp_path / "new.csv"),
           "--base", str(tmp_path / "base.csv"), "--target", str(tmp_path / "target.csv"),
           "--metrics", str(tmp_path / "metrics.json"), "--fast", "--json", "--report", str(tmp_path / "rep")]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=clean_env, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for gate in ("gate1", "gate2", "gate3"):
        assert isinstance(data[gate]["pass"], bool) and data[gate]["checks"]
    assert data["gate3"]["verdict"] in ("pass", "fail") and "p_value" in data["gate3"]["primary"]
    assert (tmp_path / "rep" / "gates.md").is_file()
    bad = subprocess.run(cmd[:6] + [str(tmp_path / "missing.csv")] + cmd[7:], capture_output=True, text=True,
                         cwd=tmp_path, env=clean_env, timeout=120)
    assert bad.returncode == 2 and "not found" in bad.stderr and "Traceback" not in bad.stderr


def test_mcp_run_gates_over_stdio(ws, clean_env):
    from goldloop.data import load_base_table

    base, target = load_base_table(None)
    start_attempt(StateStore(ws), "vix", 1)
    _write_attempt(ws, "vix", 1, synthetic.noise(base.index, 3, name="vix_noise"))

    tools, (ok, bad) = mcp_call({**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}, [
        ("run_gates", {"feature": "vix", "attempt": 1, "gates": ["gate1", "gate2"]}),
        ("run_gates", {"feature": "vix", "attempt": 9}),
    ])
    assert "run_gates" in tools
    assert not ok.isError, ok.content
    assert set(ok.structuredContent) >= {"gate1", "gate2", "pass"} and "gate3" not in ok.structuredContent
    assert bad.isError and "no vix attempt 9" in bad.content[0].text
    assert StateStore(ws).read().record("vix").attempt(1).gates["gate2"]["checks"]
