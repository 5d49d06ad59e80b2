"""The Cocof report, section by section, in the order of the published report.

"Notre Programme de Promotion de la Santé en milieu de prostitution en région
bruxelloise" (Actions 1 to 8), then "Notre Programme d'Action Sociale Globale
à Bruxelles". Each function takes the report's `FigureBook` and the declared
content of the year (`declared.Declared`: every item and narrative of a
section of the spec's `funders.FunderSpec.declared`, in file order) and returns the blocks of one
section. Every number comes from
`indicators.cocof` or `declared` through the book; nothing here computes a
figure. Sections whose outreach table does not cover the report year say so.
"""

from __future__ import annotations

from ..declared import Declared
from .common import FigureBook, Text
from .outreach import absent, declared_section, migrant_share, sentences, trend_table, years_and

P = "cocof."
REGION = "region:bruxelles"


def _nonzero(book: FigureBook, indicator: str) -> bool:
    """True when the figure is in the book and is not a plain 0 (a masked figure counts as non-zero)."""
    return book.has(indicator) and (book.is_suppressed(indicator) or book.value(indicator) != 0)


# --- Action 1: proximity work ----------------------------------------------------------------------


def proximity(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 1: contacts and persons met, contraception information, questionnaires, courses."""
    y, t = book.year, book.text
    blocks = declared_section(book, declared, "proximity")
    if book.has(P + "contacts"):
        blocks.append(
            Text(
                f"{t(P + 'contacts')} contacts avec {t(P + 'persons_met')} TDS ont été enregistrés par "
                f"l'ensemble de nos travailleurs bruxellois en {y}{book.paren_history(P + 'contacts')}."
            )
        )
    else:
        blocks.append(absent(book, "contacts"))
    if book.has(P + "contraception_information"):
        blocks += sentences(
            [
                f"{t(P + 'contraception_information')} informations sur la contraception ont été délivrées.",
                f"{t(P + 'health_questionnaires')} questionnaires santé ont été remplis.",
            ]
        )
    else:
        blocks.append(absent(book, "social_actions"))
    if book.has(P + "language_courses"):
        blocks.append(
            Text(
                f"{t(P + 'language_courses')} cours de FLE ont été organisés et "
                f"{t(P + 'literacy_courses')} cours d'alphabétisation ({t(P + 'course_attendances')} "
                "présences au total)."
            )
        )
    else:
        blocks.append(absent(book, "activities"))
    return blocks + trend_table(
        book,
        [
            P + n
            for n in (
                "contacts",
                "persons_met",
                "contraception_information",
                "health_questionnaires",
                "language_courses",
                "literacy_courses",
                "course_attendances",
            )
        ],
        "Travail de proximité",
    )


def unplanned(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 1: actions not planned initially (narrative, declared participants)."""
    return declared_section(book, declared, "unplanned")


def adjustments(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 1: adjustments considered for the next years (narrative)."""
    return declared_section(book, declared, "adjustments")


# --- Action 2: internet ------------------------------------------------------------------------------


def internet(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 2: declared audience (chat sessions, websites), persons met through the internet."""
    y, t = book.year, book.text
    blocks = declared_section(book, declared, "internet")
    if book.has(P + "internet_persons"):
        blocks.append(
            Text(
                f"{t(P + 'internet_persons')} TDS exerçant en privé ont été rencontrés grâce à internet "
                f"en {y}{book.paren_history(P + 'internet_persons')}."
            )
        )
    else:
        blocks.append(absent(book, "contacts"))
    return blocks + trend_table(book, [P + "internet_persons"], "Prévention sur internet")


# --- Actions 3 and 4: tools, medical consultations ------------------------------------------------


def tools(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 3: prevention tools (narrative, declared counts)."""
    return declared_section(book, declared, "tools")


def medical(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 4: persons seen and consultations in Brussels (INAMI definition, same figures as INAMI's)."""
    y = book.year
    seen, visits, per = (
        P + "inami.persons_seen",
        P + "inami.consultations",
        P + "inami.consultations_per_person",
    )
    blocks = declared_section(book, declared, "medical")
    if not book.has(seen, y, REGION):
        return blocks + [Text(f"*Aucune consultation enregistrée en {y} à Bruxelles.*")]
    text = (
        f"En {y}, {book.text(seen, y, REGION)} TDS ont été vus en consultation à Bruxelles"
        f"{years_and(book, seen, REGION)}, lors de {book.text(visits, y, REGION)} consultations médicales, "
        f"soit {book.text(per, y, REGION)} consultations par TDS en moyenne."
    )
    footnote = (
        "Définition INAMI : personnes vues en consultation à Bruxelles dans l'année (ce sont les chiffres "
        "de la Région de Bruxelles-Capitale du rapport INAMI)."
    )
    return (
        blocks
        + [Text(text)]
        + trend_table(
            book,
            [(seen, REGION), (visits, REGION), (per, REGION)],
            "Consultations médicales à Bruxelles",
            footnote=footnote,
        )
        + migrant_share(book, P + "inami.migrant_share", REGION, "à Bruxelles")
    )


# --- Actions 5 to 8 ---------------------------------------------------------------------------------


def violence(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 5: violence-prevention interventions, trafficking accompaniments, the 17 December march."""
    y, t = book.year, book.text
    blocks = declared_section(book, declared, "violence")
    if book.has(P + "violence_prevention_interventions"):
        blocks += sentences(
            [
                f"Pendant l'année, les travailleurs ont fait {t(P + 'violence_prevention_interventions')} interventions "
                "de prévention de la violence ou de l'exploitation.",
                f"{t(P + 'trafficking_accompaniments')} accompagnements sociaux dans le cadre d'une problématique TEH ont "
                f"été réalisés en {y}.",
            ]
        )
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks


def harm_reduction(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 6: addiction reorientations (and the declared follow-ups)."""
    t = book.text
    blocks = declared_section(book, declared, "harm_reduction")
    if book.has(P + "addiction_reorientations"):
        blocks.append(
            Text(
                f"{t(P + 'addiction_reorientations')} réorientations pour une problématique assuétude "
                f"en {book.year}{book.paren_history(P + 'addiction_reorientations')}."
            )
        )
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks


def clients(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 7: stands for clients and the condoms distributed there."""
    blocks = declared_section(book, declared, "clients")
    if not book.has(P + "stand_days"):
        return blocks + [absent(book, "activities")]
    return blocks + [
        Text(
            f"Stands : {book.text(P + 'stand_days')} jours de stand en {book.year}, "
            f"{book.text(P + 'stand_condoms')} préservatifs distribués."
        )
    ]


def professionals(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 8: students and professionals reached."""
    t = book.text
    blocks = declared_section(book, declared, "professionals")
    if not book.has(P + "students_reached"):
        return blocks + [absent(book, "activities")]
    return blocks + sentences(
        [
            f"{t(P + 'students_reached')} étudiants sensibilisés en {book.year}.",
            f"{t(P + 'professionals_reached')} professionnels sensibilisés."
            if _nonzero(book, P + "professionals_reached")
            else "",
        ]
    )


def social_work(book: FigureBook, declared: Declared | None = None) -> list:
    """Programme d'Action Sociale Globale à Bruxelles (narrative)."""
    return declared_section(book, declared, "social_work")


__all__ = [
    "adjustments",
    "clients",
    "harm_reduction",
    "internet",
    "medical",
    "professionals",
    "proximity",
    "social_work",
    "tools",
    "unplanned",
    "violence",
]
