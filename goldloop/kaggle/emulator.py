"""A local stand-in for the part of Kaggle's API that goldloop uses, for tests and demos.

It speaks what the real ``kaggle`` client sends: ``POST /api/v1/<service>/<method>`` with a
JSON body and Basic (username:key) or Bearer (access token) auth, answering JSON in
kagglesdk's camelCase. Pushed kernels really run, through the LocalBackend. Faults are
injected on demand (409 on push, 401, bursts of 5xx, slow or hanging answers, a run that
fails with a given log). Start one with ``KaggleEmulator(root).start()`` and point the client
at it with ``GOLDLOOP_KAGGLE_API_URL``; or run ``python -m goldloop.kaggle.emulator``.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from goldloop.errors import BackendError
from goldloop.kaggle.backends import KernelConflictError
from goldloop.kaggle.local_backend import LocalBackend

KERNELS = "kernels.KernelsApiService"
FAULT_KINDS = ("conflict", "unauthorized", "server_error", "slow", "hang")


@dataclass
class Fault:
    kind: str
    remaining: int
    method: str | None = None  # only requests to this API method (e.g. "SaveKernel")
    seconds: float = 0.0       # delay for slow/hang
    status: int = 503


@dataclass
class ScriptedRun:
    log: list[dict[str, Any]]
    failure: str
    done_at: float


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class KaggleEmulator:
    def __init__(self, root: Path, users: dict[str, str] | None = None, tokens: dict[str, str] | None = None,
                 gpu_hours: tuple[float, float] = (0.0, 30.0), run_timeout_minutes: float = 10.0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.users = users if users is not None else {"tester": "0123456789abcdef0123456789abcdef"}
        self.tokens = tokens if tokens is not None else {}  # access token → username
        self.gpu_hours = gpu_hours  # (used, allowed)
        self.backend = LocalBackend(self.root / "store", run_timeout_minutes=run_timeout_minutes)
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, int]] = []  # (method, status) in arrival order
        self._scripted: dict[str, ScriptedRun] = {}
        self._next_failure: tuple[list[dict[str, Any]], str, float] | None = None
        self._sessions: dict[int, tuple[str, int]] = {}  # session id → (kernel, version)
        self._session_ids = itertools.count(7001)
        self._uploads: dict[str, str] = {}  # blob token → file name
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # -- control
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
        if kind == "conflict":
            method = method or "SaveKernel"
        with self._lock:
            self.faults.append(Fault(kind, count, method, seconds, status))

    def fail_next_run(self, log: str | list[dict[str, Any]], failure: str = "Kernel run failed",
                      after_seconds: float = 0.5) -> None:
        """The next pushed kernel 'runs' for ``after_seconds`` and fails with this log."""
        entries = log if isinstance(log, list) else [
            {"stream_name": "stderr", "time": float(i), "data": line + "\n"} for i, line in enumerate(log.splitlines())]
        self._next_failure = (entries, failure, after_seconds)

    def methods(self) -> list[str]:
        return [m for m, _ in self.requests]

    # -- request handling
    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and (fault.method is None or fault.method == method):
                    fault.remaining -= 1
                    return fault
        return None

    def _user(self, headers: Any) -> str:
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, key = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")
            if self.users.get(user) == key:
                return user
        elif auth.startswith("Bearer ") and auth[7:] in self.tokens:
            return self.tokens[auth[7:]]
        raise ApiError(401, "Unauthenticated")

    def handle(self, method: str, body: dict[str, Any], headers: Any) -> dict[str, Any]:
        if method == "IntrospectToken":
            user = self.tokens.get(body.get("token", ""))
            return {"active": bool(user), "username": user or ""}
        user = self._user(headers)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, f"the emulator does not implement {method}")
        return handler(body, user)

    def _kernel(self, body: dict[str, Any]) -> str:
        return f"{body.get('userName')}/{body.get('kernelSlug')}"

    def _api_SaveKernel(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        kernel = body.get("slug") or ""
        owner, _, slug = kernel.partition("/")
        if owner != user:
            raise ApiError(403, f"{user} may not push to {kernel}")
        folder = self.root / "pushes" / owner / slug
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        code = f"{slug}.ipynb" if body.get("kernelType") == "notebook" else f"{slug}.py"
        (folder / code).write_text(body.get("text", ""), encoding="utf-8")
        meta = {"id": kernel, "title": body.get("newTitle") or slug, "code_file": code,
                "language": body.get("language"), "kernel_type": body.get("kernelType"),
                "dataset_sources": body.get("datasetDataSources") or [],
                "enable_gpu": bool(body.get("enableGpu"))}
        (folder / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
        scripted = self._scripted.get(kernel)
        if scripted and time.time() < scripted.done_at:
            raise ApiError(409, f"Conflict: kernel {kernel} has a running session")
        try:
            if self._next_failure is not None:
                result = self._push_scripted(kernel, folder)
            else:
                self._scripted.pop(kernel, None)
                result = self.backend.push(folder, timeout_seconds=body.get("sessionTimeoutSeconds"))
        except KernelConflictError as exc:
            raise ApiError(409, f"Conflict: kernel {kernel} has a running session ({exc.kernel})") from None
        except BackendError as exc:
            return {"ref": f"/code/{kernel}", "error": exc.message, "invalidDatasetSources": meta["dataset_sources"]}
        session = next(self._session_ids)
        self._sessions[session] = (kernel, result.version or 0)
        return {"ref": f"/code/{kernel}", "url": f"{self.url}/code/{kernel}", "versionNumber": result.version,
                "kernelId": abs(hash(kernel)) % 10**6}

    def _push_scripted(self, kernel: str, folder: Path) -> Any:
        entries, failure, after = self._next_failure  # type: ignore[misc]
        self._next_failure = None
        self._scripted[kernel] = ScriptedRun(entries, failure, time.time() + after)
        return type("Pushed", (), {"version": 1})()

    def _session_of(self, kernel: str) -> int | None:
        matches = [sid for sid, (k, _) in self._sessions.items() if k == kernel]
        return max(matches) if matches else None

    def _api_GetKernelSessionStatus(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        kernel = self._kernel(body)
        scripted = self._scripted.get(kernel)
        if scripted:
            running = time.time() < scripted.done_at
            return {"status": "RUNNING" if running else "ERROR",
                    "failureMessage": None if running else scripted.failure,
                    "kernelSessionId": self._session_of(kernel)}
        try:
            status = self.backend.status(kernel)
        except BackendError as exc:
            raise ApiError(404, exc.message) from None
        upper = status.raw.get("status", "QUEUED")
        return {"status": upper, "failureMessage": status.failure_message, "kernelSessionId": self._session_of(kernel)}

    def _api_ListKernelSessionOutput(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        kernel = self._kernel(body)
        scripted = self._scripted.get(kernel)
        if scripted:
            return {"files": [], "log": json.dumps(scripted.log, ensure_ascii=False)}
        try:
            vdir = self.backend._version_dir(kernel)
        except BackendError as exc:
            raise ApiError(404, exc.message) from None
        working = vdir / "sandbox" / "working"
        files = [{"fileName": p.relative_to(working).as_posix(),
                  "url": f"{self.url}/_blobs/{quote(p.relative_to(self.backend.store).as_posix())}"}
                 for p in sorted(working.rglob("*")) if p.is_file()]
        return {"files": files, "log": self.backend.logs(kernel)}

    def _api_CancelKernelSession(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        sid = int(body.get("kernelSessionId") or 0)
        if sid not in self._sessions:
            return {"errorMessage": f"no kernel session {sid}"}
        kernel, version = self._sessions[sid]
        if kernel in self._scripted:
            self._scripted[kernel].done_at = time.time()
            return {}
        self.backend.cancel(kernel, version)
        return {}

    def _api_GetAcceleratorQuotaStatistics(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        used, allowed = self.gpu_hours
        refresh = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"quotaRefreshTime": refresh,
                "gpuQuota": {"timeUsed": f"{used * 3600:.0f}s", "timeReserved": "0s",
                             "totalTimeAllowed": f"{allowed * 3600:.0f}s"},
                "tpuQuota": {"timeUsed": "0s", "timeReserved": "0s", "totalTimeAllowed": "72000s"}}

    def _dataset_dir(self, owner: str, slug: str) -> Path:
        return self.backend.store / "datasets" / owner / slug

    def _api_GetDatasetStatus(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        if not self._dataset_dir(body.get("ownerSlug", ""), body.get("datasetSlug", "")).is_dir():
            raise ApiError(404, "Dataset not found")
        return {"status": "READY"}

    def _api_StartBlobUpload(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        token = f"blob{next(self._session_ids)}"
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
        return {"ref": f"{owner}/{slug}", "url": f"{self.url}/datasets/{owner}/{slug}", "status": "ok",
                "versionNumber": result["version"]}

    def _api_CreateDataset(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        owner, slug = body.get("ownerSlug") or user, body.get("slug", "")
        if self._dataset_dir(owner, slug).is_dir():
            return {"error": f"dataset {owner}/{slug} already exists"}
        return self._publish(owner, slug, body.get("files") or [], "initial")

    def _api_CreateDatasetVersion(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        owner, slug = body.get("ownerSlug", ""), body.get("datasetSlug", "")
        if not self._dataset_dir(owner, slug).is_dir():
            raise ApiError(404, "Dataset not found")
        inner = body.get("body") or {}
        return self._publish(owner, slug, inner.get("files") or [], inner.get("versionNotes") or "")


class _Handler(BaseHTTPRequestHandler):
    emulator: KaggleEmulator
    server_version = "KaggleEmulator/1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, payload: Any, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        em = self.emulator
        parts = self.path.split("?")[0].strip("/").split("/")
        method = parts[-1] if len(parts) >= 4 and parts[:2] == ["api", "v1"] else "?"
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fault = em._take_fault(method)
        if fault is not None:
            if fault.kind == "hang":
                em.requests.append((method, 0))  # 0: never answered
                time.sleep(fault.seconds or 60)
                self.close_connection = True
                return
            if fault.kind == "slow":
                time.sleep(fault.seconds or 2)
            else:
                code = {"conflict": 409, "unauthorized": 401}.get(fault.kind, fault.status)
                em.requests.append((method, code))
                return self._send(code, {"code": code, "message": f"injected {fault.kind}"})
        try:
            body = json.loads(raw or b"{}")
            payload = em.handle(method, body, self.headers)
            code = 200
        except ApiError as exc:
            code, payload = exc.code, {"code": exc.code, "message": exc.message}
        except Exception as exc:  # a bug in the emulator: answer 500, keep serving
            code, payload = 500, {"code": 500, "message": f"{type(exc).__name__}: {exc}"}
        em.requests.append((method, code))
        self._send(code, payload)

    def do_GET(self) -> None:  # noqa: N802
        prefix = "/_blobs/"
        if not self.path.startswith(prefix):
            return self._send(404, {"code": 404, "message": "not found"})
        store = self.emulator.backend.store.resolve()
        path = (store / unquote(self.path[len(prefix):])).resolve()
        if store not in path.parents or not path.is_file():
            return self._send(404, {"code": 404, "message": "not found"})
        self._send(200, path.read_bytes(), "application/octet-stream")

    def do_PUT(self) -> None:  # noqa: N802 - blob upload
        token = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        uploads = self.emulator.root / "uploads"
        uploads.mkdir(exist_ok=True)
        (uploads / token).write_bytes(data)
        self._send(200, {})


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the local Kaggle API emulator.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--user", default="tester")
    parser.add_argument("--key", default="0123456789abcdef0123456789abcdef")
    parser.add_argument("--port", type=int, default=0, help="80 lets the stock kaggle CLI reach it "
                        "with KAGGLE_API_ENVIRONMENT=LOCALHOST")
    args = parser.parse_args()
    em = KaggleEmulator(args.root, users={args.user: args.key}).start(args.port)
    print(f"emulator at {em.url}; export GOLDLOOP_KAGGLE_API_URL={em.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        em.stop()


if __name__ == "__main__":
    main()
