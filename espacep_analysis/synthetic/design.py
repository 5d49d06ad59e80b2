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
# The report prints 2019 and compares with 2017 and 2018: these years are calibrated. Later years
# (2020) are plausible but not calibrated: see `next_year`.
CALIBRATED_LAST_YEAR = 2019
LAST_YEAR = 2020
DEFAULT_SEED = 2019
# Random stream of the small changes that derive a later year's volumes from 2019 (`next_year`)
NEXT_YEAR_STREAM = 2
# The Pasop (Saint-Trond) collaboration: the report gives figures from 2018 on.
PASOP_FIRST_YEAR = 2018
PASOP_ANTENNA = "pasop"
# Persons seen, where the report prints no total (2017: 960 x 2,5 = 2400 consultations).
PERSONS = {2017: 960, 2016: 930, 2015: 900, 2014: 880, 2013: 850}
CONSULTATIONS_PER_PERSON = 2.5
REGION_PERSONS = {"wallonie": 0.50, "flandre": 0.09}  # shares of persons seen
REGION_CONSULTATIONS_PER_PERSON = {"wallonie": 2.5, "flandre": 1.6}
# Wallonia antennas' shares of Wallonia persons (from the AViQ outreach counts)
WALLONIA_ANTENNAS = {
    "liege": 0.33,
    "namur": 0.15,
    "arlon": 0.17,
    "charleroi": 0.17,
    "mons": 0.11,
    "tournai": 0.07,
}
# Site weights inside an antenna (a person keeps a preferred site)
SITE_WEIGHTS = {
    "liege": {"liege": 0.62, "seraing": 0.14, "ans": 0.24},
    "arlon": {"arlon": 0.35, "athus": 0.65},
}
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
    "FR": "western_europe",
    "ES": "western_europe",
    "IT": "western_europe",
    "PT": "western_europe",
    "NL": "western_europe",
    "LU": "western_europe",
    "RO": "eastern_europe",
    "BG": "eastern_europe",
    "HU": "eastern_europe",
    "PL": "eastern_europe",
    "AL": "eastern_europe",
    "NG": "sub_saharan_africa",
    "CM": "sub_saharan_africa",
    "GH": "sub_saharan_africa",
    "CI": "sub_saharan_africa",
    "GN": "sub_saharan_africa",
    "SN": "sub_saharan_africa",
    "MA": "north_africa",
    "DZ": "north_africa",
    "TN": "north_africa",
    "BR": "latin_america",
    "CO": "latin_america",
    "DO": "latin_america",
    "VE": "latin_america",
    "EC": "latin_america",
    "TH": "asia",
    "CN": "asia",
    "VN": "asia",
    "": "unknown",
}
_WALLONIA_MIX = {
    "BE": 33,
    "FR": 6,
    "IT": 1,
    "ES": 1,
    "PT": 1,
    "NL": 1,
    "RO": 12,
    "BG": 7,
    "HU": 3,
    "AL": 2,
    "PL": 1,
    "NG": 8,
    "CM": 4,
    "GH": 2,
    "CI": 1,
    "MA": 4,
    "DZ": 1,
    "TN": 1,
    "BR": 5,
    "DO": 2,
    "CO": 1,
    "TH": 1,
    "VN": 1,
    "": 4,
}
NATIONALITY_MIX = {
    "bruxelles": {
        "NG": 14,
        "CM": 6,
        "GH": 4,
        "CI": 2,
        "GN": 1,
        "SN": 1,
        "RO": 14,
        "BG": 7,
        "AL": 3,
        "BE": 12,
        "FR": 3,
        "ES": 2,
        "IT": 1,
        "PT": 1,
        "MA": 4,
        "DZ": 1,
        "BR": 6,
        "CO": 2,
        "DO": 2,
        "VE": 1,
        "TH": 2,
        "CN": 1,
        "": 1,
    },
    "liege": _WALLONIA_MIX,
    "namur": _WALLONIA_MIX,
    "charleroi": _WALLONIA_MIX,
    "mons": _WALLONIA_MIX,
    "tournai": _WALLONIA_MIX,
    "arlon": {
        "BR": 24,
        "CO": 14,
        "DO": 12,
        "VE": 5,
        "EC": 3,
        "RO": 10,
        "BG": 5,
        "HU": 3,
        "FR": 6,
        "PT": 5,
        "LU": 2,
        "BE": 1,
        "NG": 3,
        "CM": 2,
        "MA": 2,
        "TH": 1,
        "": 2,
    },
    "pasop": {
        "RO": 26,
        "BG": 20,
        "HU": 5,
        "NG": 18,
        "GH": 5,
        "BE": 8,
        "NL": 6,
        "FR": 2,
        "DO": 3,
        "BR": 2,
        "": 2,
    },
}
# Year-specific mixes (Arlon's public was mostly Eastern European in 2017)
NATIONALITY_MIX_BY_YEAR = {
    ("arlon", 2017): {
        "RO": 20,
        "BG": 12,
        "HU": 6,
        "AL": 3,
        "BR": 14,
        "CO": 7,
        "DO": 6,
        "FR": 8,
        "PT": 6,
        "BE": 4,
        "NG": 4,
        "MA": 3,
        "": 2,
    },
}

