"""dataset_path: every ``/kaggle/input/...`` path read must belong to a source in the metadata.

Kaggle's API v2 mounts a dataset at ``/kaggle/input/datasets/<owner>/<slug>/``; the legacy
``/kaggle/input/<slug>/`` no longer resolves for datasets (the original lost runs to this).
Code that tries both shapes — directly or through a helper whose parts are only known at
run time — is accepted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from goldloop.validate.astutil import call_name
from goldloop.validate.paths import UNKNOWN, components, evaluate
from goldloop.validate.registry import rule

INPUT = "/kaggle/input"
_CONTAINER_CALLS = {"join", "joinpath", "Path", "PurePath", "PosixPath", "str", "fspath"}


def _known(part: str) -> bool:
    return UNKNOWN not in part


def path_expressions(ctx) -> list[tuple[object, int, str]]:
    """(cell, line, evaluated path) for every outermost string/path expression in the code."""
    inner: set[int] = set()
    for _, node in ctx.nodes(ast.BinOp):
        inner.update((id(node.left), id(node.right)))
    for _, node in ctx.nodes(ast.JoinedStr):
        inner.update(id(v) for v in node.values)
    for _, node in ctx.nodes(ast.Call):
        if call_name(node) in _CONTAINER_CALLS:
            inner.update(id(a) for a in node.args)
            inner.add(id(node.func))
    found: dict[tuple, None] = {}
    for cell, node in ctx.nodes(ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call):
        if id(node) in inner:
            continue
        value = evaluate(node, ctx.constants)
        if value:
            found[(cell, node.lineno, value)] = None
    return list(found)  # type: ignore[arg-type]


def input_references(ctx) -> list[tuple[object, int, list[str]]]:
    refs = []
    for cell, line, value in path_expressions(ctx):
        if value.startswith("../input/"):  # relative to /kaggle/working
            value = INPUT + value[len("../input"):]
        parts = components(value, INPUT)
        if parts and _known(parts[0]):
            refs.append((cell, line, parts))
    return refs


@dataclass
class Sources:
    datasets: set[tuple[str, str]] = field(default_factory=set)
    competitions: set[str] = field(default_factory=set)
    kernels: set[tuple[str, str]] = field(default_factory=set)
    models: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, kernel: dict) -> Sources:
        def pairs(key: str) -> set[tuple[str, str]]:
            items = kernel.get(key) if isinstance(kernel.get(key), list) else []
            return {tuple(s.split("/")[:2]) for s in items
                    if isinstance(s, str) and s.count("/") >= 1}  # type: ignore[misc]

        comps = kernel.get("competition_sources")
        return cls(
            datasets=pairs("dataset_sources"),
            competitions={s.split("/")[-1] for s in comps if isinstance(s, str)}
            if isinstance(comps, list) else set(),
            kernels=pairs("kernel_sources"),
            models=pairs("model_sources"),
        )

    def legacy_slugs(self) -> set[str]:
        return ({s for _, s in self.datasets} | self.competitions
                | {s for _, s in self.kernels} | {m for _, m in self.models})


_V2_DIRS = {"datasets": "datasets", "notebooks": "kernels", "kernels": "kernels",
            "models": "models"}


@dataclass
class _Analysis:
    unknown: list[tuple[object, int, str]] = field(default_factory=list)
    legacy: list[tuple[object, int, str]] = field(default_factory=list)  # dataset via old shape
    v2_slugs: set[str] = field(default_factory=set)
    v2_wildcard: bool = False


def _analyse(ctx) -> _Analysis:
    if "dataset_path" in ctx.memo:
        return ctx.memo["dataset_path"]
    sources = Sources.of(ctx.kernel)
    result = _Analysis()
    for cell, line, parts in input_references(ctx):
        first = parts[0]
        shown = "/".join([INPUT, *(p if _known(p) else "…" for p in parts)])
        if first in _V2_DIRS:
            if len(parts) < 3 or not (_known(parts[1]) and _known(parts[2])):
                result.v2_wildcard = result.v2_wildcard or first == "datasets"
                continue
            pair = (parts[1], parts[2])
            allowed = getattr(sources, _V2_DIRS[first])
            if first == "datasets":
                result.v2_slugs.add(parts[2])
            if pair not in allowed:
                key = {"datasets": "dataset", "kernels": "kernel", "models": "model"}[_V2_DIRS[first]]
                result.unknown.append((cell.number, line, f"`{shown}` reads {key} {pair[0]}/{pair[1]}, "
                                                   f"which is not in {key}_sources"))
        elif first == "competitions":
            if len(parts) >= 2 and _known(parts[1]) and parts[1] not in sources.competitions:
                result.unknown.append((cell.number, line, f"`{shown}` reads competition {parts[1]}, "
                                                   "which is not in competition_sources"))
        elif first in {slug for _, slug in sources.datasets}:
            result.legacy.append((cell.number, line, first))
        elif first not in sources.legacy_slugs():
            result.unknown.append((cell.number, line, f"`{shown}` reads `{first}`, which matches no "
                                               "dataset/competition/kernel/model source"))
    ctx.memo["dataset_path"] = result
    return result


@rule("GL401", "dataset_path", "error", "an input path that no metadata source provides",
      "add the source to kernel-metadata.json (dataset_sources as owner/slug), or fix the path",
      needs="metadata")
def unknown_source(ctx):
    yield from _analyse(ctx).unknown


@rule("GL402", "dataset_path", "error", "a dataset read only through the legacy mount path",
      "read /kaggle/input/datasets/<owner>/<slug>/ (API v2) and fall back to "
      "/kaggle/input/<slug>/, e.g. with a helper that tries both", needs="metadata")
def legacy_only(ctx):
    analysis = _analyse(ctx)
    if analysis.v2_wildcard:
        return
    for cell, line, slug in analysis.legacy:
        if slug not in analysis.v2_slugs:
            yield (cell, line, f"dataset `{slug}` is read only as /kaggle/input/{slug}/, which "
                               "Kaggle API v2 no longer mounts (it uses "
                               f"/kaggle/input/datasets/<owner>/{slug}/)")


@rule("GL403", "dataset_path", "warning", "a source listed in the metadata is never read",
      "remove it from kernel-metadata.json, or read it (unused sources slow the kernel start)",
      needs="metadata")
def unused_source(ctx):
    sources = Sources.of(ctx.kernel)
    strings = ctx.string_values
    for owner, slug in sorted(sources.datasets):
        if not any(slug in s for s in strings):
            yield None, None, f"dataset {owner}/{slug} is in dataset_sources but never read"
