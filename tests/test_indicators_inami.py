"""INAMI indicators on a small hand-made data set; every expected value is computed by hand.

The fixture (10 persons, 2016-2019, sites bruxelles / liege / seraing / namur /
saint_trond) is described row by row below; the comments beside each assert
give the hand computation. P02 is seen in two antennas (and two regions) in
2019, on the same day at two sites (tie rules).
"""

from __future__ import annotations

import figassert
import numpy as np
import pandas as pd
import pytest

from espacep_analysis import stats
from espacep_analysis.dataset import Dataset
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import common, comparisons, inami
from espacep_analysis.indicators.common import AGE_BANDS, FIGURE_COLUMNS
from espacep_analysis.sites import load_sites

NA = pd.NA

# pseudonym, birth_year, gender, nationality, inclusion_date
PERSONS = [
    ("P01", 1990, "woman", "BE", "2016-03-01"),
    ("P02", 1985, "woman", "RO", "2018-05-10"),
    ("P03", 2000, "woman", "NG", "2019-02-01"),
    ("P04", 1970, "trans", "BR", "2019-06-15"),
    ("P05", 1995, "man", NA, "2017-01-20"),
    ("P06", 1988, "woman", "BG", "2019-03-03"),
    ("P07", 1999, "woman", "MA", "2018-11-11"),
    ("P08", 1960, "woman", "TH", "2019-09-09"),
    ("P09", 1980, "woman", "BE", "2019-01-01"),  # included on 1 January: new in 2019
    ("P10", 1993, "woman", "AL", "2018-12-31"),  # included on 31 December 2018: known in 2019
]
# pseudonym, date, site, workplace, gp, gynaecologist, coverage_asked, coverage_status
CONSULTATIONS = [
    ("P01", "2016-05-05", "bruxelles", "bar", "unaware", "aware", False, NA),
    ("P01", "2018-06-01", "bruxelles", "bar", "unaware", "aware", False, NA),
    ("P02", "2018-06-02", "liege", "private", "none", "none", True, "not_in_order"),
    ("P05", "2018-03-03", "saint_trond", "window", "aware", "none", True, "in_order"),
    ("P05", "2018-09-03", "saint_trond", "window", "unknown", "unknown", False, NA),
    ("P07", "2018-12-01", "seraing", "street", "unknown", "unknown", False, NA),
    ("P10", "2018-12-31", "bruxelles", "street", "none", "none", True, "unknown"),
    # 2019
    ("P01", "2019-01-10", "bruxelles", "bar", "unaware", "aware", True, "in_order"),
    ("P01", "2019-05-10", "bruxelles", "street", "unknown", "unknown", False, NA),
    ("P02", "2019-02-01", "liege", "window", "none", "none", True, "not_in_order"),
    ("P02", "2019-02-01", "bruxelles", "bar", "aware", "unknown", True, "in_order"),
    ("P02", "2019-07-01", "liege", "window", "unknown", "unknown", False, NA),
    ("P03", "2019-03-05", "liege", "private", "none", "none", True, "unknown"),
    ("P04", "2019-06-20", "namur", "street", "unknown", "unknown", False, NA),
    ("P04", "2019-08-20", "namur", "street", "unknown", "unknown", False, NA),
    ("P05", "2019-04-04", "saint_trond", "window", "aware", "none", True, "in_order"),
    ("P06", "2019-03-10", "saint_trond", "window", "none", "unaware", False, NA),
    ("P06", "2019-10-10", "saint_trond", "private", "unaware", "unknown", True, "not_in_order"),
    ("P07", "2019-05-05", "seraing", "other", "unaware", "aware", True, "not_in_order"),
    ("P08", "2019-11-11", "bruxelles", "private", "none", "none", False, NA),
    ("P09", "2019-01-01", "liege", "bar", "aware", "aware", True, "in_order"),
    ("P10", "2019-12-31", "namur", "bar", "unknown", "none", True, "not_in_order"),
]
# pseudonym, sample_date, site, test, result, titre, result_given_date
LAB = [
    ("P02", "2018-06-02", "liege", "hiv", "positive", np.nan, "2018-07-01"),
    ("P05", "2018-03-03", "saint_trond", "syphilis", "negative", np.nan, NA),
    # 2019: 23 rows, 16 handed over
    ("P01", "2019-01-10", "bruxelles", "hiv", "negative", np.nan, "2019-02-01"),
    ("P01", "2019-01-10", "bruxelles", "syphilis", "positive", np.nan, "2019-02-01"),
    ("P01", "2019-05-10", "bruxelles", "syphilis", "positive", np.nan, NA),  # 2nd positive: same person
    ("P02", "2019-02-01", "liege", "hiv", "negative", np.nan, "2019-03-01"),
    ("P02", "2019-02-01", "liege", "syphilis", "negative", np.nan, NA),
    ("P02", "2019-02-01", "liege", "hbsag", "positive", np.nan, "2019-03-01"),
    ("P03", "2019-03-05", "liege", "hiv", "indeterminate", np.nan, NA),  # indeterminate only: not tested
    ("P03", "2019-03-05", "liege", "syphilis", "negative", np.nan, "2019-04-01"),
    ("P03", "2019-03-05", "liege", "cervical_cytology", "lsil", np.nan, "2019-04-01"),
    ("P03", "2019-03-05", "liege", "gardnerella", "positive", np.nan, "2019-04-01"),
    ("P04", "2019-06-20", "namur", "hiv", "positive", np.nan, "2019-07-01"),
    ("P04", "2019-06-20", "namur", "gardnerella", "positive", np.nan, "2019-07-01"),  # trans: not a woman
    ("P05", "2019-04-04", "saint_trond", "hbsag", "negative", np.nan, "2019-05-01"),
    ("P06", "2019-03-10", "saint_trond", "cervical_cytology", "normal", np.nan, "2019-04-01"),
    ("P06", "2019-10-10", "saint_trond", "cervical_cytology", "hsil", np.nan, NA),
    ("P06", "2019-03-10", "saint_trond", "candida", "positive", np.nan, "2019-04-01"),
    ("P07", "2019-05-05", "seraing", "cervical_cytology", "unsatisfactory", np.nan, NA),
    ("P07", "2019-05-05", "seraing", "hiv", "negative", np.nan, "2019-06-01"),
    ("P08", "2019-11-11", "bruxelles", "cervical_cytology", "normal", np.nan, "2019-12-01"),
    ("P08", "2019-11-11", "bruxelles", "chlamydia", "positive", np.nan, "2019-12-01"),
    ("P09", "2019-01-01", "liege", "anti_hbs", "negative", 3.0, "2019-02-01"),
    ("P09", "2019-01-01", "liege", "gonorrhoea", "negative", np.nan, NA),
    ("P09", "2019-01-01", "liege", "chlamydia", "negative", np.nan, NA),
]
# pseudonym, date, site, act, detail
ACTS = [
    ("P05", "2018-03-03", "saint_trond", "hygiene_advice", NA),
    ("P05", "2018-03-03", "saint_trond", "hbv_vaccine", "3"),
    ("P02", "2018-06-02", "liege", "counsel", NA),
    # 2019
    ("P01", "2019-01-10", "bruxelles", "hygiene_advice", NA),
    ("P01", "2019-01-10", "bruxelles", "treatment", "syphilis"),
    ("P01", "2019-01-10", "bruxelles", "counsel", NA),
    ("P02", "2019-02-01", "liege", "hbv_vaccine", "1"),
    ("P02", "2019-07-01", "liege", "hbv_vaccine", "2"),
    ("P03", "2019-03-05", "liege", "hygiene_advice", NA),
    ("P03", "2019-03-05", "liege", "treatment", "gardnerella"),
    ("P03", "2019-03-05", "liege", "referral", "gynaecologist"),
    ("P04", "2019-06-20", "namur", "referral", "hiv_reference_centre"),
    ("P04", "2019-06-20", "namur", "hbv_vaccine", "1"),
    ("P06", "2019-03-10", "saint_trond", "hygiene_advice", NA),
    ("P06", "2019-10-10", "saint_trond", "hygiene_advice", NA),
    ("P06", "2019-03-10", "saint_trond", "treatment", "candida"),
    ("P06", "2019-10-10", "saint_trond", "referral", "gynaecologist"),
    ("P06", "2019-10-10", "saint_trond", "contraception", NA),
    ("P07", "2019-05-05", "seraing", "contraception", NA),
    ("P07", "2019-05-05", "seraing", "counsel", NA),
    ("P08", "2019-11-11", "bruxelles", "treatment", "chlamydia"),
    ("P08", "2019-11-11", "bruxelles", "abortion_support", NA),
    ("P09", "2019-01-01", "liege", "pregnancy_followup", NA),
    ("P09", "2019-01-01", "liege", "counsel", NA),
]


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