# --- consultations ---------------------------------------------------------------------------
WORKPLACES = {"bar": 0.35, "private": 0.34, "street": 0.13, "window": 0.14, "other": 0.04}
# Affinity of an antenna's public for each workplace (weights for the allocation)
_WALLONIA_PLACES = {"bar": 0.40, "private": 0.33, "street": 0.14, "window": 0.08, "other": 0.05}
WORKPLACE_AFFINITY = {
    "bruxelles": {"bar": 0.22, "private": 0.35, "street": 0.18, "window": 0.20, "other": 0.05},
    "liege": {"bar": 0.38, "private": 0.30, "street": 0.14, "window": 0.13, "other": 0.05},
    "namur": _WALLONIA_PLACES,
    "mons": _WALLONIA_PLACES,
    "tournai": _WALLONIA_PLACES,
    "charleroi": {"bar": 0.30, "private": 0.30, "street": 0.30, "window": 0.05, "other": 0.05},
    "arlon": {"bar": 0.50, "private": 0.40, "street": 0.04, "window": 0.02, "other": 0.04},
    "pasop": {"bar": 0.04, "private": 0.04, "street": 0.01, "window": 0.88, "other": 0.03},
}
WORKPLACE_LOYALTY = 2.0  # log-affinity bonus for last year's workplace
WORKPLACE_KEPT = 0.9  # chance a later consultation of the year keeps the workplace
GP_NO_DATA = 0.13
GP_NONE_OR_UNAWARE = 0.9
GP_NONE_SHARE = 0.6  # of none-or-unaware
GYN_NO_DATA = 0.2
GYN_STATUSES = {"none": 0.7, "unaware": 0.15, "aware": 0.15}
STATUS_REPEATED = 0.2  # chance a later consultation records the same status again
COVERAGE_ASKED = 0.65
COVERAGE_UNKNOWN = 0.03  # of persons asked, when the report prints no known count
COVERAGE_NOT_IN_ORDER = 0.6

