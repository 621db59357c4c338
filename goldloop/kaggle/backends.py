"""The one interface every training backend speaks: push, status, output, logs, cancel.

``KaggleBackend`` talks to Kaggle through the official ``kaggle`` package; ``LocalBackend``
runs the same kernel folder here with nbclient. Both answer in Kaggle's vocabulary
(statuses QUEUED/RUNNING/COMPLETE/ERROR/CANCEL_*, logs as a JSON list of
``{stream_name, time, data}``) so the monitor never cares which one it talks to.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from goldloop.errors import BackendError

METADATA_FILE = "kernel-metadata.json"
FINISHED = frozenset({"complete", "error", "cancelled"})
KERNEL_REF_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}/[a-z0-9-]{1,100}$")


class TransientBackendError(BackendError):
    """A network error, a timeout or a 5xx answer: retry later, never mark a run failed."""


class AuthBackendError(BackendError):
    """The backend refused the credentials (401/403)."""


class KernelConflictError(BackendError):
    """409: the kernel already has a running session, so a new version cannot start."""

    def __init__(self, kernel: str, detail: str = "") -> None:
        super().__init__(
            f"kernel {kernel} is still running, so Kaggle refused the new version (409 Conflict)"
            + (f": {detail}" if detail else ""),
            f"wait for it (`goldloop kaggle monitor status`), or cancel it and push again with "
            f"`goldloop kaggle submit FOLDER --cancel-running` (or `goldloop kaggle cancel {kernel}`)",
        )
        self.kernel = kernel


@dataclass
class PushResult:
    kernel: str  # owner/slug
    version: int | None
    url: str = ""
    session_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunStatus:
    """A run's state in lower case: queued, running, complete, error, cancelled."""

    state: str
    failure_message: str | None = None
    session_id: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "failure_message": self.failure_message,
                "session_id": self.session_id}


# Kaggle's KernelWorkerStatus names → our lower-case states.
KAGGLE_STATES = {
    "QUEUED": "queued", "NEW_SCRIPT": "queued", "RUNNING": "running", "COMPLETE": "complete",
    "ERROR": "error", "CANCEL_REQUESTED": "cancelled", "CANCEL_ACKNOWLEDGED": "cancelled",
}


class Backend(ABC):
    """A place that runs kernel folders. ``kernel`` is always ``owner/slug``."""

    name: str = "?"

    @abstractmethod
    def push(self, folder: Path, *, timeout_seconds: int | None = None) -> PushResult: ...

    @abstractmethod
    def status(self, kernel: str) -> RunStatus: ...

    @abstractmethod
    def download_output(self, kernel: str, dest: Path) -> list[str]:
        """Copy the run's output files (and ``<slug>.log``) into ``dest``; names relative to it."""

    @abstractmethod
    def logs(self, kernel: str) -> str:
        """The run log in Kaggle's format: a JSON list of {stream_name, time, data}."""

    @abstractmethod
    def cancel(self, kernel: str, session_id: int | None = None) -> dict[str, Any]: ...

    def quota(self) -> dict[str, Any] | None:
        """Accelerator quota in hours, or None when the backend has no quota."""
        return None

    def push_dataset(self, folder: Path, ref: str, *, notes: str = "") -> dict[str, Any]:
        raise BackendError(f"the {self.name} backend cannot publish datasets")

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name}


def read_metadata(folder: Path) -> dict[str, Any]:
    """The kernel folder's ``kernel-metadata.json``, checked for what every backend needs."""
    path = Path(folder) / METADATA_FILE
    if not path.is_file():
        raise BackendError(f"{path} is missing", "build the kernel folder with `goldloop notebook build`")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BackendError(f"{path} is not valid JSON: {exc}") from None
    ref = meta.get("id", "")
    if not isinstance(ref, str) or not KERNEL_REF_RE.fullmatch(ref):
        raise BackendError(f"{path}: id {ref!r} is not 'owner/slug'", "use the shape owner/gold-<feature>-<attempt>")
    code = meta.get("code_file")
    if not code or not (Path(folder) / code).is_file():
        raise BackendError(f"{path}: code_file {code!r} does not exist in {folder}")
    return meta


def check_kernel_ref(kernel: str) -> str:
    if not isinstance(kernel, str) or not KERNEL_REF_RE.fullmatch(kernel):
        raise BackendError(f"invalid kernel reference {kernel!r}", "use owner/slug, e.g. me/gold-vix-1")
    return kernel


def get_backend(name: str | None, workspace: Any, config: Any) -> Backend:
    """The backend called ``name`` (default: ``[kaggle] backend`` in goldloop.toml)."""
    chosen = name or config.kaggle.backend
    root = Path(getattr(workspace, "root", workspace))
    if chosen == "local":
        from goldloop.kaggle.local_backend import LocalBackend

        return LocalBackend(root / ".goldloop", owner=config.kaggle.owner,
                            run_timeout_minutes=config.kaggle.run_timeout_minutes)
    if chosen == "kaggle":
        from goldloop.kaggle.kaggle_backend import KaggleBackend

        return KaggleBackend(root)
    raise BackendError(f"unknown backend {chosen!r}", "use 'local' or 'kaggle'")
