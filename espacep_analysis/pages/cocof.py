"""The Cocof report, section by section, in the order of the published report.

"Notre Programme de Promotion de la Santé en milieu de prostitution en région
bruxelloise" (Actions 1 to 8), then "Notre Programme d'Action Sociale Globale
à Bruxelles". Each function takes the report's `FigureBook` and the declared
narrative paragraphs (by section key of `declared.NARRATIVE_SECTIONS`) and
returns the blocks of one section. Every number comes from
`indicators.cocof` or `declared` through the book; nothing here computes a
figure. Sections whose outreach table does not cover the report year say so.
"""

from __future__ import annotations

from collections.abc import Mapping

from .aviq import absent, declared_lines, migrant_share, narrative_block, sentences, trend_table, years_and
from .common import FigureBook, Text

P = "cocof."
D = "cocof.declared."
REGION = "region:bruxelles"


def _if(book: FigureBook, ids: list[str], text) -> str:
    """``text()`` when every id is in the book for the report year, else ``""``."""
    return text() if all(book.has(i) for i in ids) else ""


def _nonzero(book: FigureBook, indicator: str) -> bool:
    """True when the figure is in the book and is not a plain 0 (a masked figure counts as non-zero)."""
    return book.has(indicator) and (book.is_suppressed(indicator) or book.value(indicator) != 0)


# --- Action 1: proximity work ----------------------------------------------------------------------


