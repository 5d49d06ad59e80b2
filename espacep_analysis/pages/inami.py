"""The INAMI report, section by section, in the order of the published report.

Each function takes the report's `FigureBook` and returns the blocks of one
section: the sentences the report prints (generated from the figures, never
typed by hand), the tables and the charts. The numbers all come from
`indicators.inami`; nothing here computes a figure.
"""

from __future__ import annotations

import numpy as np

from .. import fmt, plots, stats
from ..definitions import category_members
from ..indicators import comparisons
from ..indicators.common import AGE_BANDS, ALL
from ..indicators.inami import AGE_BAND_GENDER, DEFINITIONS
from ..markup import plain
from ..origins import ORIGIN_GROUPS
from . import trends
from .common import Chart, FigureBook, Table, Text, prose

P = "inami."
WORKPLACES = ("bar", "private", "street", "window", "other")
GENDERS = ("woman", "man", "trans")
TESTS = ("hbsag", "anti_hcv", "hiv", "syphilis", "gonorrhoea", "chlamydia")
TEST_NAMES = {
    "hbsag": "AgHBs (hépatite B active)",
    "anti_hcv": "Ac anti-HCV (hépatite C)",
    "hiv": "VIH",
    "syphilis": "syphilis",
    "gonorrhoea": "gonocoque",
    "chlamydia": "chlamydia",
}
# Subject of the verdict sentence per test ("La prévalence de la syphilis est en hausse ...")
TEST_SUBJECTS = {
    "hbsag": "la prévalence de l'AgHBs (hépatite B active)",
    "anti_hcv": "la prévalence des Ac anti-HCV (hépatite C)",
    "hiv": "la prévalence du VIH",
    "syphilis": "la prévalence de la syphilis",
    "gonorrhoea": "la prévalence du gonocoque",
    "chlamydia": "la prévalence de la chlamydia",
}
GENDER_PLURALS = {"woman": "Femmes", "man": "Hommes", "trans": "Personnes transgenres"}
MIN_CASES = comparisons.DEFAULT_MIN_CASES
FOLLOW_UP = (
    "contraception_prescriptions",
    "treatments",
    "referrals",
    "counsels",
    "abortion_supports",
    "pregnancy_followups",
)


def _ids(*names: str) -> list[str]:
    return [P + n for n in names]


def _members(category: str) -> list[str]:
    """The ids of a family of categories of the INAMI definitions (``"age_band"``), in declared order."""
    return list(category_members(DEFINITIONS, P + category))


def _category_labels(rows) -> list[str]:
    """The label of each row's category within its family (``"bar"``, ``"20-24 ans"``), as declared."""
    return [DEFINITIONS[i].category_label for i in rows["indicator"]]


def _pasop_seen(book: FigureBook, year: int) -> bool:
    """Whether the collaboration with Pasop saw anyone in ``year`` (a masked count did: it is 1 to 4)."""
    at = (P + "persons_seen", year, "site:saint_trond")
    return book.has(*at) and (bool(book.row(*at).get("suppressed", False)) or book.value(*at) > 0)


def _chart_labels(rows) -> list[str]:
    """The category labels as a chart's axis prints them: with their capital, as the table's rows."""
    return [fmt.row_label(label) for label in _category_labels(rows)]


def _trend_table(book: FigureBook, names: list[str], caption: str, decimals: int = 1) -> Table:
    years = [book.year, *book.previous]
    rows = book.select(_ids(*names), years)
    return fmt.figures_wide(rows, by="year", caption=caption, lang=book.lang, percent_decimals=decimals)


def _ci_footnote(rows, level: float | None = None, lang: str = fmt.DEFAULT_LANG) -> str:
    """``"IC à 95 % : score de Wilson."`` from the method of the rows (the level when known)."""
    methods = [m for m in dict.fromkeys(rows["method"]) if m in stats.CI_METHOD_LABELS]
    names = " ; ".join(stats.CI_METHOD_LABELS[m] for m in methods) or "–"
    at = f" à {fmt.number(level * 100, 0, lang)}\u00a0%" if level is not None else ""
    return f"Intervalles de confiance{at} des proportions : {names}."


