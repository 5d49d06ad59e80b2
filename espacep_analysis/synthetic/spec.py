"""The counts a year's rows must hit: published targets first, design values otherwise.

`year_spec` turns the targets of one year (and the design constants for what
the report leaves free) into integer counts: persons per antenna, new persons,
consultations per region, nationality groups per antenna, genders, workplaces,
GP and coverage statuses, persons tested and positive per test, acts. The
builders then construct rows with exactly these counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict, TypeVar

from ..errors import EspacepError
from . import design as D
from .targets import Target, TargetBook, fit_denominator, pick_count, pick_denominator, share_count

K = TypeVar("K")


class AgeSpec(TypedDict):
    """The ages of a year: bounds (printed or design), whether printed, the printed mean."""

    min: float
    max: float
    exact_min: bool
    exact_max: bool
    mean: float | None


ORIGIN_GROUPS = (
    "belgium",
    "western_europe",
    "eastern_europe",
    "sub_saharan_africa",
    "north_africa",
    "latin_america",
    "asia",
    "other",
    "unknown",
)
STI_TESTS = ("hiv", "syphilis", "hbsag", "anti_hcv", "gonorrhoea", "chlamydia", "trichomonas")


@dataclass
class YearSpec:
    """Integer counts for one year; see the module docstring."""

    year: int
    antenna_persons: dict[str, int]
    antenna_new: dict[str, int]
    region_consultations: dict[str, int]
    groups: dict[str, dict[str, int]]
    genders: dict[str, int]
    age: AgeSpec
    workplaces: dict[str, int]
    gp: dict[str, int]
    coverage: dict[str, int]
    tests: dict[str, tuple[int, int]]
    women: dict[str, int]
    acts: dict[str, int]
    results_given: Target | float
    wallonia_rows: int | None

    @property
    def persons(self) -> int:
        return sum(self.antenna_persons.values())


def apportion(total: int, weights: Mapping[K, float]) -> dict[K, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties by key order)."""
    if total < 0:
        raise EspacepError(f"cannot split a negative count {total}")
    keys = [k for k in weights if weights[k] > 0]
    norm = sum(weights[k] for k in keys)
    exact = {k: total * weights[k] / norm for k in keys}
    out = {k: int(exact[k]) for k in keys}
    order = sorted(keys, key=lambda k: (-(exact[k] - out[k]), keys.index(k)))
    for k in order[: total - sum(out.values())]:
        out[k] += 1
    return {k: out.get(k, 0) for k in weights}


def _region_persons(book: TargetBook, year: int) -> dict[str, int]:
    total = book.count("persons_seen", year) or D.PERSONS[year]
    wallonia = book.count("persons_seen", year, "region:wallonie")
    wallonia = wallonia if wallonia is not None else round(D.REGION_PERSONS["wallonie"] * total)
    pasop = book.count("persons_seen", year, "site:saint_trond")
    if pasop is None:
        pasop = 0 if year < D.PASOP_FIRST_YEAR else round(D.REGION_PERSONS["flandre"] * total)
    return {"bruxelles": total - wallonia - pasop, "wallonie": wallonia, "flandre": pasop}


def _antenna_persons(regions: dict[str, int]) -> dict[str, int]:
    out = {"bruxelles": regions["bruxelles"]}
    out.update(apportion(regions["wallonie"], D.WALLONIA_ANTENNAS))
    out[D.PASOP_ANTENNA] = regions["flandre"]
    return out


def _antenna_new(book: TargetBook, year: int, persons: dict[str, int]) -> dict[str, int]:
    total = sum(persons.values())
    new = book.count("new_persons", year)
    if new is None:
        share = book.get("new_share", year)
        new = pick_count(share, total) if share else round(D.NEW_SHARE * total)
    fixed = {}
    if year == D.PASOP_FIRST_YEAR:  # every Pasop person is new the first year
        fixed[D.PASOP_ANTENNA] = persons[D.PASOP_ANTENNA]
    rest = {a: n for a, n in persons.items() if a not in fixed}
    out = apportion(new - sum(fixed.values()), rest)
    out.update(fixed)
    return {a: out[a] for a in persons}


def _consultations(book: TargetBook, year: int, regions: dict[str, int]) -> dict[str, int]:
    total_persons = sum(regions.values())
    total = book.count("consultations", year)
    if total is None:
        ratio = book.get("consultations_per_person", year)
        total = (
            pick_count(ratio, total_persons) if ratio else round(D.CONSULTATIONS_PER_PERSON * total_persons)
        )
    out = {}
    for region, scope in (("wallonie", "region:wallonie"), ("flandre", "site:saint_trond")):
        count = book.count("consultations", year, scope)
        out[region] = (
            count if count is not None else round(D.REGION_CONSULTATIONS_PER_PERSON[region] * regions[region])
        )
    out["bruxelles"] = total - out["wallonie"] - out["flandre"]
    return {r: out[r] for r in regions}


