"""Cocof indicators: the figures of the Brussels health-promotion section.

Definitions (ids, numerators, denominators): ``docs/indicators_aviq_cocof.md``.
The scope is every site of the Cocof funder (``ds.sites.funder_sites("cocof")``:
Brussels); scope ``all`` means that whole scope. The outreach building blocks
and the INAMI-definition medical figures come from :mod:`.outreach` (shared
with AViQ; nothing re-implemented). French labels and units are defined
once, in :data:`INDICATORS`.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..definitions import Denominator, Indicator, Partition, declare, ids_where, labels_and_units
from . import common, outreach, regional
from .common import ALL

FUNDER = "cocof"
PREFIX = "cocof."
REGION = "bruxelles"
COURSE_TYPES = ("language_course", "literacy_course")


def _registry() -> dict[str, tuple[str, str]]:
    """Indicator id (without the ``cocof.`` prefix) -> (French label, unit)."""
    reg = {
        "contacts": ("Contacts avec les TDS enregistrés par les travailleurs bruxellois", "contacts"),
        "persons_met": ("TDS rencontrés", "persons"),
        "internet_persons": ("TDS rencontrés grâce à internet", "persons"),
        "contraception_information": ("Informations sur la contraception délivrées", "actions"),
        "health_questionnaires": ("Questionnaires santé remplis", "actions"),
        "violence_prevention_interventions": (
            "Interventions de prévention de la violence ou de l'exploitation",
            "actions",
        ),
        "trafficking_accompaniments": (
            "Accompagnements sociaux dans le cadre d'une problématique TEH",
            "persons",
        ),
        "addiction_reorientations": ("Réorientations pour une problématique assuétude", "actions"),
        "language_courses": ("Cours de FLE organisés", "sessions"),
        "literacy_courses": ("Cours d'alphabétisation organisés", "sessions"),
        "course_attendances": ("Présences aux cours de FLE et d'alphabétisation", "attendances"),
        "stand_days": ("Jours de stand", "sessions"),
        "stand_condoms": ("Préservatifs distribués sur les stands", "condoms"),
        "students_reached": ("Étudiants sensibilisés", "persons"),
        "professionals_reached": ("Professionnels sensibilisés", "persons"),
        "inami.persons_seen": ("TDS vus en consultation à Bruxelles (définition INAMI)", "persons"),
        "inami.consultations": ("Consultations médicales à Bruxelles (définition INAMI)", "consultations"),
        "inami.consultations_per_person": ("Consultations par TDS à Bruxelles (définition INAMI)", "ratio"),
        "inami.migrant_share": (
            "Part de migrants parmi les TDS vus en consultation à Bruxelles (nationalité connue, non belge)",
            "proportion",
        ),
    }
    return reg


COMPARED = ("inami.migrant_share",)
"""Proportions the report compares across years (comparison rows in `compute_figures`)."""

DEFINITIONS: dict[str, Indicator] = declare(
    PREFIX,
    _registry(),
    compared=COMPARED,
    standalone=(
        "contacts",
        "contraception_information",
        "health_questionnaires",
        "violence_prevention_interventions",
        "addiction_reorientations",
        "language_courses",
        "literacy_courses",
        "course_attendances",
        "stand_days",
        "stand_condoms",
        "students_reached",
        "trafficking_accompaniments",
        "professionals_reached",
        "inami.consultations",
        "inami.consultations_per_person",
    ),
)
"""Every Cocof indicator, declared once: label, unit, kind and the relations it takes part in."""

INDICATORS: dict[str, tuple[str, str]] = labels_and_units(DEFINITIONS)
"""Full indicator id (``cocof.…``) -> (French label, unit), from :data:`DEFINITIONS`."""


def _sites(ds: Dataset) -> list[str]:
    return ds.sites.funder_sites(FUNDER)


def _rows(ds: Dataset, name: str, year: int) -> pd.DataFrame:
    return common.in_year(outreach.outreach_table(ds, name), year, outreach.OUTREACH_TABLES[name], _sites(ds))


def _count(names, year: int, value, scope=ALL) -> pd.DataFrame:
    if isinstance(names, str):
        return outreach.registry_counts(INDICATORS, PREFIX + names, year, value, scope)
    return outreach.registry_counts(INDICATORS, [PREFIX + n for n in names], year, value, scope)


# --- Action 1 and 2: outreach contacts, internet -------------------------------------------------


def contacts(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Brussels contacts (rows), persons met (distinct pseudonyms), persons met through the internet."""
    rows = _rows(ds, "contacts", year)
    online = (rows["channel"] == "internet").fillna(False).to_numpy(dtype=bool)
    return _count(
        ["contacts", "persons_met", "internet_persons"],
        year,
        [
            common.n_rows(rows),
            common.n_persons(rows),
            common.n_persons(rows.loc[online]),
        ],
    )


