"""Social actions: the demands social workers record during their contacts (table ``social_actions``).

Every social action lies on a contact of the same person, day and site. In
Wallonia the consultations are recorded as ``medical_consultation`` demands
(the report's 1445 of the 1449 consultations), so the persons seen medically
have social actions. The persons with social actions are those, then other
persons met, up to the spec's number; each gets the place of their first
contact of the year (the spec's counts per place, exact), their first contact
has that channel, and their earliest social action, on that first contact, is
flagged ``first_contact``. Demand counts are the spec's, exactly: one demand
per person on the first contact when nothing else is recorded there, the rest
spread over the persons (heavy-tailed, addiction and violence likelier for
street workers), on random contacts of theirs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from ..errors import EspacepError
from . import design as D
from .outreach import Met, OutreachWorld
from .outreach_spec import OutreachSpec
from .people import weighted_order
from .targets import TargetBook


def medical_demand_rows(ow: OutreachWorld, spec: OutreachSpec, met: list[Met]) -> list[list]:
    """``[date, site, pseudonym, "medical_consultation"]`` for the consultations recorded as demands."""
    missed = D.MEDICAL_DEMAND_MISSED[spec.region]
    if spec.medical_demands is None and missed is None:
        return []
    visits = ow.visits[spec.year]
    total = sum(len(v) for v in visits.values() if ow.region(v[0][1]) == spec.region)
    # missed is set whenever medical_demands is not (the early return above)
    wanted = spec.medical_demands if spec.medical_demands is not None else total - (missed or 0)
    available = [(day, site, m.pseudonym) for m in met for day, site in m.consultations]
    if not 0 <= wanted <= len(available):
        raise EspacepError(
            f"{spec.year} {spec.region}: {wanted} consultation demands, "
            f"{len(available)} consultations of persons met in outreach"
        )
    chosen = sorted(ow.rng.permutation(len(available))[:wanted])
    return [[*available[i], "medical_consultation"] for i in chosen]


def assign_places(
    ow: OutreachWorld, spec: OutreachSpec, met: list[Met], medical_rows: list[list], days: list[dt.date]
) -> list[Met]:
    """The persons with social actions, each with the place of their first contact of the year."""
    rng = ow.rng
    must = {row[2] for row in medical_rows}
    if len(must) > spec.social_persons:
        raise EspacepError(
            f"{spec.year} {spec.region}: {len(must)} persons with a consultation demand, "
            f"only {spec.social_persons} persons with social actions"
        )
    others = [m for m in met if m.pseudonym not in must]
    picked = [others[i] for i in sorted(rng.permutation(len(others))[: spec.social_persons - len(must)])]
    social = [m for m in met if m.pseudonym in must] + picked
    channel = D.CONSULTATION_CHANNEL[spec.region]
    stuck = [m for m in social if m.medical and m.first_day <= days[0]]  # no earlier day to meet them
    left = dict(spec.places)
    left[channel] -= len(stuck)
    # the other places first, to persons likelier met off the tours (not seen medically)
    places = [p for p, k in left.items() if p != channel for _ in range(k)] + [channel] * max(
        left[channel], 0
    )
    free = [m for m in social if m not in stuck]
    if left[channel] < 0 or len(places) != len(free):
        raise EspacepError(
            f"{spec.year} {spec.region}: cannot give {len(social)} persons their first-contact places"
        )
    for m in stuck:
        m.place = channel
    order = weighted_order(rng, free, [1.0 if m.medical else D.OFF_TOUR_WEIGHT for m in free])
    for m, i in zip(order, rng.permutation(len(places) - left[channel])):
        m.place = places[int(i)]  # the other places, shuffled among them
    for m in order[len(places) - left[channel] :]:
        m.place = channel
    return social


def _weights(rng: np.random.Generator, social: list[Met], demand: str, base: np.ndarray) -> np.ndarray:
    factor = D.DEMAND_WORKPLACE.get(demand, {})
    return base * np.array([factor.get(m.workplace, 1.0) for m in social])


def social_rows(
    ow: OutreachWorld, spec: OutreachSpec, social: list[Met], medical_rows: list[list]
) -> list[tuple]:
    """Every social action of the region and year, rows of ``codes.COLUMNS['social_actions']``."""
    rng = ow.rng
    rows = [list(r) for r in medical_rows]
    first = {m.pseudonym: (m.first_day, m.site) for m in social}
    anchored = {r[2] for r in rows if (r[0], r[1]) == first[r[2]]}

    recorded = {tuple(r) for r in rows}

    def on(m: Met, demand: str, contact=None) -> None:
        """Record ``demand`` on ``contact``, else on a random contact (rarely the same demand twice a day)."""
        for _ in range(1 if contact else D.DEMAND_RETRIES):
            c = contact or m.contacts[int(rng.integers(0, len(m.contacts)))]
            if (c.date, c.site, m.pseudonym, demand) not in recorded:
                break
        recorded.add((c.date, c.site, m.pseudonym, demand))
        rows.append([c.date, c.site, m.pseudonym, demand])

    per_victim = D.TRAFFICKING_ROWS_PER_PERSON[spec.region]
    followed = [m for m in social if len(m.contacts) >= per_victim]  # one action per contact
    if len(followed) < spec.trafficking_persons:
        raise EspacepError(
            f"{spec.year} {spec.region}: too few persons for {spec.trafficking_persons} victims"
        )
    for i in sorted(rng.permutation(len(followed))[: spec.trafficking_persons]):
        m = followed[int(i)]
        for k in range(per_victim):
            on(m, "trafficking", m.contacts[0] if k == 0 and m.pseudonym not in anchored else None)
        anchored.add(m.pseudonym)
    pending = [d for d, k in spec.demands.items() for _ in range(k)]
    need = [m for m in social if m.pseudonym not in anchored]
    if len(need) > len(pending):
        raise EspacepError(f"{spec.year} {spec.region}: {len(pending)} demands for {len(need)} persons")
    order = rng.permutation(len(pending))
    for m, i in zip(need, order):
        on(m, pending[int(i)], m.contacts[0])
    rest: defaultdict[str, int] = defaultdict(int)
    for i in order[len(need) :]:
        rest[pending[int(i)]] += 1
    _spread(rng, social, rest, spec.demands, recorded, on)
    return _flag(rows, {m.pseudonym: m for m in social}, first)


def _spread(
    rng: np.random.Generator, social: list[Met], rest: dict[str, int], demands, recorded: set, on
) -> None:
    """Record ``rest[d]`` demands ``d`` on distinct contacts of the persons (a contact gets a demand
    once), heavier persons likelier; beyond the free contacts, on random contacts of random persons."""
    flat = [(i, c) for i, m in enumerate(social) for c in m.contacts]
    owner = np.array([i for i, _ in flat])
    base = rng.gamma(D.DEMAND_SPREAD, 1.0, len(social))
    for demand in demands:
        if not rest[demand]:
            continue
        done = {(d, s, p) for d, s, p, code in recorded if code == demand}
        free = np.array([(c.date, c.site, c.pseudonym) not in done for _, c in flat])
        w = _weights(rng, social, demand, base)[owner] * free
        picks = rng.choice(len(flat), size=min(rest[demand], int(free.sum())), replace=False, p=w / w.sum())
        for j in picks:
            on(social[owner[j]], demand, flat[j][1])
        for i in rng.choice(len(social), size=rest[demand] - len(picks)):
            on(social[int(i)], demand)


def _flag(rows: list[list], by_name: dict[str, Met], first: dict) -> list[tuple]:
    """Flag each person's earliest social action (on their first contact) with its place."""
    rows.sort(key=lambda r: (r[2], r[0], r[1], r[3]))
    out, previous = [], None
    for date, site, pseudonym, demand in rows:
        is_first = pseudonym != previous
        if is_first and (date, site) != first[pseudonym]:
            raise EspacepError(f"{pseudonym}: earliest social action {date} {site} is not the first contact")
        out.append((date, site, pseudonym, demand, is_first, by_name[pseudonym].place if is_first else None))
        previous = pseudonym
    return out


def check_shares(book: TargetBook, prefix: str, year: int, rows: list[tuple]) -> None:
    """The printed violence share holds (social actions = every demand but the health services)."""
    target = book.find(prefix + "violence_share", year)
    if target is None:
        return
    services = (
        "prevention_material",
        "medical_consultation",
        "health_questionnaire",
        "contraception_information",
    )
    social = [r for r in rows if r[3] not in services]
    share = sum(1 for r in social if r[3] == "violence") / len(social)
    if not target.contains(share):
        raise EspacepError(f"{prefix}violence_share {year}: {share:.4f} is not {target.printed}")
