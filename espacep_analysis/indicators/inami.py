"""INAMI indicators: every figure of the INAMI section of the yearly report.

Definitions (ids, numerators, denominators, tie rules): ``docs/indicators_inami.md``.
One function per report section returns the figure rows of one year;
:func:`compute_figures` concatenates all sections for the report year and the
previous years the report compares with. The scope is every site of the INAMI
funder (``ds.sites.funder_sites("inami")``). French labels and units are
defined once, in :data:`INDICATORS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes, stats
from ..dataset import Dataset
from ..definitions import (
    Category,
    Denominator,
    Indicator,
    Partition,
    category_members,
    declare,
    ids_where,
    labels_and_units,
)
from ..errors import EspacepError
from ..origins import ORIGIN_GROUPS, ORIGIN_LABELS, origin_groups
from . import common
from . import comparisons as _comparisons
from .common import AGE_BANDS, ALL

FUNDER = "inami"
PREFIX = "inami."
PASOP_SITE = "saint_trond"
PREVALENCE_TESTS = ("hbsag", "anti_hcv", "hiv", "syphilis", "gonorrhoea", "chlamydia", "trichomonas")
CYTOLOGY_CLASSES = ("normal", "ascus", "lsil", "hsil")  # increasing severity
AREA_LEVELS = (ALL, "region", "antenna")
# HBV schedule 0-1-4 months: dose 3 is due 4 months after dose 1; "within 6 months" allows 2 months' delay
COMPLETION_WINDOW = pd.DateOffset(months=6)
# Proportions the report compares across years (comparison rows in `compute_figures`)
COMPARED = (
    "new_share",
    "belgian_share",
    "migrant_share",
    "gp_none_or_unaware_share",
    "gyn_none_or_unaware_share",
    "coverage_asked_share",
    "coverage_not_in_order_share",
    "results_given_share",
    "cervical_lesion_share",
    "workplace.bar",
    "workplace.private",
    "workplace.street",
    "workplace.window",
    "workplace.other",
) + tuple(f"prevalence.{test}" for test in PREVALENCE_TESTS)

_WORKPLACE_LABELS = {
    "bar": "bar",
    "private": "privé",
    "street": "rue",
    "window": "vitrine",
    "other": "autre lieu",
}
_AGE_BAND_LABELS = {
    "lt20": "moins de 20 ans",
    "20_24": "20 à 24 ans",
    "25_29": "25 à 29 ans",
    "30_34": "30 à 34 ans",
    "35_39": "35 à 39 ans",
    "40_49": "40 à 49 ans",
    "50plus": "50 ans et plus",
}
_GENDER_LABELS = {"woman": "Femmes", "man": "Hommes", "trans": "Transgenres"}
_TEST_LABELS = {
    "hbsag": "AgHBs (hépatite B active)",
    "anti_hcv": "Ac anti-VHC (hépatite C)",
    "hiv": "VIH",
    "syphilis": "syphilis",
    "gonorrhoea": "gonocoque",
    "chlamydia": "chlamydia",
    "trichomonas": "trichomonas",
}
_CYTOLOGY_LABELS = {"normal": "normal", "ascus": "ASCUS", "lsil": "LSIL", "hsil": "HSIL"}
_PATHOLOGY_LABELS = {
    "syphilis": "syphilis",
    "chlamydia": "chlamydia",
    "gonorrhoea": "gonorrhée",
    "gardnerella": "gardnerella",
    "candida": "mycose (candida)",
    "trichomonas": "trichomonas",
    "other": "autre pathologie",
}
_DESTINATION_LABELS = {
    "gynaecologist": "gynécologue",
    "hiv_reference_centre": "centre de référence VIH",
    "hepatologist": "hépatologue",
    "general_practitioner": "médecin généraliste",
    "other_specialist": "autre spécialiste",
}


def _registry() -> dict[str, tuple[str, str]]:
    """Indicator id (without the ``inami.`` prefix) -> (French label, unit); categories from :data:`CATEGORIES`."""
    reg = {
        "persons_seen": ("Travailleurs du sexe vus en consultation", "persons"),
        "consultations": ("Consultations médicales", "consultations"),
        "consultations_per_person": ("Consultations médicales par travailleur du sexe", "ratio"),
        "pasop_persons_share": ("Part des travailleurs du sexe vus avec Pasop (Saint-Trond)", "proportion"),
        "pasop_consultations_share": (
            "Part des consultations effectuées avec Pasop (Saint-Trond)",
            "proportion",
        ),
        "new_persons": ("Nouveaux travailleurs du sexe (inclus dans l'année)", "persons"),
        "known_persons": ("Travailleurs du sexe connus (inclus avant le 1er janvier)", "persons"),
        "new_share": ("Part de nouveaux contacts", "proportion"),
        "age_mean": ("Âge moyen", "years"),
        "age_min": ("Âge de la personne la plus jeune", "years"),
        "age_max": ("Âge de la personne la plus âgée", "years"),
        "belgian_share": ("Part de nationalité belge", "proportion"),
        "migrant_share": ("Part de migrants (nationalité connue, non belge)", "proportion"),
        "nationality_unknown": ("Nationalité inconnue", "persons"),
        "gp_no_data": ("Médecin traitant : pas de données", "persons"),
        "gp_none_or_unaware_share": (
            "Sans médecin traitant ou médecin traitant non informé de l'activité (parmi les données connues)",
            "proportion",
        ),
        "gyn_no_data": ("Gynécologue : pas de données", "persons"),
        "gyn_none_or_unaware_share": (
            "Sans gynécologue ou gynécologue non informé de l'activité (parmi les données connues)",
            "proportion",
        ),
        "coverage_asked_share": ("Couverture sociale demandée", "proportion"),
        "coverage_known": ("Couverture sociale connue", "persons"),
        "coverage_not_in_order_share": (
            "Pas en ordre d'assurabilité (parmi les couvertures connues)",
            "proportion",
        ),
        "results_given_share": ("Résultats d'analyses remis aux TDS (part des résultats)", "proportion"),
        "women_gardnerella_share": (
            "Gardnerella chez les femmes dépistées (frottis ou bactériologie)",
            "proportion",
        ),
        "women_candida_share": (
            "Candidose chez les femmes dépistées (frottis ou bactériologie)",
            "proportion",
        ),
        "hygiene_advice_share": ("Conseils d'hygiène vaginale donnés (part des TDS vus)", "proportion"),
        "cervical_lesion_share": (
            "Lésion cellulaire au frottis (parmi les frottis interprétables)",
            "proportion",
        ),
        "vaccinated_persons": (
            "Personnes ayant reçu au moins une dose de vaccin contre l'hépatite B",
            "persons",
        ),
        "vaccine_doses": ("Doses de vaccin contre l'hépatite B administrées", "doses"),
        "vaccine_completion": (
            "Schéma 0-1-4 mois complété (doses 2 et 3 reçues, parmi les personnes ayant reçu la dose 1 dans l'année)",
            "proportion",
        ),
        "vaccine_completion_within_6m": (
            "Schéma complété dans les 6 mois (dose 3 au plus 6 mois après la dose 1, parmi les personnes "
            "ayant reçu la dose 1 dans l'année)",
            "proportion",
        ),
        "vaccine_dose3_delay_median": ("Délai médian entre la dose 1 et la dose 3 (jours)", "days"),
        "vaccine_followup_incomplete": (
            "Personnes ayant reçu la dose 1 dans l'année, sans dose 3, dont les 6 mois de suivi dépassent "
            "la fin des données",
            "persons",
        ),
        "contraception_prescriptions": ("Prescriptions de contraceptifs", "acts"),
        "treatments": ("Traitements prescrits", "acts"),
        "referrals": ("Renvois vers des médecins (spécialistes et généralistes)", "acts"),
        "counsels": ("Conseils médicaux (prévention, hygiène, ...)", "acts"),
        "abortion_supports": ("Accompagnements vers une IVG", "acts"),
        "pregnancy_followups": ("Suivis de grossesse", "acts"),
    }
    for code, text in _WORKPLACE_LABELS.items():
        reg[f"workplace.{code}"] = (f"Lieu de rencontre : {text}", "proportion")
    for code, text in _AGE_BAND_LABELS.items():
        reg[f"age_band.{code}"] = (f"Âge : {text}", "proportion")
    for code, text in _GENDER_LABELS.items():
        reg[f"gender.{code}"] = (text, "proportion")
    for band, band_text in _AGE_BAND_LABELS.items():
        for code, text in _GENDER_LABELS.items():
            reg[f"age_band_gender.{band}.{code}"] = (f"{text} de {band_text}", "persons")
    for code, text in ORIGIN_LABELS.items():
        reg[f"origin.{code}"] = (f"Origine : {text}", "proportion")
    for code, text in _TEST_LABELS.items():
        reg[f"prevalence.{code}"] = (
            f"Prévalence {text} (personnes positives / personnes testées)",
            "proportion",
        )
        reg[f"positivity.{code}"] = (
            f"Positivité par test {text} (tests positifs / tests à résultat positif ou négatif)",
            "proportion",
        )
    for code, text in _CYTOLOGY_LABELS.items():
        reg[f"cytology.{code}"] = (f"Frottis, classe la plus sévère de l'année : {text}", "persons")
    for code, text in _PATHOLOGY_LABELS.items():
        reg[f"treatments.{code}"] = (f"Traitements : {text}", "acts")
    for code, text in _DESTINATION_LABELS.items():
        reg[f"referrals.{code}"] = (f"Renvois : {text}", "acts")
    return reg


_AGE_BAND_GENDER = {
    f"age_band_gender.{band}.{code}": (band, code) for band in _AGE_BAND_LABELS for code in _GENDER_LABELS
}
AGE_BAND_GENDER: dict[str, tuple[str, str]] = {PREFIX + name: pair for name, pair in _AGE_BAND_GENDER.items()}
"""Persons per age band and gender (internal runs only: the age pyramid): full id -> (band, gender)."""
CATEGORIES = (
    Category("workplace", _WORKPLACE_LABELS),
    Category("age_band", _AGE_BAND_LABELS),
    Category("gender", _GENDER_LABELS),
    Category("origin", ORIGIN_LABELS),
    Category("cytology", _CYTOLOGY_LABELS),
    Category("treatments", _PATHOLOGY_LABELS),
    Category("referrals", _DESTINATION_LABELS),
)
"""The families of categories; each family's sum is declared against its total in :func:`partitions`."""