# --- Actions 1, 5, 6: social actions -------------------------------------------------------------


def social_actions(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Contraception information, health questionnaires, violence prevention, trafficking, addiction."""
    rows = _rows(ds, "social_actions", year)
    demands = outreach.demand_counts(rows)
    return _count(
        [
            "contraception_information",
            "health_questionnaires",
            "violence_prevention_interventions",
            "trafficking_accompaniments",
            "addiction_reorientations",
        ],
        year,
        [
            demands["contraception_information"],
            demands["health_questionnaire"],
            demands["violence"],
            outreach.persons_with_demand(rows, "trafficking"),
            demands["addiction"],
        ],
    )


# --- Actions 1, 7, 8: collective activities ------------------------------------------------------


def activities(ds: Dataset, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Language and literacy courses, course attendances, stands and their condoms, students and professionals."""
    rows = _rows(ds, "activities", year)
    total = outreach.activity_total
    return _count(
        [
            "language_courses",
            "literacy_courses",
            "course_attendances",
            "stand_days",
            "stand_condoms",
            "students_reached",
            "professionals_reached",
        ],
        year,
        [
            total(rows, ["language_course"], "sessions"),
            total(rows, ["literacy_course"], "sessions"),
            total(rows, COURSE_TYPES, "participants"),
            total(rows, ["stand"], "sessions"),
            total(rows, ["stand"], "condoms"),
            total(rows, ["student_awareness"], "participants"),
            total(rows, ["professional_training"], "participants"),
        ],
    )


# Proportions the report compares across years (comparison rows in `compute_figures`)
SECTIONS = (
    (contacts, "contacts"),
    (social_actions, "social_actions"),
    (activities, "activities"),
)


def medical(ds: Dataset, years, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Brussels persons seen, consultations, consultations per person and migrant share (INAMI definitions)."""
    return regional.inami_region_figures(ds, years, REGION, PREFIX, INDICATORS, method, level)


def compute_figures(
    ds: Dataset, year: int, method: str = "wilson", level: float = 0.95, n_previous: int = 2
) -> pd.DataFrame:
    """Every Cocof figure for ``year`` and up to ``n_previous`` previous years present in the data.

    Same conventions as :func:`.aviq.compute_figures` (years, sections, order,
    comparison rows of :data:`COMPARED` last).
    """
    outreach.check_method(method)
    years = outreach.report_years(ds, year, n_previous)
    key = (PREFIX, method, level)
    figures = outreach.sections_by_year(ds, key, years, _sites(ds), SECTIONS, medical, method, level)
    return outreach.with_comparisons(figures, ids_where(DEFINITIONS, "compared"), year, level)


# --- what adds up (for disclosure control) ------------------------------------------------------


def partitions() -> list[Partition]:
    """Figures of the Cocof report that add up, from the definitions above (every year)."""
    p = PREFIX
    return [
        Partition((p + "internet_persons",), p + "persons_met", rest=True),
        Partition((p + "inami.persons_seen",), Denominator(p + "inami.migrant_share")),
    ]


STANDALONE = frozenset(ids_where(DEFINITIONS, "standalone"))
"""Figures in no line of :func:`partitions`, declared ``standalone`` in :data:`DEFINITIONS` (the INAMI ones are tied to INAMI's report in `publish`)."""
