"""Read a notebook or script into code cells without nbformat (plain JSON is ~100x faster to load).

Each code cell keeps its original text (for secrets, pip and suppression comments) and a
Python version with IPython magics neutralised line-for-line, so line numbers still match.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Cell magics whose body is still Python; any other %%magic (bash, writefile, html…) is not.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit"}
_HELP = re.compile(r"^(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")  # `obj?`, `??obj`
_ASSIGN_MAGIC = re.compile(r"^(\s*)([A-Za-z_][\w.\[\], ]*?)\s*=\s*[!%]")
# Line magics whose argument is a Python statement that runs in the notebook's namespace:
# `%time model = fit(X)` defines `model`, so the statement is kept (the magic is blanked).
_PYTHON_LINE_MAGIC = re.compile(r"^%(time|prun|memit|capture)\s+(?=[^-\s])")
# IPython's automagic runs these without % or ! (`pip install x` in a cell); not Python.
_AUTOMAGIC = re.compile(r"^(pip3?|conda|mamba)\s+(install|uninstall|list|show|freeze|download)\b")


@dataclass(eq=False)  # identity-hashed: rules key dicts by cell
class Cell:
    number: int | None  # 1-based among code cells; None for a script
    source: str
    python: str = ""
    is_python: bool = True
    tree: ast.Module | None = None
    syntax_error: SyntaxError | None = None
    outputs: list[Any] = field(default_factory=list)
    execution_count: Any = None
    magic_lines: list[tuple[int, str]] = field(default_factory=list)  # (line, text)
    broken_text: str = ""  # a script's top-level blocks that do not parse (tree has the rest)

    @property
    def lines(self) -> list[str]:
        return self.source.split("\n")


@dataclass
class Notebook:
    path: Path
    cells: list[Cell] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    is_script: bool = False
    load_error: str | None = None  # the file is not a readable notebook


def _text(value: Any) -> str:
    """nbformat stores multi-line strings as a list of lines; tolerate anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def neutralize_magics(source: str) -> tuple[str, bool, list[tuple[int, str]]]:
    """Python text with magics replaced by ``pass`` (same line count), is-python, magic lines."""
    lines = source.split("\n")
    magics: list[tuple[int, str]] = []
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(" ", 1)[0].strip()
        magics.append((first + 1, lines[first].strip()))
        if name not in PYTHON_CELL_MAGICS:
            return "", False, magics
        lines[first] = ""
    out: list[str] = []
    continued = False  # inside a magic/shell line continued with `\` or an open bracket
    depth = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        assign = _ASSIGN_MAGIC.match(line)
        keep = _PYTHON_LINE_MAGIC.match(stripped)
        if continued:
            magics.append((number, stripped))
            out.append("")
        elif keep:
            magics.append((number, stripped))
            out.append(indent + stripped[keep.end():])
            continue  # a Python statement: its own brackets and continuations are Python's
        elif stripped.startswith(("!", "%")) or _AUTOMAGIC.match(stripped):
            magics.append((number, stripped))
            out.append(f"{indent}pass")
            depth = 0
        elif assign:
            magics.append((number, line[assign.end() - 1:].strip()))
            out.append(f"{assign.group(1)}{assign.group(2).strip()} = None")
            depth = 0
        elif _HELP.match(stripped):
            out.append(f"{indent}pass")  # `obj?` help syntax
        else:
            out.append(line)
            continue
        depth += _bracket_balance(stripped)
        continued = line.rstrip().endswith("\\") or depth > 0
    return "\n".join(out), True, magics


def _bracket_balance(text: str) -> int:
    """Open minus closed brackets outside quotes: a magic's argument can span lines."""
    balance, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            balance += 1
        elif ch in ")]}":
            balance -= 1
        elif ch == "#":
            break
    return balance


def _parse(cell: Cell, partial: bool = False) -> None:
    """Parse the cell; ``partial`` (a script): a syntax error blanks only its top-level block,
    so one typo does not hide every other finding in a one-cell script."""
    if not cell.is_python:
        return
    try:
        cell.tree = ast.parse(cell.python)
        return
    except SyntaxError as exc:
        cell.syntax_error = exc
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        cell.syntax_error = SyntaxError(str(exc) or type(exc).__name__)
        return
    if partial:
        tree, kept, broken = _partial_tree(cell.python)
        if tree is not None:
            cell.tree, cell.python, cell.broken_text = tree, kept, broken


_BLOCK_TAIL = re.compile(r"^(else|elif|except|finally|case)\b|^[)\]}@]")


def _partial_tree(text: str) -> tuple[ast.Module | None, str, str]:
    """The module with every top-level block that fails to parse blanked (same line count)."""
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines)
              if ln and not ln[0].isspace() and not ln.startswith("#") and not _BLOCK_TAIL.match(ln)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    kept, broken = list(lines), []
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = "\n".join(lines[begin:end])
        try:
            ast.parse(block)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            broken.append(block)
            kept[begin:end] = [""] * (end - begin)
    try:
        return ast.parse("\n".join(kept)), "\n".join(kept), "\n".join(broken)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, text, text


def _decode(path: Path) -> tuple[str | None, str | None]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    if b"\x00" in raw[:8192]:
        return None, "the file is binary, not a notebook or script"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"the file is not UTF-8 text (byte {exc.start})"


def load(path: Path) -> Notebook:
    """Load ``path`` (.ipynb or .py); problems become ``load_error``, never an exception."""
    nb = Notebook(path=path, is_script=path.suffix.lower() != ".ipynb")
    text, problem = _decode(path)
    if text is None:
        nb.load_error = problem
        return nb
    if nb.is_script:
        cell = Cell(number=None, source=text, python=text)
        _parse(cell, partial=True)
        nb.cells.append(cell)
        return nb
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        nb.load_error = f"not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        return nb
    except RecursionError:
        nb.load_error = "not valid notebook JSON (nested too deeply)"
        return nb
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        nb.load_error = f"not valid notebook JSON ({exc})"
        return nb
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        version = data.get("nbformat") if isinstance(data, dict) else None
        if isinstance(version, int) and version < 4:
            nb.load_error = f"nbformat {version} notebook; Kaggle and goldloop need nbformat 4"
        else:
            nb.load_error = "not a Jupyter notebook (no 'cells' list at the top level)"
        return nb
    version = data.get("nbformat")
    if isinstance(version, int) and version < 4:
        nb.load_error = f"nbformat {version} notebook; Kaggle and goldloop need nbformat 4"
        return nb
    nb.metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    number = 0
    for raw_cell in data["cells"]:
        if not isinstance(raw_cell, dict) or raw_cell.get("cell_type") != "code":
            continue
        number += 1
        source = _text(raw_cell.get("source"))
        python, is_python, magics = neutralize_magics(source)
        outputs = raw_cell.get("outputs")
        cell = Cell(number=number, source=source, python=python, is_python=is_python,
                    outputs=outputs if isinstance(outputs, list) else [],
                    execution_count=raw_cell.get("execution_count"), magic_lines=magics)
        _parse(cell)
        nb.cells.append(cell)
    return nb
