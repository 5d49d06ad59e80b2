"""AViQ and Cocof indicators on a small hand-made data set; every expected value is computed by hand.

The fixture (contacts, social actions and activities in 2018-2020 at Wallonia
sites liege / seraing / namur / charleroi / mons / tournai / arlon / athus, at
bruxelles and at saint_trond; consultations 2017-2019) is listed row by row
below with row numbers; the comments beside each assert give the hand
computation from those numbers.
"""

from __future__ import annotations

import figassert
import numpy as np
import pandas as pd
import pytest

from espacep_analysis import stats
from espacep_analysis.dataset import Dataset
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import aviq, cocof, common, comparisons, inami, outreach
from espacep_analysis.indicators.common import FIGURE_COLUMNS
from espacep_analysis.sites import load_sites

NA = pd.NA

# --- medical tables (for the INAMI-definition figures) ---------------------------------------
PERSONS = [  # pseudonym, birth_year, gender, nationality, inclusion_date
    ("P1", 1990, "woman", "BE", "2016-01-01"),
    ("P2", 1985, "woman", "RO", "2017-01-01"),
    ("P3", 1995, "woman", "NG", "2019-01-01"),
    ("P4", 1980, "man", "NL", "2019-01-01"),
]
CONSULTATIONS = [  # pseudonym, date, site, workplace, gp, gynaecologist, coverage_asked, coverage_status
    ("P1", "2019-01-10", "liege", "bar", "none", "none", False, NA),
    ("P1", "2019-05-10", "namur", "bar", "none", "none", False, NA),
    ("P2", "2019-02-02", "liege", "street", "none", "none", False, NA),
    ("P3", "2019-03-03", "bruxelles", "window", "none", "none", False, NA),
    ("P3", "2019-04-04", "bruxelles", "window", "none", "none", False, NA),
    ("P4", "2019-06-06", "saint_trond", "window", "none", "none", False, NA),
    ("P2", "2018-02-02", "charleroi", "street", "none", "none", False, NA),
    ("P1", "2017-01-01", "mons", "bar", "none", "none", False, NA),
]
LAB = [  # pseudonym, sample_date, site, test, result, titre, result_given_date
    ("P1", "2019-01-10", "liege", "hiv", "negative", np.nan, NA),
    ("P2", "2019-02-02", "liege", "syphilis", "negative", np.nan, NA),
    ("P3", "2019-03-03", "bruxelles", "hiv", "negative", np.nan, NA),
]
ACTS = [  # pseudonym, date, site, act, detail
    ("P1", "2019-01-10", "liege", "counsel", NA),
    ("P1", "2019-05-10", "namur", "hbv_vaccine", "1"),
    ("P4", "2019-06-06", "saint_trond", "counsel", NA),
]

