"""build_kernel → validator clean → executed (nbclient, Kaggle-like sandbox) → outputs on contract."""

from __future__ import annotations

import ast
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from goldloop.data import write_attempt_data
from goldloop.errors import GoldloopError
from goldloop.notebooks import build_kernel
from goldloop.validate import validate_path

QUICK_HMM = {"n_iter": 15, "n_init": 1}


def _code(folder: Path) -> str:
    meta = json.loads((folder / "kernel-metadata.json").read_text(encoding="utf-8"))
    nb = nbformat.read(folder / meta["code_file"], as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _run_in_sandbox(kernel: Path, data: Path, sandbox: Path, *, legacy_only: bool) -> Path:
    """Execute like Kaggle: cwd = sandbox/working, GOLDLOOP_KAGGLE_ROOT = sandbox."""
    from nbclient import NotebookClient

    meta = json.loads((kernel / "kernel-metadata.json").read_text(encoding="utf-8"))
    owner, slug = meta["dataset_sources"][0].split("/")
    mount = sandbox / "input" / slug if legacy_only else sandbox / "input" / "datasets" / owner / slug
    shutil.copytree(data, mount)
    (sandbox / "working").mkdir(parents=True)
    nb = nbformat.read(kernel / meta["code_file"], as_version=4)
    # As on Kaggle, goldloop is not importable inside the kernel (None in sys.modules blocks it).
    nb.cells.insert(0, nbformat.v4.new_code_cell('import sys\nsys.modules["goldloop"] = None'))
    old = os.environ.get("GOLDLOOP_KAGGLE_ROOT")
    os.environ["GOLDLOOP_KAGGLE_ROOT"] = str(sandbox)  # the kernel subprocess inherits it
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(sandbox / "working")}}).execute()
    finally:
        if old is None:
            os.environ.pop("GOLDLOOP_KAGGLE_ROOT", None)
        else:
            os.environ["GOLDLOOP_KAGGLE_ROOT"] = old
    return sandbox / "working"


def _run_on_local_backend(ws, kernel: Path, data: Path) -> Path:
    from goldloop.kaggle.local_backend import LocalBackend

    backend = LocalBackend(ws.root / ".goldloop", owner="tester", run_timeout_minutes=3)
    meta = json.loads((kernel / "kernel-metadata.json").read_text(encoding="utf-8"))
    backend.push_dataset(data, meta["dataset_sources"][0])
    backend.push(kernel)
    deadline = time.monotonic() + 150
    while not (status := backend.status(meta["id"])).finished:
        assert time.monotonic() < deadline, "kernel did not finish"
        time.sleep(0.5)
    assert status.state == "complete", (status.failure_message, backend.logs(meta["id"])[-3000:])
    feature_attempt = kernel.name
    dest = ws.root / "results" / feature_attempt
    backend.download_output(meta["id"], dest)
    return dest


def _check_submodel_outputs(folder: Path, feature: str) -> None:
    out = pd.read_csv(folder / "output.csv")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert out.columns[0] == "date"
    pd.to_datetime(out["date"], format="%Y-%m-%d")
    assert list(out.columns[1:]) == list(metrics["schema"]) == metrics["columns"]
    assert all(c.startswith(f"{feature}_") for c in out.columns[1:])
    assert metrics["train_loss"] > 0 and metrics["val_loss"] > 0
    assert out.iloc[60:, 1:].notna().all().all()


