"""Local HTTP stand-ins on 127.0.0.1 that answer like FRED's API and Yahoo's chart API."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import quoteattr

import pandas as pd

FRED_KEY = "abcdefghijklmnopqrstuvwxyz012345"


class StandIn:
    def __init__(self) -> None:
        self.series: dict[str, pd.Series] = {}  # FRED id or Yahoo ticker -> values
        self.volumes: dict[str, pd.Series] = {}  # Yahoo ticker -> daily volume (default 1000)
        self.fail_next = 0  # answer this many requests with 503 first
        self.requests: list[str] = []


def _fred(handler, state: StandIn, path: str, query: dict) -> None:
    if query.get("api_key", [""])[0] != FRED_KEY:
        return handler.reply(400, '<?xml version="1.0" encoding="utf-8" ?>\n<error code="400" '
                             'message="Bad Request.  The value for variable api_key is not registered."/>',
                             "text/xml")
    sid = query.get("series_id", [""])[0]
    if path != "/fred/series/observations" or sid not in state.series:
        return handler.reply(400, '<?xml version="1.0" encoding="utf-8" ?>\n<error code="400" '
                             'message="Bad Request.  The series does not exist."/>', "text/xml")
    values = state.series[sid]
    lo = query.get("observation_start", ["1776-07-04"])[0]
    hi = query.get("observation_end", ["9999-12-31"])[0]
    values = values[(values.index >= lo) & (values.index <= hi)]
    rows = "".join(
        f'  <observation realtime_start="2024-01-02" realtime_end="2024-01-02" '
        f'date="{d.date()}" value="{"." if pd.isna(v) else v}"/>\n' for d, v in values.items())
    handler.reply(200, '<?xml version="1.0" encoding="utf-8" ?>\n<observations realtime_start='
                  f'"2024-01-02" realtime_end="2024-01-02" observation_start={quoteattr(lo)} '
                  f'observation_end={quoteattr(hi)} units="lin" output_type="1" file_type="xml" '
                  f'order_by="observation_date" sort_order="asc" count="{len(values)}" offset="0" '
                  f'limit="100000">\n{rows}</observations>', "text/xml")


def _chart(handler, state: StandIn, ticker: str, query: dict) -> None:
    if ticker not in state.series:
        body = {"chart": {"result": None, "error": {
            "code": "Not Found", "description": "No data found, symbol may be delisted"}}}
        return handler.reply(404, json.dumps(body), "application/json")
    values = state.series[ticker]
    p1 = int(query.get("period1", ["0"])[0])
    p2 = int(query.get("period2", [str(2**31)])[0])
    stamps = [int((d + pd.Timedelta(hours=14, minutes=30)).timestamp()) for d in values.index]
    keep = [i for i, s in enumerate(stamps) if p1 <= s < p2]
    close = [float(values.iloc[i]) for i in keep]
    ts = [stamps[i] for i in keep]
    meta = {"currency": "USD", "symbol": ticker, "exchangeName": "NYM", "fullExchangeName": "NY Mercantile",
            "instrumentType": "FUTURE", "firstTradeDate": ts[0] if ts else 0,
            "regularMarketTime": ts[-1] if ts else 0, "hasPrePostMarketData": False,
            "gmtoffset": -18000, "timezone": "EST", "exchangeTimezoneName": "America/New_York",
            "regularMarketPrice": close[-1] if close else 0.0, "chartPreviousClose": close[0] if close else 0.0,
            "priceHint": 2, "dataGranularity": "1d", "range": "",
            "currentTradingPeriod": {k: {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000}
                                     for k in ("pre", "regular", "post")},
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]}
    volume = state.volumes.get(ticker)
    volume = [1000] * len(close) if volume is None else \
        [int(v) for v in volume.reindex(values.index).ffill().fillna(0).iloc[keep]]
    quote = {"open": close, "high": close, "low": close, "close": close, "volume": volume}
    result = {"meta": meta, "timestamp": ts, "indicators": {"quote": [quote], "adjclose": [{"adjclose": close}]}}
    if not ts:
        result.pop("timestamp")
        result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    handler.reply(200, json.dumps({"chart": {"result": [result], "error": None}}), "application/json")


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def reply(self, code: int, body: str, kind: str) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            if self.path == "/":  # fc.yahoo.com hands out the cookie
                self.send_header("Set-Cookie", "A3=d=standin; Domain=127.0.0.1; Path=/")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's name
            state.requests.append(self.path)
            if state.fail_next > 0:
                state.fail_next -= 1
                return self.reply(503, "<html>Service Unavailable</html>", "text/html")
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path.startswith("/fred/"):
                return _fred(self, state, url.path, query)
            if url.path.startswith("/v8/finance/chart/"):
                return _chart(self, state, unquote(url.path.rsplit("/", 1)[1]), query)
            if url.path.endswith("/getcrumb"):
                return self.reply(200, "standin-crumb", "text/plain")
            return self.reply(200, "<html>ok</html>", "text/html")

    return Handler


@contextmanager
def serve():
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def business_days(start: str, end: str, seed: float = 100.0) -> pd.Series:
    days = pd.bdate_range(start, end)
    return pd.Series([seed + i * 0.1 for i in range(len(days))], index=days)


NOW = datetime.now(UTC)


def serve_offline_as_live(state: StandIn) -> dict[str, str]:
    """Load the stand-ins with real data: each live id answers with an offline series.

    The numbers are real market data, not random: gold and silver as GC=F and SI=F, the
    S&P 500 as ^GSPC, WTI as HG=F, NASDAQ volume as GLD volume, the S&P's range volatility
    as VIXCLS, sterling's effective rate as DTWEXBGS, and the monthly rates held over
    business days as the daily FRED rates. Returns live id -> the offline series served.
    """
    from arch.data import nasdaq

    from goldloop.data.catalog import catalog
    from goldloop.data.offline import gold_trading_days, load_offline_series

    cat = catalog()
    raw = {name: load_offline_series(cat.series[name]) for name in
           ("gold", "silver", "sp500", "sp500_range_vol", "wti", "gbp_eer", "aaa", "tbill", "core_cpi")}
    days = pd.bdate_range("1999-01-01", "2012-12-31")

    def daily(monthly: pd.Series) -> pd.Series:
        return monthly.reindex(monthly.index.union(days)).ffill().reindex(days).dropna()

    cpi_yoy = 100.0 * (raw["core_cpi"] / raw["core_cpi"].shift(12) - 1.0)
    served = {
        "GC=F": gold_trading_days(raw["gold"], raw["silver"]), "SI=F": raw["silver"], "^GSPC": raw["sp500"],
        "HG=F": raw["wti"], "GLD": raw["gold"], "VIXCLS": raw["sp500_range_vol"], "DTWEXBGS": raw["gbp_eer"],
        "DFII10": daily((raw["aaa"] - cpi_yoy).dropna()), "T10Y2Y": daily(raw["aaa"] - raw["tbill"]),
        "T10YIE": daily(cpi_yoy.dropna()),
    }
    for ref, values in served.items():
        state.series[ref] = values.dropna()
    state.volumes["GLD"] = nasdaq.load()["Volume"]
    return {ref: str(values.name) for ref, values in served.items()}
