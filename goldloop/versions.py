"""The versions that decide a result: goldloop, kaggle, xgboost, pandas and Python.

Read from the installed packages' metadata (importlib.metadata), never by importing them, so
``goldloop --version`` stays instant and an attempt can record them for free.
"""

from __future__ import annotations

import platform
from importlib import metadata

# name shown → distributions that provide it, first found wins (xgboost-cpu is the default
# install off macOS; the full xgboost wheel provides the same module).
PACKAGES: dict[str, tuple[str, ...]] = {
    "goldloop": ("goldloop",),
    "kaggle": ("kaggle",),
    "xgboost": ("xgboost-cpu", "xgboost"),
    "pandas": ("pandas",),
}


def _installed(distributions: tuple[str, ...]) -> str:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def versions() -> dict[str, str]:
    """{"goldloop": "0.1.0", "kaggle": "2.2.5", "xgboost": "3.1.2", "pandas": "2.3.3", "python": "3.12.7"}"""
    found = {shown: _installed(dists) for shown, dists in PACKAGES.items()}
    found["python"] = platform.python_version()
    return found
