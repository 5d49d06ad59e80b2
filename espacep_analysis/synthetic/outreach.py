"""Outreach: the persons met each year and their contacts (table ``contacts``).

Per region and year (Wallonia, Brussels), the persons met at each site (each
counted at the site of their first contact of the year) are, in this order:
the persons seen in consultation that year (``MEDICAL_MET`` of them, first met
at the site of their first consultation, on that day or up to 60 days
before), persons met at that site in the previous two years, persons seen in
consultation in another year of the data (same home site), and new
outreach-only pseudonyms (many people met in outreach never consult). Their
number per site is the spec's, exactly.

Contacts of a site: each person's first contact, a contact on every
consultation day of the persons met (the social worker was there), a few
anonymous contacts, and further contacts spread over the site's persons
(heavy-tailed) and a few persons of another site of the province, always
after the person's first contact, up to the site's exact count. The persons
met online then get internet contacts by turning free contacts into internet
ones, which keeps every count.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..errors import EspacepError
from ..sites import Sites
from . import design as D
from .outreach_spec import OutreachSpec
from .people import Person, weighted_order


@dataclass
class Met:
    """One person met in outreach in one region and year."""

    pseudonym: str
    site: str  # site of the first contact of the year
    workplace: str
    first_day: dt.date
    consultations: list[tuple[dt.date, str]] = field(default_factory=list)  # this year's
    place: str | None = None  # first-contact place (persons with social actions)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def medical(self) -> bool:
        return bool(self.consultations)


@dataclass
class Contact:
    """One row of ``contacts``; ``free``: its channel may still become internet."""

    date: dt.date
    site: str
    pseudonym: str | None
    channel: str
    workplace: str | None
    platform: str | None = None
    free: bool = True

    def row(self) -> tuple:
        return (self.date, self.site, self.pseudonym, self.channel, self.platform, self.workplace)


class OutreachWorld:
    """What the outreach builders share across years: medical visits, past outreach, pseudonyms."""

    def __init__(
        self, rng: np.random.Generator, sites: Sites, persons: list[Person], consultations: list[tuple]
    ):
        self.rng = rng
        self.sites = sites
        self.person = {p.pseudonym: p for p in persons}
        self.taken = set(self.person)
        self.visits: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for row in consultations:  # pseudonym, date, site, workplace, ...
            self.visits[row[1].year][row[0]].append((row[1], row[2], row[3]))
        self.pool: dict[str, dict[str, tuple[str, int]]] = defaultdict(
            dict
        )  # site -> pseudonym -> (workplace, year)
        self._antenna = sites.frame["antenna"].astype(str).to_dict()
        self._region = sites.frame["region"].astype(str).to_dict()

    def pseudonym(self) -> str:
        """A new outreach-only pseudonym (``SYN-`` and six hex digits, unused so far)."""
        while True:
            code = f"SYN-{int(self.rng.integers(0, 16 ** 6)):06X}"
            if code not in self.taken:
                self.taken.add(code)
                return code

    def add_medical(self, persons: list[Person], consultations: list[tuple]) -> None:
        """Persons and consultations of later medical years (`next_year`), built after this world."""
        self.person.update((p.pseudonym, p) for p in persons)
        self.taken.update(p.pseudonym for p in persons)
        for row in consultations:
            self.visits[row[1].year][row[0]].append((row[1], row[2], row[3]))

    def antenna(self, site: str) -> str:
        return self._antenna[site]

    def region(self, site: str) -> str:
        return self._region[site]


def pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    """One key of ``weights``, drawn in proportion to its weight (one uniform draw)."""
    keys = list(weights)
    cumulative = np.cumsum([weights[k] for k in keys])
    return keys[int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))]


def year_position(rng: np.random.Generator, days: list[dt.date], n: int) -> list[dt.date]:
    """``n`` weekdays of the year, early ones likelier (people met again in January)."""
    pos = rng.beta(*D.FIRST_DAY_BETA, size=n)
    return [days[min(int(p * len(days)), len(days) - 1)] for p in pos]


def _medical_met(ow: OutreachWorld, spec: OutreachSpec) -> dict[str, list[Met]]:
    """Persons seen in consultation this year and met in outreach, per first site (capped by the spec)."""
    visits = ow.visits[spec.year]
    mine = sorted(p for p, v in visits.items() if ow.region(v[0][1]) == spec.region)
    keep = round(D.MEDICAL_MET[spec.region] * len(mine))
    chosen = [mine[i] for i in sorted(ow.rng.permutation(len(mine))[:keep])]
    by_site: dict[str, list[Met]] = defaultdict(list)
    for pseudonym in chosen:
        days = sorted(visits[pseudonym])
        m = Met(pseudonym, days[0][1], days[0][2], days[0][0], [(d, s) for d, s, _ in days])
        by_site[m.site].append(m)
    for site, group in by_site.items():
        if len(group) > spec.site_persons[site]:  # not all of them met in outreach
            order = ow.rng.permutation(len(group))[: spec.site_persons[site]]
            by_site[site] = [group[i] for i in sorted(order)]
    return by_site


def _others(
    ow: OutreachWorld, spec: OutreachSpec, site: str, n: int, busy: set[str], days: list[dt.date]
) -> list[Met]:
    """``n`` persons met at ``site`` who did not consult this year: returning, other-year medical, new."""
    rng, year = ow.rng, spec.year
    pool = [p for p, (_, y) in sorted(ow.pool[site].items()) if 0 < year - y <= 2 and p not in busy]
    returning = [pool[i] for i in rng.permutation(len(pool))[: round(D.OUTREACH_RETURNING * n)]]
    names = list(returning)
    busy.update(names)
    seen_other = sorted(
        p.pseudonym
        for p in ow.person.values()
        if p.site == site
        and p.pseudonym not in busy
        and any(p.pseudonym in ow.visits[y] for y in ow.visits if y != year)
    )
    take = min(len(seen_other), round(D.OTHER_YEAR_MEDICAL * n), n - len(names))
    names += [seen_other[i] for i in rng.permutation(len(seen_other))[:take]]
    busy.update(names)
    workplaces = [
        ow.pool[site][p][0] if p in ow.pool[site] else (ow.person[p].workplace or "other") for p in names
    ]
    affinity = D.WORKPLACE_AFFINITY[ow.antenna(site)]
    while len(names) < n:
        names.append(ow.pseudonym())
        workplaces.append(pick(rng, affinity))
    firsts = year_position(rng, days, n)
    return [Met(p, site, w, d) for p, w, d in zip(names, workplaces, firsts)]


def met_persons(ow: OutreachWorld, spec: OutreachSpec, days: list[dt.date]) -> list[Met]:
    """The persons met in ``spec``'s region and year, exactly ``spec.site_persons`` per first site."""
    medical = _medical_met(ow, spec)
    busy = set(ow.visits[spec.year])  # nobody seen medically this year fills an outreach-only place
    out = []
    for site, n in spec.site_persons.items():
        mine = medical.get(site, [])
        out += mine + _others(ow, spec, site, n - len(mine), busy, days)
    for m in out:
        ow.pool[m.site][m.pseudonym] = (m.workplace, spec.year)
    return out


