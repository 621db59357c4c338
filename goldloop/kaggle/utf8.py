"""Make the ``kaggle`` package write text as UTF-8 on machines whose default encoding is not.

The kaggle client opens text files without an encoding (e.g. the run log in
``kernels_output``), so on Windows with cp932/cp1252 a non-ASCII log crashed the download —
the original's worst Kaggle trap. We cannot turn on Python's UTF-8 mode in a running
process, so: while ``kaggle`` is imported, ``open`` defaults text files to UTF-8, and after
the import the kaggle modules keep a UTF-8-defaulting ``open`` of their own. Our own child
processes get ``PYTHONUTF8=1``.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import locale
import os
import sys
from typing import Any

_real_open = builtins.open
# Modules of kaggle/kagglesdk that open text files without an encoding.
KAGGLE_MODULES = ("kaggle.api.kaggle_api_extended", "kagglesdk.kaggle_http_client", "kagglesdk.kaggle_creds")


def default_is_utf8() -> bool:
    if sys.flags.utf8_mode:
        return True
    return locale.getpreferredencoding(False).lower().replace("-", "").replace("_", "") in ("utf8", "cp65001")


def utf8_open(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None, *args: Any, **kwargs: Any):
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    return _real_open(file, mode, buffering, encoding, *args, **kwargs)


def import_kaggle_api(force: bool = True) -> type:
    """Import ``kaggle`` (UTF-8 forced when needed, its import-time chatter silenced) → KaggleApi.

    ``force=False`` leaves ``open`` alone (kaggle ≥ 2.2.5 writes its own log as UTF-8, but
    kagglesdk still opens some files without an encoding, so goldloop always forces).
    """
    forcing = force and not default_is_utf8()
    if forcing:
        os.environ["PYTHONUTF8"] = "1"  # for any child process
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="backslashreplace")
        builtins.open = utf8_open
    try:
        # kaggle/__init__ authenticates at import and prints help to stdout when it cannot;
        # stdout may be an MCP stdio channel, so keep it clean.
        with contextlib.redirect_stdout(io.StringIO()):
            from kaggle.api.kaggle_api_extended import KaggleApi
    finally:
        builtins.open = _real_open
    if forcing:
        for name in KAGGLE_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                module.open = utf8_open  # module globals shadow builtins
    return KaggleApi
