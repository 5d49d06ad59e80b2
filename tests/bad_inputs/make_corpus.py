"""Regenerate the corpus of malformed (and Belgian-format valid) exports.

Run from the repository root: ``.venv/bin/python tests/bad_inputs/make_corpus.py``.

Each case is a directory ``tests/bad_inputs/<case>/`` holding the export
file(s) that differ from the valid base data set of ``tests/test_load.py``
(`BASE`), written byte for byte with the encoding, separator and line endings
under test, and ``expected.txt``:

- ``ok``: the directory must validate without any rejection;
- otherwise one expected rejection per line, tab-separated:
  ``file  line  column  value  rule`` (``-`` for an absent line/column/value);
  the test asserts the report holds exactly these rejections;
- directives: ``@year 2019`` (declared year), ``@delete FILE`` (remove a base file).

The expectations below are written by hand from the file contents (line 1 is
the header, so the n-th data row is line n + 1).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent

P = "pseudonym,birth_year,gender,nationality,inclusion_date\n"
C = "pseudonym,date,site,workplace,gp,gynaecologist,coverage_asked,coverage_status\n"
L = "pseudonym,sample_date,site,test,result,titre,result_given_date\n"
M = "pseudonym,date,site,act,detail\n"
K = "date,site,pseudonym,channel,platform,workplace\n"
S = "date,site,pseudonym,demand,first_contact,place\n"
A = "date,site,programme,type,sessions,participants,condoms,brochures\n"
ACTIVITY_HEADER = A.strip().split(",")
PERSONS_ROWS = (
    "P001,1985,woman,RO,2017-03-02\n"
    "P002,1994,trans,,2019-01-15\n"
    "P003,1970,man,BE,2018-06-12\n"
    "P004,1999,woman,NG,2019-05-20\n"
)
UNAVAILABLE = [
    ("consultations.csv", "-", "-", "-", "persons_unavailable"),
    ("lab_results.csv", "-", "-", "-", "persons_unavailable"),
    ("medical_acts.csv", "-", "-", "-", "persons_unavailable"),
]


def semi(text: str) -> str:
    return text.replace(",", ";")


def belgian(text: str) -> bytes:
    """Semicolons, CRLF, Windows-1252: what Belgian Excel's "CSV (point-virgule)" writes."""
    return semi(text).replace("\n", "\r\n").encode("cp1252")


# The outreach tables of BASE in the formats Belgian Excel writes: same rows,
# dd/mm/yyyy dates, capitalised codes, oui/non/VRAI/1 booleans, 1.500 condoms
OUTREACH_BELGIAN = {
    "contacts.csv": belgian(
        K
        + (
            "01/02/2019,Bruxelles,P001,Field,,window\n"
            "3/2/2019,bruxelles ,,field,,Street\n"
            "10/03/2019,liege,X100,Internet,Quartier_Rouge,private\n"
            "05/04/2019,namur,X101,PHONE,,\n"
            "06/05/2019,charleroi,P004,office,,other\n"
        )
    ),
    "social_actions.csv": belgian(
        S
        + (
            "10/01/2019,bruxelles,P001,administrative,OUI,office\n"
            "12/03/2019,bruxelles,P001,Housing,non,\n"
            "10/03/2019,liege,X100,violence,VRAI,Other_Media\n"
            "20/11/2018,liege,X100,addiction,1,field\n"
            "01/06/2019,charleroi,X102,prevention_material,FAUX,\n"
        )
    ),
    "activities.csv": belgian(
        A
        + (
            "08/03/2019,bruxelles,health_promotion,Stand,1,0,1.500,200\n"
            "02/04/2019,liege,social_action,language_course,12,8,,\n"
            "15/05/2019,namur,health_promotion,information_session,2,25,100,30\n"
            "10/10/2019,mons,other,meeting,1,6,0,0\n"
        )
    ),
}