def make_dataset() -> Dataset:
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
    return Dataset(
        persons=persons, consultations=consultations, lab_results=lab, medical_acts=acts, sites=load_sites()
    )


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return make_dataset()


@pytest.fixture(scope="module")
def figs(ds) -> pd.DataFrame:
    return inami.compute_figures(ds, 2019)


def val(figs, name, year=2019, scope="all"):
    return inami.figure(figs, name, year, scope)["value"]


def row(figs, name, year=2019, scope="all"):
    return inami.figure(figs, name, year, scope)


def assert_prop(figs, name, num, den, year=2019, scope="all", method="wilson"):
    """value = num/den and bounds = stats.proportion_ci(num, den)."""
    figassert.assert_prop(row(figs, name, year, scope), name, num, den, method)


# --- 1 contacts ----------------------------------------------------------------------------


def test_persons_and_consultations_per_scope(figs):
    # 2019 persons: P01..P10 -> 10; consultations 2+3+1+2+1+2+1+1+1+1 = 15.
    # Regions: bruxelles {P01,P02,P08}=3 (visits 2+1+1=4); wallonie {P02,P03,P04,P07,P09,P10}=6
    # (visits 2+1+2+1+1+1=8); flandre {P05,P06}=2 (visits 1+2=3).
    # Antennas: bruxelles 3/4; liege {P02,P03,P07,P09}=4 (2+1+1+1=5); namur {P04,P10}=2 (2+1=3); pasop 2/3.
    expected = {
        "all": (10, 15),
        "region:bruxelles": (3, 4),
        "region:wallonie": (6, 8),
        "region:flandre": (2, 3),
        "antenna:bruxelles": (3, 4),
        "antenna:liege": (4, 5),
        "antenna:namur": (2, 3),
        "antenna:pasop": (2, 3),
        "site:saint_trond": (2, 3),
    }
    seen = figs[(figs.indicator == "inami.persons_seen") & (figs.year == 2019)]
    assert list(seen["scope"]) == list(expected)  # "all", then hierarchy order; only scopes with data
    for scope, (persons, visits) in expected.items():
        assert val(figs, "persons_seen", scope=scope) == persons
        assert val(figs, "consultations", scope=scope) == visits
        assert row(figs, "persons_seen", scope=scope)["unit"] == "persons"
    # P02 is in two regions: per-region persons do not sum to the total (3+6+2 = 11 != 10) ...
    regions = seen[seen.scope.str.startswith("region:")]["value"].sum()
    assert regions == 11
    # ... but consultations always do (4+8+3 = 15)
    visits = figs[
        (figs.indicator == "inami.consultations") & (figs.year == 2019) & figs.scope.str.startswith("region:")
    ]
    assert visits["value"].sum() == 15


