"""Lab results: who is tested for what, who is positive, and the result rows.

`plan_tests` decides, for every person of the year, the results of their
sample day (one blood draw and one set of swabs) with exactly the spec's
persons tested and positive per test. `lab_rows` places them on consultation
days once the dates exist, adds a few re-tests, and `hand_over` gives exactly
the printed share of results a handed-over date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..codes import ANTI_HBS_PROTECTIVE_TITRE
from ..errors import EspacepError
from . import design as D
from .people import weighted_order
from .spec import YearSpec, apportion
from .targets import Target, pick_count
from .visits import REGION_OF_ANTENNA, Visit, next_weekday

BLOOD = ("hiv", "syphilis", "hbsag", "anti_hcv")
SWABS = ("gonorrhoea", "chlamydia", "trichomonas")
# Markers that stay positive for life: a known carrier is not tested again
CHRONIC = ("hiv", "anti_hcv")
# Groups where a positive is more likely (weights for choosing positives)
POSITIVE_WEIGHTS = {"hbsag": {"sub_saharan_africa": 4.0, "asia": 4.0}, "hiv": {"sub_saharan_africa": 4.0}}


def _region_weight(v: Visit) -> float:
    return D.REGION_TEST_WEIGHT[REGION_OF_ANTENNA[v.person.antenna]]


def _eligible(v: Visit, test: str) -> bool:
    p = v.person
    if test == "hbsag":
        return p.hbv != "chronic"
    if test in CHRONIC:
        return test not in p.positives
    return True


def _pick(rng, visits: list[Visit], n: int, weight, what: str) -> list[Visit]:
    if n > len(visits):
        raise EspacepError(f"{what}: {n} persons needed, only {len(visits)} eligible")
    return weighted_order(rng, visits, [weight(v) for v in visits])[:n]


def _test_group(rng, spec: YearSpec, visits: list[Visit], test: str, sampled: set[int]) -> None:
    """Persons tested for ``test`` (mostly among the blood-sampled) and the positives."""
    n, k = spec.tests[test]
    pool = [v for v in visits if _eligible(v, test)]
    tested = _pick(
        rng,
        pool,
        n,
        lambda v: (1000.0 if v.person.pid in sampled else _region_weight(v))
        * (D.NEW_PERSON_SAMPLING_WEIGHT if v.new else 1.0),
        f"{spec.year} {test}",
    )
    boost = POSITIVE_WEIGHTS.get(test, {})
    positive = {
        v.person.pid
        for v in _pick(
            rng, tested, k, lambda v: boost.get(v.person.group, 1.0), f"{spec.year} {test} positives"
        )
    }
    for v in tested:
        result = "positive" if v.person.pid in positive else "negative"
        v.tests.append((test, result, None))
        if result == "positive":
            v.followup = True
            if test in CHRONIC:
                v.person.positives.add(test)
            elif test == "hbsag":
                v.person.hbv = "chronic"


def _anti_hbs(rng, visits: list[Visit], sampled: set[int]) -> None:
    """Anti-HBs titre for blood-sampled persons of unknown HBV status (not HBsAg-positive)."""
    for v in visits:
        if v.person.pid not in sampled or v.person.hbv != "unknown" or rng.random() >= D.ANTI_HBS_TESTED:
            continue
        if rng.random() < D.ANTI_HBS_PROTECTED:
            titre = float(np.round(np.exp(rng.uniform(np.log(12), np.log(1000))), 1))
            v.person.hbv = "immune"
        else:
            titre = float(np.round(rng.uniform(0, ANTI_HBS_PROTECTIVE_TITRE - 0.1), 1))
            v.person.hbv = "low"
            v.anti_hbs_low = True
        result = "positive" if titre >= ANTI_HBS_PROTECTIVE_TITRE else "negative"
        v.tests.append(("anti_hbs", result, titre))


def _women_tests(rng, spec: YearSpec, visits: list[Visit], swabbed_any: set[int]) -> None:
    """Gardnerella, candida and cervical cytology, for women only."""
    w = spec.women
    women = [v for v in visits if v.person.gender == "woman"]
    screened = _pick(
        rng,
        women,
        w["swabbed"],
        lambda v: 10.0 if v.person.pid in swabbed_any else _region_weight(v),
        f"{spec.year} women screened",
    )
    for test in ("gardnerella", "candida"):
        positive = {v.person.pid for v in _pick(rng, screened, w[test], lambda v: 1.0, test)}
        for v in screened:
            v.tests.append((test, "positive" if v.person.pid in positive else "negative", None))
            v.followup |= v.person.pid in positive
    smeared = _pick(rng, screened, w["cytology"] + D.CYTOLOGY_UNSATISFACTORY, lambda v: 1.0, "cytology")
    classes = ["unsatisfactory"] * D.CYTOLOGY_UNSATISFACTORY
    lesions = apportion(w["lesions"], D.LESION_CLASSES)
    for name in ("hsil", "lsil", "ascus"):
        classes += [name] * lesions[name]
    classes += ["normal"] * (len(smeared) - len(classes))
    for v, cls in zip(smeared, classes):
        v.tests.append(("cervical_cytology", cls, None))
        v.followup |= cls in ("hsil", "lsil", "ascus")


def plan_tests(rng, spec: YearSpec, visits: list[Visit]) -> None:
    """Fill every visit's sample-day results with the spec's tested and positive counts."""
    n_blood = max(spec.tests[t][0] for t in BLOOD)
    sampled = {
        v.person.pid
        for v in _pick(
            rng,
            visits,
            n_blood,
            lambda v: (D.NEW_PERSON_SAMPLING_WEIGHT if v.new else 1.0) * _region_weight(v),
            f"{spec.year} blood samples",
        )
    }
    for test in BLOOD:
        _test_group(rng, spec, visits, test, sampled)
    _anti_hbs(rng, visits, sampled)
    hiv_tested = {v.person.pid for v in visits if any(t[0] == "hiv" for t in v.tests)}
    odd = [
        v
        for v in visits
        if v.person.pid in sampled and v.person.pid not in hiv_tested and "hiv" not in v.person.positives
    ]
    for v in _pick(rng, odd, min(D.INDETERMINATE_HIV, len(odd)), lambda v: 1.0, "indeterminate"):
        v.tests.append(("hiv", "indeterminate", None))
    for test in SWABS:
        _test_group(rng, spec, visits, test, sampled)
    swabbed_any = {v.person.pid for v in visits if any(t[0] in SWABS for t in v.tests)}
    _women_tests(rng, spec, visits, swabbed_any)


RETESTABLE = ("hiv", "syphilis", "gonorrhoea", "chlamydia")


def lab_rows(rng: np.random.Generator, visits: list[Visit]) -> list[list]:
    """Result rows ``[visit, sample day, test, result, titre, handed-over day]`` (day set later).

    Every result sits on the person's sample day; a few negatives are re-tested
    at a later consultation of the year.
    """
    rows = []
    for v in visits:
        for test, result, titre in v.tests:
            rows.append([v, v.sample_day, test, result, titre, None])
            later = [d for d in v.dates if d > v.sample]
            if test in RETESTABLE and result == "negative" and later and rng.random() < D.RETESTED:
                rows.append([v, later[int(rng.integers(len(later)))], test, "negative", None, None])
    return rows


def balance_region(
    rng, rows: list[list], visits: list[Visit], n_acts: int, target: int, in_region, where: str
) -> None:
    """Add or remove negative filler results (chlamydia, trichomonas) in a region so that
    its result rows plus its ``n_acts`` act rows equal ``target``."""
    mine = [r for r in rows if in_region(r[0].sites[r[1]])]
    gap = target - n_acts - len(mine)
    if gap < 0:
        removable = [r for r in mine if r[2] in D.FILLER_TESTS and r[3] == "negative"]
        if len(removable) < -gap:
            raise EspacepError(f"{where}: {-gap} rows too many, only {len(removable)} removable")
        drop = {id(removable[int(i)]) for i in rng.choice(len(removable), size=-gap, replace=False)}
        rows[:] = [r for r in rows if id(r) not in drop]
        return
    have = {(r[0].person.pid, r[2]) for r in rows}
    slots = [
        (v, t)
        for v in visits
        if in_region(v.sites[v.sample])
        for t in D.FILLER_TESTS
        if (v.person.pid, t) not in have
    ]
    if len(slots) < gap:
        raise EspacepError(f"{where}: {gap} rows missing, only {len(slots)} filler tests possible")
    for i in sorted(rng.choice(len(slots), size=gap, replace=False)):
        v, test = slots[int(i)]
        rows.append([v, v.sample_day, test, "negative", None, None])


def hand_over(rng: np.random.Generator, rows: list[list], given, last_day: dt.date) -> None:
    """Date the hand-over of exactly the spec's share of results (all positives among them)."""
    n = len(rows)
    count = pick_count(given, n) if isinstance(given, Target) else round(given * n)
    forced = [
        r
        for r in rows
        if (r[3] == "positive" or r[3] in ("ascus", "lsil", "hsil")) and r[0].after(r[1]) is not None
    ]
    for r in forced:
        r[5] = r[0].after(r[1])
    delays = rng.integers(D.RESULT_DELAY_DAYS[0], D.RESULT_DELAY_DAYS[1] + 1, size=n)
    days = [None if r[5] is not None else _hand_over_day(r, last_day, int(d)) for r, d in zip(rows, delays)]
    others = [i for i, day in enumerate(days) if day is not None]
    if not len(forced) <= count <= len(forced) + len(others):
        raise EspacepError(f"{count} results to hand over: {len(forced)} required, {len(others)} possible")
    for i in rng.choice(others, size=count - len(forced), replace=False):
        rows[int(i)][5] = days[int(i)]


def _hand_over_day(row: list, last_day: dt.date, delay: int) -> dt.date | None:
    """At the next consultation within 90 days, else at the office ``delay`` days later."""
    visit, day = row[0], row[1]
    nxt = visit.after(day)
    if nxt is not None and (nxt - day).days <= 90:
        return nxt
    office = next_weekday(day + dt.timedelta(days=delay))
    return office if office <= last_day else None
