"""Fixtures for the secret and guard tests: a workspace holding the files a model might
write to get around the guards (a push script, a Makefile, a git alias, a link to state)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from tests.kaggle.conftest import emulator, kaggle_ws, kws  # noqa: E402, F401  (shared fixtures)

PUSH_SCRIPT = """\
from kaggle.api.kaggle_api_extended import KaggleApi

api = KaggleApi()
api.authenticate()
api.kernels_push("notebooks/vix_1")
"""
MAKEFILE = """\
.PHONY: all push test
all: push

push:
\tkaggle kernels push -p notebooks/vix_1

test:
\tpython -m pytest -q
"""
GIT_ALIAS = "[alias]\n\tkp = !kaggle kernels push -p notebooks/vix_1\n"


@pytest.fixture()
def trap_ws(ws):
    """A goldloop workspace with push_it.py and push.sh, a Makefile whose `push` target pushes, a git alias
    `kp` that pushes, a harmless check_data.py, and link-to-state.json → shared/state.json."""
    (ws.root / "push_it.py").write_text(PUSH_SCRIPT, encoding="utf-8")
    (ws.root / "push.sh").write_text("kaggle kernels push -p notebooks/vix_1\n", encoding="utf-8")
    (ws.root / "check_data.py").write_text("import pandas as pd\nprint(pd.__version__)\n", encoding="utf-8")
    (ws.root / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    with (ws.root / ".git" / "config").open("a", encoding="utf-8") as handle:
        handle.write(GIT_ALIAS)
    (ws.root / "link-to-state.json").symlink_to(ws.state_path)
    return ws
