"""Final evaluation of the meta-model: headline metrics against targets, baselines on the same
split, intervals, the Deflated Sharpe Ratio over the trials taken, and the train–test gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from goldloop.config import GateSettings
from goldloop.errors import GateInputError
from goldloop.gates import stats
from goldloop.gates.result import jsonable
from goldloop.metrics import evaluate, high_confidence_mask, strategy_returns

# name → (targets field, comparison, aliases accepted in [gates.final.waivers])
TARGETS = {
    "direction_accuracy": ("direction_accuracy", ">", ("da",)),
    "high_confidence_da": ("high_confidence_da", ">", ("hc_da", "hcda")),
    "mae": ("mae_pct", "<", ("mae_pct",)),
    "sharpe": ("sharpe", ">", ("sharpe_after_costs",)),
}
ALWAYS_LONG_FORECAST = 1e-6  # a tiny positive forecast: long every day, MAE of a zero forecast


def _frame(predictions: Any, what: str) -> Any:
    import pandas as pd

    if not isinstance(predictions, pd.DataFrame):
        raise GateInputError(f"{what} must be a table with y_true and y_pred")
    frame = predictions
    if "date" in frame.columns:
        frame = frame.set_index("date")
    missing = {"y_true", "y_pred"} - set(frame.columns)
    if missing:
        raise GateInputError(f"{what} lacks column(s): {', '.join(sorted(missing))}",
                             "predictions.csv has columns date, split, y_true, y_pred")
    try:
        frame = frame.set_axis(pd.to_datetime(frame.index), axis=0).sort_index()
        frame[["y_true", "y_pred"]] = frame[["y_true", "y_pred"]].astype(float)
    except (ValueError, TypeError) as exc:
        raise GateInputError(f"{what} has non-date index or non-numeric predictions: {exc}") from None
    return frame


def _counts(y: np.ndarray, p: np.ndarray) -> tuple[int, int]:
    keep = np.isfinite(y) & np.isfinite(p) & (y != 0)
    return int(np.sum(np.sign(y[keep]) == np.sign(p[keep]))), int(keep.sum())


def _scored(y: np.ndarray, p: np.ndarray, cost: float, quantile: float) -> dict[str, Any]:
    out: dict[str, Any] = evaluate(y, p, cost, quantile)
    hits, n = _counts(y, p)
    out["direction_accuracy_ci"] = list(stats.wilson_interval(hits, n))
    keep = np.isfinite(y) & np.isfinite(p)
    if keep.any():
        mask = high_confidence_mask(p[keep], quantile)
        out["high_confidence_da_ci"] = list(stats.wilson_interval(*_counts(y[keep][mask], p[keep][mask])))
        out["high_confidence_days"] = int(mask.sum())
    return out


def _verdicts(m: dict[str, Any], settings: GateSettings) -> dict[str, dict[str, Any]]:
    targets = settings.final
    out = {}
    for name, (field, comparison, aliases) in TARGETS.items():
        target = getattr(targets, field)
        value = m[name]
        ok = bool(np.isfinite(value) and (value > target if comparison == ">" else value < target))
        reason = next((targets.waivers[k] for k in (name, *aliases) if k in targets.waivers), None)
        status = "PASS" if ok else ("WAIVED" if reason else "FAIL")
        out[name] = {"value": value, "target": target, "comparison": comparison, "status": status,
                     "reason": reason if status == "WAIVED" else None}
    return out


def final_evaluation(
    predictions: Any,
    *,
    n_trials: int,
    settings: GateSettings,
    train_predictions: Any = None,
    baselines: dict[str, Any] | None = None,
    trial_sharpes: list[float] | None = None,
) -> dict[str, Any]:
    """Evaluate the test split (``predictions``: date index, y_true, y_pred; a ``split`` column
    is honoured: its test rows are evaluated and its train rows give the overfitting gap)."""
    frame = whole = _frame(predictions, "predictions")
    if "split" in frame.columns:
        if train_predictions is None and (frame["split"] == "train").any():
            train_predictions = frame[frame["split"] == "train"]
        frame = frame[frame["split"] == "test"]
    frame = frame.dropna(subset=["y_true", "y_pred"])
    if len(frame) < 20:
        raise GateInputError(f"the test split has {len(frame)} usable rows; at least 20 are needed")
    if n_trials < 1:
        raise GateInputError("n_trials must be at least 1 (the attempts that produced this model)")
    cost, quantile = settings.gate3.cost_bps, settings.final.high_confidence_quantile
    y, p = frame["y_true"].to_numpy(), frame["y_pred"].to_numpy()
    train = _frame(train_predictions, "train predictions") if train_predictions is not None else None

    forecasts: dict[str, np.ndarray] = {"always_long": np.full(len(y), ALWAYS_LONG_FORECAST)}
    previous = frame["y_true"].shift(1)
    earlier = whole["y_true"][whole.index < frame.index[0]].dropna()  # the day before the test split
    if len(earlier):
        previous.iloc[0] = earlier.iloc[-1]
    elif train is not None and len(train):
        previous.iloc[0] = train["y_true"].iloc[-1]
    forecasts["yesterday_sign"] = previous.to_numpy()
    for name, series in (baselines or {}).items():
        forecasts[name] = np.asarray(series.reindex(frame.index), float) if hasattr(series, "reindex") \
            else np.asarray(series, float)
        if len(forecasts[name]) != len(y):
            raise GateInputError(f"baseline {name!r} has {len(forecasts[name])} values for {len(y)} test days")

    metrics = _scored(y, p, cost, quantile)
    model_returns = strategy_returns(y, p, cost)
    differ = int(np.sum(~(p > 0)))  # days the model is not long
    positions = {"days": len(y), "days_long": len(y) - differ, "days_differing_from_always_long": differ,
                 "equals_always_long": differ == 0,
                 "statement": ("The model's positions equal always-long on every test day: its result is "
                               "gold's drift, not a forecast." if differ == 0 else
                               f"The model's positions differ from always-long on {differ} of {len(y)} test days.")}
    result: dict[str, Any] = {
        "n_test": len(y), "start": str(frame.index.min().date()), "end": str(frame.index.max().date()),
        "cost_bps": cost, "high_confidence_quantile": quantile,
        "metrics": metrics,
        "positions": positions,
        "targets": settings.final.model_dump(exclude={"waivers"}),
        "verdicts": _verdicts(metrics, settings),
        "baselines": {name: _scored(y, f, cost, quantile) for name, f in forecasts.items()},
        "deflated_sharpe": stats.deflated_sharpe_of_returns(model_returns, n_trials, trial_sharpes),
    }
    if train is not None and len(train):
        train_da = evaluate(train["y_true"], train["y_pred"], cost, quantile)["direction_accuracy"]
        result["overfitting_gap"] = {"train_da": train_da, "test_da": metrics["direction_accuracy"],
                                     "gap_pp": (train_da - metrics["direction_accuracy"]) * 100}
    result["passed"] = all(v["status"] != "FAIL" for v in result["verdicts"].values())
    curves = {"final model": model_returns}
    for name, f in forecasts.items():
        keep = np.isfinite(f)
        r = np.zeros(len(y))
        r[keep] = strategy_returns(y[keep], f[keep], cost)
        curves[name] = r
    result["curves"] = {"dates": [d.date().isoformat() for d in frame.index],
                        "returns": {k: np.round(v, 6).tolist() for k, v in curves.items()}}
    return jsonable(result)


def history_from_state(state: Any) -> list[dict[str, Any]]:
    """Train and validation DA per meta-model attempt, from each attempt's stored metrics (the
    meta-model notebook's ``metrics.train`` / ``metrics.val``; the test years are in none of them)."""
    out = []
    for att in state.meta.attempts:
        splits = att.metrics.get("metrics") or {}
        out.append({"attempt": att.number,
                    "train_da": (splits.get("train") or {}).get("direction_accuracy", att.metrics.get("train_da")),
                    "val_da": (splits.get("val") or {}).get("direction_accuracy", att.metrics.get("val_da")),
                    "val_sharpe": (splits.get("val") or {}).get("sharpe")})
    return out