def _room(spec: OutreachSpec, met: list[Met]) -> dict[str, int]:
    """Contacts a site can still give to early first contacts once every person's first contact,
    every consultation day and the anonymous contacts are counted (printed counts only)."""
    used = dict.fromkeys(spec.site_contacts, 0)
    for m in met:
        used[m.site] += 1
        for day, site in m.consultations:
            used[site] += (day, site) != (m.first_day, m.site)
    return {
        s: (
            spec.site_contacts[s] - used[s] - round(D.ANONYMOUS_CONTACTS * spec.site_contacts[s])
            if s in spec.printed_contacts
            else len(met)
        )
        for s in used
    }


def plan_first_contacts(ow: OutreachWorld, spec: OutreachSpec, met: list[Met], days: list[dt.date]) -> None:
    """Medical persons first met before their first consultation: always when their place is not
    the consultation channel's, else with probability ``PRE_CONSULTATION_CONTACT``, while the
    site's printed contacts leave room (an early contact adds one contact). A medical person whose
    site has no room swaps places with a person met off the tours (the counts per place stay)."""
    rng, channel = ow.rng, D.CONSULTATION_CHANNEL[spec.region]
    room = _room(spec, met)
    partners = [m for m in met if m.place == channel and not m.medical]
    partners = [partners[i] for i in rng.permutation(len(partners))]
    forced = [m for m in met if m.medical and m.place not in (None, channel)]
    optional = [m for m in met if m.medical and m.place in (None, channel)]
    for m in forced + optional:
        low = bisect.bisect_left(days, m.first_day - dt.timedelta(days=D.PRE_CONSULTATION_DAYS))
        earlier = days[low : bisect.bisect_left(days, m.first_day)]
        if m.place not in (None, channel) and (not earlier or room[m.site] <= 0):
            if not partners:
                raise EspacepError(f"{spec.year} {m.site}: no room for a first contact before {m.first_day}")
            partner = partners.pop()
            partner.place, m.place = m.place, channel
            continue
        if m.place not in (None, channel) or (rng.random() < D.PRE_CONSULTATION_CONTACT and room[m.site] > 0):
            m.first_day = earlier[int(rng.integers(0, len(earlier)))] if earlier else m.first_day
            room[m.site] -= bool(earlier)


