"""The meta-model's input offline: base features + every offline submodel's output.

Each submodel is fitted on the training years only and applied causally to all days, the
same thing the submodel notebooks do on Kaggle; used by the benchmark's results table and
by anyone who wants the full stack in-process.
"""

from __future__ import annotations

from typing import Any

QUICK = {"HMMRegime": {"n_init": 1}}


def stacked_table(features: Any, train_end: str, families: list[str] | None = None,
                  seed: int = 0) -> Any:
    """``features`` joined with submodel outputs; warm-up rows (NaN) dropped."""
    from goldloop.data.catalog import catalog, families_with_offline_data
    from goldloop.models.submodels import available, for_feature, params_for_attempt

    names = families or [f for f in families_with_offline_data() if available(f)]
    table = features
    for name in names:
        cls = for_feature(name)
        model = cls(prefix=name, seed=seed, **{**params_for_attempt(name, 1), **QUICK.get(cls.__name__, {})})
        inputs = features[catalog().family(name).inputs]
        model.fit(inputs[inputs.index <= train_end])
        table = table.join(model.transform(inputs))
    return table.dropna()
