"""Publish ``data/<feature>_<attempt>/`` as the dataset ``owner/<project>-<feature>-data`` (create or
new version), and list it in the attempt's kernel metadata so the kernel can read it."""

from __future__ import annotations

import json
from typing import Any

from goldloop.errors import DataError
from goldloop.kaggle.backends import METADATA_FILE, get_backend
from goldloop.kaggle.jobs import check_names, context, kernel_folder

DATASET_METADATA = "dataset-metadata.json"


def dataset_ref(owner: str, feature: str, project: str = "gold") -> str:
    from goldloop.data.attempt import dataset_slug  # the one place dataset slugs are built

    return f"{owner}/{dataset_slug(feature, project)}"


def push_dataset(workspace: Any, feature: str, attempt: int, *, backend: str | None = None,
                 notes: str = "") -> dict[str, Any]:
    ctx = context(workspace)
    check_names(feature, attempt)
    folder = ctx.root / "data" / f"{feature}_{attempt}"
    if not folder.is_dir() or not any(p.is_file() for p in folder.iterdir() if p.name != DATASET_METADATA):
        raise DataError(f"{folder.relative_to(ctx.root)} has no data files",
                        f"write the attempt's input tables there first (`goldloop data fetch {feature}`)")
    _refuse_leaks(ctx, folder)
    ref = dataset_ref(ctx.config.kaggle.owner, feature, ctx.config.project.slug)
    meta = {"title": f"{ctx.config.project.slug} {feature.replace('_', ' ')} data", "id": ref, "licenses": [{"name": "CC0-1.0"}],
            "description": f"Input tables of goldloop feature {feature}, attempt {attempt}."}
    (folder / DATASET_METADATA).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    chosen = get_backend(backend, ctx.ws, ctx.config)
    result = chosen.push_dataset(folder, ref, notes=notes or f"{feature} attempt {attempt}")
    result["kernel_metadata"] = _add_source(ctx, feature, attempt, ref)
    result["backend"] = chosen.name
    return result


def _refuse_leaks(ctx: Any, folder: Any) -> None:
    """A dataset is uploaded as it is (and may be public): no key in any of its files."""
    from goldloop.errors import SecretLeakError
    from goldloop.redaction import secret_values
    from goldloop.secrets import file_leaks

    files = [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]
    problems = file_leaks(folder, files, secret_values(ctx.root))
    if problems:
        raise SecretLeakError("refused to upload the dataset: " + "; ".join(problems[:5]),
                              "remove the credential from the data files (keys belong in .env), then push again")


def _add_source(ctx: Any, feature: str, attempt: int, ref: str) -> str | None:
    """Add the dataset to the kernel folder's dataset_sources (when the folder exists)."""
    path = kernel_folder(ctx, feature, attempt) / METADATA_FILE
    if not path.is_file():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    sources = list(meta.get("dataset_sources") or [])
    if ref not in sources:
        meta["dataset_sources"] = [*sources, ref]
        path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path.relative_to(ctx.root).as_posix()


def push_folder(workspace: Any, folder: Any, slug: str | None = None, *, backend: str | None = None,
                notes: str = "") -> dict[str, Any]:
    """Publish any workspace folder as a dataset, like ``kaggle datasets version -p DIR``.

    The folder's own ``dataset-metadata.json`` names the dataset and is left as it is; without
    one, ``slug`` names it (``owner/slug`` or ``slug`` under the configured owner) and a minimal
    metadata file is written. No kernel metadata is touched: a user's kernel lists its sources.
    """
    import re
    from pathlib import Path

    ctx = context(workspace)
    folder = ctx.ws.inside(Path(folder))
    if not folder.is_dir() or not any(p.is_file() for p in folder.iterdir() if p.name != DATASET_METADATA):
        raise DataError(f"{folder} has no data files", "pass a folder with the files to publish (-p DIR)")
    path = folder / DATASET_METADATA
    if path.is_file():
        try:
            ref = json.loads(path.read_text(encoding="utf-8"))["id"]
        except (ValueError, KeyError, TypeError):
            raise DataError(f"{path} has no readable 'id'", 'write {"id": "owner/slug", "title": …}') from None
        if slug and slug not in (ref, ref.split("/")[-1]):
            raise DataError(f"{path} names {ref}, not {slug}", "drop --slug, or fix the metadata's id")
    elif slug:
        ref = slug if "/" in slug else f"{ctx.config.kaggle.owner}/{slug}"
    else:
        raise DataError(f"{folder} has no {DATASET_METADATA}", "name the dataset with --slug owner/slug")
    if not re.fullmatch(r"[A-Za-z0-9_-]+/[a-z0-9][a-z0-9-]{2,49}", ref):
        raise DataError(f"dataset id {ref!r} is not owner/slug", "slugs are 3-50 lower-case letters, digits, '-'")
    if not path.is_file():
        meta = {"title": ref.split("/")[-1], "id": ref, "licenses": [{"name": "CC0-1.0"}]}
        path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    chosen = get_backend(backend, ctx.ws, ctx.config)
    result = chosen.push_dataset(folder, ref, notes=notes or f"{folder.name}")
    result["backend"] = chosen.name
    return result
