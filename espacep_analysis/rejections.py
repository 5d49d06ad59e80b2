"""What validation rejected, for the person who made the export.

- `summary` prints, per file, the rows read / accepted / rejected, then per
  rule the number of problems and of lines, with at most `EXAMPLES` example
  lines each (``espacep validate``).
- `write_csv` writes every rejection to ``rejections.csv`` (columns
  `CSV_COLUMNS`), the file to send back with the export. Its ``value`` column
  holds the rejected cells as exported, pseudonyms included: it is for the
  data's owner only. `check_destination` therefore refuses a path inside the
  data folder or inside a tree of published outputs.
- `left_out` counts, per file, the rows a report rendered with
  ``--accept-rejections`` leaves out (stated in its methods note and provenance).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import EspacepError
from .files import write_atomic
from .load import Rejection, TableReport, ValidationReport

EXAMPLES = 3  # example lines printed per file and rule
CSV_COLUMNS = ("file", "line", "column", "value", "rule", "message")
DEFAULT_NAME = "rejections.csv"
# Files a batch writes at the top of its output folder: a folder holding one is a published tree
OUTPUT_MARKERS = (".data-years.json", ".audit.json", "index.html")


def _int(n: int) -> str:
    """Integer with a space as thousands separator (``1 076``)."""
    return f"{n:,}".replace(",", " ")


def _plural(n: int, word: str) -> str:
    return f"{_int(n)} {word}{'s' if n > 1 else ''}"


def by_rule(table: TableReport) -> dict[str, list[Rejection]]:
    """The table's rejections grouped by rule, rules in order of first appearance."""
    groups: dict[str, list[Rejection]] = {}
    for rejection in table.rejections:
        groups.setdefault(rejection.rule, []).append(rejection)
    return groups


def example_line(rejection: Rejection) -> str:
    """``"ligne 14, colonne site, valeur 'x' : message"`` (``"fichier entier"`` without a line)."""
    parts = []
    if rejection.line is not None:
        parts.append(f"ligne {rejection.line}")
    if rejection.column is not None:
        parts.append(f"colonne {rejection.column}")
    if rejection.value is not None:
        parts.append("valeur '" + rejection.value.replace("\r", "\\r").replace("\n", "\\n") + "'")
    if rejection.line is None:
        parts.insert(0, "fichier entier")
    return f"{', '.join(parts)} : {rejection.message}"


def _rule_lines(rule: str, found: list[Rejection], examples: int, csv_name: str | None) -> list[str]:
    """Heading of one rule (problems, lines) and its first ``examples`` rejections."""
    lines = {r.line for r in found if r.line is not None}
    extent = f", {_plural(len(lines), 'ligne')}" if lines else ", fichier entier"
    out = [f"  règle {rule} : {_plural(len(found), 'problème')}{extent}"]
    out += [f"    {example_line(r)}" for r in found[:examples]]
    hidden = len(found) - examples
    if hidden > 0:
        where = f" : liste complète dans {csv_name}" if csv_name else ""
        out.append(f"    … et {_plural(hidden, 'autre')}{where}")
    return out


def summary(report: ValidationReport, examples: int = EXAMPLES, csv_name: str | None = None) -> str:
    """Plain-French summary: counts per file, then per rule its counts and a few example lines.

    ``csv_name`` is named where examples are left out (the full list is there).
    """
    out = []
    for table in report.tables.values():
        if table.absent_optional:
            out.append(f"{table.file} : absent (facultatif)")
            continue
        out.append(
            f"{table.file} : {_int(table.read)} lues, {_int(table.accepted)} acceptées, "
            f"{_int(table.rejected)} rejetées"
        )
        for rule, found in by_rule(table).items():
            out += _rule_lines(rule, found, examples, csv_name)
    problems = len(report.rejections)
    out.append(
        "Aucune ligne rejetée."
        if report.ok
        else f"{_plural(problems, 'problème')} au total, dans "
        f"{_plural(sum(not t.ok for t in report.tables.values()), 'fichier')}."
    )
    return "\n".join(out)


def csv_text(report: ValidationReport) -> str:
    """Every rejection as CSV (`CSV_COLUMNS`, comma, UTF-8; empty cell where there is no place)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.rejections:
        writer.writerow(
            [
                r.file,
                "" if r.line is None else r.line,
                r.column or "",
                "" if r.value is None else r.value,
                r.rule,
                r.message,
            ]
        )
    return buffer.getvalue()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_destination(path: Path, data_dir: Path, outputs: tuple[Path, ...] = ()) -> Path:
    """``path`` resolved (a folder: `DEFAULT_NAME` in it), refused inside ``data_dir``, an ``outputs``
    folder or a published tree.

    A published tree is any folder holding a batch's top-level files
    (`OUTPUT_MARKERS`): rejections.csv quotes pseudonyms and the audit of the
    outputs would (rightly) fail on it; in the data folder it would be read
    as an export.

    Raises
    ------
    EspacepError : naming the folder and ``--rejections``.
    """
    target = path.expanduser().resolve()
    if target.is_dir():
        target = target / DEFAULT_NAME
    forbidden = [(data_dir.resolve(), "le dossier des données")]
    forbidden += [(o.resolve(), "les sorties publiées") for o in outputs]
    forbidden += [
        (p, "les sorties publiées")
        for p in target.parents
        if any((p / marker).is_file() for marker in OUTPUT_MARKERS)
    ]
    for folder, what in forbidden:
        if _inside(target, folder):
            raise EspacepError(
                f"--rejections : {path} est dans {what} ({folder}) ; "
                "rejections.csv contient des pseudonymes : choisir un autre chemin"
            )
    return target


def write_csv(report: ValidationReport, path: Path) -> Path:
    """Write `csv_text` to ``path`` atomically (its folder is created); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, csv_text(report).encode("utf-8"))


def written(report: ValidationReport, path: Path) -> str:
    """The line saying what `write_csv` wrote to ``path`` and what it is for."""
    if report.ok:
        return f"{path} : aucun rejet (en-tête seul)"
    return (
        f"{path} : {_plural(len(report.rejections), 'problème')}, à renvoyer à qui a fait "
        "l'export (contient des pseudonymes : ne pas publier)"
    )


def left_out(report: ValidationReport) -> dict[str, dict[str, int]]:
    """``{file: {"read": n, "left_out": k}}`` of every file with a rejection, in table order."""
    return {t.file: {"read": t.read, "left_out": t.rejected} for t in report.tables.values() if not t.ok}


def left_out_sentence(counts: dict[str, dict[str, int]]) -> str:
    """``"consultations.csv : 3 lignes sur 2 400 ; persons.csv : 1 ligne sur 1 076"`` (French)."""
    if not counts:
        return "aucune"
    return " ; ".join(
        f"{file} : {_plural(c['left_out'], 'ligne')} sur {_int(c['read'])}" for file, c in counts.items()
    )
