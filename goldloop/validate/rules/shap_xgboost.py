"""shap_xgboost: ``shap.TreeExplainer`` on an XGBoost ≥ 2 model.

shap < 0.45 cannot parse the ``base_score`` that XGBoost 2 stores as ``'[5E-1]'`` and stops
with "could not convert string to float". Accepted fixes: XGBoost's own SHAP values
(``booster.predict(..., pred_contribs=True)``), the ``save_raw`` patch, or a pin
(``shap>=0.45`` / ``xgboost<2``).
"""

from __future__ import annotations

import ast
import re

from goldloop.validate.astutil import dotted
from goldloop.validate.registry import rule

_PIN = re.compile(
    r"shap\s*(?:==|>=|~=)\s*(?:0\.(?:4[5-9]|[5-9]\d)|[1-9])|xgboost\s*(?:==|~=|<=)\s*1\.|xgboost\s*<\s*2",
    re.IGNORECASE,
)
_WORKAROUNDS = ("save_raw", "pred_contribs")


def _has_fix(ctx) -> bool:
    text = ctx.python_text
    if any(word in text for word in _WORKAROUNDS):
        return True
    return any(_PIN.search(line) for cell in ctx.cells for _, line in cell.magic_lines)


@rule("GL301", "shap_xgboost", "error", "shap.TreeExplainer/Explainer on an XGBoost 2+ model",
      "use booster.predict(xgb.DMatrix(X), pred_contribs=True), or pin shap>=0.45 "
      "(`!pip install -q 'shap>=0.45'`, needs internet)")
def tree_explainer(ctx):
    if "xgboost" not in ctx.imported_modules or "shap" not in ctx.imported_modules:
        return
    calls = [(cell, node, dotted(node.func)) for cell, node in ctx.nodes(ast.Call)
             if not _explains_a_function(node)]
    calls = [(cell, node, chain.split(".")[-1]) for cell, node, chain in calls
             if chain.split(".")[-1] == "TreeExplainer"
             or (chain.split(".")[-1] == "Explainer" and chain.split(".")[0] in _shap_names(ctx))]
    if calls and not _has_fix(ctx):
        for cell, node, name in calls:
            how = "" if name == "TreeExplainer" else " (shap.Explainer picks TreeExplainer for it)"
            yield (cell.number, node.lineno,
                   f"shap.{name} on an XGBoost model fails with XGBoost >= 2 and shap < 0.45{how}")


def _explains_a_function(call: ast.Call) -> bool:
    """``shap.Explainer(model.predict, X)`` / a lambda: a model-agnostic explainer, no tree parsing."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Lambda) or (
        isinstance(first, ast.Attribute) and first.attr.startswith("predict"))


def _shap_names(ctx) -> set[str]:
    """What shap is called in this notebook (``import shap``, ``import shap as sh``)."""
    names = {"shap"}
    for _, node in ctx.nodes(ast.Import):
        names |= {a.asname or a.name for a in node.names if a.name == "shap"}
    for _, node in ctx.nodes(ast.ImportFrom):
        if node.module == "shap":
            names |= {a.asname or a.name for a in node.names if a.name == "Explainer"}
    return names
