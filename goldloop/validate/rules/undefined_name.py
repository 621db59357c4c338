"""undefined_name: names used but never defined, and names used in a cell above their definition.

The code cells are joined in order (magics neutralised) and handed to pyflakes, which knows
Python's scoping; its line numbers are mapped back to cell and line. Run-all order is what
Kaggle does, so a name defined only in a later cell is a crash, not a style issue.
"""

from __future__ import annotations

import ast
import bisect

from goldloop.validate.registry import rule

# Names IPython puts into every notebook's namespace.
IPYTHON_BUILTINS = ["display", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___",
                    "_i", "_ii", "_iii", "_oh", "_dh", "_ih"]


def _bindings(tree: ast.Module, offset: int) -> list[tuple[str, int]]:
    """(name, global line) for every name a cell binds at its top level."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.append((node.id, offset + node.lineno))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append((node.name, offset + node.lineno))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                found.append(((alias.asname or alias.name).split(".")[0], offset + node.lineno))
    return found


def _undefined(ctx) -> list[tuple[object, int, str, str]]:
    """(cell, line, name, kind) with kind 'never' or 'later:<cell>'."""
    if "undefined" in ctx.memo:
        return ctx.memo["undefined"]
    from pyflakes import checker, messages

    result: list[tuple[object, int, str, str]] = []
    ctx.memo["undefined"] = result
    if any(c.syntax_error for c in ctx.cells) or not ctx.parsed:
        return result  # GL101 already blocks; names from a broken cell would all look undefined
    starts, texts = [], []
    line = 0
    for cell in ctx.parsed:
        starts.append(line)
        texts.append(cell.python)
        line += cell.python.count("\n") + 1
    try:
        tree = ast.parse("\n".join(texts))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return result
    definitions: dict[str, list[int]] = {}
    for cell, start in zip(ctx.parsed, starts, strict=True):
        for name, where in _bindings(cell.tree, start):
            definitions.setdefault(name, []).append(where)
    report = checker.Checker(tree, builtins=IPYTHON_BUILTINS)
    for message in report.messages:
        if not isinstance(message, messages.UndefinedName | messages.UndefinedLocal):
            continue
        name = message.message_args[0]
        index = bisect.bisect_right(starts, message.lineno - 1) - 1
        cell, cell_line = ctx.parsed[index], message.lineno - starts[index]
        later = [w for w in definitions.get(name, []) if w >= message.lineno]
        if later and isinstance(message, messages.UndefinedName):
            where = bisect.bisect_right(starts, later[0] - 1) - 1
            result.append((cell, cell_line, name, f"later:{ctx.parsed[where].number}"))
        else:
            result.append((cell, cell_line, name, "never"))
    return result


@rule("GL601", "undefined_name", "error", "a name is used but never defined",
      "define or import it in an earlier cell (Kaggle runs the cells top to bottom once)")
def never_defined(ctx):
    for cell, line, name, kind in _undefined(ctx):
        if kind == "never":
            yield cell.number, line, f"name `{name}` is not defined"


@rule("GL602", "undefined_name", "error", "a name is used above the cell that defines it",
      "move the definition above its first use; Kaggle runs cells in order, not in the order "
      "you ran them")
def defined_later(ctx):
    for cell, line, name, kind in _undefined(ctx):
        if kind.startswith("later:"):
            where = kind.split(":", 1)[1]
            place = "later in this cell" if str(cell.number) == where else f"in cell {where}"
            yield cell.number, line, f"name `{name}` is used before it is defined {place}"
