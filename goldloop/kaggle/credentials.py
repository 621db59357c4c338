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
