"""Kaggle operations: backends (Kaggle, local), submit, the detached monitor, fetch, cancel,
quota, dataset upload, and a local Kaggle API emulator for tests.

All Kaggle traffic goes through this package: never push or poll by hand.
"""