# --- outreach ----------------------------------------------------------------------------------
CONTACTS = [  # date, site, pseudonym, channel, platform, workplace
    ("2019-01-05", "liege", "A", "field", NA, "street"),  # c1
    ("2019-02-01", "liege", "A", "field", NA, "street"),  # c2
    ("2019-03-01", "seraing", "A", "office", NA, NA),  # c3  A: liege and seraing
    ("2019-01-10", "seraing", "B", "phone", NA, NA),  # c4
    ("2019-01-10", "namur", "B", "field", NA, "bar"),  # c5  B: same day, namur < seraing
    ("2019-04-04", "namur", "C", "internet", "quartier_rouge", "private"),  # c6
    ("2019-04-05", "namur", "C", "internet", "facebook", "private"),  # c7
    ("2019-05-05", "charleroi", NA, "field", NA, "street"),  # c8  no pseudonym
    ("2019-05-06", "charleroi", "D", "internet", "vivastreet", "private"),  # c9
    ("2019-06-01", "charleroi", "E", "internet", "facebook", NA),  # c10 facebook: not a dating site
    ("2019-06-02", "mons", "F", "field", NA, "window"),  # c11
    ("2018-12-31", "liege", "G", "field", NA, "street"),  # c12 2018
    ("2020-01-01", "namur", "H", "field", NA, "bar"),  # c13 2020
    ("2019-02-02", "bruxelles", "X", "field", NA, "street"),  # c14
    ("2019-02-03", "bruxelles", "X", "office", NA, NA),  # c15
    ("2019-03-03", "bruxelles", "Y", "internet", "quartier_rouge", "private"),  # c16
    ("2019-03-04", "bruxelles", NA, "field", NA, "street"),  # c17 no pseudonym
    ("2019-07-07", "bruxelles", "Z", "internet", "facebook", NA),  # c18
    ("2019-09-09", "bruxelles", "A", "field", NA, "street"),  # c19 A also in Brussels
    ("2019-08-08", "saint_trond", "W", "field", NA, "window"),  # c20 Flanders: neither funder
]
SOCIAL_ACTIONS = [  # date, site, pseudonym, demand, first_contact, place
    ("2019-01-05", "liege", "A", "administrative", True, "field"),  # s1
    ("2019-02-01", "liege", "A", "financial", False, NA),  # s2
    ("2019-03-01", "seraing", "A", "violence", True, "office"),  # s3  A flagged twice
    ("2019-01-10", "namur", "B", "housing", True, "phone"),  # s4
    ("2019-01-10", "namur", "B", "violence", False, NA),  # s5
    ("2019-04-04", "namur", "C", "addiction", True, "field"),  # s6
    ("2019-04-04", "namur", "C", "prevention_material", False, NA),  # s7
    ("2019-05-06", "charleroi", "D", "prevention_material", True, "other_media"),  # s8
    ("2019-05-06", "charleroi", "D", "medical_consultation", False, NA),  # s9
    ("2019-06-02", "mons", "F", "trafficking", True, "field"),  # s10
    ("2019-06-03", "mons", "F", "trafficking", False, NA),  # s11
    ("2019-06-04", "tournai", "E", "addiction", True, NA),  # s12 place unknown
    ("2019-07-01", "liege", "E", "rights_information", False, NA),  # s13
    ("2018-05-05", "namur", "B", "administrative", True, "field"),  # s14 2018
    ("2019-02-02", "bruxelles", "X", "contraception_information", True, "field"),  # s15
    ("2019-02-03", "bruxelles", "X", "contraception_information", False, NA),  # s16
    ("2019-03-03", "bruxelles", "Y", "health_questionnaire", False, NA),  # s17
    ("2019-03-04", "bruxelles", "Y", "violence", False, NA),  # s18
    ("2019-03-05", "bruxelles", "Y", "trafficking", False, NA),  # s19
    ("2019-03-06", "bruxelles", "Y", "trafficking", False, NA),  # s20
    ("2019-03-07", "bruxelles", "Z", "trafficking", False, NA),  # s21
    ("2019-04-01", "bruxelles", "Z", "addiction", False, NA),  # s22
    ("2019-04-02", "bruxelles", "X", "addiction", False, NA),  # s23
]
ACTIVITIES = [  # date, site, programme, type, sessions, participants, condoms, brochures
    ("2019-02-01", "liege", "health_promotion", "information_session", 2, 10, NA, NA),  # a1
    ("2019-03-01", "seraing", "health_promotion", "information_session", 1, 5, NA, NA),  # a2
    ("2019-03-02", "namur", "health_promotion", "information_session", 3, 20, NA, NA),  # a3
    ("2019-04-01", "athus", "health_promotion", "information_session", 2, 8, NA, NA),  # a4
    ("2019-04-02", "arlon", "health_promotion", "information_session", 1, 4, NA, NA),  # a5
    ("2019-05-01", "mons", "health_promotion", "information_session", 4, 30, NA, NA),  # a6
    ("2019-05-02", "tournai", "health_promotion", "information_session", 5, 25, NA, NA),  # a7
    ("2019-06-01", "namur", "health_promotion", "student_awareness", 1, 80, NA, NA),  # a8
    ("2019-06-02", "charleroi", "health_promotion", "professional_training", 1, 15, NA, NA),  # a9
    ("2019-06-03", "charleroi", "health_promotion", "stand", 1, 150, 300, 50),  # a10
    ("2018-10-10", "namur", "health_promotion", "information_session", 7, 40, NA, NA),  # a11 2018
    ("2019-01-15", "bruxelles", "other", "language_course", 20, 6, NA, NA),  # a12
    ("2019-09-15", "bruxelles", "other", "language_course", 3, 5, NA, NA),  # a13
    ("2019-10-01", "bruxelles", "other", "literacy_course", 5, 4, NA, NA),  # a14
    ("2019-02-14", "bruxelles", "health_promotion", "stand", 3, 500, 3500, NA),  # a15
    ("2019-12-01", "bruxelles", "health_promotion", "stand", 1, 60, 1000, NA),  # a16
    ("2019-11-11", "bruxelles", "health_promotion", "student_awareness", 4, 800, NA, NA),  # a17
    ("2019-11-12", "bruxelles", "health_promotion", "professional_training", 1, 12, NA, NA),  # a18
    ("2019-05-05", "bruxelles", "health_promotion", "information_session", 2, 9, NA, NA),  # a19 not AViQ
]

