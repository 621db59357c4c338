"""Download a run's outputs and log into ``results/<feature>_<attempt>/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from goldloop.kaggle.backends import Backend, get_backend
from goldloop.kaggle.jobs import Context, attempt_kernel, context, results_dir, save_job


def download(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int,
             version: int | None = None) -> dict[str, Any]:
    """The outputs of ``version`` (the one recorded at push; None: the latest). Output names
    that would leave the results folder (``../``) are refused and listed, never written."""
    dest = results_dir(ctx, feature, attempt)
    got = backend.download_output(kernel, dest, version)
    files = list(got["files"])
    slug = kernel.split("/", 1)[1]
    log = dest / f"{slug}.log"
    if not log.is_file():  # some servers send no log with the output list
        log.write_text(backend.logs(kernel, version), encoding="utf-8")
        files.append(log.name)
    if got.get("refused"):
        save_job(ctx, kernel, refused_outputs=got["refused"])
    return {"kernel": kernel, "version": version, "results": dest.relative_to(ctx.root).as_posix(),
            "files": sorted(set(files)), "refused": got.get("refused", []),
            "log": log.relative_to(ctx.root).as_posix()}


def read_metrics(dest: Path) -> dict[str, Any]:
    path = dest / "metrics.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError):  # the gates report the file as unreadable
        return {}
    return data if isinstance(data, dict) else {}


def fetch(workspace: Any, feature: str, attempt: int) -> dict[str, Any]:
    """Fetch what the attempt's kernel has produced so far (state is the monitor's job)."""
    ctx = context(workspace)
    kernel, job = attempt_kernel(ctx, feature, attempt)
    backend = get_backend(job.get("backend"), ctx.ws, ctx.config)
    status = backend.status(kernel, job.get("version"))
    result = download(ctx, backend, kernel, feature, attempt, job.get("version"))
    return {**result, "status": status.to_dict(), "backend": backend.name}