def test_consultations_per_person_and_pasop_shares(figs):
    r = row(figs, "consultations_per_person")
    assert (r["numerator"], r["denominator"], r["value"]) == (15, 10, 1.5)
    assert np.isnan(r["lower"]) and r["method"] == "" and r["unit"] == "ratio"
    assert val(figs, "consultations_per_person", scope="antenna:bruxelles") == pytest.approx(4 / 3)
    assert val(figs, "consultations_per_person", scope="antenna:liege") == pytest.approx(5 / 4)
    scopes = set(figs.loc[figs.indicator == "inami.consultations_per_person", "scope"])
    assert scopes == {"all", "antenna:bruxelles", "antenna:liege", "antenna:namur", "antenna:pasop"}
    assert_prop(figs, "pasop_persons_share", 2, 10)  # P05, P06 of 10
    assert_prop(figs, "pasop_consultations_share", 3, 15)  # 1 + 2 of 15


def test_new_and_known(figs):
    # 2019 new (inclusion in 2019): P03, P04, P06, P08, P09 (1 Jan) = 5; known: P01, P02, P05, P07, P10 (31 Dec 2018)
    assert val(figs, "new_persons") == 5
    assert val(figs, "known_persons") == 5
    assert_prop(figs, "new_share", 5, 10)
    # 2018 seen P01 (2016), P02 (2018), P05 (2017), P07 (2018), P10 (2018) -> new 3 of 5
    assert val(figs, "new_persons", 2018) == 3 and val(figs, "known_persons", 2018) == 2
    assert_prop(figs, "new_share", 3, 5, year=2018)


def test_workplace_of_first_consultation(figs):
    # First consultation of 2019: P01 bar (not street, later), P02 bar (2019-02-01 at bruxelles and liege:
    # tie broken by site code, bruxelles < liege; liege would say window), P03 private, P04 street,
    # P05 window, P06 window (not private, later), P07 other, P08 private, P09 bar, P10 bar.
    expected = {"bar": 4, "private": 2, "street": 1, "window": 2, "other": 1}
    for code, n in expected.items():
        assert_prop(figs, f"workplace.{code}", n, 10)
    # 2018: P01 bar, P02 private, P05 window, P07 street, P10 street
    assert val(figs, "workplace.street", 2018) == pytest.approx(2 / 5)


# --- 2 socio-economic -----------------------------------------------------------------------


def test_age(figs, ds):
    # 2019 ages: P01 29, P02 34, P03 19, P04 49, P05 24, P06 31, P07 20, P08 59, P09 39, P10 26; sum 330
    assert val(figs, "age_mean") == pytest.approx(33.0)
    assert (val(figs, "age_min"), val(figs, "age_max")) == (19, 59)
    assert row(figs, "age_mean")["unit"] == "years"
    # bands: lt20 P03; 20_24 P05, P07; 25_29 P01, P10; 30_34 P02, P06; 35_39 P09; 40_49 P04; 50plus P08
    bands = {"lt20": 1, "20_24": 2, "25_29": 2, "30_34": 2, "35_39": 1, "40_49": 1, "50plus": 1}
    assert list(bands) == list(AGE_BANDS)
    for band, n in bands.items():
        assert_prop(figs, f"age_band.{band}", n, 10)
    # 2018: P01 28, P02 33, P05 23, P07 19, P10 25 -> mean 128/5
    assert val(figs, "age_mean", 2018) == pytest.approx(25.6)
    assert (val(figs, "age_min", 2018), val(figs, "age_max", 2018)) == (19, 33)


def test_age_distribution_is_anonymous(ds):
    ages = inami.age_distribution(ds, 2019)
    assert list(ages) == [19, 20, 24, 26, 29, 31, 34, 39, 49, 59]
    assert isinstance(ages.index, pd.RangeIndex)
    assert not ages.astype(str).str.startswith("P").any()


def test_gender(figs):
    # women P01 P02 P03 P06 P07 P08 P09 P10 = 8; man P05; trans P04
    assert_prop(figs, "gender.woman", 8, 10)
    assert_prop(figs, "gender.man", 1, 10)
    assert_prop(figs, "gender.trans", 1, 10)


def test_nationality_shares_per_scope(figs):
    # all: BE P01, P09 -> 2; unknown P05 -> 1; migrants 7
    assert_prop(figs, "belgian_share", 2, 10)
    assert_prop(figs, "migrant_share", 7, 10)
    assert val(figs, "nationality_unknown") == 1
    # region:bruxelles {P01 BE, P02 RO, P08 TH}; region:wallonie {P02 RO, P03 NG, P04 BR, P07 MA, P09 BE, P10 AL}
    # region:flandre {P05 -, P06 BG}; antenna:liege {P02, P03, P07, P09}; antenna:namur {P04 BR, P10 AL}
    assert_prop(figs, "belgian_share", 1, 3, scope="region:bruxelles")
    assert_prop(figs, "migrant_share", 2, 3, scope="region:bruxelles")
    assert_prop(figs, "migrant_share", 5, 6, scope="region:wallonie")
    assert_prop(figs, "belgian_share", 0, 2, scope="region:flandre")
    assert_prop(figs, "migrant_share", 1, 2, scope="region:flandre")
    assert val(figs, "nationality_unknown", scope="region:flandre") == 1
    assert_prop(figs, "belgian_share", 1, 4, scope="antenna:liege")
    assert_prop(figs, "migrant_share", 2, 2, scope="antenna:namur")


