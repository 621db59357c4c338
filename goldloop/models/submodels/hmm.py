"""HMM regimes (hmmlearn): filtered regime probabilities and how long the regime has lasted.

hmmlearn's ``predict_proba`` is forward-backward (smoothed), which looks into the future.
We fit with hmmlearn, then run the forward filter ourselves so row t uses rows ≤ t only.

The duration column is the expected total duration of the current (most probable) regime:
the days it has lasted so far plus its expected remainder 1 / (1 − a_kk), in logs. An
earlier Σ p_k / (1 − a_kk) was an affine function of the probability columns (they sum to
one), so Gate 2's VIF was infinite for every HMM submodel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldloop.models.submodels.base import Submodel, SubmodelError


def _gaussian_loglik(Z: np.ndarray, means: np.ndarray, covars: np.ndarray) -> np.ndarray:
    """log N(z_t | mean_k, cov_k) for every row t and state k."""
    n, d = Z.shape
    out = np.empty((n, len(means)))
    for k, (mu, cov) in enumerate(zip(means, covars, strict=True)):
        chol = np.linalg.cholesky(cov + 1e-9 * np.eye(d))
        sol = np.linalg.solve(chol, (Z - mu).T)
        logdet = 2.0 * np.log(np.diag(chol)).sum()
        out[:, k] = -0.5 * ((sol**2).sum(axis=0) + logdet + d * np.log(2 * np.pi))
    return out


def forward_filter(loglik: np.ndarray, startprob: np.ndarray, transmat: np.ndarray):
    """Filtered P(state_t | x_≤t) and the one-step predictive log-likelihood log p(x_t | x_<t)."""
    n, k = loglik.shape
    probs = np.empty((n, k))
    predictive = np.empty(n)
    prior = startprob
    for t in range(n):
        m = loglik[t].max()
        joint = prior * np.exp(loglik[t] - m)
        total = joint.sum()
        predictive[t] = np.log(total) + m
        probs[t] = joint / total
        prior = probs[t] @ transmat
    return probs, predictive


def regime_age(states: np.ndarray) -> np.ndarray:
    """Days the current state has lasted at each row (0 on the day it starts); causal."""
    changed = np.r_[True, states[1:] != states[:-1]]
    index = np.arange(states.size)
    return index - np.maximum.accumulate(np.where(changed, index, 0))


class HMMRegime(Submodel):
    """Gaussian HMM on standardised inputs; states ordered from calm to turbulent."""

    DEFAULTS = {"n_states": 2, "covariance_type": "full", "n_iter": 100, "n_init": 2}
    VARIATIONS = [{"n_states": 2}, {"n_states": 3}, {"n_states": 2, "covariance_type": "diag"},
                  {"n_states": 4, "covariance_type": "diag"}]

    def output_columns(self, inputs: list) -> list:
        k = int(self.params["n_states"])
        return [self._col(f"regime_p{i}") for i in range(1, k)] + [self._col("regime_duration")]

    def fit(self, X: pd.DataFrame) -> HMMRegime:
        from hmmlearn.hmm import GaussianHMM

        values = self._check_input(X).to_numpy()
        k = int(self.params["n_states"])
        if k < 2:
            raise SubmodelError("n_states must be at least 2", "use 2, 3 or 4 regimes")
        self.mean_ = values.mean(axis=0)
        self.scale_ = values.std(axis=0) + 1e-12
        Z = (values - self.mean_) / self.scale_
        best, best_score = None, -np.inf
        for i in range(int(self.params["n_init"])):
            model = GaussianHMM(n_components=k, covariance_type=self.params["covariance_type"],
                                n_iter=int(self.params["n_iter"]), tol=1e-4,
                                random_state=self.seed + i, min_covar=1e-3)
            model.fit(Z)
            score = model.score(Z)
            if score > best_score:
                best, best_score = model, score
        # Relabel states by total variance so column p1 always means "more turbulent".
        order = np.argsort([np.trace(c) for c in best.covars_])
        self.means_ = best.means_[order]
        self.covars_ = best.covars_[order]
        self.startprob_ = best.startprob_[order]
        self.transmat_ = best.transmat_[np.ix_(order, order)]
        self.fitted_ = True
        return self

    def _filter(self, X: pd.DataFrame):
        self._require_fitted()
        Z = (self._check_input(X).to_numpy() - self.mean_) / self.scale_
        return forward_filter(_gaussian_loglik(Z, self.means_, self.covars_),
                              self.startprob_, self.transmat_)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        probs, _ = self._filter(X)
        cols = {self._col(f"regime_p{i}"): probs[:, i] for i in range(1, probs.shape[1])}
        current = probs.argmax(axis=1)
        remaining = 1.0 / (1.0 - np.clip(np.diag(self.transmat_), 0.0, 1.0 - 1e-6))
        cols[self._col("regime_duration")] = np.log(regime_age(current) + remaining[current])
        return self._frame(X, cols)

    def loss(self, X: pd.DataFrame, rows) -> float:
        """Mean one-step predictive negative log-likelihood per input dimension."""
        _, predictive = self._filter(X)
        return float(-predictive[np.asarray(rows)].mean() / X.shape[1])
