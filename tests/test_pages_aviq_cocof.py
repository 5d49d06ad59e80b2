"""The AViQ and Cocof report pages, built from small hand-made figures tables.

Each book below is typed by hand (values, and which figures are masked); the
expected sentences and table cells are written out in full, in the report's
Belgian French (U+00A0 no-break space as group separator and before "%").
Most values are the published 2019 ones (../shared/reference/rapport_moral_2019.txt),
so the expected sentences are the published sentences with Belgian number
formats. Hand computations are in the comments.
"""

from __future__ import annotations

import dataclasses
import math
from html.parser import HTMLParser

import pandas as pd
import pytest

from espacep_analysis import declared, fmt
from espacep_analysis.indicators import aviq as aviq_ind
from espacep_analysis.indicators import cocof as cocof_ind
from espacep_analysis.indicators.common import figures_frame
from espacep_analysis.pages import Chart, FigureBook, Table, Text, aviq, cocof
from espacep_analysis.pages.charts import bar_counts
from espacep_analysis.sites import load_sites

NB = "\u00a0"
NAN = math.nan
DECLARED_2019 = {f: declared.load_declared(f, 2019) for f in ("aviq", "cocof")}
REGISTRY = {
    **aviq_ind.INDICATORS,
    **cocof_ind.INDICATORS,
    **{
        f"{f}.declared.{i.key}": (i.label, i.unit)
        for f in DECLARED_2019
        for y in (2018, 2019)
        for items in declared.load_declared(f, y).sections.values()
        for i in items
    },
}


def content(funder: str, narrative: dict | None = None) -> declared.Declared:
    """The committed 2019 items of ``funder`` (sections and order) with ``narrative`` as the paragraphs."""
    return dataclasses.replace(DECLARED_2019[funder], narrative=narrative or {})


A, C = content("aviq"), content("cocof")


def fig(indicator, value, scope="all", year=2019, num=NAN, den=NAN, mask=""):
    """One figure row; ``mask`` "primary" / "secondary" marks it suppressed (value NaN, as disclosure does)."""
    label, unit = REGISTRY[indicator]
    row = figures_frame(
        indicator, label, year, scope, NAN if mask else value, unit, numerator=num, denominator=den
    )
    return row.assign(suppressed=bool(mask), suppression=mask)


def book_of(rows, year=2019) -> FigureBook:
    return FigureBook(pd.concat(rows, ignore_index=True), year, masked="< 5")


class _Cells(HTMLParser):
    """Rows of a table's cell texts, and whether each row is bold (a total line)."""

    def __init__(self):
        super().__init__()
        self.rows, self.bold, self.caption, self.footnote = [], [], "", ""
        self._cell, self._in = None, None

    def handle_starttag(self, tag, attrs):
        if tag in ("caption", "tfoot"):
            self._in = tag
        elif self._in == "tfoot":
            return
        elif tag == "tr":
            self.rows.append([])
            self.bold.append(False)
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "strong":
            self.bold[-1] = True

    def handle_endtag(self, tag):
        if tag in ("caption", "tfoot"):
            self._in = None
        elif self._in == "tfoot":
            return
        elif tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in == "tfoot":
            self.footnote += data
        elif self._cell is not None:
            self._cell += data


def cells(table: Table) -> _Cells:
    parser = _Cells()
    parser.feed(table.html)
    return parser


def texts(blocks) -> list[str]:
    return [b.markdown for b in blocks if isinstance(b, Text)]


