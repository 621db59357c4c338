"""What every rule sees: the cells, their ASTs indexed once by node type, the kernel metadata."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from goldloop.validate.paths import module_constants
from goldloop.validate.source import Cell, Notebook


@dataclass
class Context:
    notebook: Notebook
    kernel: dict[str, Any] | None = None  # parsed kernel-metadata.json (folder input only)
    kernel_path: Path | None = None
    kernel_problem: str | None = None  # why kernel-metadata.json could not be read
    code_file_case: str | None = None  # the file code_file names, spelled with other case
    secret_values: list[str] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)  # results shared by sibling rules

    @property
    def cells(self) -> list[Cell]:
        return self.notebook.cells

    @property
    def has_metadata(self) -> bool:
        return self.kernel is not None

    def flag(self, name: str, default: bool) -> bool:
        """A metadata switch as the kaggle client reads it (booleans or "true"/"false")."""
        value = (self.kernel or {}).get(name, default)
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)

    @cached_property
    def parsed(self) -> list[Cell]:
        return [c for c in self.cells if c.tree is not None]

    @cached_property
    def _index(self) -> dict[type, list[tuple[Cell, Any]]]:
        index: dict[type, list[tuple[Cell, Any]]] = defaultdict(list)
        for cell in self.parsed:
            for node in ast.walk(cell.tree):
                index[type(node)].append((cell, node))
        return index

    def nodes(self, *types: type) -> list[tuple[Cell, Any]]:
        found: list[tuple[Cell, Any]] = []
        for kind in types:
            found.extend(self._index.get(kind, ()))
        return found

    @cached_property
    def constants(self) -> dict[str, str]:
        return module_constants([c.tree for c in self.parsed])

    @cached_property
    def string_values(self) -> list[str]:
        return [n.value for _, n in self.nodes(ast.Constant) if isinstance(n.value, str)]

    @cached_property
    def python_text(self) -> str:
        return "\n".join(c.python for c in self.parsed)

    @cached_property
    def imported(self) -> set[str]:
        """Names bound by import statements (modules, and things imported from them)."""
        names: set[str] = set()
        for _, node in self.nodes(ast.Import, ast.ImportFrom):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        return names

    @cached_property
    def imported_modules(self) -> set[str]:
        """Top-level module names imported anywhere (``xgboost`` for ``import xgboost as xgb``)."""
        mods: set[str] = set()
        for _, node in self.nodes(ast.Import):
            mods.update(a.name.split(".")[0] for a in node.names)
        for _, node in self.nodes(ast.ImportFrom):
            if node.module:
                mods.add(node.module.split(".")[0])
        return mods

    @cached_property
    def defined(self) -> set[str]:
        """Every name the notebook itself defines: functions, classes, methods, attributes."""
        names: set[str] = set()
        for _, node in self.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            names.add(node.name)
        for _, node in self.nodes(ast.Attribute):
            if isinstance(node.ctx, ast.Store):
                names.add(node.attr)
        for _, node in self.nodes(ast.Name):
            if isinstance(node.ctx, ast.Store):
                names.add(node.id)
        return names
