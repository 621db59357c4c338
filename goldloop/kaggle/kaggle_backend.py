"""The Kaggle backend: every call goes through the official ``kaggle`` package (and its
``kagglesdk`` client for the calls the package does not wrap: cancel-session, quota).

``GOLDLOOP_KAGGLE_API_URL`` points the client at another server (the emulator in tests):
kagglesdk maps ``KAGGLE_API_ENVIRONMENT`` to fixed URLs only (LOCALHOST is port 80), so we
build the client for the LOCAL environment and give its HTTP client that base URL.
Every request gets a timeout, so a hanging server becomes a retryable error, not a hang.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from goldloop.errors import BackendError
from goldloop.kaggle.backends import (
    KAGGLE_STATES,
    AuthBackendError,
    Backend,
    KernelConflictError,
    PushResult,
    RunStatus,
    TransientBackendError,
    check_kernel_ref,
    read_metadata,
)
from goldloop.kaggle.credentials import KaggleCredentials, find_credentials

T = TypeVar("T")
API_URL_ENV = "GOLDLOOP_KAGGLE_API_URL"


def request_timeout() -> float:
    """Seconds before a Kaggle request counts as hung (``GOLDLOOP_KAGGLE_TIMEOUT``, default 30)."""
    return float(os.environ.get("GOLDLOOP_KAGGLE_TIMEOUT", "30"))


def _timeout_adapter(timeout: float):
    from requests.adapters import HTTPAdapter

    class TimeoutAdapter(HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[override]
            kwargs["timeout"] = kwargs.get("timeout") or timeout
            return super().send(request, **kwargs)

    return TimeoutAdapter()


def make_api(creds: KaggleCredentials, api_url: str | None = None, timeout: float | None = None,
             force_utf8: bool = True):
    """A ``KaggleApi`` signed in with ``creds``, talking to ``api_url`` (default: Kaggle)."""
    from goldloop.kaggle.utf8 import import_kaggle_api

    base = import_kaggle_api(force=force_utf8)
    timeout = timeout or request_timeout()
    from kagglesdk import KaggleClient
    from kagglesdk.kaggle_env import KaggleEnv

    class GoldloopKaggleApi(base):  # type: ignore[misc, valid-type]
        last_raw: dict[str, Any] = {}

        def _remember(self, response: Any) -> None:
            # The SDK drops fields it does not know (e.g. kernelSessionId); keep the raw body.
            try:
                self.last_raw = response.json()
            except ValueError:
                self.last_raw = {}

        def build_kaggle_client(self) -> KaggleClient:
            client = KaggleClient(env=KaggleEnv.LOCAL if api_url else KaggleEnv.PROD,
                                  username=self.config_values.get(self.CONFIG_NAME_USER),
                                  password=self.config_values.get(self.CONFIG_NAME_KEY),
                                  api_token=self.config_values.get(self.CONFIG_NAME_TOKEN),
                                  response_processor=self._remember)
            http = client._http_client
            if api_url:
                http._endpoint = api_url.rstrip("/")
            http._init_session()
            session = http._session
            # kagglesdk prefers a KAGGLE_API_TOKEN from the environment over what it is given;
            # the credentials we chose (and reported) are the ones used.
            session.auth = http.BearerAuth(creds.token) if creds.token else (creds.username, creds.key)
            session.mount("http://", _timeout_adapter(timeout))
            session.mount("https://", _timeout_adapter(timeout))
            return client

    api = GoldloopKaggleApi()
    values = {}
    if creds.username:
        values[api.CONFIG_NAME_USER] = creds.username
    if creds.token:
        values[api.CONFIG_NAME_TOKEN] = creds.token
    else:
        values[api.CONFIG_NAME_KEY] = creds.key
    api.config_values = values
    api._authenticated = True
    return api


def translate_error(exc: Exception, what: str, kernel: str | None = None) -> Exception:
    """A requests/kaggle exception → our error family (transient ones are retryable)."""
    import requests

    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return TransientBackendError(f"{what}: network error talking to Kaggle ({type(exc).__name__})",
                                     "it is retried automatically; check the connection if it persists")
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    detail = str(exc).splitlines()[0][:300]
    if code == 409 and kernel:
        return KernelConflictError(kernel, detail)
    if code in (401, 403) or (isinstance(exc, ValueError) and "denied" in str(exc)):
        owner_hint = (" — a 403 also means the kernel's owner is not your account: [kaggle] owner in "
                      "goldloop.toml must be your Kaggle username") if code == 403 else ""
        return AuthBackendError(f"{what}: Kaggle refused the credentials ({code or 'denied'})",
                                "check KAGGLE_API_TOKEN or KAGGLE_USERNAME/KAGGLE_KEY (`goldloop kaggle quota` tests "
                                "them)" + owner_hint)
    if code is not None and (code >= 500 or code == 429):
        return TransientBackendError(f"{what}: Kaggle answered {code}", "it is retried automatically")
    if code == 404:
        return BackendError(f"{what}: not found on Kaggle ({detail})", "check the kernel or dataset reference")
    if isinstance(exc, ValueError):
        return BackendError(f"{what}: {detail}")
    return BackendError(f"{what}: {type(exc).__name__}: {detail}")


class KaggleBackend(Backend):
    name = "kaggle"

    def __init__(self, workspace_root: Path | None = None, api_url: str | None = None) -> None:
        self.workspace_root = workspace_root
        self.api_url = api_url or os.environ.get(API_URL_ENV) or None
        self._api = None
        self._creds: KaggleCredentials | None = None

    @property
    def credentials(self) -> KaggleCredentials:
        if self._creds is None:
            self._creds = find_credentials(self.workspace_root)
        return self._creds

    @property
    def api(self):
        if self._api is None:
            self._api = make_api(self.credentials, self.api_url)
        return self._api

    def _call(self, what: str, fn: Callable[..., T], *args: Any, kernel: str | None = None, **kwargs: Any) -> T:
        import requests

        try:
            return fn(*args, **kwargs)
        except (requests.RequestException, ValueError) as exc:
            raise translate_error(exc, what, kernel) from None

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "api": self.api_url or "https://api.kaggle.com",
                "credentials": self.credentials.describe()}

    # -- interface
    def push(self, folder: Path, *, timeout_seconds: int | None = None) -> PushResult:
        kernel = read_metadata(folder)["id"]
        resp = self._call(f"push {kernel}", self.api.kernels_push, str(folder),
                          str(timeout_seconds) if timeout_seconds else None, kernel=kernel)
        if resp.error:
            if "409" in resp.error or "running" in resp.error.lower():
                raise KernelConflictError(kernel, resp.error)
            raise BackendError(f"Kaggle refused {kernel}: {resp.error}")
        invalid = list(resp.invalid_dataset_sources or []) + list(resp.invalid_kernel_sources or [])
        if invalid:
            raise BackendError(f"Kaggle does not know these sources of {kernel}: {', '.join(invalid)}",
                               "publish the data with `goldloop kaggle dataset-push` and check dataset_sources")
        # resp.ref is a URL path ("/code/owner/slug"); the metadata id is the kernel.
        return PushResult(kernel=kernel, version=resp.version_number, url=resp.url)

    def status(self, kernel: str) -> RunStatus:
        check_kernel_ref(kernel)
        resp = self._call(f"status of {kernel}", self.api.kernels_status, kernel)
        raw = dict(self.api.last_raw or {})
        session = raw.get("kernelSessionId")
        return RunStatus(KAGGLE_STATES.get(resp.status.name, "error"), resp.failure_message,
                         int(session) if session else None, raw=raw)

    def logs(self, kernel: str) -> str:
        return self._call(f"log of {kernel}", self.api.kernels_logs, check_kernel_ref(kernel))

    def download_output(self, kernel: str, dest: Path) -> list[str]:
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        files, _ = self._call(f"output of {kernel}", self.api.kernels_output, check_kernel_ref(kernel),
                              str(dest), force=True, quiet=True)
        return sorted(Path(f).resolve().relative_to(dest.resolve()).as_posix() for f in files)

    def cancel(self, kernel: str, session_id: int | None = None) -> dict[str, Any]:
        from kagglesdk.kernels.types.kernels_api_service import ApiCancelKernelSessionRequest

        if session_id is None:
            session_id = self.status(kernel).session_id
        if not session_id:
            raise BackendError(
                f"Kaggle did not report the session id of {kernel}, so it cannot be cancelled through the API",
                f"stop it at https://www.kaggle.com/code/{kernel} (Stop session), or pass --session-id N",
            )
        request = ApiCancelKernelSessionRequest()
        request.kernel_session_id = int(session_id)
        with self.api.build_kaggle_client() as client:
            resp = self._call(f"cancel {kernel}", client.kernels.kernels_api_client.cancel_kernel_session, request)
        if resp.error_message:
            raise BackendError(f"Kaggle refused to cancel {kernel}: {resp.error_message}")
        return {"kernel": kernel, "cancelled": True, "session_id": session_id}

    def quota(self) -> dict[str, Any] | None:
        from kagglesdk.kernels.types.kernels_api_service import (
            ApiGetAcceleratorQuotaStatisticsRequest,
        )

        with self.api.build_kaggle_client() as client:
            resp = self._call("accelerator quota", client.kernels.kernels_api_client.get_accelerator_quota_statistics,
                              ApiGetAcceleratorQuotaStatisticsRequest())

        def hours(q: Any) -> dict[str, float] | None:
            if q is None:
                return None
            h = {name: round((getattr(q, name).total_seconds() if getattr(q, name) else 0.0) / 3600, 2)
                 for name in ("time_used", "time_reserved", "total_time_allowed")}
            h["remaining"] = round(h["total_time_allowed"] - h["time_used"] - h["time_reserved"], 2)
            return h

        return {"gpu_hours": hours(resp.gpu_quota), "tpu_hours": hours(resp.tpu_quota),
                "refresh": resp.quota_refresh_time.isoformat() if resp.quota_refresh_time else None}

    def push_dataset(self, folder: Path, ref: str, *, notes: str = "") -> dict[str, Any]:
        import requests

        try:
            self.api.dataset_status(ref)
            exists = True
        except requests.HTTPError as exc:
            if getattr(exc.response, "status_code", None) != 404:
                raise translate_error(exc, f"status of dataset {ref}") from None
            exists = False
        if exists:
            resp = self._call(f"version dataset {ref}", self.api.dataset_create_version, str(folder),
                              notes or "new data", quiet=True, convert_to_csv=False, dir_mode="zip")
        else:
            resp = self._call(f"create dataset {ref}", self.api.dataset_create_new, str(folder),
                              public=False, quiet=True, convert_to_csv=False, dir_mode="zip")
        if resp.error:
            raise BackendError(f"Kaggle refused dataset {ref}: {resp.error}")
        return {"dataset": ref, "created": not exists, "url": resp.url, "status": resp.status}


