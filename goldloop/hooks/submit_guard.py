"""PreToolUse on kaggle_submit: run the notebook validator and deny with its findings.

The kaggle_submit tool validates again itself (hooks fail open); this hook makes the
refusal visible before the tool runs and names every finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from goldloop.hooks.output import deny, notice
from goldloop.hooks.workspace_of import workspace_for

FOLDER_KEYS = ("folder", "kernel_folder", "kernel_dir", "path")
MAX_LISTED = 15


def kernel_folder(event: dict[str, Any]) -> Path | None:
    """The kernel folder a kaggle_submit call points at (explicit, or feature + attempt)."""
    args = event.get("tool_input") or {}
    ws = workspace_for(event, args.get("workspace_dir") or args.get("workspace"))
    base = ws.root if ws else Path(event.get("cwd") or ".")
    for key in FOLDER_KEYS:
        if isinstance(args.get(key), str) and args[key]:
            return (base / args[key]).resolve()
    feature, attempt = args.get("feature"), args.get("attempt")
    if ws is None or not feature or not attempt:
        return None
    return ws.notebooks / f"{feature}_{attempt}"


def describe(finding: Any) -> str:
    item = finding if isinstance(finding, dict) else getattr(finding, "to_dict", lambda: vars(finding))()
    where = ", ".join(f"{k} {item[k]}" for k in ("cell", "line") if item.get(k) is not None)
    code = item.get("rule") or item.get("code") or "?"
    head = f"[{item.get('severity', 'error')}] {code}: {item.get('message', '')}"
    hint = f" Fix: {item['hint']}" if item.get("hint") else ""
    return head + (f" ({where})" if where else "") + hint


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    folder = kernel_folder(event)
    if folder is None or not folder.is_dir():
        return None  # the tool itself reports a missing folder
    try:
        from goldloop.validate import validate_path
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("goldloop"):
            return notice("goldloop: the validator is not installed; kaggle_submit validates itself")
        raise
    report = validate_path(folder, strict=True)
    if report.ok:
        return None
    findings = report.to_dict().get("findings", [])
    blocking = [f for f in findings if f.get("severity", "error") == "error"] or findings
    lines = [describe(f) for f in blocking[:MAX_LISTED]]
    if len(blocking) > MAX_LISTED:
        lines.append(f"… and {len(blocking) - MAX_LISTED} more (run validate_notebook for all)")
    return deny(
        f"Blocked by goldloop: the notebook in {folder.name}/ failed validation, nothing was pushed. "
        "Fix these findings, run validate_notebook again, then submit:\n- " + "\n- ".join(lines)
    )
