"""Gate 3 — ablation: does the meta-model predict better with the new columns?

Walk-forward XGBoost with and without the new columns on the SAME folds (with an embargo
gap) and the SAME seeds; the seeds' predictions are averaged per arm. The three criteria of
the original (DA +0.5 pp, Sharpe +0.05 after costs, MAE −0.01 pp; any one suffices) are
judged on the point estimates AND on a paired bootstrap that redraws both the test days
(moving blocks) and the seeds (so a lucky seed does not pass for skill): a criterion counts
as significant when its one-sided p-value is below alpha / 3 (Bonferroni over the three
"any of" criteria, so pure noise passes at most ~alpha of the time).

Speed: one quantile sketch per fold (QuantileDMatrix) shared by every seed, shallow
regularised trees with few bins, predictions with ``inplace_predict``, a vectorised bootstrap,
and the base arm cached in-process (it is the same for every feature tried on a base table).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from typing import Any

import numpy as np

from goldloop.config import Gate3Settings
from goldloop.errors import GateInputError
from goldloop.gates import stats
from goldloop.gates.gate1 import check
from goldloop.metrics import direction_accuracy, mae, position_returns, sharpe, strategy_returns


def nthread() -> int:
    """XGBoost threads: GOLDLOOP_NTHREAD, default 2. Use 1 when several processes share the
    cores (parallel test workers): OpenMP threads spin-wait and oversubscription costs 10×."""
    return max(1, int(os.environ.get("GOLDLOOP_NTHREAD", "2")))

# Regularised like the original's final meta-model (depth 2, min_child_weight 25, subsample ~0.5).
BOOSTER = {
    "objective": "reg:squarederror",
    "tree_method": "hist",
    "max_bin": 64,
    "max_depth": 2,
    "eta": 0.05,
    "min_child_weight": 25,
    "subsample": 0.5,
    "colsample_bytree": 0.8,
    "lambda": 1.0,
    "verbosity": 0,
}
ROUNDS = 150
FAST_ROUNDS = 60
FAST_FOLDS = 3
FAST_BOOTSTRAP = 400

_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_SIZE = 8


def clear_cache() -> None:
    _CACHE.clear()


def _key(*parts: Any) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    return h.hexdigest()


def walk_forward_predictions(
    x: np.ndarray, y: np.ndarray, folds: list[Any], seeds: list[int], rounds: int, threads: int | None = None
) -> np.ndarray:
    """Out-of-sample predictions (seeds × test rows, folds concatenated in time order)."""
    import xgboost as xgb

    threads = threads or nthread()
    key = _key(x, y, [(f.train[0], f.train[-1], f.test[0], f.test[-1]) for f in folds], seeds, rounds, BOOSTER)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    out = np.empty((len(seeds), sum(len(f.test) for f in folds)))
    col = 0
    for fold in folds:
        dtrain = xgb.QuantileDMatrix(x[fold.train], y[fold.train], max_bin=BOOSTER["max_bin"], nthread=threads)
        x_test = x[fold.test]
        for i, seed in enumerate(seeds):
            booster = xgb.train({**BOOSTER, "seed": seed, "nthread": threads}, dtrain, num_boost_round=rounds)
            out[i, col:col + len(fold.test)] = booster.inplace_predict(x_test)
        col += len(fold.test)
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _hits(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-day hits (1/0; NaN on a zero-return day) of one forecast path or of rows of them."""
    hit = (np.sign(y) == np.sign(p)).astype(float)
    hit[..., y == 0] = np.nan
    return hit


def _arm_metrics(y: np.ndarray, p: np.ndarray, cost_bps: float) -> dict[str, float]:
    return {"direction_accuracy": direction_accuracy(y, p), "sharpe": sharpe(strategy_returns(y, p, cost_bps)),
            "mae": mae(y, p)}


def plan(n: int, settings: Gate3Settings, fast: bool) -> dict[str, Any]:
    from goldloop.walkforward import walk_forward_splits

    folds = min(settings.folds, FAST_FOLDS) if fast else settings.folds
    try:
        splits = walk_forward_splits(n, folds, embargo=settings.embargo_days, expanding=True)
    except ValueError as exc:
        raise GateInputError(f"too few rows for the Gate 3 folds: {exc}",
                             "provide a longer history or lower gates.gate3.folds") from None
    if min(len(f.test) for f in splits) < 20 or len(splits[0].train) < 50:
        raise GateInputError(f"{n} rows are too few for {folds} walk-forward folds (need ≥ 20 test and 50 train rows)",
                             "provide a longer history or lower gates.gate3.folds")
    return {"folds": splits, "seeds": list(range(1 if fast else settings.seeds)),
            "rounds": FAST_ROUNDS if fast else ROUNDS,
            "bootstrap": min(settings.bootstrap_samples, FAST_BOOTSTRAP) if fast else settings.bootstrap_samples}


