"""Medical acts: HBV vaccination schedules and the acts placed on consultation days.

Vaccination follows the 0-1-4 months schedule: dose 2 about one month after
dose 1, dose 3 about four months after dose 1, only for persons whose anti-HBs
titre is below 10 or unknown. A series started late in a year continues the
next year (the person is then seen again), so the spec's vaccinated persons and
doses count both the series carried over and those started in the year.
"""

from __future__ import annotations

import datetime as dt

from ..errors import EspacepError
from . import design as D
from .people import choose, weighted_order
from .spec import YearSpec
from .visits import REGION_OF_ANTENNA, Visit, minimum_visits, next_weekday

MAX_SERIES_VISITS = 4  # a blood sample and three doses
TREATED = ("syphilis", "gonorrhoea", "chlamydia", "trichomonas", "gardnerella", "candida")
REFERRED = {
    "hiv": "hiv_reference_centre",
    "hbsag": "hepatologist",
    "anti_hcv": "hepatologist",
    "hsil": "gynaecologist",
}


def _days(rng, bounds: tuple[int, int]) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(bounds[0], bounds[1] + 1)))


def _schedule(rng, dose1: dt.date) -> list[dt.date]:
    """Dates of doses 1, 2, 3 for a series starting on ``dose1`` (working days)."""
    return [
        dose1,
        next_weekday(dose1 + _days(rng, D.DOSE2_DAYS)),
        next_weekday(dose1 + _days(rng, D.DOSE3_DAYS)),
    ]


def _starters(rng, spec: YearSpec, visits: list[Visit], carried: list[Visit]) -> list[Visit]:
    """Persons starting a series: titre < 10 this year first, within each region's spare visits."""
    n = spec.acts["vaccinated"] - len(carried)
    busy = {v.person.pid for v in carried}
    slack = dict(spec.region_consultations)
    for v in visits:
        slack[REGION_OF_ANTENNA[v.person.antenna]] -= max(minimum_visits(v), len(v.doses))
    pool = [v for v in visits if v.person.pid not in busy and v.person.hbv in ("low", "unknown")]
    weights = [20.0 if v.anti_hbs_low else 2.0 if v.person.hbv == "low" else 1.0 for v in pool]
    chosen: list[Visit] = []
    for v in weighted_order(rng, pool, weights):
        region = REGION_OF_ANTENNA[v.person.antenna]
        if len(chosen) < n and slack[region] >= MAX_SERIES_VISITS:
            chosen.append(v)
            slack[region] -= MAX_SERIES_VISITS - minimum_visits(v)
    if len(chosen) < n:
        raise EspacepError(f"{spec.year}: {n} persons to start a vaccination, {len(chosen)} possible")
    return chosen


def _fit_doses(rng, year: int, series: list[list[dt.date]], wanted: list[int], total: int) -> list[int]:
    """Doses given in ``year`` per starter, summing to ``total`` (each 1 to what fits the year)."""
    fits = [sum(d.year == year for d in s) for s in series]
    given = [min(w, f) for w, f in zip(wanted, fits)]
    while sum(given) != total:
        up = sum(given) < total
        movable = [i for i, g in enumerate(given) if (g < fits[i] if up else g > 1)]
        if not movable:
            raise EspacepError(f"{year}: {total} vaccine doses do not fit {len(series)} series")
        given[movable[int(rng.integers(len(movable)))]] += 1 if up else -1
    return given


def plan_vaccination(rng, spec: YearSpec, visits: list[Visit], days: list[dt.date]) -> None:
    """Dose days of the year (fixed consultation days) and the doses left for next year."""
    year = spec.year
    carried = [v for v in visits if v.person.pending]
    for v in carried:
        v.doses = list(v.person.pending)
        v.person.pending = []
    starters = _starters(rng, spec, visits, carried)
    early = [d for d in days if d >= dt.date(year, 1, 20)]
    series = []
    for _ in starters:
        series.append(_schedule(rng, early[int(rng.integers(len(early)))]))
    wanted = [int(choose(rng, {str(k): w for k, w in D.SERIES_LENGTH.items()})) for _ in starters]
    total = spec.acts["doses"] - sum(len(v.doses) for v in carried)
    given = _fit_doses(rng, year, series, wanted, total)
    for v, dates, n_given, n_wanted in zip(starters, series, given, wanted):
        v.doses = [(dates[i], i + 1) for i in range(n_given)]
        # doses the year could not hold continue next year; a shortened series just stops
        later = [(dates[i], i + 1) for i in range(n_given, n_wanted) if dates[i].year > year]
        v.person.pending = later if n_given == sum(d.year == year for d in dates) else []
        v.person.hbv = "series"
        if v.anti_hbs_low:  # blood drawn at the visit before the first dose
            v.sample_day = max(
                dt.date(year, 1, 2), next_weekday(dates[0] - _days(rng, D.SAMPLE_TO_DOSE1_DAYS))
            )
            while v.sample_day >= dates[0] or v.sample_day.weekday() >= 5:
                v.sample_day -= dt.timedelta(days=1)
            v.fixed.add(v.sample_day)
    for v in carried + starters:
        v.fixed.update(d for d, _ in v.doses)