WALLONIA_SITES = ["liege", "seraing", "ans", "namur", "arlon", "athus", "charleroi", "mons", "tournai"]


def _frame(rows, columns, dates=(), text=(), ints=(), floats=(), bools=()):
    frame = pd.DataFrame(rows, columns=columns)
    for col in text:
        frame[col] = frame[col].astype("string")
    for col in dates:
        frame[col] = pd.to_datetime(frame[col].astype("string")).astype("datetime64[ns]")
    for col in ints:
        frame[col] = frame[col].astype("Int64")
    for col in floats:
        frame[col] = frame[col].astype("float64")
    for col in bools:
        frame[col] = frame[col].astype(bool)
    return frame


def make_dataset(outreach: bool = True) -> Dataset:
    """The fixture with the dtypes documented in ``dataset.py``."""
    persons = _frame(
        PERSONS,
        ["pseudonym", "birth_year", "gender", "nationality", "inclusion_date"],
        dates=["inclusion_date"],
        text=["pseudonym", "gender", "nationality"],
        ints=["birth_year"],
    )
    consultations = _frame(
        CONSULTATIONS,
        [
            "pseudonym",
            "date",
            "site",
            "workplace",
            "gp",
            "gynaecologist",
            "coverage_asked",
            "coverage_status",
        ],
        dates=["date"],
        text=["pseudonym", "site", "workplace", "gp", "gynaecologist", "coverage_status"],
        bools=["coverage_asked"],
    )
    lab = _frame(
        LAB,
        ["pseudonym", "sample_date", "site", "test", "result", "titre", "result_given_date"],
        dates=["sample_date", "result_given_date"],
        text=["pseudonym", "site", "test", "result"],
        floats=["titre"],
    )
    acts = _frame(
        ACTS,
        ["pseudonym", "date", "site", "act", "detail"],
        dates=["date"],
        text=["pseudonym", "site", "act", "detail"],
    )
    if not outreach:
        return Dataset(
            persons=persons,
            consultations=consultations,
            lab_results=lab,
            medical_acts=acts,
            sites=load_sites(),
        )
    contacts = _frame(
        CONTACTS,
        ["date", "site", "pseudonym", "channel", "platform", "workplace"],
        dates=["date"],
        text=["site", "pseudonym", "channel", "platform", "workplace"],
    )
    social = _frame(
        SOCIAL_ACTIONS,
        ["date", "site", "pseudonym", "demand", "first_contact", "place"],
        dates=["date"],
        text=["site", "pseudonym", "demand", "place"],
        bools=["first_contact"],
    )
    activities = _frame(
        ACTIVITIES,
        ["date", "site", "programme", "type", "sessions", "participants", "condoms", "brochures"],
        dates=["date"],
        text=["site", "programme", "type"],
        ints=["sessions", "participants", "condoms", "brochures"],
    )
    return Dataset(
        persons=persons,
        consultations=consultations,
        lab_results=lab,
        medical_acts=acts,
        sites=load_sites(),
        contacts=contacts,
        social_actions=social,
        activities=activities,
    )


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return make_dataset()


@pytest.fixture(scope="module")
def av(ds) -> pd.DataFrame:
    return aviq.compute_figures(ds, 2019)


@pytest.fixture(scope="module")
def co(ds) -> pd.DataFrame:
    return cocof.compute_figures(ds, 2019)


def row(figs, name, year=2019, scope="all"):
    return inami.figure(figs, name, year, scope)


def val(figs, name, year=2019, scope="all"):
    return row(figs, name, year, scope)["value"]


def values(figs, name, year=2019) -> dict[str, float]:
    rows = figs[(figs.indicator == name) & (figs.year == year)]
    assert rows["scope"].is_unique, name
    return dict(zip(rows["scope"], rows["value"]))


def assert_prop(figs, name, num, den, year=2019, scope="all", method="wilson"):
    """value = num/den and bounds = stats.proportion_ci(num, den)."""
    figassert.assert_prop(row(figs, name, year, scope), name, num, den, method)


