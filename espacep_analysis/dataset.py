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
    """The validated exports of one data folder, one DataFrame per table (read-only).

    Build it with `load.load_dataset` (or ``espacep_analysis.load_dataset``);
    rows that validation rejects are never in it. Column names and dtypes are
    in the module docstring.

    Attributes
    ----------
    persons : DataFrame
        One row per person: ``pseudonym, birth_year, gender, nationality, inclusion_date``.
    consultations : DataFrame
        One row per consultation: ``pseudonym, date, site, workplace, gp, gynaecologist,
        coverage_asked, coverage_status``.
    lab_results : DataFrame
        One row per (person, sample date, test): ``pseudonym, sample_date, site, test,
        result, titre, result_given_date``.
    medical_acts : DataFrame
        One row per act: ``pseudonym, date, site, act, detail``.
    sites : Sites
        The site hierarchy (site -> antenna -> province -> region) and each funder's
        scope, from ``params/sites.yaml``; ``sites.frame`` is indexed by site code.
    contacts, social_actions, activities : DataFrame
        Outreach and social work (AViQ, Cocof); empty frames with their columns
        when the exports lack them.
    sources : dict of str to str
        File name -> sha256 of every input file read (provenance).
    """

    persons: pd.DataFrame
    consultations: pd.DataFrame
    lab_results: pd.DataFrame
    medical_acts: pd.DataFrame
    sites: Sites
    contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    social_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    activities: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """Calendar years with at least one consultation, ascending."""
        return sorted(int(y) for y in self.consultations["date"].dt.year.dropna().unique())
