"""Remembered run flags (issue #11, item 7): kept per workspace, reported, and undoable."""

from __future__ import annotations

import pytest

from goldloop.autopilot.options import OPTIONS_FILE, RunOptions, remembered_line, resolve
from goldloop.errors import ConfigError

NOTHING = {"backend": None, "features": [], "max_attempts": None, "fast": None}


def test_flags_are_remembered_and_reported_with_their_undo(tmp_path):
    resolve(tmp_path, {**NOTHING, "features": ["regime", "vix"], "fast": True, "max_attempts": 2})
    assert (tmp_path / OPTIONS_FILE).is_file()
    line = remembered_line(tmp_path, NOTHING)
    assert line == (f"remembered flags from {tmp_path / OPTIONS_FILE}: --features regime --features vix "
                    "--max-attempts 2 --fast (undo: --features all, --max-attempts 0, --no-fast)")
    options = resolve(tmp_path, NOTHING)
    assert (options.features, options.fast, options.max_attempts) == (["regime", "vix"], True, 2)
    # a flag typed again is not "remembered": it is the user's choice now
    assert "--fast" not in remembered_line(tmp_path, {**NOTHING, "fast": True}).split("(undo")[0]


def test_remembered_flags_can_be_undone(tmp_path):
    resolve(tmp_path, {**NOTHING, "features": ["regime"], "fast": True, "max_attempts": 2, "backend": "kaggle"})
    options = resolve(tmp_path, {"backend": "local", "features": ["all"], "max_attempts": 0, "fast": False})
    assert options == RunOptions()  # every choice back to its default …
    assert RunOptions.load(tmp_path) == RunOptions()  # … and remembered so
    assert remembered_line(tmp_path, NOTHING) is None  # nothing left to report


def test_no_line_for_a_new_workspace_and_all_cannot_mix_with_names(tmp_path):
    assert remembered_line(tmp_path, NOTHING) is None
    with pytest.raises(ConfigError, match="cannot be combined"):
        resolve(tmp_path, {**NOTHING, "features": ["all", "vix"]})
