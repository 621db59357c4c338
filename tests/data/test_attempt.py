"""write_attempt_data: the data stage's folder for one attempt, in Kaggle's dataset format."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from goldloop.data import catalog, write_attempt_data
from goldloop.errors import DataError


def test_submodel_data_holds_the_family_inputs_and_no_target(ws):
    folder = write_attempt_data(ws, "cross_asset", 2)
    assert folder == ws.root / "data" / "cross_asset_2"
    table = pd.read_csv(folder / "input.csv")
    assert list(table.columns) == ["date", *catalog().family("cross_asset").inputs]
    meta = json.loads((folder / "dataset-metadata.json").read_text(encoding="utf-8"))
    assert meta["id"] == "tester/gold-cross-asset-data" and meta["title"] == "gold-cross-asset-data"
    assert meta["licenses"] == [{"name": "CC0-1.0"}]


def test_live_only_family_is_refused_not_faked(ws):
    with pytest.raises(DataError, match="live-only"):
        write_attempt_data(ws, "dollar_index", 1)


def test_meta_data_copies_passed_submodel_outputs(ws):
    out = ws.root / "results" / "vix_3"
    out.mkdir(parents=True)
    (out / "output.csv").write_text("date,vix_regime_p1\n1999-02-03,0.5\n", encoding="utf-8")
    folder = write_attempt_data(ws, "meta", 1, params={"submodels": {"vix": 3}})
    assert sorted(p.name for p in folder.iterdir()) == ["base.csv", "dataset-metadata.json",
                                                        "sub_vix.csv"]
    assert "gold_next_ret" in pd.read_csv(folder / "base.csv", nrows=1).columns
    # by default the state decides: nothing has passed yet, so only the base table
    assert sorted(p.name for p in write_attempt_data(ws, "meta", 2).iterdir()) == [
        "base.csv", "dataset-metadata.json"]


def test_missing_submodel_output_is_a_clear_error(ws):
    with pytest.raises(DataError, match="kaggle fetch"):
        write_attempt_data(ws, "meta", 1, params={"submodels": {"vix": 9}})