def tables(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


# --- the AViQ book: published 2019 figures, a few masked ------------------------------------------

CONTACTS_2019 = {  # published table "Nombre de contacts avec les TDS en 2019"
    "site:liege": 892,
    "site:seraing": 168,
    "site:ans": 185,
    "province:liege": 1245,
    "site:namur": 812,
    "province:namur": 812,
    "site:arlon": 195,
    "site:athus": 419,
    "province:luxembourg": 614,
    "site:charleroi": 2521,
    "site:mons": 315,
    "site:tournai": 303,
    "province:hainaut": 3139,
    "region:wallonie": 5810,
    "all": 5810,
}
PERSONS_2019 = {  # published "Nombre de TDS rencontrés en 2019", Seraing and Ans masked for the test
    "site:liege": 201,
    "site:seraing": 44,
    "site:ans": 79,
    "province:liege": 324,
    "site:namur": 146,
    "province:namur": 146,
    "site:arlon": 61,
    "site:athus": 113,
    "province:luxembourg": 174,
    "site:charleroi": 172,
    "site:mons": 103,
    "site:tournai": 71,
    "province:hainaut": 346,
    "region:wallonie": 990,
    "all": 990,
}
PERSONS_MASKS = {"site:seraing": "primary", "site:ans": "secondary"}
SESSIONS_2019 = {
    "antenna:liege": 12,
    "antenna:namur": 10,
    "site:arlon": 3,
    "site:athus": 6,
    "antenna:charleroi": 28,
    "sites:mons+tournai": 46,
    "all": 105,
}
DEMANDS_2019 = {
    "administrative": 794,
    "financial": 486,
    "rights_information": 405,
    "housing": 378,
    "training_employment": 148,
    "violence": 141,
    "addiction": 139,
    "prevention_material": 2000,
    "medical_consultation": 1445,
    "trafficking": 3,
    "health_questionnaire": 0,
    "contraception_information": 0,
    "other": 0,
}
SOCIAL_2019 = 2494  # 794 + 486 + 405 + 378 + 148 + 141 + 139 + 3 (trafficking) + 0 (other)
PLACES_2019 = {"field": 540, "office": 153, "phone": 144, "other_media": 63}  # of 900: 60 %, 17 %, 16 %, 7 %


def medical_rows(prefix, region, seen, visits):
    """``seen`` and ``visits`` by year; the ratio is visits / seen with its numerator and denominator."""
    rows = []
    for year in seen:
        rows.append(fig(prefix + "inami.persons_seen", seen[year], region, year))
        if year in visits:
            rows.append(fig(prefix + "inami.consultations", visits[year], region, year))
            rows.append(
                fig(
                    prefix + "inami.consultations_per_person",
                    visits[year] / seen[year],
                    region,
                    year,
                    num=visits[year],
                    den=seen[year],
                )
            )
    return rows


def aviq_medical_and_declared():
    return [
        *medical_rows("aviq.", "region:wallonie", {2017: 488, 2018: 584, 2019: 575}, {2019: 1449}),
        fig("aviq.medical_acts", 4469),
        fig("aviq.declared.facebook_friends", 1231),
        fig("aviq.declared.facebook_friends", 1105, year=2018),
        fig("aviq.declared.info4escorts_visits", 10238, year=2018),
        fig("aviq.declared.medical_partners", 10),
        fig("aviq.declared.condom_sales", 200),
        fig("aviq.declared.exhibition_visitors", 150),
        fig("aviq.declared.video_capsules", 4, mask="primary"),
        fig("aviq.declared.brochure_languages", 9),
    ]


def aviq_outreach():
    rows = [fig("aviq.contacts", v, s) for s, v in CONTACTS_2019.items()]
    rows += [fig("aviq.contacts", 5500, s, 2018) for s in ("region:wallonie", "all")]
    rows += [fig("aviq.persons_met", v, s, mask=PERSONS_MASKS.get(s, "")) for s, v in PERSONS_2019.items()]
    rows += [fig("aviq.persons_multi_site", 12), fig("aviq.dating_site_persons", 221)]
    rows += [
        fig("aviq.information_sessions", v, s, mask="primary" if v < 5 else "")
        for s, v in SESSIONS_2019.items()
    ]
    rows += [fig("aviq.students_reached", 80), fig("aviq.professionals_reached", 15)]
    rows += [
        fig(f"aviq.demands.{d}", v, mask="primary" if 0 < v < 5 else "") for d, v in DEMANDS_2019.items()
    ]
    rows += [
        fig("aviq.social_actions", SOCIAL_2019),
        fig("aviq.violence_share", 141 / SOCIAL_2019, num=141, den=SOCIAL_2019),
        fig("aviq.addiction_interventions", 139),
        fig("aviq.prevention_material", 2000),
        fig("aviq.trafficking_accompaniments", 3, mask="primary"),
    ]
    rows += [fig(f"aviq.first_contact_place.{p}", n / 900, num=n, den=900) for p, n in PLACES_2019.items()]
    return rows


@pytest.fixture(scope="module")
def abook():
    return book_of(aviq_medical_and_declared() + aviq_outreach())


@pytest.fixture(scope="module")
def abook_no_outreach():
    """What the book holds before contacts.csv, social_actions.csv, activities.csv exist."""
    return book_of(aviq_medical_and_declared())


NARRATIVE = {"proximity": "Nos équipes wallonnes vont à la rencontre des TDS.", "advocacy": "Plaidoyer."}


def test_proximity_sentence(abook):
    blocks = aviq.proximity(abook, content("aviq", NARRATIVE))
    assert texts(blocks) == [
        "Nos équipes wallonnes vont à la rencontre des TDS.",
        f"En 2019, nos équipes wallonnes ont enregistré 5{NB}810 contacts avec les TDS (5{NB}500 en 2018) et ont "
        "rencontré 990 TDS différents. Une personne rencontrée dans plusieurs sites est comptée une seule fois, au "
        "site de son premier contact de l'année (12 personnes rencontrées dans plusieurs sites) : les sites "
        "s'additionnent ainsi aux totaux des provinces et de la région.",
    ]
    assert [type(b) for b in blocks] == [Text, Text, Table, Table, Chart]


def test_contacts_table_is_the_published_one(abook):
    table = cells(aviq.proximity(abook, content("aviq", NARRATIVE))[2])
    assert table.caption == "Nombre de contacts avec les TDS en 2019"
    # 2018 holds only the Wallonia total in this book: every other 2018 cell is an en dash
    assert table.rows == [
        ["Site", "2018", "2019"],
        ["Liège", "–", "892"],
        ["Seraing", "–", "168"],
        ["Ans", "–", "185"],
        ["Total pour la province de Liège", "–", f"1{NB}245"],
        ["Namur", "–", "812"],
        ["Total pour la province de Namur", "–", "812"],
        ["Arlon", "–", "195"],
        ["Athus", "–", "419"],
        ["Total pour la province du Luxembourg", "–", "614"],
        ["Charleroi", "–", f"2{NB}521"],
        ["Mons", "–", "315"],
        ["Tournai", "–", "303"],
        ["Total pour la province du Hainaut", "–", f"3{NB}139"],
        ["Total RW", f"5{NB}500", f"5{NB}810"],
    ]
    totals = [row[0] for row, bold in zip(table.rows, table.bold) if bold]
    assert totals == [
        "Total pour la province de Liège",
        "Total pour la province de Namur",
        "Total pour la province du Luxembourg",
        "Total pour la province du Hainaut",
        "Total RW",
    ]


def test_persons_table_prints_the_masks(abook):
    table = cells(aviq.proximity(abook, content("aviq", NARRATIVE))[3])
    assert table.rows[:5] == [
        ["Site", "2019"],
        ["Liège", "201"],
        ["Seraing", "< 5"],
        ["Ans", "x"],
        ["Total pour la province de Liège", "324"],
    ]
    assert table.rows[-1] == ["Total RW", "990"]
    assert table.footnote == "Chaque personne est comptée au site de son premier contact de l'année."


def test_contacts_chart_bars_are_the_site_figures(abook):
    chart = aviq.proximity(abook, content("aviq", NARRATIVE))[4]
    widths = [p.get_width() for p in chart.figure.axes[0].patches]
    assert widths == [892, 168, 185, 812, 195, 419, 2521, 315, 303]  # sites in the order of params/sites.yaml
    # The alt text reads the chart's data out (issue 13): what it shows, then each bar with its formatted count.
    sites = ["Liège", "Seraing", "Ans", "Namur", "Arlon", "Athus", "Charleroi", "Mons", "Tournai"]
    provinces = ["Liège"] * 3 + ["Namur"] + ["Luxembourg"] * 2 + ["Hainaut"] * 3
    read = " ; ".join(
        f"{s} ({p}) : {fmt.number(w, 0)}" for s, p, w in zip(sites, provinces, widths, strict=True)
    )
    assert chart.alt == f"Barres horizontales (nombres) : contacts avec les TDS par site en 2019. {read}."
    assert chart.caption == "Contacts avec les TDS par site en 2019"
    assert list(chart.data["value"]) == widths


def test_internet(abook):
    blocks = aviq.internet(abook, A)
    # every declared item of the section, label and value with its earlier years (the file's order)
    assert texts(blocks) == [
        f"- Amis Facebook avec qui nous communiquons chaque semaine : 1{NB}231 (1{NB}105 en 2018)",
        # the published sentence, platform list included
        "Entre le 1/1/2019 et le 31/12/2019, nos équipes wallonnes ont rencontré 221 personnes exerçant la "
        "prostitution en privé grâce à leurs contacts sur Quartier Rouge, Sexy.be, Lili.be, Vivastreet.be, "
        "Belswing.be, Quicherchetrouve.be et Youpie.net.",
    ]
    table = cells(tables(blocks)[0])
    assert table.rows == [
        ["Indicateur", "2019"],
        ["TDS exerçant en privé rencontrés grâce aux sites de rencontre", "221"],
    ]


def test_declared_items_follow_the_file_order_and_print_labels_as_text(abook):
    """A new item of the year prints with no code change; its label is text, never markup."""
    item = declared.Item("tools", "brochure_languages", "*Langues* <b>x</b>", 9.0, "count")
    other = declared.Item(
        "tools", "gala_visitors", "Visiteurs du gala", None, "persons"
    )  # to fill: no figure, no line
    d = dataclasses.replace(A, sections={"tools": (item, other)})
    assert texts(aviq.tools(abook, d)) == [r"- \*Langues\* \<b\>x\</b\> : 9"]


def test_tools_declared_lines_and_mask(abook):
    assert texts(aviq.tools(abook, A)) == [
        "- Nouvelles capsules vidéo sur la traite des êtres humains : < 5\n"
        "- Langues de la brochure de promotion du dépistage et de la vaccination : 9"
    ]


def test_medical_is_the_published_sentence(abook):
    blocks = aviq.medical(abook, A)
    # 1449 / 575 = 2,52 -> "2,5"; previous years oldest first, as published
    assert texts(blocks) == [
        "- Médecins partenaires dont nos travailleurs ont organisé les tournées en RW : 10",
        f"575 TDS ont été dépistés par Espace P… en 2019 en région wallonne (488 en 2017 et 584 en 2018). 4{NB}469 "
        f"actes médicaux ont été recensés lors de 1{NB}449 consultations. Il y a eu 2,5 consultations/TDS en moyenne.",
    ]
    rows = cells(tables(blocks)[0]).rows
    assert rows[0] == ["Indicateur", "2017", "2018", "2019"]
    assert rows[1][1:] == ["488", "584", "575"]
    assert rows[2][1:] == ["–", "–", f"1{NB}449"]


def test_violence_share_sentence(abook):
    # 141 / 2494 = 0,05654 -> "5,7 %"; 3 trafficking victims masked as "< 5"
    assert texts(aviq.violence(abook, A))[-1] == (
        "Accompagnement de < 5 victimes TEH en 2019. La lutte contre la violence constituait "
        f"5,7{NB}% de nos démarches sociales en Wallonie en 2019 (141 actions relevées)."
    )


def test_addiction_sentence(abook):
    assert texts(aviq.harm_reduction(abook, A)) == [
        "139 interventions concernant une problématique assuétude ont été comptabilisées par les travailleurs "
        "wallons en 2019."
    ]


def test_information_sessions_table(abook):
    blocks = aviq.professionals(abook, A)
    assert texts(blocks) == ["Sensibilisation de 15 professionnels et de 80 étudiants en 2019."]
    table = cells(tables(blocks)[0])
    assert table.caption == "Nombre de séances d'information données"
    assert table.rows == [
        ["Antenne", "2019"],
        ["Liège/Seraing/Ans", "12"],
        ["Namur", "10"],
        ["Arlon", "< 5"],
        ["Athus", "6"],
        ["Charleroi", "28"],
        ["Mons/Tournai", "46"],
        ["Total RW", "105"],
    ]
    assert table.bold == [False] * 7 + [True]


def test_first_contact_shares(abook):
    blocks = aviq.first_contact(abook)
    # 540/900 = 60 %, 153/900 = 17 %, 144/900 = 16 %, 63/900 = 7 %: the published shares
    assert texts(blocks) == [
        f"Lieu de la première rencontre de l'année : 60{NB}% sur le terrain, 17{NB}% au bureau, 16{NB}% au "
        f"téléphone, 7{NB}% via un autre média (mail, Facebook) (parts des 900 personnes dont le lieu du premier "
        "contact de l'année 2019 est connu)."
    ]
    ax = blocks[1].figure.axes[0]
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.6, 0.17, 0.16, 0.07])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Sur le terrain",
        "Au bureau",
        "Au téléphone",
        "Via un autre média (mail, Facebook)",
    ]


