"""Gate 1 — standalone quality: overfitting, NaN, constant columns, leakage, alignment.

Leakage has four detectors: (a) the cross-correlation of each column with the target at
leads/lags — a column that tracks the *future* far better than the past is a leak;
(b) the truncation test for submodels available as code (``truncation_test``); (c) the
index itself: duplicated dates, dates outside the data, a calendar shift; (d) the base
table's next row — a column that tracks what the base table only learns tomorrow (e.g. a
same-date join with a market that closes after the target's stamp: the US close after the
London fix) knows something not yet public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from goldloop.config import Gate1Settings
from goldloop.errors import GateInputError

MAX_LAG = 5
# No honest daily-return predictor correlates 0.3 with tomorrow's return; a shifted-in future does.
LEAK_MIN_CORR = 0.3
LEAK_RATIO = 2.0
NEAR_CONSTANT_SHARE = 0.99  # one value on 99 % of the rows
MAX_OFF_CALENDAR = 0.05


def check(name: str, ok: bool, value: Any = None, threshold: Any = None, detail: str = "") -> dict[str, Any]:
    return {"name": name, "pass": bool(ok), "value": value, "threshold": threshold, "detail": detail}


def cross_correlation(x: Any, y: Any, max_lag: int = MAX_LAG) -> dict[int, float]:
    """corr(x_t, y_{t+k}) for k in [-max_lag, max_lag]; k ≥ 0 looks into the future of y."""
    out = {}
    for k in range(-max_lag, max_lag + 1):
        pair = np.column_stack([x.to_numpy(), y.shift(-k).to_numpy()])
        pair = pair[np.isfinite(pair).all(axis=1)]
        ok = len(pair) > 10 and pair[:, 0].std() > 0 and pair[:, 1].std() > 0
        out[k] = float(np.corrcoef(pair.T)[0, 1]) if ok else 0.0
    return out


def _leak_check(column: str, ccf: dict[int, float]) -> dict[str, Any]:
    future = max((abs(v), k) for k, v in ccf.items() if k >= 0)
    past = max(abs(v) for k, v in ccf.items() if k < 0)
    leak = future[0] >= LEAK_MIN_CORR and future[0] >= LEAK_RATIO * past
    peak_lag = max(ccf, key=lambda k: abs(ccf[k]))
    return check(
        f"leakage[{column}]", not leak, round(future[0], 4), LEAK_MIN_CORR,
        f"corr with target {ccf[0]:+.3f}, with the previous day's target {ccf[-1]:+.3f}; "
        f"|cross-correlation| peaks at lead {peak_lag}" + (" — tracks the future: look-ahead" if leak else ""),
    )


def _next_row_check(column: str, new: Any, base: Any) -> dict[str, Any]:
    """Leakage (d): |corr(x_t, base_{t+1})| against |corr(x_t, base_t)|, per base column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ahead = base.shift(-1).corrwith(new).abs().fillna(0.0)
        now = base.corrwith(new).abs().fillna(0.0)
    worst = str(ahead.idxmax()) if len(ahead) else ""
    lead, same = (float(ahead[worst]), float(now[worst])) if worst else (0.0, 0.0)
    leak = lead >= LEAK_MIN_CORR and lead >= LEAK_RATIO * same
    return check(f"next_row_leakage[{column}]", not leak, round(lead, 4), LEAK_MIN_CORR,
                 f"corr with tomorrow's {worst} {lead:.3f}, with today's {same:.3f}"
                 + (" — knows tomorrow's base row: a same-date join of a later-closing market?" if leak else ""))


def _alignment_checks(raw_new: Any, calendar: Any) -> list[dict[str, Any]]:
    import pandas as pd

    idx = raw_new.index
    dups = int(idx.duplicated().sum())
    out = [check("duplicated_dates", dups == 0, dups, 0, "each date must appear once")]
    beyond = int(((idx > calendar.max()) | (idx < calendar.min())).sum())
    out.append(check("dates_beyond_data", beyond == 0, beyond, 0,
                     f"data covers {calendar.min().date()} .. {calendar.max().date()}"))
    off = float((~idx.isin(calendar)).mean())
    detail = "share of dates that are not trading days of the data"
    if off > MAX_OFF_CALENDAR:
        shifts = {k: float(((idx + pd.Timedelta(days=k)).isin(calendar)).mean()) for k in range(-3, 4) if k}
        best = max(shifts, key=shifts.get)
        if shifts[best] > 1 - MAX_OFF_CALENDAR:
            detail = f"index looks shifted: moving it by {best:+d} day(s) matches {shifts[best]:.0%} of dates"
    out.append(check("off_calendar_dates", off <= MAX_OFF_CALENDAR, round(off, 4), MAX_OFF_CALENDAR, detail))
    return out


