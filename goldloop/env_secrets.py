"""Credentials from the process environment and the workspace's ``.env``.

Standard library only at import time (python-dotenv is imported when a ``.env`` exists): the
redaction step that every hook's output passes through needs these without pydantic, so a
stdlib hook such as SubagentStart stays as fast as a bare ``python3``.
"""

from __future__ import annotations

import os
from pathlib import Path

# Credentials the product knows about. Values never leave this module except to the clients
# that need them, and never appear in logs, state or commits.
SECRET_NAMES = (
    "KAGGLE_USERNAME",
    "KAGGLE_KEY",
    "KAGGLE_API_TOKEN",
    "FRED_API_KEY",
    "ANTHROPIC_API_KEY",
)


PUBLIC_NAMES = frozenset({"KAGGLE_USERNAME"})


class Secrets:
    """Credentials from the process environment, then the workspace's ``.env``."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = {k: v for k, v in values.items() if v}

    @classmethod
    def load(cls, workspace: Path | None = None) -> Secrets:
        from_file: dict[str, str] = {}
        if workspace is not None and (Path(workspace) / ".env").is_file():
            from dotenv import dotenv_values

            from_file = {
                k: v
                for k, v in dotenv_values(Path(workspace) / ".env", encoding="utf-8").items()
                if v
            }
        merged = {**from_file, **{k: os.environ[k] for k in SECRET_NAMES if os.environ.get(k)}}
        return cls(merged)

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def names(self) -> list[str]:
        return sorted(self._values)

    def values(self) -> list[str]:
        """The secret values themselves, for leak scanning only.

        KAGGLE_USERNAME is public (it is the owner in every kernel id), so it is not scanned for.
        """
        return [v for k, v in self._values.items() if len(v) >= 6 and k not in PUBLIC_NAMES]

    def __repr__(self) -> str:
        return f"Secrets(names={self.names()})"

    __str__ = __repr__
