"""Shared helpers for CLI commands: workspace lookup, JSON vs human output, errors."""

from __future__ import annotations

import json
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
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True)


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


def print_error(exc: GoldloopError) -> None:
    err = console(stderr=True)
    message, hint = _redacted([exc.message, exc.hint])
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    if hint:
        err.print(f"[bold]hint:[/] {hint}", markup=True, highlight=False)
