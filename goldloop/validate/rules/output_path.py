"""output_path: files written outside the kernel's working directory, declared outputs missing.

Only ``/kaggle/working`` is saved as the kernel's output (``/kaggle/input`` is read-only);
scratch space in ``/tmp`` and ``/kaggle/temp`` is allowed. A notebook may declare the files
it must produce in its metadata (``metadata.goldloop.outputs``, written by the templates).
"""

from __future__ import annotations

import ast

from goldloop.validate.astutil import call_name, const_str, keyword
from goldloop.validate.paths import UNKNOWN, evaluate
from goldloop.validate.registry import rule

WORKING = "/kaggle/working"
SCRATCH = ("/tmp", "/kaggle/temp", "/dev/null", "/dev/stdout", "/dev/stderr")
# method/function name → (positional index of the path, keyword names for it)
WRITERS = {
    "to_csv": (0, ("path_or_buf",)), "to_parquet": (0, ("path",)), "to_json": (0, ("path_or_buf",)),
    "to_pickle": (0, ("path",)), "to_excel": (0, ("excel_writer",)), "to_feather": (0, ("path",)),
    "to_hdf": (0, ("path_or_buf",)), "savefig": (0, ("fname",)), "save_model": (0, ("fname",)),
    "savetxt": (0, ("fname",)), "savez": (0, ("file",)), "savez_compressed": (0, ("file",)),
    "save": (None, ()), "dump": (1, ("filename", "f")), "copy": (1, ("dst",)),
    "copyfile": (1, ("dst",)), "makedirs": (0, ("name",)), "mkdir": (None, ()),
}


def _target(node: ast.Call) -> ast.expr | None:
    name = call_name(node)
    func = node.func
    if name in {"write_text", "write_bytes", "mkdir", "touch"} and isinstance(func, ast.Attribute):
        return func.value
    if name == "open":
        mode = const_str(node.args[1]) if len(node.args) > 1 else const_str(keyword(node, "mode"))
        if mode and any(ch in mode for ch in "wax+") and node.args:
            return node.args[0]
        return None
    if name == "save":  # torch.save(obj, f) / np.save(file, arr)
        module = func.value.id if isinstance(func, ast.Attribute) and isinstance(
            func.value, ast.Name) else ""
        index = 0 if module in {"np", "numpy"} else 1
        return node.args[index] if len(node.args) > index else keyword(node, "f")
    if name in WRITERS:
        index, names = WRITERS[name]
        if index is not None and len(node.args) > index:
            return node.args[index]
        return next((keyword(node, k) for k in names if keyword(node, k) is not None), None)
    return None


def _outside(path: str) -> bool:
    path = path.replace("\\", "/")
    if path.startswith("../input") or path.startswith("/kaggle/input"):
        return True
    if not path.startswith("/") or path.startswith(UNKNOWN):
        return False
    return not any(path == p or path.startswith(p + "/") for p in (WORKING, *SCRATCH))


@rule("GL1401", "output_path", "error", "a file written outside /kaggle/working",
      "write outputs under /kaggle/working (or a relative path: the kernel runs there); "
      "/kaggle/input is read-only")
def outside_working(ctx):
    for cell, node in ctx.nodes(ast.Call):
        target = _target(node)
        path = evaluate(target, ctx.constants) if target is not None else None
        if path and _outside(path):
            shown = path.replace(UNKNOWN, "…")
            yield (cell.number, node.lineno,
                   f"`{call_name(node)}` writes to {shown}, outside /kaggle/working; the file "
                   "is lost (or the write fails)")


def declared_outputs(ctx) -> list[str]:
    meta = ctx.notebook.metadata.get("goldloop")
    outputs = meta.get("outputs") if isinstance(meta, dict) else None
    return [o for o in outputs if isinstance(o, str) and o] if isinstance(outputs, list) else []


@rule("GL1402", "output_path", "warning", "a declared output file is never written",
      "write every file listed in metadata.goldloop.outputs to /kaggle/working "
      "(the monitor fetches them)")
def missing_outputs(ctx):
    strings = ctx.string_values
    for name in declared_outputs(ctx):
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if not any(base in s for s in strings):
            yield None, None, f"declared output {name!r} is never written"
