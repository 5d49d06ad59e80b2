"""The AViQ report, section by section, in the order of the published report.

"Notre Programme de Promotion de la Santé subsidié par l'AViQ" (Stratégies 1
to 10), then "Notre Programme d'Action Sociale Globale en Wallonie". Each
function takes the report's `FigureBook` (and the year's `declared.Declared`
content, whose sections are the spec's `funders.FunderSpec.declared`) and returns the
blocks of one section: the declared narrative and items (every item of the
section, in the params file's order), the sentences the report prints
(generated from the figures, never typed by hand), the tables and the charts.
The numbers all come from `indicators.aviq` and `declared`; nothing here
computes a figure.

When the exports do not cover the report year for an outreach table
(contacts, social actions, activities), the book has none of its figures and
the section says so instead of printing numbers.

The helpers shared with :mod:`.cocof` (`narrative_block`, `declared_lines`,
`declared_section`, `trend_table`, `years_and`, `absent`, `migrant_share`) live in
:mod:`.outreach`.
"""

from __future__ import annotations

import pandas as pd

from .. import codes, fmt, plots
from ..declared import Declared
from ..indicators import aviq as indicators
from ..indicators.common import ALL
from ..markup import plain
from ..sites import Sites, load_sites
from . import trends
from .charts import bar_counts
from .common import WITHHELD, Chart, FigureBook, Table, Text, prose, rows_table
from .outreach import (  # shared with the Cocof pages; importable from here as before
    _years,
    absent,
    declared_lines,
    declared_section,
    migrant_share,
    narrative_block,
    sentences,
    trend_table,
    years_and,
)

P = "aviq."
REGION = "region:wallonie"
# "Total pour la province de Liège", "... du Luxembourg": the article before each province's name
PROVINCE_OF = {
    "liege": "de Liège",
    "namur": "de Namur",
    "luxembourg": "du Luxembourg",
    "hainaut": "du Hainaut",
}
# Display names of the dating / escort platforms (codes.PLATFORMS), as the report writes them
PLATFORM_NAMES = {
    "quartier_rouge": "Quartier Rouge",
    "sexy_be": "Sexy.be",
    "lili_be": "Lili.be",
    "vivastreet": "Vivastreet.be",
    "belswing": "Belswing.be",
    "quicherchetrouve": "Quicherchetrouve.be",
    "youpie": "Youpie.net",
}


def _plain(label: str, prefix: str) -> str:
    """A figure label without its ``prefix``, capitalised: ``"Demandes : problème x"`` -> ``"Problème x"``."""
    text = label.removeprefix(prefix)
    return text[:1].upper() + text[1:]


# --- Stratégie 1: proximity work (contacts and persons met per site) --------------------------


def _hierarchy_rows(book: FigureBook, indicator: str, sites: Sites, years: list[int]) -> list:
    """Table lines: each site, then its province's total, ..., then "Total RW"."""
    frame = sites.frame.loc[
        [c for c in sites.funder_sites("aviq") if any(book.has(indicator, y, f"site:{c}") for y in years)]
    ]

    def cells(scope: str) -> list[str]:
        return [
            book.text(indicator, y, scope) if book.has(indicator, y, scope) else fmt.MISSING for y in years
        ]

    rows = []
    for province, members in frame.groupby("province", sort=False):
        for code, site in members.iterrows():
            rows.append(([site["site_label"], *cells(f"site:{code}")], False))
        name = PROVINCE_OF.get(province, f"de {members['province_label'].iloc[0]}")
        rows.append(([f"Total pour la province {name}", *cells(f"province:{province}")], True))
    rows.append((["Total RW", *cells(REGION)], True))
    return rows


def hierarchy_table(
    book: FigureBook, indicator: str, caption: str, sites: Sites | None = None, footnote: str = ""
) -> Table:
    """The published per-site table: sites, province totals, Wallonia total; one column per year."""
    sites = sites or load_sites()
    years = _years(book, [(indicator, REGION)])
    header = ["Site", *map(str, years)]
    return rows_table(
        header, _hierarchy_rows(book, indicator, sites, years), caption=caption, footnote=footnote
    )


def _contacts_chart(book: FigureBook, sites: Sites) -> Chart:
    present = [c for c in sites.funder_sites("aviq") if book.has(P + "contacts", book.year, f"site:{c}")]
    frame = sites.frame.loc[present]
    scopes = [f"site:{c}" for c in present]
    rows = pd.DataFrame(
        {
            "label": list(frame["site_label"]),
            "value": [book.value(P + "contacts", book.year, s) for s in scopes],
            "text": [book.text(P + "contacts", book.year, s) for s in scopes],
            "group": list(frame["province_label"]),
        }
    )
    title = f"Contacts avec les TDS par site {book.period}"
    return Chart(
        bar_counts(
            rows,
            title=title,
            lang=book.lang,
            xlabel="Contacts",
            group_title="Province",
            colours=plots.place_colours("province", sites),
        ),
        alt=title,
    )


