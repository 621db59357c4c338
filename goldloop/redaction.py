"""The one redaction step: every way into state, history, commits, context and tool answers
calls :func:`redact` (or :func:`redact_data` for nested answers) first.

It masks what :mod:`goldloop.secrets` finds — configured values from the environment and the
workspace's ``.env`` (as they are or base64-encoded) and the credential shapes services issue.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REDACTED = "[REDACTED]"
# Secrets in the environment beyond goldloop's own (env_secrets.SECRET_NAMES): a user's other keys
# show up in tracebacks and logs just as well.
OTHER_ENV_NAMES = ("OPENAI_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "WANDB_API_KEY",
                   "GITHUB_TOKEN", "GH_TOKEN", "AWS_SECRET_ACCESS_KEY")


def secret_values(root: str | Path | None = None) -> list[str]:
    """The configured secret values: goldloop's (environment, then the workspace's ``.env``,
    read by :class:`goldloop.env_secrets.Secrets`) and a few other services' variables."""
    from goldloop.env_secrets import Secrets

    values = Secrets.load(Path(root) if root is not None else None).values()
    values += [os.environ[n] for n in OTHER_ENV_NAMES if len(os.environ.get(n) or "") >= 6]
    return sorted(set(values), key=len, reverse=True)  # longest first: no half-masked values


def redact(text: str, known_values: list[str] | tuple[str, ...] | None = None,
           root: str | Path | None = None) -> str:
    """``text`` with every credential replaced by ``[REDACTED]``.

    ``known_values`` defaults to :func:`secret_values` of ``root`` (environment + ``.env``).
    """
    from goldloop.secrets import secret_spans

    if not text:
        return text
    values = secret_values(root) if known_values is None else list(known_values)
    spans = secret_spans(text, values)
    if not spans:
        return text
    out, last = [], 0
    for span in spans:  # sorted by start; overlapping spans merge into one mask
        if span.end <= last:
            continue
        out.append(text[last:max(last, span.start)])
        out.append(REDACTED)
        last = span.end
    out.append(text[last:])
    return "".join(out)


def redact_data(value: Any, known_values: list[str] | None = None, root: str | Path | None = None) -> Any:
    """Redact every string inside dicts, lists, tuples and pydantic models (tool answers)."""
    values = secret_values(root) if known_values is None else known_values
    if isinstance(value, str):
        return redact(value, values)
    if isinstance(value, dict):
        return {k: redact_data(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_data(v, values) for v in value)
    if hasattr(value, "model_copy") and isinstance(getattr(value, "text", None), str):
        return value.model_copy(update={"text": redact(value.text, values)})  # MCP TextContent
    return value


def contains_secret(text: str, root: str | Path | None = None) -> bool:
    return redact(text, root=root) != text