# --- lab results -----------------------------------------------------------------------------
# Persons tested (share of persons seen) and positive (share of persons tested)
TEST_RATES = {
    "hiv": 0.725,
    "syphilis": 0.72,
    "hbsag": 0.58,
    "anti_hcv": 0.52,
    "gonorrhoea": 0.66,
    "chlamydia": 0.62,
    "trichomonas": 0.30,
}
PREVALENCE = {
    "hiv": 0.006,
    "syphilis": 0.01,
    "hbsag": 0.03,
    "anti_hcv": 0.015,
    "gonorrhoea": 0.017,
    "chlamydia": 0.05,
    "trichomonas": 0.02,
}
NEW_PERSON_SAMPLING_WEIGHT = 3.0  # new persons are offered a blood test first
# Brussels and Pasop test more than the Wallonia tours in bars (weights for who is tested)
REGION_TEST_WEIGHT = {"bruxelles": 1.0, "flandre": 1.0, "wallonie": 0.4}
ANTI_HBS_TESTED = 0.8  # of blood-sampled persons of unknown HBV status
ANTI_HBS_PROTECTED = 0.5  # titre >= 10 mIU/mL
WOMEN_SWABBED = 0.58  # women with gardnerella + candida swabs
CYTOLOGY = 0.33  # of swabbed women, smear with a readable class
CYTOLOGY_UNSATISFACTORY = 2  # further women per year whose only smear is unreadable
LESION_SHARE = 0.2
LESION_CLASSES = {"hsil": 0.1, "lsil": 0.3, "ascus": 0.6}
GARDNERELLA = 0.09
CANDIDA = 0.05
INDETERMINATE_HIV = 2  # persons per year whose only HIV result is indeterminate
RETESTED = 0.04  # negatives re-tested at a later consultation of the year
RESULTS_GIVEN = 0.75
RESULT_DELAY_DAYS = (7, 28)  # handed over at the office when no later visit

# --- acts ------------------------------------------------------------------------------------
HYGIENE_ADVICE = 0.58
HYGIENE_REPEATED = 0.12  # extra hygiene-advice acts per person advised
VACCINATED = 0.185
DOSES_PER_VACCINATED = 1.6
SERIES_LENGTH = {1: 0.25, 2: 0.25, 3: 0.5}  # doses a starter intends to receive
SAMPLE_TO_DOSE1_DAYS = (14, 42)
DOSE2_DAYS = (28, 42)  # after dose 1 ("0-1-4 mois")
DOSE3_DAYS = (112, 135)  # after dose 1
ACTS_PER_PERSON = {
    "contraception": 0.159,
    "treatment": 0.27,
    "referral": 0.07,
    "counsel": 1.515,
    "abortion_support": 0.0065,
    "pregnancy_followup": 0.0046,
}
# Referrals beyond those a result requires (HSIL, HIV, HBsAg, anti-HCV): destinations
FREE_REFERRALS = {"gynaecologist": 0.55, "other_specialist": 0.3, "hepatologist": 0.15}
# AViQ: medical acts + lab results at Wallonia sites ("4469 actes médicaux ... 1449 consultations")
WALLONIA_ACTS_AND_RESULTS = {2019: 4469}
FILLER_TESTS = ("chlamydia", "trichomonas")

