"""optuna_space: search spaces that change between trials, and deprecated suggest_* calls.

Optuna records a parameter by name; suggesting the same name with another distribution
raises ValueError mid-study, and names built at run time make ``study.best_params``
unusable for the final refit (keys differ per trial).
"""

from __future__ import annotations

import ast

from goldloop.validate.context import const_str, keyword
from goldloop.validate.registry import rule

DEPRECATED = {
    "suggest_uniform": "suggest_float(name, low, high)",
    "suggest_loguniform": "suggest_float(name, low, high, log=True)",
    "suggest_discrete_uniform": "suggest_float(name, low, high, step=q)",
}
_FLOAT_KINDS = {"suggest_uniform", "suggest_loguniform", "suggest_discrete_uniform"}


def _suggest_calls(ctx):
    """(cell, call, name node, enclosing function or None) for every trial.suggest_*()."""
    functions = [(cell, n) for cell, n in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef)]
    for cell, node in ctx.nodes(ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr.startswith("suggest_")):
            continue
        name = node.args[0] if node.args else keyword(node, "name")
        owners = [f for c, f in functions if c is cell
                  and f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
        owner = max(owners, key=lambda f: f.lineno) if owners else None
        yield cell, node, name, owner


def _signature(node: ast.Call) -> str:
    kind = node.func.attr  # type: ignore[attr-defined]
    kind = "suggest_float" if kind in _FLOAT_KINDS else kind
    rest = [ast.unparse(a) for a in node.args[1:]]
    rest += sorted(f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg != "name")
    return f"{kind}({', '.join(rest)})"


@rule("GL801", "optuna_space", "error", "one parameter name suggested with different spaces",
      "give each distribution its own name, or suggest the name once with one range")
def conflicting(ctx):
    seen: dict[tuple[int, str], str] = {}
    for cell, node, name, owner in _suggest_calls(ctx):
        text = const_str(name)
        if text is None:
            continue
        key, signature = (id(owner), text), _signature(node)
        first = seen.setdefault(key, signature)
        if first != signature:
            yield (cell.number, node.lineno,
                   f"parameter {text!r} is suggested as {signature} here but as {first} "
                   "elsewhere; Optuna raises ValueError on the second distribution")


@rule("GL802", "optuna_space", "warning", "a parameter name built at run time",
      "use fixed names (e.g. 'n_units_l0'…'n_units_l3' with a fixed layer count) so every "
      "trial shares one space and best_params can rebuild the model")
def dynamic_name(ctx):
    for cell, node, name, _ in _suggest_calls(ctx):
        if name is not None and const_str(name) is None:
            yield (cell.number, node.lineno,
                   f"parameter name `{ast.unparse(name)}` is built at run time, so the search "
                   "space can differ between trials")


@rule("GL803", "optuna_space", "warning", "a deprecated Optuna suggest_* method",
      "use trial.suggest_float (with log=True or step=) — the old names are deprecated since "
      "Optuna 3.0")
def deprecated(ctx):
    for cell, node, _, _ in _suggest_calls(ctx):
        attr = node.func.attr
        if attr in DEPRECATED:
            yield cell.number, node.lineno, f"`{attr}` is deprecated; use {DEPRECATED[attr]}"
