"""Bad inputs get a GateInputError with a clear message."""

from __future__ import annotations

import pandas as pd
import pytest

from goldloop.errors import GateInputError
from goldloop.gates import check, synthetic


def test_no_overlap_is_reported_as_misaligned(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 1).set_axis(target.index + pd.DateOffset(years=30))
    with pytest.raises(GateInputError, match="misaligned"):
        check(new, base, target, metrics=None, settings=settings)


def test_name_clash_and_duplicate_base_dates(panel, settings):
    base, target = panel
    clash = base[["macro_2"]].copy()
    with pytest.raises(GateInputError, match="also exist"):
        check(clash, base, target, metrics=None, settings=settings)
    dup_base = pd.concat([base, base.iloc[:3]])
    with pytest.raises(GateInputError, match="duplicated"):
        check(synthetic.noise(target.index, 2), dup_base, target, metrics=None, settings=settings)


def test_missing_losses_and_unknown_gate(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 3)
    with pytest.raises(GateInputError, match="train_loss"):
        check(new, base, target, metrics={"loss": 1}, settings=settings, gates=("gate1",))
    with pytest.raises(GateInputError, match="unknown gate"):
        check(new, base, target, metrics=None, settings=settings, gates=("gate4",))


def test_non_date_index(panel, settings):
    base, target = panel
    new = synthetic.noise(target.index, 4).reset_index(drop=True).set_axis([f"row{i}" for i in range(len(target))])
    with pytest.raises(GateInputError, match="not dates"):
        check(new, base, target, metrics=None, settings=settings)