def test_demands_profile(abook):
    blocks = aviq.demands(abook, A)
    assert texts(blocks) == [
        "- Ventes de préservatifs répertoriées en RW : 200",
        f"Besoin de matériel de prévention : 2{NB}000 distributions gratuites de préservatifs "
        "répertoriées en RW en 2019.\n\n"
        f"Besoin d'une consultation de médecine préventive : 1{NB}445 consultations médicales répertoriées en RW "
        "en 2019.",
    ]
    table = cells(tables(blocks)[0])
    assert table.rows == [
        ["Demande", "2019"],
        ["Problème administratif", "794"],
        ["Problème financier", "486"],
        ["Recherche d'informations sur les droits et devoirs des TDS", "405"],
        ["Problème de logement", "378"],
        ["Recherche de formation ou d'emploi", "148"],
        ["Problème de violence", "141"],
        ["Problème d'assuétude", "139"],
        ["Traite des êtres humains", "< 5"],
        ["Autre demande", "0"],
        ["Total des démarches sociales", f"2{NB}494"],
    ]
    ax = blocks[3].figure.axes[0]
    assert [p.get_width() for p in ax.patches] == [794, 486, 405, 378, 148, 141, 139, 0, 0]  # masked: no bar
    assert [t.get_text() for t in ax.texts][7] == "< 5"


