"""A project's own panel: the ``[project.series]`` sources aligned on the target's trading days.

Each source is a catalog series (offline or live), a CSV/parquet file in the workspace, or a
live FRED / Yahoo id. Every series is transformed on its own calendar, then aligned with the
same rule as the gold panel (``goldloop.data.panel.assemble_panel``): a value is used at
target day t only when it was public strictly before the target's observation time at t
(monthly data: after its month's end plus the publication delay). The target column is
derived from the target series' level as ``[project.target] derive`` says.

Same interface as ``goldloop.data.panel``: ``load_base_table(config, root)``,
``data_split(config, root)`` and ``target_column(config)``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldloop.errors import ConfigError, DataError

if TYPE_CHECKING:
    import pandas as pd

SPLIT_FRACTIONS = (0.6, 0.8)  # default train / validation ends: 60 % and 80 % of the days
SUFFIX = {"next_return_pct": "next_ret", "next_logret_pct": "next_logret", "next_change": "next_chg"}
_MEMO: dict[str, Any] = {}


@dataclass(frozen=True)
class Calendar:
    """What the aligner needs to know about a series: names, frequency and when it is public."""

    name: str
    frequency: str
    observed: str
    zone: str
    publication_delay_days: int
    transforms: tuple[str, ...]

    def columns(self) -> list[str]:
        return [self.name if t == "level" else f"{self.name}_{t}" for t in self.transforms]


def target_column(config: Any) -> str:
    target = config.project.target
    return f"{target.series}_{SUFFIX[target.derive]}"


def _known_series(config: Any) -> str:
    return ", ".join(sorted(config.project.series)) or "none"


def _check_spec(config: Any) -> None:
    project = config.project
    if project.target.series not in project.series:
        raise ConfigError(
            f"[project] target series {project.target.series!r} is not one of the project's series",
            f"add [project.series.{project.target.series}] or name one of: {_known_series(config)}")


def _read_file(path: Path, spec: Any) -> pd.Series:
    import pandas as pd

    if not path.is_file():
        raise DataError(f"data file {path} does not exist", "put the file in the workspace or fix [project.series]")
    try:
        table = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") \
            else pd.read_csv(path, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}", "write it as UTF-8 CSV or parquet") from None
    if spec.date_column not in table.columns:
        raise DataError(f"{path.name} has no date column {spec.date_column!r}",
                        f"set date_column to one of: {', '.join(map(str, table.columns))}")
    values = [c for c in table.columns if c != spec.date_column]
    column = spec.column or (values[0] if len(values) == 1 else None)
    if column not in table.columns:
        raise DataError(f"{path.name}: value column {spec.column!r} is not there" if spec.column
                        else f"{path.name} has several value columns",
                        f"set column to one of: {', '.join(map(str, values))}")
    try:
        index = pd.to_datetime(table[spec.date_column])
        series = pd.Series(pd.to_numeric(table[column]).to_numpy(dtype=float), index=index)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path.name}: {exc}", "dates as YYYY-MM-DD and numeric values") from None
    series.index = pd.DatetimeIndex(series.index).normalize().as_unit("ns")
    series = series.sort_index()
    return series[~series.index.duplicated(keep="last")].dropna()


def _load_one(name: str, spec: Any, config: Any, root: Path) -> tuple[Calendar, pd.Series]:
    """The raw series on its own dates, and its calendar."""
    from goldloop.data.catalog import catalog

    if spec.kind == "builtin":
        entry = catalog().series.get(spec.builtin)
        if entry is None:
            raise ConfigError(f"[project.series.{name}] builtin = {spec.builtin!r} is not a catalog series",
                              f"use one of: {', '.join(sorted(catalog().series))}")
        cal = Calendar(name, entry.frequency, entry.observed, entry.zone, entry.publication_delay_days,
                       tuple(spec.transforms or entry.transforms))
        if entry.offline:
            from goldloop.data.offline import load_offline_series

            return cal, load_offline_series(entry).rename(name)
        from goldloop.data.live import fetch_series

        return cal, fetch_series(entry.name, config.data.start, config.data.end).rename(name)
    cal = Calendar(name, spec.frequency, spec.observed, spec.zone, spec.publication_delay_days,
                   tuple(spec.transforms or ["logret"]))
    if spec.kind == "file":
        return cal, _read_file(root / spec.file, spec).rename(name)
    from goldloop.data.live import fetch_fred, fetch_yahoo

    raw = fetch_fred(spec.fred, config.data.start, config.data.end) if spec.kind == "fred" \
        else fetch_yahoo(spec.yahoo, config.data.start, config.data.end, column=spec.column or "Close")
    return cal, raw.dropna().rename(name)


def _derive_target(level: pd.Series, derive: str) -> pd.Series:
    import numpy as np

    nxt = level.shift(-1)
    if derive == "next_return_pct":
        return 100.0 * (nxt / level - 1.0)
    if derive == "next_logret_pct":
        return 100.0 * np.log(nxt / level)
    return nxt - level


def _fingerprint(config: Any, root: Path) -> str:
    files = sorted((s.file, (root / s.file).stat().st_mtime_ns if (root / s.file).is_file() else 0)
                   for s in config.project.series.values() if s.file)
    blob = json.dumps([config.project.model_dump(), config.data.start, config.data.end, files],
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def build_panel(config: Any, root: Path) -> pd.DataFrame:
    """Every project series aligned on the target's days, plus the target column."""
    from goldloop.data.panel import TARGET, assemble_panel

    _check_spec(config)
    project = config.project
    loaded = {name: _load_one(name, spec, config, root) for name, spec in project.series.items()}
    target_cal, target_values = loaded[project.target.series]
    # The target's level is always kept: the target column is derived from it.
    target_cal = Calendar(**{**target_cal.__dict__,
                             "transforms": tuple(dict.fromkeys(("level", *target_cal.transforms)))})
    others = [loaded[n] for n in project.series if n != project.target.series]
    panel = assemble_panel(target_values, target_cal, others)
    level = panel.pop(project.target.series)
    panel = panel.drop(columns=[TARGET])
    panel[target_column(config)] = _derive_target(level, project.target.derive)
    return panel