def test_origin_groups(figs):
    # all: belgium P01 P09; eastern_europe P02 RO, P06 BG, P10 AL (Western Balkans override);
    # sub-Saharan P03 NG; north Africa P07 MA; Latin America P04 BR; Asia P08 TH; unknown P05
    expected = {
        "belgium": 2,
        "western_europe": 0,
        "eastern_europe": 3,
        "sub_saharan_africa": 1,
        "north_africa": 1,
        "latin_america": 1,
        "asia": 1,
        "other": 0,
        "unknown": 1,
    }
    for group, n in expected.items():
        assert_prop(figs, f"origin.{group}", n, 10)
    # antenna:bruxelles {P01 BE, P02 RO, P08 TH}; antenna:pasop {P05 unknown, P06 BG}
    assert_prop(figs, "origin.eastern_europe", 1, 3, scope="antenna:bruxelles")
    assert_prop(figs, "origin.asia", 1, 3, scope="antenna:bruxelles")
    assert_prop(figs, "origin.unknown", 1, 2, scope="antenna:pasop")
    scopes = set(figs.loc[figs.indicator.str.startswith("inami.origin."), "scope"])
    assert scopes == {"all", "antenna:bruxelles", "antenna:liege", "antenna:namur", "antenna:pasop"}


# --- 3 coverage -----------------------------------------------------------------------------


def test_gp_and_gynaecologist_last_known_status(figs):
    # GP, last known of 2019: P01 unaware (the later 'unknown' is ignored); P02 none (2019-02-01 at bruxelles
    # 'aware' and liege 'none': the last by (date, site) is liege); P03 none; P04 no data; P05 aware;
    # P06 unaware (latest); P07 unaware; P08 none; P09 aware; P10 no data (unknown only).
    assert val(figs, "gp_no_data") == 2
    assert_prop(figs, "gp_none_or_unaware_share", 6, 8)  # P01 P02 P03 P06 P07 P08 of 8 known
    # Gynaecologist: P01 aware, P02 none, P03 none, P04 no data, P05 none, P06 unaware (later unknown ignored),
    # P07 aware, P08 none, P09 aware, P10 none.
    assert val(figs, "gyn_no_data") == 1
    assert_prop(figs, "gyn_none_or_unaware_share", 6, 9)  # P02 P03 P05 P06 P08 P10 of 9
    # 2018 GP: P01 unaware, P02 none, P05 aware, P07 no data, P10 none
    assert val(figs, "gp_no_data", 2018) == 1
    assert_prop(figs, "gp_none_or_unaware_share", 3, 4, year=2018)


def test_social_coverage(figs):
    # asked in 2019: all but P04 and P08 -> 8 of 10
    assert_prop(figs, "coverage_asked_share", 8, 10)
    # last known status: P01 in_order, P02 not_in_order (tie on 2019-02-01: liege after bruxelles),
    # P03 unknown only -> none, P05 in_order, P06 not_in_order, P07 not_in_order, P09 in_order, P10 not_in_order
    assert val(figs, "coverage_known") == 7
    assert_prop(figs, "coverage_not_in_order_share", 4, 7)
    # 2018: asked P02, P05, P10 -> 3/5; known P02 not_in_order, P05 in_order (P10 unknown) -> 1/2
    assert_prop(figs, "coverage_asked_share", 3, 5, year=2018)
    assert val(figs, "coverage_known", 2018) == 2
    assert_prop(figs, "coverage_not_in_order_share", 1, 2, year=2018)


# --- 4 epidemiology -------------------------------------------------------------------------


def test_results_given(figs):
    # 2019: 23 lab rows, 16 with a result_given_date (2+2+3+2+1+2+1+2+1)
    assert_prop(figs, "results_given_share", 16, 23)


def test_prevalence_counts_persons_not_tests(figs):
    assert_prop(figs, "prevalence.hbsag", 1, 2)  # P02 +, P05 -
    assert_prop(figs, "prevalence.hiv", 1, 4)  # P01 -, P02 -, P04 +, P07 -; P03 indeterminate only
    assert_prop(figs, "prevalence.syphilis", 1, 3)  # P01 + twice (once as a person), P02 -, P03 -
    assert_prop(figs, "prevalence.gonorrhoea", 0, 1)  # P09 -
    assert_prop(figs, "prevalence.chlamydia", 1, 2)  # P08 +, P09 -
    r = row(figs, "prevalence.anti_hcv")  # nobody tested: 0/0 -> NaN value and bounds
    assert (r["numerator"], r["denominator"]) == (0, 0)
    assert np.isnan(r["value"]) and np.isnan(r["lower"]) and np.isnan(r["upper"])
    assert "personnes" in r["label"]
    assert_prop(figs, "prevalence.hiv", 1, 1, year=2018)  # P02 +


def test_women_gardnerella_candida_and_hygiene(figs):
    # women with a cytology / gardnerella / candida row in 2019: P03, P06, P07 (unsatisfactory smear), P08;
    # P04 (trans, gardnerella +) excluded. Gardnerella +: P03; candida +: P06.
    assert_prop(figs, "women_gardnerella_share", 1, 4)
    assert_prop(figs, "women_candida_share", 1, 4)
    # hygiene advice 2019: P01, P03, P06 (twice) -> 3 persons of 10; 2018: P05 -> 1 of 5
    assert_prop(figs, "hygiene_advice_share", 3, 10)
    assert_prop(figs, "hygiene_advice_share", 1, 5, year=2018)


def test_cervical_screening_worst_class(figs):
    # interpretable smears 2019: P03 lsil, P06 normal then hsil -> hsil, P08 normal; P07 unsatisfactory excluded
    assert_prop(figs, "cervical_lesion_share", 2, 3)
    expected = {"normal": 1, "ascus": 0, "lsil": 1, "hsil": 1}
    for cls, n in expected.items():
        assert val(figs, f"cytology.{cls}") == n
        assert row(figs, f"cytology.{cls}")["unit"] == "persons"


# --- 5, 6 -----------------------------------------------------------------------------------