# --- AViQ: contacts and persons ------------------------------------------------------------------


def test_aviq_contacts_per_site_province_region(av):
    # 2019 Wallonia contacts: liege c1,c2 = 2; seraing c3,c4 = 2; namur c5,c6,c7 = 3;
    # charleroi c8,c9,c10 = 3; mons c11 = 1; ans, arlon, athus, tournai 0. Total 11 (c12 is 2018,
    # c13 2020, c14-c19 Brussels, c20 Flanders).
    # Provinces: liege 2+2+0 = 4; namur 3; luxembourg 0; hainaut 3+1+0 = 4.
    expected = {
        "all": 11,
        "region:wallonie": 11,
        "province:liege": 4,
        "province:namur": 3,
        "province:luxembourg": 0,
        "province:hainaut": 4,
        "site:liege": 2,
        "site:seraing": 2,
        "site:ans": 0,
        "site:namur": 3,
        "site:arlon": 0,
        "site:athus": 0,
        "site:charleroi": 3,
        "site:mons": 1,
        "site:tournai": 0,
    }
    assert values(av, "aviq.contacts") == expected
    assert row(av, "aviq.contacts")["unit"] == "contacts"


def test_aviq_persons_attributed_to_first_site(av):
    # First contact of 2019 per person: A liege (01-05, before seraing 03-01); B namur (01-10 at
    # seraing and namur the same day: smallest site code "namur" < "seraing"); C namur; D charleroi;
    # E charleroi; F mons. c8 has no pseudonym. Sites: liege 1, namur 2, charleroi 2, mons 1.
    # Provinces: liege 1 (seraing gets 0), namur 2, hainaut 3. Total 6 distinct persons.
    expected = {
        "all": 6,
        "region:wallonie": 6,
        "province:liege": 1,
        "province:namur": 2,
        "province:luxembourg": 0,
        "province:hainaut": 3,
        "site:liege": 1,
        "site:seraing": 0,
        "site:ans": 0,
        "site:namur": 2,
        "site:arlon": 0,
        "site:athus": 0,
        "site:charleroi": 2,
        "site:mons": 1,
        "site:tournai": 0,
    }
    assert values(av, "aviq.persons_met") == expected
    # A (liege, seraing) and B (seraing, namur) are met at two sites
    assert val(av, "aviq.persons_multi_site") == 2


@pytest.mark.parametrize("name", ["aviq.contacts", "aviq.persons_met"])
def test_aviq_site_sums_equal_province_and_region_totals(av, name):
    sites = load_sites()
    got = values(av, name)
    for province in ("liege", "namur", "luxembourg", "hainaut"):
        members = sites.sites_of("province", province)
        assert sum(got[f"site:{s}"] for s in members) == got[f"province:{province}"]
    provinces = sum(v for k, v in got.items() if k.startswith("province:"))
    assert provinces == got["region:wallonie"] == got["all"]
    assert sum(v for k, v in got.items() if k.startswith("site:")) == got["all"]


def test_aviq_persons_total_is_distinct_persons(ds, av):
    # Independent recomputation: distinct non-missing pseudonyms of 2019 contacts at Wallonia sites.
    c = ds.contacts
    mask = c["site"].isin(WALLONIA_SITES) & (c["date"].dt.year == 2019)
    assert val(av, "aviq.persons_met") == c.loc[mask, "pseudonym"].dropna().nunique() == 6


def test_aviq_dating_site_persons(av):
    # Internet contacts on dating platforms in Wallonia 2019: C (quartier_rouge, c6), D (vivastreet, c9).
    # C's facebook contact c7 and E's (c10) do not count; Y (quartier_rouge) is in Brussels.
    assert val(av, "aviq.dating_site_persons") == 2


def test_aviq_previous_year_outreach(av):
    # 2018: c12 (G, liege) only -> contacts 1 at liege / province liege / all; persons 1.
    assert values(av, "aviq.contacts", 2018)["site:liege"] == 1
    assert val(av, "aviq.contacts", 2018) == 1 and val(av, "aviq.persons_met", 2018) == 1
    # a11: 7 information sessions at namur in 2018
    assert val(av, "aviq.information_sessions", 2018) == 7
    assert val(av, "aviq.information_sessions", 2018, "antenna:namur") == 7
    # 2017: no outreach row at all -> no outreach figure (not a false zero), medical figures only
    y2017 = set(av.loc[av.year == 2017, "indicator"])
    assert "aviq.contacts" not in y2017 and "aviq.inami.persons_seen" in y2017


