"""Consultations: how many each person has, on which days, at which site, and what was recorded.

Counts per region are exact (the spec's), every person has at least the
consultations their plan needs (vaccine doses on fixed days, a later visit to
hand over a positive result), and days are weekdays spread over the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..errors import EspacepError, InternalError
from . import design as D
from .people import Person, World, choose

REGION_OF_ANTENNA = {
    "bruxelles": "bruxelles",
    D.PASOP_ANTENNA: "flandre",
    **{a: "wallonie" for a in D.WALLONIA_ANTENNAS},
}


@dataclass
class Visit:
    """One person's year: plan, then consultation days and sites."""

    person: Person
    new: bool
    tests: list[tuple[str, str, float | None]] = field(default_factory=list)
    followup: bool = False  # a positive result needs a later visit
    anti_hbs_low: bool = False  # titre < 10 measured this year
    doses: list[tuple[dt.date, int]] = field(default_factory=list)
    sample_day: dt.date | None = None
    fixed: set[dt.date] = field(default_factory=set)
    dates: list[dt.date] = field(default_factory=list)
    sites: dict[dt.date, str] = field(default_factory=dict)

    @property
    def sample(self) -> dt.date:
        """The sample day, once `pick_days` has set it."""
        if self.sample_day is None:
            raise InternalError(f"{self.person.pseudonym}: no sample day yet")
        return self.sample_day

    def after(self, day: dt.date) -> dt.date | None:
        """The person's first consultation day strictly after ``day`` (this year)."""
        return next((d for d in self.dates if d > day), None)


def next_weekday(day: dt.date) -> dt.date:
    """``day`` or the first working day after it (see `weekdays`)."""
    while day.weekday() >= 5 or (day.month, day.day) in ((1, 1), (12, 25)):
        day += dt.timedelta(days=1)
    return day


def weekdays(year: int) -> list[dt.date]:
    """Working days of ``year`` (no weekends, 1 January or 25 December)."""
    day, out = dt.date(year, 1, 2), []
    while day.year == year:
        if day.weekday() < 5 and (day.month, day.day) != (12, 25):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def minimum_visits(v: Visit) -> int:
    """Consultations the plan needs: its fixed days, and a visit after a positive result."""
    return max(len(v.fixed), 1 + int(v.followup))


def consultation_counts(rng: np.random.Generator, visits: list[Visit], total: int, where: str) -> list[int]:
    """Consultations per person summing to ``total``, each at least the plan's minimum."""
    counts = np.array([minimum_visits(v) for v in visits])
    extra = total - int(counts.sum())
    if extra < 0:
        raise EspacepError(f"{where}: {total} consultations cannot cover {counts.sum()} planned visits")
    weights = rng.gamma(D.CONSULTATION_SPREAD, 1.0, len(visits))
    while extra > 0:
        room = counts < D.MAX_CONSULTATIONS
        p = np.where(room, weights, 0.0)
        add = rng.multinomial(extra, p / p.sum())
        counts += np.minimum(add, D.MAX_CONSULTATIONS - counts)
        extra = total - int(counts.sum())
    return [int(c) for c in counts]


def place_days(rng: np.random.Generator, v: Visit, n: int, days: list[dt.date]) -> None:
    """The person's consultation days: the fixed ones and random others."""
    free = [d for d in days if d not in v.fixed]
    picks = rng.choice(len(free), size=n - len(v.fixed), replace=False)
    v.dates = sorted(v.fixed | {free[i] for i in picks})
    if v.sample_day is None:
        v.sample_day = v.dates[0]


def place_sites(world: World, v: Visit) -> None:
    """Each day at the person's preferred site, sometimes at another site of the antenna."""
    weights = world.site_weights(v.person.antenna)
    for day in v.dates:
        loyal = len(weights) == 1 or world.rng.random() < D.PREFERRED_SITE_LOYALTY
        v.sites[day] = v.person.site if loyal else choose(world.rng, weights)


def move_some(world: World, visits: list[Visit], n: int) -> None:
    """A few Wallonia persons also consult once at another antenna (never Arlon or Brussels)."""
    antennas = [a for a in D.WALLONIA_ANTENNAS if a != "arlon"]
    movable = [v for v in visits if v.person.antenna in antennas and len(v.dates) >= 3]
    for i in world.rng.permutation(len(movable))[:n]:
        v = movable[int(i)]
        busy: set[dt.date | None] = {*v.fixed, v.sample, v.after(v.sample)}
        days = [d for d in v.dates if d not in busy]
        if days:
            other = choose(world.rng, {a: 1.0 for a in antennas if a != v.person.antenna})
            v.sites[days[-1]] = choose(world.rng, world.site_weights(other))