def _first_channel(m: Met, consultation_channel: str) -> tuple[str | None, bool]:
    """Channel of the first contact (None: drawn later) and whether it may still become internet."""
    if m.place is not None:
        return m.place, False
    if m.medical and m.first_day == m.consultations[0][0]:
        return consultation_channel, False
    return None, True


def _spread(
    rng: np.random.Generator,
    persons: list[Met],
    n: int,
    site: str,
    days: list[dt.date],
    after: bool,
    used: set[tuple],
) -> list[Contact]:
    """``n`` further contacts at ``site`` with ``persons``, on weekdays from their first contact on
    (strictly after it when ``after``), one per person, day and site; heavy-tailed per person."""
    if n == 0:
        return []
    start = np.array([bisect.bisect_left(days, m.first_day) + int(after) for m in persons])
    room = np.clip(len(days) - start, 0, None)
    weights = rng.gamma(D.CONTACT_SPREAD, 1.0, len(persons)) * room / len(days)
    out: list[Contact] = []
    while len(out) < n:
        if weights.sum() <= 0:
            raise EspacepError(f"{site}: no room for {n} further contacts")
        for i in rng.choice(len(persons), size=n - len(out), p=weights / weights.sum()):
            m = persons[i]
            for _ in range(20):
                day = days[int(start[i] + rng.integers(0, room[i]))]
                if (m.pseudonym, day, site) not in used:
                    break
            else:
                weights[i] = 0.0  # (nearly) every day of the person's year is taken
                continue
            used.add((m.pseudonym, day, site))
            out.append(Contact(day, site, m.pseudonym, "", m.workplace))
    return out


def _anonymous(ow: OutreachWorld, site: str, n: int, days: list[dt.date]) -> list[Contact]:
    rng, out = ow.rng, []
    affinity = D.WORKPLACE_AFFINITY[ow.antenna(site)]
    for _ in range(n):
        channel = pick(rng, D.ANONYMOUS_CHANNELS)
        workplace = pick(rng, affinity) if channel == "field" else None
        out.append(Contact(days[int(rng.integers(0, len(days)))], site, None, channel, workplace, free=False))
    return out


