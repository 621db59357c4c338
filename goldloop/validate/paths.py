"""Evaluate path expressions statically: ``ROOT / "input" / "datasets" / OWNER / SLUG``.

Parts that cannot be known without running the code become :data:`UNKNOWN`, so rules can
tell "this path is wrong" from "this path is built at run time" and stay quiet on the latter.
``os.environ.get("GOLDLOOP_KAGGLE_ROOT", "/kaggle")`` evaluates to its default: on Kaggle
the variable is unset, so the default is the path the kernel will really use.
"""

from __future__ import annotations

import ast

from goldloop.validate.astutil import call_name

UNKNOWN = "\x00"
_PATH_CALLS = {"Path", "PurePath", "PosixPath", "PurePosixPath", "str", "fspath"}
_ENV_CALLS = {"get", "getenv"}


def evaluate(node: ast.AST | None, env: dict[str, str], depth: int = 0) -> str | None:
    """The string a path/str expression evaluates to (UNKNOWN for run-time parts), or None
    when ``node`` is not a string-valued path expression at all."""
    if node is None or depth > 40:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                inner = evaluate(value.value, env, depth + 1)
                parts.append(inner if inner is not None and value.format_spec is None else UNKNOWN)
            else:
                parts.append(UNKNOWN)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add):
        left = evaluate(node.left, env, depth + 1)
        if left is None:
            return None
        right = evaluate(node.right, env, depth + 1)
        right = UNKNOWN if right is None else right
        if isinstance(node.op, ast.Add):
            return left + right
        return join(left, right)
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name in _PATH_CALLS and len(node.args) == 1:
            return evaluate(node.args[0], env, depth + 1)
        if name in _PATH_CALLS and not node.args:
            return "."
        if name == "join" and isinstance(node.func, ast.Attribute) and node.args and (
            isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "path"
        ):  # os.path.join
            parts = [evaluate(a, env, depth + 1) for a in node.args]
            result = UNKNOWN if parts[0] is None else parts[0]
            for part in parts[1:]:
                result = join(result, UNKNOWN if part is None else part)
            return result
        if name == "joinpath" and isinstance(node.func, ast.Attribute):
            result = evaluate(node.func.value, env, depth + 1)
            if result is None:
                return None
            for arg in node.args:
                part = evaluate(arg, env, depth + 1)
                result = join(result, UNKNOWN if part is None else part)
            return result
        if name in {"as_posix", "resolve", "absolute", "expanduser"} and isinstance(
            node.func, ast.Attribute
        ):
            return evaluate(node.func.value, env, depth + 1)
        if name in _ENV_CALLS and len(node.args) == 2:  # os.environ.get(K, default)
            return evaluate(node.args[1], env, depth + 1)
    return None


def join(left: str, right: str) -> str:
    if right.startswith("/"):
        return right
    return f"{left.rstrip('/')}/{right}" if left else right


def components(path: str, prefix: str) -> list[str] | None:
    """Parts of ``path`` below ``prefix`` (e.g. "/kaggle/input"), or None when outside it."""
    normalized = path.replace("\\", "/")
    if normalized == prefix:
        return []
    if not normalized.startswith(prefix + "/"):
        return None
    return [p for p in normalized[len(prefix) + 1:].split("/") if p and p != "."]


def module_constants(trees: list[ast.Module]) -> dict[str, str]:
    """Top-level ``NAME = <string/path expression>`` assignments, in cell order.

    A name bound twice to different values (or rebound by something else) is dropped:
    its value depends on which cell ran last.
    """
    env: dict[str, str] = {}
    dropped: set[str] = set()
    for tree in trees:
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = evaluate(stmt.value, env)
                for target in targets:
                    if not isinstance(target, ast.Name):
                        continue
                    name = target.id
                    if value is None or name in dropped or (name in env and env[name] != value):
                        env.pop(name, None)
                        dropped.add(name)
                    else:
                        env[name] = value
    return env