def country_mix(antenna: str, year: int) -> Mapping[str, float]:
    """Country weights of an antenna's public in ``year`` ("" = unknown nationality)."""
    return D.NATIONALITY_MIX_BY_YEAR.get((antenna, year), D.NATIONALITY_MIX[antenna])


def group_weights(antenna: str, year: int) -> dict[str, float]:
    """Origin-group weights of an antenna's public, from its country mix."""
    out = dict.fromkeys(ORIGIN_GROUPS, 0.0)
    for country, weight in country_mix(antenna, year).items():
        out[D.COUNTRY_GROUPS[country]] += weight
    total = sum(out.values())
    return {g: w / total for g, w in out.items()}


def _belgian_migrant_unknown(
    n: int, weights: dict[str, float], belgians: int | None, migrants: int | None, where: str
) -> tuple[int, int, int]:
    """Belgian, migrant and unknown counts of ``n`` persons; printed counts win."""
    unknown = round(weights["unknown"] * n)
    if belgians is not None and migrants is not None:
        unknown = n - belgians - migrants
    elif migrants is not None:
        belgians = n - migrants - unknown
    else:
        belgians = belgians if belgians is not None else round(weights["belgium"] * n)
        migrants = n - belgians - unknown
    migrants = n - belgians - unknown
    if min(belgians, migrants, unknown) < 0:
        raise EspacepError(
            f"{where}: cannot split {n} persons into {belgians} Belgian, "
            f"{migrants} migrant, {unknown} unknown"
        )
    return belgians, migrants, unknown


def _scope_share(book: TargetBook, indicator: str, year: int, scopes: list[str], n: int) -> int | None:
    for scope in scopes:
        numerator = book.get(indicator, year, scope, "numerator")
        if numerator is not None:
            return int(numerator.number)
        share = book.get(indicator, year, scope)
        if share is not None:
            return pick_count(share, n)
    return None


def _migrant_groups(book: TargetBook, year: int, antenna: str, n: int, migrants: int) -> dict[str, int]:
    """Migrants of an antenna by origin group: printed shares first, design weights for the rest."""
    weights = group_weights(antenna, year)
    groups = [g for g in ORIGIN_GROUPS if g not in ("belgium", "unknown")]
    fixed = {}
    for g in groups:
        target = book.get(f"origin.{g}", year, f"antenna:{antenna}")
        if target is not None and target.tolerance in ("exact", "half_unit", "truncated"):
            fixed[g] = pick_count(target, n)
    free = {g: weights[g] for g in groups if g not in fixed}
    out = apportion(migrants - sum(fixed.values()), free)
    out.update(fixed)
    _enforce_leading_group(book, year, antenna, n, out)
    return {g: out[g] for g in groups}


def _enforce_leading_group(book: TargetBook, year: int, antenna: str, n: int, counts: dict[str, int]) -> None:
    """Move migrants into a group the report names as the majority (or largest) one."""
    scope = f"antenna:{antenna}"
    for target in book.with_tolerance("majority") + book.with_tolerance("largest"):
        if target.year != year or target.scope != scope:
            continue
        group = target.id.removeprefix("inami.origin.")
        need = n // 2 + 1 if target.tolerance == "majority" else 0
        while True:
            others = {g: c for g, c in counts.items() if g != group}
            top = max(others, key=lambda g: (others[g], g))
            if counts[group] >= need and counts[group] > others[top] + 1:
                break
            if others[top] == 0:
                raise EspacepError(f"target {target.key}: not enough migrants at {antenna}")
            counts[top] -= 1
            counts[group] += 1


