"""undefined_name: names used but never defined, and names used in a cell above their definition.

The code cells are joined in order (magics neutralised) and handed to pyflakes, which knows
Python's scoping; its line numbers are mapped back to cell and line. Run-all order is what
Kaggle does, so a name defined only in a later cell is a crash, not a style issue.
"""

from __future__ import annotations

import ast
import bisect
import re

from goldloop.validate.registry import rule

# Magics that put names into the namespace the code cannot show: `%run script.py` runs a file,
# `%store -r name` restores a variable. A notebook using them gets warnings, not errors.
_NAME_MAGICS = re.compile(r"^%(run|store\s+-r|load_ext|env)\b")
_CATCH_ALL = {"NameError", "Exception", "BaseException"}

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
    if not ctx.parsed:
        return result
    # A cell (or script block) that does not parse may define names: those are not reported.
    broken = " ".join(c.broken_text or c.python for c in ctx.cells if c.syntax_error)
    maybe_defined = set(re.findall(r"[A-Za-z_]\w*", broken))
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
    guarded = _guarded_lines(tree)
    for message in report.messages:
        if not isinstance(message, messages.UndefinedName | messages.UndefinedLocal):
            continue
        if message.lineno in guarded:
            continue  # inside `try: … except NameError/Exception`: the run goes on
        name = message.message_args[0]
        if name in maybe_defined:
            continue
        index = bisect.bisect_right(starts, message.lineno - 1) - 1
        cell, cell_line = ctx.parsed[index], message.lineno - starts[index]
        later = [w for w in definitions.get(name, []) if w >= message.lineno]
        if later and isinstance(message, messages.UndefinedName):
            where = bisect.bisect_right(starts, later[0] - 1) - 1
            result.append((cell, cell_line, name, f"later:{ctx.parsed[where].number}"))
        else:
            result.append((cell, cell_line, name, "never"))
    return result


def _guarded_lines(tree: ast.Module) -> set[int]:
    """Lines of try bodies whose handlers catch NameError (bare, Exception, NameError)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = set()
        for handler in node.handlers:
            kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            caught |= {"BaseException" if k is None else getattr(k, "id", getattr(k, "attr", ""))
                       for k in kinds}
        if caught & _CATCH_ALL:
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _name_magics(ctx) -> list[str]:
    return sorted({text.split()[0] for cell in ctx.cells for _, text in cell.magic_lines
                   if _NAME_MAGICS.match(text)})


@rule("GL601", "undefined_name", "error", "a name is used but never defined",
      "define or import it in an earlier cell (Kaggle runs the cells top to bottom once)")
def never_defined(ctx):
    if _name_magics(ctx):
        return  # GL603 reports them as warnings
    for cell, line, name, kind in _undefined(ctx):
        if kind == "never":
            yield cell.number, line, f"name `{name}` is not defined"


@rule("GL603", "undefined_name", "warning", "a name not defined in the code, maybe by a magic",
      "define or import it in the notebook; names that %run or %store -r bring in cannot be "
      "checked, and the script they come from must be in the kernel's inputs")
def maybe_from_magic(ctx):
    magics = _name_magics(ctx)
    if not magics:
        return
    for cell, line, name, kind in _undefined(ctx):
        if kind == "never":
            yield (cell.number, line, f"name `{name}` is not defined in the code; it may come "
                                      f"from {', '.join(magics)}")


@rule("GL602", "undefined_name", "error", "a name is used above the cell that defines it",
      "move the definition above its first use; Kaggle runs cells in order, not in the order "
      "you ran them")
def defined_later(ctx):
    for cell, line, name, kind in _undefined(ctx):
        if kind.startswith("later:"):
            where = kind.split(":", 1)[1]
            place = "later in this cell" if str(cell.number) == where else f"in cell {where}"
            yield cell.number, line, f"name `{name}` is used before it is defined {place}"