def proximity(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 1: contacts and persons met, contraception information, questionnaires, courses."""
    y, t = book.year, book.text
    blocks = sentences([_if(book, [D + "social_workers"], lambda: (
        f"{t(D + 'social_workers')} travailleurs sociaux se répartissent les différents territoires bruxellois."))])
    blocks += narrative_block(narrative, "proximity")
    if book.has(P + "contacts"):
        blocks.append(Text(f"{t(P + 'contacts')} contacts avec {t(P + 'persons_met')} TDS ont été enregistrés par "
                           f"l'ensemble de nos travailleurs bruxellois en {y}{book.paren_history(P + 'contacts')}."))
    else:
        blocks.append(absent(book, "contacts"))
    if book.has(P + "contraception_information"):
        blocks += sentences([
            f"{t(P + 'contraception_information')} informations sur la contraception ont été délivrées.",
            f"{t(P + 'health_questionnaires')} questionnaires santé ont été remplis.",
        ])
    else:
        blocks.append(absent(book, "social_actions"))
    if book.has(P + "language_courses"):
        blocks += sentences([
            f"{t(P + 'language_courses')} cours de FLE ont été organisés et {t(P + 'literacy_courses')} cours "
            f"d'alphabétisation ({t(P + 'course_attendances')} présences au total).",
            _if(book, [D + "course_participants"], lambda: (
                f"{t(D + 'course_participants')} TDS ont participé aux cours de FLE et d'alphabétisation.")),
        ])
    else:
        blocks.append(absent(book, "activities"))
    return blocks + trend_table(book, [P + n for n in (
        "contacts", "persons_met", "contraception_information", "health_questionnaires", "language_courses",
        "literacy_courses", "course_attendances")] + [D + "course_participants"], "Travail de proximité")


UNPLANNED = ("mdm_visit_participants", "cire_meeting_participants", "literacy_workshops",
             "literacy_workshop_participants", "lawyer_meetings", "lawyer_meeting_sex_workers",
             "lawyer_meeting_owners")


def unplanned(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 1: actions not planned initially (narrative, declared participants)."""
    return narrative_block(narrative, "unplanned") + declared_lines(book, D, UNPLANNED)


def adjustments(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 1: adjustments considered for the next years (narrative)."""
    return narrative_block(narrative, "adjustments")


# --- Action 2: internet ------------------------------------------------------------------------------


def _info4escorts(book: FigureBook) -> str:
    ind = D + "info4escorts_visits"
    if not book.has(ind):
        return ""
    months = (f" en {book.text(D + 'info4escorts_months_counted')} mois"
              if book.has(D + "info4escorts_months_counted") else "")
    details = [f"{book.text(D + k)} {words}" for k, words in (
        ("info4escorts_new_visits", "nouvelles visites"), ("info4escorts_brussels_visits", "visites bruxelloises"))
        if book.has(D + k)]
    of_which = f", dont {' et '.join(details)}" if details else ""
    return (f"{book.text(ind)} visites du site www.info4escorts.be ont été recensées{months} en {book.year}"
            f"{of_which}.")


def internet(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 2: chat sessions, website visits (declared), persons met through the internet."""
    y, t = book.year, book.text
    blocks = narrative_block(narrative, "internet") + sentences([
        _if(book, [D + "chat_sessions_per_week"], lambda: (
            f"Présence sur Quartier Rouge : {t(D + 'chat_sessions_per_week')} permanences chat par semaine.")),
        _if(book, [D + "website_visits"], lambda: (
            f"{t(D + 'website_visits')} visites du site www.espacep.be ont été recensées en {y}"
            f"{book.paren_history(D + 'website_visits')}.")),
        _info4escorts(book),
    ])
    if book.has(P + "internet_persons"):
        blocks.append(Text(f"{t(P + 'internet_persons')} TDS exerçant en privé ont été rencontrés grâce à internet "
                           f"en {y}{book.paren_history(P + 'internet_persons')}."))
    else:
        blocks.append(absent(book, "contacts"))
    return blocks + trend_table(book, [D + "website_visits", D + "info4escorts_visits", P + "internet_persons"],
                                "Prévention sur internet")


# --- Actions 3 and 4: tools, medical consultations ------------------------------------------------


def tools(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 3: prevention tools (narrative, declared counts)."""
    return narrative_block(narrative, "tools") + declared_lines(book, D, ["video_capsules"])


def medical(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 4: persons seen and consultations in Brussels (INAMI definition, same figures as INAMI's)."""
    y = book.year
    seen, visits, per = P + "inami.persons_seen", P + "inami.consultations", P + "inami.consultations_per_person"
    blocks = narrative_block(narrative, "medical")
    if not book.has(seen, y, REGION):
        return blocks + [Text(f"*Aucune consultation enregistrée en {y} à Bruxelles.*")]
    text = (f"En {y}, {book.text(seen, y, REGION)} TDS ont été vus en consultation à Bruxelles"
            f"{years_and(book, seen, REGION)}, lors de {book.text(visits, y, REGION)} consultations médicales, "
            f"soit {book.text(per, y, REGION)} consultations par TDS en moyenne.")
    footnote = ("Définition INAMI : personnes vues en consultation à Bruxelles dans l'année (ce sont les chiffres "
                "de la Région de Bruxelles-Capitale du rapport INAMI).")
    return blocks + [Text(text)] + trend_table(
        book, [(seen, REGION), (visits, REGION), (per, REGION)], "Consultations médicales à Bruxelles",
        footnote=footnote) + migrant_share(book, P + "inami.migrant_share", REGION, "à Bruxelles")


# --- Actions 5 to 8 ---------------------------------------------------------------------------------


def violence(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 5: violence-prevention interventions, trafficking accompaniments, the 17 December march."""
    y, t = book.year, book.text
    blocks = narrative_block(narrative, "violence")
    if book.has(P + "violence_prevention_interventions"):
        blocks += sentences([
            f"Pendant l'année, les travailleurs ont fait {t(P + 'violence_prevention_interventions')} interventions "
            "de prévention de la violence ou de l'exploitation.",
            f"{t(P + 'trafficking_accompaniments')} accompagnements sociaux dans le cadre d'une problématique TEH ont "
            f"été réalisés en {y}.",
        ])
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks + sentences([
        _if(book, [D + "march_participants"], lambda: (
            f"La marche du 17 décembre a attiré {t(D + 'march_participants')} personnes"
            + (f" dont {t(D + 'march_sex_workers')} TDS." if book.has(D + "march_sex_workers") else "."))),
        _if(book, [D + "open_letter_cosigners"], lambda: (
            f"Une carte blanche d'UTSOPI a été cosignée par {t(D + 'open_letter_cosigners')} associations.")),
    ])


def harm_reduction(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 6: addiction reorientations (and the declared follow-ups)."""
    t = book.text
    blocks = narrative_block(narrative, "harm_reduction") + sentences([
        _if(book, [D + "rat_followed_persons"], lambda: (
            f"{t(D + 'rat_followed_persons')} personnes suivies à Espace P… par un médecin du RAT.")),
    ])
    if book.has(P + "addiction_reorientations"):
        blocks.append(Text(f"{t(P + 'addiction_reorientations')} réorientations pour une problématique assuétude "
                           f"en {book.year}{book.paren_history(P + 'addiction_reorientations')}."))
    else:
        blocks.append(absent(book, "social_actions"))
    return blocks + sentences([_if(book, [D + "syringe_supplied_injectors"], lambda: (
        f"{t(D + 'syringe_supplied_injectors')} injectrices en rue ravitaillées en seringues."))])


def clients(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 7: stands for clients and the condoms distributed there."""
    blocks = narrative_block(narrative, "clients")
    if not book.has(P + "stand_days"):
        return blocks + [absent(book, "activities")]
    return blocks + [Text(f"Stands : {book.text(P + 'stand_days')} jours de stand en {book.year}, "
                          f"{book.text(P + 'stand_condoms')} préservatifs distribués.")]


def professionals(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Action 8: students and professionals reached."""
    t = book.text
    blocks = narrative_block(narrative, "professionals")
    if not book.has(P + "students_reached"):
        return blocks + [absent(book, "activities")]
    return blocks + sentences([
        f"{t(P + 'students_reached')} étudiants sensibilisés en {book.year}.",
        f"{t(P + 'professionals_reached')} professionnels sensibilisés." if _nonzero(book, P + "professionals_reached")
        else "",
    ])


def social_work(book: FigureBook, narrative: Mapping[str, str] | None = None) -> list:
    """Programme d'Action Sociale Globale à Bruxelles (narrative)."""
    return narrative_block(narrative, "social_work")


__all__ = ["adjustments", "clients", "harm_reduction", "internet", "medical", "professionals", "proximity",
           "social_work", "tools", "unplanned", "violence"]
