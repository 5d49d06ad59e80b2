"""Loading and validation of the record-level exports (issue 2, issue 5 "Bad input").

The valid base data set `BASE` is written by the tests; the corpus of malformed
exports lives in ``tests/bad_inputs/<case>/`` (see ``make_corpus.py`` there):
each case overlays its file(s) on `BASE` and lists, in ``expected.txt``, the
exact rejections (file, line, column, value, rule) worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from espacep_analysis import codes, schemas
from espacep_analysis.errors import EspacepError
from espacep_analysis.load import (
    Rejection,
    load_dataset,
    parse_dates,
    parse_numbers,
    read_table,
    validate_and_load,
    validate_directory,
)
from espacep_analysis.sites import load_sites

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
TODAY = dt.date(2020, 6, 30)  # fixed "today" so date ranges do not drift
SITES = load_sites()  # read once: every call below passes it (default: the same file)

BASE = {
    "persons.csv": (
        "pseudonym,birth_year,gender,nationality,inclusion_date\n"
        "P001,1985,woman,RO,2017-03-02\n"
        "P002,1994,trans,,2019-01-15\n"
        "P003,1970,man,BE,2018-06-12\n"
        "P004,1999,woman,NG,2019-05-20\n"
    ),
    "consultations.csv": (
        "pseudonym,date,site,workplace,gp,gynaecologist,coverage_asked,coverage_status\n"
        "P001,2019-02-01,bruxelles,window,none,aware,true,in_order\n"
        "P001,2019-04-10,bruxelles,window,unaware,aware,false,\n"
        "P002,2019-02-01,liege,street,unknown,none,false,\n"
        "P003,2019-03-03,saint_trond,bar,aware,unaware,true,not_in_order\n"
        "P004,2019-06-01,charleroi,private,none,none,true,unknown\n"
    ),
    "lab_results.csv": (
        "pseudonym,sample_date,site,test,result,titre,result_given_date\n"
        "P001,2019-02-01,bruxelles,hiv,negative,,2019-02-15\n"
        "P001,2019-02-01,bruxelles,anti_hbs,positive,120.5,2019-02-15\n"
        "P003,2019-03-03,saint_trond,cervical_cytology,lsil,,2019-03-20\n"
        "P004,2019-06-01,charleroi,chlamydia,positive,,\n"
    ),
    "medical_acts.csv": (
        "pseudonym,date,site,act,detail\n"
        "P001,2019-02-01,bruxelles,hbv_vaccine,1\n"
        "P001,2019-04-10,bruxelles,hbv_vaccine,2\n"
        "P001,2019-04-10,bruxelles,counsel,\n"
        "P003,2019-03-03,saint_trond,referral,gynaecologist\n"
        "P004,2019-06-01,charleroi,treatment,chlamydia\n"
    ),
    # Outreach (optional files). X100..X102 are not in persons, on purpose: outreach
    # meets many persons never seen medically; line 3 is an anonymous contact.
    "contacts.csv": (
        "date,site,pseudonym,channel,platform,workplace\n"
        "2019-02-01,bruxelles,P001,field,,window\n"
        "2019-02-03,bruxelles,,field,,street\n"
        "2019-03-10,liege,X100,internet,quartier_rouge,private\n"
        "2019-04-05,namur,X101,phone,,\n"
        "2019-05-06,charleroi,P004,office,,other\n"
    ),
    "social_actions.csv": (  # X100: one first contact in 2018 and one in 2019 (allowed)
        "date,site,pseudonym,demand,first_contact,place\n"
        "2019-01-10,bruxelles,P001,administrative,yes,office\n"
        "2019-03-12,bruxelles,P001,housing,no,\n"
        "2019-03-10,liege,X100,violence,yes,other_media\n"
        "2018-11-20,liege,X100,addiction,yes,field\n"
        "2019-06-01,charleroi,X102,prevention_material,no,\n"
    ),
    "activities.csv": (
        "date,site,programme,type,sessions,participants,condoms,brochures\n"
        "2019-03-08,bruxelles,health_promotion,stand,1,0,1500,200\n"
        "2019-04-02,liege,social_action,language_course,12,8,,\n"
        "2019-05-15,namur,health_promotion,information_session,2,25,100,30\n"
        "2019-10-10,mons,other,meeting,1,6,0,0\n"
    ),
}
MEDICAL = ("persons", "consultations", "lab_results", "medical_acts")
OUTREACH = ("contacts", "social_actions", "activities")


def write_base(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in BASE.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def base_dir(tmp_path) -> Path:
    return write_base(tmp_path / "data")


@pytest.fixture(scope="module")
def base_run(tmp_path_factory) -> tuple:
    """(directory, dataset, report) of `BASE`, validated once for the module."""
    directory = write_base(tmp_path_factory.mktemp("base"))
    return (directory, *validate_and_load(directory, today=TODAY, sites=SITES))


def keyset(report) -> set[tuple]:
    """Rejections as (file, line, column, value, rule) with '-' for None (as expected.txt)."""
    return {
        (
            r.file,
            "-" if r.line is None else str(r.line),
            r.column or "-",
            "-" if r.value is None else r.value,
            r.rule,
        )
        for r in report.rejections
    }


# --- the valid base data set ----------------------------------------------------------------------
def test_valid_fixture_loads_with_dtypes_counts_and_sources(base_run):
    base_dir, _, report = base_run
    assert report.ok
    counts = report.counts()
    # rows of BASE, counted by hand: 4 persons, 5 consultations, 4 results, 5 acts,
    # 5 contacts, 5 social actions, 4 activities
    assert counts["read"].to_dict() == {
        "persons": 4,
        "consultations": 5,
        "lab_results": 4,
        "medical_acts": 5,
        "contacts": 5,
        "social_actions": 5,
        "activities": 4,
    }
    assert (counts["accepted"] == counts["read"]).all() and (counts["rejected"] == 0).all()
    assert counts["present"].all()

    ds = load_dataset(base_dir, today=TODAY, sites=SITES)
    assert ds.persons["birth_year"].dtype == "Int64"
    assert ds.persons["inclusion_date"].dtype == "datetime64[ns]"
    assert isinstance(ds.persons["pseudonym"].dtype, pd.StringDtype)
    assert ds.persons["pseudonym"].dtype.na_value is pd.NA
    assert ds.persons["nationality"].isna().tolist() == [False, True, False, False]
    assert ds.consultations["coverage_asked"].dtype == bool
    assert ds.consultations["coverage_asked"].tolist() == [True, False, False, True, True]
    assert ds.consultations["date"].dtype == "datetime64[ns]"
    assert ds.lab_results["titre"].dtype == "float64"
    assert ds.lab_results["titre"].iloc[1] == 120.5 and ds.lab_results["titre"].isna().sum() == 3
    assert ds.lab_results["result_given_date"].isna().tolist() == [False, False, False, True]
    assert ds.medical_acts["detail"].tolist()[:2] == ["1", "2"]
    assert ds.persons["inclusion_date"].iloc[2] == pd.Timestamp("2018-06-12")
    assert ds.years == [2019]
    assert ds.sources == {name: hashlib.sha256(text.encode()).hexdigest() for name, text in BASE.items()}


def test_format_counts_line_and_ok(base_run):
    text = base_run[2].format()
    assert text.splitlines()[0] == "persons.csv: 4 lues, 4 acceptées, 0 rejetées"
    assert "social_actions.csv: 5 lues, 5 acceptées, 0 rejetées" in text
    assert "absent" not in text and "Aucune ligne rejetée." in text


def test_outreach_tables_load_with_dtypes_and_values(base_run):
    ds = base_run[1]
    contacts, social, activities = ds.contacts, ds.social_actions, ds.activities
    assert list(contacts.columns) == list(codes.COLUMNS["contacts"])
    assert contacts["date"].dtype == "datetime64[ns]"
    for column in ("site", "pseudonym", "channel", "platform", "workplace"):
        assert isinstance(contacts[column].dtype, pd.StringDtype), column
    # line 3 is anonymous; X100, X101 are not in persons and still load
    assert contacts["pseudonym"].tolist() == ["P001", pd.NA, "X100", "X101", "P004"]
    assert contacts["platform"].tolist() == [pd.NA, pd.NA, "quartier_rouge", pd.NA, pd.NA]
    assert social["first_contact"].dtype == bool
    assert social["first_contact"].tolist() == [True, False, True, True, False]
    assert social["place"].tolist() == ["office", pd.NA, "other_media", "field", pd.NA]
    for column in ("sessions", "participants", "condoms", "brochures"):
        assert activities[column].dtype == "Int64", column
    assert activities["condoms"].tolist() == [1500, pd.NA, 100, 0]
    assert int(activities["sessions"].sum()) == 1 + 12 + 2 + 1
    assert activities["date"].iloc[3] == pd.Timestamp("2019-10-10")


def test_directory_without_outreach_files_loads(base_run, tmp_path):
    ds, report = run_corpus("valid_without_outreach_files", tmp_path)
    assert report.ok
    for table in OUTREACH:  # empty, with the columns and dtypes of a loaded table
        frame, loaded = getattr(ds, table), getattr(base_run[1], table)
        assert len(frame) == 0
        pd.testing.assert_series_equal(frame.dtypes, loaded.dtypes)
        assert not report.tables[table].present
    lines = report.format().splitlines()
    assert lines[4:] == [
        "contacts.csv: absent (facultatif)",
        "social_actions.csv: absent (facultatif)",
        "activities.csv: absent (facultatif)",
        "Aucune ligne rejetée.",
    ]
    counts = report.counts()
    assert counts["present"].tolist() == [True] * 4 + [False] * 3
    assert counts.loc[list(OUTREACH), "read"].tolist() == [0, 0, 0]
    assert set(ds.sources) == {f"{t}.csv" for t in MEDICAL}
    assert len(ds.consultations) == 5  # the medical tables are untouched


# --- the corpus of malformed exports ---------------------------------------------------------------
def read_expected(case: Path) -> tuple[set | None, int | None, list[str]]:
    expected, year, delete = set(), None, []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("@year"):
            year = int(line.split()[1])
        elif line.startswith("@delete"):
            delete.append(line.split()[1])
        elif line.strip() == "ok":
            return None, year, delete
        elif line.strip():
            expected.add(tuple(line.replace("\\n", "\n").split("\t")))
    return expected, year, delete


def prepare(case: Path, tmp_path: Path) -> Path:
    directory = write_base(tmp_path / "data")
    _, _, delete = read_expected(case)
    for name in delete:
        (directory / name).unlink()
    for path in case.iterdir():
        if path.name.endswith(".xlsx.json"):
            write_workbook(
                directory / path.name.removesuffix(".json"), json.loads(path.read_text(encoding="utf-8"))
            )
        elif path.name not in ("expected.txt",):
            shutil.copyfile(path, directory / path.name)
    return directory


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    """An XLSX of a corpus case: one sheet per entry, in order; ``"=..."`` texts are formulas."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.txt").is_file())