def test_vaccination(figs):
    # 2019 hbv_vaccine: P02 doses 1 and 2, P04 dose 1 -> 2 persons, 3 doses; 2018: P05 dose 3
    assert val(figs, "vaccinated_persons") == 2
    assert val(figs, "vaccine_doses") == 3
    assert row(figs, "vaccine_doses")["unit"] == "doses"
    assert (val(figs, "vaccinated_persons", 2018), val(figs, "vaccine_doses", 2018)) == (1, 1)


def test_follow_up(figs):
    expected = {
        "contraception_prescriptions": 2,  # P06, P07
        "treatments": 4,  # syphilis P01, gardnerella P03, candida P06, chlamydia P08
        "treatments.syphilis": 1,
        "treatments.gardnerella": 1,
        "treatments.candida": 1,
        "treatments.chlamydia": 1,
        "treatments.gonorrhoea": 0,
        "treatments.trichomonas": 0,
        "treatments.other": 0,
        "referrals": 3,  # gynaecologist P03, P06; HIV reference centre P04
        "referrals.gynaecologist": 2,
        "referrals.hiv_reference_centre": 1,
        "referrals.hepatologist": 0,
        "counsels": 3,  # P01, P07, P09
        "abortion_supports": 1,  # P08
        "pregnancy_followups": 1,  # P09
    }
    for name, n in expected.items():
        assert val(figs, name) == n, name
        assert row(figs, name)["unit"] == "acts"
    assert val(figs, "counsels", 2018) == 1


# --- years, look-ups, errors ----------------------------------------------------------------


def test_previous_years(ds, figs):
    # consultations exist in 2016, 2018 and 2019: the window 2017-2019 keeps 2018 and 2019
    assert sorted(figs["year"].unique()) == [2018, 2019]
    assert sorted(inami.compute_figures(ds, 2019, n_previous=3)["year"].unique()) == [2016, 2018, 2019]
    assert list(inami.compute_figures(ds, 2019, n_previous=0)["year"].unique()) == [2019]
    assert sorted(inami.compute_figures(ds, 2018)["year"].unique()) == [2016, 2018]
    # one year's rows do not depend on which years are computed with it
    alone = inami.compute_figures(ds, 2018, n_previous=0)
    pd.testing.assert_frame_equal(alone, figs[figs.year == 2018].reset_index(drop=True))


def test_unknown_year_method_and_figure_raise(ds, figs):
    with pytest.raises(EspacepError, match="2017"):
        inami.compute_figures(ds, 2017)
    with pytest.raises(EspacepError, match="method"):
        inami.compute_figures(ds, 2019, method="wald")
    with pytest.raises(EspacepError, match="n_previous"):
        inami.compute_figures(ds, 2019, n_previous=-1)
    with pytest.raises(EspacepError, match="persons_seen"):
        inami.figure(figs, "persons_seen", 2017)
    with pytest.raises(EspacepError, match="antenna:tournai"):
        inami.figure(figs, "persons_seen", 2019, "antenna:tournai")  # no data at Tournai: no row


def test_method_and_level_are_passed_on(ds):
    figs = inami.compute_figures(ds, 2019, method="exact", level=0.9, n_previous=0)
    r = inami.figure(figs, "prevalence.hiv", 2019)
    assert (r["lower"], r["upper"]) == pytest.approx(stats.proportion_ci(1, 4, method="exact", level=0.9))
    assert r["method"] == "exact"


def test_missing_person_raises(ds):
    broken = make_dataset()
    persons = broken.persons[broken.persons.pseudonym != "P08"]
    broken = Dataset(persons, broken.consultations, broken.lab_results, broken.medical_acts, broken.sites)
    with pytest.raises(EspacepError, match="P08"):
        inami.compute_figures(broken, 2019)


# --- invariants -----------------------------------------------------------------------------


def test_figures_table_shape_and_types(figs):
    assert list(figs.columns) == FIGURE_COLUMNS
    assert figs["year"].dtype == "int64"
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        assert figs[col].dtype == "float64"
    assert not figs.duplicated(["indicator", "year", "scope"]).any()
    assert figs["indicator"].str.startswith("inami.").all()
    # comparison rows (<id>.diff.<Y0>, ...) extend a registered id
    assert set(figs["base_indicator"].where(comparisons.is_comparison(figs), figs["indicator"])) <= set(
        inami.INDICATORS
    )
    assert (figs["label"].str.len() > 0).all()
    assert set(figs["unit"]) <= {
        "persons",
        "consultations",
        "results",
        "acts",
        "doses",
        "proportion",
        "ratio",
        "years",
        "days",
        *comparisons.COMPARISON_UNITS,
    }
    # every documented id family is present for 2019
    ids = set(figs.loc[figs.year == 2019, "indicator"])
    assert {
        inami.PREFIX + k
        for k in (
            "persons_seen",
            "new_share",
            "gp_no_data",
            "coverage_known",
            "results_given_share",
            "cervical_lesion_share",
            "vaccine_doses",
            "pregnancy_followups",
        )
    } <= ids


def test_bounds_bracket_values(figs):
    props = figs[figs.unit == "proportion"].dropna(subset=["value"])
    assert len(props) > 50
    assert ((props.lower <= props.value + 1e-12) & (props.value <= props.upper + 1e-12)).all()
    assert ((props.value >= 0) & (props.value <= 1)).all()
    assert (props.method == "wilson").all()
    others = figs[~figs.unit.isin(["proportion", *comparisons.COMPARISON_UNITS])]
    assert others.lower.isna().all() and others.upper.isna().all() and (others.method == "").all()