def test_kernel_folder_follows_the_contract_and_validates_clean(ws):
    folder = build_kernel(ws, "vix", 1)
    assert folder == ws.root / "notebooks" / "vix_1"
    meta = json.loads((folder / "kernel-metadata.json").read_text(encoding="utf-8"))
    assert meta["id"] == "tester/gold-vix-1" and meta["title"] == "gold-vix-1"
    assert meta["code_file"] == "gold-vix-1.ipynb" and (folder / meta["code_file"]).is_file()
    assert meta["dataset_sources"] == ["tester/gold-vix-data"]
    assert meta["kernel_type"] == "notebook" and meta["language"] == "python"
    assert not meta["enable_internet"]
    assert validate_path(folder).findings == []
    # self-contained: nothing imports goldloop; the submodel class is inlined from its source
    code = _code(folder)
    tree = ast.parse(code)
    guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
               and any("ImportError" in ast.unparse(h.type or ast.Name("")) for h in t.handlers)
               for stmt in t.body for n in ast.walk(stmt)}  # `try: import … except ImportError`
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in guarded:
            names = [getattr(node, "module", None) or ""] + [a.name for a in node.names]
            assert not any(n.split(".")[0] == "goldloop" for n in names), ast.unparse(node)
    assert "class HMMRegime(Submodel):" in code and "def input_file(" in code


def test_rebuild_is_identical_and_params_reach_the_config(ws):
    first = (build_kernel(ws, "vix", 2) / "gold-vix-2.ipynb").read_bytes()
    assert (build_kernel(ws, "vix", 2) / "gold-vix-2.ipynb").read_bytes() == first
    folder = build_kernel(ws, "vix", 2, params={"n_states": 4, "seed": 7}, owner="someone")
    code = _code(folder)
    assert "'n_states': 4" in code and "SEED = 7" in code
    assert json.loads((folder / "kernel-metadata.json").read_text())["id"] == "someone/gold-vix-2"
    assert validate_path(folder).findings == []


def test_attempts_use_the_predefined_variations(ws):
    from goldloop.models.submodels import variations

    for attempt in (1, 2):
        code = _code(build_kernel(ws, "gold_technicals", attempt))
        window = variations("gold_technicals")[attempt - 1]["window"]
        assert f"'window': {window}" in code


@pytest.mark.parametrize("feature, attempt, params, match", [
    ("vix", 1, {"n_state": 3}, "n_state"),
    ("meta", 1, {"depth": 3}, "depth"),
    ("Bad-Name", 1, None, "invalid feature"),
    ("vix", 0, None, "invalid attempt"),
    ("nope", 1, None, "unknown feature family"),
])
def test_bad_requests_are_clear_errors(ws, feature, attempt, params, match):
    with pytest.raises(GoldloopError, match=match):
        build_kernel(ws, feature, attempt, params=params)


def test_submodel_notebook_runs_with_the_legacy_mount(ws, tmp_path):
    data = write_attempt_data(ws, "regime", 1)
    kernel = build_kernel(ws, "regime", 1)
    working = _run_in_sandbox(kernel, data, tmp_path / "sandbox", legacy_only=True)
    _check_submodel_outputs(working, "regime")


def test_submodel_and_meta_kernels_run_on_the_local_backend(ws):
    data = write_attempt_data(ws, "vix", 1)
    kernel = build_kernel(ws, "vix", 1, params=QUICK_HMM)
    assert validate_path(kernel).findings == []
    results = _run_on_local_backend(ws, kernel, data)
    _check_submodel_outputs(results, "vix")

    meta_data = write_attempt_data(ws, "meta", 1, params={"submodels": {"vix": 1}})
    assert (meta_data / "sub_vix.csv").is_file() and (meta_data / "base.csv").is_file()
    meta_kernel = build_kernel(ws, "meta", 1, params={"fast": True, "n_trials": 1,
                                                      "submodels": {"vix": 1}})
    assert validate_path(meta_kernel).findings == []
    out = _run_on_local_backend(ws, meta_kernel, meta_data)
    pred = pd.read_csv(out / "predictions.csv")
    assert list(pred.columns) == ["date", "split", "y_true", "y_pred"]
    assert set(pred["split"]) == {"train", "val", "test"}
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["submodels"] == ["vix"] and "vix_regime_p1" in metrics["features"]
    assert metrics["train_loss"] > 0 and metrics["val_loss"] > 0
    assert 0.3 < metrics["metrics"]["val"]["direction_accuracy"] < 0.7
    assert "test" not in metrics["metrics"]  # the test years are scored by the final evaluation only
