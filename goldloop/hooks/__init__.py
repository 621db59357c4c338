"""Claude Code hook logic. ``hooks/launch.py`` calls :func:`dispatch` with the event JSON.

Each handler takes the parsed event (the JSON Claude Code writes to the hook's stdin) and
returns the JSON object to print, or None for "no opinion". Denials are JSON
``permissionDecision: "deny"`` with exit code 0, so a shell fallback such as
``python3 x || python x`` can never turn a denial into a pass.

This package imports only the standard library at load time: the Bash and file guards run
in whatever ``python3`` Claude Code finds, in a few milliseconds.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

# hook name (as used in hooks/hooks.json) -> module in this package
HANDLERS = {
    "session_start": "session_start",
    "bash_guard": "bash_guard",
    "state_file_guard": "state_file_guard",
    "submit_guard": "submit_guard",
    "stop": "stop",
    "subagent_start": "subagent_start",
}
# Handlers that read state or config (pydantic, fastjsonschema, …): the launcher starts them
# in goldloop's environment at once rather than after a failed import in the first python3
# (a python3 with only some of the dependencies spent ~0.4 s importing pydantic for nothing).
NEEDS_ENVIRONMENT = frozenset({"session_start", "stop", "submit_guard"})


def parse_event(raw: str) -> dict[str, Any]:
    try:
        event = json.loads(raw or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def dispatch(name: str, raw: str) -> tuple[str, int]:
    """Run hook ``name`` on the raw stdin text; returns (stdout text, exit code)."""
    if name not in HANDLERS:
        return json.dumps({"systemMessage": f"goldloop: unknown hook {name!r}"}), 0
    module = importlib.import_module(f"goldloop.hooks.{HANDLERS[name]}")
    result = module.handle(parse_event(raw))
    return (json.dumps(result, ensure_ascii=False) if result else ""), 0
