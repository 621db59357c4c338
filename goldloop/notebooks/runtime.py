"""The tiny runtime every generated notebook carries (inlined; goldloop is absent on Kaggle).

Paths follow the kernel contract: the root is ``/kaggle`` on Kaggle and the sandbox folder
locally (``GOLDLOOP_KAGGLE_ROOT``); a dataset ``owner/slug`` is tried at the API v2 mount
``input/datasets/<owner>/<slug>/`` first, then at the legacy ``input/<slug>/``; outputs go
to ``working/``.
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path


def kaggle_root() -> Path:
    return Path(os.environ.get("GOLDLOOP_KAGGLE_ROOT", "/kaggle"))


def input_file(dataset: str, name: str) -> Path:
    """A file of an attached dataset, under either mount shape."""
    owner, slug = dataset.split("/", 1)
    root = kaggle_root()
    candidates = [root / "input" / "datasets" / owner / slug / name, root / "input" / slug / name]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{name} of dataset {dataset} not found; tried: "
                            + ", ".join(str(p) for p in candidates))


def output_file(name: str) -> Path:
    folder = kaggle_root() / "working"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def seed_everything(seed: int) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def write_table(frame, name: str) -> Path:
    """CSV with ISO dates in the first column ``date`` (the output contract)."""
    out = frame.copy()
    if "date" in out.columns:
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        out = out.set_index("date")
    else:
        out.index = out.index.strftime("%Y-%m-%d")
        out.index.name = "date"
    path = output_file(name)
    out.to_csv(path, encoding="utf-8", lineterminator="\n", float_format="%.10g")
    return path


def write_metrics(metrics: dict, name: str = "metrics.json") -> Path:
    """JSON with NaN/inf as null, so every reader (and jsonschema) accepts it."""
    def clean(value):
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if hasattr(value, "item"):  # numpy scalars
            return clean(value.item())
        return value

    path = output_file(name)
    path.write_text(json.dumps(clean(metrics), indent=2) + "\n", encoding="utf-8")
    return path