@pytest.mark.parametrize("prefix", ["workplace.", "age_band.", "gender.", "origin."])
def test_categorical_shares_sum_to_one(figs, prefix):
    part = figs[
        figs.indicator.str.startswith("inami." + prefix) & (figs.unit == "proportion")
    ]  # not comparisons
    sums = part.groupby(["year", "scope"])["value"].sum()
    assert len(sums) >= 2
    assert np.allclose(sums, 1.0)


def test_nationality_parts_add_up(figs):
    f = figs.set_index(["indicator", "year", "scope"]).sort_index()
    belgian = f.loc["inami.belgian_share", "numerator"]
    migrant = f.loc["inami.migrant_share", "numerator"]
    unknown = f.loc["inami.nationality_unknown", "value"]
    total = f.loc["inami.belgian_share", "denominator"]
    assert np.allclose(belgian + migrant + unknown, total)


def test_per_region_counts_sum_to_total_without_overlap(figs):
    # in 2018 nobody is seen in two regions: bruxelles {P01, P10}, wallonie {P02, P07}, flandre {P05}
    seen = figs[(figs.indicator == "inami.persons_seen") & (figs.year == 2018)].set_index("scope")["value"]
    assert seen[[s for s in seen.index if s.startswith("region:")]].sum() == seen["all"] == 5
    assert seen[[s for s in seen.index if s.startswith("antenna:")]].sum() == 5


def test_cytology_classes_sum_to_denominator(figs):
    for year in (2018, 2019):
        classes = figs[(figs.year == year) & figs.indicator.str.startswith("inami.cytology.")]["value"].sum()
        assert classes == row(figs, "cervical_lesion_share", year)["denominator"]


def test_inputs_unchanged(ds):
    fresh = make_dataset()
    inami.compute_figures(ds, 2019)
    inami.age_distribution(ds, 2019)
    for name in ("persons", "consultations", "lab_results", "medical_acts"):
        pd.testing.assert_frame_equal(getattr(ds, name), getattr(fresh, name))
    pd.testing.assert_frame_equal(ds.sites.frame, fresh.sites.frame)


# --- common building blocks ------------------------------------------------------------------


def test_common_scope_blocks_with_another_site_list(ds):
    # AViQ covers Wallonia only: 2019 consultations at liege, seraing, namur
    aviq = ds.sites.funder_sites("aviq")
    cons = common.in_year(ds.consultations, 2019, "date", aviq)
    assert (
        common.n_rows(cons) == 8 and common.n_persons(cons) == 6
    )  # P02 (2) P03 P04 (2) P07 P09 P10; liege 2+1+1
    persons = common.persons_by_scope(cons, ds.sites, ("all", "antenna"))
    assert persons.to_dict() == {"all": 6, "antenna:liege": 4, "antenna:namur": 2}
    rows = common.rows_by_scope(cons, ds.sites, ("all", "site"))
    assert rows.to_dict() == {"all": 8, "site:liege": 4, "site:seraing": 1, "site:namur": 3}


def test_common_figure_builders():
    one = common.count_figure("x.n", "N", 2019, 7, "persons")
    assert (
        list(one.columns) == FIGURE_COLUMNS and one.loc[0, "value"] == 7 and np.isnan(one.loc[0, "numerator"])
    )
    num = pd.Series([1, 0, 5], index=["a", "b", "c"])
    den = pd.Series([4, 0, 5], index=["a", "b", "c"])
    props = common.proportion_figures(num, den, indicator=["x.a", "x.b", "x.c"], label="L", year=2019)
    lower, upper = stats.proportion_ci(num.to_numpy(), den.to_numpy())
    assert np.allclose(props["lower"], lower, equal_nan=True) and np.allclose(
        props["upper"], upper, equal_nan=True
    )
    assert props["value"].tolist()[0] == 0.25 and np.isnan(props["value"][1]) and props["value"][2] == 1.0
    with pytest.raises(ValueError):
        common.proportion_figures(num, den.reset_index(drop=True), indicator="x", label="L", year=2019)
    ratio = common.ratio_figure(10, 4, indicator="x.r", label="R", year=2019)
    assert ratio.loc[0, "value"] == 2.5 and ratio.loc[0, "unit"] == "ratio"
    assert common.empty_figures().columns.tolist() == FIGURE_COLUMNS


def test_first_and_last_ties():
    table = pd.DataFrame(
        {
            "pseudonym": pd.array(["A", "A", "A", "B"], dtype="string"),
            "date": pd.to_datetime(["2019-05-01", "2019-05-01", "2019-01-01", "2019-02-02"]),
            "site": pd.array(["namur", "arlon", "mons", "mons"], dtype="string"),
            "gp": pd.array(["aware", "none", "unaware", "unknown"], dtype="string"),
        }
    )
    before = table.copy()
    first = common.first_per_person(table)
    assert first.loc["A", "site"] == "mons"  # earliest date
    last = common.last_known_per_person(table, "gp")
    assert last.to_dict() == {"A": "aware"}  # 05-01 tie: namur after arlon; B unknown only
    first_same_day = common.first_per_person(table[table.date == "2019-05-01"])
    assert first_same_day.loc["A", "site"] == "arlon"  # tie: smallest site code
    pd.testing.assert_frame_equal(table, before)


def test_prepared_path_equals_raw_path(ds, figs):
    # compute_figures works on `common.prepare`d data (integer pseudonyms, categorical codes);
    # every section called on the raw data set must give the same rows.
    raw = common.concat_figures(section(ds, 2019) for section in inami.SECTIONS)
    sections = figs[(figs.year == 2019) & ~comparisons.is_comparison(figs)]
    pd.testing.assert_frame_equal(raw, sections.reset_index(drop=True))


