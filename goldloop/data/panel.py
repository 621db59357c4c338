"""Panels of aligned, lagged real data (offline here, live in live_panel.py) and the base table."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from goldloop.data.catalog import CATALOG_FILE, catalog

if TYPE_CHECKING:
    import pandas as pd

    from goldloop.data.catalog import Series

TARGET = "gold_next_ret"
PANEL_VERSION = 2
_MEMO: dict[str, Any] = {}


def _cache_name() -> str:
    digest = hashlib.sha256(CATALOG_FILE.read_bytes()).hexdigest()[:10]
    return f"offline_panel_v{PANEL_VERSION}_{digest}"


def assemble_panel(target: pd.Series, target_spec: Series, others: list[tuple[Series, pd.Series]],
                   rename: dict[str, str] | None = None) -> pd.DataFrame:
    """Transform each series natively and align it on the target's trading days.

    ``target`` is indexed by its trading days; the result gets every other series as known
    strictly before the target's stamp, the target's own columns as of the stamp, and TARGET.
    """
    import pandas as pd

    from goldloop.data.align import align_to, availability, native_transforms, stamp_times

    days = pd.DatetimeIndex(target.index)
    stamps = stamp_times(days, target_spec.observed, target_spec.zone)
    parts = []
    for spec, values in [(target_spec, target), *others]:
        native = native_transforms(values, spec)
        # The target's price at t is known at t (the return starts from it); all else strictly before.
        parts.append(align_to(stamps, native, availability(native, spec), spec.frequency,
                              include_same_time=spec is target_spec))
    panel = pd.concat(parts, axis=1).rename(columns=rename or {})
    panel.index = days.rename("date")
    panel[TARGET] = 100.0 * (target.shift(-1) / target - 1.0).to_numpy()
    # Keep the span where every series is present.
    complete = panel.notna().all(axis=1).to_numpy()
    if not complete.any():
        from goldloop.errors import DataError

        raise DataError("the series never all overlap: no day has every column",
                        "check each series' date range (`goldloop data panel --families`)")
    first, last = complete.argmax(), len(complete) - complete[::-1].argmax()
    return panel.iloc[first:last].astype("float64")


def build_offline_panel() -> pd.DataFrame:
    """Every panel series aligned on the target's trading days (1986-01 to 2012-12 for gold)."""
    from goldloop.data.offline import gold_trading_days, load_offline_series

    cat = catalog()
    raw = {s.name: load_offline_series(s) for s in cat.panel_series()}
    gold = gold_trading_days(raw[cat.target], raw["silver"])
    others = [(spec, raw[spec.name]) for spec in cat.panel_series() if spec.name != cat.target]
    return assemble_panel(gold, cat.series[cat.target], others)


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


def load_base_table(config: Any = None, root: Any = None) -> tuple[pd.DataFrame, pd.Series]:
    """The base feature table and the target (gold's next-day return in %), same index.

    ``config`` (a workspace Config) picks the source: ``[data] source = "offline"`` (default)
    or ``"live"`` (FRED + Yahoo, fetched once and cached; ``root``'s .env may hold the FRED key).
    """
    settings = getattr(config, "data", None)
    if settings is not None and settings.source == "live":
        from goldloop.data.live_panel import live_base_features, load_live_panel

        panel = load_live_panel(settings.start, settings.end, root=root)
        features = live_base_features(panel)
    else:
        panel = load_offline_panel()
        features = base_features(panel)
    keep = features.notna().all(axis=1) & panel[TARGET].notna()
    return features[keep], panel.loc[keep, TARGET].rename(TARGET)


# The offline gold panel's three periods (docs/model.md "Periods"): train 1986-1995 (2,507 days: the
# 1980s-90s bear market, where submodels and the meta-model are fitted), validation 1996-2007
# (3,024 days: the end of the bear market and the start of the bull; the gates' walk-forward
# test folds and the meta-model's early stopping), test 2008-2012 (1,260 days: the 2008 crash,
# the 2009-11 bull, the 2011 top and the 2012 fall; scored once, by the final evaluation).
OFFLINE_SPLIT = ("1995-12-31", "2007-12-31")
LIVE_SPLIT_FRACTIONS = (0.6, 0.8)


def data_split(config: Any = None) -> tuple[str, str]:
    """(train_end, val_end): the config's dates, else the source's defaults; test is after val_end."""
    settings = getattr(config, "data", None)
    train_end, val_end = (settings.train_end, settings.val_end) if settings else (None, None)
    if settings is not None and settings.source == "live" and not (train_end and val_end):
        index = load_base_table(config)[0].index
        at = [index[int(f * (len(index) - 1))].strftime("%Y-%m-%d") for f in LIVE_SPLIT_FRACTIONS]
        train_end, val_end = train_end or at[0], val_end or at[1]
    train_end, val_end = train_end or OFFLINE_SPLIT[0], val_end or OFFLINE_SPLIT[1]
    if train_end >= val_end:
        from goldloop.errors import ConfigError

        raise ConfigError(f"[data] train_end {train_end} is not before val_end {val_end}",
                          "set train_end < val_end in goldloop.toml (the test split follows val_end)")
    return train_end, val_end
