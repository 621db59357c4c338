"""optuna_space: search spaces that change between trials, and deprecated suggest_* calls.

Optuna records a parameter by name; suggesting the same name with another distribution
raises ValueError mid-study, and names built at run time make ``study.best_params``
unusable for the final refit (keys differ per trial).
"""

from __future__ import annotations

import ast

from goldloop.validate.astutil import const_str, keyword
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


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _depends_on_trial(cell, call: ast.Call, name: ast.expr, owner) -> bool:
    """Is the name (or a loop around the call) driven by a value the trial suggested?"""
    scope = owner if owner is not None else cell.tree
    suggested = {
        t.id for node in ast.walk(scope) if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr.startswith("suggest_")
        for t in node.targets if isinstance(t, ast.Name)
    }
    if not suggested:
        return False
    drivers = _names(name)
    for loop in ast.walk(scope):
        if isinstance(loop, ast.For | ast.While) and loop.lineno <= call.lineno <= (
                loop.end_lineno or loop.lineno):
            drivers |= _names(loop.iter if isinstance(loop, ast.For) else loop.test)
    return bool(drivers & suggested)


@rule("GL802", "optuna_space", "warning", "a parameter name that depends on another suggestion",
      "fine for conditional spaces, but TPE samples such parameters independently and "
      "best_params holds a different key set per trial: rebuild the model from best_trial")
def dynamic_name(ctx):
    for cell, node, name, owner in _suggest_calls(ctx):
        if name is not None and const_str(name) is None and _depends_on_trial(
                cell, node, name, owner):
            yield (cell.number, node.lineno,
                   f"parameter name `{ast.unparse(name)}` depends on a suggested value, so the "
                   "search space differs between trials")


@rule("GL803", "optuna_space", "warning", "a deprecated Optuna suggest_* method",
      "use trial.suggest_float (with log=True or step=) — the old names are deprecated since "
      "Optuna 3.0")
def deprecated(ctx):
    for cell, node, _, _ in _suggest_calls(ctx):
        attr = node.func.attr
        if attr in DEPRECATED:
            yield cell.number, node.lineno, f"`{attr}` is deprecated; use {DEPRECATED[attr]}"
