"""Validation for the person who made the export: ``espacep validate`` and ``report --accept-rejections``.

- `espacep validate` prints per file and rule the counts and at most 3 example
  lines, and writes every rejection to ``rejections.csv`` (never inside the data
  or an outputs folder);
- ``espacep report`` refuses invalid data (exit 2) unless ``--accept-rejections``:
  then the rejected rows are left out and counted per file in the methods note
  and in ``provenance.json``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from test_load import CORPUS, prepare

from espacep_analysis import provenance, rejections
from espacep_analysis.batch import BatchOptions, run_batch
from espacep_analysis.cli import main
from espacep_analysis.errors import EspacepError
from espacep_analysis.load import validate_directory

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
PARAMS = REPO / "params"


def _validate(case: str, tmp_path: Path, capsys, *extra: str) -> tuple[int, str, Path]:
    """Run ``espacep validate`` on a corpus case; (exit status, stdout, rejections.csv path)."""
    data = prepare(CORPUS / case, tmp_path)
    target = tmp_path / "sent_back" / "rejections.csv"
    code = main(["validate", "--data", str(data), "--rejections", str(target), *extra])
    return code, capsys.readouterr().out, target


# --- espacep validate --------------------------------------------------------------------------


def test_validate_summarises_per_file_and_rule_with_at_most_three_examples(tmp_path, capsys):
    code, out, target = _validate("nationality_withdrawn_codes", tmp_path, capsys)
    lines = out.splitlines()
    assert code == 1
    assert "persons.csv : 9 lues, 4 acceptées, 5 rejetées" in lines
    assert "consultations.csv : 5 lues, 5 acceptées, 0 rejetées" in lines
    start = lines.index("  règle withdrawn_code : 5 problèmes, 5 lignes")
    examples = lines[start + 1 : start + 4]
    assert [e.split(" : ")[0] for e in examples] == [
        "    ligne 6, colonne nationality, valeur 'AN'",
        "    ligne 7, colonne nationality, valeur 'YU'",
        "    ligne 8, colonne nationality, valeur 'cs'",
    ]
    assert lines[start + 4] == f"    … et 2 autres : liste complète dans {target}"
    assert sum(line.startswith("    ligne ") for line in lines) == 3  # the other two only in the CSV
    assert "5 problèmes au total, dans 1 fichier." in lines


def test_summary_groups_rules_and_counts_lines_not_problems(tmp_path):
    report = validate_directory(prepare(CORPUS / "unknown_codes", tmp_path))
    text = rejections.summary(report, examples=1)
    assert "  règle unknown_code : 3 problèmes, 3 lignes" in text.splitlines()
    assert "    … et 2 autres" in text.splitlines()  # no CSV named: nothing said about it


def test_rejections_csv_holds_every_rejection_exactly(tmp_path, capsys):
    code, out, target = _validate("unknown_codes", tmp_path, capsys)
    assert code == 1
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    sites = "bruxelles, liege, seraing, ans, namur, arlon, athus, charleroi, mons, tournai, saint_trond"
    assert rows == [
        ["file", "line", "column", "value", "rule", "message"],
        [
            "consultations.csv",
            "2",
            "site",
            "brussel",
            "unknown_code",
            f"code de site inconnu (codes valides : {sites})",
        ],
        [
            "consultations.csv",
            "3",
            "workplace",
            "rue",
            "unknown_code",
            "code inconnu (codes valides : bar, private, street, window, other)",
        ],
        [
            "consultations.csv",
            "4",
            "gp",
            "yes",
            "unknown_code",
            "code inconnu (codes valides : none, unaware, aware, unknown)",
        ],
    ]
    assert f"{target} : 3 problèmes, à renvoyer" in out


def test_rejections_csv_of_a_whole_file_has_no_line_or_value(tmp_path, capsys):
    _, out, target = _validate("missing_column", tmp_path, capsys)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["file"], r["line"], r["column"], r["value"], r["rule"]) for r in rows] == [
        ("consultations.csv", "", "workplace", "", "missing_column")
    ]
    assert "    fichier entier, colonne workplace : colonne obligatoire 'workplace' absente" in out


def test_rejections_csv_defaults_to_the_current_directory_and_is_rewritten(tmp_path, monkeypatch, capsys):
    data = prepare(CORPUS / "unknown_codes", tmp_path)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    params = ["--params", str(PARAMS)]  # outside a project, the params are given (settings)
    assert main(["validate", "--data", str(data), *params]) == 1
    assert len((here / "rejections.csv").read_text(encoding="utf-8").splitlines()) == 4
    clean = tmp_path / "clean"
    shutil.copytree(SYNTHETIC, clean)
    assert (
        main(["validate", "--data", str(clean), *params]) == 0
    )  # a stale list never survives a clean export
    assert (here / "rejections.csv").read_text(encoding="utf-8") == ",".join(rejections.CSV_COLUMNS) + "\n"
    assert "rejections.csv : aucun rejet (en-tête seul)" in capsys.readouterr().out
    assert (
        main(["validate", "--data", str(data), "--rejections", str(tmp_path), *params]) == 1
    )  # a folder: the file in it
    assert len((tmp_path / "rejections.csv").read_text(encoding="utf-8").splitlines()) == 4


@pytest.mark.parametrize("where", ["data", "outputs"])
def test_rejections_csv_is_refused_inside_the_data_or_a_published_tree(where, tmp_path, capsys):
    data = prepare(CORPUS / "unknown_codes", tmp_path)
    outputs = tmp_path / "outputs"
    (outputs / "2019").mkdir(parents=True)
    (outputs / ".audit.json").write_text("{}\n", encoding="utf-8")
    target = (data if where == "data" else outputs / "2019") / "rejections.csv"
    assert main(["validate", "--data", str(data), "--rejections", str(target)]) == 2
    assert not target.exists()
    assert "contient des pseudonymes" in capsys.readouterr().err


# --- espacep report --accept-rejections --------------------------------------------------------


@pytest.fixture(scope="module")
def one_bad_row(tmp_path_factory) -> Path:
    """The synthetic data with one consultation at an unknown site (line 4)."""
    data = tmp_path_factory.mktemp("one_bad_row") / "export"
    shutil.copytree(SYNTHETIC, data)
    path = data / "consultations.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert ",bruxelles," in lines[3]
    lines[3] = lines[3].replace(",bruxelles,", ",brussel,")
    path.write_text("\n".join(lines), encoding="utf-8")
    return data


def _report(data: Path, output: Path, accept: bool) -> tuple[int, str]:
    out = io.StringIO()
    # min_cell 0: no joint protection of all the data's years, which needs every year's params
    options = BatchOptions(
        data_dir=data,
        output_dir=output,
        years=[2019],
        funders=["inami"],
        pdf=False,
        workers=1,
        min_cell=0,
        accept_rejections=accept,
    )
    return run_batch(options, out=out), out.getvalue()


def test_report_refuses_rejected_rows_by_default(one_bad_row, tmp_path, capsys):
    with pytest.raises(EspacepError, match="--accept-rejections") as info:
        _report(one_bad_row, tmp_path / "out", accept=False)
    assert "consultations.csv, ligne 4, colonne site, valeur 'brussel'" in str(info.value)
    assert (
        main(
            [
                "report",
                "--data",
                str(one_bad_row),
                "--output",
                str(tmp_path / "cli"),
                "--years",
                "2019",
                "--funders",
                "inami",
                "--no-pdf",
                "--workers",
                "1",
                "--min-cell",
                "0",
            ]
        )
        == 2
    )
    assert not (tmp_path / "out" / "2019").exists()


def test_accept_rejections_renders_and_states_rows_left_out(one_bad_row, tmp_path):
    output = tmp_path / "out"
    read = (one_bad_row / "consultations.csv").read_text(encoding="utf-8").count("\n") - 1
    code, printed = _report(one_bad_row, output, accept=True)
    assert code == 0, printed
    assert (
        f"lignes rejetées laissées de côté : consultations.csv : 1 ligne sur {read:,}".replace(",", " ")
        in printed
    )
    report = output / "2019" / "inami"
    record = json.loads((report / "provenance.json").read_text(encoding="utf-8"))
    assert record["rows_left_out"] == {"consultations.csv": {"read": read, "left_out": 1}}
    assert record["parameters"]["accept_rejections"] is True
    html = (report / "report.html").read_text(encoding="utf-8")
    read_fr = f"{read:,}".replace(",", " ")
    assert (
        "Lignes des exports rejetées à la validation et laissées de côté (rendu avec acceptation des "
        f"rejets ; liste : espacep validate) : consultations.csv : 1 ligne sur {read_fr}."
    ) in html
    assert "Lignes rejetées laissées de côté (--accept-rejections)" in html
    # the years cached by the accepting run do not let a default run through
    with pytest.raises(EspacepError, match="données rejetées"):
        _report(one_bad_row, output, accept=False)


def test_provenance_without_the_option_has_no_rows_left_out():
    record = provenance.collect("inami", 2019, {"persons.csv": "0" * 64}, {"year": 2019})
    assert "rows_left_out" not in record and "Lignes rejetées" not in provenance.to_markdown(record)
    record = provenance.collect("inami", 2019, {}, {"year": 2019}, {})
    assert record["rows_left_out"] == {}
    assert "- Lignes rejetées laissées de côté (--accept-rejections) : aucune" in provenance.to_markdown(
        record
    )
