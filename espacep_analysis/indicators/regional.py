"""A region's medical figures in an outreach report: INAMI's figures, not re-implemented.

:func:`inami_region_figures` calls :func:`espacep_analysis.indicators.inami.contacts`
and :func:`~espacep_analysis.indicators.inami.nationality` on the region's rows
and renames their ``region:<code>`` rows ``<funder>.inami.<id>``, so the AViQ,
Cocof and INAMI reports print the same numbers (the funder registry declares
them equal across reports: `funders.FunderSpec.relations`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..dataset import Dataset
from . import common, inami
from .outreach import registry_counts, registry_proportions, registry_ratio


def inami_region_figures(
    ds: Dataset,
    years: Sequence[int],
    region: str,
    prefix: str,
    registry: Mapping[str, tuple[str, str]],
    method: str = "wilson",
    level: float = 0.95,
) -> pd.DataFrame:
    """Persons seen, consultations, consultations per person and migrant share in ``region`` (INAMI definitions).

    Calls :func:`inami.contacts` and :func:`inami.nationality` on the region's
    rows of each year with a consultation and keeps their ``region:<region>``
    rows, renamed ``<prefix>inami.persons_seen``, ``<prefix>inami.consultations``
    and ``<prefix>inami.migrant_share`` (same scope ``region:<region>``, same
    counts as the INAMI report's); the ratio is consultations / persons seen.
    """
    sites = ds.sites.sites_of("region", region)
    years = [y for y in years if y in set(ds.years)]
    if not years:
        return common.empty_figures()
    compact = common.prepare(ds, sites, years)
    scope = common.scope_label("region", region)
    parts = []
    for y in years:
        one_year = common.prepare(compact, sites, [y])
        figs = common.concat_figures(
            [inami.contacts(one_year, y), inami.nationality(one_year, y, method, level)]
        )
        at = figs.loc[figs["scope"] == scope].set_index("indicator")
        seen = float(at["value"].get(inami.PREFIX + "persons_seen", 0.0))
        visits = float(at["value"].get(inami.PREFIX + "consultations", 0.0))
        names = [prefix + "inami.persons_seen", prefix + "inami.consultations"]
        parts.append(registry_counts(registry, names, y, [seen, visits], scope=scope))
        parts.append(
            registry_ratio(registry, prefix + "inami.consultations_per_person", visits, seen, y, scope)
        )
        if inami.PREFIX + "migrant_share" in at.index:
            share = at.loc[inami.PREFIX + "migrant_share"]
            parts.append(
                registry_proportions(
                    registry,
                    prefix + "inami.migrant_share",
                    share["numerator"],
                    share["denominator"],
                    y,
                    method,
                    level,
                    scope,
                )
            )
    return common.concat_figures(parts)