def contacts(book: FigureBook, antenna_labels: dict[str, str]) -> list:
    """1.1 Persons seen and consultations (critère 1), with the Pasop partnership."""
    y = book.year
    seen = [
        code
        for code in antenna_labels
        if book.has(P + "persons_seen", y, f"antenna:{code}")
        and book.value(P + "persons_seen", y, f"antenna:{code}") > 0
    ]
    antennas = [c for c in seen if c != "pasop"]
    names = fmt.enumeration([plain(antenna_labels[c]) for c in antennas])
    prev = book.previous[:1]
    prev_seen = f" ({book.say(P + 'persons_seen', prev[0])} en {prev[0]})" if prev else ""
    prev_cons = f" ({book.say(P + 'consultations', prev[0])} en {prev[0]})" if prev else ""
    per = book.history(P + "consultations_per_person", template="en {year} : {value}")
    seen_n = book.value(P + "persons_seen")
    tds = fmt.noun(seen_n, "travailleur du sexe", "travailleurs du sexe")
    blocks: list[Text | Table | Chart] = [
        prose(
            f"{book.period_capitalized}, Espace P… a suivi {book.say(P + 'persons_seen')} {tds}{prev_seen} "
            f"répartis sur {fmt.quantity(len(antennas), 'antenne', 'antennes', book.lang)} ({names}).",
            f"Pour ces {book.say(P + 'persons_seen')} {tds}, "
            f"{book.say(P + 'consultations')} consultations médicales{prev_cons} ont eu lieu "
            f"en présence de nos médecins partenaires.",
            f"{book.say(P + 'consultations_per_person')} consultations médicales par TDS"
            f"{' (' + per + ')' if per else ''} ont été effectuées en moyenne dans les différentes antennes.",
        )
    ]
    if _pasop_seen(book, y):
        pasop_prev = (
            f" ({book.say(P + 'persons_seen', prev[0], 'site:saint_trond')} en {prev[0]})"
            if prev and book.has(P + "persons_seen", prev[0], "site:saint_trond")
            else ""
        )
        cons_prev = (
            f" ({book.say(P + 'consultations', prev[0], 'site:saint_trond')} en {prev[0]})"
            if prev and book.has(P + "consultations", prev[0], "site:saint_trond")
            else ""
        )
        pasop = (P + "persons_seen", y, "site:saint_trond"), (P + "consultations", y, "site:saint_trond")
        shares = P + "pasop_persons_share", P + "pasop_consultations_share"
        blocks.append(
            prose(
                "Rem. : dans le cadre de la collaboration avec l'asbl «\u00a0Pasop\u00a0» (Saint-Trond), "
                + book.clause(
                    f"{book.say(*pasop[0])}{pasop_prev} travailleurs du sexe "
                    f"ont été vus ({book.say(shares[0])}) et "
                    f"{book.say(*pasop[1])}{cons_prev} consultations médicales "
                    f"({book.say(shares[1])}) ont été effectuées conjointement "
                    "(ces chiffres sont compris dans les totaux)",
                    [*pasop, *shares],
                    "les nombres de personnes vues et de consultations ne sont pas publiés",
                )
                + "."
            )
        )
    rows = book.figures[
        (book.figures["year"] == y)
        & book.figures["scope"].str.startswith("antenna:")
        & book.figures["indicator"].isin(_ids("persons_seen", "consultations"))
    ]
    order = {f"antenna:{code}": i for i, code in enumerate(antenna_labels)}
    rows = rows.sort_values("scope", key=lambda scopes: scopes.map(order), kind="stable")
    rows = rows.assign(
        label=rows["scope"].str.removeprefix("antenna:").map(antenna_labels),
        scope=rows["indicator"].map({P + "persons_seen": "TDS vus", P + "consultations": "Consultations"}),
    )
    blocks.append(
        fmt.figures_wide(
            rows,
            by="scope",
            row="label",
            labels={"label": "Antenne"},
            caption=f"TDS vus et consultations par antenne {book.period}",
            lang=book.lang,
            footnote="Une personne vue dans deux antennes compte dans chacune : "
            "la somme des antennes peut dépasser le total.",
        )
    )
    return blocks


def new_known(book: FigureBook) -> list:
    """1.2 New and known persons."""
    y = book.year
    text = (
        f"Les travailleurs du sexe connus ont été inclus dans le programme avant le 1er janvier {y}. "
        + book.clause(
            f"{book.say(P + 'new_share', decimals=0)} des TDS rencontrés {book.period} étaient des nouveaux "
            f"contacts{book.paren_history(P + 'new_share', decimals=0)}"
            f"{trends.short_verdict(book, P + 'new_share')}",
            [P + "new_share"],
            f"La part des nouveaux contacts {book.period} n'est pas publiée",
        )
        + "."
    )
    rows = book.select(_ids("new_persons", "known_persons", "persons_seen"))
    rows = rows.assign(label=["Nouveaux travailleurs du sexe", "Travailleurs du sexe connus", "Total"])
    table = fmt.figures_table(
        rows,
        columns=("label", "value"),
        lang=book.lang,
        labels={"label": f"Année {y}", "value": "Nombre de travailleurs"},
        caption=f"Nouveaux contacts et travailleurs du sexe connus {book.period}",
    )
    return [prose(text), table]


