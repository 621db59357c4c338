"""Ask Claude why a run failed when the pattern table says ``unknown``.

Optional: used only when ANTHROPIC_API_KEY is set (environment or the workspace's .env) and
the caller asks for it. The answer is a structured output (a JSON schema built from the route
table), so it maps straight onto a route. Any failure of the call keeps the ``unknown`` result
and says why in ``details["llm_error"]``: the monitor must never crash on it.

Credentials found in the log are masked before anything leaves the machine.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from goldloop.kaggle.classify import Classification, route_dict
from goldloop.redaction import redact

DEFAULT_MODEL = "claude-haiku-4-5"
MODEL_ENV = "GOLDLOOP_CLASSIFY_MODEL"
MAX_LOG_CHARS = 12_000
SYSTEM_PROMPT = (
    "You classify why a Kaggle notebook run failed. You get the end of its log. Pick the one "
    "error class that ended the run (not a warning before it, not errors it caused later), copy "
    "the single log line that shows it verbatim as evidence, and say in one or two sentences "
    "what to change in the notebook or its kernel-metadata.json. Use 'unknown' if the log does "
    "not show the cause."
)


def failure_classes() -> list[str]:
    from goldloop.routes import ERROR_ROUTES

    return [name for name in ERROR_ROUTES if name != "none"]


def _verdict_model():
    from typing import Literal

    from pydantic import BaseModel, Field

    class Verdict(BaseModel):
        error_type: Literal[tuple(failure_classes())]  # type: ignore[valid-type]
        evidence: str = Field(description="the one log line that shows the cause, copied verbatim")
        fix: str = Field(description="what to change, in one or two sentences")

    return Verdict


def _log_excerpt(result: Classification, tail: str) -> str:
    context = str(result.details.get("context", ""))
    excerpt = tail if not context or context in tail else context + "\n[...]\n" + tail
    return excerpt[-MAX_LOG_CHARS:]


def ask_claude(log_excerpt: str, *, api_key: str, base_url: str | None = None, model: str | None = None,
               timeout: float = 60.0, max_retries: int = 1) -> dict[str, Any]:
    """One Messages API call with a structured output; returns the verdict as a dict."""
    import anthropic

    client = anthropic.Anthropic(api_key=api_key, base_url=base_url or os.environ.get("ANTHROPIC_BASE_URL"),
                                 timeout=timeout, max_retries=max_retries)
    response = client.messages.parse(
        model=model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL,
        max_tokens=1024,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": f"Kernel log (end):\n<log>\n{log_excerpt}\n</log>"}],
        output_format=_verdict_model(),
    )
    verdict = response.parsed_output
    if verdict is None:
        raise ValueError(f"no structured answer (stop_reason={response.stop_reason})")
    return verdict.model_dump()


def _secrets(workspace: str | os.PathLike[str] | None):
    from goldloop.config import Secrets
    from goldloop.errors import WorkspaceError
    from goldloop.workspace import find_workspace

    try:
        root = find_workspace(workspace).root
    except WorkspaceError:  # classifying a log outside a workspace: environment only
        root = None
    return Secrets.load(root)


def refine_unknown(result: Classification, tail: str, *, api_key: str | None = None,
                   base_url: str | None = None, model: str | None = None, timeout: float = 60.0,
                   workspace: str | os.PathLike[str] | None = None) -> Classification:
    """Ask Claude for the class and a fix of an ``unknown`` result; keep ``result`` on any failure."""
    secrets = _secrets(workspace)
    key = api_key or secrets.get("ANTHROPIC_API_KEY")
    if result.error_type != "unknown" or not key:
        return result
    excerpt = redact(_log_excerpt(result, tail), secrets.values() + [key])
    try:
        verdict = ask_claude(excerpt, api_key=key, base_url=base_url, model=model, timeout=timeout)
    except Exception as exc:  # network, API, schema: the pattern result still stands
        return replace(result, details={**result.details, "llm_error": f"{type(exc).__name__}: {exc}"[:300]})
    error_type, fix = verdict["error_type"], verdict["fix"].strip()
    evidence = verdict["evidence"].strip()
    if not evidence or evidence not in excerpt:  # an invented line is not evidence
        evidence = result.evidence
    route = route_dict(error_type)
    route["instruction"] = f"{route['instruction']} Suggested fix: {fix}" if fix else route["instruction"]
    details = {k: v for k, v in result.details.items() if k != "context"}
    return Classification(error_type, route, evidence, True, "llm",
                          {**details, "fix": fix, "patterns_said": "unknown"})