# --- AViQ: medical (INAMI definition) ---------------------------------------------------------


def test_aviq_medical_figures(av):
    # Wallonia 2019 consultations: P1 liege, P1 namur, P2 liege -> 3 consultations, 2 persons, 1.5 per person.
    scope = "region:wallonie"
    assert val(av, "aviq.inami.persons_seen", 2019, scope) == 2
    assert val(av, "aviq.inami.consultations", 2019, scope) == 3
    r = row(av, "aviq.inami.consultations_per_person", 2019, scope)
    assert (r["numerator"], r["denominator"], r["value"]) == (3, 2, 1.5)
    # 2018: P2 charleroi -> 1 / 1; 2017: P1 mons -> 1 / 1
    assert val(av, "aviq.inami.persons_seen", 2018, scope) == 1
    assert val(av, "aviq.inami.persons_seen", 2017, scope) == 1
    # Medical acts 2019 = acts at Wallonia sites (P1 liege counsel, P1 namur vaccine: 2)
    # + lab results at Wallonia sites (P1 liege hiv, P2 liege syphilis: 2) = 4; 2018, 2017: 0.
    assert val(av, "aviq.medical_acts") == 4
    assert val(av, "aviq.medical_acts", 2018) == 0


def _inami_contacts(ds, year):
    """INAMI's section 1.1 on the raw (unprepared) data set, every INAMI site: the other path."""
    return inami.contacts(ds, year)


def test_aviq_medical_equals_inami_region_figures(ds, av):
    for year in (2017, 2018, 2019):
        figs = _inami_contacts(ds, year)
        for name in ("persons_seen", "consultations"):
            assert (
                val(av, f"aviq.inami.{name}", year, "region:wallonie")
                == inami.figure(figs, f"inami.{name}", year, "region:wallonie")["value"]
            )


def test_cocof_medical_equals_inami_region_figures(ds, co):
    # Brussels 2019: P3 twice -> 1 person, 2 consultations.
    assert val(co, "cocof.inami.persons_seen", 2019, "region:bruxelles") == 1
    assert val(co, "cocof.inami.consultations", 2019, "region:bruxelles") == 2
    figs = _inami_contacts(ds, 2019)
    for name in ("persons_seen", "consultations"):
        assert (
            val(co, f"cocof.inami.{name}", 2019, "region:bruxelles")
            == inami.figure(figs, f"inami.{name}", 2019, "region:bruxelles")["value"]
        )
    # 2018: consultations exist (charleroi) but none in Brussels -> true zeros, ratio undefined
    assert val(co, "cocof.inami.persons_seen", 2018, "region:bruxelles") == 0
    assert np.isnan(val(co, "cocof.inami.consultations_per_person", 2018, "region:bruxelles"))


# --- AViQ: information sessions and awareness --------------------------------------------------


def test_aviq_information_sessions(av):
    # Sessions 2019 (a1-a7): liege 2, seraing 1, namur 3, athus 2, arlon 1, mons 4, tournai 5.
    # Antennas: liege 2+1 = 3, namur 3, arlon 1+2 = 3, charleroi 0, mons 4, tournai 5.
    # mons+tournai 9; total 18. a19 is in Brussels.
    got = values(av, "aviq.information_sessions")
    assert got["all"] == 18
    assert got["antenna:liege"] == 3 and got["antenna:arlon"] == 3 and got["antenna:charleroi"] == 0
    assert got["site:arlon"] == 1 and got["site:athus"] == 2 and got["site:seraing"] == 1
    assert got["sites:mons+tournai"] == 9
    # The published table's layout names existing scopes, and its lines add up to the total
    table = [got[scope] for _, scope in aviq.SESSION_TABLE]
    assert table == [3, 3, 1, 2, 0, 9, 18]
    assert sum(table[:-1]) == table[-1]
    # a8: 80 students at namur; a9: 15 professionals at charleroi (a10 is a stand)
    assert val(av, "aviq.students_reached") == 80
    assert val(av, "aviq.professionals_reached") == 15


# --- AViQ: social actions -------------------------------------------------------------------------


