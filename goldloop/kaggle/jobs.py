"""Where a submitted kernel's bookkeeping lives, shared by submit, monitor, fetch and cancel.

``.goldloop/monitors/<owner>__<slug>.json`` is the job: which backend, kernel, version,
feature and attempt, plus the monitor's pid and progress. The ``.lock`` beside it is held by
the one live monitor of that kernel; ``.log`` is the monitor's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goldloop.config import Config, load_config
from goldloop.errors import StateError
from goldloop.kaggle.local_backend import read_json, write_json
from goldloop.names import META, check_attempt, check_feature
from goldloop.workspace import Workspace


@dataclass(frozen=True)
class Context:
    ws: Workspace
    config: Config

    @property
    def root(self) -> Path:
        return self.ws.root


def context(workspace: Any) -> Context:
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace).resolve())
    return Context(ws, load_config(ws.root))


def check_names(feature: str, attempt: int) -> None:
    if feature != META:
        check_feature(feature)
    check_attempt(attempt)


def kernel_folder(ctx: Context, feature: str, attempt: int) -> Path:
    return ctx.root / "notebooks" / f"{feature}_{attempt}"


def results_dir(ctx: Context, feature: str, attempt: int) -> Path:
    return ctx.root / "results" / f"{feature}_{attempt}"


def monitors_dir(ctx: Context) -> Path:
    path = ctx.ws.private / "monitors"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_key(kernel: str) -> str:
    return kernel.replace("/", "__")


def job_path(ctx: Context, kernel: str, suffix: str = ".json") -> Path:
    return monitors_dir(ctx) / f"{job_key(kernel)}{suffix}"


def load_job(ctx: Context, kernel: str) -> dict[str, Any]:
    path = job_path(ctx, kernel)
    return read_json(path) if path.is_file() else {}


def save_job(ctx: Context, ref: str, **fields: Any) -> dict[str, Any]:
    """Merge fields into the job file of kernel ``ref`` (after submit, only its monitor writes)."""
    data = {**load_job(ctx, ref), **fields, "kernel": ref}
    write_json(job_path(ctx, ref), data)
    return data


def all_jobs(ctx: Context) -> list[dict[str, Any]]:
    jobs = []
    for path in sorted(monitors_dir(ctx).glob("*.json")):
        try:
            jobs.append(read_json(path))
        except (OSError, ValueError):
            continue
    return jobs


def attempt_kernel(ctx: Context, feature: str, attempt: int) -> tuple[str, dict[str, Any]]:
    """The kernel recorded for an attempt at submit, and its job file."""
    from goldloop.state.store import StateStore

    check_names(feature, attempt)
    att = StateStore(ctx.ws).read().record(feature).attempt(attempt)
    if att is None or not att.kernel:
        raise StateError(f"{feature} attempt {attempt} has no submitted kernel",
                         f"submit it first: `goldloop kaggle submit notebooks/{feature}_{attempt}`")
    return att.kernel, load_job(ctx, att.kernel)


def commit_kaggle_step(ctx: Context, feature: str, attempt: int, summary: str) -> dict[str, Any]:
    """``kaggle: <feature> attempt <n> - <summary>``; a failed git push is reported, not raised.

    Every call follows a real event (a push, a queued or adopted run, a fetched result), so it
    always gets a commit naming it, empty when a concurrent step's commit carried the state."""
    from goldloop.config import Secrets
    from goldloop.errors import GoldloopError
    from goldloop.gitlog import commit_step

    try:
        result = commit_step(ctx.root, "kaggle", feature, attempt, summary, push=ctx.config.kaggle.push_git,
                             secret_values=Secrets.load(ctx.root).values(), always=True)
    except GoldloopError as exc:
        return {"committed": False, "error": exc.message}
    return result.to_dict()


def folder_names(folder: Path) -> tuple[str, int]:
    """``notebooks/vix_2`` → ("vix", 2): the kernel-folder naming contract."""
    from goldloop.errors import GoldloopError

    stem, _, number = Path(folder).name.rpartition("_")
    if not stem or not number.isdigit():
        raise GoldloopError(f"cannot tell feature and attempt from the folder name {Path(folder).name!r}",
                            "name kernel folders <feature>_<attempt> (notebooks/vix_1) or pass --feature/--attempt")
    check_names(stem, int(number))
    return stem, int(number)
