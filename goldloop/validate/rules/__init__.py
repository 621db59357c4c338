"""Importing this package registers every rule (one module per category)."""

from goldloop.validate.rules import (  # noqa: F401
    dataset_path,
    gpu_consistency,
    imports,
    internet,
    keras_api,
    kernel_metadata,
    method_case,
    optuna_space,
    output_path,
    pandas_api,
    saved_outputs,
    secret,
    shap_xgboost,
    syntax,
    undefined_name,
    yfinance_empty,
)
