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

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent

P = "pseudonym,birth_year,gender,nationality,inclusion_date\n"
C = "pseudonym,date,site,workplace,gp,gynaecologist,coverage_asked,coverage_status\n"
L = "pseudonym,sample_date,site,test,result,titre,result_given_date\n"
M = "pseudonym,date,site,act,detail\n"
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


# case -> (files {name: bytes or str}, expected rows or "ok", directives)
CASES: dict[str, tuple[dict, object, list[str]]] = {
    # --- valid exports in the formats Belgian Excel writes --------------------------------
    "valid_utf8_bom": ({"persons.csv": ("\ufeff" + P + PERSONS_ROWS).encode("utf-8")}, "ok", []),
    "valid_semicolon_decimal_comma": ({"lab_results.csv": semi(L) + (
        "P001;2019-02-01;bruxelles;hiv;negative;;2019-02-15\n"
        "P001;2019-02-01;bruxelles;anti_hbs;positive;120,5;2019-02-15\n"
        "P003;2019-03-03;saint_trond;cervical_cytology;lsil;;2019-03-20\n"
        "P004;2019-06-01;charleroi;chlamydia;positive;;\n")}, "ok", []),
    "valid_belgian_dates": ({"consultations.csv": C + (
        "P001,01/02/2019,bruxelles,window,none,aware,true,in_order\n"
        "P001,10/04/2019,bruxelles,window,unaware,aware,false,\n"
        "P002,1/02/2019,liege,street,unknown,none,false,\n"
        "P003,03/03/2019,saint_trond,bar,aware,unaware,true,not_in_order\n"
        "P004,01/06/2019,charleroi,private,none,none,true,unknown\n")}, "ok", []),
    "valid_belgian_excel_cp1252": ({"persons.csv": (semi(P) + (
        "P001;1985;woman;RO;02/03/2017\n"
        "P002;1994;trans;;15/01/2019\n"
        "P003;1970;man;BE;12/06/2018\n"
        "P004;1999;woman;NG;20/05/2019\n"
        "PÉ05;1988;woman;FR;01/09/2018\n")).replace("\n", "\r\n").encode("cp1252"),
        "consultations.csv": (semi(C) + (
            "P001;01/02/2019;bruxelles;window;none;aware;VRAI;in_order\n"
            "P001;10/04/2019;bruxelles;window;unaware;aware;FAUX;\n"
            "P002;01/02/2019;liege;street;unknown;none;FAUX;\n"
            "P003;03/03/2019;saint_trond;bar;aware;unaware;VRAI;not_in_order\n"
            "P004;01/06/2019;charleroi;private;none;none;VRAI;unknown\n"
            "PÉ05;05/06/2019;namur;street;none;none;FAUX;\n")).replace("\n", "\r\n").encode(
                "cp1252")},
        "ok", []),
    "valid_utf16_tabs": ({"medical_acts.csv": (M + (
        "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
        "P001,2019-04-10,bruxelles,hbv_vaccine,2\n"
        "P001,2019-04-10,bruxelles,counsel,\n"
        "P003,2019-03-03,saint_trond,referral,gynaecologist\n"
        "P004,2019-06-01,charleroi,treatment,chlamydia\n")).replace(",", "\t").encode("utf-16")},
        "ok", []),
    "valid_title_line_blank_lines_case": ({"persons.csv": (
        "Export Espace P 2019,,,,\n" + P + "P001,1985,Woman ,ro,2017-03-02\n\n"
        "P002,1994,TRANS,,2019-01-15\n \nP003,1970, man,BE ,2018-06-12\n"
        "P004,1999,woman,NG,2019-05-20\n")}, "ok", []),
    # --- encodings and broken files --------------------------------------------------------
    "cp1252_accents_unknown_code": ({"persons.csv": (P + (
        "P001,1985,woman,RO,2017-03-02\nP002,1994,féminin,,2019-01-15\n"
        "P003,1970,man,BE,2018-06-12\nP004,1999,woman,NG,2019-05-20\n")).encode("cp1252")},
        [("persons.csv", "3", "gender", "féminin", "unknown_code"),
         ("consultations.csv", "4", "pseudonym", "P002", "person_rejected")], []),
    "undecodable_bytes": ({"persons.csv": P.encode() + b"P001,1985,woman,RO,2017-03-02\x81\x8d\n"},
                          [("persons.csv", "-", "-", "-", "unreadable_file")] + UNAVAILABLE, []),
    "xlsx_renamed_csv": ({"persons.csv": b"PK\x03\x04\x14\x00\x06\x00garbage"},
                         [("persons.csv", "-", "-", "-", "unreadable_file")] + UNAVAILABLE, []),
    "ragged_row": ({"medical_acts.csv": M + "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
                    "P001,2019-04-10,bruxelles,counsel,,extra,fields\n"},
                   [("medical_acts.csv", "-", "-", "-", "unreadable_file")], []),
    "empty_file_zero_bytes": ({"medical_acts.csv": b""},
                              [("medical_acts.csv", "-", "-", "-", "empty_file")], []),
    "empty_file_header_only": ({"lab_results.csv": L},
                               [("lab_results.csv", "-", "-", "-", "empty_file")], []),
    "missing_file": ({}, [("consultations.csv", "-", "-", "-", "missing_file")],
                     ["@delete consultations.csv"]),
    # --- columns -----------------------------------------------------------------------------
    "missing_column": ({"consultations.csv": (
        "pseudonym,date,site,gp,gynaecologist,coverage_asked,coverage_status\n"
        "P001,2019-02-01,bruxelles,none,aware,true,in_order\n")},
        [("consultations.csv", "-", "workplace", "-", "missing_column")], []),
    "renamed_column": ({"persons.csv": P.replace("birth_year", "birthyear") + PERSONS_ROWS},
                       [("persons.csv", "-", "birth_year", "-", "missing_column")] + UNAVAILABLE,
                       []),
    # --- codes and values ---------------------------------------------------------------------
    "unknown_codes": ({"consultations.csv": C + (
        "P001,2019-02-01,brussel,window,none,aware,true,in_order\n"
        "P001,2019-04-10,bruxelles,rue,unaware,aware,false,\n"
        "P002,2019-02-01,liege,street,yes,none,false,\n")},
        [("consultations.csv", "2", "site", "brussel", "unknown_code"),
         ("consultations.csv", "3", "workplace", "rue", "unknown_code"),
         ("consultations.csv", "4", "gp", "yes", "unknown_code")], []),
    "unknown_nationality": ({"persons.csv": P + PERSONS_ROWS.replace("RO", "ROU").replace(
        "NG", "Nigeria")},
        [("persons.csv", "2", "nationality", "ROU", "unknown_code"),
         ("persons.csv", "5", "nationality", "Nigeria", "unknown_code")]
        + [(f, ln, "pseudonym", p, "person_rejected") for f, ln, p in (
            ("consultations.csv", "2", "P001"), ("consultations.csv", "3", "P001"),
            ("consultations.csv", "6", "P004"), ("lab_results.csv", "2", "P001"),
            ("lab_results.csv", "3", "P001"), ("lab_results.csv", "5", "P004"),
            ("medical_acts.csv", "2", "P001"), ("medical_acts.csv", "3", "P001"),
            ("medical_acts.csv", "4", "P001"), ("medical_acts.csv", "6", "P004"))], []),
    "empty_required_values": ({"medical_acts.csv": M + "P001,2019-02-01,bruxelles,,\n"
                               ",2019-04-10,bruxelles,counsel,\n"},
                              [("medical_acts.csv", "2", "act", "", "empty_value"),
                               ("medical_acts.csv", "3", "pseudonym", "", "empty_value")], []),
    "not_a_number": ({"persons.csv": P + (
        "P001,abc,woman,RO,2017-03-02\nP002,1994.5,trans,,2019-01-15\n"
        "P003,1970,man,BE,2018-06-12\nP004,1999,woman,NG,2019-05-20\n")},
        [("persons.csv", "2", "birth_year", "abc", "not_a_number"),
         ("persons.csv", "3", "birth_year", "1994.5", "not_a_number")]
        + [(f, ln, "pseudonym", p, "person_rejected") for f, ln, p in (
            ("consultations.csv", "2", "P001"), ("consultations.csv", "3", "P001"),
            ("consultations.csv", "4", "P002"), ("lab_results.csv", "2", "P001"),
            ("lab_results.csv", "3", "P001"), ("medical_acts.csv", "2", "P001"),
            ("medical_acts.csv", "3", "P001"), ("medical_acts.csv", "4", "P001"))], []),
    "negative_titre": ({"lab_results.csv": L + "P001,2019-02-01,bruxelles,anti_hbs,negative,-5,\n"},
                       [("lab_results.csv", "2", "titre", "-5", "negative_number")], []),
    "invalid_boolean_and_coverage": ({"consultations.csv": C + (
        "P001,2019-02-01,bruxelles,window,none,aware,peut-être,\n"
        "P001,2019-04-10,bruxelles,window,unaware,aware,false,in_order\n")},
        [("consultations.csv", "2", "coverage_asked", "peut-être", "invalid_boolean"),
         ("consultations.csv", "3", "coverage_status", "in_order", "unexpected_coverage_status")],
        []),
    # --- dates -------------------------------------------------------------------------------------
    "date_unparseable": ({"consultations.csv": C + (
        "P001,2019-02-30,bruxelles,window,none,aware,true,in_order\n"
        "P001,1er avril 2019,bruxelles,window,unaware,aware,false,\n"
        "P002,02/15/2019,liege,street,unknown,none,false,\n")},
        [("consultations.csv", "2", "date", "2019-02-30", "date_unparseable"),
         ("consultations.csv", "3", "date", "1er avril 2019", "date_unparseable"),
         ("consultations.csv", "4", "date", "02/15/2019", "date_unparseable")], []),
    "date_in_future": ({"consultations.csv": C + (
        "P001,2031-02-01,bruxelles,window,none,aware,true,in_order\n")},
        [("consultations.csv", "2", "date", "2031-02-01", "date_out_of_range")], []),
    "date_after_declared_year": ({"medical_acts.csv": M + (
        "P001,2019-12-31,bruxelles,counsel,\nP001,01/01/2020,bruxelles,counsel,\n")},
        [("medical_acts.csv", "3", "date", "01/01/2020", "date_out_of_range")], ["@year 2019"]),
    "date_before_1990": ({"persons.csv": P + PERSONS_ROWS.replace("2018-06-12", "1989-12-31")},
                         [("persons.csv", "4", "inclusion_date", "1989-12-31", "date_out_of_range"),
                          ("consultations.csv", "5", "pseudonym", "P003", "person_rejected"),
                          ("lab_results.csv", "4", "pseudonym", "P003", "person_rejected"),
                          ("medical_acts.csv", "5", "pseudonym", "P003", "person_rejected")], []),
    "event_before_birth": ({"lab_results.csv": L + "P004,1995-03-01,charleroi,hiv,negative,,\n"},
                           [("lab_results.csv", "2", "sample_date", "1995-03-01",
                             "event_before_birth")], []),
    "event_before_inclusion": ({"consultations.csv": C + (
        "P004,2019-05-19,charleroi,private,none,none,true,unknown\n"
        "P004,2019-05-20,charleroi,private,none,none,true,unknown\n")},
        [("consultations.csv", "2", "date", "2019-05-19", "event_before_inclusion")], []),
    "implausible_age": ({"persons.csv": P + PERSONS_ROWS.replace("P004,1999", "P004,2006")
                         .replace("P003,1970", "P003,1927")},
                        [("persons.csv", "4", "birth_year", "1927", "implausible_age"),
                         ("persons.csv", "5", "birth_year", "2006", "implausible_age"),
                         ("consultations.csv", "5", "pseudonym", "P003", "person_rejected"),
                         ("consultations.csv", "6", "pseudonym", "P004", "person_rejected"),
                         ("lab_results.csv", "4", "pseudonym", "P003", "person_rejected"),
                         ("lab_results.csv", "5", "pseudonym", "P004", "person_rejected"),
                         ("medical_acts.csv", "5", "pseudonym", "P003", "person_rejected"),
                         ("medical_acts.csv", "6", "pseudonym", "P004", "person_rejected")], []),
    # --- keys and references -------------------------------------------------------------------
    "duplicated_pseudonyms": ({"persons.csv": P + PERSONS_ROWS + "P002,1994,trans,FR,2019-01-15\n"},
                              [("persons.csv", "3", "pseudonym", "P002", "duplicate_key"),
                               ("persons.csv", "6", "pseudonym", "P002", "duplicate_key"),
                               ("consultations.csv", "4", "pseudonym", "P002", "person_rejected")],
                              []),
    "duplicate_consultation": ({"consultations.csv": C + (
        "P001,2019-02-01,bruxelles,window,none,aware,true,in_order\n"
        "P002,2019-02-01,liege,street,unknown,none,false,\n"
        "P001,01/02/2019,bruxelles,bar,none,aware,true,in_order\n")},
        [("consultations.csv", "2", "pseudonym, date, site", "P001 | 2019-02-01 | bruxelles",
          "duplicate_key"),
         ("consultations.csv", "4", "pseudonym, date, site", "P001 | 2019-02-01 | bruxelles",
          "duplicate_key")], []),
    "unknown_person": ({"lab_results.csv": L + (
        "P001,2019-02-01,bruxelles,hiv,negative,,2019-02-15\n"
        "P999,2019-02-01,bruxelles,hiv,negative,,\n")},
        [("lab_results.csv", "3", "pseudonym", "P999", "unknown_person")], []),
    # --- lab results and medical acts ---------------------------------------------------------
    "lab_result_rules": ({"lab_results.csv": L + (
        "P001,2019-02-01,bruxelles,anti_hbs,positive,,\n"
        "P001,2019-02-02,bruxelles,anti_hbs,positive,\"9,5\",\n"
        "P001,2019-02-03,bruxelles,hiv,negative,15,\n"
        "P001,2019-02-04,bruxelles,cervical_cytology,positive,,\n"
        "P001,2019-02-05,bruxelles,syphilis,hsil,,\n"
        "P001,2019-02-06,bruxelles,hiv,negative,,2019-02-05\n"
        "P001,2019-02-07,bruxelles,hiv_rapid,negative,,\n")},
        [("lab_results.csv", "2", "titre", "", "titre_missing"),
         ("lab_results.csv", "3", "result", "positive", "titre_result_inconsistent"),
         ("lab_results.csv", "4", "titre", "15", "titre_unexpected"),
         ("lab_results.csv", "5", "result", "positive", "invalid_result"),
         ("lab_results.csv", "6", "result", "hsil", "invalid_result"),
         ("lab_results.csv", "7", "result_given_date", "2019-02-05", "result_given_before_sample"),
         ("lab_results.csv", "8", "test", "hiv_rapid", "unknown_code")], []),
    "medical_act_details": ({"medical_acts.csv": M + (
        "P001,2019-02-01,bruxelles,hbv_vaccine,5\n"
        "P001,2019-02-01,bruxelles,treatment,grippe\n"
        "P001,2019-02-01,bruxelles,referral,\n"
        "P001,2019-02-01,bruxelles,counsel,hygiène\n"
        "P001,2019-02-01,bruxelles,referral,hepatologist\n")},
        [("medical_acts.csv", "2", "detail", "5", "invalid_detail"),
         ("medical_acts.csv", "3", "detail", "grippe", "invalid_detail"),
         ("medical_acts.csv", "4", "detail", "", "invalid_detail"),
         ("medical_acts.csv", "5", "detail", "hygiène", "unexpected_detail")], []),
    "line_numbers_blank_and_multiline": ({"consultations.csv": C + (
        "P001,2019-02-01,bruxelles,window,none,aware,true,in_order\n\n"
        "\"P001\",2019-04-10,\"bruxel\nles\",window,unaware,aware,false,\n"
        "P002,2019-02-01,liege,strete,unknown,none,false,\n")},
        [("consultations.csv", "4", "site", "bruxel\nles", "unknown_code"),
         ("consultations.csv", "6", "workplace", "strete", "unknown_code")], []),
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
