"""Shared helpers for CLI commands: workspace lookup, JSON vs human output, errors."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from goldloop.errors import GoldloopError
from goldloop.workspace import Workspace, find_workspace


@dataclass
class _Options:
    workspace: str | None = None
    exit_code: int = 0  # commands that report a verdict (validate) set it


OPTIONS = _Options()


def workspace() -> Workspace:
    return find_workspace(OPTIONS.workspace)


def console(stderr: bool = False) -> Any:
    """Output prints literally: markup is off, so `[data]` or `[a-z0-9_]+` in a message or a
    value survives. Style goes through :func:`styled`, never through text."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, markup=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Any:
    """A line of plain strings and (text, style) pairs, e.g. styled(("error:", "bold red"), " ", msg)."""
    from rich.text import Text

    return Text.assemble(*parts)


def emit(data: Any, as_json: bool, human: Callable[[Any], None] | None = None) -> None:
    """Print ``data`` as JSON for machines, or through ``human`` for people (credentials masked)."""
    data = _redacted(data)
    if as_json or human is None:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        human(data)


def _redacted(data: Any) -> Any:
    from goldloop.redaction import redact_data

    try:
        root = workspace().root
    except GoldloopError:
        root = None
    return redact_data(data, root=root)


# Messages from goldloop/ are read by agents (who call MCP tools) and by people (who type
# commands). The CLI shows people the command for each tool a message names.
TOOL_COMMANDS = {
    "data_fetch": "goldloop data fetch", "data_check": "goldloop data check",
    "notebook_build": "goldloop notebook build", "run_gates": "goldloop gates run",
    "kaggle_submit": "goldloop kaggle submit", "kaggle_monitor": "goldloop monitor",
    "kaggle_fetch": "goldloop kaggle fetch", "kaggle_cancel": "goldloop kaggle cancel",
    "kaggle_dataset_push": "goldloop kaggle dataset-push", "kaggle_classify": "goldloop kaggle classify",
    "knowledge_search": "goldloop knowledge search", "knowledge_add": "goldloop knowledge add",
    "memory_add": "goldloop memory add", "state_get": "goldloop state show",
    "state_transition": "goldloop state set", "next_action": "goldloop next",
    "validate_notebook": "goldloop validate",
}
_TOOL_RE = re.compile(r"\b(" + "|".join(TOOL_COMMANDS) + r")\b")


def for_people(text: str) -> str:
    """``text`` with each MCP tool name replaced by the command a person types."""
    return _TOOL_RE.sub(lambda m: TOOL_COMMANDS[m.group(1)], text)


def print_error(exc: GoldloopError) -> None:
    err = console(stderr=True)
    message, hint = _redacted([exc.message, exc.hint])
    err.print(styled(("error:", "bold red"), " ", for_people(message)))
    if hint:
        err.print(styled(("hint:", "bold"), " ", for_people(hint)))