def allocate(
    rng: np.random.Generator, visits: list[Visit], counts: dict[str, int], log_affinity
) -> dict[int, str]:
    """Give each person one code so that code c goes to exactly ``counts[c]`` persons.

    Persons with a higher ``log_affinity(visit, code)`` (plus Gumbel noise) get
    their code first: a weighted random allocation with exact totals.
    """
    codes = list(counts)
    if sum(counts.values()) != len(visits):
        raise EspacepError(f"allocation of {sum(counts.values())} codes to {len(visits)} persons")
    scores = np.array([[log_affinity(v, c) for c in codes] for v in visits])
    scores = scores + rng.gumbel(size=scores.shape)
    left, out = dict(counts), {}
    for flat in np.argsort(-scores, axis=None, kind="stable"):
        i, j = divmod(int(flat), len(codes))
        pid = visits[i].person.pid
        if pid not in out and left[codes[j]] > 0:
            out[pid] = codes[j]
            left[codes[j]] -= 1
    return out


def _workplaces(rng, spec, visits: list[Visit]) -> dict[tuple[int, dt.date], str]:
    def affinity(v: Visit, code: str) -> float:
        bonus = D.WORKPLACE_LOYALTY if v.person.workplace == code else 0.0
        return float(np.log(D.WORKPLACE_AFFINITY[v.person.antenna][code])) + bonus

    first = allocate(rng, visits, spec.workplaces, affinity)
    out = {}
    for v in visits:
        v.person.workplace = first[v.person.pid]
        for day in v.dates:
            keep = day == v.dates[0] or rng.random() < D.WORKPLACE_KEPT
            out[v.person.pid, day] = (
                v.person.workplace if keep else choose(rng, D.WORKPLACE_AFFINITY[v.person.antenna])
            )
    return out


def _recorded(rng, v: Visit, final: str | None, earlier: str | None = None) -> dict[dt.date, str]:
    """A status as consultations record it: on the first day, sometimes again, else unknown."""
    out = dict.fromkeys(v.dates, "unknown")
    if final is None:
        return out
    for day in v.dates:
        if day == v.dates[0] or rng.random() < D.STATUS_REPEATED:
            out[day] = final
    if earlier is not None and len(v.dates) >= 2:  # the status changed during the year
        out[v.dates[0]], out[v.dates[-1]] = earlier, final
    return out


def _gp_and_gyn(rng, spec, visits: list[Visit]) -> tuple[dict, dict]:
    order = [visits[i] for i in rng.permutation(len(visits))]
    gp, gyn = {}, {}
    g = spec.gp
    for rank, v in enumerate(order):
        if rank < g["no_data"]:
            final = None
        elif rank < g["no_data"] + g["none_or_unaware"]:
            final = "none" if rng.random() < D.GP_NONE_SHARE else "unaware"
        else:
            final = "aware"
        earlier = "unaware" if final == "aware" and rng.random() < 0.05 else None
        gp.update({(v.person.pid, d): s for d, s in _recorded(rng, v, final, earlier).items()})
        gyn_final = None if rng.random() < D.GYN_NO_DATA else choose(rng, D.GYN_STATUSES)
        gyn.update({(v.person.pid, d): s for d, s in _recorded(rng, v, gyn_final).items()})
    return gp, gyn


def _coverage(rng, spec, visits: list[Visit]) -> dict[tuple[int, dt.date], tuple[bool, str]]:
    c = spec.coverage
    statuses = (
        ["not_in_order"] * c["not_in_order"] + ["in_order"] * c["in_order"] + ["unknown"] * c["unknown"]
    )
    out: dict[tuple[int, dt.date], tuple[bool, str]] = {}
    for rank, i in enumerate(rng.permutation(len(visits))):
        v = visits[int(i)]
        status = statuses[rank] if rank < len(statuses) else None
        for day in v.dates:
            asked = status is not None and (day == v.dates[0] or rng.random() < D.STATUS_REPEATED)
            out[v.person.pid, day] = (bool(asked), status if asked and status is not None else "")
    return out


def consultation_rows(rng: np.random.Generator, spec, visits: list[Visit]) -> list[tuple]:
    """One row per consultation, columns of ``codes.COLUMNS['consultations']``."""
    workplace = _workplaces(rng, spec, visits)
    gp, gyn = _gp_and_gyn(rng, spec, visits)
    coverage = _coverage(rng, spec, visits)
    rows = []
    for v in visits:
        for day in v.dates:
            key = (v.person.pid, day)
            asked, status = coverage[key]
            rows.append(
                (v.person.pseudonym, day, v.sites[day], workplace[key], gp[key], gyn[key], asked, status)
            )
    return rows
