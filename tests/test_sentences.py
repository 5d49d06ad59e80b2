"""Sentences a funder can read (issue 13, item 3; issue 10, item 5's wording).

The 2019 INAMI, AViQ and Cocof pages are built from the committed synthetic exports with the
funders' default masking, as the batch builds them, and their generated sentences are read as a
funder would: no masked figure as a bare symbol ("x", "< 5") inside running text, no "(s)",
region names with their capitals, the antennas in the published order in the sentence and in the
table below it, a legend under every table that prints a mask. Small hand-made books check the
referral sentence, the CI header at another level and the plural rules.

Independent sources: the published antenna order and wording are read from
../shared/reference/rapport_moral_2019.txt; the French plural rules are CLDR's (0 and 1 are
singular in French), written out below.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from espacep_analysis import fmt
from espacep_analysis.blocks_html import table_html
from espacep_analysis.indicators import inami as inami_ind
from espacep_analysis.indicators.common import figures_frame
from espacep_analysis.pages import FigureBook, Table, Text, aviq, build_report, cocof, inami

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
REFERENCE = ROOT.parent.parent / "shared" / "reference" / "rapport_moral_2019.txt"
if not REFERENCE.exists():
    REFERENCE = Path("/work/shared/reference/rapport_moral_2019.txt")
NB = "\u00a0"
NAN = math.nan
# A mask inside running text: "x" as a word of its own, or "< 5" (the masks of the tables)
BARE_MASK = re.compile(r"(?<![\w'’-])x(?![\w'’-])|< 5(?!\d)")
AVIQ_SECTIONS = ("proximity", "internet", "medical", "violence", "harm_reduction", "professionals", "demands")
COCOF_SECTIONS = (
    "proximity",
    "internet",
    "medical",
    "violence",
    "harm_reduction",
    "clients",
    "professionals",
)


def _inami_blocks(report) -> list:
    b = report.book
    return [
        *inami.contacts(b, report.antenna_labels),
        *inami.new_known(b),
        *inami.workplaces(b),
        *inami.age(b, report.ages),
        *inami.gender(b),
        *inami.nationality(b, report.antenna_labels),
        *inami.gp_gyn(b),
        *inami.coverage(b),
        *inami.screening(b, report.method, report.level),
        *inami.cervical(b),
        *inami.vaccination(b),
        *inami.follow_up(b),
    ]


def _generated(report) -> list:
    """The blocks the code generates (no declared narrative or items: ``declared=None``)."""
    if report.funder == "inami":
        return _inami_blocks(report)
    module, names = (aviq, AVIQ_SECTIONS) if report.funder == "aviq" else (cocof, COCOF_SECTIONS)
    blocks = [blk for name in names for blk in getattr(module, name)(report.book, None)]
    return blocks + (aviq.first_contact(report.book) if report.funder == "aviq" else [])


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return {
        f: build_report(f, 2019, DATA, cache_dir=cache, params_dir=ROOT / "params")
        for f in ("inami", "aviq", "cocof")
    }


@pytest.fixture(scope="module")
def pages(reports):
    """funder -> (generated blocks, all blocks with the declared content)."""
    out = {}
    for funder, report in reports.items():
        full = _generated(report)
        if funder != "inami":
            module = aviq if funder == "aviq" else cocof
            names = AVIQ_SECTIONS if funder == "aviq" else COCOF_SECTIONS
            full = [blk for n in names for blk in getattr(module, n)(report.book, report.declared)]
        out[funder] = (_generated(report), full)
    return out


def _texts(blocks) -> list[str]:
    return [b.markdown for b in blocks if isinstance(b, Text)]


def test_reports_are_masked(reports):
    # the premise: with the default threshold, some figures of each report are masked
    for report in reports.values():
        assert report.min_cell == 5
        assert report.book.figures["suppressed"].astype(bool).any()


@pytest.mark.parametrize("funder", ["inami", "aviq", "cocof"])
def test_no_bare_mask_in_running_text(pages, funder):
    generated, _ = pages[funder]
    found = [(m.group(0), text) for text in _texts(generated) for m in BARE_MASK.finditer(text)]
    assert found == []


def test_masked_belgian_share_says_what_is_withheld_and_why(pages):
    text = "\n".join(_texts(pages["inami"][0]))
    # Arlon's Belgian share is masked in the synthetic 2019 data; the sentence says so, in words
    assert re.search(
        r"À Arlon, [^\n]*la part de nationalité belge n'est pas publiée \((effectif de moins de 5 personnes|"
        r"masquage complémentaire[^)]*)\)\.",
        text,
    )
    assert "des travailleurs du sexe ont la nationalité belge (x" not in text


@pytest.mark.parametrize("funder", ["inami", "aviq", "cocof"])
def test_no_plural_in_parentheses(pages, funder):
    _, full = pages[funder]
    assert [t for t in _texts(full) if "(s)" in t] == []


def test_region_names_keep_their_capitals(pages):
    text = "\n".join(_texts(pages["inami"][0]))
    assert "Europe de l'Est" in text and "Afrique subsaharienne" in text
    for lower in ("europe de l", "afrique subsaharienne", "amérique latine", "afrique du nord"):
        assert lower not in text


class _Rows(HTMLParser):
    """The first cell of each body row of a table, and its footnote."""

    def __init__(self):
        super().__init__()
        self.first, self.cells, self.footnote = [], [], ""
        self._where, self._cell, self._col = "", None, 0

    def handle_starttag(self, tag, attrs):
        if tag in ("tbody", "tfoot", "thead"):
            self._where = tag
        elif tag == "tr":
            self._col = 0
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            if self._where == "tbody":
                (self.first if self._col == 0 else self.cells).append(self._cell)
            elif self._where == "tfoot":  # the footnotes, the mask legend last
                self.footnote = f"{self.footnote} {self._cell}".strip()
            self._col += 1
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _rows(table: Table) -> _Rows:
    parser = _Rows()
    parser.feed(table_html(table))
    return parser


def test_antennas_in_the_published_order_in_sentence_and_table(reports):
    published = re.search(
        r"antennes différentes en Communauté française \(à ([^)]*)\)", REFERENCE.read_text()
    )
    order = re.split(r", | et ", published.group(1))
    assert order == ["Bruxelles", "Liège", "Namur", "Mons", "Charleroi", "Arlon", "Tournai"]
    report = reports["inami"]
    blocks = inami.contacts(report.book, report.antenna_labels)
    sentence = re.search(r"antennes \(([^)]*)\)", blocks[0].markdown).group(1)
    assert re.split(r", | et ", sentence) == order
    table = next(b for b in blocks if isinstance(b, Table))
    assert [name for name in _rows(table).first if name in order] == order
    # the nationality sentences list the antennas in the same order
    nationality = _texts(inami.nationality(report.book, report.antenna_labels))[0]
    named = re.findall(r"^À ([^,]+),", nationality, flags=re.M)
    assert [n for n in named if n in order] == order


@pytest.mark.parametrize("funder", ["inami", "aviq", "cocof"])
def test_every_table_with_a_mask_has_its_legend(pages, funder):
    tables = [b for b in pages[funder][1] if isinstance(b, Table)]
    masked = 0
    for table in tables:
        rows = _rows(table)
        symbols = {c for c in rows.cells if c == "x" or c == "< 5"}
        if "< 5" in symbols:
            assert f"«{NB}< 5{NB}» : effectif de 1 à 4, masqué." in rows.footnote
        if "x" in symbols:
            assert f"«{NB}x{NB}» : chiffre masqué" in rows.footnote
        masked += bool(symbols)
    assert masked or funder == "cocof"  # INAMI and AViQ 2019 print masks in their tables


def test_lesion_share_names_its_denominator(pages):
    text = next(t for t in _texts(pages["inami"][0]) if "lésion cellulaire" in t)
    assert "qui ont bénéficié d'un frottis" not in text
    assert "dont au moins un frottis de l'année était interprétable" in text


def test_referrals_to_specialists_exclude_general_practitioners(pages):
    # synthetic 2019: 75 referrals (params/targets.yaml, from the published report), none to a GP
    text = next(t for t in _texts(pages["inami"][0]) if "renvoi" in t)
    assert (
        "75 renvois vers des médecins spécialistes ont été effectués (aucun vers un médecin généraliste)"
        in text
    )


# --- small hand-made books ---------------------------------------------------------------------------


def fig(indicator, value, scope="all", year=2019, num=NAN, den=NAN, mask="", lower=NAN, upper=NAN):
    label, unit = inami_ind.INDICATORS[indicator]
    row = figures_frame(
        indicator, label, year, scope, NAN if mask else value, unit, numerator=num, denominator=den
    )
    return row.assign(lower=lower, upper=upper, suppressed=bool(mask), suppression=mask)


def _follow_up_book(gp: float, gp_mask: str = "", **kw) -> FigureBook:
    counts = {
        "contraception_prescriptions": 171,
        "treatments": 290,
        "referrals": 80,
        "counsels": 1630,
        "abortion_supports": 7,
        "pregnancy_followups": 5,
    }
    rows = [fig(f"inami.{k}", v) for k, v in counts.items()]
    rows += [
        fig("inami.referrals.gynaecologist", 27),
        fig("inami.referrals.hiv_reference_centre", 12),
        fig("inami.referrals.hepatologist", 36),
        fig("inami.referrals.general_practitioner", gp, mask=gp_mask),
        fig("inami.referrals.other_specialist", 80 - 27 - 12 - 36 - gp, mask=gp_mask and "secondary"),
    ]
    return FigureBook(pd.concat(rows, ignore_index=True), 2019, masked="< 5", **kw)


def test_referral_sentence_states_general_practitioners_separately():
    text = inami.follow_up(_follow_up_book(5))[0].markdown
    # 80 referrals, 5 of them to a GP: 80 - 5 = 75 to specialists
    assert (
        "75 renvois vers des médecins spécialistes ont été effectués (et 5 vers des médecins généralistes)"
        in text
    )
    assert "80 renvois" not in text


def test_referral_split_is_withheld_when_the_gp_count_is_masked():
    text = inami.follow_up(_follow_up_book(3, "primary"))[0].markdown
    # 80 - "< 5" would tell the masked count: only the total and "moins de 5" are printed
    assert (
        "80 renvois vers des médecins ont été effectués, dont moins de 5 vers des médecins généralistes"
        in text
    )
    assert "77" not in text and "spécialistes ont été effectués" not in text


def _gender_book(level: float) -> FigureBook:
    rows = [fig("inami.persons_seen", 1076)]
    for g, n, lo, hi in (("woman", 1028, 0.94, 0.97), ("man", 10, 0.005, 0.017), ("trans", 38, 0.026, 0.048)):
        rows.append(fig(f"inami.gender.{g}", n / 1076, num=n, den=1076, lower=lo, upper=hi))
    frame = pd.concat(rows, ignore_index=True).assign(method="wilson")
    return FigureBook(frame, 2019, masked="< 5", level=level)


def test_ci_header_follows_the_level():
    html = table_html(inami.gender(_gender_book(0.90))[0])
    assert f">IC 90{NB}%</th>" in html and "IC 95" not in html
    assert f"à 90{NB}%" in html  # the footnote says the same level
    assert f">IC 95{NB}%</th>" in table_html(inami.gender(_gender_book(0.95))[0])


def test_ci_header_of_the_formatter():
    assert fmt.ci_header(0.90) == f"IC 90{NB}%"
    assert fmt.ci_header(0.995) == f"IC 99,5{NB}%"
    frame = pd.DataFrame([{"label": "VIH", "value": 0.01, "unit": "proportion", "lower": 0.0, "upper": 0.02}])
    assert f">IC 90{NB}%<" in fmt.figures_table_html(frame, columns=("label", "ci"), level=0.90)


@pytest.mark.parametrize(
    ("n", "expected"),
    # CLDR French: "one" for 0 <= n < 2, "other" otherwise (1 000 000 is "many", printed as the plural)
    [
        (0, "0 personne"),
        (1, "1 personne"),
        (2, "2 personnes"),
        (71, "71 personnes"),
        (1076, f"1{NB}076 personnes"),
    ],
)
def test_quantity_follows_french_plural_rules(n, expected):
    assert fmt.quantity(n, "personne", "personnes").replace(NB, " ") == expected.replace(NB, " ")
    assert fmt.noun(None, "personne", "personnes") == "personnes"


def test_say_never_prints_a_mask_symbol():
    rows = [
        fig("inami.persons_seen", 1076),
        fig("inami.nationality_unknown", 3, mask="primary"),  # a small count
        fig("inami.belgian_share", 0.01, num=3, den=300, mask="derived"),  # a share of a small count
        fig("inami.new_persons", 12, mask="secondary"),  # a complement
    ]
    book = FigureBook(pd.concat(rows, ignore_index=True), 2019, masked="< 5")
    assert book.text("inami.nationality_unknown") == "< 5" and book.text("inami.new_persons") == "x"
    assert book.say("inami.persons_seen") == f"1{NB}076"
    assert book.say("inami.nationality_unknown") == "moins de 5"
    assert book.say("inami.belgian_share") == "valeur non publiée"
    assert book.say("inami.new_persons") == "valeur non publiée"
    clause = book.clause(
        "x des TDS", ["inami.belgian_share"], "la part de nationalité belge n'est pas publiée"
    )
    assert clause == "la part de nationalité belge n'est pas publiée (effectif de moins de 5 personnes)"
    assert book.clause("moins de 5 personnes", ["inami.nationality_unknown"], "non") == "moins de 5 personnes"
    assert "masquage complémentaire" in book.clause("…", ["inami.new_persons"], "le nombre n'est pas publié")


def test_in_sentence_style_list():
    assert fmt.in_sentence("Europe de l'Est") == "Europe de l'Est"
    assert fmt.in_sentence("Amérique latine") == "Amérique latine"
    assert fmt.in_sentence("Au bureau") == "au bureau"
    assert fmt.in_sentence("Anciens contacts") == "anciens contacts"  # "Ans" (a site) is a whole word
    assert fmt.in_sentence("Ans") == "Ans"


# --- the period of a partial year --------------------------------------------------------------------


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache-partial")
    return {
        f: build_report(f, 2019, DATA, cache_dir=cache, params_dir=ROOT / "params", period_end="2019-03-19")
        for f in ("aviq", "cocof")
    }


@pytest.mark.parametrize("funder", ["aviq", "cocof"])
def test_partial_year_period_in_every_sentence(partial, funder):
    texts = _texts(_generated(partial[funder]))
    assert any("du 1er janvier au 19 mars 2019" in t for t in texts)
    for text in texts:
        assert "en 2019" not in text, text
        assert "31/12/2019" not in text, text