def workplaces(book: FigureBook) -> list:
    """1.3 Place of work (persons, at their first consultation of the year)."""
    lines = []
    words = {
        "bar": "en bar",
        "private": "en privé",
        "street": "en rue",
        "window": "en vitrine",
        "other": "dans un autre lieu",
    }
    for code in WORKPLACES:
        prev = book.history(P + f"workplace.{code}", template="en {year} : {value}")
        ind = P + f"workplace.{code}"
        lines.append(
            "- "
            + book.clause(
                f"{book.say(ind)} {words[code]}{' (' + prev + ')' if prev else ''}",
                [ind],
                f"{words[code][:1].upper() + words[code][1:]} : part non publiée",
            )
        )
    text = (
        "La plupart des travailleurs du sexe ont été suivis sur leur lieu de travail "
        "(lieu noté à la première consultation de l'année) :\n\n" + "\n".join(lines)
    )
    rows = book.select(_ids(*[f"workplace.{c}" for c in WORKPLACES]))
    chart = plots.bar_shares(
        rows.assign(label=_chart_labels(rows)),
        title=f"Lieu de rencontre des TDS {book.period}",
        lang=book.lang,
    )
    return [
        prose(text),
        Chart(chart),
        _compared(
            book,
            [f"workplace.{c}" for c in WORKPLACES],
            "Évolution du lieu de rencontre" if book.previous else f"Lieu de rencontre {book.period}",
        ),
    ]


def _extreme_label(book: FigureBook, name: str, plain: str) -> str:
    """What an extreme age measures: one person's age, or folded to the min_cell-th (external reports)."""
    row = book.row(P + name) if book.has(P + name) else {}
    return str(row["label"]) if str(row.get("method", "")).startswith("folded_") else plain


def age(book: FigureBook, ages) -> list:
    """2.1 Age (critère 2): mean, youngest, oldest, distribution."""
    prev = book.previous[:1]

    def with_prev(name: str) -> str:
        if prev and book.has(P + name, prev[0]):
            return f"{book.say(P + name, decimals=0)} ans ({book.say(P + name, prev[0])} ans en {prev[0]})"
        return f"{book.say(P + name)} ans"

    text = (
        f"- Âge moyen : {fmt.number(book.value(P + 'age_mean'), 0, book.lang)} ans"
        + (
            f" ({fmt.number(book.value(P + 'age_mean', prev[0]), 0, book.lang)} ans en {prev[0]})"
            if prev
            else ""
        )
        + f"\n- {_extreme_label(book, 'age_min', 'La personne la plus jeune')} : {with_prev('age_min')}"
        + f"\n- {_extreme_label(book, 'age_max', 'La personne la plus âgée')} : {with_prev('age_max')}"
    )
    bands = book.members(_members("age_band"))
    table = fmt.figures_table(
        bands.assign(label=_category_labels(bands)),
        columns=("label", "numerator", "value", "ci"),
        lang=book.lang,
        labels={"label": "Classe d'âge", "numerator": "Nombre", "value": "Part"},
        caption=f"Répartition par âge {book.period} (âge atteint dans l'année)",
        footnote=_ci_footnote(bands, book.level, book.lang),
        level=book.level,
    )
    chart = plots.age_histogram(ages, title=f"Âge des TDS vus {book.period}", lang=book.lang)
    return [prose(text), table, Chart(chart, data=_band_data(table)), *_pyramid(book)]


