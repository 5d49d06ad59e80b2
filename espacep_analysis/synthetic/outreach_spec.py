"""The counts a year's outreach rows must hit, per region: printed AViQ / Cocof figures first.

`outreach_spec` turns the targets of one region and year (``aviq.*`` for
Wallonia, ``cocof.*`` for Brussels) and the outreach design constants into
integer counts: persons met per site (at their first site of the year),
contacts per site, persons met online, demands, social-action persons and
the place of their first contact. `site_counts` resolves a figure printed for
sites, antennas, provinces, groups of sites or the whole region into one count
per site, and fails when the printed figures do not add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import EspacepError
from ..sites import Sites
from . import design as D
from .spec import apportion
from .targets import Target, TargetBook, approx_count

PREFIX = {"wallonie": "aviq.", "bruxelles": "cocof."}
FUNDER = {"wallonie": "aviq", "bruxelles": "cocof"}
# Demand code -> the ids of the figures that print its count, per funder prefix
DEMAND_IDS: dict[str, dict[str, tuple[str, ...]]] = {
    "aviq.": {
        "prevention_material": ("aviq.prevention_material",),
        "addiction": ("aviq.demands.addiction", "aviq.addiction_interventions"),
    },
    "cocof.": {
        "contraception_information": ("cocof.contraception_information",),
        "health_questionnaire": ("cocof.health_questionnaires",),
        "violence": ("cocof.violence_prevention_interventions",),
        "addiction": ("cocof.addiction_reorientations",),
    },
}


@dataclass
class OutreachSpec:
    """Integer counts of one region's outreach rows in one year; see the module docstring."""

    year: int
    region: str
    site_persons: dict[str, int]
    site_contacts: dict[str, int]
    printed_contacts: set[str]  # sites whose contacts a printed figure fixes
    dating_persons: int  # persons with a contact on a dating / escort platform
    facebook_persons: int  # further persons with a Facebook / other online contact
    internet_persons: int  # persons with any internet contact (when no dating count)
    demands: dict[str, int]  # per demand code, except medical_consultation, trafficking
    medical_demands: int | None  # consultations recorded as demands (None: from the rows)
    trafficking_persons: int
    social_persons: int
    places: dict[str, int]  # persons per place of their first contact of the year

    @property
    def persons(self) -> int:
        return sum(self.site_persons.values())


def scope_sites(sites: Sites, scope: str, scope_all: list[str]) -> list[str]:
    """The sites a scope string covers (``all``, ``<level>:<code>``, ``sites:<a>+<b>``)."""
    if scope == "all":
        return list(scope_all)
    level, _, code = scope.partition(":")
    if level == "site":
        return [code]
    if level == "sites":
        return code.split("+")
    return sites.sites_of(level, code)


def volume(rng: np.random.Generator, base: float, year: int) -> int:
    """A design count for ``year``: ``base`` times the year's volume, with a little noise."""
    if base <= 0:
        return 0
    factor = D.OUTREACH_VOLUME.get(year, 1.0) * (1 + D.OUTREACH_NOISE * rng.normal())
    return max(1, int(round(base * factor)))


def site_counts(
    rng: np.random.Generator,
    book: TargetBook,
    full_id: str,
    year: int,
    sites: Sites,
    scope_all: list[str],
    design: Mapping[str, float],
) -> dict[str, int]:
    """One count per site of ``scope_all``: printed figures (most specific first), then design.

    A printed figure for several sites gives its sites without a figure of
    their own what the others leave, in proportion to ``design``.
    """
    targets = book.scopes(full_id, year)
    out: dict[str, int] = {}
    for scope, target in sorted(targets.items(), key=lambda st: len(scope_sites(sites, st[0], scope_all))):
        members = scope_sites(sites, scope, scope_all)
        total = approx_count(target, rng.random())
        free = [s for s in members if s not in out]
        rest = total - sum(out[s] for s in members if s in out)
        if free:
            weights = {s: design.get(s, 0.0) or 1e-9 for s in free}
            out.update(apportion(rest, weights) if rest > 0 else dict.fromkeys(free, 0))
        if rest < 0 or (not free and rest != 0):
            raise EspacepError(
                f"{full_id} {year}: the printed figure of {scope} ({target.printed}) "
                f"does not add up with those of its sites"
            )
    for s in scope_all:
        if s not in out:
            out[s] = volume(rng, design.get(s, 0.0), year)
    _check_sums(book, full_id, year, sites, scope_all, out)
    return {s: out[s] for s in scope_all}


def _check_sums(book, full_id, year, sites, scope_all, out) -> None:
    for scope, target in book.scopes(full_id, year).items():
        total = sum(out[s] for s in scope_sites(sites, scope, scope_all))
        if not target.contains(total):
            raise EspacepError(f"{full_id} {year} {scope}: sites add up to {total}, printed {target.printed}")


