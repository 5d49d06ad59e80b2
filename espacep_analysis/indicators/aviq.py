"""AViQ indicators: the figures of the AViQ section and of the Wallonia social-action section.

Definitions (ids, numerators, denominators, tie rules): ``docs/indicators_aviq_cocof.md``.
The scope is every site of the AViQ funder (``ds.sites.funder_sites("aviq")``:
Wallonia). One function per report section returns the figure rows of one
year; :func:`compute_figures` concatenates them for the report year and the
previous years the data covers. French labels and units are defined once, in
:data:`INDICATORS`.

The outreach building blocks it shares with :mod:`.cocof` (the outreach
tables, report years, per-site counts and hierarchy totals, the registry row
builders, the region's INAMI figures) are in :mod:`.outreach`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import codes
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
from . import common
from .common import ALL
from .outreach import (
    OUTREACH_TABLES,
    activity_total,
    check_method,
    demand_counts,
    first_site_per_person,
    hierarchy_totals,
    outreach_table,
    persons_with_demand,
    registry_counts,
    registry_proportions,
    report_years,
    sections_by_year,
    site_counts,
    with_comparisons,
)
from .regional import inami_region_figures

FUNDER = "aviq"
PREFIX = "aviq."
REGION = "wallonie"

# Internet platforms that are dating / escort sites (the report's list: Quartier Rouge,
# Sexy.be, Lili.be, Vivastreet.be, Belswing.be, Quicherchetrouve.be, Youpie.net).
DATING_PLATFORMS = tuple(p for p in codes.PLATFORMS if p not in ("facebook", "other"))
# Demands that are health-promotion services, not "démarches sociales": excluded from
# the denominator of the violence share (see the docs for the 5,7 % check).
NON_SOCIAL_DEMANDS = (
    "prevention_material",
    "medical_consultation",
    "health_questionnaire",
    "contraception_information",
)
SOCIAL_DEMANDS = tuple(d for d in codes.DEMANDS if d not in NON_SOCIAL_DEMANDS)
# Groups of sites the published information-session table prints on one line.
SITE_GROUPS: dict[str, tuple[str, ...]] = {"mons+tournai": ("mons", "tournai")}
# The published table "Nombre de séances d'information données": (line label, scope).
SESSION_TABLE: tuple[tuple[str, str], ...] = (
    ("Liège/Seraing/Ans", "antenna:liege"),
    ("Namur", "antenna:namur"),
    ("Arlon", "site:arlon"),
    ("Athus", "site:athus"),
    ("Charleroi", "antenna:charleroi"),
    ("Mons/Tournai", "sites:mons+tournai"),
    ("Total RW", ALL),
)
_DEMAND_LABELS = {
    "administrative": "problème administratif",
    "financial": "problème financier",
    "rights_information": "recherche d'informations sur les droits et devoirs des TDS",
    "housing": "problème de logement",
    "training_employment": "recherche de formation ou d'emploi",
    "violence": "problème de violence",
    "addiction": "problème d'assuétude",
    "prevention_material": "besoin de matériel de prévention",
    "medical_consultation": "besoin d'une consultation de médecine préventive",
    "trafficking": "traite des êtres humains",
    "health_questionnaire": "questionnaire santé",
    "contraception_information": "information sur la contraception",
    "other": "autre demande",
}
_PLACE_LABELS = {
    "field": "sur le terrain",
    "office": "au bureau",
    "phone": "au téléphone",
    "other_media": "via un autre média (mail, Facebook)",
}


def _registry() -> dict[str, tuple[str, str]]:
    """Indicator id (without the ``aviq.`` prefix) -> (French label, unit)."""
    reg = {
        "contacts": ("Contacts avec les TDS", "contacts"),
        "persons_met": ("TDS rencontrés (au site de leur premier contact de l'année)", "persons"),
        "persons_multi_site": ("TDS rencontrés dans plusieurs sites (comptés une fois)", "persons"),
        "dating_site_persons": ("TDS exerçant en privé rencontrés grâce aux sites de rencontre", "persons"),
        "inami.persons_seen": (
            "TDS dépistés en région wallonne (définition INAMI : vus en consultation)",
            "persons",
        ),
        "inami.consultations": (
            "Consultations médicales en région wallonne (définition INAMI)",
            "consultations",
        ),
        "inami.consultations_per_person": (
            "Consultations par TDS en région wallonne (définition INAMI)",
            "ratio",
        ),
        "inami.migrant_share": (
            "Part de migrants parmi les TDS vus en consultation en région wallonne (nationalité connue, non belge)",
            "proportion",
        ),
        "medical_acts": ("Actes médicaux (actes et résultats d'analyses) en région wallonne", "acts"),
        "information_sessions": ("Séances d'information données", "sessions"),
        "students_reached": ("Étudiants sensibilisés", "persons"),
        "professionals_reached": ("Professionnels sensibilisés", "persons"),
        "social_actions": ("Démarches sociales", "actions"),
        "violence_share": ("Part de la lutte contre la violence dans les démarches sociales", "proportion"),
        "addiction_interventions": ("Interventions concernant une problématique assuétude", "actions"),
        "trafficking_accompaniments": ("Victimes de la traite des êtres humains accompagnées", "persons"),
        "prevention_material": ("Distributions gratuites de matériel de prévention", "actions"),
    }
    for code, text in _DEMAND_LABELS.items():
        reg[f"demands.{code}"] = (f"Demandes : {text}", "actions")
    for code, text in _PLACE_LABELS.items():
        reg[f"first_contact_place.{code}"] = (f"Première rencontre de l'année {text}", "proportion")
    return reg


# Proportions the report compares across years (comparison rows in `compute_figures`)
COMPARED = (
    "violence_share",
    *(f"first_contact_place.{code}" for code in _PLACE_LABELS),
    "inami.migrant_share",
)

CATEGORIES = (
    Category("demands", {d: _DEMAND_LABELS[d] for d in SOCIAL_DEMANDS}),
    Category("first_contact_place", {c: _PLACE_LABELS[c] for c in codes.FIRST_CONTACT_PLACES}),
)
"""The families of categories; each family's sum is declared against its total in :func:`partitions`
(the demands that are not social actions are figures of their own)."""

DEFINITIONS: dict[str, Indicator] = declare(
    PREFIX,
    _registry(),
    categories=CATEGORIES,
    compared=COMPARED,
    standalone=(
        "contacts",
        "inami.consultations",
        "inami.consultations_per_person",
        "medical_acts",
        "information_sessions",
        "students_reached",
        "professionals_reached",
        "demands.medical_consultation",
        "demands.health_questionnaire",
        "demands.contraception_information",
        "demands.trafficking",
        "trafficking_accompaniments",
    ),
    hierarchy={"contacts": "sites", "persons_met": "sites"},  # per site, province and region
)
"""Every AViQ indicator, declared once: label, unit, kind and the relations it takes part in."""

INDICATORS: dict[str, tuple[str, str]] = labels_and_units(DEFINITIONS)
"""Full indicator id (``aviq.…``) -> (French label, unit), from :data:`DEFINITIONS`."""


# --- the year's rows in the AViQ scope ----------------------------------------------------------


def _sites(ds: Dataset) -> list[str]:
    return ds.sites.funder_sites(FUNDER)


def _rows(ds: Dataset, name: str, year: int) -> pd.DataFrame:
    return common.in_year(outreach_table(ds, name), year, OUTREACH_TABLES[name], _sites(ds))


def _ids(names) -> list[str]:
    return [PREFIX + name for name in ([names] if isinstance(names, str) else names)]


def _count(names, year: int, value, scope=ALL) -> pd.DataFrame:
    ids = _ids(names)
    return registry_counts(INDICATORS, ids[0] if isinstance(names, str) else ids, year, value, scope)


def _proportion(names, num, den, year: int, method: str, level: float, scope=ALL) -> pd.DataFrame:
    ids = _ids(names)
    return registry_proportions(
        INDICATORS, ids[0] if isinstance(names, str) else ids, num, den, year, method, level, scope
    )


# --- Stratégie 1 and 2: outreach contacts ---------------------------------------------------------


def contacts(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Contacts and persons met per site, province and for Wallonia; persons met at several sites.

    A person is counted once, at the site of their first contact of the year
    (earliest date; ties: smallest site code), so the sites add up to the
    provinces and the provinces to the region.
    """
    rows = _rows(ds, "contacts", year)
    site_codes = _sites(ds)
    n_contacts = hierarchy_totals(site_counts(rows, site_codes), ds.sites)
    first = first_site_per_person(rows)
    per_site = first.value_counts().reindex(site_codes, fill_value=0).astype("int64")
    persons = hierarchy_totals(per_site, ds.sites)
    pairs = rows.loc[rows["pseudonym"].notna().to_numpy(dtype=bool), ["pseudonym", "site"]].drop_duplicates()
    multi = int((pairs["pseudonym"].value_counts() > 1).sum())
    return common.concat_figures(
        [
            _count("contacts", year, n_contacts.to_numpy(), scope=list(n_contacts.index)),
            _count("persons_met", year, persons.to_numpy(), scope=list(persons.index)),
            _count("persons_multi_site", year, multi),
        ]
    )


