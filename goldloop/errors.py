"""One exception family for everything a user can act on.

Adapters turn a ``GoldloopError`` into an MCP tool error, CLI exit code 2 or a hook denial;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class GoldloopError(Exception):
    """An error the user can fix: ``message`` says what is wrong, ``hint`` what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\nHint: {self.hint}" if self.hint else self.message

    def to_dict(self) -> dict[str, str | None]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


class WorkspaceError(GoldloopError):
    """No workspace found, or a path escapes it."""


class ConfigError(GoldloopError):
    """goldloop.toml or .env is malformed."""


class StateError(GoldloopError):
    """state.json is unreadable, invalid, or a transition is illegal."""


class StateChangedOutsideError(StateError):
    """state.json differs from what the store last wrote: someone edited it by hand."""


class TransitionError(StateError):
    """A status change that the transition table does not allow."""


class GitError(GoldloopError):
    """A git step could not be recorded."""


class SecretLeakError(GitError):
    """Refused to commit or write something that looks like a credential."""


class ValidationFailed(GoldloopError):
    """A notebook has error-level findings; nothing was pushed."""


class BackendError(GoldloopError):
    """A training backend (Kaggle or local) refused or failed a request."""


class DataError(GoldloopError):
    """A data source returned nothing usable, or input tables are malformed."""


class GateInputError(GoldloopError):
    """Inputs to the gates are missing, misaligned or too short."""
