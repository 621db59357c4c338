"""The JSON shapes Claude Code reads from a hook's stdout."""

from __future__ import annotations

from typing import Any


def deny(reason: str) -> dict[str, Any]:
    """PreToolUse: refuse the call; ``reason`` goes back to the model as the tool's error."""
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": reason}}


def context(event_name: str, text: str, root: Any = None) -> dict[str, Any]:
    """Extra context the model sees (SessionStart, UserPromptSubmit, …), credentials masked."""
    from goldloop.redaction import redact

    return {"hookSpecificOutput": {"hookEventName": event_name, "additionalContext": redact(text, root=root)}}


def block_stop(reason: str, message: str | None = None) -> dict[str, Any]:
    """Stop/SubagentStop: keep going one more turn with ``reason`` as the instruction."""
    out: dict[str, Any] = {"decision": "block", "reason": reason}
    if message:
        out["systemMessage"] = message
    return out


def notice(message: str) -> dict[str, Any]:
    """A message shown to the user; the action goes ahead."""
    return {"systemMessage": message}