class _Acts:
    """Collects act rows; every act sits on a consultation day of the person, at its site."""

    def __init__(self, rng, visits: list[Visit]):
        self.rng = rng
        self.rows: list[tuple] = []
        self.days = [(v, d) for v in visits for d in v.dates]

    def add(self, v: Visit, day: dt.date, act: str, detail: str = "") -> None:
        self.rows.append((v.person.pseudonym, day, v.sites[day], act, detail))

    def spread(self, pool: list[tuple[Visit, dt.date]], n: int, act: str, details=None) -> None:
        """``n`` acts on distinct consultations drawn from ``pool``."""
        if n > len(pool):
            raise EspacepError(f"{n} '{act}' acts for {len(pool)} consultations")
        for k, i in enumerate(self.rng.choice(len(pool), size=n, replace=False)):
            v, day = pool[int(i)]
            self.add(v, day, act, "" if details is None else details[k])


def _required(acts: _Acts, visits: list[Visit]) -> tuple[int, int]:
    """Doses, and the treatment and referral every positive result calls for (next visit)."""
    treated = referred = 0
    for v in visits:
        for day, dose in v.doses:
            acts.add(v, day, "hbv_vaccine", str(dose))
        follow = v.after(v.sample) if v.followup else None
        for test, result, _ in v.tests:
            key = "hsil" if test == "cervical_cytology" and result == "hsil" else test
            needs_treatment = result == "positive" and test in TREATED
            needs_referral = key in REFERRED and (result in ("positive", "hsil"))
            if not (needs_treatment or needs_referral):
                continue
            if follow is None:
                raise EspacepError(f"{v.person.pseudonym}: no visit after the sample to act on {test}")
            if needs_treatment:
                acts.add(v, follow, "treatment", test)
                treated += 1
            if needs_referral:
                acts.add(v, follow, "referral", REFERRED[key])
                referred += 1
    return treated, referred


def _women_days(acts: _Acts, max_age: int | None, year: int) -> list[tuple[Visit, dt.date]]:
    return [
        (v, d)
        for v, d in acts.days
        if v.person.gender == "woman" and (max_age is None or year - v.person.birth_year <= max_age)
    ]


def _hygiene(acts: _Acts, spec: YearSpec, visits: list[Visit]) -> None:
    """Exactly the spec's persons advised (women), some advised twice."""
    women = [v for v in visits if v.person.gender == "woman"]
    weights = [5.0 if any(t[0] == "gardnerella" for t in v.tests) else 1.0 for v in women]
    advised = weighted_order(acts.rng, women, weights)[: spec.women["hygiene"]]
    for v in advised:
        acts.add(v, v.dates[int(acts.rng.integers(len(v.dates)))], "hygiene_advice")
    again = [v for v in advised if len(v.dates) > 1]
    n_again = min(len(again), round(D.HYGIENE_REPEATED * len(advised)))
    for i in acts.rng.choice(len(again), size=n_again, replace=False):
        v = again[int(i)]
        acts.add(v, v.dates[-1], "hygiene_advice")


def act_rows(rng, spec: YearSpec, visits: list[Visit]) -> list[tuple]:
    """Every act of the year, columns of ``codes.COLUMNS['medical_acts']``."""
    acts = _Acts(rng, visits)
    treated, referred = _required(acts, visits)
    counts = spec.acts
    if treated > counts["treatment"] or referred > counts["referral"]:
        raise EspacepError(
            f"{spec.year}: {treated} treatments / {referred} referrals required by "
            f"results exceed the {counts['treatment']} / {counts['referral']} to give"
        )
    acts.spread(
        acts.days, counts["treatment"] - treated, "treatment", ["other"] * (counts["treatment"] - treated)
    )
    free = counts["referral"] - referred
    destinations = [choose(rng, D.FREE_REFERRALS) for _ in range(free)]
    gyn = [d for d in destinations if d == "gynaecologist"]
    other = [d for d in destinations if d != "gynaecologist"]
    acts.spread(_women_days(acts, None, spec.year), len(gyn), "referral", gyn)
    acts.spread(acts.days, len(other), "referral", other)
    acts.spread(acts.days, counts["counsel"], "counsel")
    _hygiene(acts, spec, visits)
    fertile = _women_days(acts, 45, spec.year)
    acts.spread(fertile, counts["contraception"], "contraception")
    acts.spread(fertile, counts["abortion_support"], "abortion_support")
    acts.spread(fertile, counts["pregnancy_followup"], "pregnancy_followup")
    return acts.rows
