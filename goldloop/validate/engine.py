"""Run the selected rules over one path and collect a :class:`Report`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from goldloop.validate.context import Context
from goldloop.validate.model import Finding, Report, ValidationInputError, location
from goldloop.validate.registry import Rule, chosen_codes
from goldloop.validate.source import Notebook, load

METADATA_FILE = "kernel-metadata.json"
# At submit (``strict=True``) the errors of these categories cannot be waived — not by a
# ``# goldloop: ignore`` comment, not by ``[validate] select/ignore`` in goldloop.toml, not by
# the caller: a syntax error, an unreadable kernel-metadata.json or an undefined name fails the
# run for certain, and a credential in a public notebook is published for good.
UNWAIVABLE_AT_SUBMIT = frozenset({"syntax", "secret", "kernel_metadata", "undefined_name"})
_SUPPRESS = re.compile(r"#\s*goldloop:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


def _workspace_root(start: Path) -> Path | None:
    from goldloop.config import CONFIG_FILE

    for folder in (start if start.is_dir() else start.parent, *start.resolve().parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _read_metadata(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        return None, f"{METADATA_FILE} cannot be read: {exc.strerror or exc}"
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, huge integers, deep nesting
        return None, f"{METADATA_FILE} is not valid JSON: {exc}"
    if not isinstance(data, dict):
        return None, f"{METADATA_FILE} must hold a JSON object, not {type(data).__name__}"
    return data, None


def _load_folder(folder: Path) -> Context:
    meta_path = folder / METADATA_FILE
    kernel, problem = (None, f"{METADATA_FILE} is missing")
    if meta_path.is_file():
        kernel, problem = _read_metadata(meta_path)
    code_file = kernel.get("code_file") if kernel else None
    if isinstance(code_file, str) and code_file:
        if len(code_file) > 255 or not (folder / code_file).resolve().is_relative_to(folder.resolve()):
            raise ValidationInputError(  # an over-long name, or a path out of the kernel folder
                f"code_file {code_file[:60]!r}{'…' if len(code_file) > 60 else ''} in {METADATA_FILE} is not "
                f"a file name inside {folder}",
                "set code_file to the notebook's file name (e.g. gold-vix-1.ipynb): Kaggle pushes the "
                "kernel folder only")
        target = folder / code_file
        if target.is_file():
            return Context(load(target), kernel, meta_path, problem)
        other_case = _same_but_case(folder, code_file)
        if other_case is not None:  # GL504 reports the name; the code is still checked
            return Context(load(other_case), kernel, meta_path, problem,
                           code_file_case=other_case.relative_to(folder).as_posix())
        notebook = Notebook(path=target, load_error="missing")  # reported by GL504
        return Context(notebook, kernel, meta_path, problem)
    candidates = sorted(folder.glob("*.ipynb")) or sorted(folder.glob("*.py"))
    if len(candidates) == 1:
        return Context(load(candidates[0]), kernel, meta_path, problem)
    if not candidates and kernel is None and not meta_path.exists():
        raise ValidationInputError(
            f"{folder} holds neither {METADATA_FILE} nor a notebook",
            "pass a kernel folder (notebooks/<feature>_<attempt>/) or a .ipynb/.py file",
        )
    if not candidates:
        return Context(Notebook(path=folder, load_error="missing"), kernel, meta_path, problem)
    raise ValidationInputError(
        f"{folder} holds {len(candidates)} notebooks/scripts and no usable code_file in "
        f"{METADATA_FILE}",
        "set code_file in kernel-metadata.json, or pass the notebook itself",
    )


def _same_but_case(folder: Path, code_file: str) -> Path | None:
    """The file ``code_file`` names with other letter case (``Train.ipynb`` for ``train.ipynb``)."""
    wanted = Path(code_file).as_posix().lstrip("./").lower()
    for candidate in folder.rglob("*"):
        if candidate.is_file() and candidate.relative_to(folder).as_posix().lower() == wanted:
            return candidate
    return None


def _load(path: Path) -> tuple[Context, list[str]]:
    if not path.exists():
        raise ValidationInputError(f"{path} does not exist", "check the path (a kernel folder, "
                                   "a .ipynb or a .py file)")
    if path.is_dir():
        return _load_folder(path), []
    if path.name == METADATA_FILE:
        return _load_folder(path.parent), []
    if path.suffix.lower() not in {".ipynb", ".py"}:
        raise ValidationInputError(f"{path} is not a notebook (.ipynb) or script (.py)",
                                   "pass a kernel folder, a .ipynb or a .py file")
    return Context(load(path)), ["metadata checks skipped: single notebook"]


def _suppressed(ctx: Context, finding: Finding) -> bool:
    if finding.line is None:
        return False
    cell = next((c for c in ctx.cells if c.number == finding.cell), None)
    if cell is None or finding.line > len(cell.lines):
        return False
    match = _SUPPRESS.search(cell.lines[finding.line - 1])
    if not match:
        return False
    if match.group(1) is None:
        return True
    wanted = {item.strip().lower() for item in match.group(1).split(",")}
    return finding.rule.lower() in wanted or finding.category in wanted


def _apply(rule: Rule, ctx: Context) -> list[Finding]:
    return [
        Finding(rule.code, rule.category, rule.severity, f"{location(cell, line)}: {message}",
                cell, line, rule.hint)
        for cell, line, message in rule.check(ctx)
    ]


def _unwaivable(rule: Rule, strict: bool) -> bool:
    return strict and rule.severity == "error" and rule.category in UNWAIVABLE_AT_SUBMIT


def run(path: Path, *, select: list[str] | None = None, ignore: list[str] | None = None,
        workspace_root: Path | None = None, strict: bool = False) -> Report:
    from goldloop.config import Secrets, load_config
    from goldloop.validate.registry import all_rules

    ctx, skipped = _load(path)
    root = workspace_root if workspace_root is not None else _workspace_root(path)
    if root is not None:
        settings = load_config(Path(root)).validate_
        select = select or settings.select or None
        ignore = [*(ignore or []), *settings.ignore]
    ctx.secret_values = Secrets.load(Path(root) if root is not None else None).values()
    rules = all_rules()
    codes = chosen_codes(select, ignore)
    findings: list[Finding] = []
    skipped_categories: list[str] = []
    for code in sorted(rules, key=_code_order):
        rule = rules[code]
        if code not in codes and not _unwaivable(rule, strict):
            continue
        if rule.needs == "metadata" and not ctx.has_metadata:
            if rule.category not in skipped_categories:
                skipped_categories.append(rule.category)
            continue
        findings.extend(f for f in _apply(rule, ctx) if _unwaivable(rule, strict) or not _suppressed(ctx, f))
    if skipped_categories:
        if not skipped:
            skipped = ["metadata checks skipped: kernel-metadata.json missing or unreadable"]
        skipped = [f"{skipped[0]} ({', '.join(skipped_categories)})"]
    findings.sort(key=lambda f: (f.cell or 0, f.line or 0, _code_order(f.rule)))
    return Report(path=str(path), findings=findings, skipped=skipped)


def _code_order(code: str) -> int:
    return int(code[2:]) if code[2:].isdigit() else 0