# One French fragment each rule's message must contain (independent of the data)
MESSAGES = {
    "missing_file": "fichier absent du dossier",
    "ambiguous_file": "plusieurs fichiers pour la même table",
    "unreadable_file": "fichier illisible",
    "empty_file": "fichier vide",
    "missing_column": "colonne obligatoire",
    "persons_unavailable": "références à persons non vérifiables",
    "empty_value": "valeur obligatoire manquante",
    "unknown_code": "inconnu",
    "withdrawn_code": "code pays retiré de la norme ISO 3166-1 (",
    "duplicate_column": "en-tête : plusieurs colonnes se lisent",
    "sheet_not_found": "et aucune ne s'appelle",
    "formula_without_value": "ouvrir le fichier dans Excel et l'enregistrer",
    "missing_fields": "champs au lieu de",
    "scientific_notation": "notation scientifique refusée",
    "number_out_of_range": "nombre hors de la borne plausible de la colonne (au plus ",
    "date_unparseable": "date illisible (formats acceptés : AAAA-MM-JJ ou JJ/MM/AAAA)",
    "date_out_of_range": "date hors de la plage plausible (01/01/1990 au ",
    "not_a_number": "illisible",
    "invalid_boolean": "valeur oui/non illisible",
    "negative_number": "nombre négatif",
    "implausible_age": "âge à l'inclusion hors de 14 à 90 ans",
    "duplicate_key": "clé en double",
    "unknown_person": "pseudonyme absent de persons",
    "person_rejected": "dans persons est rejetée",
    "event_before_birth": "antérieure à l'année de naissance",
    "event_before_inclusion": "antérieure à la date d'inclusion",
    "invalid_result": "résultat non valide",
    "titre_missing": "titre anti-HBs obligatoire",
    "titre_unexpected": "titre renseigné pour un test autre que anti_hbs",
    "titre_result_inconsistent": "positive si titre >= 10 mUI/mL",
    "result_given_before_sample": "antérieure à la date du prélèvement",
    "invalid_detail": "valeurs valides",
    "unexpected_detail": "détail renseigné pour un acte qui n'en a pas",
    "unexpected_coverage_status": "coverage_asked est faux",
    "negative_count": "effectif négatif (nombre entier >= 0 attendu)",
    "zero_sessions": "une activité compte au moins une séance (sessions >= 1)",
    "platform_missing": "plateforme obligatoire pour un contact par internet",
    "platform_unexpected": "plateforme renseignée pour un contact hors internet",
    "place_missing": "lieu du premier contact obligatoire quand first_contact est vrai",
    "place_unexpected": "lieu renseigné alors que first_contact est faux",
    "duplicate_first_contact": "un seul par personne et par année civile",
}


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


