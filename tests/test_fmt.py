"""Tests of espacep_analysis.fmt: exact strings, as the published report prints them.

Expected strings are written by hand from the conventions in fmt's docstring
(French: NBSP as group separator and before "%", comma as decimal separator,
half-away-from-zero rounding), and checked against the 2019 report where it
prints the same kind of figure ("1 076", "95,5 %").
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pandas as pd
import pytest

from espacep_analysis import fmt
from espacep_analysis.errors import EspacepError

S = fmt.NBSP  # U+00A0


# --- number -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "decimals", "lang", "expected"),
    [
        (1076, 0, "fr_BE", f"1{S}076"),
        (1234567, 0, "fr_BE", f"1{S}234{S}567"),
        (999, 0, "fr_BE", "999"),
        (0, 0, "fr_BE", "0"),
        (1076.5, 0, "fr_BE", f"1{S}077"),  # half away from zero
        (-2.5, 0, "fr_BE", "-3"),  # half away from zero, negative side
        (1.005, 2, "fr_BE", "1,01"),  # decimal 1.005 rounds up (the float is 1.00499..., round() gives 1.0)
        (-0.04, 1, "fr_BE", "0,0"),  # no "-0,0"
        (np.int64(1076), 0, "fr_BE", f"1{S}076"),
        (1076, 0, "fr", f"1{S}076"),  # CLI short form
        (1076.25, 1, "nl_BE", "1.076,3"),
        (1076.25, 1, "en", "1,076.3"),
    ],
)
def test_number(x, decimals, lang, expected):
    assert fmt.number(x, decimals, lang) == expected


def test_number_group_separator_is_nbsp_not_babels_narrow_nbsp():
    text = fmt.number(1076)
    assert "\u202f" not in text and text[1] == "\u00a0"


def test_number_round_trips_integers():
    # Invariant: removing the separators gives back the integer, for any size.
    rng = random.Random(7)
    for n in [rng.randrange(0, 10**9) for _ in range(300)]:
        text = fmt.number(n)
        assert text.replace(S, "") == str(n)
        # groups of three digits from the right
        assert all(len(g) == 3 for g in text.split(S)[1:])


def test_halves_round_up_like_excel():
    # Invariant: k + 0.5 (exact in binary) rounds to k + 1, never to the even neighbour.
    for k in range(0, 999):
        assert fmt.number(k + 0.5) == str(k + 1)


# --- percent, ci ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("p", "decimals", "lang", "expected"),
    [
        (0.955, 1, "fr_BE", f"95,5{S}%"),  # the report's "95,5 %"
        (21 / 44, 0, "fr_BE", f"48{S}%"),  # 0.4773 -> "48 %"
        (0.125, 0, "fr_BE", f"13{S}%"),  # half up (half-even would give 12)
        (0.0, 1, "fr_BE", f"0,0{S}%"),
        (1.0, 1, "fr_BE", f"100,0{S}%"),
        (0.955, 1, "nl_BE", "95,5%"),
        (0.955, 1, "en", "95.5%"),
    ],
)
def test_percent(p, decimals, lang, expected):
    assert fmt.percent(p, decimals, lang) == expected


def test_percent_is_within_half_a_unit_of_the_value():
    # Invariant: the printed percentage differs from 100 p by at most half the last digit.
    rng = np.random.default_rng(3)
    for p in rng.random(500):
        for decimals in (0, 1, 2):
            text = fmt.percent(p, decimals)
            printed = float(text.removesuffix(f"{S}%").replace(",", "."))
            assert abs(printed - 100 * p) <= 0.5 * 10**-decimals + 1e-9


@pytest.mark.parametrize(
    ("lower", "upper", "lang", "expected"),
    [
        (0.939, 0.966, "fr_BE", f"[93,9{S}–{S}96,6{S}%]"),
        (0.0, 0.0371, "fr_BE", f"[0,0{S}–{S}3,7{S}%]"),
        (0.939, 0.966, "nl_BE", f"[93,9{S}–{S}96,6%]"),
        (0.939, 0.966, "en", f"[93.9{S}–{S}96.6%]"),
    ],
)
def test_ci(lower, upper, lang, expected):
    assert fmt.ci(lower, upper, lang=lang) == expected


# --- mean, year, date ------------------------------------------------------------------
def test_mean_year_date():
    assert fmt.mean(33.96) == "34,0"
    assert fmt.mean(2.25, 1) == "2,3"
    assert fmt.year(2019) == "2019"  # no group separator in years
    assert fmt.year(np.int64(2017)) == "2017"
    assert fmt.year(2019.0) == "2019"
    assert fmt.date(dt.date(2026, 11, 28)) == "28 novembre 2026"
    assert fmt.date(dt.datetime(2019, 3, 1, 14, 30)) == "1 mars 2019"
    assert fmt.date("2019-08-15") == "15 août 2019"
    assert fmt.date(dt.date(2026, 11, 28), lang="nl_BE") == "28 november 2026"
    assert fmt.date(dt.date(2026, 11, 28), lang="en") == "November 28, 2026"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_print_an_en_dash(missing):
    assert fmt.MISSING == "–"
    assert fmt.number(missing) == "–"
    assert fmt.percent(missing) == "–"
    assert fmt.mean(missing) == "–"
    assert fmt.year(missing) == "–"
    assert fmt.date(missing) == "–"
    assert fmt.ci(missing, 0.5) == "–"
    assert fmt.ci(0.1, missing) == "–"


def test_bad_input_raises_espacep_error():
    with pytest.raises(EspacepError, match="unsupported language 'de'"):
        fmt.number(1, lang="de")
    with pytest.raises(EspacepError, match="non-finite"):
        fmt.number(math.inf)
    with pytest.raises(EspacepError, match="whole number"):
        fmt.year(2019.5)
    with pytest.raises(EspacepError, match="not an ISO date"):
        fmt.date("28/11/2026")
    with pytest.raises(EspacepError, match="not a number"):
        fmt.number("abc")


# --- tables --------------------------------------------------------------------------------
def _figures() -> pd.DataFrame:
    nan = float("nan")
    rows = [
        # indicator, label, year, scope, numerator, denominator, value, lower, upper, method, unit
        ("inami.persons_seen", "TDS vus", 2019, "all", nan, nan, 1076.0, nan, nan, "", "persons"),
        (
            "inami.prevalence.hiv",
            "VIH",
            2019,
            "all",
            3.0,
            412.0,
            3 / 412,
            0.0024,
            0.0212,
            "wilson",
            "proportion",
        ),
        (
            "inami.consultations_per_person",
            "Consultations par TDS",
            2019,
            "all",
            2467.0,
            1076.0,
            2467 / 1076,
            nan,
            nan,
            "",
            "ratio",
        ),
        ("inami.age_mean", "Âge moyen", 2019, "all", nan, nan, 33.96, nan, nan, "", "years"),
        ("inami.age_min", "Âge minimum", 2019, "all", nan, nan, 18.0, nan, nan, "", "years"),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "label",
            "year",
            "scope",
            "numerator",
            "denominator",
            "value",
            "lower",
            "upper",
            "method",
            "unit",
        ],
    )


def test_figures_table_html_exact():
    html = fmt.figures_table_html(
        _figures(), caption="Tableau 1 <test>", footnote="Source : dossiers médicaux."
    )
    # Hand-written expectation: 3/412 = 0.728 % -> "0,7 %"; 2467/1076 = 2.2927 -> "2,3";
    # age mean 33.96 -> "34,0"; whole age 18 -> "18".
    expected = (
        '<table class="figures"><caption>Tableau 1 &lt;test&gt;</caption>'
        '<thead><tr><th scope="col">Indicateur</th><th scope="col" class="num">Nombre</th>'
        '<th scope="col" class="num">Sur</th><th scope="col" class="num">Valeur</th>'
        f'<th scope="col" class="num">IC 95{S}%</th></tr></thead><tbody>'
        f'<tr><td>TDS vus</td><td class="num">–</td><td class="num">–</td><td class="num">1{S}076</td>'
        '<td class="num">–</td></tr>'
        '<tr><td>VIH</td><td class="num">3</td><td class="num">412</td>'
        f'<td class="num">0,7{S}%</td><td class="num">[0,2{S}–{S}2,1{S}%]</td></tr>'
        f'<tr><td>Consultations par TDS</td><td class="num">2{S}467</td><td class="num">1{S}076</td>'
        '<td class="num">2,3</td><td class="num">–</td></tr>'
        '<tr><td>Âge moyen</td><td class="num">–</td><td class="num">–</td><td class="num">34,0</td>'
        '<td class="num">–</td></tr>'
        '<tr><td>Âge minimum</td><td class="num">–</td><td class="num">–</td><td class="num">18</td>'
        '<td class="num">–</td></tr>'
        '</tbody><tfoot><tr><td colspan="5">Source : dossiers médicaux.</td></tr></tfoot></table>'
    )
    assert html == expected


def test_figures_table_html_columns_labels_and_lang():
    html = fmt.figures_table_html(
        _figures().iloc[1:2],
        columns=("label", "value"),
        labels={"label": "Test"},
        lang="en",
        percent_decimals=2,
    )
    assert html == (
        '<table class="figures"><thead><tr><th scope="col">Test</th><th scope="col" class="num">Valeur</th>'
        '</tr></thead><tbody><tr><td>VIH</td><td class="num">0.73%</td></tr></tbody></table>'
    )


def test_figures_table_html_rejects_unknown_unit_and_column():
    bad = _figures().iloc[:1].assign(unit="furlongs")
    with pytest.raises(EspacepError, match="unknown unit 'furlongs'"):
        fmt.figures_table_html(bad)
    with pytest.raises(EspacepError, match="unknown column"):
        fmt.figures_table_html(_figures(), columns=("label", "colour"))


def test_figures_wide_html_years_side_by_side():
    rows = pd.DataFrame(
        {
            "label": ["Nouveaux contacts", "Nouveaux contacts", "Nouveaux contacts", "TDS vus", "TDS vus"],
            "year": [2019, 2017, 2018, 2019, 2018],
            "value": [0.48, 0.53, 0.51, 1076.0, 998.0],
            "unit": ["proportion"] * 3 + ["persons"] * 2,
        }
    )
    html = fmt.figures_wide_html(rows, percent_decimals=0)
    # Columns sorted by year; TDS vus has no 2017 figure -> en dash.
    assert html == (
        '<table class="figures"><thead><tr><th scope="col">Indicateur</th><th scope="col" class="num">2017</th>'
        '<th scope="col" class="num">2018</th><th scope="col" class="num">2019</th></tr></thead><tbody>'
        f'<tr><th scope="row">Nouveaux contacts</th><td class="num">53{S}%</td><td class="num">51{S}%</td>'
        f'<td class="num">48{S}%</td></tr>'
        f'<tr><th scope="row">TDS vus</th><td class="num">–</td><td class="num">998</td>'
        f'<td class="num">1{S}076</td></tr></tbody></table>'
    )
    with pytest.raises(EspacepError, match="two figures"):
        fmt.figures_wide_html(pd.concat([rows, rows.iloc[:1]]))


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.013, "+1,3\u00a0pt"),
        (-0.0049, "\u22120,5\u00a0pt"),
        (0.0, "0,0\u00a0pt"),
        (-0.00004, "0,0\u00a0pt"),
    ],
)
def test_points_signed_percentage_points(value, expected):
    # 0.013 -> 1.3 points; -0.0049 -> 0.49 -> rounds half away to 0.5 with a minus sign
    assert fmt.points(value) == expected


# 2 significant digits, 2 to 3 decimals, "< 0,001" below (worked by hand: 0.0096 -> 0.0096 has its
# first digit at the 3rd decimal -> 3 decimals -> 0,010)
@pytest.mark.parametrize(
    "value, expected",
    [
        (0.0004, "<\u00a00,001"),
        (0.0123, "0,012"),
        (1.0, "1,00"),
        (0.0096, "0,010"),
        (0.02489, "0,025"),
        (0.2732, "0,27"),
        (0.001, "0,001"),
        (float("nan"), "\u2013"),
    ],
)
def test_p_value_format(value, expected):
    assert fmt.p_value(value) == expected


def test_p_statement_and_verdict_words():
    assert fmt.p_statement(0.0096) == "p\u00a0=\u00a00,010"
    assert fmt.p_statement(0.0004) == "p\u00a0<\u00a00,001"
    assert [fmt.verdict(v) for v in (1, 0, -1, float("nan"))] == [
        "en hausse",
        "stable",
        "en baisse",
        "trop peu de cas pour conclure",
    ]
    assert fmt.figure_value({"unit": "verdict", "value": -1.0}) == "en baisse"
    with pytest.raises(EspacepError, match="verdict"):
        fmt.verdict(0.5)


def test_figure_value_new_units():
    assert fmt.figure_value({"unit": "difference", "value": 0.0125}) == "+1,3\u00a0pt"
    assert fmt.figure_value({"unit": "p_value", "value": 0.04}) == "0,040"
    assert fmt.figure_value({"unit": "contacts", "value": 5810}) == "5\u00a0810"
    assert fmt.figure_value({"unit": "days", "value": 121.5}) == "122"


def test_masked_figure_prints_its_mask():
    row = {"unit": "persons", "value": float("nan"), "suppressed": True, "mask_label": "< 5"}
    assert fmt.figure_value(row) == "< 5"
    assert fmt.figure_value({**row, "mask_label": None}) == "x"