# case -> (files {name: bytes or str}, expected rows or "ok", directives)
CASES: dict[str, tuple[dict, object, list[str]]] = {
    # --- valid exports in the formats Belgian Excel writes --------------------------------
    "valid_utf8_bom": ({"persons.csv": ("\ufeff" + P + PERSONS_ROWS).encode("utf-8")}, "ok", []),
    "valid_semicolon_decimal_comma": (
        {
            "lab_results.csv": semi(L)
            + (
                "P001;2019-02-01;bruxelles;hiv;negative;;2019-02-15\n"
                "P001;2019-02-01;bruxelles;anti_hbs;positive;120,5;2019-02-15\n"
                "P003;2019-03-03;saint_trond;cervical_cytology;lsil;;2019-03-20\n"
                "P004;2019-06-01;charleroi;chlamydia;positive;;\n"
            )
        },
        "ok",
        [],
    ),
    "valid_belgian_dates": (
        {
            "consultations.csv": C
            + (
                "P001,01/02/2019,bruxelles,window,none,aware,true,in_order\n"
                "P001,10/04/2019,bruxelles,window,unaware,aware,false,\n"
                "P002,1/02/2019,liege,street,unknown,none,false,\n"
                "P003,03/03/2019,saint_trond,bar,aware,unaware,true,not_in_order\n"
                "P004,01/06/2019,charleroi,private,none,none,true,unknown\n"
            )
        },
        "ok",
        [],
    ),
    "valid_belgian_excel_cp1252": (
        {
            "persons.csv": (
                semi(P)
                + (
                    "P001;1985;woman;RO;02/03/2017\n"
                    "P002;1994;trans;;15/01/2019\n"
                    "P003;1970;man;BE;12/06/2018\n"
                    "P004;1999;woman;NG;20/05/2019\n"
                    "PÉ05;1988;woman;FR;01/09/2018\n"
                )
            )
            .replace("\n", "\r\n")
            .encode("cp1252"),
            "consultations.csv": (
                semi(C)
                + (
                    "P001;01/02/2019;bruxelles;window;none;aware;VRAI;in_order\n"
                    "P001;10/04/2019;bruxelles;window;unaware;aware;FAUX;\n"
                    "P002;01/02/2019;liege;street;unknown;none;FAUX;\n"
                    "P003;03/03/2019;saint_trond;bar;aware;unaware;VRAI;not_in_order\n"
                    "P004;01/06/2019;charleroi;private;none;none;VRAI;unknown\n"
                    "PÉ05;05/06/2019;namur;street;none;none;FAUX;\n"
                )
            )
            .replace("\n", "\r\n")
            .encode("cp1252"),
        },
        "ok",
        [],
    ),
    "valid_utf16_tabs": (
        {
            "medical_acts.csv": (
                M
                + (
                    "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
                    "P001,2019-04-10,bruxelles,hbv_vaccine,2\n"
                    "P001,2019-04-10,bruxelles,counsel,\n"
                    "P003,2019-03-03,saint_trond,referral,gynaecologist\n"
                    "P004,2019-06-01,charleroi,treatment,chlamydia\n"
                )
            )
            .replace(",", "\t")
            .encode("utf-16")
        },
        "ok",
        [],
    ),
    "valid_title_line_blank_lines_case": (
        {
            "persons.csv": (
                "Export Espace P 2019,,,,\n" + P + "P001,1985,Woman ,ro,2017-03-02\n\n"
                "P002,1994,TRANS,,2019-01-15\n \nP003,1970, man,BE ,2018-06-12\n"
                "P004,1999,woman,NG,2019-05-20\n"
            )
        },
        "ok",
        [],
    ),
    # --- encodings and broken files --------------------------------------------------------
    "cp1252_accents_unknown_code": (
        {
            "persons.csv": (
                P
                + (
                    "P001,1985,woman,RO,2017-03-02\nP002,1994,féminin,,2019-01-15\n"
                    "P003,1970,man,BE,2018-06-12\nP004,1999,woman,NG,2019-05-20\n"
                )
            ).encode("cp1252")
        },
        [
            ("persons.csv", "3", "gender", "féminin", "unknown_code"),
            ("consultations.csv", "4", "pseudonym", "P002", "person_rejected"),
        ],
        [],
    ),
    "undecodable_bytes": (
        {"persons.csv": P.encode() + b"P001,1985,woman,RO,2017-03-02\x81\x8d\n"},
        [("persons.csv", "-", "-", "-", "unreadable_file")] + UNAVAILABLE,
        [],
    ),
    "xlsx_renamed_csv": (
        {"persons.csv": b"PK\x03\x04\x14\x00\x06\x00garbage"},
        [("persons.csv", "-", "-", "-", "unreadable_file")] + UNAVAILABLE,
        [],
    ),
    "ragged_row": (
        {
            "medical_acts.csv": M + "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
            "P001,2019-04-10,bruxelles,counsel,,extra,fields\n"
        },
        [("medical_acts.csv", "-", "-", "-", "unreadable_file")],
        [],
    ),
    "empty_file_zero_bytes": (
        {"medical_acts.csv": b""},
        [("medical_acts.csv", "-", "-", "-", "empty_file")],
        [],
    ),
    "empty_file_header_only": (
        {"lab_results.csv": L},
        [("lab_results.csv", "-", "-", "-", "empty_file")],
        [],
    ),
    "missing_file": (
        {},
        [("consultations.csv", "-", "-", "-", "missing_file")],
        ["@delete consultations.csv"],
    ),
    # --- columns -----------------------------------------------------------------------------
    "missing_column": (
        {
            "consultations.csv": (
                "pseudonym,date,site,gp,gynaecologist,coverage_asked,coverage_status\n"
                "P001,2019-02-01,bruxelles,none,aware,true,in_order\n"
            )
        },
        [("consultations.csv", "-", "workplace", "-", "missing_column")],
        [],
    ),
    "renamed_column": (
        {"persons.csv": P.replace("birth_year", "birthyear") + PERSONS_ROWS},
        [("persons.csv", "-", "birth_year", "-", "missing_column")] + UNAVAILABLE,
        [],
    ),
    # --- codes and values ---------------------------------------------------------------------
    "unknown_codes": (
        {
            "consultations.csv": C
            + (
                "P001,2019-02-01,brussel,window,none,aware,true,in_order\n"
                "P001,2019-04-10,bruxelles,rue,unaware,aware,false,\n"
                "P002,2019-02-01,liege,street,yes,none,false,\n"
            )
        },
        [
            ("consultations.csv", "2", "site", "brussel", "unknown_code"),
            ("consultations.csv", "3", "workplace", "rue", "unknown_code"),
            ("consultations.csv", "4", "gp", "yes", "unknown_code"),
        ],
        [],
    ),
    "unknown_nationality": (
        {"persons.csv": P + PERSONS_ROWS.replace("RO", "ROU").replace("NG", "Nigeria")},
        [
            ("persons.csv", "2", "nationality", "ROU", "unknown_code"),
            ("persons.csv", "5", "nationality", "Nigeria", "unknown_code"),
        ]
        + [
            (f, ln, "pseudonym", p, "person_rejected")
            for f, ln, p in (
                ("consultations.csv", "2", "P001"),
                ("consultations.csv", "3", "P001"),
                ("consultations.csv", "6", "P004"),
                ("lab_results.csv", "2", "P001"),
                ("lab_results.csv", "3", "P001"),
                ("lab_results.csv", "5", "P004"),
                ("medical_acts.csv", "2", "P001"),
                ("medical_acts.csv", "3", "P001"),
                ("medical_acts.csv", "4", "P001"),
                ("medical_acts.csv", "6", "P004"),
            )
        ],
        [],
    ),
    "empty_required_values": (
        {"medical_acts.csv": M + "P001,2019-02-01,bruxelles,,\n" ",2019-04-10,bruxelles,counsel,\n"},
        [
            ("medical_acts.csv", "2", "act", "", "empty_value"),
            ("medical_acts.csv", "3", "pseudonym", "", "empty_value"),
        ],
        [],
    ),
    "not_a_number": (
        {
            "persons.csv": P
            + (
                "P001,abc,woman,RO,2017-03-02\nP002,1994.5,trans,,2019-01-15\n"
                "P003,1970,man,BE,2018-06-12\nP004,1999,woman,NG,2019-05-20\n"
            )
        },
        [
            ("persons.csv", "2", "birth_year", "abc", "not_a_number"),
            ("persons.csv", "3", "birth_year", "1994.5", "not_a_number"),
        ]
        + [
            (f, ln, "pseudonym", p, "person_rejected")
            for f, ln, p in (
                ("consultations.csv", "2", "P001"),
                ("consultations.csv", "3", "P001"),
                ("consultations.csv", "4", "P002"),
                ("lab_results.csv", "2", "P001"),
                ("lab_results.csv", "3", "P001"),
                ("medical_acts.csv", "2", "P001"),
                ("medical_acts.csv", "3", "P001"),
                ("medical_acts.csv", "4", "P001"),
            )
        ],
        [],
    ),
    "negative_titre": (
        {"lab_results.csv": L + "P001,2019-02-01,bruxelles,anti_hbs,negative,-5,\n"},
        [("lab_results.csv", "2", "titre", "-5", "negative_number")],
        [],
    ),
    "invalid_boolean_and_coverage": (
        {
            "consultations.csv": C
            + (
                "P001,2019-02-01,bruxelles,window,none,aware,peut-être,\n"
                "P001,2019-04-10,bruxelles,window,unaware,aware,false,in_order\n"
            )
        },
        [
            ("consultations.csv", "2", "coverage_asked", "peut-être", "invalid_boolean"),
            ("consultations.csv", "3", "coverage_status", "in_order", "unexpected_coverage_status"),
        ],
        [],
    ),
    # --- dates -------------------------------------------------------------------------------------
    "date_unparseable": (
        {
            "consultations.csv": C
            + (
                "P001,2019-02-30,bruxelles,window,none,aware,true,in_order\n"
                "P001,1er avril 2019,bruxelles,window,unaware,aware,false,\n"
                "P002,02/15/2019,liege,street,unknown,none,false,\n"
            )
        },
        [
            ("consultations.csv", "2", "date", "2019-02-30", "date_unparseable"),
            ("consultations.csv", "3", "date", "1er avril 2019", "date_unparseable"),
            ("consultations.csv", "4", "date", "02/15/2019", "date_unparseable"),
        ],
        [],
    ),
    "date_in_future": (
        {"consultations.csv": C + ("P001,2031-02-01,bruxelles,window,none,aware,true,in_order\n")},
        [("consultations.csv", "2", "date", "2031-02-01", "date_out_of_range")],
        [],
    ),
    "date_after_declared_year": (
        {
            "medical_acts.csv": M
            + ("P001,2019-12-31,bruxelles,counsel,\nP001,01/01/2020,bruxelles,counsel,\n")
        },
        [("medical_acts.csv", "3", "date", "01/01/2020", "date_out_of_range")],
        ["@year 2019"],
    ),
    "date_before_1990": (
        {"persons.csv": P + PERSONS_ROWS.replace("2018-06-12", "1989-12-31")},
        [
            ("persons.csv", "4", "inclusion_date", "1989-12-31", "date_out_of_range"),
            ("consultations.csv", "5", "pseudonym", "P003", "person_rejected"),
            ("lab_results.csv", "4", "pseudonym", "P003", "person_rejected"),
            ("medical_acts.csv", "5", "pseudonym", "P003", "person_rejected"),
        ],
        [],
    ),
    "event_before_birth": (
        {"lab_results.csv": L + "P004,1995-03-01,charleroi,hiv,negative,,\n"},
        [("lab_results.csv", "2", "sample_date", "1995-03-01", "event_before_birth")],
        [],
    ),
    "event_before_inclusion": (
        {
            "consultations.csv": C
            + (
                "P004,2019-05-19,charleroi,private,none,none,true,unknown\n"
                "P004,2019-05-20,charleroi,private,none,none,true,unknown\n"
            )
        },
        [("consultations.csv", "2", "date", "2019-05-19", "event_before_inclusion")],
        [],
    ),
    "implausible_age": (
        {"persons.csv": P + PERSONS_ROWS.replace("P004,1999", "P004,2006").replace("P003,1970", "P003,1927")},
        [
            ("persons.csv", "4", "birth_year", "1927", "implausible_age"),
            ("persons.csv", "5", "birth_year", "2006", "implausible_age"),
            ("consultations.csv", "5", "pseudonym", "P003", "person_rejected"),
            ("consultations.csv", "6", "pseudonym", "P004", "person_rejected"),
            ("lab_results.csv", "4", "pseudonym", "P003", "person_rejected"),
            ("lab_results.csv", "5", "pseudonym", "P004", "person_rejected"),
            ("medical_acts.csv", "5", "pseudonym", "P003", "person_rejected"),
            ("medical_acts.csv", "6", "pseudonym", "P004", "person_rejected"),
        ],
        [],
    ),
    # --- keys and references -------------------------------------------------------------------
    "duplicated_pseudonyms": (
        {"persons.csv": P + PERSONS_ROWS + "P002,1994,trans,FR,2019-01-15\n"},
        [
            ("persons.csv", "3", "pseudonym", "P002", "duplicate_key"),
            ("persons.csv", "6", "pseudonym", "P002", "duplicate_key"),
            ("consultations.csv", "4", "pseudonym", "P002", "person_rejected"),
        ],
        [],
    ),
    "duplicate_consultation": (
        {
            "consultations.csv": C
            + (
                "P001,2019-02-01,bruxelles,window,none,aware,true,in_order\n"
                "P002,2019-02-01,liege,street,unknown,none,false,\n"
                "P001,01/02/2019,bruxelles,bar,none,aware,true,in_order\n"
            )
        },
        [
            (
                "consultations.csv",
                "2",
                "pseudonym, date, site",
                "P001 | 2019-02-01 | bruxelles",
                "duplicate_key",
            ),
            (
                "consultations.csv",
                "4",
                "pseudonym, date, site",
                "P001 | 2019-02-01 | bruxelles",
                "duplicate_key",
            ),
        ],
        [],
    ),
    "unknown_person": (
        {
            "lab_results.csv": L
            + (
                "P001,2019-02-01,bruxelles,hiv,negative,,2019-02-15\n"
                "P999,2019-02-01,bruxelles,hiv,negative,,\n"
            )
        },
        [("lab_results.csv", "3", "pseudonym", "P999", "unknown_person")],
        [],
    ),
    # --- lab results and medical acts ---------------------------------------------------------
    "lab_result_rules": (
        {
            "lab_results.csv": L
            + (
                "P001,2019-02-01,bruxelles,anti_hbs,positive,,\n"
                'P001,2019-02-02,bruxelles,anti_hbs,positive,"9,5",\n'
                "P001,2019-02-03,bruxelles,hiv,negative,15,\n"
                "P001,2019-02-04,bruxelles,cervical_cytology,positive,,\n"
                "P001,2019-02-05,bruxelles,syphilis,hsil,,\n"
                "P001,2019-02-06,bruxelles,hiv,negative,,2019-02-05\n"
                "P001,2019-02-07,bruxelles,hiv_rapid,negative,,\n"
            )
        },
        [
            ("lab_results.csv", "2", "titre", "", "titre_missing"),
            ("lab_results.csv", "3", "result", "positive", "titre_result_inconsistent"),
            ("lab_results.csv", "4", "titre", "15", "titre_unexpected"),
            ("lab_results.csv", "5", "result", "positive", "invalid_result"),
            ("lab_results.csv", "6", "result", "hsil", "invalid_result"),
            ("lab_results.csv", "7", "result_given_date", "2019-02-05", "result_given_before_sample"),
            ("lab_results.csv", "8", "test", "hiv_rapid", "unknown_code"),
        ],
        [],
    ),
    "medical_act_details": (
        {
            "medical_acts.csv": M
            + (
                "P001,2019-02-01,bruxelles,hbv_vaccine,5\n"
                "P001,2019-02-01,bruxelles,treatment,grippe\n"
                "P001,2019-02-01,bruxelles,referral,\n"
                "P001,2019-02-01,bruxelles,counsel,hygiène\n"
                "P001,2019-02-01,bruxelles,referral,hepatologist\n"
            )
        },
        [
            ("medical_acts.csv", "2", "detail", "5", "invalid_detail"),
            ("medical_acts.csv", "3", "detail", "grippe", "invalid_detail"),
            ("medical_acts.csv", "4", "detail", "", "invalid_detail"),
            ("medical_acts.csv", "5", "detail", "hygiène", "unexpected_detail"),
        ],
        [],
    ),
    # --- outreach tables (contacts, social_actions, activities) ------------------------------
    "valid_outreach_belgian_excel": (OUTREACH_BELGIAN, "ok", []),
    "valid_outreach_title_nbsp_thousands": (
        {
            "activities.csv": (
                "\ufeffActivités collectives 2019\n"
                + A
                + "2019-03-08,bruxelles,health_promotion,stand,1,0,1\u00a0500,200\n"
                '2019-04-02,liege,social_action,language_course,"12,0",8,,\n\n'
                "2019-05-15,namur,health_promotion,information_session,2,25,100,30\n"
                "2019-10-10,mons,other,meeting,1,6,0,0\n"
            ).encode("utf-8")
        },
        "ok",
        [],
    ),
    "valid_without_outreach_files": (
        {},
        "ok",
        ["@delete contacts.csv", "@delete social_actions.csv", "@delete activities.csv"],
    ),
    "internet_contact_platform": (
        {
            "contacts.csv": K
            + (
                "2019-02-01,bruxelles,,internet,,\n"
                "2019-02-02,bruxelles,X100,phone,facebook,\n"
                "2019-02-03,liege,X101,internet,tinder,private\n"
                "2019-02-04,liege,X101,internet,facebook,private\n"
                "2019-02-05,liege,X102,field,,garage\n"
            )
        },
        [
            ("contacts.csv", "2", "platform", "", "platform_missing"),
            ("contacts.csv", "3", "platform", "facebook", "platform_unexpected"),
            ("contacts.csv", "4", "platform", "tinder", "unknown_code"),
            ("contacts.csv", "6", "workplace", "garage", "unknown_code"),
        ],
        [],
    ),
    "first_contact_place": (
        {
            "social_actions.csv": S
            + (
                "2019-01-10,bruxelles,P001,administrative,yes,\n"
                "2019-01-11,bruxelles,P002,housing,no,office\n"
                "2019-01-12,bruxelles,X100,housing,peut-être,\n"
                "2019-01-13,liege,X101,violence,oui,rue\n"
                "2019-01-14,liege,,violence,no,\n"
                "2019-01-15,liege,X102,logement,non,\n"
                "2019-01-16,liege,X103,trafficking,o,field\n"
            )
        },
        [
            ("social_actions.csv", "2", "place", "", "place_missing"),
            ("social_actions.csv", "3", "place", "office", "place_unexpected"),
            ("social_actions.csv", "4", "first_contact", "peut-être", "invalid_boolean"),
            ("social_actions.csv", "5", "place", "rue", "unknown_code"),
            ("social_actions.csv", "6", "pseudonym", "", "empty_value"),
            ("social_actions.csv", "7", "demand", "logement", "unknown_code"),
            ("social_actions.csv", "8", "first_contact", "o", "invalid_boolean"),
        ],
        [],
    ),
    "two_first_contacts_in_a_year": (
        {
            "social_actions.csv": S
            + (
                "2019-01-10,bruxelles,P001,administrative,yes,office\n"
                "2018-12-31,bruxelles,P001,administrative,yes,office\n"
                "01/09/2019,liege,P001,housing,oui,field\n"
                "2019-03-10,liege,X100,violence,yes,phone\n"
                "2019-04-10,liege,X100,violence,no,\n"
                "2019-05-02,namur,X200,housing,1,field\n"
                "2019-05-02,liege,X200,financial,VRAI,field\n"
            )
        },
        [
            ("social_actions.csv", "2", "first_contact", "yes", "duplicate_first_contact"),
            ("social_actions.csv", "4", "first_contact", "oui", "duplicate_first_contact"),
            ("social_actions.csv", "7", "first_contact", "1", "duplicate_first_contact"),
            ("social_actions.csv", "8", "first_contact", "VRAI", "duplicate_first_contact"),
        ],
        [],
    ),
    "activity_counts": (
        {
            "activities.csv": semi(A)
            + (
                "2019-03-08;bruxelles;health_promotion;stand;1;0;-5;200\n"
                "2019-03-09;bruxelles;health_promotion;stand;0;0;100;\n"
                "2019-03-10;liege;social_action;language_course;3;-1;;\n"
                "2019-03-11;liege;social_action;language_course;2,5;8;;\n"
                "2019-03-12;namur;health_promotion;information_session;2;25;;beaucoup\n"
                "2019-03-13;namur;health_promotion;stand;1;0;1,500;\n"
                "2019-03-14;namur;health_promotion;information_session;;25;;\n"
                "2019-03-15;mons;other;meeting;-2;6;;\n"
                "2019-03-16;mons;health_promotion;stand;1;0;2.000;\n"
            )
        },
        [
            ("activities.csv", "2", "condoms", "-5", "negative_count"),
            ("activities.csv", "3", "sessions", "0", "zero_sessions"),
            ("activities.csv", "4", "participants", "-1", "negative_count"),
            ("activities.csv", "5", "sessions", "2,5", "not_a_number"),
            ("activities.csv", "6", "brochures", "beaucoup", "not_a_number"),
            ("activities.csv", "7", "condoms", "1,500", "not_a_number"),
            ("activities.csv", "8", "sessions", "", "empty_value"),
            ("activities.csv", "9", "sessions", "-2", "negative_count"),
        ],
        [],
    ),
    "outreach_unknown_codes": (
        {
            "contacts.csv": K + ("2019-02-01,brussel,P001,terrain,,\n" "2019-02-02,bruxelles,,,,\n"),
            "activities.csv": A
            + ("2019-03-08,bruxelles,sante,stand,1,0,,\n" "2019-03-09,bruxelles,other,atelier,1,0,,\n"),
        },
        [
            ("contacts.csv", "2", "site", "brussel", "unknown_code"),
            ("contacts.csv", "2", "channel", "terrain", "unknown_code"),
            ("contacts.csv", "3", "channel", "", "empty_value"),
            ("activities.csv", "2", "programme", "sante", "unknown_code"),
            ("activities.csv", "3", "type", "atelier", "unknown_code"),
        ],
        [],
    ),
    "outreach_dates": (
        {
            "contacts.csv": K + ("2019-12-31,bruxelles,,field,,\n" "01/01/2020,bruxelles,,field,,\n"),
            "social_actions.csv": S + "31/02/2019,liege,X100,housing,no,\n",
            # 31/12/9999 (Excel's "no date") is beyond datetime64[ns]: out of range, no crash
            "activities.csv": A + "1989-06-30,mons,other,meeting,1,6,,\n"
            "31/12/9999,mons,other,meeting,1,6,,\n",
        },
        [
            ("contacts.csv", "3", "date", "01/01/2020", "date_out_of_range"),
            ("social_actions.csv", "2", "date", "31/02/2019", "date_unparseable"),
            ("activities.csv", "2", "date", "1989-06-30", "date_out_of_range"),
            ("activities.csv", "3", "date", "31/12/9999", "date_out_of_range"),
        ],
        ["@year 2019"],
    ),
    "outreach_missing_column_empty_file": (
        {
            "contacts.csv": "date,site,pseudonym,channel,workplace\n2019-02-01,bruxelles,,field,\n",
            "activities.csv": A,
        },
        [
            ("contacts.csv", "-", "platform", "-", "missing_column"),
            ("activities.csv", "-", "-", "-", "empty_file"),
        ],
        [],
    ),
    "line_numbers_blank_and_multiline": (
        {
            "consultations.csv": C
            + (
                "P001,2019-02-01,bruxelles,window,none,aware,true,in_order\n\n"
                '"P001",2019-04-10,"bruxel\nles",window,unaware,aware,false,\n'
                "P002,2019-02-01,liege,strete,unknown,none,false,\n"
            )
        },
        [
            ("consultations.csv", "4", "site", "bruxel\nles", "unknown_code"),
            ("consultations.csv", "6", "workplace", "strete", "unknown_code"),
        ],
        [],
    ),
    # --- issue 11: validation that never misreads ---------------------------------------------
    # every current ISO 3166-1 code is accepted (GB and GR were refused), and Kosovo's XK
    "valid_nationalities_gb_gr": (
        {
            "persons.csv": P
            + PERSONS_ROWS.replace(",RO,", ",GB,").replace(",BE,", ",GR,")
            + "P005,1990,woman,SS,2018-01-10\n"
            "P006,1991,woman,XK,2018-01-11\nP007,1992,man,GE,2018-01-12\n"
            "P008,1993,woman,SK,2018-01-13\n"
        },
        "ok",
        [],
    ),
    # withdrawn codes (ISO 3166-3) are refused at validation, naming the line and the value
    "nationality_withdrawn_codes": (
        {
            "persons.csv": P
            + PERSONS_ROWS
            + (
                "P005,1990,woman,AN,2018-01-10\nP006,1991,woman,YU,2018-01-11\n"
                "P007,1992,man,cs,2018-01-12\nP008,1993,woman,ZR,2018-01-13\n"
                "P009,1994,woman,TP,2018-01-14\n"
            )
        },
        [
            ("persons.csv", "6", "nationality", "AN", "withdrawn_code"),
            ("persons.csv", "7", "nationality", "YU", "withdrawn_code"),
            ("persons.csv", "8", "nationality", "cs", "withdrawn_code"),
            ("persons.csv", "9", "nationality", "ZR", "withdrawn_code"),
            ("persons.csv", "10", "nationality", "TP", "withdrawn_code"),
        ],
        [],
    ),
    # headers that normalise to one name: the whole file is refused at its header line
    "duplicate_header_names": (
        {
            "consultations.csv": (
                "pseudonym,date,site,workplace,gp,gynaecologist,coverage_asked,coverage_status,SITE,site \n"
                "P001,2019-02-01,bruxelles,window,none,aware,true,in_order,liege,namur\n"
            )
        },
        [("consultations.csv", "1", "site", "site | SITE | site ", "duplicate_column")],
        [],
    ),
    "duplicate_header_exact": (
        {
            "medical_acts.csv": (
                "pseudonym,date,site,act,detail,site\n" "P001,2019-02-01,bruxelles,hbv_vaccine,1,liege\n"
            )
        },
        [("medical_acts.csv", "1", "site", "site | site", "duplicate_column")],
        [],
    ),
    # a file cut inside its last line (no final newline): birth_year 1999 read as 1
    "truncated_last_line": (
        {"persons.csv": P + PERSONS_ROWS[: -len("999,woman,NG,2019-05-20\n")]},
        [
            ("persons.csv", "5", "birth_year", "1", "missing_fields"),
            ("consultations.csv", "6", "pseudonym", "P004", "person_rejected"),
            ("lab_results.csv", "5", "pseudonym", "P004", "person_rejected"),
            ("medical_acts.csv", "6", "pseudonym", "P004", "person_rejected"),
        ],
        [],
    ),
    # a record short of separators inside the file, CRLF and semicolons
    "short_row_inside_file": (
        {
            "medical_acts.csv": semi(
                M
                + (
                    "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
                    "P001,2019-04-10,bruxelles,hbv_vaccine\n"
                    "P003,2019-03-03,saint_trond,referral,gynaecologist\n"
                )
            ).replace("\n", "\r\n")
        },
        [("medical_acts.csv", "3", "act", "hbv_vaccine", "missing_fields")],
        [],
    ),
    # 1e3 is not read as 1000 in a whole-number column (any case, sign or decimal mantissa)
    "scientific_notation": (
        {
            "activities.csv": A
            + (
                "2019-03-08,bruxelles,health_promotion,stand,1,0,1e3,200\n"
                "2019-04-02,liege,social_action,language_course,1.2E1,8,,\n"
                '2019-05-15,namur,health_promotion,information_session,2,25,100,"3,0e1"\n'
            ),
            "persons.csv": P + PERSONS_ROWS.replace("P003,1970", "P003,1.97e3"),
        },
        [
            ("activities.csv", "2", "condoms", "1e3", "scientific_notation"),
            ("activities.csv", "3", "sessions", "1.2E1", "scientific_notation"),
            ("activities.csv", "4", "brochures", "3,0e1", "scientific_notation"),
            ("persons.csv", "4", "birth_year", "1.97e3", "scientific_notation"),
            ("consultations.csv", "5", "pseudonym", "P003", "person_rejected"),
            ("lab_results.csv", "4", "pseudonym", "P003", "person_rejected"),
            ("medical_acts.csv", "5", "pseudonym", "P003", "person_rejected"),
        ],
        [],
    ),
    # above the column's bound in the contract (schemas.INT_BOUNDS), up to 2**63 and beyond:
    # a rule violation, not a crash
    "numbers_out_of_range": (
        {
            "activities.csv": A
            + (
                "2019-03-08,bruxelles,health_promotion,stand,1,0,150000,200\n"
                "2019-04-02,liege,social_action,language_course,367,8,,\n"
                "2019-05-15,namur,health_promotion,information_session,2,9223372036854775808,100,\n"
                "2019-10-10,mons,other,meeting,1,6,0,-99999999999999999999\n"
                "2019-10-11,mons,other,meeting,1,10000,100000,100000\n"
            ),
            "persons.csv": P + PERSONS_ROWS.replace("P002,1994", "P002,18446744073709551616"),
        },
        [
            ("activities.csv", "2", "condoms", "150000", "number_out_of_range"),
            ("activities.csv", "3", "sessions", "367", "number_out_of_range"),
            ("activities.csv", "4", "participants", "9223372036854775808", "number_out_of_range"),
            ("activities.csv", "5", "brochures", "-99999999999999999999", "number_out_of_range"),
            ("persons.csv", "3", "birth_year", "18446744073709551616", "number_out_of_range"),
            ("consultations.csv", "4", "pseudonym", "P002", "person_rejected"),
        ],
        [],
    ),
    # every person rejected (dates with dots): the same clean summary as one row rejected
    "all_persons_rejected": (
        {
            "persons.csv": P
            + (
                "P001,1985,woman,RO,02.03.2017\nP002,1994,trans,,15.01.2019\n"
                "P003,1970,man,BE,12.06.2018\nP004,1999,woman,NG,11.02.2019\n"
            )
        },
        [
            ("persons.csv", "2", "inclusion_date", "02.03.2017", "date_unparseable"),
            ("persons.csv", "3", "inclusion_date", "15.01.2019", "date_unparseable"),
            ("persons.csv", "4", "inclusion_date", "12.06.2018", "date_unparseable"),
            ("persons.csv", "5", "inclusion_date", "11.02.2019", "date_unparseable"),
        ]
        + [
            (f, str(ln), "pseudonym", p, "person_rejected")
            for f, ln, p in (
                ("consultations.csv", 2, "P001"),
                ("consultations.csv", 3, "P001"),
                ("consultations.csv", 4, "P002"),
                ("consultations.csv", 5, "P003"),
                ("consultations.csv", 6, "P004"),
                ("lab_results.csv", 2, "P001"),
                ("lab_results.csv", 3, "P001"),
                ("lab_results.csv", 4, "P003"),
                ("lab_results.csv", 5, "P004"),
                ("medical_acts.csv", 2, "P001"),
                ("medical_acts.csv", 3, "P001"),
                ("medical_acts.csv", 4, "P001"),
                ("medical_acts.csv", 5, "P003"),
                ("medical_acts.csv", 6, "P004"),
            )
        ],
        [],
    ),
    # XLSX cases: `<table>.xlsx.json` = {sheet name: rows}; the test writes the workbook with
    # openpyxl (a text starting with "=" is a formula, saved without a computed value)
    "xlsx_formula_without_value": (
        {
            "activities.xlsx.json": json.dumps(
                {
                    "activities": [
                        ACTIVITY_HEADER,
                        ["2019-03-08", "bruxelles", "health_promotion", "stand", 1, 0, "=1000+500", 200],
                        ["2019-04-02", "liege", "social_action", "language_course", 12, 8, None, None],
                        [
                            "2019-05-15",
                            "namur",
                            "health_promotion",
                            "information_session",
                            2,
                            "=20+5",
                            100,
                            30,
                        ],
                    ]
                },
                indent=1,
            )
        },
        [("activities.xlsx", "2", "condoms", "=1000+500", "formula_without_value")],
        ["@delete activities.csv"],
    ),
    "xlsx_sheets_none_named_after_table": (
        {
            "activities.xlsx.json": json.dumps(
                {
                    "Feuil1": [
                        ACTIVITY_HEADER,
                        ["2019-03-08", "bruxelles", "health_promotion", "stand", 1, 0, 1500, 200],
                    ],
                    "Feuil2": [["notes"], ["à revoir"]],
                },
                indent=1,
            )
        },
        [("activities.xlsx", "-", "-", "Feuil1 | Feuil2", "sheet_not_found")],
        ["@delete activities.csv"],
    ),
    "valid_xlsx_sheet_named_after_table": (
        {
            "activities.xlsx.json": json.dumps(
                {
                    "Notes": [["notes"], ["à revoir"]],
                    "Activities": [
                        ACTIVITY_HEADER,
                        ["2019-03-08", "bruxelles", "health_promotion", "stand", 1, 0, 1500, 200],
                    ],
                },
                indent=1,
            )
        },
        "ok",
        ["@delete activities.csv"],
    ),
    "xlsx_duplicate_header": (
        {
            "activities.xlsx.json": json.dumps(
                {
                    "Feuil1": [
                        ACTIVITY_HEADER + ["Sessions"],
                        ["2019-03-08", "bruxelles", "health_promotion", "stand", 1, 0, 1500, 200, 3],
                    ]
                },
                indent=1,
            )
        },
        [("activities.xlsx", "1", "sessions", "sessions | Sessions", "duplicate_column")],
        ["@delete activities.csv"],
    ),
}


def write_case(name: str, files: dict, expected, directives: list[str]) -> None:
    case = HERE / name
    if case.exists():
        shutil.rmtree(case)
    case.mkdir()
    for file_name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (case / file_name).write_bytes(data)
    lines = list(directives)
    if expected == "ok":
        lines.append("ok")
    else:
        lines += ["\t".join(row).replace("\n", "\\n") for row in expected]
    (case / "expected.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    for name, (files, expected, directives) in CASES.items():
        write_case(name, files, expected, directives)


if __name__ == "__main__":
    main()
