"""No traceback for bad input (issue #11, item 10): each case ends in exit 2 (or the validator's
verdict) with a message naming the problem, through the real command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from goldloop.workspace import init_workspace
from tests.conftest import PYTHON

HUGE_INT = "9" * 5000
DEEP = "[" * 100_000 + "]" * 100_000


def goldloop(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


@pytest.fixture()
def root(tmp_path):
    return init_workspace(tmp_path / "ws", owner="tester")[0].root


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    """Base, target (percent) and new tables of 500 business days."""
    folder = tmp_path_factory.mktemp("tables")
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2010-01-01", periods=500, name="date")
    pd.DataFrame(rng.normal(size=(500, 3)), index=dates, columns=["a", "b", "c"]).to_csv(folder / "base.csv")
    target = pd.DataFrame({"target": rng.normal(scale=1.0, size=500)}, index=dates)
    target.to_csv(folder / "target.csv")
    (target / 100).to_csv(folder / "target_decimal.csv")
    (target * 100).to_csv(folder / "target_bps.csv")
    new = pd.DataFrame({"x": rng.normal(size=500)}, index=dates)
    new.to_csv(folder / "new.csv")
    for name, value in (("inf", np.inf), ("ninf", -np.inf), ("huge", 1e300)):
        broken = new.copy()
        broken.iloc[10:20, 0] = value  # what a submodel dividing by zero writes
        broken.to_csv(folder / f"new_{name}.csv")
    return folder


def _gates(tables: Path, env, new="new.csv", target="target.csv", *extra: str):
    return goldloop("gates", "check", "--new", str(tables / new), "--base", str(tables / "base.csv"),
                    "--target", str(tables / target), "--gates", "1", "--fast", *extra, cwd=tables, env=env)


@pytest.mark.parametrize("new", ["new_inf.csv", "new_ninf.csv", "new_huge.csv"])
def test_infinite_or_huge_gate_inputs_are_named(tables, clean_env, new):
    done = _gates(tables, clean_env, new)
    assert done.returncode == 2
    assert "the new table has 10 infinite or huge value(s)" in done.stderr and "in x, first on 2010-01-15" in done.stderr


@pytest.mark.parametrize(("target", "seen", "fix"), [
    ("target_decimal.csv", "decimal returns", "multiply the target by 100"),
    ("target_bps.csv", "basis points", "divide the target by 100"),
])
def test_a_target_on_the_wrong_scale_says_the_scale_seen_and_the_fix(tables, clean_env, target, seen, fix):
    done = _gates(tables, clean_env, target=target)
    assert done.returncode == 2
    assert seen in done.stderr and "expect a return in percent" in done.stderr and fix in done.stderr


@pytest.mark.parametrize("text", [f'{{"train_loss": {HUGE_INT}}}', DEEP])
def test_unreadable_metrics_json(tables, clean_env, tmp_path, text):
    (tmp_path / "metrics.json").write_text(text, encoding="utf-8")
    done = _gates(tables, clean_env, "new.csv", "target.csv", "--metrics", str(tmp_path / "metrics.json"))
    assert done.returncode == 2 and "metrics.json is not valid JSON" in done.stderr


@pytest.mark.parametrize("text", [f'{{"schema_version": 1, "project": {HUGE_INT}}}', DEEP])
def test_unreadable_state_json_then_recover(root, clean_env, text):
    (root / "shared" / "state.json").write_text(text, encoding="utf-8")
    done = goldloop("state", "show", cwd=root, env=clean_env)
    assert done.returncode == 2 and "goldloop state recover" in done.stderr
    done = goldloop("state", "recover", "--json", cwd=root, env=clean_env)
    assert done.returncode == 0 and json.loads(done.stdout)["recovered"] is True
    # a backup as broken as the file is skipped, not a crash
    for backup in (root / "shared" / ".state_backups").glob("*.json"):
        backup.write_text(text, encoding="utf-8")
    (root / "shared" / "state.json").write_text(text, encoding="utf-8")
    done = goldloop("state", "recover", "--json", cwd=root, env=clean_env)
    assert done.returncode == 0 and json.loads(done.stdout)["source"].startswith("git ")


@pytest.mark.parametrize(("text", "needle"), [
    (f"features = [{HUGE_INT}]", "cannot be read"),
    (f"x = {DEEP}", "nested too deeply"),
])
def test_unreadable_goldloop_toml(root, clean_env, text, needle):
    (root / "goldloop.toml").write_text(text, encoding="utf-8")
    done = goldloop("next", cwd=root, env=clean_env)
    assert done.returncode == 2 and needle in done.stderr


@pytest.mark.parametrize("text", [f'{{"cells": [], "nbformat": {HUGE_INT}}}', DEEP])
def test_unreadable_notebook_is_a_finding(tmp_path, clean_env, text):
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    done = goldloop("validate", str(tmp_path / "nb.ipynb"), "--json", cwd=tmp_path, env=clean_env)
    assert done.returncode == 3, done.stdout  # an error-level finding: unreadable notebook
    assert "not valid notebook JSON" in done.stdout


@pytest.mark.parametrize("code_file", ["x" * 5000 + ".ipynb", "../outside.ipynb", "/etc/passwd"])
def test_code_file_must_be_a_name_inside_the_kernel_folder(tmp_path, clean_env, code_file):
    folder = tmp_path / "kernel"
    folder.mkdir()
    (tmp_path / "outside.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
                                           encoding="utf-8")
    (folder / "kernel-metadata.json").write_text(json.dumps({"id": "tester/k", "code_file": code_file}),
                                                 encoding="utf-8")
    done = goldloop("validate", str(folder), cwd=tmp_path, env=clean_env)
    assert done.returncode == 2 and "is not a file name inside" in done.stderr


@pytest.mark.parametrize(("section", "line", "needle"), [
    ("gates.gate3", "seeds = 0", "gates.gate3.seeds"),
    ("gates.gate1", "warmup_rows = -5", "gates.gate1.warmup_rows"),
    ("gates.gate2", "corr_window = 0", "gates.gate2.corr_window"),
    ("gates.final", "high_confidence_quantile = 2.0", "gates.final.high_confidence_quantile"),
    ("gates.gate3", "cost_bps = nan", "gates.gate3.cost_bps"),
    ("kaggle", 'owner = "../../etc"', "'../../etc' is not a Kaggle username"),
    ("kaggle", 'owner = ""', "'' is not a Kaggle username"),
])
def test_out_of_range_settings_are_refused(root, clean_env, section, line, needle):
    (root / "goldloop.toml").write_text(f"[{section}]\n{line}\n", encoding="utf-8")
    done = goldloop("next", cwd=root, env=clean_env)
    assert done.returncode == 2 and needle in done.stderr, done.stderr


@pytest.mark.parametrize("change", [
    lambda s: s.update(kaggle_kernel="../../etc/passwd"),
    lambda s: s.update(kaggle_kernel="owner/.."),
    lambda s: s["features"].update({"../x": {"name": "vix"}}),
])
def test_path_tricks_in_state_are_refused(root, clean_env, change):
    path = root / "shared" / "state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    change(state)
    path.write_text(json.dumps(state), encoding="utf-8")
    done = goldloop("state", "show", cwd=root, env=clean_env)
    assert done.returncode == 2 and "is invalid" in done.stderr, done.stderr
