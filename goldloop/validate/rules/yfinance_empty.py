"""yfinance_empty: ``yf.download`` / ``Ticker.history`` results used without an emptiness check.

yfinance returns an empty DataFrame (not an exception) for a wrong ticker, a rate limit or
no network; the crash then surfaces later as a KeyError or an IndexError far from its cause.
"""

from __future__ import annotations

import ast
import re

from goldloop.validate.astutil import call_name, dotted
from goldloop.validate.model import location
from goldloop.validate.registry import rule

_CHECK_FUNCS = re.compile(r"empty|check|require|ensure|valid|assert|nonempty", re.IGNORECASE)
_CHECK_ATTRS = {"empty", "shape", "size"}


def _is_download(ctx, node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or "yfinance" not in ctx.imported_modules:
        return False
    name = call_name(node)
    if name == "history":
        return True
    chain = dotted(node.func)
    return name == "download" and chain.split(".")[0] in _aliases(ctx)


def _aliases(ctx) -> set[str]:
    return {"yfinance"} | {a.asname or a.name for _, n in ctx.nodes(ast.Import)
                           for a in n.names if a.name == "yfinance"}


def _checked(ctx, name: str) -> bool:
    for _, node in ctx.nodes(ast.Attribute):
        if node.attr in _CHECK_ATTRS and isinstance(node.value, ast.Name) and node.value.id == name:
            return True
    for _, node in ctx.nodes(ast.Call):
        args = [a for a in node.args if isinstance(a, ast.Name) and a.id == name]
        if args and (call_name(node) == "len" or _CHECK_FUNCS.search(call_name(node))):
            return True
    for _, node in ctx.nodes(ast.Compare):
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.Name) and o.id == name for o in operands) and any(
                isinstance(o, ast.Constant) and o.value is None for o in operands):
            return True
    for _, node in ctx.nodes(ast.UnaryOp):
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name) and (
                node.operand.id == name):
            return True
    return False


@rule("GL901", "yfinance_empty", "error", "yfinance data used without an emptiness check",
      "check right after downloading: `if df.empty: raise RuntimeError(f'no data for {ticker}')`")
def unchecked(ctx):
    downloads: dict[str, tuple] = {}
    for cell, node in ctx.nodes(ast.Subscript, ast.Attribute):
        if _is_download(ctx, node.value) and getattr(node, "attr", None) not in _CHECK_ATTRS:
            yield (cell.number, node.lineno,
                   "the yfinance result is indexed directly; an empty download fails here "
                   "with a KeyError")
    for cell, node in ctx.nodes(ast.Assign):
        if _is_download(ctx, node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    downloads.setdefault(target.id, (cell, node))
    for name, (cell, node) in downloads.items():
        if _checked(ctx, name):
            continue
        uses = [(c, n) for c, n in ctx.nodes(ast.Subscript, ast.Attribute)
                if isinstance(n.value, ast.Name) and n.value.id == name]
        if uses:
            use_cell, use = min(uses, key=lambda u: ((u[0].number or 0), u[1].lineno))
            yield (use_cell.number, use.lineno,
                   f"`{name}` from yfinance ({location(cell.number, node.lineno)}) is used "
                   "without checking it is not empty")
