"""A user's own kernel folder and dataset: pushed, submitted, monitored and fetched through the
real kaggle client and the Kaggle API emulator, with the user's metadata left byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from goldloop.kaggle import monitor
from goldloop.kaggle.datasets import push_folder
from goldloop.kaggle.submit import submit
from tests.kaggle.conftest import configure, emulator, kws, read_state, start  # noqa: F401 - fixtures
from tests.kaggle.kernels import PATH_HELPER


def _own_kernel(root: Path) -> Path:
    """A kernel folder as a user writes it: their own id, file name and dataset source."""
    folder = root / "mine" / "probe"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(PATH_HELPER),
        nbformat.v4.new_code_cell(
            'import json\n'
            'rows = input_path("tester", "oil-prices", "prices.csv").read_text(encoding="utf-8").splitlines()\n'
            'with open("output.csv", "w", encoding="utf-8") as f:\n'
            '    f.write("date,probe_rows\\n2024-01-02,%d\\n" % (len(rows) - 1))\n'
            'with open("metrics.json", "w", encoding="utf-8") as f:\n'
            '    json.dump({"rows": len(rows) - 1}, f)'),
    ]
    nbformat.write(nb, folder / "probe-notebook.ipynb")
    meta = {"id": "tester/my-oil-probe", "title": "my-oil-probe", "code_file": "probe-notebook.ipynb",
            "language": "python", "kernel_type": "notebook", "is_private": True, "enable_gpu": False,
            "enable_internet": False, "dataset_sources": ["tester/oil-prices"],
            "competition_sources": [], "kernel_sources": [], "model_sources": []}
    (folder / "kernel-metadata.json").write_text(json.dumps(meta, indent=4), encoding="utf-8")
    return folder


@pytest.fixture()
def own_ws(ws, emulator):  # noqa: F811 - the emulator fixture
    configure(ws.root, backend="kaggle")
    start(ws.root, "probe", 1)
    yield ws
    monitor.stop(ws.root)


def test_own_kernel_and_dataset_go_through_the_emulator_unchanged(own_ws, emulator):  # noqa: F811
    root = own_ws.root
    data = root / "mine" / "prices"
    data.mkdir(parents=True)
    (data / "prices.csv").write_text("date,wti\n2024-01-02,71.3\n2024-01-03,72.7\n", encoding="utf-8")
    pushed = push_folder(root, data, "oil-prices")  # like `kaggle datasets version -p DIR`
    assert pushed["dataset"] == "tester/oil-prices" and pushed["created"] and pushed["backend"] == "kaggle"
    again = push_folder(root, data)  # second time: its own dataset-metadata.json names it
    assert again["dataset"] == "tester/oil-prices" and not again["created"]

    folder = _own_kernel(root)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = submit(root, folder, "probe", 1)
    assert result["submitted"], result
    assert result["kernel"] == "tester/my-oil-probe"
    outcome = monitor.watch(root, "probe", 1)
    assert outcome["outcome"] == "complete", outcome
    state = read_state(root)
    assert state.status.value == "training_complete" and state.kaggle_kernel == "tester/my-oil-probe"
    out = (root / "results" / "probe_1" / "output.csv").read_text(encoding="utf-8")
    assert out.splitlines()[1] == "2024-01-02,2"  # the kernel read the user's dataset
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # metadata untouched


def test_push_folder_refuses_a_folder_without_a_name_or_data(own_ws):
    from goldloop.errors import DataError

    empty = own_ws.root / "mine" / "empty"
    empty.mkdir(parents=True)
    with pytest.raises(DataError, match="no data files"):
        push_folder(own_ws.root, empty, "x-data")
    (empty / "a.csv").write_text("date,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="--slug"):
        push_folder(own_ws.root, empty)
    with pytest.raises(DataError, match="not owner/slug"):
        push_folder(own_ws.root, empty, "Bad Slug!")
    assert not (empty / "dataset-metadata.json").exists()  # nothing half-written
