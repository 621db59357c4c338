"""Inline goldloop modules into a notebook cell: one source of truth, no install on Kaggle.

The module's own source is copied (``inspect.getsource``) minus its top-level imports of
goldloop and ``from __future__`` — the inlined modules define those names themselves, in
dependency order.
"""

from __future__ import annotations

import ast
import importlib
import inspect


def module_source(module_name: str) -> str:
    """Source of ``module_name`` without top-level goldloop / __future__ imports."""
    source = inspect.getsource(importlib.import_module(module_name))
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


def inline_modules(module_names: list[str]) -> str:
    """One cell's code: a future import, then each module under a banner naming its origin."""
    parts = ["from __future__ import annotations\n"]
    for name in module_names:
        parts.append(f"# ---- inlined from {name} (goldloop source, do not edit here) ----\n")
        parts.append(module_source(name))
    return "\n".join(parts)
