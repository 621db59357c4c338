"""The datachecker: the original's fixed 7 steps, each PASS / WARN / FAIL, as one report.

A FAIL stops the attempt with its reason; WARNs are recorded and shown. The thresholds are
module constants so a report can quote them and a test can reason about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
_ORDER = {PASS: 0, WARN: 1, FAIL: 2}

MISSING_WARN, MISSING_FAIL = 0.01, 0.20  # share of missing values in a column
OUTLIER_WARN_Z, OUTLIER_FAIL_Z = 12.0, 60.0  # robust z (median / 1.4826·MAD)
STALE_MIN_RUN = 10  # identical values in a row worth flagging for a daily column
STALE_FAIL_SHARE = 0.10  # one stale run this long fails (a dead feed; 2009-10 T-bills at 0 are real)
LEAK_CORR = 0.95  # |corr| with the target (or its future) that means target-derived
LEAK_T = 3.0  # |t| of corr(feature_t, target_t): no real daily feature gets here
LEAK_MIN_ROWS = 250
GAP_DAYS = 10
SHIFT_WARN = 1.0  # |mean_test - mean_train| / std_train
UNIT_ROOT_P = 0.10  # ADF p-value above this: a unit root (price level?) is not rejected


@dataclass
class StepResult:
    step: int
    name: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DatacheckReport:
    steps: list[StepResult]
    rows: int
    columns: int
    target: str | None

    @property
    def passed(self) -> bool:
        return all(s.status != FAIL for s in self.steps)

    @property
    def status(self) -> str:
        return max((s.status for s in self.steps), key=_ORDER.__getitem__)

    def failures(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == FAIL]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "status": self.status,
            "rows": self.rows,
            "columns": self.columns,
            "target": self.target,
            "steps": [s.__dict__ for s in self.steps],
        }

    def to_markdown(self) -> str:
        lines = [f"# Datacheck: {self.status}", "",
                 f"{self.rows} rows × {self.columns} columns; target: {self.target or '—'}", "",
                 "| # | step | result | finding |", "|---|---|---|---|"]
        for s in self.steps:
            lines.append(f"| {s.step} | {s.name} | {s.status} | {s.message.replace('|', '/')} |")
        return "\n".join(lines) + "\n"


def _frame(df: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Use a 'date' column as the index when there is one; report what could not be parsed."""
    import pandas as pd

    if not isinstance(df.index, pd.DatetimeIndex) and "date" in df.columns:
        df = df.set_index("date")
    if not isinstance(df.index, pd.DatetimeIndex):
        try:
            df = df.set_axis(pd.to_datetime(df.index.astype(str), format="mixed"), axis=0)
        except (ValueError, TypeError):
            return df, "the index is not dates and there is no parseable 'date' column"
    return df, None


def _schema(df: pd.DataFrame, target: str | None, index_problem: str | None) -> StepResult:
    import pandas as pd

    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])
           or pd.api.types.is_bool_dtype(df[c])]
    problems = []
    if index_problem:
        problems.append(index_problem)
    if bad:
        problems.append(f"non-numeric columns: {', '.join(map(str, bad[:8]))}")
    if target is not None and target not in df.columns:
        problems.append(f"target column {target!r} is missing")
    if df.empty or df.shape[1] == 0:
        problems.append("the table is empty")
    if problems:
        return StepResult(1, "schema and dtypes", FAIL, "; ".join(problems), {"non_numeric": bad})
    return StepResult(1, "schema and dtypes", PASS, f"{df.shape[1]} numeric columns, date index")


def _missing(df: pd.DataFrame) -> StepResult:
    share = df.isna().mean()
    worst = share.sort_values(ascending=False)
    details = {k: round(float(v), 4) for k, v in worst.items() if v > 0}
    top = ", ".join(f"{k} {v:.1%}" for k, v in list(details.items())[:5])
    if (share > MISSING_FAIL).any():
        return StepResult(2, "missing values", FAIL,
                          f"columns over {MISSING_FAIL:.0%} missing: {top}", details)
    if (share > MISSING_WARN).any():
        return StepResult(2, "missing values", WARN, f"some missing values: {top}", details)
    return StepResult(2, "missing values", PASS,
                      "no missing values" if not details else f"few missing: {top}", details)


def _dates(df: pd.DataFrame) -> StepResult:
    import numpy as np

    idx = df.index
    dup = int(idx.duplicated().sum())
    backwards = int((np.diff(idx.asi8) < 0).sum()) if len(idx) > 1 else 0
    if dup or backwards:
        return StepResult(3, "dates", FAIL,
                          f"{dup} duplicated and {backwards} out-of-order dates",
                          {"duplicated": dup, "out_of_order": backwards})
    gaps = idx.to_series().diff().dt.days
    big = gaps[gaps > GAP_DAYS]
    weekend = int((idx.day_of_week >= 5).sum())
    details = {"gaps_over_days": {str(k.date()): int(v) for k, v in big.head(10).items()},
               "weekend_rows": weekend}
    if len(big) or weekend:
        return StepResult(3, "dates", WARN,
                          f"{len(big)} gaps over {GAP_DAYS} days, {weekend} weekend rows", details)
    return StepResult(3, "dates", PASS, f"{idx[0].date()} to {idx[-1].date()}, increasing, unique",
                      details)


