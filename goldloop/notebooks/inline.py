"""Inline goldloop modules into a notebook cell: one source of truth, no install on Kaggle.

The module's own source is copied (``inspect.getsource``) minus its top-level imports of
goldloop and ``from __future__`` — the inlined modules define those names themselves, in
dependency order.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path


def module_source(module_name: str) -> str:
    """Source of ``module_name`` without top-level goldloop / __future__ imports."""
    return strip_goldloop_imports(inspect.getsource(importlib.import_module(module_name)))


def strip_goldloop_imports(source: str) -> str:
    """``source`` without its top-level goldloop / __future__ imports."""
    drop: set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.module and (
            node.module == "__future__" or node.module.split(".")[0] == "goldloop"
        ) or isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "goldloop" for a in node.names
        ):
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = source.splitlines()
    kept = [line for i, line in enumerate(lines, start=1) if i not in drop]
    return "\n".join(kept).strip() + "\n"


def inline_modules(module_names: list[str], files: list[Path] | tuple = ()) -> str:
    """One cell's code: a future import, then each module under a banner naming its origin,
    then the workspace's own modules (``families/<name>.py``) the same way."""
    parts = ["from __future__ import annotations\n"]
    for name in module_names:
        parts.append(f"# ---- inlined from {name} (goldloop source, do not edit here) ----\n")
        parts.append(module_source(name))
    for path in files:
        parts.append(f"# ---- inlined from the workspace's {Path(path).parent.name}/{Path(path).name} "
                     "(edit it there) ----\n")
        parts.append(strip_goldloop_imports(Path(path).read_text(encoding="utf-8")))
    return "\n".join(parts)
