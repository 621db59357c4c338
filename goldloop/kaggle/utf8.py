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
import locale
import os
import sys
from typing import Any

from goldloop.quiet import quiet_stdout

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


def _register_kaggle_package() -> None:
    """Register the ``kaggle`` package without running its ``__init__``.

    ``kaggle/__init__`` calls ``KaggleApi().authenticate()``, which, when it finds no
    credentials of its own (goldloop's may live only in the workspace ``.env``), calls the
    site ``exit()``: that closes ``sys.stdin`` first, and in the MCP server another thread is
    blocked reading stdin, so the close blocks forever and the server stops answering.
    With a token in the environment it would also call the network at import. goldloop
    hands its chosen credentials to the client itself, so the import-time login is skipped.
    """
    if "kaggle" in sys.modules:
        return
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("kaggle")
    if spec is None:
        return  # not installed: the import below raises the usual ImportError
    package = importlib.util.module_from_spec(spec)  # created, not executed
    package.__version__ = importlib.metadata.version("kaggle")  # read by kaggle_api_extended
    sys.modules["kaggle"] = package


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
        with quiet_stdout():
            _register_kaggle_package()
            from kaggle.api.kaggle_api_extended import KaggleApi
    finally:
        builtins.open = _real_open
    if forcing:
        for name in KAGGLE_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                module.open = utf8_open  # module globals shadow builtins
    return KaggleApi
