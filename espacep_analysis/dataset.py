"""The typed, validated data set every indicator reads.

`load.load_dataset` builds it; indicators only read it (they never mutate it).
Column names and codes are those of `codes.COLUMNS`; dtypes after loading:

- text codes and pseudonyms: pandas ``string`` (missing = ``<NA>``)
- dates (``inclusion_date``, ``date``, ``sample_date``, ``result_given_date``):
  ``datetime64[ns]`` (missing = ``NaT``)
- ``birth_year``: ``Int64``; ``titre``: ``float64``; ``coverage_asked`` and
  ``first_contact``: ``bool``; activity counts (``sessions``, ``participants``,
  ``condoms``, ``brochures``): ``Int64``
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .sites import Sites


@dataclass(frozen=True)
class Dataset:
    persons: pd.DataFrame
    consultations: pd.DataFrame
    lab_results: pd.DataFrame
    medical_acts: pd.DataFrame
    sites: Sites
    # Outreach and social work (AViQ, Cocof); empty when the exports lack them
    contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    social_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    activities: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Provenance: file name -> sha256 of every input file read
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """Calendar years with at least one consultation, ascending."""
        return sorted(int(y) for y in self.consultations["date"].dt.year.dropna().unique())
