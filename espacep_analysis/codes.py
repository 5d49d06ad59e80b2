"""The data contract's closed code lists and column names (record-level exports).

This module is the single source of truth for the codes the NGO's exports may
contain. `load` builds its validation schemas from it, `indicators` filters on
it, `fmt` holds the French labels keyed by the same codes, and `synthetic`
writes rows with it. It has no side effects; the ISO country tables come from
``pycountry``, imported on first use.

The human data dictionary is ``data/README.md``; keep both in step.
"""

from __future__ import annotations

import functools

# --- persons -----------------------------------------------------------------
# Codes outside ISO 3166-1 that exports may hold: Kosovo's user-assigned code (EU, UN)
EXTRA_COUNTRY_CODES = ("XK",)


@functools.cache
def iso_country_codes() -> tuple[str, ...]:
    """Current ISO 3166-1 alpha-2 codes (pycountry's ISO table), plus `EXTRA_COUNTRY_CODES`."""
    import pycountry

    return tuple(sorted({c.alpha_2 for c in pycountry.countries} | set(EXTRA_COUNTRY_CODES)))


@functools.cache
def withdrawn_country_codes() -> dict[str, str]:
    """Withdrawn ISO 3166-1 alpha-2 codes (ISO 3166-3) -> "name, retiré le AAAA-MM-JJ".

    Codes withdrawn and later reassigned (GE, SK, AI, BQ, BY) are current and
    not listed. Names are French when pycountry carries the translation.
    """
    import gettext

    import pycountry

    french = gettext.translation("iso3166-3", pycountry.LOCALES_DIR, languages=["fr"], fallback=True).gettext
    current = set(iso_country_codes())
    out: dict[str, list[str]] = {}
    for country in pycountry.historic_countries:
        code = getattr(country, "alpha_2", None)
        if code and code not in current:
            when = getattr(country, "withdrawal_date", "")
            out.setdefault(code, []).append(f"{french(country.name)}, retiré le {when}")
    return {code: " ; ".join(names) for code, names in sorted(out.items())}


GENDERS = ("woman", "man", "trans")

# --- consultations -------------------------------------------------------------
WORKPLACES = ("bar", "private", "street", "window", "other")
# GP / gynaecologist: none, has one unaware of the activity, has one aware, unknown
DOCTOR_STATUSES = ("none", "unaware", "aware", "unknown")
# Social-security coverage status, recorded when coverage was asked
COVERAGE_STATUSES = ("in_order", "not_in_order", "unknown")

# --- lab results -------------------------------------------------------------------
BINARY_TESTS = (
    "hbsag",
    "anti_hcv",
    "hiv",
    "syphilis",
    "gonorrhoea",
    "chlamydia",
    "trichomonas",
    "gardnerella",
    "candida",
)
TITRE_TESTS = ("anti_hbs",)
CYTOLOGY_TESTS = ("cervical_cytology",)
TESTS = BINARY_TESTS + TITRE_TESTS + CYTOLOGY_TESTS
BINARY_RESULTS = ("positive", "negative", "indeterminate")
CYTOLOGY_RESULTS = ("normal", "ascus", "lsil", "hsil", "unsatisfactory")
CYTOLOGY_LESIONS = ("ascus", "lsil", "hsil")
# anti-HBs: result is positive when titre >= this (mIU/mL), negative otherwise
ANTI_HBS_PROTECTIVE_TITRE = 10.0
# Tests done on a blood sample (the rest are gynaecological swabs / smears)
BLOOD_TESTS = ("hbsag", "anti_hbs", "anti_hcv", "hiv", "syphilis")

