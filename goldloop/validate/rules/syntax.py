"""syntax: the file must be a readable notebook and every code cell must parse.

IPython magics (``%``, ``%%``, ``!``) are neutralised before parsing (see source.py).
"""

from __future__ import annotations

from goldloop.validate.registry import rule

MISSING = "missing"  # set by the engine when code_file does not exist (GL504 reports it)


@rule("GL100", "syntax", "error", "the notebook file cannot be read",
      "re-save the notebook with Jupyter (nbformat 4), or rebuild it with `goldloop notebook build`")
def unreadable(ctx):
    problem = ctx.notebook.load_error
    if problem and problem != MISSING:
        yield None, None, f"{ctx.notebook.path.name}: {problem}"


@rule("GL101", "syntax", "error", "a code cell does not parse as Python",
      "fix the line shown; Kaggle stops at the first cell that fails to compile")
def syntax_error(ctx):
    for cell in ctx.cells:
        exc = cell.syntax_error
        if exc is not None:
            yield cell.number, exc.lineno, f"syntax error: {exc.msg}"


@rule("GL102", "syntax", "warning", "the notebook has no code",
      "add the training code, or check that code_file names the right notebook")
def empty(ctx):
    if ctx.notebook.load_error is None and not any(c.source.strip() for c in ctx.cells):
        yield None, None, f"{ctx.notebook.path.name} has no code cells with code"


@rule("GL103", "syntax", "error", "a cell magic (%%time, %%bash…) that is not the cell's first line",
      "move the %% line to the top of the cell (comments included: nothing may precede it); "
      "IPython stops with UsageError otherwise")
def cell_magic_not_first(ctx):
    for cell in ctx.cells:
        if not cell.is_python:
            continue  # the body of %%bash / %%writefile is not IPython's
        lines = cell.source.split("\n")
        first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        for index, line in enumerate(lines):
            if index != first and line.lstrip().startswith("%%") and not line.startswith((" ", "\t")):
                name = line.strip()[2:].split(" ", 1)[0]
                yield cell.number, index + 1, f"`%%{name}` is not on the first line of the cell"
