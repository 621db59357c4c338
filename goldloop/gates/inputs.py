"""Read, check and align the gates' inputs: new columns, base table, target.

Anything a user can get wrong (missing file, unparseable dates, non-numeric or all-NaN
columns, too little overlap) becomes a GateInputError here, before any computation.
Softer problems (duplicated dates, dates beyond the data, a shifted index) are not errors:
Gate 1 reports them as failed checks.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goldloop.errors import GateInputError

MIN_ROWS = 120  # below this the walk-forward folds have too few test days to say anything
MAX_ABS = 1e15  # larger values are a broken computation, not a feature (their squares overflow soon)
# The target is a daily return in percent: its median |value| is ~0.3-1.5 for most assets.
# One 100x smaller is decimal returns; one 100x larger is basis points.
TARGET_PERCENT_RANGE = (0.02, 20.0)


@dataclass
class Aligned:
    """Inputs on the target's calendar: rows are the dates with a known target."""

    new: Any  # pd.DataFrame, float columns, may hold NaN (warm-up, gaps)
    base: Any  # pd.DataFrame
    target: Any  # pd.Series, no NaN
    raw_new: Any  # the new table as given (sorted, duplicates kept) for Gate 1's alignment checks
    calendar: Any  # pd.DatetimeIndex of the data (base ∪ target)


def _dated(frame: Any, what: str) -> Any:
    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise GateInputError(f"{what} must be a table, not {type(frame).__name__}")
    if frame.empty or frame.shape[1] == 0:
        raise GateInputError(f"{what} is empty", f"check that {what} has a date column and data columns")
    if not isinstance(frame.index, pd.DatetimeIndex):
        try:
            with warnings.catch_warnings():  # "could not infer format": we report failures ourselves
                warnings.simplefilter("ignore", UserWarning)
                frame = frame.set_axis(pd.to_datetime(frame.index), axis=0)
        except (ValueError, TypeError) as exc:
            raise GateInputError(
                f"{what} has an index that is not dates ({exc})",
                "the first column must hold ISO dates such as 2024-01-31",
            ) from None
    if frame.index.tz is not None:
        frame = frame.tz_localize(None)
    frame.index = frame.index.normalize()
    bad = [str(c) for c in frame.columns if not (
        pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
    if bad:
        raise GateInputError(
            f"{what} has non-numeric column(s): {', '.join(bad)}",
            "gates take numbers only: encode categories (e.g. regime ids) as numbers or drop them",
        )
    frame = frame.astype(float)
    _finite(frame, what)
    empty = [str(c) for c in frame.columns if frame[c].isna().all()]
    if empty:
        raise GateInputError(f"{what} has all-NaN column(s): {', '.join(empty)}",
                             "the submodel produced nothing for them; fix or drop those columns")
    return frame.sort_index(kind="stable")


def _finite(frame: Any, what: str) -> None:
    """Refuse inf/-inf and absurd magnitudes (a submodel dividing by zero writes exactly that);
    NaN stays allowed: it marks warm-up rows and gaps."""
    import numpy as np

    values = frame.to_numpy()
    bad = np.isinf(values) | (np.abs(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)) > MAX_ABS)
    if not bad.any():
        return
    rows, cols = np.nonzero(bad)
    columns = sorted({str(frame.columns[c]) for c in cols})
    first = frame.index[rows.min()]
    raise GateInputError(
        f"{what} has {int(bad.sum())} infinite or huge value(s) (|x| > {MAX_ABS:g}) in {', '.join(columns)}, "
        f"first on {first.date() if hasattr(first, 'date') else first}",
        "a division by zero or an overflow in the submodel writes these: fix it, or write NaN for "
        "rows without a value (the gates skip NaN warm-up rows)")


def _percent_scale(y: Any) -> None:
    """The target must be a return in percent; say what the scale looks like otherwise."""
    typical = float(y.abs().median())
    low, high = TARGET_PERCENT_RANGE
    if low <= typical <= high or typical == 0.0:
        return
    if typical < low:
        seen, fix = "decimal returns (0.01 = 1 %)", "multiply the target by 100"
    else:
        seen, fix = "basis points (100 = 1 %)", "divide the target by 100"
    raise GateInputError(
        f"the target's median |value| is {typical:.4g}: it looks like {seen}, but the gates expect a "
        f"return in percent (median |value| between {low:g} and {high:g})", f"{fix} and run again")


def align(new: Any, base: Any, target: Any, *, min_rows: int = MIN_ROWS, until: str | None = None) -> Aligned:
    """Check the three inputs and put them on the target's dates (up to ``until`` inclusive:
    the gates never see a target value after the validation end)."""
    import pandas as pd

    new = _dated(new, "the new table")
    base = _dated(base, "the base table")
    target_frame = _dated(target, "the target")
    if target_frame.shape[1] != 1:
        raise GateInputError(f"the target has {target_frame.shape[1]} columns; it needs exactly one")
    for what, frame in (("base table", base), ("target", target_frame)):
        if frame.index.has_duplicates:
            raise GateInputError(f"the {what} has duplicated dates", "deduplicate it (one row per trading day)")
    clash = sorted(set(map(str, new.columns)) & set(map(str, base.columns)))
    if clash:
        raise GateInputError(f"new columns also exist in the base table: {', '.join(clash)}",
                             "rename the submodel's output columns (e.g. prefix them with the feature)")
    y = target_frame.iloc[:, 0].dropna()
    if until is not None:
        y = y[y.index <= pd.Timestamp(until)]
    _percent_scale(y)
    dates = y.index.intersection(base.index)
    deduped = new[~new.index.duplicated(keep="last")]
    aligned_new = deduped.reindex(dates)
    covered = int(aligned_new.notna().any(axis=1).sum())
    if covered < min_rows:
        raise GateInputError(
            f"only {covered} of the target's {len(y)} dates have new values and base rows "
            f"(need at least {min_rows}); the files look misaligned or too short",
            "check the date column of each file and that they cover the same period",
        )
    return Aligned(
        new=aligned_new,
        base=base.reindex(dates),
        target=y.reindex(dates),
        raw_new=new,
        calendar=base.index.union(target_frame.index),
    )


def read_table(path: str | Path, what: str) -> Any:
    """A CSV (or parquet) whose first column is the date."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise GateInputError(f"{what} file not found: {path}", "check the path")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            if not isinstance(frame.index, pd.DatetimeIndex):
                frame = frame.set_index(frame.columns[0])
        else:
            frame = pd.read_csv(path, index_col=0, encoding="utf-8")
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise GateInputError(f"cannot read {what} {path}: {exc}", "it must be a CSV with a date column first") from None
    if frame.shape[1] == 0:
        raise GateInputError(f"{what} {path} has no data columns", "the first column is the date; add value columns")
    try:
        frame.index = pd.to_datetime(frame.index)
    except (ValueError, TypeError) as exc:
        raise GateInputError(f"{what} {path}: the first column is not dates ({exc})",
                             "write ISO dates such as 2024-01-31 in the first column") from None
    return frame


def read_target(path: str | Path) -> Any:
    frame = read_table(path, "target")
    column = "target" if "target" in frame.columns else frame.columns[0]
    return frame[column]


def read_metrics(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise GateInputError(f"metrics file not found: {path}", "the notebook must write metrics.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, huge integers, deep nesting
        raise GateInputError(f"{path} is not valid JSON: {exc or 'nested too deeply'}",
                             "the notebook must write a flat JSON object of numbers") from None
    if not isinstance(data, dict):
        raise GateInputError(f"{path} must hold a JSON object with train_loss and val_loss")
    return data