def load_panel(config: Any, root: Path) -> pd.DataFrame:
    """The project's panel, cached in-process and as parquet (keyed by the spec and file dates)."""
    from goldloop.data.cache import read_frame, write_frame

    key = f"project_panel_{_fingerprint(config, Path(root))}"
    if key not in _MEMO:
        frame = read_frame(key)
        if frame is None:
            frame = build_panel(config, Path(root))
            write_frame(key, frame)
        _MEMO[key] = frame
    return _MEMO[key].copy()


def base_features(panel: pd.DataFrame, config: Any) -> pd.DataFrame:
    """The panel's columns without the target, plus the target's own momentum and volatility."""
    import pandas as pd

    name = config.project.target.series
    features = panel.drop(columns=[target_column(config)])
    if f"{name}_logret" in features.columns:
        ret = features[f"{name}_logret"]
        features = features.join(pd.DataFrame({f"{name}_mom_5": ret.rolling(5).sum(),
                                               f"{name}_mom_20": ret.rolling(20).sum(),
                                               f"{name}_vol_20": ret.rolling(20).std()}))
    return features


def load_base_table(config: Any, root: Any = None) -> tuple[pd.DataFrame, pd.Series]:
    """The base feature table and the target, on the days where both are complete."""
    if root is None:
        raise DataError("the project's own series need the workspace folder", "pass the workspace root")
    panel = load_panel(config, Path(root))
    features = base_features(panel, config)
    target = panel[target_column(config)]
    keep = features.notna().all(axis=1) & target.notna()
    if not keep.any():
        raise DataError("the project's series never overlap after alignment",
                        "check each [project.series] date range")
    return features[keep], target[keep].rename(target_column(config))


def data_split(config: Any, root: Any = None) -> tuple[str, str]:
    """(train_end, val_end): ``[data]`` dates, else 60 % / 80 % of the project's days."""
    settings = config.data
    train_end, val_end = settings.train_end, settings.val_end
    if not (train_end and val_end):
        index = load_base_table(config, root)[0].index
        at = [index[int(f * (len(index) - 1))].strftime("%Y-%m-%d") for f in SPLIT_FRACTIONS]
        train_end, val_end = train_end or at[0], val_end or at[1]
    if train_end >= val_end:
        raise ConfigError(f"[data] train_end {train_end} is not before val_end {val_end}",
                          "set train_end < val_end in goldloop.toml (the test split follows val_end)")
    return train_end, val_end