def test_narrative_shown_under_its_section_only(abook):
    assert texts(aviq.advocacy(abook, content("aviq", NARRATIVE))) == ["Plaidoyer."]
    assert (
        aviq.evaluation(abook, content("aviq", NARRATIVE)) == []
    )  # no narrative, no declared figure of that section


# --- without outreach data: every section still builds ---------------------------------------------

AVIQ_SECTIONS = [
    aviq.proximity,
    aviq.internet,
    aviq.tools,
    aviq.medical,
    aviq.violence,
    aviq.harm_reduction,
    aviq.clients,
    aviq.professionals,
    aviq.advocacy,
    aviq.evaluation,
    aviq.social_activities,
]
COCOF_SECTIONS = [
    cocof.proximity,
    cocof.unplanned,
    cocof.adjustments,
    cocof.internet,
    cocof.tools,
    cocof.medical,
    cocof.violence,
    cocof.harm_reduction,
    cocof.clients,
    cocof.professionals,
    cocof.social_work,
]


def test_aviq_sections_without_outreach_say_the_data_are_absent(abook_no_outreach):
    book = abook_no_outreach
    assert texts(aviq.proximity(book, A)) == [
        "*Pas de données de contacts de proximité pour 2019 : le fichier contacts.csv des exports est absent ou ne "
        "couvre pas cette année.*"
    ]
    assert "social_actions.csv" in texts(aviq.demands(book))[0]
    assert "social_actions.csv" in texts(aviq.first_contact(book))[0]
    assert "activities.csv" in texts(aviq.professionals(book, A))[0]
    # the medical section does not depend on the outreach tables
    assert texts(aviq.medical(book, A))[1].startswith("575 TDS ont été dépistés")


