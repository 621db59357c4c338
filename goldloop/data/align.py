"""Alignment on the target's trading days, using only what was public before its stamp.

Each observation gets an *availability time* (UTC): a daily close at its local close time,
a monthly value at the end of its month plus the publication delay. A feature at gold date
t is the latest observation available strictly before gold's stamp at t. This is what makes
a same-date join with a market that closes later (US equities after the London fix) lag
by one day, as it must.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from goldloop.data.catalog import Series

# Beyond this, a stale observation is missing rather than carried forward.
MAX_AGE_DAYS = {"daily": 10, "monthly": 70}


def stamp_times(dates: pd.DatetimeIndex, observed: str, zone: str) -> pd.DatetimeIndex:
    """Dates at a local clock time in ``zone``, converted to UTC (DST handled by zoneinfo)."""
    import pandas as pd

    hours, minutes = (int(p) for p in observed.split(":"))
    local = (dates.normalize() + pd.Timedelta(hours=hours, minutes=minutes)).tz_localize(
        zone, nonexistent="shift_forward", ambiguous=False)
    return local.tz_convert("UTC")


def availability(values: pd.Series, spec: Series) -> pd.DatetimeIndex:
    """When each observation became public, in UTC."""
    import pandas as pd

    dates = pd.DatetimeIndex(values.index)
    if spec.frequency == "monthly":
        # A value dated the 1st covers the month; it is public after the month ends + delay.
        dates = dates + pd.offsets.MonthBegin(1) + pd.Timedelta(days=spec.publication_delay_days)
    return stamp_times(dates, spec.observed, spec.zone)


def native_transforms(values: pd.Series, spec: Series) -> pd.DataFrame:
    """Transforms at the series' own frequency (before alignment, so holidays don't distort)."""
    import numpy as np
    import pandas as pd

    out = {}
    for t in spec.transforms:
        if t == "level":
            out[spec.name] = values
        elif t == "logret":
            with np.errstate(divide="ignore"):  # a zero (e.g. a 1950s range of 0) is -inf, outside any panel
                out[f"{spec.name}_logret"] = 100.0 * np.log(values).diff()
        elif t == "diff":
            out[f"{spec.name}_diff"] = values.diff()
        elif t == "yoy":
            out[f"{spec.name}_yoy"] = 100.0 * (values / values.shift(12) - 1.0)
    return pd.DataFrame(out, index=values.index)


def align_to(target_stamps: pd.DatetimeIndex, frame: pd.DataFrame, available: pd.DatetimeIndex,
             frequency: str, *, include_same_time: bool = False) -> pd.DataFrame:
    """As-of join: for each target stamp, the newest row of ``frame`` available before it."""
    import pandas as pd

    right = frame.copy()
    right["_available"] = available
    right = right.sort_values("_available").reset_index(drop=True)
    left = pd.DataFrame({"_stamp": target_stamps}).reset_index(drop=True)
    joined = pd.merge_asof(
        left, right, left_on="_stamp", right_on="_available", direction="backward",
        allow_exact_matches=include_same_time,
        tolerance=pd.Timedelta(days=MAX_AGE_DAYS[frequency]),
    )
    return joined.drop(columns=["_stamp", "_available"])
