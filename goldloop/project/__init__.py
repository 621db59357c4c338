"""The workspace's project: what it forecasts, from which data, with which feature families.

Everything that serves every project (data stage, notebook builder, gates, autopilot, slugs)
asks the project instead of assuming gold. The spec is ``[project]`` in goldloop.toml; the
gold preset points ``panel`` at the built-in gold panel (``goldloop.data.panel``).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from goldloop.errors import ConfigError
from goldloop.names import META
from goldloop.project.families import FamilyInfo, builtin_families, workspace_families

GOLD_PANEL = "goldloop.data.panel"


@dataclass
class Project:
    root: Path
    config: Any
    _memo: dict = field(default_factory=dict, repr=False)

    # -- the spec --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.config.project.name

    @property
    def slug(self) -> str:
        return self.config.project.slug

    @property
    def target_description(self) -> str:
        target = self.config.project.target
        return target.description or f"{target.series} ({target.derive}, {target.unit})"

    @cached_property
    def panel(self) -> Any:
        name = self.config.project.panel_module
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"[project] panel {name!r} cannot be imported: {exc}",
                              f"use {GOLD_PANEL!r} or 'goldloop.project.series_panel'") from None
        missing = [f for f in ("load_base_table", "data_split") if not callable(getattr(module, f, None))]
        if missing:
            raise ConfigError(f"[project] panel {name!r} has no {', '.join(missing)}",
                              "a panel module provides load_base_table(config, root) and data_split(config)")
        return module

    @property
    def target_column(self) -> str:
        column = getattr(self.panel, "target_column", None)
        return column(self.config) if callable(column) else self.panel.TARGET

    # -- the data --------------------------------------------------------------------------
    def base_table(self) -> tuple[Any, Any]:
        """(features, target) on the project's calendar."""
        if "table" not in self._memo:
            self._memo["table"] = self.panel.load_base_table(self.config, self.root)
        features, target = self._memo["table"]
        return features.copy(), target.copy()

    def split(self) -> tuple[str, str]:
        """(train_end, val_end); the test years follow val_end."""
        fn = self.panel.data_split
        return fn(self.config, self.root) if "root" in inspect.signature(fn).parameters else fn(self.config)

    @property
    def own_panel(self) -> bool:
        """True when the data is the project's own series (not the built-in gold panel)."""
        return self.config.project.panel_module != GOLD_PANEL

    # -- the families ----------------------------------------------------------------------
    @cached_property
    def families(self) -> dict[str, FamilyInfo]:
        builtin = builtin_families(self.config.data.source)
        own = workspace_families(self.root)
        clash = sorted(set(builtin) & set(own))
        if clash:
            raise ConfigError(f"workspace families {', '.join(clash)} shadow built-in families",
                              "rename families/<name>.py to a name of your own")
        return {**builtin, **own}

    def family(self, name: str) -> FamilyInfo:
        if name == META:
            raise ConfigError("'meta' is the meta-model, not a feature family", "name a family")
        if name not in self.families:
            raise unknown_features_error([name], self.families)
        return self.families[name]

    def families_with_data(self) -> list[str]:
        """Families whose inputs this project's data has (and whose packages are installed)."""
        columns = set(self.base_table()[0].columns) if self.own_panel else None
        return sorted(n for n, f in self.families.items()
                      if f.inputs and (columns is None or set(f.inputs) <= columns) and f.available)

    def check_features(self, features: list[str]) -> None:
        """Every listed family exists; a workspace family's declared inputs exist in the data."""
        unknown = [f for f in features if f not in self.families]
        if unknown:
            raise unknown_features_error(unknown, self.families)
        own = [f for f in features if self.families[f].origin == "workspace"]
        if own:
            columns = set(self.base_table()[0].columns)
            for name in own:
                missing = [c for c in self.families[name].inputs if c not in columns]
                if missing:
                    raise ConfigError(
                        f"workspace family {name!r} reads {', '.join(missing)}, not in the project's data",
                        f"INPUTS may name: {', '.join(sorted(columns))}")

    def inputs(self, feature: str) -> list[str]:
        from goldloop.errors import DataError

        fam = self.family(feature)
        if not fam.inputs:
            raise DataError(
                f"feature family {feature!r} is live-only: no offline stand-in exists",
                'pick a family from `goldloop data panel --families`, or set [data] source = "live" '
                "in goldloop.toml (needs FRED_API_KEY and internet)")
        return fam.inputs