# --- the Cocof book ------------------------------------------------------------------------------------


def cocof_declared():
    values = {
        "social_workers": 9,
        "website_visits": 55000,
        "info4escorts_visits": 4770,
        "info4escorts_new_visits": 4752,
        "info4escorts_brussels_visits": 847,
        "info4escorts_months_counted": 9,
        "chat_sessions_per_week": 3,
        "course_participants": 8,
        "march_participants": 80,
        "march_sex_workers": 10,
        "open_letter_cosigners": 20,
        "rat_followed_persons": 4,
        "syringe_supplied_injectors": 2,
    }
    masked = {"rat_followed_persons", "syringe_supplied_injectors"}
    return [fig(f"cocof.declared.{k}", v, mask="primary" if k in masked else "") for k, v in values.items()]


def cocof_outreach():
    values = {
        "contacts": 7512,
        "persons_met": 2498,
        "internet_persons": 150,
        "contraception_information": 801,
        "health_questionnaires": 32,
        "violence_prevention_interventions": 70,
        "trafficking_accompaniments": 3,
        "addiction_reorientations": 131,
        "language_courses": 23,
        "literacy_courses": 5,
        "course_attendances": 150,
        "stand_days": 4,
        "stand_condoms": 4500,
        "students_reached": 800,
        "professionals_reached": 0,
    }
    rows = [
        fig(f"cocof.{k}", v, mask="primary" if k == "trafficking_accompaniments" else "")
        for k, v in values.items()
    ]
    return rows + [fig("cocof.contacts", 7000, year=2018)]


