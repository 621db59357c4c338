"""Run kernel folders on this machine, laid out like Kaggle, detached from the caller.

Storage (all under the workspace's git-ignored ``.goldloop/``)::

    kernels/<owner>/<slug>/current.json        {"version": n}
    kernels/<owner>/<slug>/v<n>/kernel/        the pushed folder, as pushed
    kernels/<owner>/<slug>/v<n>/sandbox/       input/ (datasets, both shapes) and working/
    kernels/<owner>/<slug>/v<n>/run.json       status in Kaggle's names, pid, times
    kernels/<owner>/<slug>/v<n>/log.json       Kaggle's log format
    datasets/<owner>/<slug>/                   datasets published with ``dataset-push``

The run itself is ``python -m goldloop.kaggle.local_runner <v<n> dir>`` in its own session, so
it outlives the process that pushed it (and the terminal), like a Kaggle session does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from goldloop.errors import BackendError
from goldloop.kaggle.backends import (
    Backend,
    KernelBusyError,
    PushResult,
    RunStatus,
    check_kernel_ref,
    kaggle_state,
    read_metadata,
)
from goldloop.state.model import utcnow

RUN_FILE = "run.json"
CANCELLED = ("CANCEL_REQUESTED", "CANCEL_ACKNOWLEDGED")
LOG_FILE = "log.json"


def write_json(path: Path, data: Any) -> None:
    """Write-then-rename, so a reader never sees half a file."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def detached_popen(args: list[str], log_path: Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a process that survives our exit and the terminal (new session / process group)."""
    kwargs: dict[str, Any] = {}
    if os.name == "nt":
        kwargs["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    out = open(log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        return subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                env={**os.environ, **(env or {}), "PYTHONUTF8": "1"}, **kwargs)
    finally:
        out.close()


def merge_run(vdir: Path, **fields: Any) -> dict[str, Any]:
    """Update run.json under a lock: the pusher, the runner and cancel all write it."""
    from filelock import FileLock

    with FileLock(str(vdir / (RUN_FILE + ".lock")), timeout=30):
        data = read_json(vdir / RUN_FILE)
        new, current = fields.get("status"), data.get("status")
        if new and current in CANCELLED and new not in CANCELLED:
            return data  # a cancel has the final word over the runner's late writes
        data.update(fields)
        write_json(vdir / RUN_FILE, data)
        return data


def pid_alive(pid: int | None) -> bool:
    import psutil

    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kill_tree(pid: int) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    procs = [*root.children(recursive=True), root]
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


def mount_datasets(store: Path, sources: list[str], input_dir: Path) -> list[str]:
    """Make each dataset ``owner/slug`` reachable at input/datasets/owner/slug AND input/slug."""
    mounted = []
    for ref in sources:
        owner, slug = ref.split("/", 1)
        src = store / "datasets" / owner / slug
        if not src.is_dir():
            raise BackendError(f"dataset {ref} does not exist on the local backend",
                               "publish it first: `goldloop kaggle dataset-push FEATURE ATTEMPT`")
        for target in (input_dir / "datasets" / owner / slug, input_dir / slug):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.symlink_to(src.resolve(), target_is_directory=True)
            except OSError:  # Windows without symlink rights: a copy reads the same
                shutil.copytree(src, target, ignore=shutil.ignore_patterns("dataset-metadata.json"))
        mounted.append(ref)
    return mounted


class LocalBackend(Backend):
    name = "local"

    def __init__(self, store: Path, owner: str = "goldloop", run_timeout_minutes: float = 30.0,
                 allow_concurrent: bool = False) -> None:
        self.store = Path(store)
        self.owner = owner
        self.run_timeout_s = run_timeout_minutes * 60
        # The emulator sets this: on Kaggle a push beside a running session starts a second one.
        self.allow_concurrent = allow_concurrent

    # -- layout
    def _kernel_dir(self, kernel: str) -> Path:
        owner, slug = check_kernel_ref(kernel).split("/", 1)
        return self.store / "kernels" / owner / slug

    def _version_dir(self, kernel: str, version: int | None = None) -> Path:
        kdir = self._kernel_dir(kernel)
        if version is None:
            current = kdir / "current.json"
            if not current.is_file():
                raise BackendError(f"kernel {kernel} was never pushed to the local backend",
                                   "submit it first with `goldloop kaggle submit`")
            version = int(read_json(current)["version"])
        return kdir / f"v{version}"

    # -- interface
    def push(self, folder: Path, *, timeout_seconds: int | None = None) -> PushResult:
        folder = Path(folder)
        meta = read_metadata(folder)
        kernel = meta["id"]
        kdir = self._kernel_dir(kernel)
        current = self.current_run(kernel)
        if current is not None and current.active and not self.allow_concurrent:
            raise KernelBusyError(kernel, current.state, current.version)
        versions = [int(p.name[1:]) for p in kdir.glob("v*") if p.name[1:].isdigit()]
        version = max(versions, default=0) + 1
        vdir = kdir / f"v{version}"
        shutil.copytree(folder, vdir / "kernel", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (vdir / "sandbox" / "working").mkdir(parents=True)
        (vdir / "sandbox" / "input").mkdir()
        try:
            mount_datasets(self.store, list(meta.get("dataset_sources") or []), vdir / "sandbox" / "input")
        except BackendError:
            shutil.rmtree(vdir, ignore_errors=True)
            raise
        timeout = float(timeout_seconds or self.run_timeout_s)
        write_json(vdir / RUN_FILE, {"kernel": kernel, "version": version, "status": "QUEUED",
                                     "pushed_at": utcnow(), "timeout_seconds": timeout,
                                     "code_file": meta["code_file"], "failure_message": None})
        write_json(vdir / LOG_FILE, [])
        write_json(kdir / "current.json", {"version": version})
        proc = detached_popen([sys.executable, "-m", "goldloop.kaggle.local_runner", str(vdir)],
                              vdir / "runner.out", cwd=vdir)
        merge_run(vdir, pid=proc.pid)
        return PushResult(kernel=kernel, version=version, url=str(vdir))

    def current_run(self, kernel: str) -> RunStatus | None:
        if not (self._kernel_dir(kernel) / "current.json").is_file():
            return None
        return self.status(kernel)

    def status(self, kernel: str, version: int | None = None) -> RunStatus:
        vdir = self._version_dir(kernel, version)
        run = read_json(vdir / RUN_FILE)
        upper = run.get("status", "QUEUED")
        if upper in ("QUEUED", "RUNNING") and run.get("pid") and not pid_alive(run["pid"]):
            # Re-read: the runner writes its final status just before it exits.
            run = read_json(vdir / RUN_FILE)
            upper = run.get("status", "QUEUED")
            if upper in ("QUEUED", "RUNNING"):
                upper, run["failure_message"] = "ERROR", "the local runner process died without a result"
        return RunStatus(kaggle_state(upper), run.get("failure_message"), run.get("version"), raw=run)

    def logs(self, kernel: str, version: int | None = None) -> str:
        path = self._version_dir(kernel, version) / LOG_FILE
        return path.read_text(encoding="utf-8") if path.is_file() else "[]"

    def download_output(self, kernel: str, dest: Path, version: int | None = None) -> dict[str, Any]:
        vdir = self._version_dir(kernel, version)
        working = vdir / "sandbox" / "working"
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        names = []
        for path in sorted(working.rglob("*")):
            if path.is_file():
                rel = path.relative_to(working)
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / rel)
                names.append(rel.as_posix())
        slug = kernel.split("/", 1)[1]
        (dest / f"{slug}.log").write_text(self.logs(kernel, version), encoding="utf-8")
        names.append(f"{slug}.log")
        return {"files": names, "refused": []}

    def cancel(self, kernel: str, *, delete_kernel: bool = False, version: int | None = None) -> dict[str, Any]:
        """Stop the run here (a local process can be stopped; ``delete_kernel`` changes nothing)."""
        vdir = self._version_dir(kernel, version)
        run = read_json(vdir / RUN_FILE)
        if run.get("status") not in ("QUEUED", "RUNNING"):
            return {"kernel": kernel, "stopped": False, "deleted": False,
                    "message": f"not running ({run.get('status')})"}
        # Mark first, so a poll between the kill and the final mark never sees a "dead runner".
        merge_run(vdir, status="CANCEL_REQUESTED", failure_message="cancelled by request")
        if run.get("pid"):
            kill_tree(int(run["pid"]))
        merge_run(vdir, status="CANCEL_ACKNOWLEDGED", finished_at=utcnow(),
                        failure_message="cancelled by request")
        return {"kernel": kernel, "stopped": True, "deleted": False, "version": run.get("version"),
                "message": f"stopped {kernel} v{run.get('version')} (local run)"}

    def push_dataset(self, folder: Path, ref: str, *, notes: str = "") -> dict[str, Any]:
        """Create or replace ``datasets/<owner>/<slug>/`` (staged, then swapped in)."""
        owner, slug = ref.split("/", 1)
        target = self.store / "datasets" / owner / slug
        version_file = target / ".version.json"
        version = int(read_json(version_file)["version"]) + 1 if version_file.is_file() else 1
        staging = target.with_name(slug + ".incoming")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder, staging)
        write_json(staging / ".version.json", {"version": version, "notes": notes, "at": utcnow()})
        created = not target.exists()
        if not created:
            shutil.rmtree(target)
        os.replace(staging, target)
        files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*")
                       if p.is_file() and not p.name.startswith("."))
        return {"dataset": ref, "version": version, "created": created, "files": files, "path": str(target)}

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "store": str(self.store)}
