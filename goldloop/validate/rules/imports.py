"""imports: modules the kernel imports that will not be there on Kaggle, and module attributes
that do not exist.

``kaggle kernels push`` uploads code_file and the metadata only (the client reads nothing else
from the folder), so ``from src.utils import x`` works on the author's machine and fails on
Kaggle. Modules removed from their library long ago (``sklearn.cross_validation``) fail on every
current image. ``plt.heatmap`` / ``np.arrange`` are AttributeErrors whatever the data.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

from goldloop.validate.registry import rule

MODULE_NAMES_FILE = Path(__file__).resolve().parent.parent / "module_names.json"

# Modules removed from their package, with what replaced them (a data table: add rows).
REMOVED_MODULES = {
    "sklearn.cross_validation": ("scikit-learn 0.20", "sklearn.model_selection"),
    "sklearn.grid_search": ("scikit-learn 0.20", "sklearn.model_selection"),
    "sklearn.learning_curve": ("scikit-learn 0.20", "sklearn.model_selection"),
    "sklearn.externals.joblib": ("scikit-learn 0.23", "import joblib"),
    "sklearn.externals.six": ("scikit-learn 0.23", "import six, or drop it"),
    "sklearn.preprocessing.imputation": ("scikit-learn 0.22", "sklearn.impute.SimpleImputer"),
    "tensorflow.contrib": ("TensorFlow 2.0", "the TF2 API or tf_slim/tensorflow_addons"),
    "keras.wrappers.scikit_learn": ("Keras 2.12", "scikeras.wrappers"),
    # keras-team/keras#19517: "removed from the API in Keras 3" (Kaggle's image has Keras 3)
    "keras.preprocessing.text": ("Keras 3", "keras.layers.TextVectorization"),
    "pandas.tools": ("pandas 0.25", "pandas.plotting / pandas top-level functions"),
    "pandas.util.testing": ("pandas 2.0", "pandas.testing"),
}


def _imported_modules(ctx):
    """(cell, node, dotted module) for every absolute import."""
    for cell, node in ctx.nodes(ast.Import):
        for alias in node.names:
            yield cell, node, alias.name
    for cell, node in ctx.nodes(ast.ImportFrom):
        if node.module and not node.level:
            yield cell, node, node.module
            for alias in node.names:  # from sklearn import cross_validation
                yield cell, node, f"{node.module}.{alias.name}"


def _local_roots(ctx) -> list[Path]:
    folder = ctx.kernel_path.parent
    roots = [folder]
    code_dir = ctx.notebook.path.parent
    while code_dir != folder and folder in code_dir.parents:
        roots.append(code_dir)
        code_dir = code_dir.parent
    return roots


@rule("GL1501", "imports", "error", "an import of a module that lives in the kernel's folder",
      "paste the code into the notebook, or publish it as a utility script and list it in "
      "kernel_sources; `kaggle kernels push` uploads only code_file", needs="metadata")
def local_module(ctx):
    sources = ctx.kernel.get("kernel_sources") if isinstance(ctx.kernel.get("kernel_sources"), list) else []
    utility = {str(s).split("/")[-1].replace("-", "_") for s in sources}
    roots = _local_roots(ctx)
    seen: set[str] = set()
    for cell, node, module in _imported_modules(ctx):
        top = module.split(".")[0]
        if top in seen or top in utility:
            continue
        for root in roots:
            if (root / top / "__init__.py").is_file() or (root / f"{top}.py").is_file() or (
                    (root / top).is_dir() and any((root / top).glob("*.py"))):
                seen.add(top)
                yield (cell.number, node.lineno,
                       f"`{top}` is a module in {root.name}/, which the push does not upload: "
                       "ModuleNotFoundError on Kaggle")
                break


@rule("GL1502", "imports", "error", "an import of a module its library removed",
      "import from the module named in the message")
def removed_module(ctx):
    for cell, node, module in _imported_modules(ctx):
        for old, (when, instead) in REMOVED_MODULES.items():
            if module == old or module.startswith(old + "."):
                yield (cell.number, node.lineno,
                       f"`{old}` was removed in {when}; use {instead}")
                break


@cache
def module_names() -> dict[str, frozenset[str]]:
    data = json.loads(MODULE_NAMES_FILE.read_text(encoding="utf-8"))
    return {name: frozenset(names) for name, names in data["modules"].items()}


def _aliases(ctx) -> dict[str, str]:
    """Local name -> module for the modules in the table (``np`` -> ``numpy``)."""
    table = module_names()
    aliases: dict[str, str] = {}
    for _, node in ctx.nodes(ast.Import):
        for a in node.names:
            if a.name in table and (a.asname or "." not in a.name):
                aliases[a.asname or a.name] = a.name
    for _, node in ctx.nodes(ast.ImportFrom):
        for a in node.names:
            full = f"{node.module}.{a.name}"
            if full in table:
                aliases[a.asname or a.name] = full
    return {k: v for k, v in aliases.items() if k not in ctx.defined}


@rule("GL604", "undefined_name", "error", "an attribute the module does not have",
      "check the spelling against the library's documentation (the message names the module)")
def missing_module_attribute(ctx):
    aliases = _aliases(ctx)
    if not aliases:
        return
    table = module_names()
    submodules = {m.split(".")[1] for _, _, m in _imported_modules(ctx) if "." in m}  # import numpy.matlib
    for cell, node in ctx.nodes(ast.Attribute):
        if not (isinstance(node.value, ast.Name) and node.value.id in aliases) or not isinstance(node.ctx, ast.Load):
            continue
        module = aliases[node.value.id]
        sub = f"{module}.{node.attr}"
        if node.attr in table[module] or sub in table or node.attr in submodules or node.attr.startswith("_"):
            continue
        yield (cell.number, node.lineno,
               f"`{node.value.id}.{node.attr}`: module {module} has no attribute {node.attr!r}")