def _nationality_groups(book: TargetBook, year: int, persons: dict[str, int]) -> dict[str, dict[str, int]]:
    """Persons per origin group (incl. belgium and unknown) for every antenna."""
    out = {}
    bmu = {}
    for antenna, region in (("bruxelles", "bruxelles"), (D.PASOP_ANTENNA, "flandre")):
        n = persons[antenna]
        belgians = _scope_share(book, "belgian_share", year, [f"antenna:{antenna}", f"region:{region}"], n)
        migrants = _scope_share(book, "migrant_share", year, [f"region:{region}", f"antenna:{antenna}"], n)
        bmu[antenna] = _belgian_migrant_unknown(n, group_weights(antenna, year), belgians, migrants, antenna)
    walloon = [a for a in D.WALLONIA_ANTENNAS]
    n_w = sum(persons[a] for a in walloon)
    weights_w = {
        g: sum(persons[a] * group_weights(a, year)[g] for a in walloon) / max(n_w, 1) for g in ORIGIN_GROUPS
    }
    national = _scope_share(book, "belgian_share", year, ["all"], sum(persons.values()))
    belgians_w = None if national is None else national - bmu["bruxelles"][0] - bmu[D.PASOP_ANTENNA][0]
    migrants_w = _scope_share(book, "migrant_share", year, ["region:wallonie"], n_w)
    b_w, m_w, u_w = _belgian_migrant_unknown(n_w, weights_w, belgians_w, migrants_w, "wallonie")
    bmu.update(_split_wallonia(book, year, persons, b_w, u_w))
    for antenna, (belgians, migrants, unknown) in bmu.items():
        groups = _migrant_groups(book, year, antenna, persons[antenna], migrants)
        out[antenna] = {"belgium": belgians, **groups, "unknown": unknown}
    return {a: out[a] for a in persons}


def _split_wallonia(
    book: TargetBook, year: int, persons: dict[str, int], belgians: int, unknown: int
) -> dict[str, tuple[int, int, int]]:
    walloon = list(D.WALLONIA_ANTENNAS)
    fixed = {}
    for antenna in walloon:
        count = _scope_share(book, "belgian_share", year, [f"antenna:{antenna}"], persons[antenna])
        if count is not None:
            fixed[antenna] = count
    free = {a: persons[a] * group_weights(a, year)["belgium"] for a in walloon if a not in fixed}
    b_split = apportion(belgians - sum(fixed.values()), free)
    b_split.update(fixed)
    u_split = apportion(unknown, {a: persons[a] * group_weights(a, year)["unknown"] for a in walloon})
    out = {}
    for a in walloon:
        migrants = persons[a] - b_split[a] - u_split[a]
        if migrants < 0:
            raise EspacepError(
                f"{year} {a}: {b_split[a]} Belgian and {u_split[a]} unknown "
                f"exceed its {persons[a]} persons"
            )
        out[a] = (b_split[a], migrants, u_split[a])
    return out


def _fixed_and_rest(
    book: TargetBook,
    prefix: str,
    year: int,
    total: int,
    design: dict[str, float],
    remainder: str | None = None,
) -> dict[str, int]:
    """Counts per category: printed counts or shares first, design weights for the rest.

    With ``remainder``, that category takes whatever the others leave.
    """
    fixed = {}
    for code in design:
        if code == remainder:
            continue
        count = book.count(f"{prefix}.{code}", year)
        share = book.get(f"{prefix}.{code}", year)
        if count is not None:
            fixed[code] = count
        elif share is not None:
            fixed[code] = pick_count(share, total)
    if remainder is not None and fixed:
        fixed[remainder] = total - sum(fixed.values())
    free = {c: w for c, w in design.items() if c not in fixed}
    out = apportion(total - sum(fixed.values()), free) if free else {}
    out.update(fixed)
    if min(out.values()) < 0:
        raise EspacepError(f"{year} {prefix}: printed figures exceed the {total} persons")
    return {c: out[c] for c in design}


def _age(book: TargetBook, year: int) -> AgeSpec:
    low, high, mean = (book.count(f"age_{k}", year) for k in ("min", "max", "mean"))
    mean_target = book.get("age_mean", year)
    return {
        "min": low if low is not None else D.AGE["low"],
        "max": high if high is not None else D.AGE["high"],
        "exact_min": low is not None,
        "exact_max": high is not None,
        "mean": None if mean_target is None else mean_target.value,
    }


def _gp(book: TargetBook, year: int, n: int) -> dict[str, int]:
    no_data = book.count("gp_no_data", year)
    if no_data is None:  # the number of persons without data is free: fit the printed share
        share = book.get("gp_none_or_unaware_share", year)
        no_data = n - fit_denominator([share], n - round(D.GP_NO_DATA * n))
    known = n - no_data
    denominator = book.get("gp_none_or_unaware_share", year, field="denominator")
    if denominator is not None and int(denominator.number) != known:
        raise EspacepError(f"{year}: GP denominator {denominator.value} != {n} - {no_data}")
    none_or_unaware = share_count(book, "gp_none_or_unaware_share", year, known, D.GP_NONE_OR_UNAWARE)
    return {"no_data": no_data, "none_or_unaware": none_or_unaware, "aware": known - none_or_unaware}