def test_aviq_demands(av):
    # Wallonia 2019 rows s1-s13: administrative s1; financial s2; violence s3, s5; housing s4;
    # addiction s6, s12; prevention_material s7, s8; medical_consultation s9; trafficking s10, s11;
    # rights_information s13.
    expected = {
        "administrative": 1,
        "financial": 1,
        "rights_information": 1,
        "housing": 1,
        "training_employment": 0,
        "violence": 2,
        "addiction": 2,
        "prevention_material": 2,
        "medical_consultation": 1,
        "trafficking": 2,
        "health_questionnaire": 0,
        "contraception_information": 0,
        "other": 0,
    }
    for code, n in expected.items():
        assert val(av, f"aviq.demands.{code}") == n, code
    # Social actions = 13 rows - 2 prevention material - 1 medical consultation = 10
    assert val(av, "aviq.social_actions") == 10
    assert_prop(av, "aviq.violence_share", 2, 10)
    assert val(av, "aviq.addiction_interventions") == 2
    assert val(av, "aviq.prevention_material") == 2
    # Trafficking: one person (F) with two actions
    assert val(av, "aviq.trafficking_accompaniments") == 1


def test_aviq_first_contact_places(av):
    # Flagged rows: s1 A field (01-05), s3 A office (03-01: later, ignored), s4 B phone, s6 C field,
    # s8 D other_media, s10 F field, s12 E no place (left out). Known: 5 persons ->
    # field 3 (A, C, F), office 0, phone 1 (B), other_media 1 (D).
    assert_prop(av, "aviq.first_contact_place.field", 3, 5)
    assert_prop(av, "aviq.first_contact_place.office", 0, 5)
    assert_prop(av, "aviq.first_contact_place.phone", 1, 5)
    assert_prop(av, "aviq.first_contact_place.other_media", 1, 5)
    own = ~comparisons.is_comparison(av)
    shares = av[av.indicator.str.startswith("aviq.first_contact_place.") & (av.year == 2019) & own]["value"]
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    # 2018: s14 B field -> 1 / 1
    assert_prop(av, "aviq.first_contact_place.field", 1, 1, year=2018)


# --- Cocof ---------------------------------------------------------------------------------------


def test_cocof_contacts_and_persons(co):
    # Brussels 2019: c14-c19 = 6 contacts; persons X, Y, A (c17 has no pseudonym), Z = 4;
    # internet: Y (quartier_rouge), Z (facebook) = 2.
    assert val(co, "cocof.contacts") == 6
    assert val(co, "cocof.persons_met") == 4
    assert val(co, "cocof.internet_persons") == 2


def test_cocof_social_actions(co):
    # s15-s23: contraception information s15, s16 = 2; health questionnaire s17 = 1; violence s18 = 1;
    # trafficking persons Y (s19, s20) and Z (s21) = 2; addiction s22, s23 = 2.
    assert val(co, "cocof.contraception_information") == 2
    assert val(co, "cocof.health_questionnaires") == 1
    assert val(co, "cocof.violence_prevention_interventions") == 1
    assert val(co, "cocof.trafficking_accompaniments") == 2
    assert val(co, "cocof.addiction_reorientations") == 2


def test_cocof_activities(co):
    # Language courses a12 + a13 = 20 + 3 = 23 sessions; literacy a14 = 5; attendances 6 + 5 + 4 = 15;
    # stands a15 + a16: 3 + 1 = 4 days, 3500 + 1000 = 4500 condoms; students a17 800; professionals a18 12.
    assert val(co, "cocof.language_courses") == 23
    assert val(co, "cocof.literacy_courses") == 5
    assert val(co, "cocof.course_attendances") == 15
    assert val(co, "cocof.stand_days") == 4
    assert val(co, "cocof.stand_condoms") == 4500
    assert val(co, "cocof.students_reached") == 800
    assert val(co, "cocof.professionals_reached") == 12


# --- table-wide properties --------------------------------------------------------------------