_RUNS: dict[str, tuple] = {}


def run_corpus(name: str, tmp_path: Path):
    """(dataset, report) of a corpus case, validated once per test session."""
    if name not in _RUNS:
        case = CORPUS / name
        directory = prepare(case, tmp_path)
        _RUNS[name] = validate_and_load(
            directory, year=read_expected(case)[1], today=TODAY, sites=SITES
        )  # never raises on bad rows
    return _RUNS[name]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case, tmp_path):
    expected, year, _ = read_expected(case)
    ds, report = run_corpus(case.name, tmp_path)
    if expected is None:
        assert report.ok, report.format()
        return
    assert not report.ok  # so load_dataset refuses it (see test_load_dataset_refuses_...)
    assert keyset(report) == expected, report.format()
    text = report.format()
    for rejection in report.rejections:
        assert MESSAGES[rejection.rule] in rejection.message
        assert rejection.format() in text
    overlaid = {p.name.split(".")[0] for p in case.iterdir()}
    for name, t in report.tables.items():  # invariants of the counts
        if name in OUTREACH and name not in overlaid:  # never depends on other tables
            assert t.ok and t.accepted == BASE[f"{name}.csv"].count("\n") - 1
        assert t.read == t.accepted + t.rejected
        assert len(getattr(ds, name)) == t.accepted
        row_lines = {r.line for r in t.rejections if r.line is not None}
        whole = any(r.line is None for r in t.rejections) or t.whole_file
        assert t.rejected == (t.read if whole else len(row_lines))


@pytest.mark.parametrize("name", ["unknown_person", "empty_file_zero_bytes", "renamed_column"])
def test_load_dataset_refuses_invalid_data(name, tmp_path):
    report = run_corpus(name, tmp_path / "validated")[1]
    directory = prepare(CORPUS / name, tmp_path)
    with pytest.raises(EspacepError) as info:  # rendering refuses invalid data
        load_dataset(directory, today=TODAY, sites=SITES)
    assert report.format() in str(info.value)


def test_every_rule_has_a_failing_example_in_the_corpus_or_below():
    seen = {"ambiguous_file"}  # test_ambiguous_csv_and_xlsx
    for case in CASES:
        expected, _, _ = read_expected(case)
        seen |= {row[4] for row in expected or ()}
    assert seen == set(schemas.RULES) == set(MESSAGES)


# --- exact messages -----------------------------------------------------------------------------------
def run_case(name: str, tmp_path: Path):
    return run_corpus(name, tmp_path)[1]


def test_message_unknown_site_names_file_line_column_value(tmp_path):
    lines = run_case("unknown_codes", tmp_path).format().splitlines()
    assert lines[1] == "consultations.csv: 3 lues, 0 acceptées, 3 rejetées"
    assert lines[2].startswith(
        "  consultations.csv, ligne 2, colonne site, valeur 'brussel': code de site inconnu "
        "(codes valides : bruxelles, liege, seraing,"
    )
    assert lines[2].endswith(") [unknown_code]")
    assert lines[3] == (
        "  consultations.csv, ligne 3, colonne workplace, valeur 'rue': code "
        "inconnu (codes valides : bar, private, street, window, other) [unknown_code]"
    )


