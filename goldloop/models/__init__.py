"""The gold model: submodels (hidden state per feature family) and the XGBoost meta-model."""