def proximity(book: FigureBook, declared: Declared | None = None, sites: Sites | None = None) -> list:
    """Stratégie 1: contacts and persons met per site, province and for Wallonia; chart of contacts per site."""
    y = book.year
    blocks = declared_section(book, declared, "proximity")
    if not book.has(P + "contacts", y, REGION):
        return blocks + [absent(book, "contacts")]
    sites = sites or load_sites()
    text = (
        book.clause(
            f"{book.period_capitalized}, nos équipes wallonnes ont enregistré "
            f"{book.say(P + 'contacts', y, REGION)} contacts avec les TDS{book.paren_history(P + 'contacts', REGION)} "
            f"et ont rencontré {book.say(P + 'persons_met', y, REGION)} TDS différents"
            f"{book.paren_history(P + 'persons_met', REGION)}",
            [(P + "contacts", y, REGION), (P + "persons_met", y, REGION)],
            f"{book.period_capitalized}, les nombres de contacts et de TDS rencontrés ne sont pas publiés",
        )
        + "."
    )
    if book.has(P + "persons_multi_site"):
        multi = P + "persons_multi_site"
        count = book.say(multi)
        persons = fmt.noun(book.value(multi), "personne rencontrée", "personnes rencontrées")
        where = (
            f"{count} {persons} dans plusieurs sites"
            if count != WITHHELD
            else "le nombre de personnes rencontrées dans plusieurs sites n'est pas publié"
        )
        text += (
            " Une personne rencontrée dans plusieurs sites est comptée une seule fois, au site de son "
            f"premier contact de l'année ({where}) : les sites s'additionnent ainsi aux totaux des provinces "
            "et de la région."
        )
    return blocks + [
        prose(text),
        hierarchy_table(book, P + "contacts", f"Nombre de contacts avec les TDS {book.period}", sites),
        hierarchy_table(
            book,
            P + "persons_met",
            f"Nombre de TDS rencontrés {book.period}",
            sites,
            footnote="Chaque personne est comptée au site de son premier contact de l'année.",
        ),
        _contacts_chart(book, sites),
    ]


# --- Stratégie 2: internet ------------------------------------------------------------------------