def test_message_whole_file_rejections(tmp_path):
    text = run_case("missing_column", tmp_path).format()
    assert (
        "consultations.csv, colonne workplace: colonne obligatoire 'workplace' absente : tout "
        "le fichier est rejeté (colonnes trouvées : pseudonym, date, site, gp, gynaecologist, "
        "coverage_asked, coverage_status) [missing_column]"
    ) in text
    assert "consultations.csv: 1 lues, 0 acceptées, 1 rejetées" in text
    text = run_case("empty_file_zero_bytes", tmp_path / "b").format()
    assert "medical_acts.csv: fichier vide [empty_file]" in text
    text = run_case("undecodable_bytes", tmp_path / "c").format()
    assert "persons.csv: fichier illisible : encodage non reconnu" in text


def test_message_dates_titre_duplicates(tmp_path):
    by_rule = {r.rule: r for r in run_case("date_after_declared_year", tmp_path).rejections}
    assert by_rule["date_out_of_range"].message == (
        "date hors de la plage plausible (01/01/1990 au 31/12/2019)"
    )
    by_rule = {r.rule: r for r in run_case("event_before_inclusion", tmp_path / "b").rejections}
    assert by_rule["event_before_inclusion"].message == (
        "date antérieure à la date d'inclusion de la personne (20/05/2019)"
    )
    rejections = run_case("duplicated_pseudonyms", tmp_path / "c").rejections
    assert rejections[0] == Rejection(
        "persons.csv",
        3,
        "pseudonym",
        "P002",
        "duplicate_key",
        "clé en double (pseudonym) : même clé aux lignes 3, 6",
    )


def test_messages_of_the_outreach_rules(tmp_path):
    """Whole rejections (file, line, column, value, rule, message) of the outreach rules."""
    got = run_case("internet_contact_platform", tmp_path / "a").rejections
    assert got[:2] == [
        Rejection(
            "contacts.csv",
            2,
            "platform",
            "",
            "platform_missing",
            "plateforme obligatoire pour un contact par internet (valeurs valides : "
            "quartier_rouge, sexy_be, lili_be, vivastreet, belswing, quicherchetrouve, "
            "youpie, facebook, other)",
        ),
        Rejection(
            "contacts.csv",
            3,
            "platform",
            "facebook",
            "platform_unexpected",
            "plateforme renseignée pour un contact hors internet (laisser vide sauf si "
            "channel vaut internet)",
        ),
    ]
    got = run_case("first_contact_place", tmp_path / "b").rejections
    assert got[:2] == [
        Rejection(
            "social_actions.csv",
            2,
            "place",
            "",
            "place_missing",
            "lieu du premier contact obligatoire quand first_contact est vrai (valeurs "
            "valides : field, office, phone, other_media)",
        ),
        Rejection(
            "social_actions.csv",
            3,
            "place",
            "office",
            "place_unexpected",
            "lieu renseigné alors que first_contact est faux (laisser vide)",
        ),
    ]
    # "o" is not a yes/no spelling of coverage_asked, so not of first_contact either
    assert got[-1].format() == (
        "social_actions.csv, ligne 8, colonne first_contact, valeur 'o': valeur oui/non "
        "illisible (valeurs valides : true/false, oui/non, 1/0, vrai/faux) [invalid_boolean]"
    )
    got = run_case("two_first_contacts_in_a_year", tmp_path / "c").rejections
    # P001: lines 2 (2019-01-10) and 4 (01/09/2019); line 3 is 2018, a first contact of
    # another year. X200: lines 7 and 8 ("1" and "VRAI" are both yes)
    assert [(r.line, r.message) for r in got] == [
        (
            2,
            "premier contact de l'année 2019 déjà déclaré pour P001 (lignes 2, 4) : un seul "
            "par personne et par année civile",
        ),
        (
            4,
            "premier contact de l'année 2019 déjà déclaré pour P001 (lignes 2, 4) : un seul "
            "par personne et par année civile",
        ),
        (
            7,
            "premier contact de l'année 2019 déjà déclaré pour X200 (lignes 7, 8) : un seul "
            "par personne et par année civile",
        ),
        (
            8,
            "premier contact de l'année 2019 déjà déclaré pour X200 (lignes 7, 8) : un seul "
            "par personne et par année civile",
        ),
    ]
    text = run_case("activity_counts", tmp_path / "d").format()
    for line in (
        "activities.csv: 9 lues, 1 acceptées, 8 rejetées",
        "  activities.csv, ligne 2, colonne condoms, valeur '-5': effectif négatif (nombre "
        "entier >= 0 attendu) [negative_count]",
        "  activities.csv, ligne 3, colonne sessions, valeur '0': une activité compte au "
        "moins une séance (sessions >= 1) [zero_sessions]",
        "  activities.csv, ligne 7, colonne condoms, valeur '1,500': nombre entier illisible "
        "(p. ex. 12 ou 1 000) [not_a_number]",
    ):
        assert line in text.splitlines()
    ds = run_corpus("activity_counts", tmp_path / "d")[0]
    assert ds.activities["condoms"].tolist() == [2000]  # line 10: "2.000" is two thousand


def test_outreach_does_not_depend_on_persons(tmp_path):
    """persons unreadable: medical tables are wholly rejected, outreach loads in full."""
    ds, report = run_corpus("undecodable_bytes", tmp_path)
    assert report.tables["consultations"].rejections[0].rule == "persons_unavailable"
    assert [len(getattr(ds, t)) for t in OUTREACH] == [5, 5, 4]
    assert all(report.tables[t].ok for t in OUTREACH)


def test_rejections_are_sorted_by_line_then_column(tmp_path):
    lines = [(r.line, r.column) for r in run_case("lab_result_rules", tmp_path).rejections]
    assert [ln for ln, _ in lines] == [2, 3, 4, 5, 6, 7, 8]