DEFINITIONS: dict[str, Indicator] = declare(
    PREFIX,
    _registry(),
    categories=CATEGORIES,
    kinds={
        "age_mean": "mean",
        "age_min": "extreme",
        "age_max": "extreme",
        "vaccine_dose3_delay_median": "median",
    },
    compared=COMPARED,
    derived_from={name: ("persons_seen",) for name in ("age_mean", "age_min", "age_max")},
    standalone=(
        "consultations_per_person",
        "age_mean",
        "age_min",
        "age_max",
        "coverage_asked_share",
        "results_given_share",
        "women_gardnerella_share",
        "women_candida_share",
        "hygiene_advice_share",
        "vaccinated_persons",
        "vaccine_doses",
        "vaccine_dose3_delay_median",
        "contraception_prescriptions",
        "counsels",
        "abortion_supports",
        "pregnancy_followups",
        *(f"{kind}.{test}" for kind in ("prevalence", "positivity") for test in PREVALENCE_TESTS),
        *_AGE_BAND_GENDER,
    ),
    internal=tuple(_AGE_BAND_GENDER),
    hierarchy={
        "consultations": "exact",
        # persons: counted once above the antennas they were seen at
        **dict.fromkeys(("persons_seen", "belgian_share", "migrant_share", "nationality_unknown"), "persons"),
        **dict.fromkeys((f"origin.{code}" for code in ORIGIN_LABELS), "antennas"),  # whole scope and antennas
    },
    extremes={"age_min": ("youngest", "age_distribution"), "age_max": ("oldest", "age_distribution")},
)
"""Every INAMI indicator, declared once: label, unit, kind and the relations it takes part in
(family of categories, compared across years, computed from other figures, standalone, internal,
site hierarchy, extreme of the ages of :func:`age_distribution`)."""