def unknown_features_error(unknown: list[str], known: dict[str, FamilyInfo]) -> ConfigError:
    return ConfigError(
        f"unknown feature famil{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}",
        f"known families: {', '.join(sorted(known))}; a family of your own goes in "
        f"families/<name>.py of the workspace")


def workspace_root(workspace: Any) -> Path:
    """The folder of a Workspace or of a path given as str / Path.

    (``getattr(x, "root", x)`` is wrong for a Path: its ``.root`` is the drive's root, "/".)
    """
    return Path(workspace) if isinstance(workspace, (str, Path)) else Path(workspace.root)


def load_project(workspace: Any) -> Project:
    """The project of a workspace (a Workspace or its root folder)."""
    from goldloop.config import load_config

    root = workspace_root(workspace)
    return Project(root, load_config(root))


def validate_project(workspace: Any, features: list[str] | None = None) -> Project:
    """Start-up check: the spec's features exist and read columns the data has."""
    project = load_project(workspace)
    project.check_features(features if features is not None else project.config.features)
    return project


def describe(workspace: Any, with_data: bool = False) -> dict[str, Any]:
    """The spec as agents and people read it: target, data sources, families, split.

    ``with_data`` also loads the table to report its columns, span and split dates.
    """
    project = load_project(workspace)
    spec = project.config.project
    out: dict[str, Any] = {
        "name": spec.name,
        "preset": spec.preset,
        "slug": project.slug,
        "target": {**spec.target.model_dump(), "column": project.target_column},
        "panel": spec.panel_module,
        "data_source": project.config.data.source,
        "series": {n: _series_view(s) for n, s in spec.series.items()},
        "kaggle_datasets": list(spec.kaggle_datasets),
        "features": list(project.config.features),
        "families": {n: {"origin": f.origin, "description": f.description, "submodel": f.submodel.__name__,
                         "inputs": f.inputs, "file": f.source_file.relative_to(project.root).as_posix()
                         if f.source_file else None}
                     for n, f in sorted(project.families.items())},
        "final_targets": project.config.gates.final.model_dump(),
    }
    if with_data:
        features, target = project.base_table()
        out["data"] = {"rows": len(features), "first": str(features.index[0].date()),
                       "last": str(features.index[-1].date()), "columns": list(features.columns)}
        out["split"] = dict(zip(("train_end", "val_end"), project.split(), strict=True))
        for fam in out["families"].values():
            fam["has_data"] = bool(fam["inputs"]) and set(fam["inputs"]) <= set(features.columns)
    return out


def _series_view(spec: Any) -> dict[str, Any]:
    """A source as it is used: a catalog series shows the catalog's calendar, not the defaults."""
    if spec.kind == "builtin":
        from goldloop.data.catalog import catalog

        entry = catalog().series.get(spec.builtin)
        view = {"builtin": spec.builtin}
        if entry is not None:
            view.update(source=f"{entry.source} {entry.ref}", frequency=entry.frequency,
                        observed=f"{entry.observed} {entry.zone}",
                        publication_delay_days=entry.publication_delay_days,
                        transforms=spec.transforms or entry.transforms)
        return view
    view = {k: v for k, v in spec.model_dump().items() if v not in (None, [], "")}
    view["observed"] = f"{view.pop('observed')} {view.pop('zone')}"
    return view
