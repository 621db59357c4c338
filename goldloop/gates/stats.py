"""Statistics behind the gates: paired block bootstrap, Clark–West, Diebold–Mariano, Deflated Sharpe Ratio.

Daily forecast errors are autocorrelated and fat-tailed, so every interval here resamples
*blocks* of consecutive days (moving-block bootstrap) and every test uses HAC standard errors.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

EULER_GAMMA = 0.5772156649015329


def block_length(n: int) -> int:
    """Default block length: n^(1/3), the rate Politis & White (2004) give for the MBB."""
    return max(2, int(math.ceil(n ** (1.0 / 3.0))))


def block_bootstrap_indices(n: int, samples: int, block: int | None = None, seed: int = 0) -> np.ndarray:
    """``samples × n`` row indices for a moving-block bootstrap (circular, so every day can start a block)."""
    block = block or block_length(n)
    rng = np.random.default_rng(seed)
    n_blocks = int(math.ceil(n / block))
    starts = rng.integers(0, n, size=(samples, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]) % n
    return idx.reshape(samples, -1)[:, :n]


def seed_weights(n_seeds: int, samples: int, seed: int = 0) -> np.ndarray:
    """``samples × n_seeds`` weights of the seeds drawn with replacement (each row sums to 1)."""
    if n_seeds == 1:
        return np.ones((samples, 1))
    rng = np.random.default_rng([seed, 1])  # a stream apart from the days' resampling
    draws = rng.integers(0, n_seeds, size=(samples, n_seeds))
    counts = (draws[:, :, None] == np.arange(n_seeds)).sum(axis=1)
    return counts / n_seeds


def paired_bootstrap(
    preds_base: np.ndarray,
    preds_new: np.ndarray,
    daily: dict[str, Any],
    statistics: dict[str, Any],
    *,
    samples: int = 1000,
    block: int | None = None,
    seed: int = 0,
    chunk: int = 200,
) -> dict[str, np.ndarray]:
    """Bootstrap distributions of ``stat(new) - stat(base)`` for two seed-ensembles of forecasts.

    ``preds_*`` are ``seeds × days`` (seed s of one arm is paired with seed s of the other).
    Each replicate redraws the days — moving blocks, the SAME days for both arms — and the
    seeds — with replacement, the SAME seeds for both arms — so the interval carries the
    fitted models' seed-to-seed variation as well as the days' (with one seed, days only).
    ``daily[name]`` maps ``rows × days`` ensemble forecasts, in time order, to per-day values
    (e.g. hits or returns after costs); ``statistics[name]`` maps ``rows × days`` to ``rows``.
    Chunks of replicates keep memory flat.
    """
    preds_base, preds_new = np.atleast_2d(preds_base), np.atleast_2d(preds_new)
    idx = block_bootstrap_indices(preds_base.shape[1], samples, block, seed)
    weights = seed_weights(preds_base.shape[0], samples, seed)
    out = {name: np.empty(samples) for name in daily}
    for lo in range(0, samples, chunk):
        rows, w = idx[lo:lo + chunk], weights[lo:lo + chunk]
        ensemble_base, ensemble_new = w @ preds_base, w @ preds_new
        for name, per_day in daily.items():
            stat = statistics[name]
            out[name][lo:lo + chunk] = (stat(np.take_along_axis(per_day(ensemble_new), rows, axis=1))
                                        - stat(np.take_along_axis(per_day(ensemble_base), rows, axis=1)))
    return out


def mean_rows(a: np.ndarray) -> np.ndarray:
    return np.nanmean(a, axis=1)


def sharpe_rows(a: np.ndarray, periods: int = 252) -> np.ndarray:
    sd = a.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, a.mean(axis=1) / sd * math.sqrt(periods), 0.0)


def interval(draws: np.ndarray, alpha: float) -> tuple[float, float]:
    """Two-sided percentile interval at level 1 - alpha."""
    lo, hi = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def improvement_p_value(draws: np.ndarray, better: str) -> float:
    """One-sided bootstrap p-value that the delta is NOT an improvement.

    The share of bootstrap deltas on the wrong side of zero (percentile method): it is below
    alpha exactly when the one-sided (1 - alpha) interval excludes zero. ``better`` is
    "higher" or "lower".
    """
    d = draws if better == "higher" else -draws
    d = d[np.isfinite(d)]
    if d.size == 0:
        return 1.0
    return float((np.sum(d <= 0) + 1) / (d.size + 1))


def newey_west_lags(n: int) -> int:
    """The usual Newey–West bandwidth, floor(4 (n / 100)^(2/9))."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def hac_mean_t(d: np.ndarray, max_lags: int | None = None) -> float:
    """t-statistic of the mean of ``d`` with a HAC (Newey–West) variance: statsmodels' OLS on a
    constant with HAC covariance."""
    import statsmodels.api as sm

    lags = max_lags if max_lags is not None else newey_west_lags(d.size)
    fit = sm.OLS(d, np.ones(d.size)).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    return float(fit.tvalues[0])


