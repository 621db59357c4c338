"""Write kernel folders and notebooks for the validator tests and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def metadata(slug: str = "gold-vix-1", **overrides: Any) -> dict[str, Any]:
    meta = {
        "id": f"tester/{slug}", "title": slug, "code_file": f"{slug}.ipynb",
        "language": "python", "kernel_type": "notebook", "is_private": True,
        "enable_gpu": False, "enable_internet": False,
        "dataset_sources": ["tester/gold-vix-data"], "competition_sources": [],
        "kernel_sources": [], "model_sources": [],
    }
    meta.update(overrides)
    return {k: v for k, v in meta.items() if v is not None}


def notebook(cells: list[str], *, outputs: dict[int, list] | None = None,
             nb_metadata: dict | None = None) -> dict[str, Any]:
    """An nbformat-4 notebook; ``outputs`` maps 0-based code-cell index to its outputs."""
    outputs = outputs or {}
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
        if nb_metadata is None else nb_metadata,
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# kernel"}] + [
            {"cell_type": "code", "metadata": {}, "source": src, "outputs": outputs.get(i, []),
             "execution_count": 1 if outputs.get(i) else None}
            for i, src in enumerate(cells)
        ],
    }


def write_kernel(folder: Path, cells: list[str], meta: dict | None = None, **nb_kwargs) -> Path:
    meta = metadata() if meta is None else meta
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel-metadata.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    code_file = meta.get("code_file") if isinstance(meta.get("code_file"), str) else "nb.ipynb"
    (folder / code_file).write_text(json.dumps(notebook(cells, **nb_kwargs), indent=1),
                                    encoding="utf-8")
    return folder


def write_notebook(path: Path, cells: list[str], **nb_kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook(cells, **nb_kwargs), indent=1), encoding="utf-8")
    return path


# The path helper the templates inline (contract: try the API v2 shape, then the legacy one).
PATH_HELPER = '''import os
from pathlib import Path

ROOT = Path(os.environ.get("GOLDLOOP_KAGGLE_ROOT", "/kaggle"))
WORKING = ROOT / "working"


def input_file(dataset, name):
    owner, slug = dataset.split("/", 1)
    for candidate in (ROOT / "input" / "datasets" / owner / slug / name,
                      ROOT / "input" / slug / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(name)
'''