def _overfit_check(metrics: dict[str, Any] | None, settings: Gate1Settings) -> dict[str, Any]:
    if metrics is None:
        return {**check("overfit_ratio", True, None, settings.max_overfit_ratio,
                        "skipped: no metrics given (pass --metrics metrics.json)"), "skipped": True}
    try:
        train, val = float(metrics["train_loss"]), float(metrics["val_loss"])
    except (KeyError, TypeError, ValueError):
        raise GateInputError("metrics must hold numeric train_loss and val_loss",
                             "write both losses into the notebook's metrics.json") from None
    if not (np.isfinite(train) and np.isfinite(val)) or train <= 0:
        return check("overfit_ratio", False, None, settings.max_overfit_ratio,
                     f"train_loss {train} / val_loss {val} cannot give a ratio")
    ratio = val / train
    return check("overfit_ratio", ratio < settings.max_overfit_ratio, round(ratio, 4),
                 settings.max_overfit_ratio, "validation loss / train loss")


def run_gate1(aligned: Any, metrics: dict[str, Any] | None, settings: Gate1Settings) -> dict[str, Any]:
    checks = [_overfit_check(metrics, settings)]
    trunc = (metrics or {}).get("truncation_test")
    if isinstance(trunc, dict) and "pass" in trunc:
        checks.append(check("truncation_test", bool(trunc["pass"]), trunc.get("max_abs_diff"), 0,
                            "recomputing on data cut at random dates must reproduce earlier values"))
    raw = aligned.raw_new[~aligned.raw_new.index.duplicated(keep="last")]
    columns: dict[str, Any] = {}
    for name in raw.columns:
        col = raw[name]
        after = col.iloc[settings.warmup_rows:]
        nan_after = int(after.isna().sum())
        valid = col.dropna()
        mode_share = float(valid.value_counts(normalize=True).iloc[0]) if len(valid) else 1.0
        ccf = cross_correlation(aligned.new[name], aligned.target)
        checks.append(check(f"nan_after_warmup[{name}]", nan_after == 0, nan_after, 0,
                            f"NaN after the first {settings.warmup_rows} rows"))
        checks.append(check(f"not_constant[{name}]", mode_share < NEAR_CONSTANT_SHARE and valid.std() > 0,
                            round(mode_share, 4), NEAR_CONSTANT_SHARE, "share of rows holding the most common value"))
        checks.append(_leak_check(str(name), ccf))
        checks.append(_next_row_check(str(name), aligned.new[name], aligned.base))
        columns[str(name)] = {"nan_after_warmup": nan_after, "mode_share": mode_share,
                              "std": float(valid.std()) if len(valid) > 1 else 0.0,
                              "cross_correlation": {str(k): round(v, 4) for k, v in ccf.items()}}
    checks.extend(_alignment_checks(aligned.raw_new, aligned.calendar))
    return {"pass": all(c["pass"] for c in checks), "checks": checks, "columns": columns}


def truncation_test(
    compute: Callable[[Any], Any], data: Any, cuts: int = 5, seed: int = 0, atol: float = 1e-8
) -> dict[str, Any]:
    """Recompute ``compute(data[:cut])`` at random cut dates; earlier values must not change.

    A computation that looks ahead (centred windows, full-sample scaling, bfill, a smoother run
    over the whole series) gives different values for the same past date once the future is
    removed. ``compute`` maps a date-indexed frame to a date-indexed frame.
    """
    import pandas as pd

    if len(data) < 20:
        raise GateInputError(f"the truncation test needs at least 20 rows, got {len(data)}")
    full = compute(data)
    if not isinstance(full, pd.DataFrame | pd.Series):
        raise GateInputError("compute() must return a date-indexed DataFrame or Series")
    full = full.to_frame() if isinstance(full, pd.Series) else full
    rng = np.random.default_rng(seed)
    lo, hi = len(data) // 4, len(data) - 2
    positions = sorted(rng.choice(np.arange(lo, hi), size=min(cuts, hi - lo), replace=False))
    worst, per_cut = 0.0, []
    for pos in positions:
        part = compute(data.iloc[: pos + 1])
        part = part.to_frame() if isinstance(part, pd.Series) else part
        ref = full.reindex(index=part.index, columns=part.columns)
        a, b = part.to_numpy(dtype=float), ref.to_numpy(dtype=float)
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.where(both_nan, 0.0, np.abs(a - b))
        diff = np.where(np.isnan(diff), np.inf, diff)  # NaN on one side only is a change too
        d = float(diff.max()) if diff.size else 0.0
        worst = max(worst, d)
        per_cut.append({"cut": str(data.index[pos]), "max_abs_diff": d})
    return {"pass": bool(worst <= atol), "max_abs_diff": worst, "cuts": per_cut, "atol": atol}
