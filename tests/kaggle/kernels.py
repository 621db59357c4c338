"""A tiny real kernel folder for the tests: a notebook that reads its dataset through the
templates' two-shape path helper and writes output.csv and metrics.json to working/."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

PATH_HELPER = '''\
import os
from pathlib import Path
ROOT = Path(os.environ.get("GOLDLOOP_KAGGLE_ROOT", "/kaggle"))

def input_path(owner, slug, name):
    for candidate in (ROOT / "input" / "datasets" / owner / slug / name, ROOT / "input" / slug / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name} not found in dataset {owner}/{slug}")
'''


def make_kernel(root: Path, feature: str, attempt: int, owner: str = "tester", *, sleep: float = 0.0,
                fail: str | None = None, dataset: str | None = None, gpu: bool = False,
                text: str = "gold ✓ 金") -> Path:
    """Write notebooks/<feature>_<attempt>/ and return it."""
    slug = f"gold-{feature.replace('_', '-')}-{attempt}"
    folder = Path(root) / "notebooks" / f"{feature}_{attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    cells = [nbformat.v4.new_code_cell(PATH_HELPER)]
    if dataset:
        ds_owner, ds_slug = dataset.split("/")
        cells.append(nbformat.v4.new_code_cell(
            f'rows = input_path("{ds_owner}", "{ds_slug}", "table.csv").read_text(encoding="utf-8").splitlines()\n'
            'print("rows", len(rows) - 1)'))
    else:
        cells.append(nbformat.v4.new_code_cell('rows = ["date,x", "2024-01-02,1.0", "2024-01-03,2.0"]'))
    cells.append(nbformat.v4.new_code_cell(f"import time\ntime.sleep({sleep})\nprint({text!r})"))
    if fail:
        cells.append(nbformat.v4.new_code_cell(fail))
    cells.append(nbformat.v4.new_code_cell(
        'import json\n'
        'Path("output.csv").write_text("\\n".join(rows) + "\\n", encoding="utf-8")\n'
        'Path("metrics.json").write_text(json.dumps({"train_loss": 0.5, "val_loss": 0.6}), encoding="utf-8")\n'
        'print("done")'))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{slug}.ipynb")
    meta = {
        "id": f"{owner}/{slug}", "title": slug, "code_file": f"{slug}.ipynb", "language": "python",
        "kernel_type": "notebook", "is_private": True, "enable_gpu": gpu, "enable_internet": False,
        "dataset_sources": [dataset] if dataset else [], "competition_sources": [],
        "kernel_sources": [], "model_sources": [],
    }
    (folder / "kernel-metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return folder
