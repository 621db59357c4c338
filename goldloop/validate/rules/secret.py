"""secret: credentials in code, saved outputs, markdown/raw cells, notebook metadata and every
file pushed with the kernel (goldloop.secrets).

A pushed notebook is stored by Kaggle with its outputs; a public one is readable by anyone.
Configured secret values (environment, the workspace's .env) are matched exactly too.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from goldloop.validate.astutil import const_str
from goldloop.validate.registry import rule

# Names that hold credentials; a random-looking literal bound to one is a leak.
_KEY_NAME = re.compile(r"(api_?key|secret|token|passw(or)?d|kaggle_key|credential)", re.I)

_SKIP_MIME = ("image/", "application/vnd")


def _public_note(ctx) -> str:
    if ctx.has_metadata and not ctx.flag("is_private", True):
        return " — and the kernel is public (is_private is false), so anyone can read it"
    return ""


def output_text(outputs: list[Any]) -> str:
    """The readable text of a cell's outputs (streams, text data, tracebacks)."""
    parts: list[str] = []
    for out in outputs:
        if not isinstance(out, dict):
            continue
        for key in ("text", "traceback", "evalue"):
            value = out.get(key)
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list):
                parts.extend(v for v in value if isinstance(v, str))
        data = out.get("data")
        if isinstance(data, dict):
            for mime, value in data.items():
                if isinstance(mime, str) and not mime.startswith(_SKIP_MIME):
                    parts.append(value if isinstance(value, str) else "".join(
                        v for v in value if isinstance(v, str)) if isinstance(value, list) else "")
    return "\n".join(parts)


@rule("GL1101", "secret", "error", "a credential in the code",
      "delete it and read it at run time from Kaggle Secrets (UserSecretsClient) or an "
      "environment variable; rotate the key if it was ever pushed")
def in_code(ctx):
    from goldloop.secrets import find_secrets

    seen = set()
    for cell in ctx.cells:
        for hit in find_secrets(cell.source, ctx.secret_values):
            seen.add((cell.number, hit.line))
            yield (cell.number, hit.line,
                   f"looks like a credential ({hit.kind}: {hit.excerpt}){_public_note(ctx)}")
    for cell, line, name in assigned_literals(ctx):
        if (cell.number, line) not in seen:
            yield (cell.number, line,
                   f"a random-looking literal is assigned to {name!r}{_public_note(ctx)}")


def _bound_name(target: ast.AST) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return const_str(target.slice)  # os.environ["KAGGLE_KEY"] = "…"
    return None


def _random_literal(value: str | None) -> bool:
    from goldloop.secrets import shannon_entropy

    return bool(value) and len(value) >= 16 and " " not in value and shannon_entropy(
        value) >= 3.0 and any(ch.isdigit() for ch in value)


_PASSWORD_NAME = re.compile(r"passw(or)?d|pwd", re.I)
_PLACEHOLDER = re.compile(r"^[<{\[]|your|xxx|\*\*\*|change.?me|password|secret|^\.+$", re.I)


def _password_literal(name: str, value: str | None) -> bool:
    """A password is short, so entropy cannot tell it: any real-looking literal bound to a
    password name (a dataset's NDA password in a public kernel, tests/validate/real_corpus)."""
    return bool(value) and bool(_PASSWORD_NAME.search(name)) and len(value) >= 6 and " " not in value \
        and any(ch.isdigit() for ch in value) and not _PLACEHOLDER.search(value)


def _credential(name: str, value: str | None) -> bool:
    return bool(_KEY_NAME.search(name)) and (_random_literal(value) or _password_literal(name, value))


def assigned_literals(ctx):
    """(cell, line, name) for random-looking literals (or passwords) bound to key-like names."""
    for cell, node in ctx.nodes(ast.Assign):
        value = const_str(node.value)
        for target in node.targets:
            name = _bound_name(target)
            if name and _credential(name, value):
                yield cell, node.lineno, name
    for cell, node in ctx.nodes(ast.keyword):
        if node.arg and _credential(node.arg, const_str(node.value)):
            yield cell, node.value.lineno, node.arg


@rule("GL1102", "secret", "error", "a credential in saved outputs",
      "clear the outputs (Kernel → Restart & Clear Output) and rotate the key")
def in_outputs(ctx):
    from goldloop.secrets import find_secrets

    for cell in ctx.cells:
        text = output_text(cell.outputs)
        if text:
            for hit in find_secrets(text, ctx.secret_values):
                yield (cell.number, None, f"a saved output holds a credential ({hit.kind}: "
                                          f"{hit.excerpt}){_public_note(ctx)}")


def _other_cells(ctx) -> list[tuple[str, str]]:
    """(where, text) for markdown cells, raw cells and the notebook's metadata — pushed too."""
    path = ctx.notebook.path
    if ctx.notebook.is_script or ctx.notebook.load_error or path.suffix.lower() != ".ipynb":
        return []
    data = json.loads(path.read_bytes().decode("utf-8-sig"))
    places = [("notebook metadata", json.dumps(data.get("metadata", {}), ensure_ascii=False, indent=1))]
    for index, cell in enumerate(data.get("cells") or [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") != "code":
            source = cell.get("source")
            lines = source if isinstance(source, list) else []  # a hand-broken cell: nothing to scan
            text = source if isinstance(source, str) else "".join(s for s in lines if isinstance(s, str))
            places.append((f"{cell.get('cell_type', 'unknown')} cell (cell {index} of the notebook)", text))
            if cell.get("attachments"):
                places.append((f"attachments of cell {index}", json.dumps(cell["attachments"])))
    return places


def _pushed_files(ctx) -> list[Path]:
    """Every other file of the kernel folder (kernel-metadata.json, data files, scripts)."""
    if ctx.kernel_path is None or not ctx.kernel_path.parent.is_dir():
        return []
    notebook = ctx.notebook.path.resolve()
    return sorted(p for p in ctx.kernel_path.parent.rglob("*") if p.is_file() and p.resolve() != notebook)


@rule("GL1103", "secret", "error", "a credential elsewhere in what is pushed",
      "remove it (markdown, raw cells, notebook metadata and every file of the kernel folder are "
      "uploaded with the notebook) and rotate the key")
def elsewhere(ctx):
    from goldloop.secrets import file_leaks, find_secrets

    for where, text in _other_cells(ctx):
        for hit in find_secrets(text, ctx.secret_values):
            yield (None, None, f"{where}, line {hit.line}: looks like a credential ({hit.kind}: "
                               f"{hit.excerpt}){_public_note(ctx)}")
    if ctx.kernel_path is not None:
        folder = ctx.kernel_path.parent
        names = [p.relative_to(folder).as_posix() for p in _pushed_files(ctx)]
        for problem in file_leaks(folder, names, ctx.secret_values):
            yield (None, None, f"{problem} — it is uploaded with the notebook{_public_note(ctx)}")
