"""A local stand-in for the part of Kaggle's API goldloop uses, built from the installed
kagglesdk types and public evidence (each behaviour's source: docs/kaggle.md, "Emulator").

It speaks what the real ``kaggle`` client sends: ``POST /api/v1/<service>/<Method>`` with a
JSON body in kagglesdk's camelCase and Basic (username:key) or Bearer (access token) auth.
What it does like Kaggle, and the old stand-in did not:

* a push while a version runs starts a **second** session beside it (both "bill");
* no session id anywhere; there is no way to stop a session but deleting the kernel;
* 401 for bad credentials, **403** for a kernel that does not exist or is not yours, 404 for
  a deleted one, 409 ``ALREADY_EXISTS`` for a title another kernel of yours has;
* errors in the envelope ``{"error": {"code", "message", "status"}}``; 429/503 as HTML;
* the GPU cap as **HTTP 200 + error** "Maximum batch GPU session count of N reached.";
* unknown dataset sources listed in ``invalidDatasetSources`` while the run **starts anyway**;
* datasets processed asynchronously (a new version is refused while one processes);
* outputs paginated, at URLs that expire; the log only once the session has ended;
* an unpinned status may show the previous session for a while after a push.

Pushed kernels really run (through ``LocalBackend``), or follow a script
(``script_next_run``) for fast tests. ``inject(kind, ...)`` drives every fault from tests.
Start one with ``KaggleEmulator(root).start()`` and point goldloop at it with
``GOLDLOOP_KAGGLE_API_URL``; or run ``python -m goldloop.kaggle.emulator``.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from goldloop.kaggle.local_backend import LocalBackend

# fault → what the next matching request gets
FAULT_KINDS = (
    "server_error",    # 5xx (``status``) with an HTML page
    "rate_limit",      # 429 with an HTML page
    "unauthorized",    # 401 in the error envelope
    "not_found",       # 404 in the error envelope
    "slow",            # answered after ``seconds``
    "hang",            # never answered (the connection closes after ``seconds``)
    "non_json",        # 200 with an HTML page instead of JSON
    "cut",             # 200, the body cut mid-way (Content-Length promises more)
    "lost_answer",     # the request takes effect, the answer never comes
    "unknown_status",  # GetKernelSessionStatus answers a status newer than kagglesdk's enum
    "expired_url",     # an output download URL answers 403 (expired signature)
    "evil_name",       # ListKernelSessionOutput lists a file named "../escape.txt"
)
HTTP_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                     404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED",
                     500: "INTERNAL", 503: "UNAVAILABLE"}
HTML_PAGE = b"<!DOCTYPE html><html><head><title>%d</title></head><body>Please try again later.</body></html>"
ACTIVE = ("QUEUED", "RUNNING")
FUTURE_STATUS = "PREEMPTED"  # a value kagglesdk 0.1.x's KernelWorkerStatus does not have


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class Fault:
    kind: str
    remaining: int
    method: str | None = None  # only this API method ("SaveKernel"; "DownloadBlob"/"UploadBlob" for GET/PUT)
    seconds: float = 0.0
    status: int = 503


@dataclass
class Script:
    """How a scripted session goes: running for ``seconds``, then COMPLETE or ERROR."""

    outcome: str = "COMPLETE"
    seconds: float = 0.5
    log: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Session:
    version: int
    gpu: bool
    started: float
    script: Script | None = None   # None: a real run in the LocalBackend store
    local_version: int | None = None
    stopped: bool = False


@dataclass
class KernelRecord:
    ref: str
    title: str
    sessions: dict[int, Session] = field(default_factory=dict)
    deleted: bool = False
    last_push_at: float = 0.0

    @property
    def latest(self) -> int:
        return max(self.sessions, default=0)


@dataclass
class DatasetRecord:
    ref: str
    versions: int = 1
    ready_at: float = 0.0


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class KaggleEmulator:
    def __init__(self, root: Path, users: dict[str, str] | None = None, tokens: dict[str, str] | None = None,
                 gpu_hours: tuple[float, float] = (0.0, 30.0), run_timeout_minutes: float = 10.0, *,
                 gpu_slots: int = 2, stale_seconds: float = 0.0, url_ttl_seconds: float = 300.0,
                 output_page_size: int = 20, dataset_processing_seconds: float = 0.0,
                 error_style: str = "envelope") -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.users = users if users is not None else {"tester": "0123456789abcdef0123456789abcdef"}
        self.tokens = tokens if tokens is not None else {}  # access token → username
        self.gpu_hours = gpu_hours  # (used, allowed)
        self.gpu_slots = gpu_slots
        self.stale_seconds = stale_seconds
        self.url_ttl_seconds = url_ttl_seconds
        self.output_page_size = output_page_size
        self.dataset_processing_seconds = dataset_processing_seconds
        self.error_style = error_style  # "envelope" (newer answers) or "legacy" ({"code","message"})
        self.backend = LocalBackend(self.root / "store", run_timeout_minutes=run_timeout_minutes,
                                    allow_concurrent=True)
        self.faults: list[Fault] = []
        self._flaky: tuple[float, tuple[str, ...]] = (0.0, ())
        self._random = random.Random(12)
        self.requests: list[tuple[str, int]] = []  # (method, status) in arrival order; 0 = never answered
        self.kernels: dict[str, KernelRecord] = {}
        self.datasets: dict[str, DatasetRecord] = {}
        self._scripts: list[Script] = []
        self._ids = itertools.count(7001)
        self._uploads: dict[str, str] = {}  # blob token → file name
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # -- control ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> KaggleEmulator:
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="kaggle-emulator").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> KaggleEmulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def inject(self, kind: str, count: int = 1, *, method: str | None = None, seconds: float = 0.0,
               status: int = 503) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {FAULT_KINDS}")
        method = method or {"unknown_status": "GetKernelSessionStatus", "expired_url": "DownloadBlob",
                            "evil_name": "ListKernelSessionOutput"}.get(kind)
        with self._lock:
            self.faults.append(Fault(kind, count, method, seconds, status))

    def flaky(self, rate: float, kinds: tuple[str, ...] = ("rate_limit", "server_error"), seed: int = 12) -> None:
        """From now on, answer ``rate`` of all requests with one of ``kinds`` (on top of ``inject``)."""
        with self._lock:
            self._flaky, self._random = (rate, kinds), random.Random(seed)

    def script_next_run(self, outcome: str = "COMPLETE", seconds: float = 0.5, *, log: str | list | None = None,
                        failure: str | None = None, files: dict[str, bytes] | None = None) -> None:
        """The next pushed version follows this script instead of really running."""
        entries = log if isinstance(log, list) else [
            {"stream_name": "stdout", "time": float(i), "data": line + "\n"}
            for i, line in enumerate((log or "").splitlines())]
        with self._lock:
            self._scripts.append(Script(outcome.upper(), seconds, entries, failure, dict(files or {})))

    def end_scripted_run(self, kernel: str, version: int | None = None) -> float:
        """End a scripted session now (its outcome as scripted); the moment it ended."""
        with self._lock:
            record = self.kernels[kernel]
            session = record.sessions[version or record.latest]
            now = time.time()
            session.script.seconds = now - session.started  # type: ignore[union-attr]
            return now

    def fail_next_run(self, log: str | list[dict[str, Any]], failure: str = "Kernel run failed",
                      after_seconds: float = 0.5) -> None:
        """The next pushed kernel 'runs' for ``after_seconds`` and fails with this log."""
        if isinstance(log, str):
            log = [{"stream_name": "stderr", "time": float(i), "data": line + "\n"}
                   for i, line in enumerate(log.splitlines())]
        self.script_next_run("ERROR", after_seconds, log=log, failure=failure)

    def methods(self) -> list[str]:
        return [m for m, _ in self.requests]

    def sessions_started(self, kernel: str) -> int:
        record = self.kernels.get(kernel)
        return len(record.sessions) if record else 0

    def active_sessions(self, kernel: str | None = None) -> list[tuple[str, int]]:
        """(kernel, version) of every queued or running session."""
        with self._lock:
            return [(ref, v) for ref, rec in self.kernels.items() if kernel in (None, ref)
                    for v, s in rec.sessions.items() if self._session_status(rec, s)[0] in ACTIVE]

    # -- request plumbing --------------------------------------------------------------------
    def take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and (fault.method is None or fault.method == method):
                    fault.remaining -= 1
                    return fault
            rate, kinds = self._flaky
            if rate and self._random.random() < rate:
                return Fault(self._random.choice(kinds), 0)
        return None

    def error_body(self, code: int, message: str) -> dict[str, Any]:
        if self.error_style == "legacy":
            return {"code": code, "message": message}
        return {"error": {"code": code, "message": message, "status": HTTP_STATUS_NAMES.get(code, "UNKNOWN")}}

    def _user(self, headers: Any) -> str:
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, key = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")
            if self.users.get(user) == key:
                return user
        elif auth.startswith("Bearer ") and auth[7:] in self.tokens:
            return self.tokens[auth[7:]]
        raise ApiError(401, "Unauthenticated")

    def handle(self, method: str, body: dict[str, Any], headers: Any, fault: Fault | None = None) -> dict[str, Any]:
        if method == "IntrospectToken":
            user = self.tokens.get(body.get("token", ""))
            return {"active": bool(user), "username": user or ""}
        user = self._user(headers)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, f"the emulator does not implement {method}")
        with self._lock:
            answer = handler(body, user)
        if fault is not None and fault.kind == "unknown_status":
            answer = {**answer, "status": FUTURE_STATUS}
        if fault is not None and fault.kind == "evil_name":
            answer = {**answer, "files": [{"fileName": "../escape.txt", "url": self._blob_url("nowhere")},
                                          *answer.get("files", [])]}
        return answer

    # -- kernels -------------------------------------------------------------------------------
    def _record(self, body: dict[str, Any], user: str) -> KernelRecord:
        """The kernel a request names: 403 when it does not exist or is not ``user``'s
        (kaggle-api PR #951; maintainers: 403 can mean "not found"), 404 when deleted."""
        ref = f"{body.get('userName')}/{body.get('kernelSlug')}"
        record = self.kernels.get(ref)
        if record is None or body.get("userName") != user:
            raise ApiError(403, "Permission 'kernels.get' was denied")
        if record.deleted:
            raise ApiError(404, f"Notebook {ref} not found")
        return record

    def _version(self, record: KernelRecord, label: str | None) -> Session:
        if label:
            found = re.fullmatch(r"v(\d+)", label)  # the API wants "v2"; a bare number is a 404
            if not found or int(found.group(1)) not in record.sessions:
                raise ApiError(404, f"version {label} of {record.ref} not found")
            return record.sessions[int(found.group(1))]
        latest = record.latest
        # Right after a push an unpinned status can still show the previous session.
        if (latest - 1) in record.sessions and time.time() - record.last_push_at < self.stale_seconds:
            return record.sessions[latest - 1]
        return record.sessions[latest]

    def _session_status(self, record: KernelRecord, session: Session) -> tuple[str, str | None]:
        if session.stopped:
            return "CANCEL_ACKNOWLEDGED", "The kernel was deleted"
        if session.script is not None:
            if time.time() < session.started + session.script.seconds:
                return "RUNNING", None
            return session.script.outcome, session.script.failure
        status = self.backend.status(record.ref, session.local_version)
        return status.raw.get("status", "QUEUED"), status.failure_message

    def _gpu_sessions(self, user: str) -> int:
        return sum(1 for ref, rec in self.kernels.items() if ref.startswith(user + "/") and not rec.deleted
                   for s in rec.sessions.values() if s.gpu and self._session_status(rec, s)[0] in ACTIVE)

    def _api_SaveKernel(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        ref = body.get("slug") or ""
        owner, _, slug = ref.partition("/")
        if owner != user:
            raise ApiError(403, f"Permission 'kernels.create' was denied for {ref}")
        title = body.get("newTitle") or slug
        record = self.kernels.get(ref)
        if record is None or record.deleted:
            for other in self.kernels.values():
                if other.ref != ref and other.ref.startswith(user + "/") and not other.deleted and (
                        slugify(other.title) == slugify(title)):
                    raise ApiError(409, f"A notebook with the title '{title}' already exists ({other.ref})")
        gpu = bool(body.get("enableGpu"))
        if gpu and self._gpu_sessions(user) >= self.gpu_slots:
            return {"error": f"Maximum batch GPU session count of {self.gpu_slots} reached."}
        sources = list(body.get("datasetDataSources") or [])
        invalid = [s for s in sources if s not in self.datasets]
        if record is None or record.deleted:
            record = self.kernels[ref] = KernelRecord(ref, title)
        version = record.latest + 1
        session = Session(version, gpu, time.time())
        if self._scripts:
            session.script = self._scripts.pop(0)
        else:
            session.local_version = self._run_for_real(ref, slug, body, [s for s in sources if s not in invalid])
        record.sessions[version] = session
        record.last_push_at = time.time()
        return {"ref": f"/code/{ref}", "url": f"{self.url}/code/{ref}", "versionNumber": version,
                "kernelId": next(self._ids), "invalidDatasetSources": invalid}

    def _run_for_real(self, ref: str, slug: str, body: dict[str, Any], sources: list[str]) -> int | None:
        folder = self.root / "pushes" / ref
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        code = f"{slug}.ipynb" if body.get("kernelType") == "notebook" else f"{slug}.py"
        (folder / code).write_text(body.get("text", ""), encoding="utf-8")
        meta = {"id": ref, "title": body.get("newTitle") or slug, "code_file": code,
                "language": body.get("language"), "kernel_type": body.get("kernelType"),
                "dataset_sources": sources, "enable_gpu": bool(body.get("enableGpu"))}
        (folder / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
        return self.backend.push(folder, timeout_seconds=body.get("sessionTimeoutSeconds")).version

    def _api_GetKernel(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._record(body, user)
        return {"metadata": {"ref": record.ref, "title": record.title, "slug": record.ref.split("/", 1)[1],
                             "author": user, "currentVersionNumber": record.latest, "isPrivate": True},
                "blob": {"slug": record.ref}}

    def _api_GetKernelSessionStatus(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._record(body, user)
        status, failure = self._session_status(record, self._version(record, body.get("versionLabel")))
        answer: dict[str, Any] = {"status": status}
        if failure:
            answer["failureMessage"] = failure
        return answer

    def _output_files(self, record: KernelRecord, session: Session) -> list[tuple[str, Path]]:
        if session.script is not None:
            folder = self.root / "scripted" / record.ref / f"v{session.version}"
            if not folder.is_dir():
                folder.mkdir(parents=True)
                for name, data in session.script.files.items():
                    (folder / name).parent.mkdir(parents=True, exist_ok=True)
                    (folder / name).write_bytes(data)
        else:
            folder = self.backend._version_dir(record.ref, session.local_version) / "sandbox" / "working"
        return [(p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*")) if p.is_file()]

    def _blob_url(self, rel: str) -> str:
        expires = time.time() + self.url_ttl_seconds
        return f"{self.url}/_blobs/{quote(rel)}?expires={expires:.3f}"

    def _api_ListKernelSessionOutput(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._record(body, user)
        session = self._version(record, body.get("versionLabel"))
        status, _ = self._session_status(record, session)
        files = self._output_files(record, session)
        size = int(body.get("pageSize") or self.output_page_size)
        size = min(size, self.output_page_size)
        start = int(body.get("pageToken") or 0)
        page = [{"fileName": name, "url": self._blob_url(path.relative_to(self.root).as_posix())}
                for name, path in files[start:start + size]]
        answer: dict[str, Any] = {"files": page}
        if start + size < len(files):
            answer["nextPageToken"] = str(start + size)
        if status not in ACTIVE and start == 0:  # the persisted log exists once the session ended
            answer["log"] = json.dumps(session.script.log, ensure_ascii=False) if session.script is not None \
                else self.backend.logs(record.ref, session.local_version)
        return answer

    def _api_DeleteKernel(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._record(body, user)
        for session in record.sessions.values():
            if self._session_status(record, session)[0] in ACTIVE:
                if session.script is None:
                    self.backend.cancel(record.ref, version=session.local_version)
                session.stopped = True
        record.deleted = True
        return {}

    def _api_CancelKernelSession(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        # The endpoint exists in kagglesdk, but no answer ever carries a session id
        # (kaggle-api PR #1174): no id a client can know names a session.
        return {"errorMessage": f"kernel session {body.get('kernelSessionId')} not found"}

    def _api_GetAcceleratorQuotaStatistics(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        used, allowed = self.gpu_hours
        refresh = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"quotaRefreshTime": refresh,
                "gpuQuota": {"timeUsed": f"{used * 3600:.0f}s", "timeReserved": "0s",
                             "totalTimeAllowed": f"{allowed * 3600:.0f}s"},
                "tpuQuota": {"timeUsed": "0s", "timeReserved": "0s", "totalTimeAllowed": "72000s"}}

    # -- datasets ------------------------------------------------------------------------------
    def _dataset(self, body: dict[str, Any], user: str) -> DatasetRecord:
        ref = f"{body.get('ownerSlug')}/{body.get('datasetSlug')}"
        if ref not in self.datasets:
            raise ApiError(404, "Dataset not found")
        return self.datasets[ref]

    def _api_GetDatasetStatus(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._dataset(body, user)
        return {"status": "READY" if time.time() >= record.ready_at else "BLOBS_RECEIVED"}

    def _api_StartBlobUpload(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        token = f"blob{next(self._ids)}"
        self._uploads[token] = Path(body.get("name", "file")).name
        return {"token": token, "createUrl": f"{self.url}/_upload/{token}"}

    def _publish(self, owner: str, slug: str, files: list[dict[str, Any]], notes: str) -> dict[str, Any]:
        folder = self.root / "incoming" / f"{owner}__{slug}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for item in files:
            token = item.get("token", "")
            name = self._uploads.get(token)
            if name is None:
                raise ApiError(400, f"unknown upload token {token}")
            shutil.copy2(self.root / "uploads" / token, folder / name)
        result = self.backend.push_dataset(folder, f"{owner}/{slug}", notes=notes)
        record = self.datasets.setdefault(f"{owner}/{slug}", DatasetRecord(f"{owner}/{slug}", 0))
        record.versions = result["version"]
        record.ready_at = time.time() + self.dataset_processing_seconds
        return {"ref": f"{owner}/{slug}", "url": f"{self.url}/datasets/{owner}/{slug}", "status": "ok",
                "versionNumber": result["version"]}

    def _api_CreateDataset(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        owner, slug = body.get("ownerSlug") or user, body.get("slug", "")
        if f"{owner}/{slug}" in self.datasets:
            return {"error": f"dataset {owner}/{slug} already exists"}
        return self._publish(owner, slug, body.get("files") or [], "initial")

    def _api_CreateDatasetVersion(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        record = self._dataset(body, user)
        if time.time() < record.ready_at:  # kagglehub PR #182: refused while a version processes
            raise ApiError(403, f"dataset {record.ref} is still being processed")
        owner, slug = record.ref.split("/", 1)
        inner = body.get("body") or {}
        return self._publish(owner, slug, inner.get("files") or [], inner.get("versionNotes") or "")


class _Handler(BaseHTTPRequestHandler):
    emulator: KaggleEmulator
    server_version = "KaggleEmulator/2"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, payload: Any, content_type: str = "application/json", cut: bool = False) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2] if cut else data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a slow answer past its timeout)
        if cut:
            self.close_connection = True

    def _fault_answer(self, method: str, fault: Fault) -> bool:
        """Answer a fault that replaces the real answer; False when the request goes on."""
        em = self.emulator
        if fault.kind == "hang":
            em.requests.append((method, 0))
            time.sleep(fault.seconds or 60)
            self.close_connection = True
            return True
        if fault.kind == "slow":
            time.sleep(fault.seconds or 2)
            return False
        if fault.kind in ("server_error", "rate_limit"):
            code = 429 if fault.kind == "rate_limit" else fault.status
            em.requests.append((method, code))
            self._send(code, HTML_PAGE % code, "text/html; charset=utf-8")
            return True
        if fault.kind in ("unauthorized", "not_found"):
            code = 401 if fault.kind == "unauthorized" else 404
            em.requests.append((method, code))
            self._send(code, em.error_body(code, f"injected {fault.kind}"))
            return True
        if fault.kind == "non_json":
            em.requests.append((method, 200))
            self._send(200, HTML_PAGE % 200, "text/html; charset=utf-8")
            return True
        return False  # cut, lost_answer, unknown_status, evil_name: the request is handled first

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        em = self.emulator
        parts = self.path.split("?")[0].strip("/").split("/")
        method = parts[-1] if len(parts) >= 4 and parts[:2] == ["api", "v1"] else "?"
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fault = em.take_fault(method)
        if fault is not None and self._fault_answer(method, fault):
            return
        try:
            payload = em.handle(method, json.loads(raw or b"{}"), self.headers, fault)
            code = 200
        except ApiError as exc:
            code, payload = exc.code, em.error_body(exc.code, exc.message)
        except Exception as exc:  # a bug in the emulator: answer 500, keep serving
            code, payload = 500, em.error_body(500, f"{type(exc).__name__}: {exc}")
        if fault is not None and fault.kind == "lost_answer":
            em.requests.append((method, 0))
            self.close_connection = True
            return
        em.requests.append((method, code))
        self._send(code, payload, cut=fault is not None and fault.kind == "cut")

    def do_GET(self) -> None:  # noqa: N802 - output downloads at signed, expiring URLs
        em = self.emulator
        split = urlsplit(self.path)
        prefix = "/_blobs/"
        if not split.path.startswith(prefix):
            return self._send(404, em.error_body(404, "not found"))
        fault = em.take_fault("DownloadBlob")
        expires = float((parse_qs(split.query).get("expires") or ["0"])[0])
        if (fault is not None and fault.kind == "expired_url") or time.time() > expires:
            em.requests.append(("DownloadBlob", 403))
            return self._send(403, b"<?xml version='1.0'?><Error><Code>ExpiredToken</Code></Error>",
                              "application/xml")
        if fault is not None and self._fault_answer("DownloadBlob", fault):
            return
        root = em.root.resolve()
        path = (root / unquote(split.path[len(prefix):])).resolve()
        if root not in path.parents or not path.is_file():
            return self._send(404, em.error_body(404, "not found"))
        em.requests.append(("DownloadBlob", 200))
        self._send(200, path.read_bytes(), "application/octet-stream",
                   cut=fault is not None and fault.kind == "cut")

    def do_PUT(self) -> None:  # noqa: N802 - a resumable blob upload (GCS-like)
        em = self.emulator
        token = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        fault = em.take_fault("UploadBlob")
        if fault is not None and self._fault_answer("UploadBlob", fault):
            return
        target = em.root / "uploads" / token
        if self.headers.get("Content-Range", "").startswith("bytes */"):  # "how far did I get?"
            complete = target.is_file()
            em.requests.append(("UploadBlob", 200 if complete else 308))
            return self._send(200 if complete else 308, b"", "text/plain")
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)
        em.requests.append(("UploadBlob", 200))
        self._send(200, {})


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the local Kaggle API emulator.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--user", default="tester")
    parser.add_argument("--key", default="0123456789abcdef0123456789abcdef")
    parser.add_argument("--gpu-slots", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="80 lets the stock kaggle CLI reach it "
                        "with KAGGLE_API_ENVIRONMENT=LOCALHOST")
    args = parser.parse_args()
    em = KaggleEmulator(args.root, users={args.user: args.key}, gpu_slots=args.gpu_slots).start(args.port)
    print(f"emulator at {em.url}; export GOLDLOOP_KAGGLE_API_URL={em.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        em.stop()


if __name__ == "__main__":
    main()