def test_prepare_keeps_sites_and_years(ds):
    compact = common.prepare(ds, ds.sites.funder_sites("cocof"), [2019])
    # Cocof = Brussels: 2019 consultations at bruxelles: P01 x2, P02, P08 -> 4
    assert len(compact.consultations) == 4
    assert compact.consultations["date"].dt.year.eq(2019).all()
    assert set(compact.consultations["site"].astype(str)) == {"bruxelles"}
    assert len(compact.persons) == len(ds.persons)  # persons are not filtered
    with pytest.raises(EspacepError, match="P99"):
        extra = pd.DataFrame(
            {
                "pseudonym": pd.array(["P99"], dtype="string"),
                "date": pd.to_datetime(["2019-01-01"]),
                "site": pd.array(["namur"], dtype="string"),
                "act": pd.array(["counsel"], dtype="string"),
                "detail": pd.array([NA], dtype="string"),
            }
        )
        acts = pd.concat([ds.medical_acts, extra], ignore_index=True)
        common.prepare(
            Dataset(ds.persons, ds.consultations, ds.lab_results, acts, ds.sites), ["namur"], [2019]
        )


# --- issue 4: comparisons, positivity, vaccination schedule, age pyramid ------------------------


def test_comparison_rows_of_compared_proportions(figs):
    # fixture years 2018 and 2019: one difference and one Fisher p per compared id, no trend (2 years)
    comp = figs[comparisons.is_comparison(figs)]
    assert (comp.year == 2019).all()
    assert not comp.indicator.str.endswith(("trend_p", "trend_z")).any()
    # prevalence of HIV: 2019 1/4 (P04 of P01, P02, P04, P07), 2018 1/1 (P02)
    ref = stats.compare_proportions(1, 4, 1, 1)
    diff = row(figs, "prevalence.hiv.diff.2018")
    assert (diff["value"], diff["lower"], diff["upper"]) == (ref.difference, ref.lower, ref.upper)
    assert diff["value"] == pytest.approx(-0.75) and diff["unit"] == "difference"
    assert val(figs, "prevalence.hiv.fisher_p.2018") == ref.p_value
    # the other compared shares: exactly stats on the numerator / denominator of the table's rows
    for name in ("new_share", "belgian_share", "results_given_share", "coverage_asked_share"):
        now, before = row(figs, name, 2019), row(figs, name, 2018)
        expected = stats.compare_proportions(
            now["numerator"], now["denominator"], before["numerator"], before["denominator"]
        )
        assert val(figs, f"{name}.diff.2018") == expected.difference
        assert val(figs, f"{name}.fisher_p.2018") == expected.p_value
    # no smear in 2018 (denominator 0): the lesion share is not compared
    assert row(figs, "cervical_lesion_share", 2018)["denominator"] == 0
    assert not figs.indicator.eq("inami.cervical_lesion_share.diff.2018").any()
    # per region too (belgian_share is compared in every scope present both years)
    assert inami.figure(figs, "belgian_share.diff.2018", 2019, "region:bruxelles")["unit"] == "difference"
    # prevalences without anyone tested in 2018 (denominator 0) are not compared
    assert not figs.indicator.eq("inami.prevalence.hbsag.diff.2018").any()
    # every comparison row compares an id of inami.COMPARED
    assert set(comp["base_indicator"]) <= set(inami._ids(inami.COMPARED))


def test_trend_rows_need_three_years(ds):
    # n_previous=3 keeps 2016, 2018, 2019: new_share exists in all three -> trend; prevalences do not
    figs3 = inami.compute_figures(ds, 2019, n_previous=3)
    years = [2016, 2018, 2019]
    x = [inami.figure(figs3, "new_share", y)["numerator"] for y in years]
    n = [inami.figure(figs3, "new_share", y)["denominator"] for y in years]
    assert val(figs3, "new_share.trend_z") == stats.trend_test(x, n, years).z
    assert not figs3.indicator.eq("inami.prevalence.hiv.trend_p").any()
    assert not comparisons.is_comparison(inami.compute_figures(ds, 2019, n_previous=0)).any()


def test_comparisons_flag(ds, figs):
    no_comp = inami.compute_figures(ds, 2019, comparisons=False)
    pd.testing.assert_frame_equal(no_comp, figs[~comparisons.is_comparison(figs)].reset_index(drop=True))


def test_positivity_per_test_differs_from_prevalence_per_person(figs):
    # syphilis 2019 rows: P01 positive (01-10), P01 positive (05-10), P02 negative, P03 negative
    # per test 2/4 = 0.5; per person P01 positive of {P01, P02, P03}: 1/3
    assert_prop(figs, "positivity.syphilis", 2, 4)
    assert_prop(figs, "prevalence.syphilis", 1, 3)
    # HIV: P03's indeterminate result is left out of both: 1/4 either way
    assert_prop(figs, "positivity.hiv", 1, 4)
    assert_prop(figs, "prevalence.hiv", 1, 4)
    assert "par test" in row(figs, "positivity.syphilis")["label"]


def test_positivity_at_least_as_many_tests_as_persons(figs):
    for test in inami.PREVALENCE_TESTS:
        for year in (2018, 2019):
            per_test, per_person = (
                row(figs, f"positivity.{test}", year),
                row(figs, f"prevalence.{test}", year),
            )
            assert per_test["denominator"] >= per_person["denominator"]
            assert per_test["numerator"] >= per_person["numerator"]


