"""The years of the data: which are complete (their consultations reach December).

A leaf without pandas: the batch's planning (`batch.planning`, on the nothing-changed path) and
the report pages (`pages.latest_complete_year`, a notebook's ``year = 0``) both use it.
"""

from __future__ import annotations

import datetime as dt


def complete_years(years_in_data: list[int], last_date: dt.date | None) -> list[int]:
    """The years of the data whose records reach their last month (all of them when ``last_date`` is unknown)."""
    if last_date is None:
        return list(years_in_data)
    return [y for y in years_in_data if y < last_date.year or (y == last_date.year and last_date.month == 12)]