@pytest.fixture(scope="module")
def cbook():
    medical = medical_rows("cocof.", "region:bruxelles", {2017: 472, 2018: 418, 2019: 410}, {2019: 1193})
    return book_of(medical + cocof_declared() + cocof_outreach())


def test_cocof_proximity(cbook):
    blocks = cocof.proximity(cbook, content("cocof", {"proximity": "Le travail de rue à Yser."}))
    assert texts(blocks) == [
        "Le travail de rue à Yser.",
        "- Travailleurs sociaux se répartissant les territoires bruxellois : 9\n"
        "- TDS ayant participé aux cours de FLE et d'alphabétisation : 8",
        f"7{NB}512 contacts avec 2{NB}498 TDS ont été enregistrés par l'ensemble de nos travailleurs bruxellois en "
        f"2019 (7{NB}000 en 2018).",
        "801 informations sur la contraception ont été délivrées. 32 questionnaires santé ont été remplis.",
        "23 cours de FLE ont été organisés et 5 cours d'alphabétisation (150 présences au total).",
    ]
    rows = cells(tables(blocks)[0]).rows
    assert rows[0] == ["Indicateur", "2018", "2019"]
    assert rows[1] == [
        "Contacts avec les TDS enregistrés par les travailleurs bruxellois",
        f"7{NB}000",
        f"7{NB}512",
    ]


def test_cocof_internet(cbook):
    assert texts(cocof.internet(cbook, C)) == [
        f"- Visites du site www.espacep.be : 55{NB}000\n- Visites du site www.info4escorts.be : 4{NB}770\n"
        f"- Nouvelles visites du site www.info4escorts.be : 4{NB}752\n"
        "- Visites bruxelloises du site www.info4escorts.be : 847\n"
        "- Mois de comptage des visites du site www.info4escorts.be : 9\n"
        "- Permanences chat par semaine sur Quartier Rouge : 3",
        "150 TDS exerçant en privé ont été rencontrés grâce à internet en 2019.",
    ]


def test_cocof_medical_uses_the_brussels_inami_figures(cbook):
    # 1193 / 410 = 2,91 -> "2,9"
    assert texts(cocof.medical(cbook, C)) == [
        f"En 2019, 410 TDS ont été vus en consultation à Bruxelles (472 en 2017 et 418 en 2018), lors de 1{NB}193 "
        "consultations médicales, soit 2,9 consultations par TDS en moyenne."
    ]


