"""The units of the figures table (column ``unit``): one vocabulary for every module.

Count units: ``value`` is a count of something (disclosure control masks small
ones; `fmt` prints them as integers). The others say how ``value`` reads.
"""

from __future__ import annotations

# Counts of persons or of events about persons: small ones could point at someone, so
# disclosure control masks them.
DISCLOSIVE_UNITS: tuple[str, ...] = (
    "persons",
    "consultations",
    "results",
    "acts",
    "doses",
    "contacts",
    "actions",
    "attendances",
)
# Counts of things (sessions held, condoms, website visits, capsules, meetings): published as they are.
THING_UNITS: tuple[str, ...] = ("sessions", "condoms", "visits", "count")
COUNT_UNITS: tuple[str, ...] = DISCLOSIVE_UNITS + THING_UNITS
# proportion in [0, 1]; ratio (e.g. consultations per person); years (ages);
# difference of proportions (p1 - p2); p_value; z statistic; days (delays); verdict of a
# comparison over the years (+1 rise, 0 stable, -1 fall, NaN too few cases to conclude)
OTHER_UNITS: tuple[str, ...] = (
    "proportion",
    "ratio",
    "years",
    "difference",
    "p_value",
    "z",
    "days",
    "verdict",
)
FIGURE_UNITS: tuple[str, ...] = COUNT_UNITS + OTHER_UNITS
