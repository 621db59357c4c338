"""kernel_metadata: ``kernel-metadata.json`` as ``kaggle kernels push`` will read it.

The shape is a JSON Schema shipped next to this package (kernel_metadata.schema.json);
the title/slug comparison uses python-slugify, the same function the kaggle client uses.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from goldloop.validate.registry import rule
from goldloop.validate.rules.syntax import MISSING

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "kernel_metadata.schema.json"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


@rule("GL501", "kernel_metadata", "error", "kernel-metadata.json is missing or unreadable",
      "write it with `goldloop notebook build`, or fix the JSON (Kaggle's format: id, title, "
      "code_file, language, kernel_type, …)")
def unreadable(ctx):
    if ctx.kernel_path is not None and ctx.kernel_problem:
        yield None, None, ctx.kernel_problem


@rule("GL502", "kernel_metadata", "error", "kernel-metadata.json breaks Kaggle's format",
      "compare with docs/validate.md (schema: goldloop/validate/kernel_metadata.schema.json)",
      needs="metadata")
def schema_errors(ctx):
    for error in sorted(_validator().iter_errors(ctx.kernel), key=lambda e: str(list(e.path))):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        yield None, None, f"kernel-metadata.json {where}: {_short(error.message)}"


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "…"


@rule("GL503", "kernel_metadata", "warning", "the title does not slugify to the id's slug",
      "Kaggle resolves kernels by title: make the title slugify to the slug in id "
      "(e.g. title 'gold-vix-1' for id 'owner/gold-vix-1')", needs="metadata")
def title_slug(ctx):
    from slugify import slugify

    kernel_id, title = ctx.kernel.get("id"), ctx.kernel.get("title")
    if not isinstance(kernel_id, str) or "/" not in kernel_id or not isinstance(title, str):
        return
    slug = kernel_id.split("/", 1)[1]
    if slugify(title) != slug.lower():
        yield None, None, (f"title {title!r} slugifies to {slugify(title)!r}, not to the id's "
                           f"slug {slug!r}; the kaggle client warns and Kaggle may file the push under another kernel")


@rule("GL504", "kernel_metadata", "error", "code_file does not exist",
      "set code_file to the notebook's file name inside the kernel folder, with the same "
      "letter case", needs="metadata")
def code_file_missing(ctx):
    code_file = ctx.kernel.get("code_file")
    if ctx.code_file_case:
        yield None, None, (f"code_file {code_file} is not in {ctx.kernel_path.parent}, but "
                           f"{ctx.code_file_case} is: names are case-sensitive here, so "
                           "`kaggle kernels push` cannot open it (the code was checked anyway)")
    if ctx.notebook.load_error == MISSING:
        shown = code_file if isinstance(code_file, str) and code_file else "(not set)"
        yield None, None, f"code_file {shown} is not in {ctx.kernel_path.parent}"


@rule("GL505", "kernel_metadata", "warning", "kernel-metadata.json has keys Kaggle ignores",
      "remove the key, or check its spelling against Kaggle's format", needs="metadata")
def unknown_keys(ctx):
    known = set(schema()["properties"])
    for key in ctx.kernel:
        if key not in known:
            yield None, None, f"unknown key {key!r} in kernel-metadata.json (ignored by Kaggle)"


@rule("GL506", "kernel_metadata", "warning", "the notebook has no kernelspec",
      "add metadata.kernelspec {name: python3, display_name: Python 3, language: python}")
def kernelspec(ctx):
    nb = ctx.notebook
    if nb.is_script or nb.load_error:
        return
    spec = nb.metadata.get("kernelspec")
    if not isinstance(spec, dict) or not spec.get("name"):
        yield None, None, f"{nb.path.name} has no metadata.kernelspec"


@rule("GL507", "kernel_metadata", "error", "kernel_type does not match code_file",
      "kernel_type 'notebook' needs a .ipynb code_file; 'script' needs a .py/.R file",
      needs="metadata")
def kernel_type_matches(ctx):
    kind, code_file = ctx.kernel.get("kernel_type"), ctx.kernel.get("code_file")
    if not isinstance(code_file, str) or kind not in ("notebook", "script"):
        return
    is_notebook = code_file.lower().endswith(".ipynb")
    if (kind == "notebook") != is_notebook:
        yield None, None, f"kernel_type is {kind!r} but code_file is {code_file!r}"


# Template placeholders left in the owner part of an id or a source: seen in public kernel
# folders as YOUR_KAGGLE_USERNAME and REPLACE_WITH_KAGGLE_USERNAME (tests/validate/real_corpus).
_PLACEHOLDER_OWNER = re.compile(r"(?i)^(<[^>]*>|\{[^}]*\}|(your|replace|insert|change)[_-]?\w*|\w*[_-]username|username)$")


@rule("GL508", "kernel_metadata", "error", "a placeholder owner in the id or a source",
      "replace it with your Kaggle username (`kaggle config view` shows it); Kaggle refuses to "
      "push a kernel into another account and mounts no source of an unknown owner",
      needs="metadata")
def placeholder_owner(ctx):
    lists = {key: ctx.kernel.get(key) for key in ("dataset_sources", "kernel_sources", "model_sources")}
    fields = [("id", ctx.kernel.get("id"))] + [
        (key, source) for key, sources in lists.items() if isinstance(sources, list) for source in sources]
    for key, value in fields:
        if isinstance(value, str) and "/" in value and _PLACEHOLDER_OWNER.match(value.split("/", 1)[0]):
            yield None, None, f"{key} {value!r}: the owner {value.split('/', 1)[0]!r} is a template placeholder"
