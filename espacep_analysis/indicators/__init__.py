"""Indicators per funder: record-level rows -> tidy figures tables.

``common`` holds the shared building blocks; ``inami`` (and later ``aviq``,
``cocof``) compute one funder's figures. See ``docs/indicators_inami.md``.
"""

from .common import AGE_BANDS, FIGURE_COLUMNS

__all__ = ["AGE_BANDS", "FIGURE_COLUMNS"]
