"""Synthetic persons and who is seen each year.

Persons live across years: a year's known persons are mostly people seen in
an earlier year of the data (weighted by how recently), the rest were included
before the data start; new persons are created with an inclusion in the year.
Returning persons are accepted only while the year's quotas (origin group per
antenna, gender, age bounds) have room, and fresh persons fill exactly what is
left, so every quota holds by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..errors import EspacepError
from ..sites import Sites
from . import design as D
from .spec import YearSpec, country_mix


@dataclass
class Person:
    """One synthetic person and the history the generator needs across years."""

    pid: int
    pseudonym: str
    birth_year: int
    gender: str
    nationality: str  # ISO 3166-1 alpha-2, "" when unknown
    group: str  # origin group of the nationality
    antenna: str  # home antenna (consultations happen at its sites)
    site: str  # preferred site of that antenna
    inclusion: dt.date | None = None
    seen: list[int] = field(default_factory=list)
    workplace: str | None = None
    # HBV: unknown (never tested), low (titre < 10), immune, chronic (HBsAg+), series (vaccinated)
    hbv: str = "unknown"
    positives: set[str] = field(default_factory=set)  # chronic markers found: hiv, anti_hcv
    pending: list[tuple[dt.date, int]] = field(default_factory=list)  # vaccine doses to come


class World:
    """Every person created so far, the random generator and the site hierarchy."""

    def __init__(self, rng: np.random.Generator, sites: Sites):
        self.rng = rng
        self.sites = sites
        self.persons: list[Person] = []
        self._pseudonyms: set[str] = set()
        self._site_weights: dict[str, dict[str, float]] = {}

    def pseudonym(self) -> str:
        """A fresh pseudonym, clearly synthetic: ``SYN-`` and six hex digits."""
        while True:
            code = f"SYN-{int(self.rng.integers(0, 16 ** 6)):06X}"
            if code not in self._pseudonyms:
                self._pseudonyms.add(code)
                return code

    def site_weights(self, antenna: str) -> dict[str, float]:
        """Weights of the antenna's sites (``design.SITE_WEIGHTS``, else equal)."""
        if antenna not in self._site_weights:
            weights = D.SITE_WEIGHTS.get(antenna, {})
            self._site_weights[antenna] = {
                s: weights.get(s, 1.0) for s in self.sites.sites_of("antenna", antenna)
            }
        return self._site_weights[antenna]


def weighted_order(rng: np.random.Generator, items: list, weights) -> list:
    """``items`` in a random order where heavier items tend to come first (Efraimidis-Spirakis)."""
    if not items:
        return []
    w = np.asarray(weights, dtype=float)
    keys = rng.random(len(items)) ** (1.0 / w)
    return [items[i] for i in np.argsort(-keys, kind="stable")]


