"""Download a run's outputs and log into ``results/<feature>_<attempt>/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from goldloop.kaggle.backends import Backend, get_backend
from goldloop.kaggle.jobs import Context, attempt_kernel, context, results_dir


def download(ctx: Context, backend: Backend, kernel: str, feature: str, attempt: int) -> dict[str, Any]:
    dest = results_dir(ctx, feature, attempt)
    files = backend.download_output(kernel, dest)
    slug = kernel.split("/", 1)[1]
    log = dest / f"{slug}.log"
    if not log.is_file():  # some servers send no log with the output list
        log.write_text(backend.logs(kernel), encoding="utf-8")
        files.append(log.name)
    return {"kernel": kernel, "results": dest.relative_to(ctx.root).as_posix(), "files": sorted(set(files)),
            "log": log.relative_to(ctx.root).as_posix()}


def read_metrics(dest: Path) -> dict[str, Any]:
    path = dest / "metrics.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def fetch(workspace: Any, feature: str, attempt: int) -> dict[str, Any]:
    """Fetch what the attempt's kernel has produced so far (state is the monitor's job)."""
    ctx = context(workspace)
    kernel, job = attempt_kernel(ctx, feature, attempt)
    backend = get_backend(job.get("backend"), ctx.ws, ctx.config)
    status = backend.status(kernel)
    result = download(ctx, backend, kernel, feature, attempt)
    return {**result, "status": status.to_dict(), "backend": backend.name}