# --- reading ------------------------------------------------------------------------------------------
def test_read_table_meta_and_lines(tmp_path):
    case = CORPUS / "valid_belgian_excel_cp1252"
    frame, meta = read_table(case / "persons.csv")
    assert (meta.format, meta.encoding, meta.separator, meta.header_line) == ("csv", "cp1252", ";", 1)
    assert frame.index.tolist() == [2, 3, 4, 5, 6]
    assert frame.loc[6, "pseudonym"] == "PÉ05"  # decoded from cp1252 byte 0xC9
    frame, meta = read_table(CORPUS / "valid_utf8_bom" / "persons.csv")
    assert meta.encoding == "utf-8-sig" and next(iter(frame.columns)) == "pseudonym"
    frame, meta = read_table(CORPUS / "valid_title_line_blank_lines_case" / "persons.csv")
    assert meta.header_line == 2 and frame.index.tolist() == [3, 5, 7, 8]
    frame, meta = read_table(CORPUS / "valid_utf16_tabs" / "medical_acts.csv")
    assert (meta.encoding, meta.separator) == ("utf-16", "\t") and len(frame) == 5


def valid_case(name: str, tmp_path: Path):
    """Dataset of a corpus case that must load (what `load_dataset` returns when ok)."""
    ds, report = run_corpus(name, tmp_path)
    assert report.ok, report.format()
    return ds


def test_belgian_formats_load_to_the_same_values(base_run, tmp_path):
    base = base_run[1]
    ds = valid_case("valid_belgian_excel_cp1252", tmp_path / "a")
    pd.testing.assert_frame_equal(ds.persons.iloc[:4], base.persons)
    pd.testing.assert_frame_equal(ds.consultations.iloc[:5], base.consultations)
    semi = valid_case("valid_semicolon_decimal_comma", tmp_path / "s")
    pd.testing.assert_frame_equal(semi.lab_results, base.lab_results)
    # the same outreach rows written by Belgian Excel: ;, CRLF, cp1252, dd/mm/yyyy,
    # OUI/non/VRAI/FAUX/1, capitalised codes, condoms "1.500" (dot grouping thousands)
    ds = valid_case("valid_outreach_belgian_excel", tmp_path / "o")
    for table in OUTREACH:
        pd.testing.assert_frame_equal(getattr(ds, table), getattr(base, table))
    # a title line, a blank line, condoms "1 500" (no-break space), sessions "12,0"
    ds = valid_case("valid_outreach_title_nbsp_thousands", tmp_path / "t")
    pd.testing.assert_frame_equal(ds.activities, base.activities)


