"""What the data stage writes for one attempt: ``data/<feature>_<attempt>/`` + Kaggle metadata.

A submodel attempt gets its family's input columns (no target: submodels never see the
target's future). The meta-model attempt gets the base table with the target, plus the outputs of
the submodels that passed the gates, copied from ``results/<feature>_<best>/output.csv``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from goldloop.errors import DataError
from goldloop.names import META, check_attempt, check_feature

BASE_FILE = "base.csv"
INPUT_FILE = "input.csv"
SUBMODEL_PREFIX = "sub_"


def dataset_slug(feature: str, project: str = "gold") -> str:
    """``<project>-<feature>-data``: ``project`` is the project's slug (``[project] name``)."""
    return f"{project}-{feature.replace('_', '-')}-data"


def _dataset_metadata(owner: str, project: str, feature: str, attempt: int,
                      files: list[str]) -> dict[str, Any]:
    slug = dataset_slug(feature, project)
    return {
        "title": slug,
        "id": f"{owner}/{slug}",
        "subtitle": f"goldloop input data for {feature} attempt {attempt}",
        "licenses": [{"name": "CC0-1.0"}],
        "resources": [{"path": f, "description": f"{feature} attempt {attempt}"} for f in files],
    }


def _write_csv(frame: Any, path: Path) -> None:
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.index.name = "date"
    out.to_csv(path, encoding="utf-8", lineterminator="\n", float_format="%.10g")


def passed_submodels(root: Path, params: dict[str, Any] | None) -> dict[str, int]:
    """Feature → attempt whose output the meta-model uses: ``params['submodels']`` or the state."""
    if params and params.get("submodels") is not None:
        chosen = params["submodels"]
        if not isinstance(chosen, dict):
            raise DataError("params['submodels'] must map feature names to attempt numbers",
                            'for example {"submodels": {"vix": 2}}')
        return {check_feature(k): check_attempt(int(v)) for k, v in chosen.items()}
    from goldloop.state.model import FeatureStatus
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    state = StateStore(Workspace(root)).read()
    return {name: rec.best_attempt for name, rec in sorted(state.features.items())
            if rec.status == FeatureStatus.PASSED and rec.best_attempt}


def _feature_table(feature: str, project: Any) -> Any:
    inputs = project.inputs(feature)
    project.check_features([feature])
    features, _ = project.base_table()
    return features[inputs]


def write_attempt_data(workspace: Any, feature: str, attempt: int,
                       params: dict[str, Any] | None = None) -> Path:
    """Write the attempt's input table(s) to ``data/<feature>_<attempt>/``; returns the folder."""
    from goldloop.project import load_project, workspace_root

    root = workspace_root(workspace)
    check_feature(feature)
    check_attempt(attempt)
    project = load_project(root)
    config = project.config
    # Fetch (live) before clearing the folder, so a network error loses nothing.
    table = project.base_table() if feature == META else _feature_table(feature, project)
    folder = root / "data" / f"{feature}_{attempt}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files: list[str] = []
    if feature == META:
        features, target = table
        _write_csv(features.join(target), folder / BASE_FILE)
        files.append(BASE_FILE)
        for name, number in passed_submodels(root, params).items():
            source = root / "results" / f"{name}_{number}" / "output.csv"
            if not source.is_file():
                raise DataError(f"submodel output {source} is missing",
                                f"fetch the results of {name} attempt {number} first "
                                "(`goldloop kaggle fetch`)")
            shutil.copyfile(source, folder / f"{SUBMODEL_PREFIX}{name}.csv")
            files.append(f"{SUBMODEL_PREFIX}{name}.csv")
    else:
        _write_csv(table, folder / INPUT_FILE)
        files.append(INPUT_FILE)
    meta = _dataset_metadata(config.kaggle.owner, project.slug, feature, attempt, files)
    (folder / "dataset-metadata.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                  encoding="utf-8")
    return folder


def check_attempt_data(workspace: Any, feature: str, attempt: int, as_of: Any = None):
    """Run the datacheck on what the data stage wrote for this attempt."""
    import pandas as pd

    from goldloop.data.datacheck import datacheck
    from goldloop.project import load_project, workspace_root

    root = workspace_root(workspace)
    folder = root / "data" / f"{check_feature(feature)}_{check_attempt(attempt)}"
    main = folder / (BASE_FILE if feature == META else INPUT_FILE)
    if not main.is_file():
        raise DataError(f"no data for {feature} attempt {attempt} at {folder}",
                        f"run `goldloop data fetch {feature} {attempt}` first")
    table = pd.read_csv(main, parse_dates=["date"], index_col="date")
    for sub in sorted(folder.glob(f"{SUBMODEL_PREFIX}*.csv")):
        table = table.join(pd.read_csv(sub, parse_dates=["date"], index_col="date"), how="left")
    target = load_project(root).target_column
    return datacheck(table, target=target if target in table.columns else None, as_of=as_of)
