"""Collective activities (table ``activities``): information sessions, courses, stands, events.

Information sessions: the printed count per site, antenna or group of sites
(resolved to sites by `outreach_spec.site_counts`), one row per session day (a
few rows record two sessions). Brussels courses: one row per course session.
One-off events come from ``design.EVENTS``; where a figure prints the total
of a type (students, professionals, stand days, stand condoms), the rows of
that type are scaled to it exactly. Every row has ``sessions >= 1``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np

from ..errors import EspacepError
from ..sites import Sites
from . import design as D
from .outreach_spec import FUNDER, PREFIX, site_counts, volume
from .spec import apportion
from .targets import TargetBook, approx_count

# Activity type -> (figure id without prefix, column it sums)
TYPE_TOTALS = {
    "student_awareness": (("students_reached", "participants"),),
    "professional_training": (("professionals_reached", "participants"),),
    "stand": (("stand_days", "sessions"), ("stand_condoms", "condoms")),
}
COURSE_IDS = {"language_course": "language_courses", "literacy_course": "literacy_courses"}
COLUMN_INDEX = {"sessions": 4, "participants": 5, "condoms": 6}


def _days_in(year: int, months, rng: np.random.Generator, n: int) -> list[dt.date]:
    """``n`` distinct weekdays of ``year`` in ``months`` (sorted)."""
    pool = [
        dt.date(year, m, d)
        for m in months
        for d in range(1, calendar.monthrange(year, m)[1] + 1)
        if dt.date(year, m, d).weekday() < 5
    ]
    if n > len(pool):
        raise EspacepError(f"{year}: {n} activity days, only {len(pool)} weekdays in months {months}")
    return sorted(pool[int(i)] for i in rng.choice(len(pool), size=n, replace=False))


def information_sessions(rng, book: TargetBook, sites: Sites, region: str, year: int) -> list[list]:
    scope_all = sites.funder_sites(FUNDER[region])
    design = {s: n for s, n in D.INFORMATION_SESSIONS.items() if s in scope_all}
    per_site = site_counts(rng, book, PREFIX[region] + "information_sessions", year, sites, scope_all, design)
    rows = []
    for site, n in per_site.items():
        sizes: list[int] = []
        while sum(sizes) < n:
            sizes.append(2 if n - sum(sizes) >= 2 and rng.random() < D.TWO_SESSION_ROWS else 1)
        for day, k in zip(_days_in(year, range(1, 13), rng, len(sizes)), sizes):
            rows.append(
                [
                    day,
                    site,
                    "health_promotion",
                    "information_session",
                    k,
                    k * int(rng.integers(*D.SESSION_PARTICIPANTS)),
                    None,
                    int(rng.integers(*D.SESSION_BROCHURES)),
                ]
            )
    return rows


def courses(rng, book: TargetBook, region: str, year: int) -> list[list]:
    if region != "bruxelles":
        return []
    rows = []
    for kind, design in D.COURSES.items():
        target = book.find(PREFIX[region] + COURSE_IDS[kind], year)
        n = approx_count(target, rng.random()) if target is not None else volume(rng, design, year)
        for day in _days_in(year, D.COURSE_MONTHS, rng, n):
            rows.append(
                [
                    day,
                    "bruxelles",
                    D.COURSE_PROGRAMME,
                    kind,
                    1,
                    int(rng.integers(D.COURSE_PARTICIPANTS[0], D.COURSE_PARTICIPANTS[1] + 1)),
                    None,
                    None,
                ]
            )
    return rows


def _event_day(rng, year: int, month: int, day: int | None) -> dt.date:
    return dt.date(year, month, day) if day is not None else _days_in(year, [month], rng, 1)[0]


def events(rng, book: TargetBook, region: str, year: int) -> list[list]:
    """The design's one-off events of the region and year, scaled to the printed type totals."""
    rows: list[list[Any]] = []
    for reg, kind, site, month, day, sessions, participants, condoms, programme, years in D.EVENTS:
        if reg == region and (years is None or year in years):
            people = participants if kind in TYPE_TOTALS else volume(rng, participants, year)
            rows.append(
                [_event_day(rng, year, month, day), site, programme, kind, sessions, people, condoms, None]
            )
    for kind, totals in TYPE_TOTALS.items():
        mine = [r for r in rows if r[3] == kind]
        for figure, column in totals:
            target = book.find(PREFIX[region] + figure, year)
            design = [r[COLUMN_INDEX[column]] or 0 for r in mine]
            total = (
                approx_count(target, rng.random()) if target is not None else volume(rng, sum(design), year)
            )
            _scale(mine, column, total, design, f"{PREFIX[region]}{figure} {year}")
    return rows


def _scale(rows: list[list], column: str, total: int, design: list[int], where: str) -> None:
    """Set ``column`` of ``rows`` to counts adding up to ``total``, in proportion to ``design``."""
    if not rows:
        if total:
            raise EspacepError(f"{where}: {total} printed, no activity of that type in the design")
        return
    floor = 1 if column == "sessions" else 0
    if total < floor * len(rows):
        raise EspacepError(f"{where}: {total} cannot cover {len(rows)} activities")
    weights = {i: float(w) or 1.0 for i, w in enumerate(design)}
    shares = apportion(total - floor * len(rows), weights)
    for i, row in enumerate(rows):
        row[COLUMN_INDEX[column]] = floor + shares[i]


def activity_rows(
    rng: np.random.Generator, book: TargetBook, sites: Sites, region: str, year: int
) -> list[tuple]:
    """Every activity of the region and year, rows of ``codes.COLUMNS['activities']``."""
    rows = information_sessions(rng, book, sites, region, year)
    rows += courses(rng, book, region, year) + events(rng, book, region, year)
    return [tuple(r) for r in rows]
