"""goldloop.metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from goldloop import metrics


def test_direction_accuracy_skips_zero_days():
    # signs: right, wrong, (zero day dropped), right -> 2/3
    assert metrics.direction_accuracy([1.0, -2.0, 0.0, 3.0], [0.5, 0.1, 0.2, 0.3]) == pytest.approx(2 / 3)


def test_high_confidence_da_uses_the_top_fifth():
    y_true = [1, 1, 1, 1, -1, -1, -1, -1, 1, -1]
    y_pred = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 2.0, -3.0]  # the two largest are right
    assert metrics.high_confidence_da(y_true, y_pred) == 1.0


def test_mae_in_percent_points():
    assert metrics.mae([1.0, -1.0, 2.0], [0.0, 0.0, 0.0]) == pytest.approx(4 / 3)


def test_strategy_returns_pay_costs_on_each_position_change():
    # positions +1, +1, -1: entering (1 change) and flipping (2 changes) at 5 bps = 0.05 %
    r = metrics.strategy_returns([1.0, -0.5, -2.0], [0.3, 0.1, -0.4], cost_bps=5.0)
    assert list(r) == pytest.approx([1.0 - 0.05, -0.5, 2.0 - 0.10])


def test_sharpe_is_annualised_mean_over_sd():
    r = [0.1, -0.05, 0.2, 0.0]
    mean, sd = 0.0625, math.sqrt(((0.0375**2) + (0.1125**2) + (0.1375**2) + (0.0625**2)) / 3)
    assert metrics.sharpe(r) == pytest.approx(mean / sd * math.sqrt(252))