def run_gate3(aligned: Any, settings: Gate3Settings, *, fast: bool = False, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Gate 3 verdict and figures, plus the daily series for the plots."""
    y = aligned.target.to_numpy(float)
    x_base = aligned.base.to_numpy(float)
    x_new = np.hstack([x_base, aligned.new.to_numpy(float)])
    p = plan(len(y), settings, fast)
    seeds = [seed * 1000 + s for s in p["seeds"]]
    test_rows = np.concatenate([f.test for f in p["folds"]])
    yt = y[test_rows]
    preds_base = walk_forward_predictions(x_base, y, p["folds"], seeds, p["rounds"])
    preds_new = walk_forward_predictions(x_new, y, p["folds"], seeds, p["rounds"])
    pb, pn = preds_base.mean(axis=0), preds_new.mean(axis=0)
    cost = settings.cost_bps
    base_m, new_m = _arm_metrics(yt, pb, cost), _arm_metrics(yt, pn, cost)
    ret_b, ret_n = strategy_returns(yt, pb, cost), strategy_returns(yt, pn, cost)
    err_b, err_n = np.abs(yt - pb), np.abs(yt - pn)
    block = stats.block_length(len(yt))
    draws = stats.paired_bootstrap(
        preds_base, preds_new,
        {"da": lambda rows: _hits(yt, rows), "sharpe": lambda rows: position_returns(yt, rows, cost),
         "mae": lambda rows: np.abs(yt - rows)},
        {"da": stats.mean_rows, "sharpe": stats.sharpe_rows, "mae": stats.mean_rows},
        samples=p["bootstrap"], block=block, seed=seed,
    )
    level = settings.alpha / 3
    criteria = {
        "direction_accuracy_pp": ((new_m["direction_accuracy"] - base_m["direction_accuracy"]) * 100,
                                  draws["da"] * 100, "higher", settings.min_da_gain_pp),
        "sharpe": (new_m["sharpe"] - base_m["sharpe"], draws["sharpe"], "higher", settings.min_sharpe_gain),
        "mae_pp": (new_m["mae"] - base_m["mae"], draws["mae"], "lower", -settings.min_mae_drop_pp),
    }
    deltas, checks = {}, []
    for name, (value, d, better, threshold) in criteria.items():
        meets = bool(np.isfinite(value) and (value >= threshold if better == "higher" else value <= threshold))
        pval = stats.improvement_p_value(d, better)
        lo, hi = stats.interval(d, settings.alpha)
        deltas[name] = {"value": float(value), "ci": [lo, hi], "p_value": pval, "threshold": threshold,
                        "better": better, "meets_threshold": meets, "significant": bool(meets and pval < level)}
        checks.append(check(f"delta_{name}", meets, round(float(value), 5), threshold,
                            f"95% CI [{lo:+.4f}, {hi:+.4f}], one-sided p = {pval:.4f} (significant below {level:.4f})"))
    any_point = any(v["meets_threshold"] for v in deltas.values())
    any_sig = any(v["significant"] for v in deltas.values())
    verdict = "pass, significant" if any_sig else ("pass, within noise" if any_point else "fail")
    per_seed = [
        {"seed": s,
         "direction_accuracy_pp": (direction_accuracy(yt, preds_new[i]) - direction_accuracy(yt, preds_base[i])) * 100,
         "sharpe": sharpe(strategy_returns(yt, preds_new[i], cost)) - sharpe(strategy_returns(yt, preds_base[i], cost)),
         "mae_pp": mae(yt, preds_new[i]) - mae(yt, preds_base[i])}
        for i, s in enumerate(seeds)
    ]
    result = {
        "pass": any_sig if settings.require_significance else any_point,
        "verdict": verdict,
        "require_significance": settings.require_significance,
        "checks": checks,
        "deltas": deltas,
        "base": base_m,
        "with_new": new_m,
        "per_seed": per_seed,
        "diebold_mariano": {"mae": stats.diebold_mariano(err_b, err_n),
                            "mse": stats.diebold_mariano(err_b**2, err_n**2)},
        "design": {"folds": len(p["folds"]), "seeds": len(seeds), "rounds": p["rounds"],
                   "embargo_days": settings.embargo_days, "test_days": len(yt), "cost_bps": cost,
                   "bootstrap_samples": p["bootstrap"], "block_days": block, "alpha": settings.alpha,
                   "per_criterion_alpha": level, "booster": BOOSTER, "fast": fast},
    }
    series = {"dates": aligned.target.index[test_rows], "y": yt, "pred_base": pb, "pred_new": pn,
              "returns_base": ret_b, "returns_new": ret_n}
    return result, series