# --- outreach: contacts, social actions, activities (AViQ = Wallonia, Cocof = Brussels) ------
# The outreach tables draw from their own random stream, default_rng([seed, OUTREACH_STREAM]),
# after the medical tables: adding them left the four medical files byte-identical.
OUTREACH_STREAM = 1
OUTREACH_REGIONS = ("wallonie", "bruxelles")  # Pasop (Saint-Trond) keeps its own outreach
# Persons met (counted at their first site of the year) and contacts per site in a typical
# year, the 2019 levels rounded; a printed figure wins. Other years: times OUTREACH_VOLUME.
OUTREACH_PERSONS = {
    "liege": 200,
    "seraing": 45,
    "ans": 80,
    "namur": 145,
    "arlon": 60,
    "athus": 115,
    "charleroi": 170,
    "mons": 100,
    "tournai": 70,
    "bruxelles": 2500,
}
OUTREACH_CONTACTS = {
    "liege": 890,
    "seraing": 170,
    "ans": 185,
    "namur": 810,
    "arlon": 195,
    "athus": 420,
    "charleroi": 2520,
    "mons": 315,
    "tournai": 305,
    "bruxelles": 7500,
}
OUTREACH_VOLUME = {2017: 0.93, 2018: 0.97, 2019: 1.0}
OUTREACH_NOISE = 0.03  # relative sd of a design volume (persons, contacts, demands)
# Persons seen in consultation that year who were also met in outreach (Wallonia: the social
# workers organise the doctors' tours, so everyone; Brussels: the office also receives walk-ins)
MEDICAL_MET = {"wallonie": 1.0, "bruxelles": 0.85}
# Channel of the contact recorded on a consultation day (tours on site / office in Brussels)
CONSULTATION_CHANNEL = {"wallonie": "field", "bruxelles": "office"}
PRE_CONSULTATION_CONTACT = 0.35  # a medical person first met 1-60 days before the consultation
PRE_CONSULTATION_DAYS = 60
# Outreach-only places of a site: persons met there in the previous two years, then persons
# seen in consultation in another year of the data (same antenna), then new persons
OUTREACH_RETURNING = 0.5
OTHER_YEAR_MEDICAL = 0.12
# A design (unprinted) contact count is raised to at least the first contacts and consultation
# days of the site times 1 + FURTHER_CONTACTS_MIN
FURTHER_CONTACTS_MIN = 0.25
ANONYMOUS_CONTACTS = 0.03  # contacts with nobody named (count as contacts, not persons)
# Channels of the free contacts; internet contacts go only to the persons met online
CHANNELS = {"field": 0.74, "office": 0.11, "phone": 0.11, "other_media": 0.04}
ANONYMOUS_CHANNELS = {"field": 0.6, "phone": 0.4}
CONTACT_SPREAD = 0.8  # gamma shape of a person's share of a site's further contacts
FIRST_DAY_BETA = (1.0, 1.8)  # position in the year of a person's first contact
OUTREACH_MOVERS = 0.03  # share of a site's further contacts with persons of another
#                                    site of the province (met there later in the year)
# Persons met online: Wallonia dating/escort sites (221 of 990 in 2019) and Facebook;
# Brussels: any platform (150 of about 2500)
DATING_PERSONS = {"wallonie": 0.223, "bruxelles": 0.0}
FACEBOOK_PERSONS = {"wallonie": 0.03, "bruxelles": 0.0}
INTERNET_PERSONS = {"wallonie": None, "bruxelles": 0.06}
PRIVATE_ONLINE_WEIGHT = 6.0  # persons working in private are this much likelier online
EXTRA_INTERNET = 0.3  # chance a further free contact of an online person is online
DATING_PLATFORMS = {
    "quartier_rouge": 0.35,
    "sexy_be": 0.15,
    "lili_be": 0.12,
    "vivastreet": 0.15,
    "belswing": 0.05,
    "quicherchetrouve": 0.08,
    "youpie": 0.10,
}
BRUSSELS_PLATFORMS = {
    "quartier_rouge": 0.50,
    "facebook": 0.20,
    "vivastreet": 0.12,
    "sexy_be": 0.06,
    "youpie": 0.06,
    "other": 0.06,
}
WALLONIA_SOCIAL_MEDIA = {"facebook": 0.85, "other": 0.15}

# --- social actions (one row = one demand recorded on a contact) ------------------------------
SOCIAL_PERSONS = {"wallonie": 0.8, "bruxelles": 0.4}  # of the persons met
FIRST_CONTACT_PLACES = {"field": 0.60, "office": 0.17, "phone": 0.16, "other_media": 0.07}
# Persons not seen medically that year are this much likelier to have been first met off the
# consultation channel (office, phone, media), since the tours bring the others
OFF_TOUR_WEIGHT = 3.0
# Demands recorded in a typical year (the 2019 levels; a printed figure wins). Wallonia's
# medical_consultation demands are the year's consultations but MEDICAL_DEMAND_MISSED.
DEMANDS = {
    "wallonie": {
        "administrative": 794,
        "financial": 486,
        "rights_information": 405,
        "housing": 378,
        "training_employment": 148,
        "violence": 141,
        "addiction": 139,
        "prevention_material": 2000,
        "health_questionnaire": 0,
        "contraception_information": 0,
        "other": 0,
    },
    "bruxelles": {
        "administrative": 930,
        "financial": 420,
        "rights_information": 380,
        "housing": 310,
        "training_employment": 160,
        "violence": 70,
        "addiction": 140,
        "prevention_material": 1800,
        "health_questionnaire": 30,
        "contraception_information": 800,
        "other": 60,
    },
}
MEDICAL_DEMAND_MISSED = {"wallonie": 4, "bruxelles": None}  # None: no such demand recorded
TRAFFICKING_PERSONS = {"wallonie": 3, "bruxelles": 3}
TRAFFICKING_ROWS_PER_PERSON = {"wallonie": 1, "bruxelles": 2}
DEMAND_RETRIES = 10  # contacts tried before a demand is recorded twice the same day
DEMAND_SPREAD = 1.0  # gamma shape of a person's weight per contact for the demands
# Demands likelier for some workplaces (weights on top of the spread)
DEMAND_WORKPLACE = {
    "addiction": {"street": 5.0},
    "violence": {"street": 2.0, "private": 1.5},
    "housing": {"street": 2.0},
}

# --- activities (collective work) -------------------------------------------------------------
# Information sessions per site in a typical year (the 2019 table: Liège/Seraing/Ans 12,
# Mons/Tournai 46); a printed figure for a site, an antenna or a group of sites wins.
INFORMATION_SESSIONS = {
    "liege": 7,
    "seraing": 2,
    "ans": 3,
    "namur": 10,
    "arlon": 3,
    "athus": 6,
    "charleroi": 28,
    "mons": 26,
    "tournai": 20,
}
SESSION_PARTICIPANTS = (4, 20)  # persons per information session (professionals, partners)
SESSION_BROCHURES = (10, 60)
TWO_SESSION_ROWS = 0.15  # an activity row recording two sessions the same day
COURSES = {"language_course": 23, "literacy_course": 5}  # Brussels, per year (sessions)
COURSE_PARTICIPANTS = (2, 8)
COURSE_MONTHS = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)
# One-off events: (region, type, site, month, day or None, sessions, participants, condoms,
# programme, years or None = every year). Where a target fixes the total of a type
# (students, professionals, stand days and condoms), the rows of that type are scaled to it.
EVENTS = (
    ("wallonie", "student_awareness", "namur", 3, None, 1, 80, None, "health_promotion", None),
    ("wallonie", "professional_training", "charleroi", 4, None, 1, 15, None, "health_promotion", None),
    ("wallonie", "exhibition", "arlon", 3, None, 1, 60, None, "health_promotion", (2019,)),
    ("wallonie", "exhibition", "namur", 12, 17, 1, 150, None, "health_promotion", (2019,)),
    ("wallonie", "stand", "mons", 6, None, 1, 150, 400, "health_promotion", None),
    ("wallonie", "stand", "namur", 9, None, 1, 60, 200, "health_promotion", None),
    ("bruxelles", "stand", "bruxelles", 10, None, 3, 400, 3500, "health_promotion", None),
    ("bruxelles", "stand", "bruxelles", 12, 1, 1, 60, 1000, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 2, None, 1, 120, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 3, None, 1, 90, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 3, None, 1, 70, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 4, None, 1, 110, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 5, None, 1, 60, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 10, None, 1, 100, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 11, None, 1, 130, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 11, None, 1, 80, None, "health_promotion", None),
    ("bruxelles", "student_awareness", "bruxelles", 12, None, 1, 40, None, "health_promotion", None),
    ("bruxelles", "professional_training", "bruxelles", 5, None, 1, 14, None, "health_promotion", None),
    ("bruxelles", "meeting", "bruxelles", 2, None, 1, 6, None, "social_action", (2019,)),
    ("bruxelles", "meeting", "bruxelles", 5, None, 1, 15, None, "other", (2019,)),
    ("bruxelles", "other", "bruxelles", 4, None, 2, 8, None, "social_action", (2019,)),
    ("bruxelles", "meeting", "bruxelles", 6, None, 2, 31, None, "social_action", (2019,)),
    ("bruxelles", "march", "bruxelles", 12, 17, 1, 80, None, "social_action", (2019,)),
)
COURSE_PROGRAMME = "other"  # the courses are funded by the PPU Schaerbeek