def _band_data(table: Table):
    """The histogram's data: persons per age band, as the table beside it prints them (masked as masked)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "label": [r[0].text for r in table.rows],
            "value": [r[1].value for r in table.rows],
            "text": [f"{r[1].text} ({r[2].text})" for r in table.rows],
        }
    )


def _pyramid(book: FigureBook) -> list:
    """The age pyramid by gender (from the ``age_band_gender.*`` counts), or nothing when they are absent."""
    rows = book.members(list(AGE_BAND_GENDER))
    if rows.empty:
        return []
    band, gender = (rows["indicator"].map(lambda i, k=k: AGE_BAND_GENDER[i][k]) for k in (0, 1))
    band_labels = {b: DEFINITIONS[P + f"age_band.{b}"].category_label for b in AGE_BANDS}
    hidden = rows["suppressed"].astype(bool) if "suppressed" in rows else False
    counts = rows.assign(band=band.map(band_labels), gender=gender, persons=rows["value"].mask(hidden))
    order = {label: i for i, label in enumerate(band_labels.values())}
    counts = counts.sort_values("band", key=lambda b: b.map(order), kind="stable")
    masked = int(np.isnan(counts["persons"].to_numpy(dtype=float)).sum())
    note = (
        f"{fmt.quantity(masked, 'effectif masqué', 'effectifs masqués')} ({book.masked}) non "
        f"{fmt.noun(masked, 'représenté', 'représentés')}."
        if masked
        else None
    )
    chart = plots.age_pyramid(
        counts[["band", "gender", "persons"]],
        labels=GENDER_PLURALS,
        note=note,
        title=f"Pyramide des âges des TDS vus {book.period}",
        lang=book.lang,
    )
    return [Chart(chart, alt=f"Pyramide des âges par sexe {book.period}")]


def gender(book: FigureBook) -> list:
    """2.2 Gender (critère 4): counts and shares."""
    rows = book.select(_ids(*[f"gender.{g}" for g in GENDERS]))
    table = fmt.figures_table(
        rows,
        columns=("label", "numerator", "value", "ci"),
        lang=book.lang,
        percent_decimals=2,
        labels={"label": "Répartition selon le sexe", "numerator": "Absolu", "value": "Pourcents"},
        caption=f"Répartition des TDS vus selon le sexe {book.period}",
        footnote=f"Total N : {book.text(P + 'persons_seen')}. {_ci_footnote(rows, book.level, book.lang)}",
        level=book.level,
    )
    return [table]


def _top_origins(book: FigureBook, scope: str, k: int = 3) -> list[tuple[str, str]]:
    rows = book.members(_members("origin"), scope=scope)
    rows = rows[~rows["indicator"].isin([P + "origin.unknown", P + "origin.belgium"])]
    rows = rows[rows["value"] > 0].sort_values("value", ascending=False, kind="stable").head(k)
    return list(zip(rows["indicator"], _category_labels(rows)))


def nationality(book: FigureBook, antenna_labels: dict[str, str]) -> list:
    """2.3 Nationality and origin (critère 3)."""
    y = book.year
    unknown = book.row(P + "nationality_unknown")
    unknown_n = fmt.noun(None if unknown.get("suppressed") else unknown["value"], "personne", "personnes")
    text = [
        book.clause(
            f"Les personnes de nationalité belge constituent {book.say(P + 'belgian_share', decimals=1)} "
            f"des personnes suivies médicalement par Espace P…{book.paren_history(P + 'belgian_share')} ; "
            f"{book.say(P + 'migrant_share')} sont des TDS migrantes (nationalité connue et non belge)",
            [P + "belgian_share", P + "migrant_share"],
            "Les parts de nationalité belge et de migrantes ne sont pas publiées",
        )
        + book.clause(
            f" et la nationalité de {book.say(P + 'nationality_unknown')} {unknown_n} n'est pas connue",
            [P + "nationality_unknown"],
            " ; le nombre de personnes de nationalité inconnue n'est pas publié",
        )
        + "."
    ]
    for code, label in antenna_labels.items():
        scope = f"antenna:{code}"
        if not book.has(P + "persons_seen", y, scope) or book.value(P + "persons_seen", y, scope) == 0:
            continue
        top = _top_origins(book, scope)
        parts = [
            f"{plain(fmt.in_sentence(lab))} {book.say(ind, y, scope)}{book.paren_history(ind, scope)}"
            for ind, lab in top
        ]
        origins = f"les régions d'origine les plus fréquentes sont : {', '.join(parts)} ; " if parts else ""
        belgian = book.row(P + "belgian_share", y, scope)
        persons = fmt.noun(belgian["numerator"], "personne", "personnes")
        text.append(
            f"À {plain(label)}, {origins}"
            + book.clause(
                f"{book.say(P + 'belgian_share', y, scope)} des travailleurs du sexe ont la nationalité belge "
                f"({book.count_say(P + 'belgian_share', y, scope)} {persons})",
                [(P + "belgian_share", y, scope)],
                "la part de nationalité belge n'est pas publiée",
            )
            + "."
        )
    for region, name in (("bruxelles", "à Bruxelles"), ("wallonie", "en région wallonne")):
        scope = f"region:{region}"
        if book.has(P + "migrant_share", y, scope):
            text.append(
                book.clause(
                    f"Les migrantes constituent {book.say(P + 'migrant_share', y, scope)} des TDS vus {name}"
                    f"{book.paren_history(P + 'migrant_share', scope)}"
                    f"{trends.short_verdict(book, P + 'migrant_share', scope=scope)}",
                    [(P + "migrant_share", y, scope)],
                    f"La part de migrantes parmi les TDS vus {name} n'est pas publiée",
                )
                + "."
            )
    rows = book.select(_ids(*[f"origin.{g}" for g in ORIGIN_GROUPS]))
    chart = plots.bar_shares(
        rows.assign(label=_chart_labels(rows)),
        title=f"Région d'origine des TDS vus {book.period}",
        lang=book.lang,
    )
    blocks = [prose(*text), Chart(chart)]
    if book.previous:
        items = [
            (P + "belgian_share", ALL, "Nationalité belge (toutes antennes)"),
            (P + "migrant_share", ALL, "Migrantes (toutes antennes)"),
            (P + "migrant_share", "region:bruxelles", "Migrantes, Bruxelles"),
            (P + "migrant_share", "region:wallonie", "Migrantes, région wallonne"),
        ]
        blocks.append(
            trends.comparison_table(
                book, [i for i in items if book.has(i[0], y, i[1])], "Évolution de la nationalité des TDS vus"
            )
        )
    return blocks


def gp_gyn(book: FigureBook) -> list:
    """3.1 GP and gynaecologist (critères 5 et 6)."""
    seen, no_data = book.value(P + "persons_seen"), book.value(P + "gp_no_data")
    known = fmt.number(seen - no_data, 0, book.lang)
    text = prose(
        book.clause(
            f"{book.say(P + 'persons_seen')} (n) − {book.say(P + 'gp_no_data')} (pas de données) = {known}",
            [P + "gp_no_data"],
            "Le nombre de personnes sans données sur le médecin traitant n'est pas publié",
        )
        + ".",
        book.clause(
            f"{fmt.capitalized(book.say(P + 'gp_none_or_unaware_share', decimals=0))} n'ont soit pas de "
            "médecin traitant, soit un médecin traitant qui n'est pas au courant de l'activité"
            f"{book.paren_history(P + 'gp_none_or_unaware_share')}",
            [P + "gp_none_or_unaware_share"],
            "La part des TDS sans médecin traitant au courant de l'activité n'est pas publiée",
        )
        + ". Pour ces TDS, il est nécessaire que le médecin d'Espace P… propose son service médical.",
        "Gynécologue : "
        + book.clause(
            f"{book.say(P + 'gyn_none_or_unaware_share', decimals=0)} n'en ont pas ou il n'est pas au "
            f"courant de l'activité ({book.say(P + 'gyn_no_data')} sans données)",
            [P + "gyn_none_or_unaware_share", P + "gyn_no_data"],
            "part non publiée",
        )
        + ".",
    )
    return [
        text,
        _compared(
            book, ["gp_none_or_unaware_share", "gyn_none_or_unaware_share"], "Médecin traitant et gynécologue"
        ),
    ]


def _compared(book: FigureBook, names: list[str], caption: str) -> Table:
    """The comparison table of proportions ``names`` (scope ``all``); with one year, its shares and counts."""
    labels = {n: book.row(P + n)["label"].split(" : ")[-1] for n in names if book.has(P + n)}
    items = [(P + n, ALL, text[:1].upper() + text[1:]) for n, text in labels.items()]
    return trends.comparison_table(book, items, caption)


def coverage(book: FigureBook) -> list:
    """3.2 Social coverage (critère 7)."""
    text = prose(
        book.clause(
            f"Nous avons demandé à {book.say(P + 'coverage_asked_share', decimals=0)}"
            f"{book.paren_history(P + 'coverage_asked_share', decimals=0)} des travailleurs sexuels rencontrés "
            "s'ils bénéficiaient de la sécurité sociale",
            [P + "coverage_asked_share"],
            "La part des travailleurs sexuels interrogés sur leur sécurité sociale n'est pas publiée",
        )
        + ". "
        + book.clause(
            "Pour les personnes dont nous connaissons la couverture sociale "
            f"(n = {book.say(P + 'coverage_known')}), "
            f"{book.say(P + 'coverage_not_in_order_share', decimals=0)}"
            f"{book.paren_history(P + 'coverage_not_in_order_share', decimals=0)} ne sont pas en ordre "
            f"d'assurabilité sociale{trends.short_verdict(book, P + 'coverage_not_in_order_share')}",
            [P + "coverage_known", P + "coverage_not_in_order_share"],
            "La part des personnes qui ne sont pas en ordre d'assurabilité sociale n'est pas publiée",
        )
        + "."
    )
    return [
        text,
        _trend_table(book, ["coverage_known"], "Couverture sociale connue (personnes)"),
        _compared(book, ["coverage_asked_share", "coverage_not_in_order_share"], "Couverture sociale"),
    ]


def _overall(book: FigureBook, level: float) -> str:
    """The closing sentence: the tests that changed significantly (full sentences), the stable ones, the rest."""
    found = {t: trends.trend(book, P + f"prevalence.{t}") for t in TESTS}
    published = {t: tr for t, tr in found.items() if tr.state == "published"}
    changed = [
        trends.verdict_sentence(book, P + f"prevalence.{t}", TEST_SUBJECTS[t], level)
        for t, tr in published.items()
        if tr.test in trends.TEST_LABELS and tr.value != 0
    ]
    stable = [TEST_NAMES[t] for t, tr in published.items() if tr.test in trends.TEST_LABELS and tr.value == 0]
    few = [TEST_NAMES[t] for t, tr in published.items() if tr.test not in trends.TEST_LABELS]
    hidden = [TEST_NAMES[t] for t, tr in found.items() if tr.state == "masked"]
    parts = list(changed)
    threshold = fmt.percent(1 - level, 0, book.lang)
    if stable:
        parts.append(
            f"{'Les autres chiffres' if changed else 'Les chiffres'} restent stables ({', '.join(stable)}) : "
            f"aucune évolution significative au seuil de {threshold}."
        )
    if few:
        parts.append(
            f"Trop peu de cas pour conclure pour : {', '.join(few)} (moins de {MIN_CASES} cas positifs "
            "sur la période)."
        )
    if hidden:
        parts.append(f"Évolution non publiée pour : {', '.join(hidden)} (effectifs masqués).")
    notes = [
        TEST_NAMES[t]
        for t, tr in published.items()
        if trends.tested_note(book, tr) and not (tr.test in trends.TEST_LABELS and tr.value != 0)
    ]
    if notes:
        parts.append(f"Pour {', '.join(notes)}, {trends.TESTED_NOTE}.")
    if not parts:
        return ""
    text = " ".join(parts)
    return "Dans l'ensemble, " + text[:1].lower() + text[1:]


def screening(book: FigureBook, method: str, level: float) -> list:
    """4.1 STI screening (critère 9): prevalence per person tested, with CIs and the comparison with earlier years."""
    y = book.year
    sentences = [
        "Sur le total des prises de sang et des frottis effectués, "
        + book.clause(
            f"{book.say(P + 'results_given_share', decimals=0)} des résultats ont été remis aux TDS"
            f"{book.paren_history(P + 'results_given_share', decimals=0)}"
            f"{trends.short_verdict(book, P + 'results_given_share', level)}",
            [P + "results_given_share"],
            "la part des résultats remis aux TDS n'est pas publiée",
            "résultats",
        )
        + "."
    ]
    for test in TESTS:
        ind = P + f"prevalence.{test}"
        row = book.row(ind)
        tested = fmt.quantity(row["denominator"], "personne testée", "personnes testées", book.lang)
        positive = fmt.noun(row["numerator"], "personne positive", "personnes positives", book.lang)
        sentences.append(
            f"- {fmt.capitalized(TEST_NAMES[test])} : "
            + book.clause(
                f"{book.count_say(ind)} {positive} sur {tested}, soit "
                f"{book.say(ind)}{book.paren_history(ind)}{trends.short_verdict(book, ind, level)}",
                [ind],
                f"{tested} ; la prévalence n'est pas publiée",
            )
            + "."
        )
    overall = _overall(book, level)
    if overall:
        sentences.append(overall)
    sentences.append(
        book.clause(
            f"Chez {book.say(P + 'women_gardnerella_share', decimals=0)} des femmes ayant bénéficié d'un "
            "dépistage anatomopathologique ou bactériologique, un gardnerella a été dépisté et chez "
            f"{book.say(P + 'women_candida_share', decimals=0)} une candidose",
            [P + "women_gardnerella_share", P + "women_candida_share"],
            "Les parts de femmes chez qui un gardnerella ou une candidose a été dépisté ne sont pas publiées",
        )
        + ". "
        + book.clause(
            f"Pour {book.say(P + 'hygiene_advice_share', decimals=0)} de nos suivis médicaux, des conseils "
            "d'hygiène vaginale ont été donnés",
            [P + "hygiene_advice_share"],
            "La part des suivis médicaux avec des conseils d'hygiène vaginale n'est pas publiée",
        )
        + "."
    )
    rows = book.select(_ids(*[f"prevalence.{t}" for t in TESTS]))
    rows = rows.assign(label=[fmt.row_label(TEST_NAMES[t]) for t in TESTS])  # the chart's too
    footnote = (
        f"Prévalence par personne : une personne est positive si au moins un de ses tests de l'année "
        f"l'est. IC à {fmt.number(level * 100, 0, book.lang)}\u00a0% : {stats.CI_METHOD_LABELS[method]}."
    )
    table = fmt.figures_table(
        rows,
        columns=("label", "numerator", "denominator", "value", "ci"),
        lang=book.lang,
        labels={"label": "Analyse", "numerator": "Positifs", "denominator": "Testés", "value": "Prévalence"},
        caption=f"Dépistage des IST {book.period}",
        footnote=footnote,
        level=level,
    )
    compared = trends.comparison_table(
        book,
        [(P + f"prevalence.{t}", ALL, TEST_NAMES[t]) for t in TESTS],
        f"Évolution des prévalences jusqu'en {y}",
        method,
        level,
        MIN_CASES,
    )
    per_test = book.select(_ids(*[f"positivity.{t}" for t in TESTS]))
    per_test = per_test.assign(label=[TEST_NAMES[t] for t in TESTS])
    positivity = fmt.figures_table(
        per_test,
        columns=("label", "numerator", "denominator", "value", "ci"),
        lang=book.lang,
        labels={
            "label": "Analyse",
            "numerator": "Tests positifs",
            "denominator": "Tests",
            "value": "Positivité",
        },
        caption=f"Positivité par test {book.period} (pour comparaison ; le rapport utilise la prévalence par personne)",
        footnote=(
            f"Positivité par test : tests positifs / tests à résultat positif ou négatif ; une personne "
            f"testée deux fois compte deux fois. IC à {fmt.number(level * 100, 0, book.lang)}\u00a0% : "
            f"{stats.CI_METHOD_LABELS[method]}."
        ),
        level=level,
    )
    chart = plots.prevalence_ci(
        rows,
        title=f"Prévalence des IST {book.period} (IC {fmt.number(level * 100, 0)}\u00a0%)",
        lang=book.lang,
    )
    # one year: the table above already holds the year's prevalences
    return [prose(*sentences), table, *([compared] if book.previous else []), positivity, Chart(chart)]


def cervical(book: FigureBook) -> list:
    """4.2 Cervical cancer screening."""
    ind = P + "cervical_lesion_share"
    smeared = book.row(ind)["denominator"]
    text = prose(
        book.clause(
            f"Chez {book.say(ind)} des {fmt.number(smeared, 0, book.lang)} "
            f"{fmt.noun(smeared, 'travailleur du sexe', 'travailleurs du sexe')} dont au moins un frottis de "
            f"l'année était interprétable, une lésion cellulaire (ASCUS, LSIL ou HSIL) a été détectée"
            f"{book.paren_history(ind)}{trends.short_verdict(book, ind)}",
            [ind],
            "La part des frottis interprétables montrant une lésion cellulaire n'est pas publiée",
        )
        + "."
    )
    rows = book.select(_ids("cytology.normal", "cytology.ascus", "cytology.lsil", "cytology.hsil"))
    table = fmt.figures_table(
        rows.assign(label=rows["label"].str.split(" : ").str[-1]),
        columns=("label", "value"),
        lang=book.lang,
        labels={"label": "Classe la plus sévère de l'année", "value": "Personnes"},
        caption=f"Résultat de cytologie le plus sévère par personne {book.period}",
    )
    return [
        text,
        table,
        _compared(book, ["cervical_lesion_share"], "Lésions cellulaires détectées"),
    ]


def vaccination(book: FigureBook) -> list:
    """5 HBV vaccination (schedule 0-1-4 months): doses, and completion of the schedule."""
    y = book.year
    vaccinated, doses = P + "vaccinated_persons", P + "vaccine_doses"
    text = (
        f"Pour chaque personne avec un taux d'Ac anti-HBs <{fmt.NBSP}10, un schéma de vaccination 0-1-4 mois "
        "est proposé. "
        + book.clause(
            f"{fmt.capitalized(book.say(vaccinated))} "
            f"{fmt.noun(book.value(vaccinated), 'personne a reçu', 'personnes ont reçu')} au moins un vaccin "
            f"{book.period if book.period_end else f'entre janvier et décembre {y}'}. Au total, "
            f"{book.say(doses)} {fmt.noun(book.value(doses), 'vaccin a été administré', 'vaccins ont été administrés')}"
            f"{book.paren_history(doses)}",
            [vaccinated, doses],
            "Les nombres de personnes vaccinées et de doses ne sont pas publiés",
        )
        + "."
    )
    if not book.has(P + "vaccine_completion"):
        return [prose(text)]
    return [prose(text, _completion_text(book)), _completion_table(book)]


def _completion_text(book: FigureBook) -> str:
    """Sentences on the completion of the schedule by the persons who started it in the year."""
    _y, row = book.year, book.row(P + "vaccine_completion")
    started = fmt.number(row["denominator"], 0, book.lang)
    if not row["denominator"]:
        return f"Aucune personne n'a reçu de première dose {book.period}."
    delay = book.row(P + "vaccine_dose3_delay_median")
    done, within = P + "vaccine_completion", P + "vaccine_completion_within_6m"
    text = (
        f"Parmi les {started} {fmt.noun(row['denominator'], 'personne', 'personnes')} ayant reçu une première "
        f"dose {book.period}, "
        + book.clause(
            f"{book.count_say(done)} ({book.say(done)}) ont reçu les doses 2 et 3{book.paren_history(done)}, "
            f"dont {book.count_say(within)} ({book.say(within)}) avec la troisième dose dans les 6 mois suivant "
            "la première (elle est prévue à 4 mois)",
            [done, within],
            "le nombre de schémas complétés n'est pas publié",
        )
        + "."
    )
    if not fmt.is_missing(delay["value"]) or delay.get("suppressed", False):
        text += " " + book.clause(
            "Délai médian entre la première et la troisième dose : "
            f"{fmt.quantity(delay['value'], 'jour', 'jours', book.lang)}",
            [P + "vaccine_dose3_delay_median"],
            "Le délai médian entre la première et la troisième dose n'est pas publié",
        )
        text += "."
    incomplete = P + "vaccine_followup_incomplete"
    if book.value(incomplete) > 0 or book.is_suppressed(incomplete):
        persons = fmt.noun(book.value(incomplete), "personne", "personnes")
        text += " " + book.clause(
            f"Les données s'arrêtent avant la fin des 6 mois de suivi pour {book.say(incomplete)} {persons} "
            "sans troisième dose : leur schéma peut encore être complété, le taux de l'année est donc un minimum",
            [incomplete],
            "Les données s'arrêtent avant la fin des 6 mois de suivi pour des personnes sans troisième dose, "
            "dont le nombre n'est pas publié",
        )
        text += "."
    return text


def _completion_table(book: FigureBook) -> Table:
    rows = book.select(
        _ids("vaccine_completion", "vaccine_completion_within_6m"), [*book.previous, book.year]
    )
    rows = rows.assign(
        label=rows["indicator"].map(
            {
                P + "vaccine_completion": "Schéma complet (doses 1, 2, 3)",
                P + "vaccine_completion_within_6m": "dont dose 3 dans les 6 mois",
            }
        )
    )
    footnote = (
        "Personnes ayant reçu la dose 1 dans l'année ; doses 2 et 3 recherchées dans toutes les données "
        "disponibles, y compris les années suivantes. " + _ci_footnote(rows, book.level, book.lang)
    )
    return fmt.figures_table(
        rows,
        columns=("label", "year", "numerator", "denominator", "value", "ci"),
        lang=book.lang,
        labels={
            "label": "Vaccination hépatite B",
            "numerator": "Personnes",
            "denominator": "Dose 1 dans l'année",
            "value": "Part",
        },
        caption="Achèvement du schéma 0-1-4 mois",
        footnote=footnote,
        level=book.level,
    )


def follow_up(book: FigureBook) -> list:
    """6 Medical and administrative follow-up (critères 10 et 11)."""
    y = book.year
    during = f"Au cours de l'année {y}" if book.period_end is None else book.period_capitalized
    acts = [P + name for name in FOLLOW_UP]
    text = prose(
        book.clause(
            f"{during}, {book.say(P + 'contraception_prescriptions')} prescriptions de contraceptifs "
            f"et {book.say(P + 'treatments')} traitements relatifs aux pathologies découvertes en dépistage ont "
            f"été prescrits. {_referrals_text(book)}, "
            f"{book.say(P + 'counsels')} conseils médicaux (prévention, hygiène, etc.) ont été donnés. "
            f"{fmt.capitalized(book.say(P + 'abortion_supports'))} accompagnements vers IVG et "
            f"{book.say(P + 'pregnancy_followups')} suivis de grossesse",
            acts,
            f"{during}, les nombres d'actes de suivi médical ne sont pas tous publiés",
            "actes",
        )
        + "."
    )
    treat = book.members(_members("treatments"))
    refer = book.members(_members("referrals"))
    return [
        text,
        _trend_table(book, list(FOLLOW_UP), "Suivi médical (nombre d'actes)"),
        fmt.figures_table(
            treat.assign(label=_category_labels(treat)),
            columns=("label", "value"),
            lang=book.lang,
            labels={"label": "Traitements par pathologie", "value": "Nombre"},
            caption=f"Traitements prescrits par pathologie {book.period}",
        ),
        fmt.figures_table(
            refer.assign(label=_category_labels(refer)),
            columns=("label", "value"),
            lang=book.lang,
            labels={"label": "Renvois par destination", "value": "Nombre"},
            caption=f"Renvois par destination {book.period}",
        ),
    ]


GP = P + "referrals.general_practitioner"


def _referrals_text(book: FigureBook) -> str:
    """The referrals of the year: to specialists, and to general practitioners stated separately.

    The referrals to specialists are the referrals total less those to a general practitioner
    (``referrals.general_practitioner``), both published; when the latter is masked the split is not
    printed (it would reveal it), only the total and what is withheld.
    """
    total = book.say(P + "referrals")
    if not book.has(GP):
        return f"{fmt.capitalized(total)} renvois vers des médecins (spécialistes ou généralistes) ont été effectués"
    gp = book.row(GP)
    if gp.get("suppressed", False) or book.is_suppressed(P + "referrals"):
        return (
            f"{fmt.capitalized(total)} renvois vers des médecins ont été effectués, dont "
            f"{book.say(GP)} vers des médecins généralistes (le nombre de renvois vers des spécialistes n'est "
            "donc pas publié)"
        )
    specialists = book.value(P + "referrals") - float(gp["value"])
    to_gp = (
        "aucun vers un médecin généraliste"
        if float(gp["value"]) == 0
        else f"et {fmt.number(gp['value'], 0, book.lang)} vers des médecins généralistes"
    )
    done = fmt.noun(
        specialists,
        "renvoi vers des médecins spécialistes a été effectué",
        "renvois vers des médecins spécialistes ont été effectués",
    )
    return f"{fmt.number(specialists, 0, book.lang)} {done} ({to_gp})"