def build_contacts(
    ow: OutreachWorld, spec: OutreachSpec, met: list[Met], days: list[dt.date]
) -> list[Contact]:
    """Every contact of the region and year: exactly ``spec.site_contacts`` per site."""
    rng = ow.rng
    consultation_channel = D.CONSULTATION_CHANNEL[spec.region]
    used: set[tuple] = set()
    fixed: list[Contact] = []
    for m in met:
        channel, free = _first_channel(m, consultation_channel)
        m.contacts = [Contact(m.first_day, m.site, m.pseudonym, channel or "", m.workplace, free=free)]
        for day, site in m.consultations:
            if (day, site) != (m.first_day, m.site):
                m.contacts.append(
                    Contact(day, site, m.pseudonym, consultation_channel, m.workplace, free=False)
                )
        used.update((c.pseudonym, c.date, c.site) for c in m.contacts)
        fixed += m.contacts
    by_site = defaultdict(list)
    for m in met:
        by_site[m.site].append(m)
    province = ow.sites.frame["province"]
    further: list[Contact] = []
    for site, total in spec.site_contacts.items():
        n_fixed = sum(1 for c in fixed if c.site == site)
        if site not in spec.printed_contacts:  # a design volume never cuts a consultation day
            total = max(total, round(n_fixed * (1 + D.FURTHER_CONTACTS_MIN)))
        anonymous = min(round(D.ANONYMOUS_CONTACTS * total), max(0, total - n_fixed))
        extra = total - n_fixed - anonymous
        if extra < 0:
            raise EspacepError(
                f"{spec.year} {site}: {total} contacts cannot cover the {n_fixed} "
                f"first contacts and consultation days"
            )
        movers = [
            m for s in spec.site_contacts if s != site and province[s] == province[site] for m in by_site[s]
        ]
        n_movers = round(D.OUTREACH_MOVERS * extra) if movers else 0
        further += _spread(rng, by_site[site], extra - n_movers, site, days, False, used)
        further += _spread(rng, movers, n_movers, site, days, True, used)
        further += _anonymous(ow, site, anonymous, days)
    owner = {m.pseudonym: m for m in met}
    for c in further:
        if c.pseudonym is not None:
            owner[c.pseudonym].contacts.append(c)
    contacts = fixed + further
    _draw_channels(rng, contacts)
    return contacts


def _draw_channels(rng: np.random.Generator, contacts: list[Contact]) -> None:
    """Channels of the contacts that have none yet, from ``design.CHANNELS``."""
    todo = [c for c in contacts if not c.channel]
    keys = list(D.CHANNELS)
    p = np.array([D.CHANNELS[k] for k in keys])
    for c, k in zip(todo, rng.choice(len(keys), size=len(todo), p=p / p.sum())):
        c.channel = keys[int(k)]


def _online(
    rng: np.random.Generator, persons: list[Met], mix: dict[str, float], first_mix: dict[str, float]
) -> None:
    """Turn one free contact of each person into an internet contact (platform from ``first_mix``),
    and each further free contact with probability ``EXTRA_INTERNET`` (platform from ``mix``)."""
    for m in persons:
        free = [c for c in m.contacts if c.free]
        first = free[int(rng.integers(0, len(free)))]
        for c in free:
            if c is first or rng.random() < D.EXTRA_INTERNET:
                c.channel, c.platform = "internet", pick(rng, first_mix if c is first else mix)
            c.free = False


def go_online(ow: OutreachWorld, spec: OutreachSpec, met: list[Met]) -> None:
    """Internet contacts: exactly ``dating_persons`` persons on dating sites (Wallonia), plus
    Facebook contacts; or exactly ``internet_persons`` persons on any platform (Brussels)."""
    rng = ow.rng
    eligible = [m for m in met if any(c.free for c in m.contacts)]
    weights = [D.PRIVATE_ONLINE_WEIGHT if m.workplace == "private" else 1.0 for m in eligible]
    order = weighted_order(rng, eligible, weights)
    if spec.dating_persons:
        wanted = spec.dating_persons + spec.facebook_persons
        dating, social = order[: spec.dating_persons], order[spec.dating_persons : wanted]
        mix = {**D.DATING_PLATFORMS, **{k: v * 0.3 for k, v in D.WALLONIA_SOCIAL_MEDIA.items()}}
        _online(rng, dating, mix, D.DATING_PLATFORMS)
        _online(rng, social, D.WALLONIA_SOCIAL_MEDIA, D.WALLONIA_SOCIAL_MEDIA)
    else:
        wanted = spec.internet_persons
        _online(rng, order[:wanted], D.BRUSSELS_PLATFORMS, D.BRUSSELS_PLATFORMS)
    if len(order) < wanted:
        raise EspacepError(
            f"{spec.year} {spec.region}: {len(order)} persons with a free contact, "
            f"{wanted} to meet online"
        )


def contact_rows(contacts: list[Contact]) -> list[tuple]:
    """Rows of ``codes.COLUMNS['contacts']``."""
    return [c.row() for c in contacts]