def dating_sites(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Persons met through internet contacts on dating / escort platforms (:data:`DATING_PLATFORMS`)."""
    rows = _rows(ds, "contacts", year)
    online = (rows["channel"] == "internet") & rows["platform"].isin(list(DATING_PLATFORMS))
    return _count(
        "dating_site_persons", year, common.n_persons(rows.loc[online.fillna(False).to_numpy(dtype=bool)])
    )


# --- Stratégie 8: information sessions and awareness ------------------------------------------------


def information_sessions(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Sessions of information-session activities per site, antenna, group of the published table, and in total."""
    activities = _rows(ds, "activities", year)
    sessions = activities.loc[
        (activities["type"] == "information_session").fillna(False).to_numpy(dtype=bool)
    ]
    per_site = site_counts(sessions, _sites(ds), weights="sessions")
    totals = hierarchy_totals(per_site, ds.sites, (ALL, "antenna", "site"), SITE_GROUPS)
    return common.concat_figures(
        [
            _count("information_sessions", year, totals.to_numpy(), scope=list(totals.index)),
            _count(
                ["students_reached", "professionals_reached"],
                year,
                [
                    activity_total(activities, ["student_awareness"], "participants"),
                    activity_total(activities, ["professional_training"], "participants"),
                ],
            ),
        ]
    )


# --- Programme d'Action Sociale Globale en Wallonie -----------------------------------------------


def social_actions(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Profile of demands; social actions; violence share; addiction, trafficking, prevention material."""
    rows = _rows(ds, "social_actions", year)
    demands = demand_counts(rows)
    social = int(demands[list(SOCIAL_DEMANDS)].sum())
    return common.concat_figures(
        [
            _count([f"demands.{d}" for d in codes.DEMANDS], year, demands.to_numpy()),
            _count("social_actions", year, social),
            _proportion("violence_share", int(demands["violence"]), social, year, method, level),
            _count(
                ["addiction_interventions", "prevention_material", "trafficking_accompaniments"],
                year,
                [
                    demands["addiction"],
                    demands["prevention_material"],
                    persons_with_demand(rows, "trafficking"),
                ],
            ),
        ]
    )


def first_contact_places(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Share of persons by the place of their first contact of the year (social actions flagged ``first_contact``).

    One place per person: their earliest flagged row (ties: smallest site
    code). Persons whose first contact has no known place are left out of the
    denominator, so the shares add up to 1.
    """
    rows = _rows(ds, "social_actions", year)
    flagged = rows.loc[rows["first_contact"].fillna(False).to_numpy(dtype=bool)]
    first = common.first_per_person(flagged)
    counts = common.count_codes(first["place"], codes.FIRST_CONTACT_PLACES)
    names = [f"first_contact_place.{p}" for p in codes.FIRST_CONTACT_PLACES]
    return _proportion(names, counts.to_numpy(), int(counts.sum()), year, method, level)


# --- Stratégie 4: medical consultations in Wallonia (INAMI definition) ----------------------------


def medical(ds: Dataset, years: Sequence[int], method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Persons seen, consultations, consultations per person, migrant share (INAMI definitions), medical acts, in Wallonia.

    Medical acts = ``medical_acts`` rows + ``lab_results`` rows at Wallonia
    sites in the year (years with a consultation only).
    """
    years = [y for y in years if y in set(ds.years)]
    parts = [inami_region_figures(ds, years, REGION, PREFIX, INDICATORS, method, level)]
    sites = _sites(ds)
    for y in years:
        acts = common.n_rows(common.in_year(ds.medical_acts, y, "date", sites))
        results = common.n_rows(common.in_year(ds.lab_results, y, "sample_date", sites))
        parts.append(_count("medical_acts", y, acts + results))
    return common.concat_figures(parts)


# Sections of one year and the outreach table each one reads

SECTIONS = (
    (contacts, "contacts"),
    (dating_sites, "contacts"),
    (information_sessions, "activities"),
    (social_actions, "social_actions"),
    (first_contact_places, "social_actions"),
)


# --- the whole table ---------------------------------------------------------------------------


def compute_figures(
    ds: Dataset, year: int, method: str = "wilson", level: float = 0.95, n_previous: int = 2
) -> pd.DataFrame:
    """Every AViQ figure for ``year`` and up to ``n_previous`` previous years present in the data.

    Outreach sections are computed for a year when their table (contacts,
    social actions, activities) has rows in that year; the medical section for
    the years with consultations. Returns the tidy figures table
    (:data:`common.FIGURE_COLUMNS`), sorted by year then section, values
    unrounded, then the comparison rows of :data:`COMPARED` (year = ``year``,
    see :func:`comparisons.compare_years`).
    """
    check_method(method)
    years = report_years(ds, year, n_previous)
    figures = sections_by_year(
        ds, (PREFIX, method, level), years, _sites(ds), SECTIONS, medical, method, level
    )
    return with_comparisons(figures, ids_where(DEFINITIONS, "compared"), year, level)


# --- what adds up (for disclosure control) ------------------------------------------------------


def partitions() -> list[Partition]:
    """Figures of the AViQ report that add up, from the definitions above (every scope and year).

    The site hierarchy of contacts and persons met (``hierarchy`` in :data:`DEFINITIONS`) is added
    by `publish` from the sites.
    """
    p = PREFIX
    places = category_members(DEFINITIONS, p + "first_contact_place")
    return [
        Partition(category_members(DEFINITIONS, p + "demands"), p + "social_actions"),
        Partition((p + "demands.violence",), p + "violence_share"),
        Partition((p + "social_actions",), Denominator(p + "violence_share")),
        Partition((p + "addiction_interventions",), p + "demands.addiction"),
        Partition((p + "prevention_material",), p + "demands.prevention_material"),
        Partition(places, Denominator(places[0])),
        Partition((p + "persons_multi_site",), p + "persons_met", rest=True),
        Partition((p + "dating_site_persons",), p + "persons_met", rest=True),
        Partition((p + "inami.persons_seen",), Denominator(p + "inami.migrant_share")),
    ]


STANDALONE = frozenset(ids_where(DEFINITIONS, "standalone"))
"""Figures in no line of :func:`partitions`, declared ``standalone`` in :data:`DEFINITIONS` (contacts and consultations: in the site hierarchy
and the relations to INAMI's figures, made in `publish`)."""
