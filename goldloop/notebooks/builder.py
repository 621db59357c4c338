"""Render a Kaggle-ready kernel folder ``notebooks/<feature>_<attempt>/`` from a template.

The notebook is self-contained: goldloop's runtime and model code are inlined from the
installed source (one source of truth) — a workspace family's module (``families/<name>.py``)
likewise —, the attempt's settings go into the config cell, and ``kernel-metadata.json``
lists the attempt's dataset (``owner/<project>-<feature>-data``) and the project's own
Kaggle datasets. Slugs are ``<project>-<feature>-<attempt>``.
"""

from __future__ import annotations

import json
import pprint
from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.names import META, check_attempt, check_feature

RUNTIME = "goldloop.notebooks.runtime"
META_MODULES = [RUNTIME, "goldloop.metrics", "goldloop.walkforward", "goldloop.models.meta"]
RUN_KEYS = {"train_end", "val_end", "seed"}
META_RUN_KEYS = RUN_KEYS | {"n_trials", "fast", "submodels"}


def template_dir() -> Path:
    from goldloop.workspace import bundle_root

    return bundle_root() / "notebooks" / "templates"


def kernel_slug(feature: str, attempt: int, project: str = "gold") -> str:
    """``<project>-<feature>-<attempt>``: ``project`` is the project's slug (``[project] name``)."""
    return f"{project}-{feature.replace('_', '-')}-{attempt}"


def _literal(value: Any) -> str:
    return pprint.pformat(value, width=88, sort_dicts=False)


def _config_source(values: dict[str, Any], code_names: dict[str, str] | None = None) -> str:
    lines = [f"{k} = {_literal(v)}" for k, v in values.items()]
    lines += [f"{k} = {v}" for k, v in (code_names or {}).items()]  # names, not strings
    return "\n".join(lines)


def _submodel_parts(project: Any, feature: str, attempt: int, params: dict[str, Any], dataset: str,
                    split: tuple[str, str]) -> dict:
    family = project.family(feature)
    cls = family.submodel
    model_params = {**family.params_for_attempt(attempt),
                    **{k: v for k, v in params.items() if k not in RUN_KEYS}}
    cls(prefix=feature, **model_params)  # unknown parameter names fail here, not on Kaggle
    train_end = str(params.get("train_end", split[0]))
    config = {"FEATURE": feature, "ATTEMPT": attempt, "DATASET": dataset, "PARAMS": model_params,
              "TRAIN_END": train_end, "VAL_END": str(params.get("val_end", split[1])),
              "SEED": int(params.get("seed", 0))}
    return {
        "template": "submodel.ipynb",
        "modules": [RUNTIME, "goldloop.models.submodels.base", *family.modules],
        "files": [family.source_file] if family.source_file else [],
        "config": _config_source(config, {"MODEL_CLASS": cls.__name__}),
        "title": {"feature": feature, "attempt": attempt, "submodel": cls.__name__,
                  "train_end": train_end, "project": project.name},
    }


def _meta_parts(project: Any, attempt: int, params: dict[str, Any], dataset: str,
                split: tuple[str, str]) -> dict:
    from goldloop.models.meta import DEFAULT_PARAMS, SETTINGS

    unknown = sorted(set(params) - META_RUN_KEYS - set(DEFAULT_PARAMS))
    if unknown:
        raise GoldloopError(f"unknown meta-model parameter(s): {', '.join(unknown)}",
                            f"use XGBoost ones ({', '.join(DEFAULT_PARAMS)}) or "
                            f"{', '.join(sorted(META_RUN_KEYS))}")
    fast = bool(params.get("fast", False))
    config = {"ATTEMPT": attempt, "DATASET": dataset, "TARGET": project.target_column,
              "PARAMS": {k: v for k, v in params.items() if k in DEFAULT_PARAMS},
              "N_TRIALS": int(params.get("n_trials", SETTINGS["fast" if fast else "full"]["n_trials"])),
              "FAST": fast, "TRAIN_END": str(params.get("train_end", split[0])),
              "VAL_END": str(params.get("val_end", split[1])),
              "SEED": int(params.get("seed", 0))}
    chosen = params.get("submodels")
    return {
        "template": "meta.ipynb",
        "modules": META_MODULES,
        "config": _config_source(config),
        "title": {"attempt": attempt, "project": project.name, "target": project.target_description,
                  "submodels": ", ".join(sorted(chosen)) if chosen else "those published with the data"},
    }


def kernel_metadata(owner: str, feature: str, attempt: int, dataset: str, project: str = "gold",
                    extra_datasets: list[str] | tuple = ()) -> dict[str, Any]:
    slug = kernel_slug(feature, attempt, project)
    return {
        "id": f"{owner}/{slug}",
        "title": slug,
        "code_file": f"{slug}.ipynb",
        "language": "python",
        "kernel_type": "notebook",
        "is_private": True,
        "enable_gpu": False,  # the submodels and XGBoost here are small: CPU is enough
        "enable_internet": False,
        "dataset_sources": [dataset, *(d for d in extra_datasets if d != dataset)],
        "competition_sources": [],
        "kernel_sources": [],
        "model_sources": [],
    }


def render_notebook(parts: dict) -> Any:
    import nbformat

    from goldloop.notebooks.inline import inline_modules

    path = template_dir() / parts["template"]
    if not path.is_file():
        raise GoldloopError(f"notebook template {path} is missing",
                            "reinstall goldloop; templates live in notebooks/templates/")
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        role = cell.metadata.pop("goldloop", None)
        if role == "inline":
            cell.source = inline_modules(parts["modules"], parts.get("files", []))
        elif role == "config":
            cell.source = parts["config"]
        elif role == "title":
            cell.source = cell.source.format(**parts["title"])
        cell.id = f"goldloop-{i}"  # stable ids: a rebuild with the same inputs is byte-identical
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nb


def build_kernel(workspace: Any, feature: str, attempt: int, *, params: dict | None = None,
                 owner: str | None = None) -> Path:
    """Write ``notebooks/<feature>_<attempt>/`` (notebook + kernel-metadata.json); return it."""
    import nbformat

    from goldloop.data.attempt import dataset_slug
    from goldloop.project import load_project, workspace_root

    root = workspace_root(workspace)
    check_feature(feature)
    check_attempt(attempt)
    if params is not None and not isinstance(params, dict):
        raise GoldloopError("params must be a JSON object", 'for example {"n_states": 3}')
    params = dict(params or {})
    project = load_project(root)
    config = project.config
    owner = owner or config.kaggle.owner
    dataset = f"{owner}/{dataset_slug(feature, project.slug)}"
    split = (params["train_end"], params["val_end"]) if {"train_end", "val_end"} <= params.keys() \
        else project.split()
    parts = (_meta_parts(project, attempt, params, dataset, split) if feature == META
             else _submodel_parts(project, feature, attempt, params, dataset, split))
    nb = render_notebook(parts)
    folder = root / "notebooks" / f"{feature}_{attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = kernel_metadata(owner, feature, attempt, dataset, project.slug,
                           config.project.kaggle_datasets)
    for stale in folder.glob("*.ipynb"):
        stale.unlink()
    nbformat.write(nb, folder / meta["code_file"])
    (folder / "kernel-metadata.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder
