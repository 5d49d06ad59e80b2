"""Free design parameters of the synthetic data set: what no published figure fixes.

Every number here is a plausible choice, not a published one. Where
``params/targets.yaml`` prints a figure for a year, the target wins and the
design value is not used (e.g. ``TEST_RATES['hiv']`` only sizes the HIV-tested
group; the 2019 number tested is then moved to the nearest value for which 3
positives give the printed 0,4 %). Rates are per person seen in the year unless
said otherwise.
"""

from __future__ import annotations

# --- years and volumes -------------------------------------------------------------------
FIRST_YEAR = 2017
LAST_YEAR = 2019
DEFAULT_SEED = 2019
# The Pasop (Saint-Trond) collaboration: the report gives figures from 2018 on.
PASOP_FIRST_YEAR = 2018
PASOP_ANTENNA = "pasop"
# Persons seen, where the report prints no total (2017: 960 x 2,5 = 2400 consultations).
PERSONS = {2017: 960, 2016: 930, 2015: 900, 2014: 880, 2013: 850}
CONSULTATIONS_PER_PERSON = 2.5
REGION_PERSONS = {"wallonie": 0.50, "flandre": 0.09}  # shares of persons seen
REGION_CONSULTATIONS_PER_PERSON = {"wallonie": 2.5, "flandre": 1.6}
# Wallonia antennas' shares of Wallonia persons (from the AViQ outreach counts)
WALLONIA_ANTENNAS = {"liege": 0.33, "namur": 0.15, "arlon": 0.17, "charleroi": 0.17,
                     "mons": 0.11, "tournai": 0.07}
# Site weights inside an antenna (a person keeps a preferred site)
SITE_WEIGHTS = {"liege": {"liege": 0.62, "seraing": 0.14, "ans": 0.24},
                "arlon": {"arlon": 0.35, "athus": 0.65}}
PREFERRED_SITE_LOYALTY = 0.85
# Persons seen at a second Wallonia antenna in the year (never Arlon nor Brussels)
WALLONIA_MOVERS = 3
MAX_CONSULTATIONS = 14
CONSULTATION_SPREAD = 0.7  # gamma shape of a person's share of extra consultations

# --- persons across years -----------------------------------------------------------------
NEW_SHARE = 0.5
# Share of a year's known persons that were seen in an earlier year of the data
RETURNING_SHARE = 0.9
# Weight of a candidate last seen 1, 2, 3 years before
RECENCY_WEIGHTS = {1: 1.0, 2: 0.3, 3: 0.12}
EARLIEST_INCLUSION_YEAR = 2005
GENDERS = {"woman": 0.955, "man": 0.01, "trans": 0.035}
AGE = {"mean": 32.0, "sd": 8.5, "low": 18, "high": 70, "known_low": 20}

# --- nationality: country weights per antenna (group in COUNTRY_GROUPS; "" = unknown) -------
COUNTRY_GROUPS = {
    "BE": "belgium",
    "FR": "western_europe", "ES": "western_europe", "IT": "western_europe",
    "PT": "western_europe", "NL": "western_europe", "LU": "western_europe",
    "RO": "eastern_europe", "BG": "eastern_europe", "HU": "eastern_europe",
    "PL": "eastern_europe", "AL": "eastern_europe",
    "NG": "sub_saharan_africa", "CM": "sub_saharan_africa", "GH": "sub_saharan_africa",
    "CI": "sub_saharan_africa", "GN": "sub_saharan_africa", "SN": "sub_saharan_africa",
    "MA": "north_africa", "DZ": "north_africa", "TN": "north_africa",
    "BR": "latin_america", "CO": "latin_america", "DO": "latin_america",
    "VE": "latin_america", "EC": "latin_america",
    "TH": "asia", "CN": "asia", "VN": "asia",
    "": "unknown",
}
_WALLONIA_MIX = {"BE": 33, "FR": 6, "IT": 1, "ES": 1, "PT": 1, "NL": 1,
                 "RO": 12, "BG": 7, "HU": 3, "AL": 2, "PL": 1,
                 "NG": 8, "CM": 4, "GH": 2, "CI": 1, "MA": 4, "DZ": 1, "TN": 1,
                 "BR": 5, "DO": 2, "CO": 1, "TH": 1, "VN": 1, "": 4}
NATIONALITY_MIX = {
    "bruxelles": {"NG": 14, "CM": 6, "GH": 4, "CI": 2, "GN": 1, "SN": 1,
                  "RO": 14, "BG": 7, "AL": 3, "BE": 12, "FR": 3, "ES": 2, "IT": 1, "PT": 1,
                  "MA": 4, "DZ": 1, "BR": 6, "CO": 2, "DO": 2, "VE": 1, "TH": 2, "CN": 1, "": 1},
    "liege": _WALLONIA_MIX, "namur": _WALLONIA_MIX, "charleroi": _WALLONIA_MIX,
    "mons": _WALLONIA_MIX, "tournai": _WALLONIA_MIX,
    "arlon": {"BR": 24, "CO": 14, "DO": 12, "VE": 5, "EC": 3, "RO": 10, "BG": 5, "HU": 3,
              "FR": 6, "PT": 5, "LU": 2, "BE": 1, "NG": 3, "CM": 2, "MA": 2, "TH": 1, "": 2},
    "pasop": {"RO": 26, "BG": 20, "HU": 5, "NG": 18, "GH": 5, "BE": 8, "NL": 6, "FR": 2,
              "DO": 3, "BR": 2, "": 2},
}
# Year-specific mixes (Arlon's public was mostly Eastern European in 2017)
NATIONALITY_MIX_BY_YEAR = {
    ("arlon", 2017): {"RO": 20, "BG": 12, "HU": 6, "AL": 3, "BR": 14, "CO": 7, "DO": 6,
                      "FR": 8, "PT": 6, "BE": 4, "NG": 4, "MA": 3, "": 2},
}

# --- consultations ---------------------------------------------------------------------------
WORKPLACES = {"bar": 0.35, "private": 0.34, "street": 0.13, "window": 0.14, "other": 0.04}
# Affinity of an antenna's public for each workplace (weights for the allocation)
_WALLONIA_PLACES = {"bar": 0.40, "private": 0.33, "street": 0.14, "window": 0.08, "other": 0.05}
WORKPLACE_AFFINITY = {
    "bruxelles": {"bar": 0.22, "private": 0.35, "street": 0.18, "window": 0.20, "other": 0.05},
    "liege": {"bar": 0.38, "private": 0.30, "street": 0.14, "window": 0.13, "other": 0.05},
    "namur": _WALLONIA_PLACES, "mons": _WALLONIA_PLACES, "tournai": _WALLONIA_PLACES,
    "charleroi": {"bar": 0.30, "private": 0.30, "street": 0.30, "window": 0.05, "other": 0.05},
    "arlon": {"bar": 0.50, "private": 0.40, "street": 0.04, "window": 0.02, "other": 0.04},
    "pasop": {"bar": 0.04, "private": 0.04, "street": 0.01, "window": 0.88, "other": 0.03},
}
WORKPLACE_LOYALTY = 2.0    # log-affinity bonus for last year's workplace
WORKPLACE_KEPT = 0.9       # chance a later consultation of the year keeps the workplace
GP_NO_DATA = 0.13
GP_NONE_OR_UNAWARE = 0.9
GP_NONE_SHARE = 0.6        # of none-or-unaware
GYN_NO_DATA = 0.2
GYN_STATUSES = {"none": 0.7, "unaware": 0.15, "aware": 0.15}
STATUS_REPEATED = 0.2      # chance a later consultation records the same status again
COVERAGE_ASKED = 0.65
COVERAGE_UNKNOWN = 0.03    # of persons asked, when the report prints no known count
COVERAGE_NOT_IN_ORDER = 0.6

# --- lab results -----------------------------------------------------------------------------
# Persons tested (share of persons seen) and positive (share of persons tested)
TEST_RATES = {"hiv": 0.725, "syphilis": 0.72, "hbsag": 0.58, "anti_hcv": 0.52,
              "gonorrhoea": 0.66, "chlamydia": 0.62, "trichomonas": 0.30}
PREVALENCE = {"hiv": 0.006, "syphilis": 0.01, "hbsag": 0.03, "anti_hcv": 0.015,
              "gonorrhoea": 0.017, "chlamydia": 0.05, "trichomonas": 0.02}
NEW_PERSON_SAMPLING_WEIGHT = 3.0   # new persons are offered a blood test first
# Brussels and Pasop test more than the Wallonia tours in bars (weights for who is tested)
REGION_TEST_WEIGHT = {"bruxelles": 1.0, "flandre": 1.0, "wallonie": 0.4}
ANTI_HBS_TESTED = 0.8              # of blood-sampled persons of unknown HBV status
ANTI_HBS_PROTECTED = 0.5           # titre >= 10 mIU/mL
WOMEN_SWABBED = 0.58               # women with gardnerella + candida swabs
CYTOLOGY = 0.33                    # of swabbed women, smear with a readable class
CYTOLOGY_UNSATISFACTORY = 2        # further women per year whose only smear is unreadable
LESION_SHARE = 0.2
LESION_CLASSES = {"hsil": 0.1, "lsil": 0.3, "ascus": 0.6}
GARDNERELLA = 0.09
CANDIDA = 0.05
INDETERMINATE_HIV = 2              # persons per year whose only HIV result is indeterminate
RETESTED = 0.04                    # negatives re-tested at a later consultation of the year
RESULTS_GIVEN = 0.75
RESULT_DELAY_DAYS = (7, 28)        # handed over at the office when no later visit

# --- acts ------------------------------------------------------------------------------------
HYGIENE_ADVICE = 0.58
HYGIENE_REPEATED = 0.12            # extra hygiene-advice acts per person advised
VACCINATED = 0.185
DOSES_PER_VACCINATED = 1.6
SERIES_LENGTH = {1: 0.25, 2: 0.25, 3: 0.5}   # doses a starter intends to receive
SAMPLE_TO_DOSE1_DAYS = (14, 42)
DOSE2_DAYS = (28, 42)              # after dose 1 ("0-1-4 mois")
DOSE3_DAYS = (112, 135)            # after dose 1
ACTS_PER_PERSON = {"contraception": 0.159, "treatment": 0.27, "referral": 0.07,
                   "counsel": 1.515, "abortion_support": 0.0065, "pregnancy_followup": 0.0046}
# Referrals beyond those a result requires (HSIL, HIV, HBsAg, anti-HCV): destinations
FREE_REFERRALS = {"gynaecologist": 0.55, "other_specialist": 0.3, "hepatologist": 0.15}
# AViQ: medical acts + lab results at Wallonia sites ("4469 actes médicaux ... 1449 consultations")
WALLONIA_ACTS_AND_RESULTS = {2019: 4469}
FILLER_TESTS = ("chlamydia", "trichomonas")
