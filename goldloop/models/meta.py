"""The meta-model: XGBoost regression of the project's target, tuned by Optuna.

The original's overfitting lessons are the defaults: stationary inputs only, plain squared
error (no direction-weighted loss), shallow trees with heavy leaves and row subsampling
(max_depth 2, min_child_weight 25, subsample ~0.5). Optuna searches a fixed (static) space
— a space that changes with the trial is one of the validator's rules — scored by
walk-forward validation inside the training years with early stopping on an inner holdout.
The final model trains on the training years and early-stops on the validation years; the
test years are only predicted.

This module is inlined into the meta-model notebook together with goldloop/metrics.py and
goldloop/walkforward.py, so it imports nothing else from goldloop.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from goldloop.metrics import evaluate
from goldloop.walkforward import free_cores, walk_forward_splits

DEFAULT_PARAMS = {
    "max_depth": 2,
    "min_child_weight": 25,
    "subsample": 0.5,
    "colsample_bytree": 0.6,
    "learning_rate": 0.03,
    "reg_lambda": 5.0,
    "reg_alpha": 0.5,
    "gamma": 0.0,
}
# (kind, low, high[, log]) — fixed; narrow around the anti-overfitting defaults.
SEARCH_SPACE = {
    "max_depth": ("int", 2, 3),
    "min_child_weight": ("int", 15, 60),
    "subsample": ("float", 0.4, 0.7),
    "colsample_bytree": ("float", 0.4, 0.9),
    "learning_rate": ("float", 0.01, 0.1, True),
    "reg_lambda": ("float", 1.0, 30.0, True),
    "reg_alpha": ("float", 0.01, 5.0, True),
}
# What the autopilot tries on meta-model attempts 1, 2, 3…: the defaults with a search first,
# then the original's overfitting fixes pinned (stronger regularisation, slower learning).
VARIATIONS: list[dict[str, Any]] = [
    {},
    {"max_depth": 2, "min_child_weight": 40, "subsample": 0.48},
    {"learning_rate": 0.01, "reg_lambda": 20.0},
    {"colsample_bytree": 0.4, "min_child_weight": 25},
    {"max_depth": 3, "min_child_weight": 60, "reg_alpha": 2.0},
    {"subsample": 0.6, "learning_rate": 0.05, "reg_lambda": 10.0},
]
SETTINGS = {  # run settings (not model hyperparameters); fast = tests and quick looks
    "full": {"folds": 4, "max_rounds": 1000, "early_stopping": 50, "n_trials": 30},
    "fast": {"folds": 3, "max_rounds": 200, "early_stopping": 20, "n_trials": 3},
}
TRAIN_END, VAL_END = "1995-12-31", "2007-12-31"
EMBARGO = 5


class MetaInputError(ValueError):
    """X and y cannot be used (misaligned, too short, non-numeric)."""


@dataclass
class MetaResult:
    params: dict[str, Any]
    best_iteration: int
    cv_rmse: float
    predictions: pd.DataFrame  # date, split (train/val/test), y_true, y_pred
    metrics: dict[str, dict[str, float]]  # train / val -> DA, HC-DA, MAE, Sharpe, n (never test)
    feature_importance: dict[str, float]
    n_trials: int
    seconds: float
    model: Any = field(repr=False, default=None)

    def to_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {
            "params": self.params,
            "best_iteration": self.best_iteration,
            "cv_rmse": clean(self.cv_rmse),
            "metrics": {s: {k: clean(v) for k, v in m.items()} for s, m in self.metrics.items()},
            "feature_importance": self.feature_importance,
            "n_trials": self.n_trials,
            "seconds": round(self.seconds, 3),
            # overfit view of the original: train DA vs test DA (94.3% vs 54.1% in attempt 1)
            "train_val_da_gap": clean(self.metrics["train"]["direction_accuracy"]
                                      - self.metrics["val"]["direction_accuracy"]),
        }


def split_labels(index: Any, train_end: str = TRAIN_END, val_end: str = VAL_END) -> np.ndarray:
    """'train' / 'val' / 'test' per row: by date when the index has dates, else 70/15/15."""
    n = len(index)
    labels = np.full(n, "test", dtype=object)
    if isinstance(index, pd.DatetimeIndex) and index.min() < pd.Timestamp(train_end) < index.max():
        labels[index <= pd.Timestamp(val_end)] = "val"
        labels[index <= pd.Timestamp(train_end)] = "train"
    else:
        labels[: int(n * 0.85)] = "val"
        labels[: int(n * 0.70)] = "train"
    return labels


def _check(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    if not isinstance(X, pd.DataFrame) or len(X) != len(y):
        raise MetaInputError(f"X ({type(X).__name__}, {len(X)} rows) and y ({len(y)} rows) "
                             "must be a DataFrame and a Series of the same length")
    if not X.index.equals(pd.Index(y.index)):
        raise MetaInputError("X and y must share the same index (dates)")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise MetaInputError(f"non-numeric columns: {bad[:5]}")
    keep = np.isfinite(y.to_numpy(dtype=float))
    return X[keep].astype("float64"), y[keep].astype("float64")


def _regressor(params: dict[str, Any], rounds: int, early: int | None, seed: int, n_jobs: int,
               start: float):
    """Trees that start from the training mean (``base_score``): with early stopping the model
    can stay near the drift, the always-long answer, unless the features earn a tilt."""
    from xgboost import XGBRegressor

    return XGBRegressor(objective="reg:squarederror", n_estimators=rounds, tree_method="hist",
                        early_stopping_rounds=early, eval_metric="rmse", random_state=seed,
                        n_jobs=n_jobs, verbosity=0, base_score=start, **params)


def walk_forward_rmse(X: np.ndarray, y: np.ndarray, params: dict[str, Any], settings: dict,
                      seed: int, n_jobs: int) -> tuple[float, int]:
    """Mean out-of-fold RMSE and median best iteration over walk-forward folds."""
    folds = walk_forward_splits(len(y), settings["folds"], min_train=len(y) // 2, embargo=EMBARGO)
    errors, rounds = [], []
    for fold in folds:
        tr = fold.train
        cut = int(len(tr) * 0.85)  # inner holdout at the end of the fold's past, for early stopping
        fit_idx, stop_idx = tr[: cut - EMBARGO], tr[cut:]
        model = _regressor(params, settings["max_rounds"], settings["early_stopping"], seed, n_jobs,
                           float(np.mean(y[fit_idx])))
        model.fit(X[fit_idx], y[fit_idx], eval_set=[(X[stop_idx], y[stop_idx])], verbose=False)
        pred = model.predict(X[fold.test])
        errors.append(float(np.sqrt(np.mean((y[fold.test] - pred) ** 2))))
        rounds.append(int(model.best_iteration) + 1)
    return float(np.mean(errors)), int(np.median(rounds))


def _suggest(trial: Any, fixed: dict[str, Any]) -> dict[str, Any]:
    params = dict(DEFAULT_PARAMS)
    for name, spec in SEARCH_SPACE.items():
        if name in fixed:
            continue
        if spec[0] == "int":
            params[name] = trial.suggest_int(name, spec[1], spec[2])
        else:
            params[name] = trial.suggest_float(name, spec[1], spec[2], log=len(spec) > 3 and spec[3])
    params.update(fixed)
    return params


def fit_meta(X: pd.DataFrame, y: pd.Series, *, params: dict[str, Any] | None = None,
             n_trials: int | None = None, fast: bool = False, seed: int = 0,
             n_jobs: int | None = None, train_end: str = TRAIN_END, val_end: str = VAL_END) -> MetaResult:
    """Tune on walk-forward folds of the training years, fit, and predict every split.

    ``params`` fixes hyperparameters (they are then not searched); ``n_trials=0`` skips
    Optuna and uses the defaults. ``fast`` uses fewer folds, rounds and trials.
    """
    start = time.perf_counter()
    n_jobs = n_jobs or free_cores()
    X, y = _check(X, y)
    settings = dict(SETTINGS["fast" if fast else "full"])
    trials = settings["n_trials"] if n_trials is None else int(n_trials)
    fixed = {k: v for k, v in (params or {}).items() if k in DEFAULT_PARAMS}
    labels = split_labels(X.index, train_end, val_end)
    tr, va = labels == "train", labels == "val"
    if tr.sum() < 200 or va.sum() < 20:
        raise MetaInputError(f"too few rows: {int(tr.sum())} train, {int(va.sum())} validation")
    Xv, yv = X.to_numpy(), y.to_numpy()

    best = {**DEFAULT_PARAMS, **fixed}
    cv_rmse, _ = walk_forward_rmse(Xv[tr], yv[tr], best, settings, seed, n_jobs)
    if trials > 0:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="minimize",
                                    sampler=optuna.samplers.TPESampler(seed=seed))
        study.enqueue_trial({k: v for k, v in DEFAULT_PARAMS.items()
                             if k in SEARCH_SPACE and k not in fixed})

        def objective(trial: Any) -> float:
            return walk_forward_rmse(Xv[tr], yv[tr], _suggest(trial, fixed), settings, seed, n_jobs)[0]

        study.optimize(objective, n_trials=trials)
        best = _suggest(optuna.trial.FixedTrial(study.best_params), fixed)
        cv_rmse = float(study.best_value)

    model = _regressor(best, settings["max_rounds"], settings["early_stopping"], seed, n_jobs,
                       float(np.mean(yv[tr])))
    model.fit(Xv[tr], yv[tr], eval_set=[(Xv[va], yv[va])], verbose=False)
    pred = model.predict(Xv)
    predictions = pd.DataFrame({"date": X.index, "split": labels, "y_true": yv, "y_pred": pred})
    # The test years are predicted (predictions.csv) but scored only by the final evaluation:
    # an attempt's metrics, which go into state and pick the best attempt, never hold them.
    metrics = {s: evaluate(yv[labels == s], pred[labels == s]) for s in ("train", "val")}
    gain = model.get_booster().get_score(importance_type="gain")
    names = list(X.columns)
    importance = {names[int(k[1:])] if k.startswith("f") and k[1:].isdigit() else k: float(v)
                  for k, v in gain.items()}
    return MetaResult(params=best, best_iteration=int(model.best_iteration) + 1, cv_rmse=cv_rmse,
                      predictions=predictions, metrics=metrics,
                      feature_importance=dict(sorted(importance.items(), key=lambda kv: -kv[1])),
                      n_trials=trials, seconds=time.perf_counter() - start, model=model)
