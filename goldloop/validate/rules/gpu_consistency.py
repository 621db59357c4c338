"""gpu_consistency: the kernel's ``enable_gpu`` flag against what the code does with CUDA.

Unconditional CUDA on a CPU kernel fails at the first tensor; a GPU kernel that never uses
the GPU burns the weekly GPU quota. Uses inside ``if torch.cuda.is_available()`` (or an
``x if … else`` on it, or a ``try`` with a fallback) are conditional and fine either way.
"""

from __future__ import annotations

import ast
import re

from goldloop.validate.astutil import const_str
from goldloop.validate.registry import rule

_CUDA = re.compile(r"^cuda(:\d+)?$")
_GPU_WORDS = re.compile(r"cuda|gpu|is_available|device|accelerator", re.IGNORECASE)
_OLD_XGB = {"gpu_hist": "tree_method='hist', device='cuda'",
            "gpu_exact": "tree_method='hist', device='cuda'",
            "gpu_predictor": "device='cuda' (predictor was removed)"}


def _guarded(tree: ast.AST) -> set[int]:
    """ids of nodes that only run when a GPU check (or a try/except fallback) says so."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        branches: list[ast.AST] = []
        if isinstance(node, ast.If | ast.While | ast.IfExp) and _GPU_WORDS.search(
                ast.unparse(node.test)):
            branches = node.body + node.orelse if not isinstance(node, ast.IfExp) else [
                node.body, node.orelse]
        elif isinstance(node, ast.Try) and node.handlers:
            branches = list(node.body)
        for branch in branches:
            guarded.update(id(n) for n in ast.walk(branch))
    return guarded


def cuda_uses(ctx) -> list[tuple[object, int, str, bool]]:
    """(cell, line, what, conditional) for every CUDA/GPU request in the code."""
    if "cuda" in ctx.memo:
        return ctx.memo["cuda"]
    uses = []
    guarded = set().union(*(_guarded(c.tree) for c in ctx.parsed)) if ctx.parsed else set()
    for cell, node in ctx.nodes(ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "cuda" and not node.args:
            uses.append((cell, node.lineno, "`.cuda()`", id(node) in guarded))
        values = [*node.args, *(k.value for k in node.keywords)]
        for kw in node.keywords:
            if kw.arg in {"device", "task_type"} and (const_str(kw.value) or "").lower() == "gpu":
                uses.append((cell, node.lineno, f"{kw.arg}='{kw.value.value}'",
                             id(kw.value) in guarded))
        for value in values:
            text = const_str(value)
            if text and (_CUDA.match(text) or text in _OLD_XGB):
                uses.append((cell, node.lineno, f"'{text}'", id(value) in guarded))
    for cell, node in ctx.nodes(ast.Dict):
        for value in node.values:
            text = const_str(value)
            if text and (_CUDA.match(text) or text in _OLD_XGB):
                uses.append((cell, value.lineno, f"'{text}'", id(value) in guarded))
    ctx.memo["cuda"] = uses
    return uses


@rule("GL1001", "gpu_consistency", "error", "CUDA used unconditionally on a CPU kernel",
      "set enable_gpu: true in kernel-metadata.json, or pick the device with "
      "`'cuda' if torch.cuda.is_available() else 'cpu'`", needs="metadata")
def cuda_without_gpu(ctx):
    if ctx.flag("enable_gpu", False):
        return
    for cell, line, what, conditional in cuda_uses(ctx):
        if not conditional:
            yield cell.number, line, f"{what} needs a GPU but enable_gpu is false"


@rule("GL1002", "gpu_consistency", "warning", "a GPU kernel that never uses the GPU",
      "set enable_gpu: false (GPU hours are a weekly quota), or move the model to 'cuda'",
      needs="metadata")
def gpu_unused(ctx):
    if ctx.flag("enable_gpu", False) and not cuda_uses(ctx) and not re.search(
            r"\bcuda\b|\bgpu\b", ctx.python_text, re.IGNORECASE):
        yield None, None, "enable_gpu is true but the code never uses CUDA"


@rule("GL1003", "gpu_consistency", "error", "an XGBoost GPU option removed in XGBoost 2/3",
      "use tree_method='hist' with device='cuda' (XGBoost >= 2)")
def old_xgboost_gpu(ctx):
    for cell, node in ctx.nodes(ast.Constant):
        if isinstance(node.value, str) and node.value in _OLD_XGB:
            yield (cell.number, node.lineno,
                   f"'{node.value}' is rejected by XGBoost >= 3 (deprecated in 2.0); use "
                   f"{_OLD_XGB[node.value]}")
