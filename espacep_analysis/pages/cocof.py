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
from .common import FigureBook, Text, prose
from .outreach import absent, declared_section, migrant_share, sentences, trend_table, years_and

P = "cocof."
REGION = "region:bruxelles"


def _nonzero(book: FigureBook, indicator: str) -> bool:
    """True when the figure is in the book and is not a plain 0 (a masked figure counts as non-zero)."""
    return book.has(indicator) and (book.is_suppressed(indicator) or book.value(indicator) != 0)


# --- Action 1: proximity work ----------------------------------------------------------------------


def proximity(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 1: contacts and persons met, contraception information, questionnaires, courses."""
    t, c = book.say, book.clause
    blocks = declared_section(book, declared, "proximity")
    if book.has(P + "contacts"):
        blocks += sentences(
            [
                c(
                    f"{t(P + 'contacts')} contacts avec {t(P + 'persons_met')} TDS ont été enregistrés par "
                    f"l'ensemble de nos travailleurs bruxellois {book.period}{book.paren_history(P + 'contacts')}",
                    [P + "contacts", P + "persons_met"],
                    f"Les nombres de contacts et de TDS rencontrés {book.period} ne sont pas publiés",
                )
                + "."
            ]
        )
    else:
        blocks.append(absent(book, "contacts"))
    if book.has(P + "contraception_information"):
        blocks += sentences(
            [
                c(
                    f"{t(P + 'contraception_information')} informations sur la contraception ont été délivrées",
                    [P + "contraception_information"],
                    "Le nombre d'informations sur la contraception n'est pas publié",
                    "informations",
                )
                + ".",
                c(
                    f"{t(P + 'health_questionnaires')} questionnaires santé ont été remplis",
                    [P + "health_questionnaires"],
                    "Le nombre de questionnaires santé remplis n'est pas publié",
                    "questionnaires",
                )
                + ".",
            ]
        )
    else:
        blocks.append(absent(book, "social_actions"))
    if book.has(P + "language_courses"):
        courses = [P + "language_courses", P + "literacy_courses", P + "course_attendances"]
        blocks += sentences(
            [
                c(
                    f"{t(courses[0])} cours de FLE ont été organisés et {t(courses[1])} cours "
                    f"d'alphabétisation ({t(courses[2])} présences au total)",
                    courses,
                    "Les nombres de cours de FLE et d'alphabétisation ne sont pas publiés",
                    "cours",
                )
                + "."
            ]
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
    t = book.say
    blocks = declared_section(book, declared, "internet")
    if book.has(P + "internet_persons"):
        blocks += sentences(
            [
                book.clause(
                    f"{t(P + 'internet_persons')} TDS exerçant en privé ont été rencontrés grâce à internet "
                    f"{book.period}{book.paren_history(P + 'internet_persons')}",
                    [P + "internet_persons"],
                    f"Le nombre de TDS rencontrés grâce à internet {book.period} n'est pas publié",
                )
                + "."
            ]
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
        return blocks + [Text(f"*Aucune consultation enregistrée {book.period} à Bruxelles.*")]
    text = (
        book.clause(
            f"{book.period_capitalized}, {book.say(seen, y, REGION)} TDS ont été vus en consultation à Bruxelles"
            f"{years_and(book, seen, REGION)}, lors de {book.say(visits, y, REGION)} consultations médicales, "
            f"soit {book.say(per, y, REGION)} consultations par TDS en moyenne",
            [(seen, y, REGION), (visits, y, REGION), (per, y, REGION)],
            f"{book.period_capitalized}, les chiffres des consultations à Bruxelles ne sont pas publiés",
        )
        + "."
    )
    footnote = (
        "Définition INAMI : personnes vues en consultation à Bruxelles dans l'année (ce sont les chiffres "
        "de la Région de Bruxelles-Capitale du rapport INAMI)."
    )
    return (
        blocks
        + [prose(text)]
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
    t, c = book.say, book.clause
    blocks = declared_section(book, declared, "violence")
    if book.has(P + "violence_prevention_interventions"):
        during = "Pendant l'année" if book.period_end is None else book.period_capitalized
        blocks += sentences(
            [
                c(
                    f"{during}, les travailleurs ont fait {t(P + 'violence_prevention_interventions')} "
                    "interventions de prévention de la violence ou de l'exploitation",
                    [P + "violence_prevention_interventions"],
                    f"{during}, le nombre d'interventions de prévention de la violence n'est pas publié",
                    "interventions",
                )
                + ".",
                c(
                    f"{t(P + 'trafficking_accompaniments')} accompagnements sociaux dans le cadre d'une "
                    f"problématique TEH ont été réalisés {book.period}",
                    [P + "trafficking_accompaniments"],
                    f"Le nombre d'accompagnements sociaux TEH {book.period} n'est pas publié",
                    "accompagnements",
                )
                + ".",
            ]
        )
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks


def harm_reduction(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 6: addiction reorientations (and the declared follow-ups)."""
    ind = P + "addiction_reorientations"
    blocks = declared_section(book, declared, "harm_reduction")
    if book.has(ind):
        blocks += sentences(
            [
                book.clause(
                    f"{book.say(ind)} réorientations pour une problématique assuétude "
                    f"{book.period}{book.paren_history(ind)}",
                    [ind],
                    f"Le nombre de réorientations pour une problématique assuétude {book.period} n'est pas publié",
                    "réorientations",
                )
                + "."
            ]
        )
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks


def clients(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 7: stands for clients and the condoms distributed there."""
    blocks = declared_section(book, declared, "clients")
    if not book.has(P + "stand_days"):
        return blocks + [absent(book, "activities")]
    stands = [P + "stand_days", P + "stand_condoms"]
    return blocks + sentences(
        [
            "Stands : "
            + book.clause(
                f"{book.say(stands[0])} jours de stand {book.period}, {book.say(stands[1])} préservatifs distribués",
                stands,
                "chiffres non publiés",
                "jours",
            )
            + "."
        ]
    )


def professionals(book: FigureBook, declared: Declared | None = None) -> list:
    """Action 8: students and professionals reached."""
    t, c = book.say, book.clause
    blocks = declared_section(book, declared, "professionals")
    if not book.has(P + "students_reached"):
        return blocks + [absent(book, "activities")]
    return blocks + sentences(
        [
            c(
                f"{t(P + 'students_reached')} étudiants sensibilisés {book.period}",
                [P + "students_reached"],
                f"Le nombre d'étudiants sensibilisés {book.period} n'est pas publié",
            )
            + ".",
            c(
                f"{t(P + 'professionals_reached')} professionnels sensibilisés",
                [P + "professionals_reached"],
                "Le nombre de professionnels sensibilisés n'est pas publié",
            )
            + "."
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
