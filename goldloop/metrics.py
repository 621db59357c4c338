"""Forecast metrics shared by the gates, the meta-model and the reports.

Returns are daily returns in percent (1.0 = 1 %), as the original reported MAE 0.943 %.
Trading: hold sign(prediction) for the next day; every change of position pays ``cost_bps``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TRADING_DAYS = 252


def _arrays(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_pred, dtype=float).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} values, y_pred {p.size}")
    keep = np.isfinite(t) & np.isfinite(p)
    return t[keep], p[keep]


def direction_accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of days whose sign was predicted right; days with a zero return are left out."""
    t, p = _arrays(y_true, y_pred)
    keep = t != 0
    if not keep.any():
        return float("nan")
    return float(np.mean(np.sign(t[keep]) == np.sign(p[keep])))


def high_confidence_mask(y_pred: Any, quantile: float = 0.8) -> np.ndarray:
    """The ceil((1 - quantile) · n) days with the largest |prediction|: exactly that share, so
    ties (a near-constant forecast) cannot inflate it to every day; ties go to the earlier day."""
    p = np.abs(np.asarray(y_pred, dtype=float).ravel())
    k = int(np.ceil((1.0 - quantile) * np.isfinite(p).sum() - 1e-9))
    order = np.argsort(-np.nan_to_num(p, nan=-np.inf), kind="stable")
    mask = np.zeros(p.size, dtype=bool)
    mask[order[:max(k, 0)]] = True
    return mask


def high_confidence_da(y_true: Any, y_pred: Any, quantile: float = 0.8) -> float:
    t, p = _arrays(y_true, y_pred)
    if t.size == 0:
        return float("nan")
    mask = high_confidence_mask(p, quantile)
    return direction_accuracy(t[mask], p[mask])


def mae(y_true: Any, y_pred: Any) -> float:
    t, p = _arrays(y_true, y_pred)
    return float(np.mean(np.abs(t - p))) if t.size else float("nan")


def strategy_returns(y_true: Any, y_pred: Any, cost_bps: float = 5.0) -> np.ndarray:
    """Daily strategy returns in percent: sign(prediction) × return − cost per position change.

    Entering the first position counts as a change.
    """
    t, p = _arrays(y_true, y_pred)
    return position_returns(t, p, cost_bps)


def position_returns(y_true: np.ndarray, y_pred: np.ndarray, cost_bps: float = 5.0) -> np.ndarray:
    """``strategy_returns`` along the last axis of clean arrays: ``y_pred`` may hold many
    forecast paths (rows) for the same days."""
    position = np.sign(y_pred)
    changes = np.abs(np.diff(position, axis=-1, prepend=0.0))
    return position * y_true - changes * cost_bps / 100.0


def sharpe(returns: Any, periods: int = TRADING_DAYS) -> float:
    """Annualised Sharpe ratio of daily returns (risk-free rate 0)."""
    r = np.asarray(returns, dtype=float)
    r = r[np.isfinite(r)]
    if r.size < 2:
        return float("nan")
    sd = r.std(ddof=1)
    return float(r.mean() / sd * np.sqrt(periods)) if sd > 0 else float("nan")


def sharpe_after_costs(y_true: Any, y_pred: Any, cost_bps: float = 5.0) -> float:
    return sharpe(strategy_returns(y_true, y_pred, cost_bps))


def evaluate(y_true: Any, y_pred: Any, cost_bps: float = 5.0, hc_quantile: float = 0.8) -> dict[str, float]:
    """The four headline metrics: DA, high-confidence DA, MAE (percent), Sharpe after costs."""
    return {
        "direction_accuracy": direction_accuracy(y_true, y_pred),
        "high_confidence_da": high_confidence_da(y_true, y_pred, hc_quantile),
        "mae": mae(y_true, y_pred),
        "sharpe": sharpe_after_costs(y_true, y_pred, cost_bps),
        "n": float(_arrays(y_true, y_pred)[0].size),
    }