def choose(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


class _Quota:
    """Remaining places of a year: origin group per antenna, gender, age bounds."""

    def __init__(self, spec: YearSpec):
        self.year = spec.year
        self.groups = {a: dict(g) for a, g in spec.groups.items()}
        self.genders = dict(spec.genders)
        self.age_min, self.age_max = int(spec.age["min"]), int(spec.age["max"])

    def fits(self, p: Person) -> bool:
        age = self.year - p.birth_year
        return (
            self.groups[p.antenna][p.group] > 0
            and self.genders[p.gender] > 0
            and self.age_min <= age <= self.age_max
        )

    def take(self, p: Person) -> None:
        self.groups[p.antenna][p.group] -= 1
        self.genders[p.gender] -= 1


def _returning(world: World, spec: YearSpec, quota: _Quota, known: dict[str, int]) -> dict[str, list[Person]]:
    """Known persons of the year seen in an earlier year: carried vaccinations first."""
    year, rng = spec.year, world.rng
    members: dict[str, list[Person]] = {a: [] for a in spec.antenna_persons}
    for p in world.persons:
        if p.pending and p.pending[0][0].year == year:
            if quota.fits(p) and len(members[p.antenna]) < known[p.antenna]:
                quota.take(p)
                members[p.antenna].append(p)
            else:
                p.pending = []  # lost to follow-up: the series stays incomplete
    taken = {p.pid for ps in members.values() for p in ps}
    for antenna in spec.antenna_persons:
        want = round(D.RETURNING_SHARE * known[antenna]) - len(members[antenna])
        pool = [
            p
            for p in world.persons
            if p.antenna == antenna
            and p.pid not in taken
            and p.seen
            and 0 < year - p.seen[-1] <= max(D.RECENCY_WEIGHTS)
        ]
        weights = [D.RECENCY_WEIGHTS[year - p.seen[-1]] for p in pool]
        for p in weighted_order(rng, pool, weights):
            if want <= 0:
                break
            if quota.fits(p):
                quota.take(p)
                members[antenna].append(p)
                want -= 1
    return members


def _fresh_ages(
    rng: np.random.Generator, spec: YearSpec, lows: np.ndarray, fixed_ages: list[int]
) -> np.ndarray:
    """Ages of the fresh persons so that min, max and mean of the year hold."""
    age = spec.age
    high = int(age["max"])
    ages = np.clip(np.rint(rng.normal(D.AGE["mean"], D.AGE["sd"], len(lows))), lows, high).astype(int)
    locked = np.zeros(len(ages), dtype=bool)
    if age["exact_min"] and int(age["min"]) not in fixed_ages:
        i = int(np.flatnonzero(lows <= age["min"])[0])
        ages[i], locked[i] = int(age["min"]), True
    if age["exact_max"] and high not in fixed_ages:
        i = int(np.flatnonzero(~locked)[-1])
        ages[i], locked[i] = high, True
    if age["mean"] is not None:
        _shift_mean(rng, ages, lows, high, locked, fixed_ages, float(age["mean"]))
    return ages


def _shift_mean(rng, ages, lows, high, locked, fixed_ages, target: float) -> None:
    """Move free ages one year at a time until the year's mean is within 0,15 of ``target``."""
    n_all = len(ages) + len(fixed_ages)
    fixed_sum = sum(fixed_ages)
    for _ in range(50):
        gap = target * n_all - (fixed_sum + ages.sum())
        if abs(gap) <= 0.15 * n_all:
            return
        step = 1 if gap > 0 else -1
        movable = np.flatnonzero(~locked & ((ages < high - 1) if step > 0 else (ages > lows + 1)))
        k = min(len(movable), int(abs(gap)))
        ages[rng.choice(movable, size=k, replace=False)] += step
    raise EspacepError(f"{len(ages)} fresh ages cannot reach a mean of {target}")


def _country(rng: np.random.Generator, antenna: str, year: int, group: str) -> str:
    mix = {c: w for c, w in country_mix(antenna, year).items() if D.COUNTRY_GROUPS[c] == group}
    if not mix:
        mix = {c: 1.0 for c, g in D.COUNTRY_GROUPS.items() if g == group}
    return choose(rng, mix)


def _past_inclusion(rng: np.random.Generator, birth_year: int, year: int) -> dt.date:
    """An inclusion date before ``year``, at 18 or older."""
    first = dt.date(max(birth_year + 18, D.EARLIEST_INCLUSION_YEAR), 1, 1)
    last = dt.date(year - 1, 12, 31)
    if first > last:
        raise EspacepError(f"a person born in {birth_year} cannot be known in {year}")
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _fresh_slots(
    world: World, spec: YearSpec, quota: _Quota, known: dict[str, int], members: dict[str, list[Person]]
) -> list[tuple[str, bool, str, str]]:
    """(antenna, is_new, group, gender) of every person to create, from the places left."""
    rng = world.rng
    slots = []
    for antenna in spec.antenna_persons:
        groups = [g for g, c in quota.groups[antenna].items() for _ in range(c)]
        n_known = known[antenna] - len(members[antenna])
        if n_known < 0 or len(groups) != spec.antenna_persons[antenna] - len(members[antenna]):
            raise EspacepError(f"{spec.year} {antenna}: origin quotas do not add up")
        for j, i in enumerate(rng.permutation(len(groups))):
            slots.append((antenna, j >= n_known, groups[i]))
    genders = [g for g, c in quota.genders.items() for _ in range(c)]
    if len(genders) != len(slots):
        raise EspacepError(f"{spec.year}: gender quotas ({len(genders)}) != fresh persons ({len(slots)})")
    return [(a, new, grp, genders[i]) for (a, new, grp), i in zip(slots, rng.permutation(len(genders)))]


def select_year(world: World, spec: YearSpec) -> tuple[list[Person], set[int]]:
    """The persons seen in ``spec.year`` (returning ones and fresh ones) and the new ones' ids."""
    rng, year = world.rng, spec.year
    quota = _Quota(spec)
    known = {a: n - spec.antenna_new[a] for a, n in spec.antenna_persons.items()}
    members = _returning(world, spec, quota, known)
    slots = _fresh_slots(world, spec, quota, known, members)
    low_known = max(D.AGE["known_low"], int(spec.age["min"]))
    lows = np.array([int(spec.age["min"]) if new else low_known for _, new, _, _ in slots])
    fixed_ages = [year - p.birth_year for ps in members.values() for p in ps]
    ages = _fresh_ages(rng, spec, lows, fixed_ages)
    new_ids = set()
    for (antenna, new, group, gender), age in zip(slots, ages):
        birth_year = year - int(age)
        p = Person(
            pid=len(world.persons),
            pseudonym=world.pseudonym(),
            birth_year=birth_year,
            gender=gender,
            nationality=_country(rng, antenna, year, group),
            group=group,
            antenna=antenna,
            site=choose(rng, world.site_weights(antenna)),
        )
        if new:
            new_ids.add(p.pid)
        else:
            p.inclusion = _past_inclusion(rng, birth_year, year)
        world.persons.append(p)
        members[antenna].append(p)
    everyone = [p for antenna in spec.antenna_persons for p in members[antenna]]
    for p in everyone:
        p.seen.append(year)
    return everyone, new_ids
