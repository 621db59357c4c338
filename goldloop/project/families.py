"""Feature families: the catalog's built-in ones and the workspace's own ``families/<name>.py``.

A workspace family is a small module with the built-in submodels' interface:

    from goldloop.models.submodels.base import Submodel   # dropped when inlined

    INPUTS = ["wti_logret"]                 # base-table columns it reads (declared inputs)
    DESCRIPTION = "what the hidden state is"

    class OilTrend(Submodel):               # exactly one Submodel subclass
        DEFAULTS = {...}; VARIATIONS = [{...}, ...]   # the autopilot's tries, one per attempt
        def output_columns(self, inputs): ...
        def fit(self, X): ...               # sees the training rows only
        def transform(self, X): ...         # causal: row t uses rows <= t
        def loss(self, X, rows): ...        # self-supervised, lower is better

It imports only numpy, pandas and its model library, because the notebook builder inlines it
verbatim after goldloop's own submodel base, as it does with the built-in submodels.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldloop.errors import ConfigError
from goldloop.names import FEATURE_RE, META

FAMILIES_DIR = "families"
REQUIRED_METHODS = ("output_columns", "fit", "transform", "loss")


@dataclass(frozen=True)
class FamilyInfo:
    """One feature family as a project sees it."""

    name: str
    description: str
    submodel: type
    inputs: list[str]  # base-table columns on this project's data (empty: no data here)
    origin: str  # "builtin" or "workspace"
    source_file: Path | None = None  # the workspace module, inlined into notebooks
    modules: list[str] = field(default_factory=list)  # goldloop modules to inline

    @property
    def variations(self) -> list[dict[str, Any]]:
        cls = self.submodel
        return [{**cls.DEFAULTS, **v} for v in (cls.VARIATIONS or [{}])]

    def params_for_attempt(self, attempt: int) -> dict[str, Any]:
        options = self.variations
        return dict(options[(attempt - 1) % len(options)])

    @property
    def available(self) -> bool:
        """False when the submodel needs a package that is not installed (e.g. torch)."""
        return all(importlib.util.find_spec(p) is not None for p in self.submodel.REQUIRES)


def builtin_families(source: str) -> dict[str, FamilyInfo]:
    from goldloop.data.catalog import catalog
    from goldloop.models.submodels import REGISTRY, module_path, submodel_class

    out = {}
    for name, fam in catalog().families.items():
        if fam.submodel not in REGISTRY:
            continue
        out[name] = FamilyInfo(name, fam.description, submodel_class(fam.submodel),
                               list(catalog().inputs(name, source)), "builtin",
                               modules=[module_path(fam.submodel)])
    return out


def _error(path: Path, problem: str, hint: str) -> ConfigError:
    return ConfigError(f"workspace family {path.as_posix()}: {problem}", hint)


def load_family_module(path: Path) -> FamilyInfo:
    """Import ``families/<name>.py`` and check it has the submodel interface."""
    from goldloop.models.submodels.base import Submodel

    name = path.stem
    if not FEATURE_RE.fullmatch(name) or name == META:
        raise _error(path, f"{name!r} is not a family name", "name the file [a-z0-9_]+.py, not meta.py")
    module_name = f"goldloop_workspace_family_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure of user code is reported as such
        sys.modules.pop(module_name, None)
        raise _error(path, f"importing it failed: {type(exc).__name__}: {exc}",
                     "fix the module; it may import only numpy, pandas and model libraries") from None
    classes = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Submodel)
               and v is not Submodel and v.__module__ == module_name]
    if len(classes) != 1:
        raise _error(path, f"defines {len(classes)} Submodel subclasses", "define exactly one class(Submodel)")
    cls = classes[0]
    missing = [m for m in REQUIRED_METHODS if getattr(cls, m) is getattr(Submodel, m)]
    if missing:
        raise _error(path, f"{cls.__name__} does not implement {', '.join(missing)}",
                     "a family implements output_columns, fit (past rows only), transform (causal) "
                     "and loss")
    inputs = getattr(module, "INPUTS", None)
    if not isinstance(inputs, list) or not inputs or not all(isinstance(c, str) for c in inputs):
        raise _error(path, "INPUTS must be a non-empty list of base-table column names",
                     'for example INPUTS = ["wti_logret"]')
    if not isinstance(cls.DEFAULTS, dict) or not isinstance(cls.VARIATIONS, list) or any(
            not isinstance(v, dict) or set(v) - set(cls.DEFAULTS) for v in cls.VARIATIONS):
        raise _error(path, "VARIATIONS must be a list of dicts whose keys are in DEFAULTS",
                     'for example DEFAULTS = {"window": 20}; VARIATIONS = [{"window": 20}, {"window": 60}]')
    description = getattr(module, "DESCRIPTION", None) or (module.__doc__ or name).strip().splitlines()[0]
    return FamilyInfo(name, str(description), cls, list(inputs), "workspace", source_file=path)


def workspace_families(root: Path) -> dict[str, FamilyInfo]:
    folder = Path(root) / FAMILIES_DIR
    if not folder.is_dir():
        return {}
    return {p.stem: load_family_module(p) for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")}