def _coverage(book: TargetBook, year: int, n: int) -> dict[str, int]:
    asked = share_count(book, "coverage_asked_share", year, n, D.COVERAGE_ASKED)
    known = book.count("coverage_known", year)
    if known is None:
        share = book.get("coverage_not_in_order_share", year)
        known = fit_denominator([share], asked - round(D.COVERAGE_UNKNOWN * asked))
    elif known > asked:  # every person asked had a known status
        share = book.get("coverage_asked_share", year)
        if share is not None and not share.contains(known / n):
            raise EspacepError(f"{year}: {known} known coverages exceed the persons asked ({share.printed})")
        asked = known
    not_in_order = share_count(book, "coverage_not_in_order_share", year, known, D.COVERAGE_NOT_IN_ORDER)
    return {
        "asked": asked,
        "known": known,
        "not_in_order": not_in_order,
        "in_order": known - not_in_order,
        "unknown": asked - known,
    }


def _tested_positive(book: TargetBook, test: str, year: int, n: int) -> tuple[int, int]:
    """Persons tested and positive; the number tested moves to fit a printed count."""
    tested = round(D.TEST_RATES[test] * n)
    share = book.get(f"prevalence.{test}", year)
    numerator = book.get(f"prevalence.{test}", year, field="numerator")
    if numerator is not None:
        positive = int(numerator.number)
        if share is not None:
            tested = pick_denominator(share, positive, tested)
        return tested, positive
    if share is not None:
        tested = fit_denominator([share], tested)
        return tested, pick_count(share, tested)
    return tested, round(D.PREVALENCE[test] * tested)


def _women(book: TargetBook, year: int, women: int, n: int) -> dict[str, int]:
    swabbed = fit_denominator(
        [book.get("women_gardnerella_share", year), book.get("women_candida_share", year)],
        round(D.WOMEN_SWABBED * women),
    )
    cytology = fit_denominator([book.get("cervical_lesion_share", year)], round(D.CYTOLOGY * swabbed))
    return {
        "swabbed": swabbed,
        "gardnerella": share_count(book, "women_gardnerella_share", year, swabbed, D.GARDNERELLA),
        "candida": share_count(book, "women_candida_share", year, swabbed, D.CANDIDA),
        "cytology": cytology,
        "lesions": share_count(book, "cervical_lesion_share", year, cytology, D.LESION_SHARE),
        "hygiene": share_count(book, "hygiene_advice_share", year, n, D.HYGIENE_ADVICE),
    }


def _acts(book: TargetBook, year: int, n: int) -> dict[str, int]:
    doses = book.count("vaccine_doses", year)
    vaccinated = book.count("vaccinated_persons", year)
    if vaccinated is None:
        vaccinated = round(doses / D.DOSES_PER_VACCINATED) if doses else round(D.VACCINATED * n)
    if doses is None:
        doses = round(D.DOSES_PER_VACCINATED * vaccinated)
    ids = {
        "contraception": "contraception_prescriptions",
        "treatment": "treatments",
        "referral": "referrals",
        "counsel": "counsels",
        "abortion_support": "abortion_supports",
        "pregnancy_followup": "pregnancy_followups",
    }
    out = {"vaccinated": vaccinated, "doses": doses}
    for act, indicator in ids.items():
        count = book.count(indicator, year)
        out[act] = count if count is not None else round(D.ACTS_PER_PERSON[act] * n)
    return out


def year_spec(book: TargetBook, year: int) -> YearSpec:
    """Every count of ``year``'s rows (see the module docstring)."""
    regions = _region_persons(book, year)
    persons = _antenna_persons(regions)
    n = sum(persons.values())
    genders = _fixed_and_rest(book, "gender", year, n, D.GENDERS)
    tests = {t: _tested_positive(book, t, year, n) for t in STI_TESTS}
    syphilis_treated = book.count("treatments.syphilis", year)
    if syphilis_treated is not None and syphilis_treated != tests["syphilis"][1]:
        raise EspacepError(
            f"{year}: {syphilis_treated} syphilis treatments but "
            f"{tests['syphilis'][1]} persons positive (one treatment each)"
        )
    given = book.get("results_given_share", year)
    return YearSpec(
        year=year,
        antenna_persons=persons,
        antenna_new=_antenna_new(book, year, persons),
        region_consultations=_consultations(book, year, regions),
        groups=_nationality_groups(book, year, persons),
        genders=genders,
        age=_age(book, year),
        workplaces=_fixed_and_rest(book, "workplace", year, n, D.WORKPLACES, remainder="other"),
        gp=_gp(book, year, n),
        coverage=_coverage(book, year, n),
        tests=tests,
        women=_women(book, year, genders["woman"], n),
        acts=_acts(book, year, n),
        results_given=given if given is not None else D.RESULTS_GIVEN,
        wallonia_rows=D.WALLONIA_ACTS_AND_RESULTS.get(year),
    )