def test_cocof_violence_harm_reduction_clients_professionals(cbook):
    assert texts(cocof.violence(cbook, C)) == [
        "- Participants à la marche du 17 décembre : 80\n- TDS parmi les participants à la marche du 17 décembre : "
        "10\n- Associations cosignataires de la carte blanche d'UTSOPI : 20",
        "Pendant l'année, les travailleurs ont fait 70 interventions de prévention de la violence ou de "
        "l'exploitation. < 5 accompagnements sociaux dans le cadre d'une problématique TEH ont été réalisés en 2019.",
    ]
    assert texts(cocof.harm_reduction(cbook, C)) == [
        "- Personnes suivies à Espace P… par un médecin du RAT : < 5\n"
        "- Injectrices en rue ravitaillées en seringues : < 5",
        "131 réorientations pour une problématique assuétude en 2019.",
    ]
    assert texts(cocof.clients(cbook, C)) == [
        f"Stands : 4 jours de stand en 2019, 4{NB}500 préservatifs distribués."
    ]
    # 0 professionals reached: no sentence about them
    assert texts(cocof.professionals(cbook, C)) == ["800 étudiants sensibilisés en 2019."]


def test_cocof_sections_without_outreach(cbook):
    medical = medical_rows("cocof.", "region:bruxelles", {2019: 410}, {2019: 1193})
    book = book_of(medical + cocof_declared())
    proximity = texts(cocof.proximity(book, C))
    assert proximity[0].startswith("- Travailleurs sociaux se répartissant les territoires bruxellois : 9")
    assert [t for t in proximity if t.startswith("*Pas de données")] == [
        "*Pas de données de contacts de proximité pour 2019 : le fichier contacts.csv des exports est absent ou ne "
        "couvre pas cette année.*",
        "*Pas de données de démarches sociales pour 2019 : le fichier social_actions.csv des exports est absent ou "
        "ne couvre pas cette année.*",
        "*Pas de données d'activités collectives pour 2019 : le fichier activities.csv des exports est absent ou "
        "ne couvre pas cette année.*",
    ]


# --- invariants ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["full", "no_outreach"])
def test_every_section_builds_blocks(which, abook, abook_no_outreach, cbook):
    a = abook if which == "full" else abook_no_outreach
    c = (
        cbook
        if which == "full"
        else book_of(medical_rows("cocof.", "region:bruxelles", {2019: 410}, {2019: 1193}))
    )
    narrative = {**NARRATIVE, "social_work": "Terrain."}
    blocks = [b for f in AVIQ_SECTIONS for b in f(a, content("aviq", narrative))] + aviq.first_contact(a)
    blocks += aviq.demands(a, A) + [b for f in COCOF_SECTIONS for b in f(c, content("cocof", narrative))]
    assert blocks and all(isinstance(b, Text | Table | Chart) for b in blocks)
    assert all(b.markdown.strip() for b in blocks if isinstance(b, Text))
    assert all("nan" not in b.markdown.lower().split() for b in blocks if isinstance(b, Text))


def test_hierarchy_table_lists_every_wallonia_site_before_its_province_total(abook):
    sites = load_sites()
    rows = cells(aviq.hierarchy_table(abook, "aviq.contacts", "t", sites)).rows[1:]
    labels = [r[0] for r in rows]
    wallonia = sites.frame.loc[sites.funder_sites("aviq")]
    assert sorted(lab for lab in labels if not lab.startswith("Total")) == sorted(wallonia["site_label"])
    for _code, site in wallonia.iterrows():
        total = next(
            i
            for i, lab in enumerate(labels)
            if lab.startswith("Total pour la province") and lab.endswith(site["province_label"])
        )
        assert labels.index(site["site_label"]) < total
    assert labels[-1] == "Total RW"


def test_numbers_follow_the_language(abook):
    nl = FigureBook(abook.figures, 2019, lang="nl_BE")
    assert "5.810 contacts" in texts(aviq.proximity(nl, A))[0]


def test_bar_counts_rejects_empty_and_draws_masked_as_no_bar():
    with pytest.raises(Exception, match="no figure"):
        bar_counts(pd.DataFrame({"label": [], "value": []}))
    chart = bar_counts(
        pd.DataFrame(
            {"label": ["a", "b"], "value": [10.0, NAN], "text": ["10", "< 5"], "group": ["g1", "g2"]}
        ),
        title="T",
    )
    ax = chart.axes[0]
    assert [p.get_width() for p in ax.patches] == [10.0, 0.0]
    assert [t.get_text() for t in ax.texts] == ["10", "< 5"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["g1", "g2"]
    assert chart.get_suptitle() == "T"