def dating_platforms_text() -> str:
    """``"Quartier Rouge, Sexy.be, ... et Youpie.net"``: the platforms of `indicators.aviq.DATING_PLATFORMS`."""
    names = [PLATFORM_NAMES.get(p, p) for p in indicators.DATING_PLATFORMS]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def internet(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 2: declared audience (Facebook, websites), persons met through dating sites."""
    y = book.year
    blocks = declared_section(book, declared, "internet")
    if book.has(P + "dating_site_persons"):
        when = f"Entre le 1/1/{y} et le 31/12/{y}" if book.period_end is None else book.period_capitalized
        ind = P + "dating_site_persons"
        blocks += sentences(
            [
                book.clause(
                    f"{when}, nos équipes wallonnes ont rencontré {book.say(ind)} "
                    f"{fmt.noun(book.value(ind), 'personne exerçant', 'personnes exerçant')} la prostitution en "
                    f"privé grâce à leurs contacts sur {dating_platforms_text()}",
                    [ind],
                    f"{when}, le nombre de personnes rencontrées grâce aux sites de rencontre n'est pas publié",
                )
                + "."
            ]
        )
    else:
        blocks.append(absent(book, "contacts"))
    return blocks + trend_table(book, [P + "dating_site_persons"], "Prévention sur internet")


# --- Stratégies 3 and 4: tools, medical consultations ------------------------------------------


def tools(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 3: prevention tools (narrative and declared counts)."""
    return declared_section(book, declared, "tools")


def medical(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 4: persons screened, consultations (INAMI definition, Wallonia), medical acts, per person."""
    y = book.year
    blocks = declared_section(book, declared, "medical")
    seen, visits, per = (
        P + "inami.persons_seen",
        P + "inami.consultations",
        P + "inami.consultations_per_person",
    )
    if not book.has(seen, y, REGION):
        return blocks + [Text(f"*Aucune consultation enregistrée {book.period} en région wallonne.*")]
    acts = (
        f"{book.say(P + 'medical_acts')} actes médicaux ont été recensés lors de"
        if book.has(P + "medical_acts")
        else "Ils ont bénéficié de"
    )
    refs: list[str | tuple[str, int, str]] = [(seen, y, REGION), (visits, y, REGION), (per, y, REGION)]
    refs += [P + "medical_acts"] if book.has(P + "medical_acts") else []
    text = (
        book.clause(
            f"{book.say(seen, y, REGION)} TDS ont été dépistés par Espace P… {book.period} en région wallonne"
            f"{years_and(book, seen, REGION)}. {fmt.capitalized(acts)} {book.say(visits, y, REGION)} "
            f"consultations. Il y a eu {book.say(per, y, REGION)} consultations/TDS en moyenne",
            refs,
            f"{book.period_capitalized}, les chiffres des consultations en région wallonne ne sont pas publiés",
        )
        + "."
    )
    footnote = (
        "Définition INAMI : personnes vues en consultation dans un site wallon dans l'année (ce sont les "
        "chiffres de la région wallonne du rapport INAMI). Actes médicaux : actes et résultats d'analyses."
    )
    return (
        blocks
        + [prose(text)]
        + trend_table(
            book,
            [(seen, REGION), (visits, REGION), (per, REGION), P + "medical_acts"],
            "Consultations médicales en région wallonne",
            footnote=footnote,
        )
        + migrant_share(book, P + "inami.migrant_share", REGION, "en région wallonne")
    )


# --- Stratégies 5 to 10 ---------------------------------------------------------------------------


def violence(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 5: violence prevention; trafficking accompaniments; violence as a share of social actions."""
    blocks = declared_section(book, declared, "violence")
    if not book.has(P + "violence_share"):
        return blocks + [absent(book, "social_actions")]
    share = P + "violence_share"
    blocks += sentences(
        [
            book.clause(
                f"Accompagnement de {book.say(P + 'trafficking_accompaniments')} "
                f"{fmt.noun(book.value(P + 'trafficking_accompaniments'), 'victime', 'victimes')} TEH "
                f"{book.period}",
                [P + "trafficking_accompaniments"],
                f"Le nombre de victimes TEH accompagnées {book.period} n'est pas publié",
            )
            + "."
            if book.has(P + "trafficking_accompaniments")
            else "",
            book.clause(
                f"La lutte contre la violence constituait {book.say(share)} de nos démarches sociales en "
                f"Wallonie {book.period} ({book.say(P + 'demands.violence')} actions relevées)",
                [share, P + "demands.violence"],
                f"La part de la lutte contre la violence dans nos démarches sociales {book.period} n'est pas "
                "publiée",
                "démarches",
            )
            + ".",
            f"Cette part était de {book.history(share)}{trends.short_verdict(book, share)}."
            if book.history(share)
            else "",
        ]
    )
    if book.previous:
        blocks.append(
            trends.comparison_table(
                book,
                [(share, ALL, "Part de la lutte contre la violence dans les démarches sociales")],
                "Évolution de la part de la lutte contre la violence",
            )
        )
    return blocks


def harm_reduction(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 6: interventions about addiction."""
    blocks = declared_section(book, declared, "harm_reduction")
    if not book.has(P + "addiction_interventions"):
        return blocks + [absent(book, "social_actions")]
    ind = P + "addiction_interventions"
    return blocks + sentences(
        [
            book.clause(
                f"{book.say(ind)} interventions concernant une problématique assuétude ont été "
                f"comptabilisées par les travailleurs wallons {book.period}{book.paren_history(ind)}",
                [ind],
                f"Le nombre d'interventions concernant une problématique assuétude {book.period} n'est pas "
                "publié",
                "interventions",
            )
            + "."
        ]
    )


def clients(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 7: awareness of clients (narrative, declared counts)."""
    return declared_section(book, declared, "clients")


def sessions_table(book: FigureBook) -> list:
    """The published table "Nombre de séances d'information données" (`indicators.aviq.SESSION_TABLE`)."""
    ind = P + "information_sessions"
    years = _years(book, [(ind, ALL)])
    rows = [
        (
            [label, *[book.text(ind, y, scope) if book.has(ind, y, scope) else fmt.MISSING for y in years]],
            scope == ALL,
        )
        for label, scope in indicators.SESSION_TABLE
    ]
    return [
        rows_table(["Antenne", *map(str, years)], rows, caption="Nombre de séances d'information données")
    ]


def professionals(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 8: professionals and students reached; information sessions per site."""
    blocks = declared_section(book, declared, "professionals")
    if not book.has(P + "information_sessions"):
        return blocks + [absent(book, "activities")]
    reached = [P + "professionals_reached", P + "students_reached"]
    blocks += sentences(
        [
            book.clause(
                f"Sensibilisation de {book.say(reached[0])} professionnels et de "
                f"{book.say(reached[1])} étudiants {book.period}",
                reached,
                f"Le nombre de professionnels et d'étudiants sensibilisés {book.period} n'est pas publié",
            )
            + "."
        ]
    )
    return blocks + sessions_table(book)


def advocacy(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 9: political advocacy (narrative)."""
    return declared_section(book, declared, "advocacy")


def evaluation(book: FigureBook, declared: Declared | None = None) -> list:
    """Stratégie 10: formative evaluation (narrative, declared counts)."""
    return declared_section(book, declared, "evaluation")


# --- Programme d'Action Sociale Globale en Wallonie ----------------------------------------------


PLACE_PREFIX = "Première rencontre de l'année "


def first_contact(book: FigureBook) -> list:
    """Place of the first contact of the year: sentence, chart, table of the shares (with earlier years)."""
    ids = [P + f"first_contact_place.{p}" for p in codes.FIRST_CONTACT_PLACES]
    ids = [i for i in ids if book.has(i)]
    if not ids:
        return [absent(book, "social_actions")]
    shares = ", ".join(
        f"{book.say(i, decimals=0)} {plain(fmt.in_sentence(book.row(i)['label'].removeprefix(PLACE_PREFIX)))}"
        for i in ids
    )
    den = book.row(ids[0])["denominator"]
    n = fmt.quantity(den, "personne", "personnes", book.lang)
    text = book.clause(
        f"Lieu de la première rencontre de l'année : {shares} (parts des {n} dont le lieu du "
        f"premier contact de l'année {book.year} est connu)",
        ids,
        "Les parts des lieux de la première rencontre de l'année ne sont pas toutes publiées",
    )
    text += "."
    rows = book.select(ids)
    rows = rows.assign(label=[_plain(lab, PLACE_PREFIX) for lab in rows["label"]])
    title = f"Lieu de la première rencontre de l'année {book.year}"
    # the table holds every share with its counts, masks included: the sentence may refer to it
    items = [(i, ALL, _plain(book.row(i)["label"], PLACE_PREFIX)) for i in ids]
    caption = (
        "Évolution du lieu de la première rencontre"
        if book.previous
        else f"Parts des lieux de la première rencontre de l'année {book.year}"
    )
    chart = Chart(plots.bar_shares(rows, title=title, lang=book.lang), alt=title)
    return [prose(text), chart, trends.comparison_table(book, items, caption)]


DEMAND_PREFIX = "Demandes : "


def demands(book: FigureBook, declared: Declared | None = None) -> list:
    """Profile of demands: prevention material, consultations, the social problems (table and chart)."""
    y = book.year
    blocks = declared_section(book, declared, "demands")
    if not book.has(P + "social_actions"):
        return blocks + [absent(book, "social_actions")]
    material, consultation = P + "prevention_material", P + "demands.medical_consultation"
    text = prose(
        "Besoin de matériel de prévention : "
        + book.clause(
            f"{book.say(material)} distributions gratuites de préservatifs répertoriées en RW {book.period}",
            [material],
            "nombre de distributions non publié",
            "distributions",
        )
        + ".",
        "Besoin d'une consultation de médecine préventive : "
        + book.clause(
            f"{book.say(consultation)} consultations médicales répertoriées en RW {book.period}",
            [consultation],
            "nombre de consultations non publié",
            "consultations",
        )
        + ".",
    )
    ids = [P + f"demands.{d}" for d in indicators.SOCIAL_DEMANDS]
    rows = [([_plain(book.row(i)["label"], DEMAND_PREFIX), book.text(i)], False) for i in ids]
    rows.append((["Total des démarches sociales", book.text(P + "social_actions")], True))
    table = rows_table(
        ["Demande", str(y)],
        rows,
        caption=f"Profil des demandes {book.period}",
        footnote=(
            "Démarches sociales : toutes les demandes sauf le matériel de prévention, les consultations, les "
            "questionnaires santé et l'information sur la contraception."
        ),
    )
    chart_rows = pd.DataFrame(
        {
            "label": [r[0][0] for r in rows[:-1]],
            "value": [book.value(i) for i in ids],
            "text": [book.text(i) for i in ids],
        }
    )
    title = f"Démarches sociales par type de demande {book.period}"
    chart = bar_counts(chart_rows, title=title, lang=book.lang, xlabel="Actions")
    return blocks + [text, table, Chart(chart, alt=title)]


def social_activities(book: FigureBook, declared: Declared | None = None) -> list:
    """New collective activities of the year (narrative)."""
    return declared_section(book, declared, "social_activities")


__all__ = [
    "absent",
    "advocacy",
    "clients",
    "declared_lines",
    "declared_section",
    "demands",
    "evaluation",
    "first_contact",
    "harm_reduction",
    "hierarchy_table",
    "internet",
    "medical",
    "narrative_block",
    "professionals",
    "proximity",
    "rows_table",
    "sentences",
    "sessions_table",
    "social_activities",
    "tools",
    "trend_table",
    "violence",
    "years_and",
]
