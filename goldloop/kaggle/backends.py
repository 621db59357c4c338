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


# Only the monitor retries by itself; a command run by hand is simply run again.
TRANSIENT_HINT = ("a temporary failure: the monitor retries these by itself; run the command again "
                  "(a submit checks the kernel first, so it never starts a second run)")


class TransientBackendError(BackendError):
    """A network error, a timeout, a cut answer, a 429/5xx or a non-JSON body: retry later,
    never mark a run failed."""

    def __init__(self, message: str, hint: str = TRANSIENT_HINT) -> None:
        super().__init__(message, hint)


class AuthBackendError(BackendError):
    """The backend refused the credentials (401)."""


class ForbiddenBackendError(BackendError):
    """403: the kernel or dataset does not exist or is not yours (Kaggle answers both alike)."""


class NotFoundBackendError(BackendError):
    """404: the kernel was deleted (a never-existing one answers 403 on Kaggle)."""


class KernelConflictError(BackendError):
    """409 ALREADY_EXISTS on push: another kernel of yours already has this title/slug."""

    def __init__(self, kernel: str, detail: str = "") -> None:
        super().__init__(
            f"Kaggle refused {kernel}: another kernel of yours already uses this title or slug (409)"
            + (f": {detail}" if detail else ""),
            "a kernel's slug is its title slugified; give the kernel-metadata.json a title that "
            f"slugifies to '{kernel.split('/', 1)[-1]}' and that no other kernel of yours uses",
        )
        self.kernel = kernel


class KernelBusyError(BackendError):
    """The kernel already has a queued or running session: goldloop never pushes over it
    (Kaggle would start a second, billed session next to it)."""

    def __init__(self, kernel: str, state: str, version: int | None = None) -> None:
        super().__init__(
            f"{kernel} already has a {state} session" + (f" (version {version})" if version else "")
            + "; nothing was pushed, since Kaggle would run a second session beside it",
            "wait for it (`goldloop kaggle monitor status`) or stop it with "
            f"`goldloop kaggle cancel --kernel {kernel} --delete-kernel`",
        )
        self.kernel, self.state, self.version = kernel, state, version


class CapacityRefusedError(BackendError):
    """Kaggle's accelerator slots are all busy ("Maximum batch GPU session count of N
    reached"): nothing started; the push can be queued and tried again when a slot frees."""

    def __init__(self, kernel: str, detail: str, slots: int | None = None) -> None:
        super().__init__(
            f"{kernel} was not started: {slots if slots else 'all'} GPU sessions already running ({detail})",
            "it is queued: goldloop pushes it again when a slot frees (or stop another GPU run)",
        )
        self.kernel, self.detail, self.slots = kernel, detail, slots


@dataclass
class PushResult:
    kernel: str  # owner/slug
    version: int | None
    url: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. Kaggle's invalidDatasetSources

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunStatus:
    """A run's state in lower case: queued, running, complete, error, cancelled (and
    ``unknown`` for a status value this goldloop does not know: treated as still running)."""

    state: str
    failure_message: str | None = None
    version: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def active(self) -> bool:
        """Queued, running or unknown: a session that may still bill."""
        return not self.finished

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "failure_message": self.failure_message, "version": self.version}


# Kaggle's KernelWorkerStatus names → our lower-case states (unknown names → "unknown").
KAGGLE_STATES = {
    "QUEUED": "queued", "NEW_SCRIPT": "queued", "RUNNING": "running", "COMPLETE": "complete",
    "ERROR": "error", "CANCEL_REQUESTED": "cancelled", "CANCEL_ACKNOWLEDGED": "cancelled",
}


def kaggle_state(name: str | None) -> str:
    return KAGGLE_STATES.get(str(name or "").upper(), "unknown")


class Backend(ABC):
    """A place that runs kernel folders. ``kernel`` is always ``owner/slug``."""

    name: str = "?"

    @abstractmethod
    def push(self, folder: Path, *, timeout_seconds: int | None = None) -> PushResult:
        """Start a new version of the folder's kernel. Callers check ``current_run`` first."""

    @abstractmethod
    def status(self, kernel: str, version: int | None = None) -> RunStatus:
        """The session of ``version`` (pinned: ``owner/slug/vN``), or the latest one."""

    @abstractmethod
    def current_run(self, kernel: str) -> RunStatus | None:
        """The kernel's latest session, or None when the kernel does not exist (yet).
        The check before any push: an active session means "do not push, monitor it"."""

    @abstractmethod
    def download_output(self, kernel: str, dest: Path, version: int | None = None) -> dict[str, Any]:
        """Copy the run's output files (and ``<slug>.log``) into ``dest``:
        ``{"files": [names relative to dest], "refused": [{"name", "why"}]}``."""

    @abstractmethod
    def logs(self, kernel: str, version: int | None = None) -> str:
        """The run log in Kaggle's format: a JSON list of {stream_name, time, data}."""

    @abstractmethod
    def cancel(self, kernel: str, *, delete_kernel: bool = False) -> dict[str, Any]:
        """Stop the kernel's session where the backend allows it (see each backend)."""

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
