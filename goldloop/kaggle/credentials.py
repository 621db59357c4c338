"""Find Kaggle credentials in every form people have, and say which one was used.

Forms, in order: ``KAGGLE_API_TOKEN`` (the new access token, or a file path holding it; a
legacy 32-hex key in it is used as ``KAGGLE_KEY`` — the mapping the original did by hand),
``KAGGLE_USERNAME`` + ``KAGGLE_KEY``, ``kaggle.json`` (``KAGGLE_CONFIG_DIR``, ``~/.kaggle``,
``~/.config/kaggle``), ``~/.kaggle/access_token``. Each from the process environment or the
workspace ``.env``. Values never leave this object except to the client; ``repr`` hides them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from goldloop.config import Secrets
from goldloop.kaggle.backends import AuthBackendError

LEGACY_KEY_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class KaggleCredentials:
    source: str  # where they came from, safe to print
    username: str | None = None
    key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def describe(self) -> dict[str, str | None]:
        return {"source": self.source, "username": self.username,
                "kind": "access token" if self.token else "legacy API key"}


def _origin(name: str) -> str:
    return "environment" if os.environ.get(name) else ".env"


def _kaggle_json_paths() -> list[Path]:
    paths = []
    if os.environ.get("KAGGLE_CONFIG_DIR"):
        paths.append(Path(os.environ["KAGGLE_CONFIG_DIR"]) / "kaggle.json")
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return [*paths, home / ".kaggle" / "kaggle.json", xdg / "kaggle" / "kaggle.json"]


def _read_kaggle_json() -> tuple[Path, str, str] | None:
    for path in _kaggle_json_paths():
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                return path, str(data["username"]), str(data["key"])
            except (ValueError, KeyError, TypeError):
                raise AuthBackendError(f"{path} is not a valid kaggle.json",
                                       'it must hold {"username": "...", "key": "..."}') from None
    return None


def find_credentials(workspace: Path | None = None) -> KaggleCredentials:
    secrets = Secrets.load(workspace)
    user = secrets.get("KAGGLE_USERNAME")
    token = secrets.get("KAGGLE_API_TOKEN")
    if token:
        where = _origin("KAGGLE_API_TOKEN")
        if Path(token).is_file():  # kagglesdk also accepts a path to a token file
            token = Path(token).read_text(encoding="utf-8").strip()
        if LEGACY_KEY_RE.fullmatch(token):
            from_file = _read_kaggle_json()
            user = user or (from_file[1] if from_file else None)
            if not user:
                raise AuthBackendError(
                    "KAGGLE_API_TOKEN holds a legacy API key but no username is known",
                    "set KAGGLE_USERNAME too (or use the new token from kaggle.com/settings)")
            return KaggleCredentials(f"KAGGLE_API_TOKEN ({where}, legacy key used as KAGGLE_KEY)", user, key=token)
        return KaggleCredentials(f"KAGGLE_API_TOKEN ({where})", user, token=token)
    key = secrets.get("KAGGLE_KEY")
    if user and key:
        return KaggleCredentials(f"KAGGLE_USERNAME/KAGGLE_KEY ({_origin('KAGGLE_KEY')})", user, key=key)
    from_file = _read_kaggle_json()
    if from_file:
        return KaggleCredentials(str(from_file[0]), from_file[1], key=from_file[2])
    token_file = Path.home() / ".kaggle" / "access_token"
    if token_file.is_file() and token_file.read_text(encoding="utf-8").strip():
        return KaggleCredentials(str(token_file), user, token=token_file.read_text(encoding="utf-8").strip())
    raise AuthBackendError(
        "no Kaggle credentials found",
        "set KAGGLE_API_TOKEN (kaggle.com/settings → API → Create New Token) or KAGGLE_USERNAME and "
        "KAGGLE_KEY in the environment or the workspace .env, or put kaggle.json in ~/.kaggle/",
    )


def kaggle_username(workspace: Path | None = None, *, ask_kaggle: bool = True) -> tuple[str | None, str]:
    """The Kaggle username and where it came from, in the order the kaggle CLI trusts:
    ``KAGGLE_USERNAME`` (environment or workspace .env), then ``kaggle.json``, then the
    access token's owner as Kaggle reports it (IntrospectToken; only when ``ask_kaggle``)."""
    secrets = Secrets.load(workspace)
    if secrets.get("KAGGLE_USERNAME"):
        return secrets.get("KAGGLE_USERNAME"), f"KAGGLE_USERNAME ({_origin('KAGGLE_USERNAME')})"
    try:
        from_file = _read_kaggle_json()
    except AuthBackendError:
        from_file = None
    if from_file:
        return from_file[1], str(from_file[0])
    if not ask_kaggle:
        return None, "not found"
    try:
        creds = find_credentials(workspace)
        if not creds.token:
            return creds.username, creds.source
        from goldloop.kaggle.kaggle_backend import KaggleBackend

        return KaggleBackend(workspace, timeout=10).username, "the access token (asked Kaggle)"
    except Exception as exc:  # noqa: BLE001 - no credentials or no network: unknown, say why
        return None, f"unknown ({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__})"


def check_kaggle_ready(workspace: Path | None, owner: str) -> dict[str, str | None]:
    """Before anything is committed for a Kaggle run: the credentials work (Kaggle answers an
    authenticated call) and ``owner`` is their user — else kernels would go to another
    account's namespace. Raises AuthBackendError / ConfigError with the fix."""
    from goldloop.errors import ConfigError
    from goldloop.kaggle.kaggle_backend import KaggleBackend

    backend = KaggleBackend(workspace)
    backend.quota()  # an authenticated call: a 401 here says the credentials are wrong
    user = backend.username
    if user and owner != user:
        raise ConfigError(f"[kaggle] owner is {owner!r} but the Kaggle credentials belong to {user!r}",
                          f'set owner = "{user}" in goldloop.toml (kernels are pushed to <owner>/<slug>)')
    return {"user": user, "owner": owner, "credentials": backend.credentials.source}


def check_run_ready(root: Path) -> dict[str, str | None]:
    """``goldloop run --backend kaggle``'s check before its first commit: the owner the
    workspace has (or will get at init) must be the user of working credentials."""
    from goldloop.config import CONFIG_FILE, load_config

    root = Path(root)
    if (root / CONFIG_FILE).is_file():
        owner = load_config(root).kaggle.owner
    else:
        owner = kaggle_username(root if root.is_dir() else None)[0] or "goldloop"
    return check_kaggle_ready(root if root.is_dir() else None, owner)
