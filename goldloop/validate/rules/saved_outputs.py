"""saved_outputs: outputs and tracebacks left from an earlier run.

Kaggle re-runs everything, so saved outputs only add weight and noise (and can leak data);
a traceback from a previous run usually means the notebook was pushed before it worked.
"""

from __future__ import annotations

import json

from goldloop.validate.registry import rule

MAX_OUTPUT_BYTES = 5 * 1024 * 1024  # above this the push is slow and Kaggle may refuse it


@rule("GL1301", "saved_outputs", "warning", "the notebook carries outputs from an earlier run",
      "clear all outputs before pushing (`jupyter nbconvert --clear-output --inplace NB`)")
def has_outputs(ctx):
    cells = [c.number for c in ctx.cells if c.outputs]
    if cells:
        shown = ", ".join(str(n) for n in cells[:8]) + (" …" if len(cells) > 8 else "")
        yield cells[0], None, f"{len(cells)} code cell(s) have saved outputs (cells {shown})"


@rule("GL1302", "saved_outputs", "warning", "a saved error traceback",
      "the notebook failed when it last ran: fix the error, re-run, then clear the outputs")
def has_traceback(ctx):
    for cell in ctx.cells:
        for out in cell.outputs:
            if isinstance(out, dict) and out.get("output_type") == "error":
                name = out.get("ename") if isinstance(out.get("ename"), str) else "an error"
                yield cell.number, None, f"saved traceback from an earlier run: {name}"


@rule("GL1303", "saved_outputs", "error", "saved outputs are too large",
      f"clear the outputs; they exceed {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB")
def too_large(ctx):
    size = sum(len(json.dumps(c.outputs, ensure_ascii=False)) for c in ctx.cells if c.outputs)
    if size > MAX_OUTPUT_BYTES:
        yield None, None, f"saved outputs take {size / 1024 / 1024:.1f} MiB"