def _count(rng, book: TargetBook, ids, year: int, design: float) -> int:
    """The first printed count among ``ids`` (within its tolerance), else the design volume."""
    for full_id in ids:
        target = book.find(full_id, year)
        if target is not None:
            return approx_count(target, rng.random())
    return volume(rng, design, year)


def _demands(rng, book: TargetBook, region: str, year: int) -> dict[str, int]:
    prefix = PREFIX[region]
    aliases = DEMAND_IDS[prefix]
    out = {}
    for code, design in D.DEMANDS[region].items():
        ids = (f"{prefix}demands.{code}",) + aliases.get(code, ())
        out[code] = _count(rng, book, ids, year, design)
    return out


def fit_places(book: TargetBook, prefix: str, year: int, n_design: int) -> tuple[int, dict[str, int]]:
    """Persons with a first contact and their count per place: printed shares hold, counts sum to n."""
    targets = {p: book.find(f"{prefix}first_contact_place.{p}", year) for p in D.FIRST_CONTACT_PLACES}
    if all(t is None for t in targets.values()):
        return n_design, apportion(n_design, D.FIRST_CONTACT_PLACES)
    for step in range(n_design):
        for n in (n_design - step, n_design + step):
            counts = _place_counts(targets, n)
            if n > 0 and counts is not None:
                return n, counts
    raise EspacepError(
        f"{prefix}first_contact_place {year}: no number of persons near {n_design} "
        f"gives the printed shares"
    )


def _number(target: Target | None) -> float:
    """The value of a target known to be there."""
    if target is None:
        raise EspacepError("synthetic: a share without its target")
    return target.number


def _place_counts(targets: dict[str, Target | None], n: int) -> dict[str, int] | None:
    """Counts per place summing to ``n`` with every printed share inside its interval, or None."""
    options: dict[str, list[int] | None] = {}
    for place, target in targets.items():
        if target is None:
            options[place] = None
            continue
        options[place] = [k for k in range(n + 1) if target.contains(k / n, 1e-9)]
        if not options[place]:
            return None
    free = [p for p, o in options.items() if o is None]
    fixed = [p for p, o in options.items() if o is not None]
    best = None
    grid: np.ndarray = np.array(np.meshgrid(*[options[p] for p in fixed])).T.reshape(-1, len(fixed))
    for combo in grid:
        rest = n - int(combo.sum())
        if rest < 0 or (not free and rest != 0):
            continue
        gap = sum(abs(int(k) - _number(targets[p]) * n) for p, k in zip(fixed, combo))
        if best is None or gap < best[0]:
            best = (gap, dict(zip(fixed, (int(k) for k in combo))), rest)
    if best is None:
        return None
    counts = best[1]
    if free:
        counts.update(apportion(best[2], {p: D.FIRST_CONTACT_PLACES[p] for p in free}))
    return {p: counts[p] for p in D.FIRST_CONTACT_PLACES}


def outreach_spec(
    rng: np.random.Generator, book: TargetBook, sites: Sites, region: str, year: int
) -> OutreachSpec:
    """Every count of one region's outreach rows in ``year`` (see the module docstring)."""
    prefix = PREFIX[region]
    scope_all = sites.funder_sites(FUNDER[region])
    persons = site_counts(rng, book, prefix + "persons_met", year, sites, scope_all, D.OUTREACH_PERSONS)
    contacts = site_counts(rng, book, prefix + "contacts", year, sites, scope_all, D.OUTREACH_CONTACTS)
    n = sum(persons.values())
    dating = _count(rng, book, [prefix + "dating_site_persons"], year, D.DATING_PERSONS[region] * n)
    online = D.INTERNET_PERSONS[region]
    internet = _count(rng, book, [prefix + "internet_persons"], year, (online or 0.0) * n)
    medical = book.find(prefix + "demands.medical_consultation", year)
    trafficking = _count(
        rng, book, [prefix + "trafficking_accompaniments"], year, D.TRAFFICKING_PERSONS[region]
    )
    social, places = fit_places(book, prefix, year, round(D.SOCIAL_PERSONS[region] * n))
    return OutreachSpec(
        year=year,
        region=region,
        site_persons=persons,
        site_contacts=contacts,
        printed_contacts=set().union(
            *[scope_sites(sites, scope, scope_all) for scope in book.scopes(prefix + "contacts", year)]
        ),
        dating_persons=dating,
        facebook_persons=round(D.FACEBOOK_PERSONS[region] * n),
        internet_persons=internet,
        demands=_demands(rng, book, region, year),
        medical_demands=None if medical is None else approx_count(medical, 0.0),
        trafficking_persons=trafficking,
        social_persons=social,
        places=places,
    )
