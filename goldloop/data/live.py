"""Live sources: FRED through fredapi and Yahoo through yfinance, cached as parquet.

Both keep their real client code. Only the address can be moved, for a mirror or a local
stand-in: ``GOLDLOOP_FRED_URL`` becomes fredapi's ``root_url``; ``GOLDLOOP_YAHOO_URL``
makes yfinance's requests session send every Yahoo request (chart, cookie, crumb) to that
host instead. Transient network failures are retried (tenacity); an empty or partial
answer is a DataError — the original's check 9, never a silent empty frame.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from goldloop.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from goldloop.data.catalog import Series

RETRIES = 3
MAX_EDGE_GAP_DAYS = {"daily": 10, "monthly": 62}  # coverage slack at each end of the range


class TransientSourceError(Exception):
    """A failure worth retrying (connection refused, timeout, 5xx, unparsable body)."""


def _retrying(fn: Any) -> Any:
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

    return retry(retry=retry_if_exception_type(TransientSourceError),
                 stop=stop_after_attempt(RETRIES), wait=wait_exponential(multiplier=0.2, max=2),
                 reraise=True)(fn)


def _fred_client(api_key: str):
    from fredapi import Fred

    client = Fred(api_key=api_key)
    if os.environ.get("GOLDLOOP_FRED_URL"):
        client.root_url = os.environ["GOLDLOOP_FRED_URL"].rstrip("/")
    return client


def fred_key(root: Any = None) -> str:
    """FRED_API_KEY from the environment or the .env of ``root`` (default: the workspace found
    from here); a DataError saying how to get one when there is none."""
    from goldloop.config import Secrets

    key = Secrets.load(root or _workspace_root()).get("FRED_API_KEY")
    if not key:
        raise DataError("FRED needs an API key and none is set",
                        "put FRED_API_KEY=... in the workspace .env (a free key: "
                        "https://fred.stlouisfed.org/docs/api/api_key.html)")
    return key


def fetch_fred(series_id: str, start: str | None = None, end: str | None = None,
               api_key: str | None = None) -> pd.Series:
    """One FRED series (latest vintage) through fredapi."""
    import urllib.error
    import xml.etree.ElementTree as ET

    client = _fred_client(api_key or fred_key())

    @_retrying
    def call() -> pd.Series:
        try:
            return client.get_series(series_id, observation_start=start, observation_end=end)
        except (TimeoutError, urllib.error.URLError, ConnectionError, ET.ParseError) as exc:
            raise TransientSourceError(str(exc)) from exc
        except ValueError as exc:
            # fredapi raises ValueError(message of FRED's error document); a 5xx page has no
            # such message, so an empty one means "server trouble", worth another try.
            if not exc.args or exc.args[0] in (None, "", "None"):
                raise TransientSourceError("server error without a FRED message") from exc
            raise

    try:
        values = call()
    except TransientSourceError as exc:
        raise DataError(f"FRED did not answer for {series_id} after {RETRIES} tries: {exc}",
                        "check the internet connection and try again later") from exc
    except ValueError as exc:  # fredapi turns FRED's error document into ValueError
        raise DataError(f"FRED refused {series_id}: {exc}",
                        "check the series id and FRED_API_KEY") from exc
    return values.astype(float)


class _RedirectAdapter:
    """A requests transport that sends every request to ``base`` (same path and query)."""

    def __new__(cls, base: str):
        from urllib.parse import urlsplit, urlunsplit

        from requests.adapters import HTTPAdapter

        target = urlsplit(base)

        class Redirect(HTTPAdapter):
            def send(self, request, **kwargs):
                parts = urlsplit(request.url)
                request.url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
                return super().send(request, **kwargs)

        return Redirect()


def yahoo_session():
    """None (yfinance's own session) unless GOLDLOOP_YAHOO_URL redirects Yahoo elsewhere."""
    base = os.environ.get("GOLDLOOP_YAHOO_URL")
    if not base:
        return None
    import requests

    session = requests.Session()
    adapter = _RedirectAdapter(base)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def fetch_yahoo(ticker: str, start: str | None = None, end: str | None = None,
                column: str = "Close") -> pd.Series:
    """One daily column of a Yahoo ticker through yfinance (raising on errors, never empty)."""
    import yfinance as yf

    from goldloop.data.cache import cache_dir

    yf.set_tz_cache_location(str(cache_dir() / "yfinance"))
    yf.config.debug.hide_exceptions = False  # errors must surface, not become an empty frame

    @_retrying
    def call() -> pd.DataFrame:
        try:
            return yf.Ticker(ticker, session=yahoo_session()).history(
                start=start, end=end, interval="1d", auto_adjust=False)
        except Exception as exc:  # noqa: BLE001 - yfinance raises many types; sort them below
            text = str(exc).lower()
            if any(w in text for w in ("timed out", "timeout", "connection", "rate limit", "503", "502")):
                raise TransientSourceError(str(exc)) from exc
            raise DataError(f"Yahoo refused {ticker}: {exc}", "check the ticker symbol") from exc

    try:
        frame = call()
    except TransientSourceError as exc:
        raise DataError(f"Yahoo did not answer for {ticker} after {RETRIES} tries: {exc}",
                        "check the internet connection and try again later") from exc
    if frame is None or frame.empty or column not in frame.columns:
        raise DataError(f"Yahoo returned no {column} data for {ticker}",
                        "check the ticker and the date range")
    values = frame[column].astype(float)
    values.index = values.index.tz_localize(None).normalize()
    return values


def _workspace_root():
    from goldloop.workspace import find_workspace

    try:
        return find_workspace().root
    except Exception:  # noqa: BLE001 - no workspace: the environment alone supplies the key
        return None


def check_coverage(values: pd.Series, spec: Series, start: str | None, end: str | None) -> pd.Series:
    """Refuse an empty or partial answer (missing edges, mostly NaN) with what was received."""
    import pandas as pd

    clean = values.dropna()
    label = f"{spec.source} {spec.ref}"
    if clean.empty:
        raise DataError(f"{label} returned no observations", "check the id and the date range")
    if clean.size < 0.5 * values.size:
        raise DataError(f"{label} is partial: {values.size - clean.size} of {values.size} values "
                        "are missing", "try again later; if it persists, the series is sparse")
    slack = pd.Timedelta(days=MAX_EDGE_GAP_DAYS[spec.frequency])
    if start and clean.index[0] - pd.Timestamp(start) > slack:
        raise DataError(f"{label} is partial: starts {clean.index[0].date()}, asked from {start}",
                        "ask from the series' first date, or check the source")
    if end and pd.Timestamp(end) - clean.index[-1] > slack:
        raise DataError(f"{label} is partial: ends {clean.index[-1].date()}, asked to {end}",
                        "the source may lag; ask for an earlier end or try later")
    return clean.rename(spec.name)


def fetch_series(name: str, start: str | None = None, end: str | None = None,
                 *, refresh: bool = False, fred_key: str | None = None) -> pd.Series:
    """A live catalog series, from the parquet cache unless ``refresh`` or not cached yet.

    ``fred_key`` defaults to FRED_API_KEY from the environment or the workspace's .env.
    """
    from goldloop.data.cache import read_frame, write_frame
    from goldloop.data.catalog import catalog

    spec = catalog().series.get(name)
    if spec is None or spec.offline:
        live = sorted(n for n, s in catalog().series.items() if not s.offline)
        raise DataError(f"{name!r} is not a live series", f"use one of: {', '.join(live)}")
    key = f"live_{name}_{start or 'first'}_{end or 'last'}"
    if not refresh and (cached := read_frame(key)) is not None:
        return cached.iloc[:, 0]
    if spec.source == "fred":
        raw = fetch_fred(spec.ref, start, end, api_key=fred_key)
    else:
        raw = fetch_yahoo(spec.ref, start, end, column=spec.column or "Close")
    values = check_coverage(raw * spec.scale, spec, start, end)
    write_frame(key, values.to_frame())
    return values


def fetch_family(feature: str, start: str | None = None, end: str | None = None,
                 *, refresh: bool = False) -> dict[str, Any]:
    """Fetch every live series of a family; returns name → summary (rows, first, last)."""
    from goldloop.data.catalog import catalog

    out = {}
    for name in catalog().family(feature).live:
        values = fetch_series(name, start, end, refresh=refresh)
        out[name] = {"rows": int(values.size), "first": str(values.index[0].date()),
                     "last": str(values.index[-1].date())}
    return out