INDICATORS: dict[str, tuple[str, str]] = labels_and_units(DEFINITIONS)
"""Full indicator id (``inami.…``) -> (French label, unit), from :data:`DEFINITIONS`."""


# --- row builders (label and unit from the registry) --------------------------------------


def _ids(names) -> list[str]:
    return [PREFIX + name for name in ([names] if isinstance(names, str) else names)]


def _count(names, year: int, value, scope=ALL) -> pd.DataFrame:
    ids = _ids(names)
    labels = [INDICATORS[i][0] for i in ids]
    units = [INDICATORS[i][1] for i in ids]
    one = isinstance(names, str)
    return common.count_figure(
        ids[0] if one else ids, labels[0] if one else labels, year, value, units[0] if one else units, scope
    )


def _proportion(names, num, den, year: int, method: str, level: float, scope=ALL) -> pd.DataFrame:
    ids = _ids(names)
    one = isinstance(names, str)
    labels = [INDICATORS[i][0] for i in ids]
    return common.proportion_figures(
        num,
        den,
        indicator=ids[0] if one else ids,
        label=labels[0] if one else labels,
        year=year,
        scope=scope,
        method=method,
        level=level,
    )


def _ratio(name: str, num, den, year: int, scope=ALL) -> pd.DataFrame:
    return common.ratio_figure(
        num, den, indicator=PREFIX + name, label=INDICATORS[PREFIX + name][0], year=year, scope=scope
    )


# --- the year's rows in the INAMI scope ------------------------------------------------------


def _sites(ds: Dataset) -> list[str]:
    return ds.sites.funder_sites(FUNDER)


def _consultations(ds: Dataset, year: int) -> pd.DataFrame:
    return common.in_year(ds.consultations, year, "date", _sites(ds))


def _lab(ds: Dataset, year: int) -> pd.DataFrame:
    return common.in_year(ds.lab_results, year, "sample_date", _sites(ds))


def _acts(ds: Dataset, year: int) -> pd.DataFrame:
    return common.in_year(ds.medical_acts, year, "date", _sites(ds))


def _seen(ds: Dataset, year: int) -> tuple[pd.DataFrame, pd.Index]:
    """The year's consultations and the persons seen (distinct pseudonyms)."""
    cons = _consultations(ds, year)
    return cons, common.persons_in(cons)


# --- 1 contacts --------------------------------------------------------------------------------


