"""The offline panel (aligned, lagged real data) and the base feature table built from it."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from goldloop.data.catalog import CATALOG_FILE, catalog

if TYPE_CHECKING:
    import pandas as pd

TARGET = "gold_next_ret"
PANEL_VERSION = 1
_MEMO: dict[str, Any] = {}


def _cache_name() -> str:
    digest = hashlib.sha256(CATALOG_FILE.read_bytes()).hexdigest()[:10]
    return f"offline_panel_v{PANEL_VERSION}_{digest}"


def build_offline_panel() -> pd.DataFrame:
    """Load every offline series, transform it natively, and align it on gold's trading days."""
    import pandas as pd

    from goldloop.data.align import align_to, availability, native_transforms, stamp_times
    from goldloop.data.offline import gold_trading_days, load_offline_series

    cat = catalog()
    gold_spec = cat.series[cat.target]
    raw = {s.name: load_offline_series(s) for s in cat.offline_series()}
    gold = gold_trading_days(raw[cat.target], raw["silver"])
    days = pd.DatetimeIndex(gold.index)
    stamps = stamp_times(days, gold_spec.observed, gold_spec.zone)

    parts = []
    for spec in cat.offline_series():
        values = gold if spec.name == cat.target else raw[spec.name]
        native = native_transforms(values, spec)
        # Gold's own price at t is known at t (the target starts from it); all else strictly before.
        aligned = align_to(stamps, native, availability(native, spec), spec.frequency,
                           include_same_time=spec.name == cat.target)
        parts.append(aligned)
    panel = pd.concat(parts, axis=1)
    panel.index = days.rename("date")
    panel[TARGET] = 100.0 * (gold.shift(-1) / gold - 1.0).to_numpy()
    # Keep the span where every series is present (about 1999-01 to 2012-12).
    complete = panel.notna().all(axis=1).to_numpy()
    first, last = complete.argmax(), len(complete) - complete[::-1].argmax()
    panel = panel.iloc[first:last]
    return panel.astype("float64")


def load_offline_panel() -> pd.DataFrame:
    """The offline panel: date-indexed on gold's trading days, every column already lagged.

    Cached in-process and as parquet under the user cache dir (``GOLDLOOP_CACHE_DIR``).
    """
    from goldloop.data.cache import read_frame, write_frame

    name = _cache_name()
    if name not in _MEMO:
        frame = read_frame(name)
        if frame is None:
            frame = build_offline_panel()
            write_frame(name, frame)
        _MEMO[name] = frame
    return _MEMO[name].copy()


def base_features(panel: pd.DataFrame) -> pd.DataFrame:
    """Stationary raw features (returns, changes, spreads — no price levels)."""
    import pandas as pd

    p = panel
    feats = {c: p[c] for c in p.columns if c.endswith(("_logret", "_diff", "_yoy"))}
    feats["sp500_range_vol"] = p["sp500_range_vol"]
    feats["gold_mom_5"] = p["gold_logret"].rolling(5).sum()
    feats["gold_mom_20"] = p["gold_logret"].rolling(20).sum()
    feats["gold_vol_20"] = p["gold_logret"].rolling(20).std()
    feats["credit_spread"] = p["baa"] - p["aaa"]
    feats["real_tbill"] = p["tbill"] - p["core_cpi_yoy"]
    feats["real_aaa"] = p["aaa"] - p["core_cpi_yoy"]
    feats["term_spread"] = p["aaa"] - p["tbill"]
    return pd.DataFrame(feats, index=p.index)


def load_base_table(config: Any = None) -> tuple[pd.DataFrame, pd.Series]:
    """The base feature table and the target (gold's next-day return in %), same index.

    ``config`` is accepted for the loop's signature; the offline panel needs no settings.
    """
    panel = load_offline_panel()
    features = base_features(panel)
    keep = features.notna().all(axis=1) & panel[TARGET].notna()
    return features[keep], panel.loc[keep, TARGET].rename(TARGET)