# --- medical acts --------------------------------------------------------------------
ACTS = (
    "hbv_vaccine",  # detail: dose number 1, 2, 3 (4 = booster)
    "contraception",  # detail: empty
    "treatment",  # detail: one of PATHOLOGIES
    "referral",  # detail: one of REFERRAL_DESTINATIONS
    "counsel",  # medical counsel (prevention, hygiene, ...); detail empty
    "hygiene_advice",  # vaginal hygiene advice; detail empty
    "abortion_support",  # accompaniment towards an abortion (IVG); detail empty
    "pregnancy_followup",  # detail empty
)
VACCINE_DOSES = ("1", "2", "3", "4")
PATHOLOGIES = (
    "syphilis",
    "chlamydia",
    "gonorrhoea",
    "gardnerella",
    "candida",
    "trichomonas",
    "other",
)
REFERRAL_DESTINATIONS = (
    "gynaecologist",
    "hiv_reference_centre",
    "hepatologist",
    "general_practitioner",
    "other_specialist",
)

# --- column names per table (order = export order) ----------------------------------
COLUMNS = {
    "persons": ("pseudonym", "birth_year", "gender", "nationality", "inclusion_date"),
    "consultations": (
        "pseudonym",
        "date",
        "site",
        "workplace",
        "gp",
        "gynaecologist",
        "coverage_asked",
        "coverage_status",
    ),
    "lab_results": (
        "pseudonym",
        "sample_date",
        "site",
        "test",
        "result",
        "titre",
        "result_given_date",
    ),
    "medical_acts": ("pseudonym", "date", "site", "act", "detail"),
}
# Columns that may be empty in a valid row
OPTIONAL_COLUMNS = {
    "persons": ("nationality",),
    "consultations": ("coverage_status",),
    "lab_results": ("titre", "result_given_date"),
    "medical_acts": ("detail",),
}
# Rows are unique on these columns
KEYS = {
    "persons": ("pseudonym",),
    "consultations": ("pseudonym", "date", "site"),
    "lab_results": ("pseudonym", "sample_date", "test"),
    "medical_acts": None,  # several identical acts on one day are legitimate
}
MEDICAL_TABLES = ("persons", "consultations", "lab_results", "medical_acts")

# Boolean columns (coverage_asked, first_contact): accepted spellings, compared
# lower-case (Excel writes VRAI/FAUX, TRUE/FALSE). The canonical export writes `yes` / `no`.
BOOLEAN_TRUE = ("true", "1", "yes", "oui", "vrai", "ja", "waar")
BOOLEAN_FALSE = ("false", "0", "no", "non", "faux", "nee", "onwaar")

# --- outreach and social work (AViQ, Cocof) ---------------------------------------------
CHANNELS = ("field", "office", "phone", "other_media", "internet")
# Platforms for internet contacts (dating / escort sites, social media)
PLATFORMS = (
    "quartier_rouge",
    "sexy_be",
    "lili_be",
    "vivastreet",
    "belswing",
    "quicherchetrouve",
    "youpie",
    "facebook",
    "other",
)
DEMANDS = (
    "administrative",
    "financial",
    "rights_information",
    "housing",
    "training_employment",
    "violence",
    "addiction",
    "prevention_material",
    "medical_consultation",
    "trafficking",
    "health_questionnaire",
    "contraception_information",
    "other",
)
# Where the first contact of the year with a person took place (social actions)
FIRST_CONTACT_PLACES = ("field", "office", "phone", "other_media")
PROGRAMMES = ("health_promotion", "social_action", "other")
ACTIVITY_TYPES = (
    "information_session",
    "language_course",
    "literacy_course",
    "stand",
    "exhibition",
    "professional_training",
    "student_awareness",
    "meeting",
    "march",
    "other",
)
OUTREACH_TABLES = ("contacts", "social_actions", "activities")
COLUMNS.update(
    {
        "contacts": ("date", "site", "pseudonym", "channel", "platform", "workplace"),
        "social_actions": ("date", "site", "pseudonym", "demand", "first_contact", "place"),
        "activities": (
            "date",
            "site",
            "programme",
            "type",
            "sessions",
            "participants",
            "condoms",
            "brochures",
        ),
    }
)
OPTIONAL_COLUMNS.update(
    {
        "contacts": ("pseudonym", "platform", "workplace"),
        "social_actions": ("place",),  # required when first_contact is yes
        "activities": ("condoms", "brochures"),
    }
)
KEYS.update({"contacts": None, "social_actions": None, "activities": None})
