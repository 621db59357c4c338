"""Submit cannot be waived, and keys anywhere in the folder stop the push — through the stock
kaggle client against the emulator (SaveKernel never arrives)."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from goldloop.kaggle.submit import submit
from tests.conftest import mcp_call
from tests.kaggle.kernels import make_kernel

LEGACY_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # a 32-hex Kaggle key nobody configured
BROKEN_LEAKY = (f'KAGGLE_KEY = "{LEGACY_KEY}"  # goldloop: ignore\n'
                "def train(:  # goldloop: ignore\n    pass")


def _folder(ws, cell: str | None = None, public: bool = True):
    folder = make_kernel(ws.root, "vix", 1)
    nb_path = next(folder.glob("*.ipynb"))
    nb = nbformat.read(nb_path, as_version=4)
    if cell:
        nb.cells.insert(1, nbformat.v4.new_code_cell(cell))
    nbformat.write(nb, nb_path)
    meta = json.loads((folder / "kernel-metadata.json").read_text(encoding="utf-8"))
    meta["is_private"] = not public
    (folder / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder, nb_path


def _settings(ws, lines: str) -> None:
    with (ws.root / "goldloop.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[validate]\n{lines}\n")


@pytest.mark.parametrize("settings", [
    "",                                              # the suppression comments alone
    'ignore = ["secret", "syntax"]',                 # goldloop.toml waives the categories
    'select = ["dataset_path"]',                     # goldloop.toml selects something else
    'ignore = ["GL100", "GL101", "GL1101", "GL1102", "GL1103", "GL601", "GL602"]',
])
def test_broken_public_notebook_with_a_key_is_not_pushed_whatever_is_waived(kaggle_ws, emulator, settings):
    if settings:
        _settings(kaggle_ws, settings)
    folder, _ = _folder(kaggle_ws, BROKEN_LEAKY)
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert not result["submitted"]
    rules = {f["rule"] for f in result["findings"]}
    assert "GL101" in rules and "GL1101" in rules
    assert LEGACY_KEY not in json.dumps(result)
    assert "SaveKernel" not in emulator.methods()


def test_the_same_settings_still_waive_what_is_not_fatal(kaggle_ws, emulator):
    # control: the emulator does receive a clean push made under the same waivers
    _settings(kaggle_ws, 'ignore = ["secret", "syntax"]')
    folder, _ = _folder(kaggle_ws, "x = 1  # goldloop: ignore")
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert result["submitted"], result
    assert "SaveKernel" in emulator.methods()


def test_kaggle_submit_tool_refuses_a_waived_key(kaggle_ws, emulator):
    _settings(kaggle_ws, 'ignore = ["secret"]')
    folder, _ = _folder(kaggle_ws, BROKEN_LEAKY)
    env = {**os.environ, "GOLDLOOP_WORKSPACE": str(kaggle_ws.root)}
    _, (result,) = mcp_call(env, [("kaggle_submit", {"feature": "vix", "attempt": 1,
                                                     "folder": str(folder.relative_to(kaggle_ws.root))})])
    text = json.dumps(result.model_dump(mode="json"))
    assert "GL1101" in text and LEGACY_KEY not in text
    assert "SaveKernel" not in emulator.methods()


def _markdown(nb):
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Set `KAGGLE_KEY={LEGACY_KEY}` before running."))


def _raw_kaggle_json(nb):
    nb.cells.append(nbformat.v4.new_raw_cell(json.dumps({"username": "tester", "key": LEGACY_KEY})))


def _metadata(nb):
    nb.metadata["kaggle"] = {"api_token": "KGAT_5e6f7a8b9c0d1e2f"}


PLACES = {"markdown cell": _markdown, "raw cell (kaggle.json)": _raw_kaggle_json, "notebook metadata": _metadata}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_key_outside_the_code_stops_the_push(kaggle_ws, emulator, place):
    folder, nb_path = _folder(kaggle_ws)
    nb = nbformat.read(nb_path, as_version=4)
    PLACES[place](nb)
    nbformat.write(nb, nb_path)
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert not result["submitted"]
    assert [f["rule"] for f in result["findings"]] == ["GL1103"]
    assert "SaveKernel" not in emulator.methods()


@pytest.mark.parametrize(("name", "text"), [
    ("kernel-metadata.json", None),
    ("params.yaml", f"fred:\n  api_key: {LEGACY_KEY}\n"),
    ("kaggle.json", json.dumps({"username": "tester", "key": "x"})),
])
def test_key_in_a_file_of_the_folder_stops_the_push(kaggle_ws, emulator, name, text):
    folder, _ = _folder(kaggle_ws)
    if text is None:
        meta = json.loads((folder / name).read_text(encoding="utf-8"))
        meta["description"] = f"kaggle key {LEGACY_KEY}"
        text = json.dumps(meta)
    (folder / name).write_text(text, encoding="utf-8")
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert not result["submitted"] and "GL1103" in {f["rule"] for f in result["findings"]}
    assert "SaveKernel" not in emulator.methods()


def test_dataset_with_a_key_in_a_data_file_is_not_uploaded(kaggle_ws, emulator):
    from goldloop.errors import SecretLeakError
    from goldloop.kaggle.datasets import push_dataset

    data = kaggle_ws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    (data / "fetch_log.txt").write_text(
        f"GET https://api.stlouisfed.org/fred/series/observations?series_id=VIXCLS&api_key={LEGACY_KEY}\n",
        encoding="utf-8")
    with pytest.raises(SecretLeakError, match="fetch_log.txt:1") as err:
        push_dataset(kaggle_ws.root, "vix", 1)
    assert LEGACY_KEY not in str(err.value)
    assert not {"CreateDataset", "CreateDatasetVersion", "StartBlobUpload"} & set(emulator.methods())
    (data / "fetch_log.txt").unlink()
    assert push_dataset(kaggle_ws.root, "vix", 1)["dataset"] == "tester/gold-vix-data"  # control