def final_for_attempt(
    workspace: Any, attempt: int, *, n_trials: int | None = None, predictions_path: str | Path | None = None,
    baselines: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Evaluate ``results/meta_<attempt>/predictions.csv``; write final.md + PNGs; store it in state.

    The number of trials defaults to the meta-model attempts recorded in state.
    """
    import pandas as pd

    from goldloop.config import load_config
    from goldloop.gates.report import write_final_report
    from goldloop.names import check_attempt
    from goldloop.state.ops import update_attempt
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace, find_workspace

    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    check_attempt(attempt)
    store = StateStore(ws)
    state = store.read()
    if state.meta.attempt(attempt) is None:
        raise GateInputError(f"state has no meta-model attempt {attempt}", "run that meta-model attempt first")
    folder = ws.results / f"meta_{attempt}"
    path = Path(predictions_path) if predictions_path else folder / "predictions.csv"
    if not path.is_file():
        raise GateInputError(f"predictions file not found: {path}", "fetch the meta-model kernel's results first")
    try:
        predictions = pd.read_csv(path, encoding="utf-8")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise GateInputError(f"cannot read {path}: {exc}") from None
    trials = n_trials or max(len(state.meta.attempts), attempt)
    sharpes = [h["val_sharpe"] for h in history_from_state(state) if isinstance(h["val_sharpe"], int | float)]
    evaluation = final_evaluation(predictions, n_trials=trials, settings=load_config(ws.root).gates,
                                  baselines=baselines, trial_sharpes=sharpes if len(sharpes) >= 2 else None)
    report = write_final_report(folder, evaluation, history_from_state(state))
    evaluation["report"] = report.relative_to(ws.root).as_posix()
    stored = {k: v for k, v in evaluation.items() if k != "curves"}
    update_attempt(store, "meta", attempt, actor="evaluator",
                   summary=f"final evaluation: meta attempt {attempt} - "
                           f"{'PASS' if evaluation['passed'] else 'FAIL'} (DSR {evaluation['deflated_sharpe']['dsr']})",
                   gates={"final": stored})
    return evaluation
