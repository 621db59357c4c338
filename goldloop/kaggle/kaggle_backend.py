"""The Kaggle backend: every call goes through the official ``kaggle`` package or its
``kagglesdk`` client (public request types; the few private attributes touched are listed
in ``PRIVATE_SDK_ATTRIBUTES`` and checked by a test).

Push uses ``KaggleApi.kernels_push`` (its folder checks and notebook clean-up); status, logs,
outputs, kernel look-up and delete use kagglesdk requests directly, pinned to a version
(``version_label="vN"``), because the wrappers turn 401/403 into bare ValueError exceptions,
raise on one ``../`` output name for the whole listing, and cannot parse a status value
newer than the installed enum.

``GOLDLOOP_KAGGLE_API_URL`` points the client at another server (the emulator in tests):
kagglesdk maps ``KAGGLE_API_ENVIRONMENT`` to fixed URLs only (LOCALHOST is port 80), so we
build the client for the LOCAL environment and give its HTTP client that base URL.
Every request gets a timeout, so a hanging server becomes a retryable error, not a hang.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from goldloop.errors import BackendError
from goldloop.kaggle.backends import (
    AuthBackendError,
    Backend,
    CapacityRefusedError,
    ForbiddenBackendError,
    KernelConflictError,
    NotFoundBackendError,
    PushResult,
    RunStatus,
    TransientBackendError,
    check_kernel_ref,
    kaggle_state,
    read_metadata,
)
from goldloop.kaggle.credentials import KaggleCredentials, find_credentials
from goldloop.quiet import quiet_stdout

T = TypeVar("T")
API_URL_ENV = "GOLDLOOP_KAGGLE_API_URL"
# "Maximum batch GPU session count of 2 reached." (HTTP 200 with an ``error`` field)
CAPACITY_RE = re.compile(r"maximum batch (\w+) session count of (\d+)", re.IGNORECASE)
OUTPUT_PAGE_SIZE = 50
MAX_RELISTS = 3  # expired output URLs: list again this many times before giving up this try
# Private kaggle/kagglesdk attributes goldloop touches (kept minimal; tests/kaggle fails loudly
# when a newer kaggle removes one): the HTTP client of a KaggleClient, its endpoint (to reach
# the emulator or a proxy), its lazily built requests session (timeouts, our credentials) and
# the builder of that session.
# ``KaggleApi._authenticated`` is set because goldloop hands the client its credentials itself.
PRIVATE_SDK_ATTRIBUTES = ("KaggleClient._http_client", "KaggleHttpClient._endpoint",
                          "KaggleHttpClient._session", "KaggleHttpClient._init_session",
                          "KaggleApi._authenticated")


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


@contextlib.contextmanager
def default_timeout(seconds: float):
    """Give every ``requests`` call without a timeout this one, for the duration.

    kaggle's resumable dataset upload opens its own ``requests`` sessions without a timeout,
    so one hung PUT would hang dataset-push forever; with a timeout it fails, and kaggle
    resumes or restarts the upload (up to 10 tries)."""
    from requests.adapters import HTTPAdapter

    original = HTTPAdapter.send

    def send(adapter, request, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = seconds
        return original(adapter, request, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        HTTPAdapter.send = original  # type: ignore[method-assign]


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
            # Keep the raw body: the SDK cannot parse a status value newer than its enum.
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
    if creds.token:
        values[api.CONFIG_NAME_TOKEN] = creds.token
    else:
        values[api.CONFIG_NAME_KEY] = creds.key
    api.config_values = values
    api._authenticated = True
    # Token-only credentials: learn the username as the official client does (IntrospectToken);
    # kaggle's dataset commands read config_values["username"] and crash without it.
    values[api.CONFIG_NAME_USER] = creds.username or introspect_username(api, creds.token)
    return api


def introspect_username(api: Any, token: str | None) -> str:
    from kagglesdk.security.types.oauth_service import IntrospectTokenRequest

    request = IntrospectTokenRequest()
    request.token = token or ""
    with api.build_kaggle_client() as client:
        try:
            response = client.security.oauth_client.introspect_token(request)
        except Exception as exc:  # noqa: BLE001 - every failure maps to our error family
            raise translate_error(exc, "checking the access token") from None
    if not response.active or not response.username:
        raise AuthBackendError("Kaggle does not accept the access token (inactive or expired)",
                               "create a new token at kaggle.com/settings → API and set KAGGLE_API_TOKEN")
    return response.username


def error_detail(response: Any) -> str:
    """The message of an error answer in any of Kaggle's shapes: the envelope
    ``{"error": {"code", "message", "status"}}``, the older ``{"code", "message"}``, an
    ``{"errors": [...]}`` list, or an HTML page (429/503 from the front end)."""
    if response is None:
        return ""
    text = (getattr(response, "text", "") or "").strip()
    try:
        data = response.json()
    except ValueError:
        return "an HTML page" if text.lower().startswith(("<!doctype", "<html")) else text[:200]
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict):
            return " ".join(str(x) for x in (inner.get("status"), inner.get("message")) if x)
        if data.get("message"):
            return str(data["message"])
        if isinstance(data.get("errors"), list):
            return "; ".join(str(e) for e in data["errors"])
    return text[:200]


def translate_error(exc: Exception, what: str, kernel: str | None = None, user: str | None = None) -> Exception:
    """A requests/kaggle exception → our error family, with the right words for each answer."""
    import requests

    if isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return TransientBackendError(f"{what}: the connection to Kaggle failed or the answer was cut "
                                     f"({type(exc).__name__})")
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(exc, ValueError) and code is None:
        text = str(exc)
        if "size does not match" in text:  # kaggle's own check of a cut download
            return TransientBackendError(f"{what}: a download was cut ({text[:120]})")
        if "denied" in text:  # kaggle's wrappers turn 401/403 into ValueError
            code = 403
        else:
            # json.JSONDecodeError: a 200 answer that is not JSON (a proxy's page, a cut body)
            name = type(exc).__name__
            if "JSONDecodeError" in name or "Expecting value" in text:
                return TransientBackendError(f"{what}: Kaggle's answer was not JSON")
            return BackendError(f"{what}: {text.splitlines()[0][:300] if text else name}")
    detail = error_detail(response) or str(exc).splitlines()[0][:300]
    owner = (kernel or "").split("/", 1)[0] or "?"
    if code == 401:
        return AuthBackendError(f"{what}: Kaggle refused the credentials (401: {detail})",
                                "check KAGGLE_API_TOKEN or KAGGLE_USERNAME/KAGGLE_KEY (`goldloop kaggle quota` tests them)")
    if code == 403:
        return ForbiddenBackendError(
            f"{what}: not found or not yours (403) — owner {owner} in goldloop.toml, your Kaggle user {user or '?'}",
            "Kaggle answers 403 for a kernel that does not exist and for one of another account: check the slug, "
            "and that [kaggle] owner in goldloop.toml is your Kaggle username")
    if code == 404:
        return NotFoundBackendError(f"{what}: not found on Kaggle (404: {detail}); a deleted kernel answers this",
                                    "check the kernel or dataset reference")
    if code == 409 and kernel:
        return KernelConflictError(kernel, detail)
    if code is not None and (code >= 500 or code == 429):
        return TransientBackendError(f"{what}: Kaggle answered {code} ({detail})")
    return BackendError(f"{what}: Kaggle answered {code or type(exc).__name__}: {detail}")


def safe_output_path(dest: Path, name: str) -> Path | None:
    """Where an output file named by the server goes, or None when the name would leave ``dest``."""
    if not name or "\x00" in name:
        return None
    target = (dest / name).resolve()
    return target if dest.resolve() in target.parents else None


class _Expired(Exception):
    """An output URL answered 400/401/403/404/410: signed URLs expire, so list again."""


class KaggleBackend(Backend):
    name = "kaggle"

    def __init__(self, workspace_root: Path | None = None, api_url: str | None = None,
                 timeout: float | None = None) -> None:
        self.workspace_root = workspace_root
        self.api_url = api_url or os.environ.get(API_URL_ENV) or None
        self.timeout = timeout
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
            self._api = make_api(self.credentials, self.api_url, self.timeout)
        return self._api

    @property
    def username(self) -> str | None:
        """The Kaggle user of the credentials (for a token, as Kaggle reports it)."""
        return self.api.config_values.get(self.api.CONFIG_NAME_USER)

    def reset(self) -> None:
        """Forget the client and credentials (re-read on the next call: fixed credentials work)."""
        self._api, self._creds = None, None

    def _call(self, what: str, fn: Callable[..., T], *args: Any, kernel: str | None = None, **kwargs: Any) -> T:
        import requests

        try:
            with quiet_stdout():  # kaggle prints; stdout may be MCP's channel (thread-safe: runs go in parallel)
                return fn(*args, **kwargs)
        except (requests.RequestException, ValueError) as exc:
            raise translate_error(exc, what, kernel, self.username) from None

    def _sdk(self, what: str, kernel: str | None, call: Callable[[Any], T]) -> T:
        """``call(kernels_api_client)`` on a fresh kagglesdk client, errors translated."""
        with self.api.build_kaggle_client() as client:
            return self._call(what, call, client.kernels.kernels_api_client, kernel=kernel)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "api": self.api_url or "https://api.kaggle.com",
                "credentials": self.credentials.describe()}

    # -- interface
    def push(self, folder: Path, *, timeout_seconds: int | None = None) -> PushResult:
        kernel = read_metadata(folder)["id"]
        resp = self._call(f"push {kernel}", self.api.kernels_push, str(folder),
                          str(timeout_seconds) if timeout_seconds else None, kernel=kernel)
        if resp.error:
            found = CAPACITY_RE.search(resp.error)
            if found:
                raise CapacityRefusedError(kernel, resp.error, int(found.group(2)))
            raise BackendError(f"Kaggle refused {kernel}: {resp.error}")
        warnings = []
        for kind in ("dataset", "kernel", "competition", "model"):
            invalid = list(getattr(resp, f"invalid_{kind}_sources", None) or [])
            if invalid:
                warnings.append(f"Kaggle does not know these {kind} sources of {kernel}: {', '.join(invalid)}; "
                                "the run started without them (publish them with `goldloop kaggle dataset-push`)")
        return PushResult(kernel=kernel, version=resp.version_number, url=resp.url, warnings=warnings)

    def status(self, kernel: str, version: int | None = None) -> RunStatus:
        from kagglesdk.kernels.types.kernels_api_service import ApiGetKernelSessionStatusRequest

        owner, slug = check_kernel_ref(kernel).split("/", 1)
        request = ApiGetKernelSessionStatusRequest()
        request.user_name, request.kernel_slug = owner, slug
        if version:
            request.version_label = f"v{version}"
        self.api.last_raw = {}
        try:
            self._sdk(f"status of {kernel}", kernel, lambda k: k.get_kernel_session_status(request))
        except KeyError:
            pass  # a status value newer than the installed enum: the raw answer below still holds it
        raw = dict(self.api.last_raw or {})
        state = kaggle_state(raw.get("status") or "QUEUED")
        return RunStatus(state, raw.get("failureMessage"), version, raw=raw)

    def current_run(self, kernel: str) -> RunStatus | None:
        from kagglesdk.kernels.types.kernels_api_service import ApiGetKernelRequest

        owner, slug = check_kernel_ref(kernel).split("/", 1)
        request = ApiGetKernelRequest()
        request.user_name, request.kernel_slug = owner, slug
        try:
            found = self._sdk(f"look-up of {kernel}", kernel, lambda k: k.get_kernel(request))
        except (ForbiddenBackendError, NotFoundBackendError):
            return None  # never pushed (403 on Kaggle) or deleted (404)
        version = found.metadata.current_version_number if found.metadata else None
        return self.status(kernel, version)

    def _list_output(self, kernel: str, version: int | None, token: str | None) -> Any:
        from kagglesdk.kernels.types.kernels_api_service import ApiListKernelSessionOutputRequest

        owner, slug = check_kernel_ref(kernel).split("/", 1)
        request = ApiListKernelSessionOutputRequest()
        request.user_name, request.kernel_slug, request.page_size = owner, slug, OUTPUT_PAGE_SIZE
        if version:
            request.version_label = f"v{version}"
        if token:
            request.page_token = token
        return self._sdk(f"output of {kernel}", kernel, lambda k: k.list_kernel_session_output(request))

    def logs(self, kernel: str, version: int | None = None) -> str:
        return self._list_output(kernel, version, None).log or ""

    def download_output(self, kernel: str, dest: Path, version: int | None = None) -> dict[str, Any]:
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        for _ in range(MAX_RELISTS + 1):
            try:
                return self._download_all(kernel, dest, version)
            except _Expired:
                continue  # the listing's signed URLs expired: list again for fresh ones
        raise TransientBackendError(f"output of {kernel}: the download URLs kept expiring (listed again "
                                    f"{MAX_RELISTS} times)")

    def _download_all(self, kernel: str, dest: Path, version: int | None) -> dict[str, Any]:
        files: list[str] = []
        refused: list[dict[str, str]] = []
        token, log = None, None
        while True:
            page = self._list_output(kernel, version, token)
            log = page.log if log is None else log
            for item in page.files or []:
                target = safe_output_path(dest, item.file_name or "")
                if target is None:
                    refused.append({"name": str(item.file_name), "why": "the name leaves the results folder"})
                    continue
                self._fetch_file(kernel, item.url, target)
                files.append(target.relative_to(dest.resolve()).as_posix())
            token = page.next_page_token
            if not token:
                break
        slug = kernel.split("/", 1)[1]
        if log:
            (dest / f"{slug}.log").write_text(log, encoding="utf-8")
            files.append(f"{slug}.log")
        return {"files": sorted(set(files)), "refused": refused}

    def _fetch_file(self, kernel: str, url: str, target: Path) -> None:
        """Stream one output file to a temporary name, check its size, then move it in place."""
        import requests

        what = f"output of {kernel}: {target.name}"
        part = target.with_name(target.name + ".part")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with requests.get(url, stream=True, timeout=(10, request_timeout())) as answer:
                if answer.status_code in (400, 401, 403, 404, 410):
                    raise _Expired(url)
                answer.raise_for_status()
                expected = answer.headers.get("Content-Length")
                written = 0
                with part.open("wb") as out:
                    for chunk in answer.iter_content(1 << 16):
                        out.write(chunk)
                        written += len(chunk)
            if expected is not None and int(expected) != written:
                raise TransientBackendError(f"{what}: got {written} of {expected} bytes")
            os.replace(part, target)
        except requests.RequestException as exc:
            raise translate_error(exc, what, kernel, self.username) from None
        finally:
            part.unlink(missing_ok=True)

    def cancel(self, kernel: str, *, delete_kernel: bool = False) -> dict[str, Any]:
        """Kaggle's public API cannot stop a session (the session id is not exposed, kaggle-api
        PR #1174); deleting the kernel is the one API way to stop it — only when asked."""
        page = f"https://www.kaggle.com/code/{check_kernel_ref(kernel)}"
        if not delete_kernel:
            return {"kernel": kernel, "stopped": False, "deleted": False, "url": page,
                    "message": f"Kaggle's API cannot stop a running session; stop it at {page} (Stop session), "
                               "or delete the kernel (code, versions and outputs) with --delete-kernel"}
        from kagglesdk.kernels.types.kernels_api_service import ApiDeleteKernelRequest

        owner, slug = kernel.split("/", 1)
        request = ApiDeleteKernelRequest()
        request.user_name, request.kernel_slug = owner, slug
        resp = self._sdk(f"delete {kernel}", kernel, lambda k: k.delete_kernel(request))
        if resp is not None and resp.error_message:
            raise BackendError(f"Kaggle refused to delete {kernel}: {resp.error_message}")
        return {"kernel": kernel, "stopped": True, "deleted": True,
                "message": f"deleted {kernel} on Kaggle; its session stops with it"}

    def quota(self) -> dict[str, Any] | None:
        from kagglesdk.kernels.types.kernels_api_service import (
            ApiGetAcceleratorQuotaStatisticsRequest,
        )

        resp = self._sdk("accelerator quota", None,
                         lambda k: k.get_accelerator_quota_statistics(ApiGetAcceleratorQuotaStatisticsRequest()))

        def hours(q: Any) -> dict[str, float] | None:
            if q is None:
                return None
            h = {name: round((getattr(q, name).total_seconds() if getattr(q, name) else 0.0) / 3600, 2)
                 for name in ("time_used", "time_reserved", "total_time_allowed")}
            h["remaining"] = round(h["total_time_allowed"] - h["time_used"] - h["time_reserved"], 2)
            return h

        return {"gpu_hours": hours(resp.gpu_quota), "tpu_hours": hours(resp.tpu_quota),
                "refresh": resp.quota_refresh_time.isoformat() if resp.quota_refresh_time else None}

    def dataset_state(self, ref: str) -> str | None:
        """"ready", "pending", … or None when the dataset does not exist (404/403)."""
        try:
            return self._call(f"status of dataset {ref}", self.api.dataset_status, ref)
        except (NotFoundBackendError, ForbiddenBackendError):
            return None

    def push_dataset(self, folder: Path, ref: str, *, notes: str = "", wait_s: float = 600.0) -> dict[str, Any]:
        import time

        state = self.dataset_state(ref)
        deadline = time.time() + wait_s
        # Kaggle refuses a new version while the last one is still processing (kaggle-api PR #759).
        while state not in (None, "ready", "failed", "error") and time.time() < deadline:
            time.sleep(min(2.0, max(wait_s / 50, 0.05)))
            state = self.dataset_state(ref)
        if state not in (None, "ready", "failed", "error"):
            raise TransientBackendError(f"dataset {ref} is still processing on Kaggle ({state})",
                                        "push again in a few minutes")
        with default_timeout(self.timeout or request_timeout()):
            if state is not None:
                resp = self._call(f"version dataset {ref}", self.api.dataset_create_version, str(folder),
                                  notes or "new data", quiet=True, convert_to_csv=False, dir_mode="zip")
            else:
                resp = self._call(f"create dataset {ref}", self.api.dataset_create_new, str(folder),
                                  public=False, quiet=True, convert_to_csv=False, dir_mode="zip")
        if resp.error:
            raise BackendError(f"Kaggle refused dataset {ref}: {resp.error}")
        return {"dataset": ref, "created": state is None, "url": resp.url, "status": resp.status,
                "processing": "Kaggle processes a new dataset version for a while; kernels see it when ready"}
