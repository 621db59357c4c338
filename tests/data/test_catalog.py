"""The catalog is data: every family maps to live series and an offline stand-in or is live-only."""

from __future__ import annotations

import pytest

from goldloop.data import catalog, families_with_offline_data, load_base_table
from goldloop.data.catalog import load_catalog
from goldloop.errors import DataError

ORIGINAL_FAMILIES = {"real_rate", "dollar_index", "vix", "gold_technicals", "cross_asset",
                     "yield_curve", "etf_flows", "inflation_expectations", "regime"}


def test_every_original_family_is_catalogued_with_live_series():
    cat = catalog()
    assert ORIGINAL_FAMILIES <= set(cat.families)
    for name in ORIGINAL_FAMILIES:
        assert cat.families[name].live, name


def test_live_only_families_are_marked_not_faked():
    offline = set(families_with_offline_data())
    assert {"dollar_index", "etf_flows", "inflation_expectations"}.isdisjoint(offline)
    assert {"vix", "gold_technicals", "cross_asset", "real_rate", "regime"} <= offline
    for name in ("dollar_index", "etf_flows", "inflation_expectations"):
        fam = catalog().families[name]
        assert fam.inputs == [] and "live-only" in fam.note.lower()


def test_offline_inputs_exist_in_the_base_table():
    features, _ = load_base_table()
    for name in families_with_offline_data():
        missing = set(catalog().families[name].inputs) - set(features.columns)
        assert not missing, (name, missing)


def test_series_record_observation_time_zone_and_delay():
    cat = catalog()
    assert cat.series["sp500"].zone == "America/New_York" and cat.series["sp500"].observed == "16:00"
    assert cat.series["core_cpi"].publication_delay_days >= 10
    assert all(s.frequency != "monthly" or s.stamp for s in cat.series.values())


def test_a_broken_catalog_is_a_clear_error(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text('target = "x"\n[series.x]\nsource = "arch"\nref = "core_cpi"\n'
                   'frequency = "monthly"\nobserved = "08:30"\nzone = "America/New_York"\n'
                   'transforms = ["level"]\n[families]\n', encoding="utf-8")
    with pytest.raises(DataError, match="stamp"):
        load_catalog(bad)


def test_unknown_family_names_the_known_ones():
    with pytest.raises(DataError, match="vix"):
        catalog().family("nope")


def test_live_inputs_must_be_columns_of_the_family_live_series(tmp_path):
    from goldloop.data.catalog import CATALOG_FILE

    text = CATALOG_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "catalog.toml"
    bad.write_text(text.replace('live_inputs = ["fred_vix_logret"]', 'live_inputs = ["fred_vix_lgret"]'),
                   encoding="utf-8")
    with pytest.raises(DataError, match=r"family 'vix': live_inputs \['fred_vix_lgret'\]"):
        load_catalog(bad)
    assert catalog().inputs("vix", "live") == ["fred_vix_logret"]
    assert catalog().inputs("vix", "offline") == ["sp500_range_vol_logret"]