@pytest.mark.parametrize("module", [aviq, cocof])
def test_figures_table_shape(ds, module):
    every = module.compute_figures(ds, 2019)
    assert list(every.columns) == FIGURE_COLUMNS
    assert not every.duplicated(["indicator", "year", "scope"]).any()
    compared = every[comparisons.is_comparison(every)]
    # comparison rows (after the section rows): of the report year, on the proportions of COMPARED only
    assert (compared["year"] == 2019).all()
    assert set(compared.index) == set(every.index[len(every) - len(compared) :])
    assert set(compared["base_indicator"]) <= {module.PREFIX + c for c in module.COMPARED}
    if (
        module is aviq
    ):  # the fixture has Wallonia consultations in 2018 and 2019, none in Brussels before 2019
        assert {"aviq.inami.migrant_share.verdict", "aviq.violence_share.verdict"} <= set(
            compared["indicator"]
        )
    figs = every.drop(compared.index)
    assert set(figs["indicator"]) <= set(module.INDICATORS)
    assert (figs["label"] == figs["indicator"].map(lambda i: module.INDICATORS[i][0])).all()
    assert (figs["unit"] == figs["indicator"].map(lambda i: module.INDICATORS[i][1])).all()
    assert list(figs["year"]) == sorted(figs["year"])
    assert set(figs["year"]) == {2017, 2018, 2019}


@pytest.mark.parametrize("module", [aviq, cocof])
def test_input_not_mutated(module):
    ds = make_dataset()
    before = {
        name: getattr(ds, name).copy(deep=True)
        for name in (
            "persons",
            "consultations",
            "lab_results",
            "medical_acts",
            "contacts",
            "social_actions",
            "activities",
        )
    }
    module.compute_figures(ds, 2019)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(ds, name), frame)


def test_n_previous_and_years(ds):
    only = aviq.compute_figures(ds, 2019, n_previous=0)
    assert set(only["year"]) == {2019}
    # 2020 has only a contact (c13): outreach figures, no medical figure
    y2020 = aviq.compute_figures(ds, 2020, n_previous=0)
    assert val(y2020, "aviq.contacts", 2020, "site:namur") == 1
    assert not y2020["indicator"].str.startswith("aviq.inami.").any()
    with pytest.raises(EspacepError, match=r"no consultation, contact, social action or activity dated 2016"):
        aviq.compute_figures(ds, 2016)
    with pytest.raises(EspacepError, match="n_previous must be a whole number"):
        cocof.compute_figures(ds, 2019, n_previous=-1)
    with pytest.raises(EspacepError, match="unknown confidence-interval method 'clopper'"):
        aviq.compute_figures(ds, 2019, method="clopper")


def test_ci_method_passed_through(ds):
    figs = aviq.compute_figures(ds, 2019, method="exact", level=0.9)
    r = row(figs, "aviq.violence_share")
    assert r["method"] == "exact"
    lower, upper = stats.proportion_ci(2, 10, method="exact", level=0.9)
    assert (r["lower"], r["upper"]) == pytest.approx((lower, upper), abs=1e-12)


def test_without_outreach_tables_only_medical():
    ds = make_dataset(outreach=False)
    figs = aviq.compute_figures(ds, 2019)
    assert set(figs["base_indicator"].where(comparisons.is_comparison(figs), figs["indicator"])) == {
        "aviq.inami.persons_seen",
        "aviq.inami.consultations",
        "aviq.inami.consultations_per_person",
        "aviq.inami.migrant_share",
        "aviq.medical_acts",
    }
    assert cocof.compute_figures(ds, 2019)["indicator"].str.startswith("cocof.inami.").all()


@pytest.mark.parametrize("module, scope", [(aviq, "region:wallonie"), (cocof, "region:bruxelles")])
def test_region_migrant_share_is_the_inami_figure(ds, module, scope):
    # the same persons and the same rule as the INAMI report's region row, year by year
    ours = module.compute_figures(ds, 2019)
    ours = ours[ours["indicator"] == module.PREFIX + "inami.migrant_share"].set_index("year")
    ref = inami.compute_figures(ds, 2019)
    ref = ref[(ref["indicator"] == "inami.migrant_share") & (ref["scope"] == scope)].set_index("year")
    assert len(ours) == len(ref) >= 1 and (ours["scope"] == scope).all()
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        assert ours[col].tolist() == ref.loc[ours.index, col].tolist()


def test_first_site_per_person_matches_sort_rule(ds):
    # Independent check of the lexsort against common.first_per_person (sort by date, site).
    rows = ds.contacts.loc[ds.contacts["pseudonym"].notna()]
    fast = outreach.first_site_per_person(rows).sort_index()
    slow = common.first_per_person(rows)["site"].astype(object).sort_index()
    assert list(fast.index) == list(slow.index) and list(fast) == list(slow)