def vaccine_dataset() -> Dataset:
    """The fixture plus doses straddling the end of 2018 (all dates by hand)."""
    base = make_dataset()
    extra = _frame(
        [
            ("P07", "2018-11-20", "seraing", "hbv_vaccine", "1"),
            ("P07", "2018-12-20", "seraing", "hbv_vaccine", "2"),
            ("P07", "2019-03-15", "seraing", "hbv_vaccine", "3"),  # 115 days after dose 1, within 6 months
            ("P10", "2018-12-31", "bruxelles", "hbv_vaccine", "1"),
            ("P10", "2019-02-01", "bruxelles", "hbv_vaccine", "2"),
            ("P10", "2019-07-01", "bruxelles", "hbv_vaccine", "3"),  # 182 days; 6 months end 2019-06-30
            ("P01", "2018-06-01", "bruxelles", "hbv_vaccine", "1"),
            ("P01", "2018-07-01", "bruxelles", "hbv_vaccine", "2"),  # no dose 3; window ended 2018-12-01
            ("P05", "2018-04-01", "saint_trond", "hbv_vaccine", "1"),  # its dose 3 (2018-03-03) came before
            ("P09", "2019-09-01", "liege", "hbv_vaccine", "1"),  # window ends 2020-03-01, data end 2019-12-31
        ],
        ["pseudonym", "date", "site", "act", "detail"],
        dates=["date"],
        text=["pseudonym", "site", "act", "detail"],
    )
    acts = pd.concat([base.medical_acts, extra], ignore_index=True)
    return Dataset(base.persons, base.consultations, base.lab_results, acts, base.sites)


def test_vaccine_completion_with_doses_straddling_the_year_end():
    vds = vaccine_dataset()
    f = inami.compute_figures(vds, 2019)
    # 2018 cohort (dose 1 in 2018): P07, P10, P01, P05 = 4; complete: P07, P10 (doses in 2019) = 2;
    # within 6 months: P07 only (P10's dose 3 on 2019-07-01 > 2018-12-31 + 6 months = 2019-06-30)
    assert_prop(f, "vaccine_completion", 2, 4, year=2018)
    assert_prop(f, "vaccine_completion_within_6m", 1, 4, year=2018)
    # delays: P07 2018-11-20 -> 2019-03-15 = 10 + 31 + 31 + 28 + 15 = 115; P10 2018-12-31 -> 2019-07-01 = 182
    median = row(f, "vaccine_dose3_delay_median", 2018)
    assert (median["value"], median["denominator"], median["unit"]) == (148.5, 2, "days")
    assert val(f, "vaccine_followup_incomplete", 2018) == 0
    # 2019 cohort: P02 (doses 1, 2), P04 (dose 1), P09 (dose 1 on 2019-09-01): none complete;
    # P09's 6-month window ends after the last event (2019-12-31): follow-up incomplete
    assert_prop(f, "vaccine_completion", 0, 3)
    assert val(f, "vaccine_followup_incomplete") == 1
    assert np.isnan(val(f, "vaccine_dose3_delay_median"))
    # a 2018 report computes the same 2018 completion: later data are always used
    alone = inami.compute_figures(vds, 2018, n_previous=0)
    assert_prop(alone, "vaccine_completion", 2, 4, year=2018)
    assert row(alone, "vaccine_dose3_delay_median", 2018)["value"] == 148.5


def test_vaccine_completion_in_the_fixture(figs):
    # 2019: P02 (dose 1 2019-02-01, dose 2 07-01), P04 (dose 1): 0 of 2 complete
    assert_prop(figs, "vaccine_completion", 0, 2)
    # 2018: P05's only dose is a dose 3: nobody starts the schedule (denominator 0, NaN share)
    r = row(figs, "vaccine_completion", 2018)
    assert (r["numerator"], r["denominator"]) == (0, 0) and np.isnan(r["value"])


def test_within_six_months_is_part_of_completion(figs):
    vf = inami.compute_figures(vaccine_dataset(), 2019)
    for f in (figs, vf):
        for year in (2018, 2019):
            complete, within = (
                row(f, "vaccine_completion", year),
                row(f, "vaccine_completion_within_6m", year),
            )
            assert within["denominator"] == complete["denominator"]
            assert within["numerator"] <= complete["numerator"] <= complete["denominator"]
            assert row(f, "vaccine_dose3_delay_median", year)["denominator"] == complete["numerator"]
            # the cohort received a dose in the year: it cannot outnumber the persons vaccinated
            assert complete["denominator"] <= val(f, "vaccinated_persons", year)


def test_age_pyramid_counts(figs):
    # 2019 ages (2019 - birth year): P01 29 w, P02 34 w, P03 19 w, P04 49 t, P05 24 m, P06 31 w,
    # P07 20 w, P08 59 w, P09 39 w, P10 26 w
    pyramid = figs[(figs.year == 2019) & figs.indicator.str.startswith("inami.age_band_gender.")]
    counts = pyramid.set_index("indicator")["value"]
    expected = {
        "lt20.woman": 1,
        "20_24.woman": 1,
        "20_24.man": 1,
        "25_29.woman": 2,
        "30_34.woman": 2,
        "35_39.woman": 1,
        "40_49.trans": 1,
        "50plus.woman": 1,
    }
    assert len(counts) == len(AGE_BANDS) * 3 and (pyramid.unit == "persons").all()
    assert {k.removeprefix("inami.age_band_gender."): v for k, v in counts.items() if v} == expected
    assert row(figs, "age_band_gender.20_24.man")["label"] == "Hommes de 20 à 24 ans"


@pytest.mark.parametrize("year", [2018, 2019])
def test_age_pyramid_sums_to_persons_seen_and_to_bands(figs, year):
    f = figs[figs.year == year]
    pyramid = f[f.indicator.str.startswith("inami.age_band_gender.")]
    assert pyramid["value"].sum() == val(figs, "persons_seen", year)
    for band in AGE_BANDS:
        assert (
            pyramid[pyramid.indicator.str.contains(f".{band}.", regex=False)]["value"].sum()
            == row(figs, f"age_band.{band}", year)["numerator"]
        )
    for gender in ("woman", "man", "trans"):
        assert (
            pyramid[pyramid.indicator.str.endswith(f".{gender}")]["value"].sum()
            == row(figs, f"gender.{gender}", year)["numerator"]
        )