def test_read_errors_are_espacep_errors(tmp_path):
    with pytest.raises(EspacepError, match="nope.csv: fichier illisible"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(EspacepError, match="dossier de données introuvable"):
        validate_directory(tmp_path / "absent")
    (tmp_path / "persons.txt").write_text("x")
    with pytest.raises(EspacepError, match="format non pris en charge"):
        read_table(tmp_path / "persons.txt")


def test_parse_dates_and_numbers():
    text = pd.Series(
        ["2019-03-01", "1/3/2019", "01/03/2019 00:00:00", "2019-02-29", "2020-02-29", "03-01-2019", None],
        dtype="string",
    )
    got = parse_dates(text)
    assert got.dtype == "datetime64[ns]"
    march = pd.Timestamp("2019-03-01")
    assert got.iloc[:3].tolist() == [march, march, march]
    assert pd.isna(got.iloc[3]) and got.iloc[4] == pd.Timestamp("2020-02-29")  # 2019 not leap
    assert got.iloc[5:].isna().all()
    # beyond datetime64[ns]: clipped to its bounds (so out of any plausible range), no crash
    far = parse_dates(pd.Series(["31/12/9999", "1600-01-01", "0000-01-01", "١٢/03/2019"], dtype="string"))
    assert far.iloc[:2].tolist() == [pd.Timestamp("2262-04-11"), pd.Timestamp("1677-09-22")]
    assert far.iloc[2:].isna().all()  # year 0 does not exist; only ASCII digits are read
    nums = parse_numbers(pd.Series(["12,5", "1 000", "1.5", "abc", "inf", "-3", None], dtype="string"))
    np.testing.assert_array_equal(nums.to_numpy(), [12.5, 1000, 1.5, np.nan, np.nan, -3, np.nan])


def test_iso_country_codes_keep_namibia():
    iso = schemas.iso_country_codes()
    assert {"BE", "FR", "RO", "NG", "NA", "XK"} <= set(iso)  # NA = Namibia, not "missing"
    assert all(len(c) == 2 and c.isupper() for c in iso) and len(iso) >= 249


# --- XLSX (generated here rather than committed as binary) -----------------------------------------
def write_xlsx(path: Path, rows: list[list], title_rows: int = 0) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(title_rows):
        sheet.append([f"Export Espace P (titre {i + 1})"] if i == 0 else [])
    for row in rows:
        sheet.append(row)
    book.save(path)


def csv_rows(text: str) -> list[list]:
    return [line.split(",") for line in text.strip().splitlines()]


def test_xlsx_with_title_rows_above_header(base_dir):
    (base_dir / "persons.csv").unlink()
    rows = [
        ["pseudonym", "birth_year", "gender", "nationality", "inclusion_date"],
        ["P001", 1985, "woman", "RO", dt.datetime(2017, 3, 2)],
        ["P002", 1994.0, "trans", None, "15/01/2019"],
        ["P003", 1970, "homme", "BE", dt.date(2018, 6, 12)],
        ["P004", 1999, "woman", "NG", dt.datetime(2019, 5, 20)],
    ]
    write_xlsx(base_dir / "persons.xlsx", rows, title_rows=2)
    frame, meta = read_table(base_dir / "persons.xlsx")
    # 2 title rows, so the header is sheet row 3 and P003 is sheet row 6
    assert (meta.format, meta.header_line, meta.sheet) == ("xlsx", 3, "Sheet")
    assert frame.index.tolist() == [4, 5, 6, 7]
    assert frame.loc[4, "inclusion_date"] == "2017-03-02" and frame.loc[5, "birth_year"] == "1994"
    report = validate_directory(base_dir, today=TODAY, sites=SITES)
    persons = [r for r in report.rejections if r.file == "persons.xlsx"]
    assert persons == [
        Rejection(
            "persons.xlsx",
            6,
            "gender",
            "homme",
            "unknown_code",
            "code inconnu (codes valides : woman, man, trans)",
        )
    ]


def test_xlsx_loads_like_csv(tmp_path):
    csv_ds = load_dataset(write_base(tmp_path / "csv"), today=TODAY, sites=SITES)
    xdir = tmp_path / "xlsx"
    xdir.mkdir()
    for name, text in BASE.items():
        write_xlsx(xdir / name.replace(".csv", ".xlsx"), csv_rows(text))
    xlsx_ds = load_dataset(xdir, today=TODAY, sites=SITES)
    for table in MEDICAL + OUTREACH:
        pd.testing.assert_frame_equal(getattr(xlsx_ds, table), getattr(csv_ds, table))
    assert set(xlsx_ds.sources) == {n.replace(".csv", ".xlsx") for n in BASE}


def test_xlsx_outreach_with_native_cells(base_run, tmp_path):
    """Excel cells typed as dates, booleans and numbers load like the canonical CSV."""
    directory = write_base(tmp_path / "data")
    for name in ("social_actions.csv", "activities.csv"):
        (directory / name).unlink()
    day = dt.datetime
    write_xlsx(
        directory / "social_actions.xlsx",
        [
            list(codes.COLUMNS["social_actions"]),
            [day(2019, 1, 10), "bruxelles", "P001", "administrative", True, "office"],
            [day(2019, 3, 12), "bruxelles", "P001", "housing", False, None],
            [day(2019, 3, 10), "liege", "X100", "violence", True, "other_media"],
            [dt.date(2018, 11, 20), "liege", "X100", "addiction", 1, "field"],
            ["01/06/2019", "charleroi", "X102", "prevention_material", "FAUX", None],
        ],
        title_rows=1,
    )
    write_xlsx(
        directory / "activities.xlsx",
        [
            list(codes.COLUMNS["activities"]),
            [day(2019, 3, 8), "bruxelles", "health_promotion", "stand", 1, 0, 1500.0, 200],
            [day(2019, 4, 2), "liege", "social_action", "language_course", 12, 8, None, None],
            [day(2019, 5, 15), "namur", "health_promotion", "information_session", 2, 25, 100, 30],
            [day(2019, 10, 10), "mons", "other", "meeting", 1, 6, 0, 0],
        ],
    )
    ds, report = validate_and_load(directory, today=TODAY, sites=SITES)
    assert report.ok, report.format()
    assert report.tables["social_actions"].meta.header_line == 2
    for table in ("social_actions", "activities"):
        pd.testing.assert_frame_equal(getattr(ds, table), getattr(base_run[1], table))


def test_corrupt_xlsx_and_ambiguous_files(base_dir):
    (base_dir / "medical_acts.csv").unlink()
    (base_dir / "medical_acts.xlsx").write_bytes(b"not a zip at all")
    write_xlsx(base_dir / "lab_results.xlsx", csv_rows(BASE["lab_results.csv"]))
    write_xlsx(base_dir / "contacts.xlsx", csv_rows(BASE["contacts.csv"]))  # optional, too
    report = validate_directory(base_dir, today=TODAY, sites=SITES)
    assert keyset(report) == {
        ("medical_acts.xlsx", "-", "-", "-", "unreadable_file"),
        ("lab_results.csv", "-", "-", "-", "ambiguous_file"),
        ("contacts.csv", "-", "-", "-", "ambiguous_file"),
    }
    assert report.tables["contacts"].rejected == 0  # nothing read: file-level problem only
    assert "lab_results.csv, lab_results.xlsx" in report.format()


# --- load_dataset policy ------------------------------------------------------------------------------
def test_allow_rejections_returns_accepted_rows_and_warns(tmp_path):
    directory = prepare(CORPUS / "unknown_codes", tmp_path)
    with pytest.raises(EspacepError, match="consultations.csv, ligne 2, colonne site"):
        load_dataset(directory, today=TODAY, sites=SITES)
    with pytest.warns(UserWarning, match="consultations.csv: 3 rejetées sur 3"):
        ds = load_dataset(directory, allow_rejections=True, today=TODAY, sites=SITES)
    assert len(ds.consultations) == 0 and len(ds.persons) == 4
    ds, report = run_corpus("lab_result_rules", tmp_path / "b")
    counts = report.counts()
    assert counts.loc["lab_results", ["read", "accepted", "rejected"]].tolist() == [7, 0, 7]
    assert counts.loc["lab_results", "problems"] == 7
    for table in MEDICAL + OUTREACH:
        assert len(getattr(ds, table)) == counts.loc[table, "accepted"]


def test_thousands_in_counts_and_truncated_format(tmp_path):
    directory = write_base(tmp_path / "data")
    rows = [f"X{i:04d},1980,woman,BE,2018-01-01" for i in range(1072)]
    rows[10:16] = [f"X{i:04d},1980,femme,BE,2018-01-01" for i in range(10, 16)]  # 6 bad genders
    with (directory / "persons.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
    report = validate_directory(directory, today=TODAY, sites=SITES)
    text = report.format(max_per_table=2)
    # 4 base persons + 1 072 added = 1 076 read, 6 rejected
    assert text.splitlines()[0] == "persons.csv: 1 076 lues, 1 070 acceptées, 6 rejetées"
    assert "persons.csv, ligne 16, colonne gender, valeur 'femme'" in text  # row 11 of 1 072
    assert "… et 4 autres problèmes non affichés" in text


def test_validation_is_vectorised(tmp_path):
    """100 000 consultations validate in well under the time a per-row loop would take."""
    directory = write_base(tmp_path / "data")
    n = 100_000
    rng = np.random.default_rng(0)
    dates = pd.Timestamp("2019-06-01") + pd.to_timedelta(np.arange(n) % 200, unit="D")
    frame = pd.DataFrame(
        {
            "pseudonym": np.repeat(["P001", "P003"], n // 2),
            "date": dates.strftime("%d/%m/%Y"),
            "site": np.repeat([f"{s}" for s in ("bruxelles", "liege")], n // 2),
            "workplace": rng.choice(["bar", "street"], n),
            "gp": "none",
            "gynaecologist": "aware",
            "coverage_asked": "false",
            "coverage_status": "",
        }
    )
    frame["site"] = np.where(np.arange(n) % 400 < 200, "bruxelles", "liege")
    frame = frame.drop_duplicates(["pseudonym", "date", "site"])
    frame.to_csv(directory / "consultations.csv", index=False, sep=";")
    start = time.perf_counter()
    report = validate_directory(directory, today=TODAY, sites=SITES)
    elapsed = time.perf_counter() - start
    assert report.ok, report.format(max_per_table=5)
    assert report.tables["consultations"].read == len(frame)
    assert elapsed < 10, elapsed


# --- the data dictionary keeps step with the code -------------------------------------------------
def test_data_dictionary_lists_every_rule_and_outreach_code():
    text = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    rules_table = text[text.index("## Validation rules") :]
    for rule in schemas.RULES:
        assert f"| `{rule}` |" in rules_table, rule
    for name in OUTREACH:
        section = text[text.index(f"### {name} ") :]
        section = section[: section.index("\n### ")]
        for column in codes.COLUMNS[name]:
            assert f"| `{column}` |" in section, (name, column)
        for column, allowed in schemas.TABLES[name].codes.items():
            if column != "workplace":  # listed under consultations, referenced here
                for code in allowed:
                    assert f"`{code}`" in section, (name, column, code)


# --- issue 11: ISO codes, exact messages of the new rules ----------------------------------------
def test_iso_codes_are_current_iso_3166_1_and_withdrawn_ones_are_named():
    current, withdrawn = set(schemas.iso_country_codes()), schemas.withdrawn_country_codes()
    assert {"GB", "GR", "SS", "CW", "SX", "ME", "RS"} <= current
    assert {"AN", "YU", "CS", "ZR", "TP", "SU", "DD", "BU"} <= set(withdrawn)
    assert not current & set(withdrawn)
    assert {"GE", "SK", "AI", "BQ", "BY"} <= current  # withdrawn once, reassigned since
    assert withdrawn["AN"] == "Antilles néerlandaises, retiré le 2010-12-15"


def test_messages_of_the_issue_11_rules(tmp_path):
    got = run_case("nationality_withdrawn_codes", tmp_path / "a").rejections
    assert got[0] == Rejection(
        "persons.csv",
        6,
        "nationality",
        "AN",
        "withdrawn_code",
        "code pays retiré de la norme ISO 3166-1 (Antilles néerlandaises, retiré le 2010-12-15) : "
        "indiquer le code actuel du pays de nationalité (ISO 3166-1 alpha-2)",
    )
    got = run_case("duplicate_header_names", tmp_path / "b").rejections
    assert got == [
        Rejection(
            "consultations.csv",
            1,
            "site",
            "site | SITE | site ",
            "duplicate_column",
            "en-tête : plusieurs colonnes se lisent 'site' ('site' en colonne 3, 'SITE' en colonne 9, "
            "'site ' en colonne 10) : laquelle lire est ambigu ; n'en garder qu'une",
        )
    ]
    got = run_case("truncated_last_line", tmp_path / "c").rejections
    assert got[0] == Rejection(
        "persons.csv",
        5,
        "birth_year",
        "1",
        "missing_fields",
        "dernière ligne incomplète et sans fin de ligne : le fichier semble coupé (2 champs au "
        "lieu de 5, la valeur '1' est peut-être tronquée) ; exporter le fichier à nouveau",
    )
    got = run_case("short_row_inside_file", tmp_path / "d").rejections
    assert got[0].message == (
        "ligne incomplète : 4 champs au lieu de 5 (séparateurs manquants ; "
        "la valeur 'hbv_vaccine' est peut-être tronquée)"
    )
    text = run_case("scientific_notation", tmp_path / "e").format()
    assert (
        "  activities.csv, ligne 2, colonne condoms, valeur '1e3': notation scientifique "
        "refusée dans une colonne de nombres entiers (écrire le nombre en chiffres, p. ex. 12 "
        "ou 1 000) [scientific_notation]"
    ) in text.splitlines()
    text = run_case("numbers_out_of_range", tmp_path / "f").format()
    assert (
        "  persons.csv, ligne 3, colonne birth_year, valeur '18446744073709551616': nombre "
        "hors de la borne plausible de la colonne (au plus 9 999 en valeur absolue) "
        "[number_out_of_range]"
    ) in text.splitlines()
    got = run_case("xlsx_formula_without_value", tmp_path / "g").rejections
    assert got == [
        Rejection(
            "activities.xlsx",
            2,
            "condoms",
            "=1000+500",
            "formula_without_value",
            "2 cellules calculées par une formule sans valeur enregistrée (première : ligne 2, "
            "colonne condoms, =1000+500) : ouvrir le fichier dans Excel et l'enregistrer (Excel y "
            "écrit les valeurs calculées), puis recommencer",
        )
    ]
    got = run_case("xlsx_sheets_none_named_after_table", tmp_path / "h").rejections
    assert got[0].message == (
        "le classeur a 2 feuilles (Feuil1, Feuil2) et aucune ne s'appelle "
        "'activities' : renommer 'activities' la feuille à lire (ou n'en "
        "garder qu'une)"
    )


def test_all_rows_rejected_gives_the_same_summary_and_load_refuses(tmp_path):
    """Every person rejected: counts and rejections, no IndexError; load_dataset refuses cleanly."""
    report = run_case("all_persons_rejected", tmp_path / "a")
    lines = report.format().splitlines()
    assert lines[0] == "persons.csv: 4 lues, 0 acceptées, 4 rejetées"
    assert "consultations.csv: 5 lues, 0 acceptées, 5 rejetées" in lines
    directory = prepare(CORPUS / "all_persons_rejected", tmp_path / "b")
    with pytest.raises(
        EspacepError,
        match="persons.csv, ligne 5, colonne inclusion_date, " "valeur '11.02.2019': date illisible",
    ):
        load_dataset(directory, today=TODAY, sites=SITES)


def _short_rows_by_csv_module(text, skip, sep, width):
    """Reference for `_short_rows`: (line, fields) of the short records, read by the csv module."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out, start = [], 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if line > skip + 1 and any(f.strip() for f in record) and len(record) < width:
            out.append((line, len(record), record[-1].strip()))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_short_rows_without_quotes_match_the_csv_module(seed):
    """Issue 15: the quote-free fast path of `_short_rows` finds what the csv module finds.

    Random exports: title rows above the header, blank and separator-only lines, short
    and long records, CRLF or LF, with or without a final line break.
    """
    from espacep_analysis import load

    rng = np.random.default_rng(seed)
    sep = [";", ",", "\t"][seed % 3]
    eol = "\r\n" if seed % 2 else "\n"
    names = ["pseudonym", "date", "site", "workplace", "gp"]
    skip = int(rng.integers(0, 3))
    lines = [f"titre {k}" for k in range(skip)] + [sep.join(names)]
    for _ in range(int(rng.integers(1, 60))):
        kind = rng.integers(0, 6)
        width = {0: 0, 1: len(names) - 1, 2: int(rng.integers(1, 5))}.get(int(kind), len(names))
        if kind == 3:
            lines.append(sep * (len(names) - 1))
        elif kind == 4:
            lines.append(" " * int(rng.integers(0, 3)))
        else:
            lines.append(sep.join(f" v{rng.integers(0, 9)} " for _ in range(max(width, 1 if kind else 0))))
    text = eol.join(lines) + (eol if seed % 4 < 2 else "")
    got = load._short_rows(text, skip, sep, names)
    assert [(r[0], r[1], r[4]) for r in got] == _short_rows_by_csv_module(text, skip, sep, len(names))
    assert all(type(r[0]) is int for r in got)
    assert load._unquoted_lines(text) is not None  # the fast path was taken
    last_record = max(
        (i + 1 for i, t in enumerate(lines) if i > skip and t.replace(sep, "").strip()), default=None
    )
    cut = [got[-1][0]] if got and not text.endswith("\n") and got[-1][0] == last_record else []
    assert [r[0] for r in got if r[5]] == cut


def test_validate_and_load_reuses_the_last_data_set_until_a_byte_changes(tmp_path, monkeypatch):
    """Issue 15 (c): a second "Run all" in the same kernel does not validate the same files again."""
    from espacep_analysis import load

    directory = write_base(tmp_path / "data")
    calls = []
    real_run = load._run
    monkeypatch.setattr(load, "_run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    first, report = validate_and_load(directory, today=TODAY)
    again, report_again = validate_and_load(directory, today=TODAY)
    assert len(calls) == 1 and report_again is report
    assert again.consultations.equals(first.consultations) and again.sources == first.sources
    # each call gets its own frames: a change made by one caller is not seen by the next
    again.consultations.loc[0, "site"] = "liege"
    again.persons["extra"] = 1
    third, _ = validate_and_load(directory, today=TODAY)
    assert len(calls) == 1
    assert third.consultations.loc[0, "site"] == "bruxelles" and "extra" not in third.persons
    # the same directory spelled otherwise (the batch's main process and its jobs) is the same data set
    other = directory / ".." / directory.name
    relative, report_relative = validate_and_load(other, today=TODAY)
    assert len(calls) == 1 and relative.consultations.equals(first.consultations)
    assert str(report_relative.data_dir) == str(other) and report_relative.tables is report.tables
    # another reference date, or one byte changed in a file, is validated again
    validate_and_load(directory, today=dt.date(2020, 7, 1))
    assert len(calls) == 2
    path = directory / "persons.csv"
    path.write_text(path.read_text().replace("P004,1999", "P004,1998"), encoding="utf-8")
    changed, _ = validate_and_load(directory, today=TODAY)
    assert len(calls) == 3
    assert changed.persons.set_index("pseudonym").loc["P004", "birth_year"] == 1998
    # with explicit sites nothing is kept
    validate_and_load(directory, sites=SITES, today=TODAY)
    validate_and_load(directory, sites=SITES, today=TODAY)
    assert len(calls) == 5