def diebold_mariano(loss_base: np.ndarray, loss_new: np.ndarray, max_lags: int | None = None) -> dict[str, float]:
    """Diebold–Mariano test of equal predictive accuracy, with a HAC (Newey–West) variance.

    The DM statistic is the t-statistic of the mean loss differential ``base - new``.
    The Harvey–Leybourne–Newbold small-sample factor is applied; p-value is one-sided.
    Positive = new is better.
    """
    from scipy import stats

    d = np.asarray(loss_base, float) - np.asarray(loss_new, float)
    d = d[np.isfinite(d)]
    n = d.size
    if n < 10 or np.allclose(d, d[0]):
        return {"dm_stat": 0.0, "p_value": 1.0, "n": float(n)}
    stat = hac_mean_t(d, max_lags) * math.sqrt((n - 1) / n)  # HLN correction for h = 1
    return {"dm_stat": stat, "p_value": float(stats.t.sf(stat, df=n - 1)), "n": float(n)}


def clark_west(y: np.ndarray, p_base: np.ndarray, p_new: np.ndarray, max_lags: int | None = None) -> dict[str, float]:
    """Clark & West (2007) test that a larger model nesting the base forecasts better.

    f_t = (y - p_base)^2 - [(y - p_new)^2 - (p_base - p_new)^2]; the adjustment removes the
    noise a larger model adds by estimating parameters that are zero under the null, which
    biases a plain MSPE comparison (Diebold–Mariano) against it. One-sided: a positive mean
    of f (HAC t-statistic, standard normal) favours the new columns.
    """
    from scipy.stats import norm

    y, p_base, p_new = (np.asarray(a, float) for a in (y, p_base, p_new))
    f = (y - p_base) ** 2 - ((y - p_new) ** 2 - (p_base - p_new) ** 2)
    f = f[np.isfinite(f)]
    out = {"mspe_base": float(np.mean((y - p_base) ** 2)), "mspe_new": float(np.mean((y - p_new) ** 2)),
           "n": float(f.size)}
    if f.size < 10 or np.allclose(f, 0.0):
        return {**out, "statistic": 0.0, "p_value": 1.0}
    t = hac_mean_t(f, max_lags)
    return {**out, "statistic": t, "p_value": float(norm.sf(t))}


def wilson_interval(successes: int, trials: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion (statsmodels), e.g. a direction accuracy."""
    from statsmodels.stats.proportion import proportion_confint

    if trials <= 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(lo), float(hi)


def expected_max_sharpe(n_trials: int, variance: float) -> float:
    """E[max SR] of ``n_trials`` independent zero-skill trials (Bailey & López de Prado 2014, eq. 2)."""
    from scipy.stats import norm

    if n_trials <= 1:
        return 0.0
    z = (1 - EULER_GAMMA) * norm.ppf(1 - 1 / n_trials) + EULER_GAMMA * norm.ppf(1 - 1 / (n_trials * math.e))
    return math.sqrt(variance) * float(z)


def probabilistic_sharpe(sr: float, benchmark: float, n_obs: int, skew: float, kurtosis: float) -> float:
    """PSR: probability that the true (per-period) Sharpe exceeds ``benchmark``.

    ``kurtosis`` is the plain (non-excess) kurtosis, 3 for a normal distribution.
    """
    from scipy.stats import norm

    denom = 1 - skew * sr + (kurtosis - 1) / 4 * sr**2
    if n_obs < 2 or denom <= 0:
        return float("nan")
    return float(norm.cdf((sr - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(denom)))


def deflated_sharpe(
    sr: float, n_obs: int, skew: float, kurtosis: float, n_trials: int, trials_variance: float | None = None
) -> dict[str, float]:
    """Deflated Sharpe Ratio (Bailey & López de Prado 2014). All Sharpe figures per period.

    ``trials_variance`` is the variance of the Sharpe ratios across the trials; without it we use
    the sampling variance of a zero-skill Sharpe estimate, 1 / (T - 1): the trials are then
    assumed to be noise around zero, the conservative reading when their Sharpes are unknown.
    """
    variance = trials_variance if trials_variance is not None and trials_variance > 0 else 1.0 / max(n_obs - 1, 1)
    sr0 = expected_max_sharpe(n_trials, variance)
    return {
        "sharpe": sr,
        "expected_max_sharpe": sr0,
        "dsr": probabilistic_sharpe(sr, sr0, n_obs, skew, kurtosis),
        "psr": probabilistic_sharpe(sr, 0.0, n_obs, skew, kurtosis),
        "n_trials": float(n_trials),
        "trials_variance": variance,
        "n_obs": float(n_obs),
        "skew": skew,
        "kurtosis": kurtosis,
    }


def deflated_sharpe_of_returns(
    returns: np.ndarray, n_trials: int, trial_sharpes: list[float] | None = None, periods: int = 252
) -> dict[str, float]:
    """DSR of daily strategy returns; ``trial_sharpes`` are annualised Sharpes of all trials."""
    from scipy import stats

    r = np.asarray(returns, float)
    r = r[np.isfinite(r)]
    sd = r.std(ddof=1) if r.size > 1 else 0.0
    sr = float(r.mean() / sd) if sd > 0 else 0.0
    variance = None
    if trial_sharpes is not None and len(trial_sharpes) >= 2:
        variance = float(np.var(np.asarray(trial_sharpes, float) / math.sqrt(periods), ddof=1))
    out = deflated_sharpe(
        sr, r.size, float(stats.skew(r)) if r.size > 2 else 0.0,
        float(stats.kurtosis(r, fisher=False)) if r.size > 3 else 3.0, n_trials, variance,
    )
    out["sharpe_annualised"] = sr * math.sqrt(periods)
    out["expected_max_sharpe_annualised"] = out["expected_max_sharpe"] * math.sqrt(periods)
    return out
