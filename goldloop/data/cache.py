"""The on-disk data cache: parquet files under a per-user cache folder.

``GOLDLOOP_CACHE_DIR`` overrides the folder (tests point it at a temp dir).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def cache_dir() -> Path:
    override = os.environ.get("GOLDLOOP_CACHE_DIR")
    if override:
        root = Path(override).expanduser()
    else:
        from platformdirs import user_cache_dir

        root = Path(user_cache_dir("goldloop", appauthor=False))
    root.mkdir(parents=True, exist_ok=True)
    return root


def read_frame(name: str) -> pd.DataFrame | None:
    """A cached frame, or None when missing or unreadable (a damaged cache is rebuilt)."""
    import pandas as pd

    path = cache_dir() / f"{name}.parquet"
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - any read failure means "rebuild"
        return None


def write_frame(name: str, frame: pd.DataFrame) -> Path:
    """Write atomically (temp file + replace) so a crash never leaves half a parquet file."""
    path = cache_dir() / f"{name}.parquet"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp)
    os.replace(tmp, path)
    return path
