"""Static pre-push checks for Kaggle kernel folders (``validate_notebook``).

Import cost is kept tiny because a Claude Code hook imports this on every tool call:
the rules, pyflakes and jsonschema load only when :func:`validate_path` runs.
"""

from __future__ import annotations

from pathlib import Path

from goldloop.validate.model import CATEGORIES, Finding, Report, errors

__all__ = ["CATEGORIES", "Finding", "Report", "errors", "validate_path"]


def validate_path(
    path: str | Path,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    workspace_root: Path | None = None,
    strict: bool = False,
) -> Report:
    """Check a kernel folder, a notebook or a script; see docs/validate.md for the rules.

    ``select``/``ignore`` hold rule codes (``GL401``) or category names (``dataset_path``).
    Unreadable input raises :class:`goldloop.validate.model.ValidationInputError`
    (a GoldloopError). ``strict`` (kaggle_submit) runs the unwaivable rules whatever the
    selection, settings and suppression comments say (engine.UNWAIVABLE_AT_SUBMIT).
    """
    from goldloop.validate.engine import run

    return run(Path(path), select=select, ignore=ignore, workspace_root=workspace_root, strict=strict)
