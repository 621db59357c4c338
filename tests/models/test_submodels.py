"""Every offline submodel is strictly causal, declares its output, and has distinct variations."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from goldloop.data import catalog, families_with_offline_data, load_base_table
from goldloop.gates.gate1 import truncation_test
from goldloop.models.submodels import available, for_feature, params_for_attempt, variations
from goldloop.models.submodels.base import WARMUP_ROWS, SubmodelError, run_submodel

HAS_TORCH = importlib.util.find_spec("torch") is not None
FAMILIES = [f for f in families_with_offline_data() if available(f)]
# Fewer EM iterations keep the suite fast on 2 shared cores; causality does not depend on them.
QUICK = {"HMMRegime": {"n_iter": 15, "n_init": 1}}


def _params(feature, attempt=1, **extra):
    quick = QUICK.get(for_feature(feature).__name__, {})
    return {**params_for_attempt(feature, attempt), **quick, **extra}


@pytest.fixture(scope="module")
def features():
    return load_base_table()[0]


def _inputs(features, feature, rows=1400):
    # 1999-2004: long enough for every window, short enough to keep the suite fast
    return features[catalog().family(feature).inputs].iloc[:rows]


@pytest.mark.parametrize("feature", FAMILIES)
def test_submodel_is_causal_and_matches_its_schema(features, feature):
    X = _inputs(features, feature)
    model = for_feature(feature)(prefix=feature, **_params(feature))
    model.fit(X.iloc[:700])  # fitted on the past only; the test then truncates the future
    result = truncation_test(model.transform, X, cuts=3, seed=1, atol=1e-9)
    assert result["pass"], result
    out = model.transform(X)
    assert list(out.columns) == list(model.output_schema(list(X.columns)))
    assert all(out[c].dtype == np.float64 for c in out.columns)
    assert out.index.equals(X.index)
    assert not out.iloc[WARMUP_ROWS:].isna().to_numpy().any()  # NaN only while warming up


def test_truncation_test_catches_a_look_ahead(features):
    """Negative control: hmmlearn's smoothed probabilities use the future and must fail."""
    from goldloop.models.submodels.hmm import HMMRegime

    X = _inputs(features, "vix")
    model = HMMRegime(prefix="vix", **_params("vix")).fit(X.iloc[:700])

    def smoothed(frame: pd.DataFrame) -> pd.DataFrame:
        from hmmlearn.hmm import GaussianHMM

        hmm = GaussianHMM(n_components=2, covariance_type="full")
        hmm.startprob_, hmm.transmat_ = model.startprob_, model.transmat_
        hmm.means_, hmm.covars_ = model.means_, model.covars_
        z = (frame.to_numpy() - model.mean_) / model.scale_
        return pd.DataFrame(hmm.predict_proba(z)[:, 1:], index=frame.index)

    assert not truncation_test(smoothed, X, cuts=3, seed=1)["pass"]


@pytest.mark.parametrize("feature", sorted(catalog().families))
def test_variations_are_distinct_and_instantiable(feature):
    options = variations(feature)
    assert len(options) >= 3
    assert len({repr(sorted(o.items())) for o in options}) == len(options)
    cls = for_feature(feature)
    for params in options:
        cls(prefix=feature, **params)
    assert params_for_attempt(feature, len(options) + 1) == options[0]  # cycles


def test_run_submodel_reports_train_and_val_loss(features):
    X = features[catalog().family("regime").inputs]
    out, metrics = run_submodel(for_feature("regime")(prefix="regime"), X)
    assert metrics["train_loss"] > 0 and metrics["val_loss"] > 0
    assert metrics["train_rows"] > 0 and metrics["val_rows"] > 0
    assert metrics["train_rows"] + metrics["val_rows"] < metrics["rows"]  # the test years are in neither
    assert metrics["overfit_ratio"] == pytest.approx(metrics["val_loss"] / metrics["train_loss"])
    assert len(out) == len(X)


def test_hmm_states_are_ordered_calm_to_turbulent(features):
    X = _inputs(features, "vix")
    model = for_feature("vix")(prefix="vix", **_params("vix", n_states=3)).fit(X)
    traces = [np.trace(c) for c in model.covars_]
    assert traces == sorted(traces)
    p = model.transform(X)
    assert ((p.filter(like="regime_p") >= 0) & (p.filter(like="regime_p") <= 1)).all().all()


def test_bad_parameters_and_inputs_are_clear_errors(features):
    cls = for_feature("vix")
    with pytest.raises(SubmodelError, match="n_states"):
        cls(prefix="vix", n_state=3)
    with pytest.raises(SubmodelError, match="not fitted"):
        cls(prefix="vix").transform(_inputs(features, "vix"))
    bad = _inputs(features, "vix").copy()
    bad.iloc[5, 0] = np.nan
    with pytest.raises(SubmodelError, match="NaN"):
        cls(prefix="vix").fit(bad)
    with pytest.raises(SubmodelError, match="rows"):
        cls(prefix="vix").fit(bad.iloc[:10])


@pytest.mark.skipif(HAS_TORCH, reason="checks the message shown when torch is absent")
def test_torch_submodel_says_clearly_that_torch_is_missing(features):
    assert "latent" not in FAMILIES and not available("latent")
    with pytest.raises(SubmodelError, match="PyTorch"):
        for_feature("latent")(prefix="latent").fit(_inputs(features, "latent"))


@pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional extra")
def test_gru_autoencoder_is_causal(features):
    X = _inputs(features, "latent", rows=600)
    model = for_feature("latent")(prefix="latent", epochs=2).fit(X.iloc[:300])
    assert truncation_test(model.transform, X, cuts=2, atol=1e-5)["pass"]


@pytest.mark.parametrize(("feature", "attempt"), [(f, a) for f in FAMILIES for a in (1, 2)])
def test_no_output_column_is_a_linear_function_of_the_others(features, feature, attempt):
    """Gate 2's VIF is infinite for such a column, so the family could never pass: an HMM's
    expected duration (affine in its probabilities) and a pressure that was a multiple of the
    z-score did exactly that on real data."""
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X = _inputs(features, feature)
    model = for_feature(feature)(prefix=feature, **_params(feature, attempt))
    out = model.fit(X.iloc[:700]).transform(X).iloc[WARMUP_ROWS:]
    if out.shape[1] < 2:
        return
    design = np.column_stack([np.ones(len(out)), out.to_numpy()])
    vifs = {c: variance_inflation_factor(design, i + 1) for i, c in enumerate(out.columns)}
    assert max(vifs.values()) < 1e3, vifs