def _outliers(df: pd.DataFrame) -> StepResult:
    import numpy as np

    numeric = df.select_dtypes("number")
    if numeric.empty:
        return StepResult(4, "outliers", WARN, "no numeric columns to check")
    values = numeric.to_numpy(dtype=float)
    inf = {c: int(n) for c, n in zip(numeric.columns, np.isinf(values).sum(axis=0), strict=True) if n}
    med = np.nanmedian(values, axis=0)
    mad = np.nanmedian(np.abs(values - med), axis=0) * 1.4826
    std = np.nanstd(values, axis=0)
    scale = np.where(mad > 0, mad, np.where(std > 0, std, 1.0))
    with np.errstate(invalid="ignore"):
        z = np.abs(values - med) / scale
    zmax = np.nan_to_num(np.nanmax(np.where(np.isinf(z), np.nan, z), axis=0), nan=0.0)
    worst = {c: round(float(v), 1) for c, v in zip(numeric.columns, zmax, strict=True)
             if v > OUTLIER_WARN_Z}
    details = {"inf": inf, "max_robust_z": worst}
    if inf or any(v > OUTLIER_FAIL_Z for v in worst.values()):
        bad = list(inf) + [c for c, v in worst.items() if v > OUTLIER_FAIL_Z]
        return StepResult(4, "outliers", FAIL,
                          f"impossible values (inf, or robust z > {OUTLIER_FAIL_Z:g}) in: "
                          f"{', '.join(bad[:6])} — likely a data error (units, a bad tick)", details)
    if worst:
        return StepResult(4, "outliers", WARN,
                          f"large moves (robust z > {OUTLIER_WARN_Z:g}) in {len(worst)} columns: "
                          + ", ".join(f"{k} {v}" for k, v in list(worst.items())[:5]), details)
    return StepResult(4, "outliers", PASS, f"no robust z above {OUTLIER_WARN_Z:g}", details)


def _longest_run(col: pd.Series) -> tuple[int, float]:
    """Longest run of identical consecutive values and the column's 95th-percentile run."""
    import numpy as np

    v = col.dropna().to_numpy()
    if v.size == 0:
        return 0, 0.0
    change = np.concatenate([[True], v[1:] != v[:-1]])
    runs = np.diff(np.concatenate([np.flatnonzero(change), [v.size]]))
    return int(runs.max()), float(np.quantile(runs, 0.95))


def _stale(df: pd.DataFrame) -> StepResult:
    constant, flagged, failing = [], {}, []
    n = len(df)
    for c in df.select_dtypes("number").columns:
        col = df[c]
        if col.nunique(dropna=True) <= 1:
            constant.append(c)
            continue
        longest, typical = _longest_run(col)
        # Monthly data carried on daily rows has long runs by nature: judge against its own.
        limit = max(STALE_MIN_RUN, 2.5 * typical)
        if longest > limit:
            flagged[c] = longest
            if longest > STALE_FAIL_SHARE * n:
                failing.append(c)
    details = {"constant": constant, "stale_runs": flagged}
    if constant or failing:
        return StepResult(5, "stale or constant", FAIL,
                          f"constant columns: {constant or '—'}; long stale runs: "
                          f"{', '.join(f'{c} ({flagged[c]} rows)' for c in failing) or '—'}", details)
    if flagged:
        return StepResult(5, "stale or constant", WARN, "stale runs: " + ", ".join(
            f"{c} ({r} rows)" for c, r in list(flagged.items())[:5]), details)
    return StepResult(5, "stale or constant", PASS, "no constant columns or stale runs", details)


def _corr_t(x: Any, y: Any) -> tuple[float, float, int]:
    import numpy as np

    keep = np.isfinite(x) & np.isfinite(y)
    n = int(keep.sum())
    if n < 3 or np.std(x[keep]) == 0 or np.std(y[keep]) == 0:
        return 0.0, 0.0, n
    r = float(np.corrcoef(x[keep], y[keep])[0, 1])
    t = r * np.sqrt((n - 2) / max(1e-12, 1 - r * r))
    return r, float(t), n