def contacts(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """1.1 Persons seen and consultations: totals, per region / antenna / Pasop site, per person, Pasop shares."""
    cons = _consultations(ds, year)
    persons = common.persons_by_scope(cons, ds.sites, AREA_LEVELS)
    visits = common.rows_by_scope(cons, ds.sites, AREA_LEVELS)
    scopes = [ALL] + [s for s in persons.index if s != ALL]  # "all" even in an empty year
    persons, visits = persons.reindex(scopes, fill_value=0), visits.reindex(scopes, fill_value=0)
    pasop = PASOP_SITE in _sites(ds)
    if pasop:
        at_pasop = cons.loc[cons["site"] == PASOP_SITE]
        site_scope = common.scope_label("site", PASOP_SITE)
        persons[site_scope] = common.n_persons(at_pasop)
        visits[site_scope] = common.n_rows(at_pasop)
    per_person = [s for s in scopes if s == ALL or s.startswith("antenna:")]
    parts = [
        _count("persons_seen", year, persons.to_numpy(), scope=list(persons.index)),
        _count("consultations", year, visits.to_numpy(), scope=list(visits.index)),
        _ratio(
            "consultations_per_person",
            visits[per_person].to_numpy(),
            persons[per_person].to_numpy(),
            year,
            scope=per_person,
        ),
    ]
    if pasop:
        parts.append(
            _proportion("pasop_persons_share", persons[site_scope], persons[ALL], year, method, level)
        )
        parts.append(
            _proportion("pasop_consultations_share", visits[site_scope], visits[ALL], year, method, level)
        )
    return common.concat_figures(parts)


def new_known(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """1.2 New persons (included in the year) and known persons (included before 1 January)."""
    _, seen = _seen(ds, year)
    included = common.person_attributes(ds.persons, seen)["inclusion_date"]
    start = pd.Timestamp(year=int(year), month=1, day=1)
    new = int((included.dt.year == year).sum())
    known = int((included < start).sum())
    return common.concat_figures(
        [
            _count("new_persons", year, new),
            _count("known_persons", year, known),
            _proportion("new_share", new, len(seen), year, method, level),
        ]
    )


def workplaces(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """1.3 Place of work: share of persons by the workplace of their first consultation of the year."""
    cons, seen = _seen(ds, year)
    first = common.first_per_person(cons)
    counts = common.count_codes(first["workplace"], codes.WORKPLACES)
    names = [f"workplace.{code}" for code in codes.WORKPLACES]
    return _proportion(names, counts.to_numpy(), len(seen), year, method, level)


# --- 2 socio-economic data ------------------------------------------------------------------


def _ages_seen(ds: Dataset, year: int) -> pd.Series:
    _, seen = _seen(ds, year)
    return common.ages(common.person_attributes(ds.persons, seen), year)


def age(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """2.1 Age of persons seen (age = year - birth year): mean, min, max, and shares by age band."""
    ages = _ages_seen(ds, year).dropna()
    known = len(ages)
    stats_ = [ages.mean(), ages.min(), ages.max()] if known else [np.nan] * 3
    bands = common.age_band_counts(ages)
    return common.concat_figures(
        [
            _count(["age_mean", "age_min", "age_max"], year, np.asarray(stats_, dtype=float)),
            _proportion([f"age_band.{b}" for b in AGE_BANDS], bands.to_numpy(), known, year, method, level),
        ]
    )


def age_gender(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """2.1 Age pyramid: persons seen by age band and gender (counts; persons with a known age and gender)."""
    _, seen = _seen(ds, year)
    attributes = common.person_attributes(ds.persons, seen)
    known = common.ages(attributes, year).notna() & attributes["gender"].isin(list(codes.GENDERS)).fillna(
        False
    )
    attributes = attributes.loc[known.to_numpy(dtype=bool)]
    age_ = common.ages(attributes, year)
    edges = [bounds[0] for bounds in AGE_BANDS.values()] + [np.inf]
    band = pd.cut(age_, bins=edges, right=False, labels=list(AGE_BANDS))
    gender_ = pd.Categorical(attributes["gender"].astype(object), categories=list(codes.GENDERS))
    counts = pd.crosstab(
        pd.Series(band.to_numpy(), name="band"), pd.Series(gender_, name="gender"), dropna=False
    )
    counts = counts.reindex(index=list(AGE_BANDS), columns=list(codes.GENDERS), fill_value=0)
    names = [f"age_band_gender.{b}.{g}" for b in AGE_BANDS for g in codes.GENDERS]
    return _count(names, year, counts.to_numpy(dtype=float).ravel())


def age_distribution(ds: Dataset, year: int) -> pd.Series:
    """Ages of the persons seen in ``year``, sorted, anonymous (no pseudonym; RangeIndex), for a histogram."""
    ages = _ages_seen(ds, year).dropna().sort_values()
    return pd.Series(ages.to_numpy(), name="age")


def gender(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """2.2 Gender of persons seen: share of each of ``codes.GENDERS`` (numerator = count)."""
    _, seen = _seen(ds, year)
    counts = common.count_codes(common.person_attributes(ds.persons, seen)["gender"], codes.GENDERS)
    names = [f"gender.{code}" for code in codes.GENDERS]
    return _proportion(names, counts.to_numpy(), len(seen), year, method, level)


def nationality(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """2.3 Belgian and migrant shares, unknown nationality (all, per region and antenna); origin groups (all, per antenna)."""
    cons, seen = _seen(ds, year)
    nat = common.person_attributes(ds.persons, seen)["nationality"]
    codes_, uniques = pd.factorize(nat)  # normalise the distinct values only; missing -> ""
    cleaned = [str(v).strip().upper() for v in np.asarray(uniques, dtype=object)] + [""]
    nat = pd.Series(np.asarray(cleaned, dtype=object)[codes_], index=nat.index)
    known, belgian = nat.to_numpy() != "", nat.to_numpy() == "BE"
    status = pd.Series(np.select([~known, belgian], ["unknown", "belgian"], "migrant"), index=nat.index)
    pairs = common.person_scopes(cons, ds.sites, AREA_LEVELS)
    by_status = common.category_counts(pairs, status, ("belgian", "migrant", "unknown"))
    total = by_status.sum(axis=1)
    scopes = list(by_status.index)
    origin = origin_groups(nat)
    antenna_scopes = [s for s in pairs["scope"].cat.categories if s == ALL or s.startswith("antenna:")]
    antenna_pairs = pairs.loc[pairs["scope"].isin(antenna_scopes)]
    by_origin = common.category_counts(antenna_pairs, origin, ORIGIN_GROUPS)
    stacked = by_origin.stack()
    origin_total = by_origin.sum(axis=1).reindex(stacked.index.get_level_values(0))
    return common.concat_figures(
        [
            _proportion(
                "belgian_share",
                by_status["belgian"].to_numpy(),
                total.to_numpy(),
                year,
                method,
                level,
                scopes,
            ),
            _proportion(
                "migrant_share",
                by_status["migrant"].to_numpy(),
                total.to_numpy(),
                year,
                method,
                level,
                scopes,
            ),
            _count("nationality_unknown", year, by_status["unknown"].to_numpy(), scope=scopes),
            _proportion(
                [f"origin.{g}" for g in stacked.index.get_level_values(1)],
                stacked.to_numpy(),
                origin_total.to_numpy(),
                year,
                method,
                level,
                list(stacked.index.get_level_values(0)),
            ),
        ]
    )


# --- 3 medico-social coverage -------------------------------------------------------------------


def gp_gyn(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """3.1 GP and gynaecologist: persons with no known status, and share with none or unaware among the known."""
    cons, seen = _seen(ds, year)
    parts = []
    for column, short in (("gp", "gp"), ("gynaecologist", "gyn")):
        last = common.last_known_per_person(cons, column, unknown=("unknown",))
        none_or_unaware = int(last.isin(["none", "unaware"]).sum())
        parts.append(_count(f"{short}_no_data", year, len(seen) - len(last)))
        parts.append(
            _proportion(f"{short}_none_or_unaware_share", none_or_unaware, len(last), year, method, level)
        )
    return common.concat_figures(parts)


def coverage(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """3.2 Social coverage: share asked; persons with a known status; share not in order among them."""
    cons, seen = _seen(ds, year)
    asked = common.n_persons(cons.loc[cons["coverage_asked"].fillna(False).astype(bool)])
    last = common.last_known_per_person(cons, "coverage_status", unknown=("unknown",))
    not_in_order = int((last == "not_in_order").sum())
    return common.concat_figures(
        [
            _proportion("coverage_asked_share", asked, len(seen), year, method, level),
            _count("coverage_known", year, len(last)),
            _proportion("coverage_not_in_order_share", not_in_order, len(last), year, method, level),
        ]
    )


# --- 4 epidemiology -----------------------------------------------------------------------------


def screening(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """4.1 STI screening: results handed over, per-person prevalences, gardnerella / candida among women, hygiene advice."""
    lab = _lab(ds, year)
    _, seen = _seen(ds, year)
    given = int(lab["result_given_date"].notna().sum())
    tested = common.persons_tested_positive(lab, PREVALENCE_TESTS)
    women = ds.persons.loc[ds.persons["gender"] == "woman", "pseudonym"]
    swabs = lab.loc[
        lab["test"].isin(["cervical_cytology", "gardnerella", "candida"]) & lab["pseudonym"].isin(women)
    ]
    screened = common.persons_in(swabs)
    positive = swabs.loc[swabs["result"] == "positive"]
    gardnerella = common.n_persons(positive.loc[positive["test"] == "gardnerella"])
    candida = common.n_persons(positive.loc[positive["test"] == "candida"])
    acts = _acts(ds, year)
    advised = common.persons_in(acts.loc[acts["act"] == "hygiene_advice"]).intersection(seen)
    return common.concat_figures(
        [
            _proportion("results_given_share", given, len(lab), year, method, level),
            _proportion(
                [f"prevalence.{t}" for t in PREVALENCE_TESTS],
                tested["positive"].to_numpy(),
                tested["tested"].to_numpy(),
                year,
                method,
                level,
            ),
            _proportion("women_gardnerella_share", gardnerella, len(screened), year, method, level),
            _proportion("women_candida_share", candida, len(screened), year, method, level),
            _proportion("hygiene_advice_share", len(advised), len(seen), year, method, level),
        ]
    )


def positivity(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """4.1 Positivity per test (not per person): positive result rows / rows with a positive or negative result."""
    lab = _lab(ds, year)
    rows = lab.loc[lab["test"].isin(list(PREVALENCE_TESTS)) & lab["result"].isin(["positive", "negative"])]
    tests = common.count_codes(rows["test"], PREVALENCE_TESTS)
    positives = common.count_codes(rows.loc[rows["result"] == "positive", "test"], PREVALENCE_TESTS)
    return _proportion(
        [f"positivity.{t}" for t in PREVALENCE_TESTS],
        positives.to_numpy(),
        tests.to_numpy(),
        year,
        method,
        level,
    )


def cervical(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """4.2 Cervical screening: share with a lesion (ASCUS, LSIL, HSIL); persons by worst class of the year."""
    lab = _lab(ds, year)
    smears = lab.loc[(lab["test"] == "cervical_cytology") & lab["result"].isin(list(CYTOLOGY_CLASSES))]
    rank = pd.Series(
        pd.Categorical(smears["result"].astype(object), categories=CYTOLOGY_CLASSES).codes, index=smears.index
    )
    worst = rank.groupby(smears["pseudonym"]).max()
    per_class = np.bincount(worst.to_numpy(), minlength=len(CYTOLOGY_CLASSES))
    lesions = int((worst >= 1).sum())
    return common.concat_figures(
        [
            _proportion("cervical_lesion_share", lesions, len(worst), year, method, level),
            _count([f"cytology.{c}" for c in CYTOLOGY_CLASSES], year, per_class),
        ]
    )


# --- 5 vaccination, 6 follow-up ----------------------------------------------------------------


def vaccination(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """5 HBV vaccination: persons with at least one dose in the year, doses given."""
    acts = _acts(ds, year)
    doses = acts.loc[acts["act"] == "hbv_vaccine"]
    return common.concat_figures(
        [
            _count("vaccinated_persons", year, common.n_persons(doses)),
            _count("vaccine_doses", year, common.n_rows(doses)),
        ]
    )


def _schedules(ds: Dataset, year: int) -> pd.DataFrame:
    """Per person with a dose 1 in ``year``: dates of that dose 1 and of the first doses 2 and 3 after it.

    Doses 2 and 3 are looked for in all the data from the dose 1 on (also the
    following years). Returns a frame indexed by pseudonym with datetime
    columns ``dose1``, ``dose2``, ``dose3`` (NaT when not received).
    """
    acts = ds.medical_acts
    start = pd.Timestamp(year=int(year), month=1, day=1)
    keep = (acts["act"] == "hbv_vaccine") & acts["site"].isin(_sites(ds)) & (acts["date"] >= start)
    doses = acts.loc[keep.fillna(False).astype(bool)]
    doses = doses.assign(dose=doses["detail"].astype(object))
    first = common.in_year(doses.loc[doses["dose"].isin(["1"])], year)
    dose1 = first.groupby("pseudonym", observed=True)["date"].min().rename("dose1")
    # merge, not join: joining an empty frame names its index "pseudonym" (pandas 3), which breaks the groupby
    later = doses.loc[doses["dose"].isin(["2", "3"])].merge(dose1.reset_index(), on="pseudonym", how="inner")
    later = later.loc[later["date"] > later["dose1"]]
    after = later.groupby(["pseudonym", "dose"], observed=True)["date"].min().unstack("dose")
    after = (
        after.reindex(columns=["2", "3"])
        .rename(columns={"2": "dose2", "3": "dose3"})
        .astype(acts["date"].dtype)
    )
    return dose1.to_frame().join(after, how="left")


def _data_end(ds: Dataset) -> pd.Timestamp:
    """The latest event date at the funder's sites (consultation, sample or act): the end of follow-up."""
    ends = [
        table.loc[table["site"].isin(_sites(ds)).fillna(False).astype(bool), column].max()
        for table, column in (
            (ds.consultations, "date"),
            (ds.lab_results, "sample_date"),
            (ds.medical_acts, "date"),
        )
    ]
    ends = [end for end in ends if not pd.isna(end)]
    return max(ends) if ends else pd.NaT


def vaccine_schedule(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """5 HBV vaccination: completion of the 0-1-4 months schedule by the persons with a dose 1 in ``year``.

    Needs the acts after ``year`` too (:data:`FOLLOW_ON_SECTIONS`). Completed:
    doses 2 and 3 received after the dose 1 (first dose 1 of the year);
    within 6 months: dose 3 at most :data:`COMPLETION_WINDOW` after the dose 1.
    The median delay dose 1 -> dose 3 (days) is over the completed schedules;
    its ``denominator`` holds their number. ``vaccine_followup_incomplete``
    counts those without dose 3 whose 6-month window ends after the data do.
    """
    sched = _schedules(ds, year)
    completed = sched["dose2"].notna() & sched["dose3"].notna()
    delay = (sched.loc[completed, "dose3"] - sched.loc[completed, "dose1"]).dt.days
    within = completed & (sched["dose3"] <= sched["dose1"] + COMPLETION_WINDOW)
    end = _data_end(ds)
    open_ = sched["dose3"].isna() & (sched["dose1"] + COMPLETION_WINDOW > end)
    median = float(delay.median()) if len(delay) else np.nan
    return common.concat_figures(
        [
            _proportion(
                ["vaccine_completion", "vaccine_completion_within_6m"],
                np.array([completed.sum(), within.sum()]),
                len(sched),
                year,
                method,
                level,
            ),
            common.figures_frame(
                PREFIX + "vaccine_dose3_delay_median",
                INDICATORS[PREFIX + "vaccine_dose3_delay_median"][0],
                year,
                ALL,
                median,
                "days",
                denominator=float(len(delay)),
            ),
            _count("vaccine_followup_incomplete", year, int(open_.sum())),
        ]
    )


def follow_up(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """6 Medical and administrative follow-up: acts of the year, treatments by pathology, referrals by destination."""
    acts = _acts(ds, year)
    per_act = common.count_codes(acts["act"], codes.ACTS)
    treatments = common.count_codes(acts.loc[acts["act"] == "treatment", "detail"], codes.PATHOLOGIES)
    referrals = common.count_codes(acts.loc[acts["act"] == "referral", "detail"], codes.REFERRAL_DESTINATIONS)
    totals = {
        "contraception_prescriptions": per_act["contraception"],
        "treatments": per_act["treatment"],
        "referrals": per_act["referral"],
        "counsels": per_act["counsel"],
        "abortion_supports": per_act["abortion_support"],
        "pregnancy_followups": per_act["pregnancy_followup"],
    }
    return common.concat_figures(
        [
            _count(list(totals), year, np.asarray(list(totals.values()), dtype=float)),
            _count([f"treatments.{p}" for p in codes.PATHOLOGIES], year, treatments.to_numpy()),
            _count([f"referrals.{d}" for d in codes.REFERRAL_DESTINATIONS], year, referrals.to_numpy()),
        ]
    )


SECTIONS = (
    contacts,
    new_known,
    workplaces,
    age,
    age_gender,
    gender,
    nationality,
    gp_gyn,
    coverage,
    screening,
    positivity,
    cervical,
    vaccination,
    vaccine_schedule,
    follow_up,
)
# Sections that read the data after their year too (they get the rows from 1 January of the year on)
FOLLOW_ON_SECTIONS = (vaccine_schedule,)


# --- the whole table ---------------------------------------------------------------------------


def report_years(ds: Dataset, year: int, n_previous: int = 2) -> list[int]:
    """``year`` and the years ``year - n_previous`` .. ``year - 1`` that have consultations, ascending.

    Raises
    ------
    EspacepError
        When ``year`` has no consultation, or ``n_previous`` is not a whole number >= 0.
    """
    if isinstance(n_previous, bool) or not isinstance(n_previous, int | np.integer) or n_previous < 0:
        raise EspacepError(f"n_previous must be a whole number >= 0, got {n_previous!r}")
    present = ds.years
    if int(year) not in present:
        raise EspacepError(f"no consultation in {year}; years present in the data: {present}")
    return [y for y in present if int(year) - n_previous <= y <= int(year)]


def _last_year(ds: Dataset, years: list[int]) -> int:
    """The last calendar year with any event (consultation, sample, act) in the data, at least ``max(years)``."""
    last = [
        table[column].max()
        for table, column in (
            (ds.consultations, "date"),
            (ds.lab_results, "sample_date"),
            (ds.medical_acts, "date"),
        )
    ]
    return max([int(max(years))] + [int(t.year) for t in last if not pd.isna(t)])


def _year_sections(
    ds: Dataset, years: list[int], span: tuple[int, int], method: str, level: float
) -> dict[int, list[pd.DataFrame]]:
    """Each of ``years`` -> the rows of :data:`SECTIONS` (``span``: first year of the report, last of the data)."""
    compact = common.prepare(ds, _sites(ds), list(span))  # text hashed once for all years
    out = {}
    for y in years:
        one_year = common.prepare(compact, _sites(ds), [y])
        onwards = common.prepare(compact, _sites(ds), [y, span[1]])
        out[y] = [
            section(onwards if section in FOLLOW_ON_SECTIONS else one_year, y, method=method, level=level)
            for section in SECTIONS
        ]
    return out


def compute_figures(
    ds: Dataset,
    year: int,
    method: str = "wilson",
    level: float = 0.95,
    n_previous: int = 2,
    comparisons: bool = True,
) -> pd.DataFrame:
    """Every INAMI figure for ``year`` and up to ``n_previous`` previous years present in the data.

    Parameters
    ----------
    ds : Dataset
    year : int
        The report year (must have consultations).
    method, level :
        Confidence-interval method and level of the proportions (and level of
        the difference intervals).
    n_previous : int
        How many calendar years before ``year`` to compute too (those present).
    comparisons : bool
        Add the comparison rows of :data:`COMPARED` (differences with their
        Newcombe interval, Fisher and Cochran-Armitage p-values, verdict, see
        :func:`comparisons.compare_years`) when an earlier year is present,
        for the whole scope and the regions (the antennas' shares are printed
        with their earlier years, not tested: groups of 40 to 400 persons).

    Returns
    -------
    DataFrame
        The tidy figures table (:data:`common.FIGURE_COLUMNS`): the section
        rows sorted by year then report section, then the comparison rows
        (year = ``year``); values unrounded.

    Notes
    -----
    :data:`FOLLOW_ON_SECTIONS` (vaccination schedules) read the data from
    their year to the end of the data, so a year's figures may use later years.
    """
    if method not in stats.CI_METHODS:
        raise EspacepError(
            f"unknown confidence-interval method {method!r}; valid methods: {', '.join(stats.CI_METHODS)}"
        )
    years = report_years(ds, year, n_previous)
    last = _last_year(ds, years)
    parts = common.rows_by_year(
        ds,
        (PREFIX, last, method, level),
        years,
        lambda missing: _year_sections(ds, missing, (years[0], last), method, level),
    )
    figures = common.concat_figures(parts)
    if comparisons and len(years) > 1:
        scopes = figures["scope"]
        tested = figures.loc[(scopes == ALL) | scopes.str.startswith("region:")]  # not per antenna or site
        compared = _comparisons.compare_years(tested, ids_where(DEFINITIONS, "compared"), year, level)
        figures = common.concat_figures([figures, compared])
    return figures


def figure(figures: pd.DataFrame, indicator: str, year: int, scope: str = ALL) -> pd.Series:
    """The one row of ``figures`` for (``indicator``, ``year``, ``scope``).

    ``indicator`` may omit the ``inami.`` prefix. Raises :class:`EspacepError`
    when there is no such row (or, impossibly, several).
    """
    if indicator not in DEFINITIONS and indicator not in set(figures["indicator"]):
        indicator = PREFIX + indicator  # a name without the prefix
    rows = figures.loc[
        (figures["indicator"] == indicator) & (figures["year"] == int(year)) & (figures["scope"] == scope)
    ]
    if len(rows) != 1:
        what = "no figure" if rows.empty else f"{len(rows)} figures"
        raise EspacepError(f"{what} {indicator!r} for year {year}, scope {scope!r}")
    return rows.iloc[0]


# --- what adds up (for disclosure control) ------------------------------------------------------


def _family(category: str) -> tuple[str, ...]:
    """Full ids of the members of one of :data:`CATEGORIES` (``"gender"``), in declaration order."""
    return category_members(DEFINITIONS, PREFIX + category)


def partitions() -> list[Partition]:
    """Figures that add up, from the definitions above: one line per scope and year where the total exists.

    Each family of categories (:data:`CATEGORIES`) is declared against the
    denominator its proportions print (``rest=True`` where records may lack
    the category), and each family's sub-totals against the figures that
    print them elsewhere (the lesion share's numerator is the ASCUS, LSIL and
    HSIL classes; the migrant share's numerator is the foreign origins). The
    site hierarchy of the counts (``hierarchy`` in :data:`DEFINITIONS`) is added by `publish`.
    """
    p = PREFIX
    origins = _family("origin")
    foreign = tuple(i for i in origins if i not in (p + "origin.belgium", p + "origin.unknown"))
    cytology = _family("cytology")
    return [
        Partition((p + "new_persons", p + "known_persons"), p + "persons_seen", rest=True),
        Partition(_family("gender"), Denominator(p + "gender.woman"), rest=True),
        Partition(_family("workplace"), Denominator(p + "workplace.bar"), rest=True),
        Partition(_family("age_band"), Denominator(p + "age_band.lt20")),
        Partition(origins, Denominator(p + "origin.belgium")),
        Partition(
            (p + "belgian_share", p + "migrant_share", p + "nationality_unknown"),
            Denominator(p + "belgian_share"),
        ),
        Partition((Denominator(p + "belgian_share"),), p + "persons_seen"),
        Partition(foreign, p + "migrant_share"),
        Partition((p + "origin.belgium",), p + "belgian_share"),
        Partition((p + "origin.unknown",), p + "nationality_unknown"),
        Partition(cytology, Denominator(p + "cervical_lesion_share")),
        Partition(cytology[1:], p + "cervical_lesion_share"),
        Partition((p + "gp_no_data", Denominator(p + "gp_none_or_unaware_share")), p + "persons_seen"),
        Partition((p + "gyn_no_data", Denominator(p + "gyn_none_or_unaware_share")), p + "persons_seen"),
        Partition((p + "coverage_known",), Denominator(p + "coverage_not_in_order_share")),
        Partition((p + "new_persons",), p + "new_share"),
        Partition((("inami.persons_seen", f"site:{PASOP_SITE}"),), p + "pasop_persons_share"),
        Partition((("inami.consultations", f"site:{PASOP_SITE}"),), p + "pasop_consultations_share"),
        Partition(
            (p + "vaccine_completion", p + "vaccine_followup_incomplete"),
            Denominator(p + "vaccine_completion"),
            rest=True,
        ),
        Partition((p + "vaccine_completion_within_6m",), p + "vaccine_completion", rest=True),
        Partition(_family("treatments"), p + "treatments", rest=True),
        Partition(_family("referrals"), p + "referrals", rest=True),
    ]


STANDALONE = frozenset(ids_where(DEFINITIONS, "standalone"))
"""Figures that add up with no other figure (disclosure control masks them alone, with their
derived rows), declared ``standalone`` in :data:`DEFINITIONS`. Every figure of :data:`INDICATORS`
is in a line of :func:`partitions` or here."""
