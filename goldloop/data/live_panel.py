"""The live panel: every live catalog series (FRED, Yahoo) aligned on gold futures' trading days.

The same alignment as the offline panel, so the same-date trap is closed the same way. The
live target's columns are renamed to the offline target's (``gold``, ``gold_logret``), so
the base features, baselines and templates read one set of names on either source. Each
series is fetched once and cached as parquet (``goldloop.data.live.fetch_series``); the
assembled panel is kept in the process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_MEMO: dict[tuple[str, str | None], Any] = {}


def build_live_panel(start: str, end: str | None = None, *, refresh: bool = False,
                     root: Path | None = None) -> pd.DataFrame:
    """Fetch (or read from the cache) every live series and align them; ``root`` is the
    workspace whose .env may hold FRED_API_KEY."""
    from goldloop.config import Secrets
    from goldloop.data.catalog import catalog
    from goldloop.data.live import fetch_series
    from goldloop.data.panel import assemble_panel

    cat = catalog()
    target_spec = cat.series[cat.live_target]
    key = Secrets.load(root).get("FRED_API_KEY") if root else None  # only needed for what is not cached
    fetched = {spec.name: fetch_series(spec.name, start, end, refresh=refresh, fred_key=key)
               for spec in cat.live_series()}
    others = [(spec, fetched[spec.name]) for spec in cat.live_series() if spec is not target_spec]
    rename = dict(zip(target_spec.columns(), cat.live_columns(target_spec), strict=True))
    return assemble_panel(fetched[target_spec.name], target_spec, others, rename)


def load_live_panel(start: str, end: str | None = None, root: Path | None = None) -> pd.DataFrame:
    key = (start, end)
    if key not in _MEMO:
        _MEMO[key] = build_live_panel(start, end, root=root)
    return _MEMO[key].copy()


def live_base_features(panel: pd.DataFrame) -> pd.DataFrame:
    """Stationary features of the live panel: changes and returns, gold's own momentum and
    volatility, and the levels that families read (rates, spreads, VIX) — no price levels."""
    import pandas as pd

    from goldloop.data.catalog import catalog

    feats = {c: panel[c] for c in panel.columns if c.endswith(("_logret", "_diff", "_yoy"))}
    feats["gold_mom_5"] = panel["gold_logret"].rolling(5).sum()
    feats["gold_mom_20"] = panel["gold_logret"].rolling(20).sum()
    feats["gold_vol_20"] = panel["gold_logret"].rolling(20).std()
    for family in catalog().families.values():
        for column in family.live_inputs:
            feats.setdefault(column, panel[column])
    return pd.DataFrame(feats, index=panel.index)