def _leakage(df: pd.DataFrame, target: str | None, as_of: Any) -> StepResult:
    import pandas as pd

    problems: list[str] = []
    details: dict[str, Any] = {}
    if as_of is not None:
        cutoff = pd.Timestamp(as_of)
        late = df.index[df.index > cutoff]
        if len(late):
            problems.append(f"{len(late)} rows dated after the as-of date {cutoff.date()}")
            details["after_as_of"] = len(late)
    if target is not None and target in df.columns:
        y = df[target].to_numpy(dtype=float)
        suspicious, derived = {}, []
        for c in df.columns:
            if c == target or not pd.api.types.is_numeric_dtype(df[c]):
                continue
            x = df[c].to_numpy(dtype=float)
            for lead in (0, 1, 2):  # the target itself, or tomorrow's target, copied in
                yy = pd.Series(y).shift(-lead).to_numpy()
                r, _, _ = _corr_t(x, yy)
                if abs(r) >= LEAK_CORR:
                    derived.append(f"{c} (corr {r:+.2f} with target lead {lead})")
                    break
            r, t, n = _corr_t(x, y)
            if n >= LEAK_MIN_ROWS and abs(t) >= LEAK_T:
                suspicious[c] = {"corr": round(r, 4), "t": round(t, 2), "n": n}
        details.update(target_derived=derived, too_predictive=suspicious)
        if derived:
            problems.append(f"target-derived columns: {', '.join(derived[:4])}")
        if suspicious:
            problems.append(
                "columns predict the next-day target too well to be real (|t| ≥ "
                f"{LEAK_T:g}): " + ", ".join(f"{c} t={v['t']}" for c, v in suspicious.items())
                + " — typical of a same-date join with a market that closes after gold is "
                "stamped (US equities); lag them to the last close before the stamp")
    if problems:
        return StepResult(6, "future leakage", FAIL, "; ".join(problems), details)
    if target is None:
        return StepResult(6, "future leakage", WARN,
                          "no target given: only the as-of date was checked", details)
    return StepResult(6, "future leakage", PASS,
                      f"no target-derived columns, all |t| < {LEAK_T:g}", details)


def adf_pvalue(x: Any, lags: int = 5) -> float:
    """Augmented Dickey-Fuller p-value (constant, fixed lags). The regression is solved by
    normal equations (statsmodels' adfuller spends 0.1 s per column in an SVD); the p-value
    comes from statsmodels' MacKinnon tables."""
    import numpy as np
    from statsmodels.tsa.adfvalues import mackinnonp

    dx = np.diff(x)
    rows = len(dx) - lags
    if rows < 20:
        return float("nan")
    cols = [np.ones(rows), x[lags:-1]] + [dx[lags - k: -k] for k in range(1, lags + 1)]
    A, b = np.column_stack(cols), dx[lags:]
    gram = A.T @ A
    beta = np.linalg.solve(gram, A.T @ b)
    resid = b - A @ beta
    sigma2 = resid @ resid / (rows - A.shape[1])
    se = np.sqrt(sigma2 * np.linalg.inv(gram)[1, 1])
    return float(mackinnonp(beta[1] / se, regression="c", N=1)) if se > 0 else float("nan")


def _shift(df: pd.DataFrame, target: str | None) -> StepResult:
    import numpy as np
    from scipy.stats import ks_2samp

    numeric = df.select_dtypes("number")
    cut = int(len(numeric) * 0.7)
    if cut < 30 or len(numeric) - cut < 30:
        return StepResult(7, "train/test shift", WARN, "too few rows to compare train and test")
    shifted, trending = {}, []
    for c in numeric.columns:
        if c == target:
            continue
        a = numeric[c].iloc[:cut].dropna().to_numpy()
        b = numeric[c].iloc[cut:].dropna().to_numpy()
        if a.size < 30 or b.size < 30:
            continue
        sd = a.std() or 1.0
        gap = abs(b.mean() - a.mean()) / sd
        if gap > SHIFT_WARN:
            shifted[c] = {"mean_gap_sd": round(float(gap), 2),
                          "ks": round(float(ks_2samp(a, b, method="asymp").statistic), 3)}
        whole = numeric[c].to_numpy(dtype=float)
        whole = whole[np.isfinite(whole)]
        if np.ptp(whole) > 0 and adf_pvalue(whole) > UNIT_ROOT_P:
            trending.append(c)
    details = {"shifted": shifted, "non_stationary": trending}
    if trending:
        # A WARN, not a FAIL: the panel legitimately carries levels; the base table must not.
        return StepResult(7, "train/test shift", WARN,
                          f"a unit root is not rejected (ADF p > {UNIT_ROOT_P:g}; a price level?) for "
                          f"{', '.join(trending[:6])} — prefer returns or changes", details)
    if shifted:
        return StepResult(7, "train/test shift", WARN,
                          f"{len(shifted)} columns shift by over {SHIFT_WARN:g} sd between the "
                          f"first 70% and the rest: {', '.join(list(shifted)[:5])}", details)
    return StepResult(7, "train/test shift", PASS, "first 70% and last 30% look alike", details)


def datacheck(df: pd.DataFrame, *, target: str | None = None, as_of: Any = None) -> DatacheckReport:
    """Run the 7 steps on a date-indexed table (or one with a 'date' column)."""
    frame, index_problem = _frame(df)
    steps = [_schema(frame, target, index_problem)]
    if index_problem is None:
        steps += [_missing(frame), _dates(frame), _outliers(frame), _stale(frame),
                  _leakage(frame, target, as_of), _shift(frame, target)]
    else:
        names = ["missing values", "dates", "outliers", "stale or constant", "future leakage",
                 "train/test shift"]
        steps += [StepResult(i, n, FAIL, "not run: fix the schema first")
                  for i, n in enumerate(names, start=2)]
    return DatacheckReport(steps, rows=len(frame), columns=frame.shape[1], target=target)
