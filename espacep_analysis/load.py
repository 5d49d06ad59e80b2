"""Read and validate the record-level exports of a data directory.

A data directory holds one file per table of `schemas.TABLES`:
``persons.csv``, ``consultations.csv``, ``lab_results.csv``,
``medical_acts.csv`` (or ``.xlsx`` with the same stem), and optionally the
outreach tables ``contacts.csv``, ``social_actions.csv``, ``activities.csv``:
an absent optional file is no rejection (the `Dataset` then holds an empty
frame with the table's columns and dtypes, and the report says
"absent (facultatif)"); a present one is validated fully.

- `read_table` reads one file into a frame of text (pandas ``string``, empty
  cells ``<NA>``) indexed by the file's line number (CSV: header = line 1, so
  the first data row is line 2; XLSX: the sheet's row number). CSV may be UTF-8
  (with or without BOM), UTF-16 with BOM or Windows-1252, comma-, semicolon- or
  tab-separated; title rows above the header are skipped (CSV and XLSX).
- `validate_directory` checks every table against its schema and rules and
  returns a `ValidationReport` (counts and every rejection with file, line,
  column, value, rule id and French message).
- `load_dataset` returns the typed `Dataset`, and refuses (raises
  `EspacepError` with the report) when anything is rejected, unless
  ``allow_rejections=True``: then only accepted rows are returned and the
  counts are reported by a warning; `validate_and_load` returns both the
  dataset of accepted rows and the report.

Nothing here prints; reading problems become `EspacepError` naming the file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import fmt, schemas
from .dataset import Dataset
from .errors import DataError, EspacepError, FileRejected
from .sites import SITES_FILE, Sites, load_sites

EXTENSIONS = (".csv", ".xlsx")
SEPARATORS = (";", ",", "\t")
HEADER_SEARCH_ROWS = 30
MAX_SHOWN_IN_ERROR = 50  # rejections per table quoted in load_dataset's error
FAILURE_COLUMNS = ["line", "column", "value", "rule", "message"]


class Rejection(NamedTuple):
    """One rejected value: ``line``/``column``/``value`` are None for a whole-file problem."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def format(self) -> str:
        """``"consultations.csv, ligne 14, colonne site, valeur 'x': message"``."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"ligne {self.line}")
        if self.column is not None:
            parts.append(f"colonne {self.column}")
        if self.value is not None:
            shown = self.value.replace("\r", "\\r").replace("\n", "\\n")
            parts.append(f"valeur '{shown}'")
        return ", ".join(parts) + f": {self.message} [{self.rule}]"


@dataclass(frozen=True)
class TableMeta:
    """How a file was read: format, encoding, separator, header line, sheet, sha256."""

    path: Path
    format: str
    sha256: str
    encoding: str | None = None
    separator: str | None = None
    header_line: int | None = None
    sheet: str | None = None
    extra_columns: tuple[str, ...] = ()
    # CSV records with fewer fields than the header: (line, fields, header width,
    # column of the last field, its text, True when it is the last line without newline)
    short_rows: tuple[tuple[int, int, int, str, str, bool], ...] = ()

    @property
    def file(self) -> str:
        return self.path.name


@dataclass
class TableReport:
    """Counts and rejections of one table (``failures`` has `FAILURE_COLUMNS`)."""

    table: str
    file: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FAILURE_COLUMNS))
    meta: TableMeta | None = None
    present: bool = True  # False when the directory has no file for the table
    required: bool = True  # False for the optional (outreach) tables
    whole_file: bool = False  # True when every row is rejected by a file-level problem

    @property
    def absent_optional(self) -> bool:
        """True for an optional table without a file (not a rejection)."""
        return not self.present and not self.required

    @property
    def rejections(self) -> list[Rejection]:
        """Every rejection, in file order (whole-file ones first)."""
        out: list[Rejection] = []
        if len(self.failures) == 0:
            return out
        for line, column, value, rule, message in self.failures[FAILURE_COLUMNS].itertuples(
            index=False, name=None
        ):
            out.append(
                Rejection(
                    self.file,
                    None if pd.isna(line) else int(line),
                    None if pd.isna(column) else str(column),
                    None if pd.isna(value) else str(value),
                    str(rule),
                    str(message),
                )
            )
        return out

    @property
    def ok(self) -> bool:
        return len(self.failures) == 0


def _fr_int(n: int) -> str:
    """Integer with a space as thousands separator (``1 076``)."""
    return f"{n:,}".replace(",", " ")


@dataclass
class ValidationReport:
    """Per-table counts and rejections of a data directory."""

    data_dir: Path
    tables: dict[str, TableReport]

    @property
    def ok(self) -> bool:
        """True when no row and no file was rejected."""
        return all(t.ok for t in self.tables.values())

    @property
    def rejections(self) -> list[Rejection]:
        return [r for t in self.tables.values() for r in t.rejections]

    def counts(self) -> pd.DataFrame:
        """One row per table: file, present, read, accepted, rejected, problems (rejections).

        An absent optional table has ``present`` False and zero counts.
        """
        rows = [
            {
                "table": t.table,
                "file": t.file,
                "present": t.present,
                "read": t.read,
                "accepted": t.accepted,
                "rejected": t.rejected,
                "problems": len(t.failures),
            }
            for t in self.tables.values()
        ]
        return pd.DataFrame(rows).set_index("table")

    def format(self, max_per_table: int | None = None) -> str:
        """Plain-French summary: counts per table, then one line per rejection.

        ``max_per_table`` bounds the rejection lines printed per table (None: all).
        An absent optional table gets one line ``"contacts.csv: absent (facultatif)"``.
        """
        lines = []
        for t in self.tables.values():
            if t.absent_optional:
                lines.append(f"{t.file}: absent (facultatif)")
                continue
            lines.append(
                f"{t.file}: {_fr_int(t.read)} lues, {_fr_int(t.accepted)} acceptées, "
                f"{_fr_int(t.rejected)} rejetées"
            )
            shown = t.failures if max_per_table is None else t.failures.head(max_per_table)
            lines.extend("  " + r.format() for r in TableReport(t.table, t.file, failures=shown).rejections)
            hidden = len(t.failures) - len(shown)
            if hidden > 0:
                lines.append(f"  {t.file}: … et {_fr_int(hidden)} autres problèmes non affichés")
        if self.ok:
            lines.append("Aucune ligne rejetée.")
        return "\n".join(lines)


# --- reading -----------------------------------------------------------------------------------
def _norm_name(name) -> str:
    """Header cell -> column name: stripped, unquoted, lower case."""
    return str(name).strip().strip('"').strip().lstrip("\ufeff").lower()


def _check_header(names: list, path: Path, line: int) -> None:
    """Refuse a header where several cells normalise to one name (``site``, ``SITE``, ``site ``).

    Raises
    ------
    FileRejected : rule ``duplicate_column``, at the header line, naming the
        columns (1-based positions) and their spellings.
    """
    seen: dict[str, list[tuple[int, str]]] = {}
    for j, name in enumerate(names):
        norm = _norm_name("" if name is None else name)
        if norm:
            seen.setdefault(norm, []).append((j + 1, "" if name is None else str(name)))
    for norm, cells in seen.items():
        if len(cells) > 1:
            where = ", ".join(f"'{raw}' en colonne {j}" for j, raw in cells)
            raise FileRejected(
                path.name,
                "duplicate_column",
                f"en-tête : plusieurs colonnes se lisent '{norm}' ({where}) : "
                "laquelle lire est ambigu ; n'en garder qu'une",
                line=line,
                column=norm,
                value=" | ".join(raw for _, raw in cells),
            )


def _short_rows(text: str, skip: int, sep: str, names: list[str]):
    """CSV records (below the header line ``skip``) with fewer fields than the header.

    Returns `TableMeta.short_rows` entries; blank lines are not records. The
    last entry is flagged when it is the file's last record and the file has
    no final newline (a file cut inside its last line).
    """
    lines = _unquoted_lines(text)
    if lines is not None:
        return _short_rows_unquoted(text, lines, skip, sep, names)
    width, out, start, last = len(names), [], 1, None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if line <= skip + 1 or not any(f.strip() for f in record):
                continue
            last = line
            if len(record) < width:
                out.append(
                    (line, len(record), width, _norm_name(names[len(record) - 1]), record[-1].strip(), False)
                )
    except csv.Error as exc:
        raise DataError(f"fichier illisible : ligne mal formée ({exc})") from None
    if out and out[-1][0] == last and not text.endswith(("\n", "\r")):
        out[-1] = out[-1][:5] + (True,)
    return tuple(out)


def _unquoted_lines(text: str) -> list[str] | None:
    """The physical lines of ``text`` when each is one CSV record, else None.

    That is when the text holds no quote, every ``\\r`` belongs to a ``\\r\\n``
    and no line is longer than the csv module's field limit (which it refuses).
    """
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = text.split("\n")
    return lines if max(map(len, lines)) <= csv.field_size_limit() else None


def _short_rows_unquoted(text: str, lines: list[str], skip: int, sep: str, names: list[str]):
    """`_short_rows` of a text without quotes whose line breaks are all ``\\n`` or ``\\r\\n``.

    Then a record is a physical line and its fields are ``line.split(sep)``, so
    counting separators finds the candidates without a CSV parser (that parser
    was half the time of validating 10^6 rows); only lines with too few
    separators are split. Same result as `_short_rows`.
    """
    width, out = len(names), []
    needed = width - 1
    counts = np.fromiter(map(methodcaller("count", sep), lines), dtype=np.int64, count=len(lines))
    for i in (np.flatnonzero(counts[skip + 1 :] < needed) + skip + 1).tolist():
        record = lines[i].removesuffix("\r").split(sep)
        if any(f.strip() for f in record):
            out.append(
                (i + 1, len(record), width, _norm_name(names[len(record) - 1]), record[-1].strip(), False)
            )
    if out and not text.endswith(("\n", "\r")):
        last = next(
            i + 1
            for i in range(len(lines) - 1, skip, -1)
            if any(f.strip() for f in lines[i].removesuffix("\r").split(sep))
        )
        if out[-1][0] == last:
            out[-1] = out[-1][:5] + (True,)
    return tuple(out)


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Bytes -> (text, encoding): UTF-16 with BOM, UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{path.name}: fichier illisible : c'est un classeur Excel (.xlsx) "
            "nommé .csv ; renommez-le en .xlsx ou exportez-le en CSV"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(f"{path.name}: fichier illisible : UTF-16 invalide ({exc})") from None
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path.name}: fichier illisible : encodage non reconnu (ni UTF-8 ni Windows-1252 ; "
            f"octet 0x{data[exc.start]:02x} à la position {exc.start})"
        ) from None


def _best_header(rows: list[list[str]], columns: tuple[str, ...]) -> int | None:
    """Index of the first row holding all ``columns``, else the one holding most, else None."""
    best, best_hits = None, 0
    wanted = set(columns)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len(wanted & {_norm_name(c) for c in row if c is not None})
        if wanted and hits == len(wanted):
            return i
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _csv_header(text: str, columns: tuple[str, ...]) -> tuple[int, str] | None:
    """(0-based header line, separator), or None when the text has no non-blank line."""
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    candidates = [(i, sep) for i, line in enumerate(lines) for sep in SEPARATORS]
    found = _best_header([lines[i].rstrip("\r").split(sep) for i, sep in candidates], columns)
    if found is not None:
        return candidates[found]
    for i, line in enumerate(lines):
        if line.strip():
            counts = [line.count(sep) for sep in SEPARATORS]
            return i, SEPARATORS[int(np.argmax(counts))]
    return None


def by_unique(values, func, dtype) -> pd.Series:
    """Apply ``func`` (array of distinct non-missing values -> array) via the distinct values.

    Exports repeat few distinct values (codes, dates, pseudonyms), so string work
    on the distinct values and a ``take`` is far faster than per-row string ops.
    """
    index = values.index if isinstance(values, pd.Series) else None
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    mapped = pd.array(func(np.asarray(uniques, dtype=object)), dtype=dtype)
    out = mapped.take(codes, allow_fill=True)
    return pd.Series(out, index=index)


def _strip_or_na(uniques: np.ndarray) -> list:
    """Distinct cell texts -> stripped text, or None when empty."""
    return [v.strip() or None if isinstance(v, str) else None for v in uniques]


def _clean(frame: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    """Text frame: names normalised, values stripped, '' -> <NA>, blank rows dropped, index = line."""
    keep = [
        j for j, c in enumerate(frame.columns) if str(c).strip() != "" and not str(c).startswith("Unnamed: ")
    ]
    out = pd.DataFrame(
        {
            _norm_name(frame.columns[j]): by_unique(frame.iloc[:, j].to_numpy(), _strip_or_na, "string")
            for j in keep
        }
    )
    out.index = pd.Index(lines, name="line")
    return out.loc[out.notna().any(axis=1)] if len(out.columns) else out.iloc[0:0]


def _read_csv(path: Path, data: bytes, columns: tuple[str, ...]) -> tuple[pd.DataFrame, dict]:
    text, encoding = _decode(data, path)
    if "\x00" in text:
        raise DataError(f"{path.name}: fichier illisible : contenu binaire (octets nuls)")
    meta: dict[str, Any] = {"format": "csv", "encoding": encoding}
    header = _csv_header(text, columns)
    if header is None:
        return pd.DataFrame(index=pd.Index([], name="line")), meta
    skip, sep = header
    names = next(csv.reader([text.split("\n", skip + 1)[skip].rstrip("\r")], delimiter=sep))
    _check_header(names, path, skip + 1)
    try:
        short = _short_rows(text, skip, sep, names)
    except EspacepError as exc:
        raise DataError(f"{path.name}: {exc}") from None
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            sep=sep,
            skiprows=skip,
            header=0,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise DataError(f"{path.name}: fichier illisible : ligne mal formée ({exc})") from None
    # physical line of each record: header line + 1 + records before + embedded newlines
    first = skip + 2
    lines = first + np.arange(len(frame), dtype=np.int64)
    if text.count("\n") > skip + 1 + len(frame):  # some quoted cells hold line breaks
        extra = sum(frame[c].astype(str).str.count("\n").to_numpy(dtype=np.int64) for c in frame.columns)
        lines += np.concatenate([[0], np.cumsum(extra)[:-1]]).astype(np.int64)
    meta.update(separator=sep, header_line=skip + 1, short_rows=short)
    return _clean(frame, lines), meta


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold (dates ISO, 3.0 -> '3')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _load_book(path: Path, data_only: bool):
    """The workbook, read-only; a corrupt file is an `EspacepError` naming it."""
    import openpyxl

    try:
        with warnings.catch_warnings():  # e.g. "Workbook contains no default style"
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise DataError(
            f"{path.name}: fichier illisible : classeur XLSX endommagé ou "
            f"d'un autre format ({type(exc).__name__}: {exc})"
        ) from None
    except Exception as exc:  # openpyxl raises assorted errors on corrupt files
        raise DataError(f"{path.name}: fichier illisible : {type(exc).__name__}: {exc}") from None


def _open_sheet(path: Path, table: str | None):
    """The workbook and its sheet named like the table (any case), or its only sheet.

    Raises
    ------
    FileRejected : rule ``sheet_not_found`` when the workbook has several
        sheets and none is named after the table.
    """
    book = _load_book(path, data_only=True)
    names = {name.strip().lower(): name for name in book.sheetnames}
    if table in names:
        return book, book[names[table]]
    if len(book.sheetnames) == 1 or table is None:
        return book, book.worksheets[0]
    book.close()
    raise FileRejected(
        path.name,
        "sheet_not_found",
        f"le classeur a {len(names)} feuilles ({', '.join(book.sheetnames)}) et "
        f"aucune ne s'appelle '{table}' : renommer '{table}' la feuille à lire "
        "(ou n'en garder qu'une)",
        value=" | ".join(book.sheetnames),
    )


def _has_formulas(path: Path) -> bool:
    """True when some worksheet XML of the workbook holds a formula element."""
    with zipfile.ZipFile(path) as archive:
        return any(
            b"<f>" in archive.read(n) or b"<f " in archive.read(n)
            for n in archive.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


def _check_formulas(path: Path, title: str, rows: list[list], header: int | None) -> None:
    """Refuse formula cells the workbook holds without a computed (cached) value.

    openpyxl reads such a cell as empty; a file written by a program other than
    Excel (or saved without recalculation) holds formulas only.

    Raises
    ------
    FileRejected : rule ``formula_without_value``, naming the first cell
        (line, column, formula) and how many there are.
    """
    if not _has_formulas(path):
        return
    book = _load_book(path, data_only=False)
    try:
        formulas = [list(r) for r in book[title].iter_rows(values_only=True)]
    finally:
        book.close()
    names = [_norm_name(_cell_text(v)) for v in rows[header]] if header is not None else []
    bad = [
        (i + 1, j, f)
        for i, row in enumerate(formulas)
        for j, f in enumerate(row)
        if isinstance(f, str)
        and f.startswith("=")
        and (i >= len(rows) or j >= len(rows[i]) or rows[i][j] is None)
    ]
    if bad:
        line, j, formula = bad[0]
        column = names[j] if j < len(names) and names[j] else f"n° {j + 1}"
        raise FileRejected(
            path.name,
            "formula_without_value",
            f"{fmt.quantity(len(bad), 'cellule calculée', 'cellules calculées', sep=' ')} par une formule sans valeur "
            f"enregistrée (première : ligne {line}, colonne {column}, {formula}) : "
            "ouvrir le fichier dans Excel et l'enregistrer (Excel y écrit les "
            "valeurs calculées), puis recommencer",
            line=line,
            column=column,
            value=formula,
        )


def _read_xlsx(path: Path, columns: tuple[str, ...], table: str | None):
    book, sheet = _open_sheet(path, table)
    try:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # corrupt sheet XML
        raise DataError(
            f"{path.name}: fichier illisible : feuille {sheet.title!r} "
            f"endommagée ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        book.close()
    meta = {"format": "xlsx", "sheet": sheet.title}
    header = _best_header(rows, columns)
    if header is None:
        header = next((i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)), None)
    _check_formulas(path, sheet.title, rows, header)
    if header is None:
        return pd.DataFrame(index=pd.Index([], name="line")), meta
    names = [_cell_text(v) for v in rows[header]]
    _check_header(names, path, header + 1)
    width = len(names)
    body = [(r + [None] * width)[:width] for r in rows[header + 1 :]]
    frame = pd.DataFrame(
        [[_cell_text(v) for v in r] for r in body],
        columns=[f"Unnamed: {j}" if not n.strip() else n for j, n in enumerate(names)],
        dtype=object,
    )
    lines = np.arange(header + 2, header + 2 + len(body), dtype=np.int64)
    meta["header_line"] = header + 1
    return _clean(frame, lines), meta


def read_table(path: str | Path, table: str | None = None) -> tuple[pd.DataFrame, TableMeta]:
    """Read one export file into a frame of text and how it was read.

    Parameters
    ----------
    path : CSV or XLSX file.
    table : table name (default: the file's stem when it names a table); used to find
        the header row below title rows.

    Returns
    -------
    frame : columns = the file's header names (lower case), values pandas ``string``
        stripped, empty cells ``<NA>``; index ``line`` = line/row number in the file.
        Blank rows are dropped. Values are not parsed (validation does it).
    meta : `TableMeta`.

    Raises
    ------
    EspacepError : missing, unreadable or undecodable file, naming the file.
    """
    path = Path(path)
    table = table or (path.stem.lower() if path.stem.lower() in schemas.TABLES else None)
    columns = schemas.TABLES[table].columns if table else ()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path.name}: fichier illisible ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() == ".xlsx":
        frame, meta = _read_xlsx(path, columns, table)
    elif path.suffix.lower() == ".csv":
        frame, meta = _read_csv(path, data, columns)
    else:
        raise DataError(f"{path.name}: format non pris en charge (attendu : .csv ou .xlsx)")
    extra = tuple(c for c in frame.columns if columns and c not in columns)
    return frame, TableMeta(path=path, sha256=digest, extra_columns=extra, **meta)


# --- parsing (text -> typed; unparseable values are failures, not crashes) ----------------------
_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"


_DATE = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4}))" + _TIME_SUFFIX, re.ASCII)
# datetime64[ns] covers 1677-09-21 .. 2262-04-11: real dates beyond are clipped to these
# (so 31/12/9999, Excel's "no date", is out of the plausible range, not unreadable)
_NS_BOUNDS = (dt.date(1677, 9, 22), dt.date(2262, 4, 11))


def _date_of(text: str) -> np.datetime64:
    """One date text -> datetime64[ns] (NaT when not ISO nor dd/mm/yyyy, or impossible)."""
    match = _DATE.fullmatch(text)
    if match is None:
        return np.datetime64("NaT", "ns")
    year, month, day = match.group(1, 2, 3) if match[1] else match.group(6, 5, 4)
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:  # 31/02, month 13, year 0, ...
        return np.datetime64("NaT", "ns")
    return np.datetime64(min(max(date, _NS_BOUNDS[0]), _NS_BOUNDS[1]), "ns")


def _dates_of(uniques: np.ndarray) -> np.ndarray:
    """Distinct date texts -> datetime64[ns] (NaT when not ISO nor dd/mm/yyyy, or impossible).

    Plain Python per distinct value: exports hold at most a few thousand
    distinct dates, and this is far faster than vectorised string parsing on
    the small arrays validation mostly sees.
    """
    return np.array([_date_of(str(v)) for v in uniques], dtype="datetime64[ns]")


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` or Belgian ``dd/mm/yyyy`` (a time part is ignored) -> datetime64[ns].

    Anything else, and impossible dates (31/02/2019), give NaT. Dates beyond the
    range of datetime64[ns] (31/12/9999) are clipped to its bounds (1677-09-22,
    2262-04-11), which no plausible-range check accepts.
    """
    return by_unique(text, _dates_of, "datetime64[ns]")


def _numbers_of(uniques: np.ndarray) -> np.ndarray:
    """Distinct number texts -> float64 (NaN when unreadable or not finite)."""
    text = pd.Series(uniques, dtype="string")
    cleaned = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True).str.replace(",", ".")
    values = pd.to_numeric(cleaned.astype(object), errors="coerce").astype("float64")
    return np.where(np.isfinite(values), values, np.nan)


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers with decimal comma or point, spaces as thousands separators -> float64 (NaN)."""
    return by_unique(text, _numbers_of, "float64").astype("float64")


_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+", re.ASCII)  # 1.000 (fr-BE grouping)
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+", re.ASCII)  # 1,000: decimal or grouping?
_WHOLE = re.compile(r"([+-]?\d+)(?:[.,]0*)?", re.ASCII)  # 12, 12,0, 12.00
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_INT_OK, _INT_UNREADABLE, _INT_SCIENTIFIC, _INT_OUT_OF_RANGE = 0, 1, 2, 3


def _integer_of(text: str, bound: int) -> tuple[float, int]:
    """One whole-number text -> (value or NaN, one of the ``_INT_*`` outcomes)."""
    text = _SPACES.sub("", text)
    if _DOT_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if _SCIENTIFIC.fullmatch(text):
        return np.nan, _INT_SCIENTIFIC
    match = None if _COMMA_THOUSANDS.fullmatch(text) else _WHOLE.fullmatch(text)
    if match is None:
        return np.nan, _INT_UNREADABLE
    value = int(match[1])  # Python int: 2**64 is read exactly, then refused by the bound
    if abs(value) > bound:
        return np.nan, _INT_OUT_OF_RANGE
    return float(value), _INT_OK


def _integers(text: pd.Series, column: str) -> tuple[pd.Series, pd.Series]:
    """Whole numbers -> (Int64 values, outcome codes ``_INT_*`` per row).

    A dot grouping thousands (``1.000`` as Belgian Excel shows it) is read as
    thousands: in a whole-number column a decimal point followed by three
    digits would otherwise silently turn 1 000 condoms into 1. ``1,000`` is
    ambiguous (decimal comma or English grouping) and unreadable; ``12,0`` and
    ``12.0`` are 12. Scientific notation (``1e3``) is refused, and so is any
    value whose size exceeds the column's bound (`schemas.INT_BOUNDS`), which
    also keeps every accepted value inside Int64.
    """
    bound = schemas.INT_BOUNDS[column]
    codes, uniques = pd.factorize(text.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
    parsed = [_integer_of(str(v), bound) for v in uniques]
    values = np.array([v for v, _ in parsed] + [np.nan], dtype="float64")
    outcome = np.array([o for _, o in parsed] + [_INT_OK], dtype=np.int8)
    return (
        pd.Series(values[codes], index=text.index).astype("Int64"),
        pd.Series(outcome[codes], index=text.index),
    )


def _integer_failures(column: str, outcome: pd.Series) -> list[tuple]:
    """(mask, rule, message) of the unreadable, scientific and out-of-range values."""
    example = "1985" if column == "birth_year" else "12 ou 1 000"
    bound = f"{schemas.INT_BOUNDS[column]:,}".replace(",", " ")
    return [
        (outcome == _INT_UNREADABLE, "not_a_number", f"nombre entier illisible (p. ex. {example})"),
        (
            outcome == _INT_SCIENTIFIC,
            "scientific_notation",
            f"notation scientifique refusée dans une colonne de nombres entiers (écrire le nombre "
            f"en chiffres, p. ex. {example})",
        ),
        (
            outcome == _INT_OUT_OF_RANGE,
            "number_out_of_range",
            f"nombre hors de la borne plausible de la colonne (au plus {bound} en valeur absolue)",
        ),
    ]


def _booleans_of(uniques: np.ndarray) -> list:
    low = [str(v).lower() for v in uniques]
    return [True if v in schemas.TRUE_VALUES else False if v in schemas.FALSE_VALUES else None for v in low]


def _parse_column(spec: schemas.TableSpec, column: str, text: pd.Series):
    """(typed column, list of (failure mask, rule, message)) for one column of text."""
    kind = spec.column_type(column)
    if kind == "date":
        typed = parse_dates(text)
        return typed, [(text.notna() & typed.isna(), "date_unparseable", schemas.RULES["date_unparseable"])]
    if kind == "int":
        values, outcome = _integers(text, column)
        return values, _integer_failures(column, outcome)
    if kind == "float":
        values = parse_numbers(text)
        return values, [
            (text.notna() & values.isna(), "not_a_number", "nombre illisible (p. ex. 12,5 ou 12.5)")
        ]
    if kind == "bool":
        typed = by_unique(text, _booleans_of, "boolean")
        return typed, [
            (
                text.notna() & typed.isna(),
                "invalid_boolean",
                "valeur oui/non illisible (valeurs valides : true/false, oui/non, 1/0, " "vrai/faux)",
            )
        ]
    if column == "nationality":
        return by_unique(text, lambda u: [v.upper() for v in u], "string"), []
    if column in spec.codes or column == "site":
        return by_unique(text, lambda u: [v.lower() for v in u], "string"), []
    return text, []


def parse_table(raw: pd.DataFrame, spec: schemas.TableSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed frame of ``spec.columns`` (dtypes of `schemas.DTYPES`) and parsing failures."""
    typed, parts = {}, []
    for column in spec.columns:
        typed[column], found = _parse_column(spec, column, raw[column])
        parts += [schemas.failures(raw, bad, column, rule, message) for bad, rule, message in found]
    return pd.DataFrame(typed, index=raw.index), _concat(parts)


_NO_FAILURES = pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _NO_FAILURES.copy()  # building an empty frame costs more than copying one
    return pd.concat(parts, ignore_index=True)


# --- validation --------------------------------------------------------------------------------
def _schema_failures(
    schema: pa.DataFrameSchema, typed: pd.DataFrame, raw: pd.DataFrame, unparsed: pd.DataFrame
) -> pd.DataFrame:
    """Run the pandera schema (lazily) and turn its failure cases into failures.

    An empty cell of a required column is ``empty_value``; a cell already
    reported as unparseable is not reported again as empty.
    """
    try:
        schema.validate(typed, lazy=True)
        return _concat([])
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna() & cases["column"].isin(list(schema.columns))]
    already = set(zip(unparsed["line"], unparsed["column"]))
    parts = []
    for (column, check, number), group in cases.groupby(
        ["column", "check", cases["check_number"].astype(object).fillna(-1)], sort=False
    ):
        lines = group["index"].astype("int64").to_numpy()
        if check == "not_nullable":
            lines = np.array([ln for ln in lines if (ln, column) not in already], dtype=np.int64)
            rule, message = "empty_value", schemas.RULES["empty_value"]
        elif number != -1:
            chk = schema.columns[column].checks[int(number)]
            rule, message = chk.name, chk.error
        else:
            rule, message = "schema_error", str(check)
        mask = pd.Series(raw.index.isin(lines), index=raw.index)
        parts.append(schemas.failures(raw, mask, column, rule, message))
    return _concat(parts)


def short_row_failures(meta: TableMeta | None) -> pd.DataFrame:
    """Failures (rule ``missing_fields``) of the CSV records shorter than the header.

    The column is the one of the record's last field and the value its text:
    a record cut short (``10`` read as ``1``) ends in a truncated value.
    """
    if meta is None or not meta.short_rows:
        return _concat([])
    rows = []
    for line, n, width, column, value, cut in meta.short_rows:
        what = (
            f"dernière ligne incomplète et sans fin de ligne : le fichier semble coupé "
            f"({n} champs au lieu de {width}, la valeur '{value}' est peut-être tronquée) ; "
            "exporter le fichier à nouveau"
            if cut
            else f"ligne incomplète : {n} champs au lieu de {width} (séparateurs manquants ; "
            f"la valeur '{value}' est peut-être tronquée)"
        )
        rows.append(
            {"line": line, "column": column, "value": value, "rule": "missing_fields", "message": what}
        )
    return pd.DataFrame(rows, columns=FAILURE_COLUMNS)


def _short_rows_first(short: pd.DataFrame, parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """``short`` and the failures of ``parts`` not on its lines.

    The fields missing from a short record would each be reported empty, and its
    truncated last value again: one ``missing_fields`` says it all.
    """
    if len(short) == 0:
        return parts
    lines = set(short["line"])
    return [short] + [p.loc[~p["line"].isin(lines)] for p in parts if len(p)]


def _whole_table(
    report: TableReport,
    rule: str,
    message: str,
    column: str | None = None,
    line: int | None = None,
    value: str | None = None,
):
    """Reject every row of the table with one file-level failure (at ``line`` when it has one)."""
    row = pd.DataFrame([{"line": line, "column": column, "value": value, "rule": rule, "message": message}])
    report.whole_file = True
    report.failures = (
        _concat([report.failures, row])
        .sort_values("line", na_position="first", kind="stable", key=lambda s: pd.to_numeric(s))
        .reset_index(drop=True)
    )
    report.accepted, report.rejected = 0, report.read


def _finish(report: TableReport, typed: pd.DataFrame, parts: list[pd.DataFrame]) -> None:
    """Sort failures by line and column order; count rows read / accepted / rejected."""
    found = _concat(parts)
    order = {c: i for i, c in enumerate(typed.columns)}
    found = found.assign(_c=found["column"].map(lambda c: order.get(c.split(",")[0], 99)))
    found = found.sort_values(["line", "_c"], kind="stable").drop(columns="_c")
    report.failures = _concat([report.failures, found.reset_index(drop=True)])
    rejected = typed.index.isin(found["line"].to_numpy())
    report.rejected = int(rejected.sum())
    report.accepted = report.read - report.rejected


def validate_table(
    spec: schemas.TableSpec, raw: pd.DataFrame, report: TableReport, ctx: schemas.Context
) -> pd.DataFrame:
    """Validate one table already read; fill ``report``.

    Returns the typed frame of all rows (None when the whole table is rejected);
    accepted rows are those whose line has no failure in ``report.failures``.
    """
    report.read = len(raw)
    if len(raw) == 0:
        _whole_table(
            report,
            "empty_file",
            "fichier vide : aucune ligne de données sous l'en-tête" if len(raw.columns) else "fichier vide",
        )
        return None
    missing = [c for c in spec.columns if c not in raw.columns]
    if missing:
        found = ", ".join(raw.columns) or "aucune"
        for column in missing:
            _whole_table(
                report,
                "missing_column",
                f"colonne obligatoire '{column}' absente : "
                f"tout le fichier est rejeté (colonnes trouvées : {found})",
                column,
            )
        return None
    raw = raw[list(spec.columns)]
    typed, parse_failures = parse_table(raw, spec)
    parts = [
        parse_failures,
        _schema_failures(schemas.build_schema(spec, ctx), typed, raw, parse_failures),
        schemas.duplicate_keys(spec, typed, raw),
        schemas.person_rules(spec, typed, raw, ctx),
    ]
    parts += [rule.func(typed, raw, ctx) for rule in spec.row_rules]
    _finish(report, typed, _short_rows_first(short_row_failures(report.meta), parts))
    if spec.person_column and ctx.persons is None:
        _whole_table(
            report,
            "persons_unavailable",
            "références à persons non vérifiables : "
            "persons est absent ou rejeté en entier ; toutes les lignes sont rejetées",
        )
        return None
    return typed


def _accepted(typed: pd.DataFrame | None, report: TableReport) -> pd.DataFrame | None:
    """Rows of ``typed`` without any failure (None when the whole table is rejected)."""
    if typed is None:
        return None
    return typed.loc[~typed.index.isin(report.failures["line"].dropna().to_numpy())]


def find_table_file(data_dir: Path, spec: schemas.TableSpec) -> list[Path]:
    """Files of ``data_dir`` named ``<stem>.csv`` / ``<stem>.xlsx`` (any case)."""
    wanted = {spec.file_stem + ext for ext in EXTENSIONS}
    return sorted(p for p in data_dir.iterdir() if p.is_file() and p.name.lower() in wanted)


def _validate_one(spec: schemas.TableSpec, data_dir: Path, ctx: schemas.Context):
    """(TableReport, accepted typed rows or None) of one table of the directory."""
    files = find_table_file(data_dir, spec)
    report = TableReport(
        spec.name,
        files[0].name if files else f"{spec.file_stem}.csv",
        present=bool(files),
        required=spec.required_file,
    )
    if len(files) > 1:
        _whole_table(
            report,
            "ambiguous_file",
            "plusieurs fichiers pour la même table ("
            + ", ".join(p.name for p in files)
            + ") : n'en garder qu'un",
        )
        return report, None
    if not files:
        if spec.required_file:
            _whole_table(
                report,
                "missing_file",
                f"fichier absent du dossier {data_dir} "
                f"(attendu : {spec.file_stem}.csv ou {spec.file_stem}.xlsx)",
            )
        return report, None
    try:
        raw, report.meta = read_table(files[0], spec.name)
    except FileRejected as exc:
        _whole_table(report, exc.rule, exc.detail, exc.column, exc.line, exc.value)
        return report, None
    except EspacepError as exc:
        message = str(exc).removeprefix(f"{files[0].name}: ")
        _whole_table(report, "unreadable_file", message)
        return report, None
    return report, validate_table(spec, raw, report, ctx)


def _run(data_dir, sites: Sites | None, year: int | None, today: dt.date | None = None):
    """Validate every table: (report, accepted typed frames by table)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: dossier de données introuvable")
    sites = sites if sites is not None else load_sites()
    ctx = schemas.make_context(sites.codes, year=year, today=today)
    reports, frames = {}, {}
    for name, spec in schemas.TABLES.items():
        reports[name], typed = _validate_one(spec, data_dir, ctx)
        frames[name] = _accepted(typed, reports[name])
        if name == "persons":
            ctx = _with_persons(ctx, typed, frames[name])
    return ValidationReport(data_dir, reports), frames


def _with_persons(ctx: schemas.Context, typed: pd.DataFrame | None, accepted: pd.DataFrame | None):
    """Context holding the accepted persons (by pseudonym) and the rejected pseudonyms."""
    if accepted is None or typed is None:
        return ctx
    rejected = typed.loc[~typed.index.isin(accepted.index), "pseudonym"].dropna()
    return dataclasses.replace(
        ctx, persons=accepted.set_index("pseudonym"), rejected_persons=frozenset(rejected)
    )


def validate_directory(
    data_dir: str | Path, sites: Sites | None = None, year: int | None = None, today: dt.date | None = None
) -> ValidationReport:
    """Validate every table of ``data_dir`` (see `schemas.TABLES` and `schemas.RULES`).

    Parameters
    ----------
    data_dir : directory holding ``persons.csv`` etc. (or ``.xlsx``).
    sites : site hierarchy (default: `sites.load_sites()`).
    year : the data's declared (latest) year: event dates after 31 December of it
        are rejected (``result_given_date`` is only bounded by ``today``).
    today : reference date (default: today), for reproducible tests.

    Returns
    -------
    ValidationReport : ``.ok``, ``.format()``, ``.counts()``, ``.rejections``.

    Raises
    ------
    EspacepError : ``data_dir`` is not a directory. Every problem inside it is a rejection.
    """
    return _run(data_dir, sites, year, today)[0]


def _dataset_dtypes(frame: pd.DataFrame | None, spec: schemas.TableSpec) -> pd.DataFrame:
    """Accepted typed rows with the dtypes of `dataset` (bool not nullable), index reset."""
    if frame is None:
        frame = pd.DataFrame({c: pd.Series(dtype=schemas.DTYPES[spec.column_type(c)]) for c in spec.columns})
    frame = frame.reset_index(drop=True)
    for column in spec.columns:
        if spec.column_type(column) == "bool":
            frame[column] = frame[column].astype("bool")
    return frame


def validate_and_load(
    data_dir: str | Path, sites: Sites | None = None, year: int | None = None, today: dt.date | None = None
) -> tuple[Dataset, ValidationReport]:
    """The `Dataset` of accepted rows only, and the `ValidationReport` (never raises on rows).

    Every table of `schemas.TABLES` fills the `Dataset` field of its name; a
    table without a file, or wholly rejected, is an empty frame with its
    columns and dtypes. ``Dataset.sources`` maps each file read to its sha256.

    Without ``sites``, the result is kept for the next call: when the data directory
    (however spelled), its files, the active ``sites.yaml``, ``year`` and ``today`` are the
    same (sha256 of every file), that call returns it without validating again (a notebook's "Run all" in
    a started kernel). Each call gets its own frames (shallow copies: with pandas'
    copy-on-write a change to them never reaches the kept ones).
    """
    key = _inputs_key(data_dir, year, today) if sites is None else None
    if key is not None and _LAST_LOADED.get("key") == key:
        dataset, report = _LAST_LOADED["value"]
        if str(report.data_dir) != str(data_dir):  # the path as this caller spells it, like `_run`
            report = dataclasses.replace(report, data_dir=data_dir)
    else:
        sites = sites if sites is not None else load_sites()
        report, frames = _run(data_dir, sites, year, today)
        tables = {name: _dataset_dtypes(frames.get(name), spec) for name, spec in schemas.TABLES.items()}
        sources = {t.meta.file: t.meta.sha256 for t in report.tables.values() if t.meta is not None}
        dataset = Dataset(sites=sites, sources=sources, **tables)
        if key is not None:
            _LAST_LOADED.update(key=key, value=(dataset, report))
    views = {name: getattr(dataset, name).copy(deep=False) for name in schemas.TABLES}
    return dataclasses.replace(dataset, sources=dict(dataset.sources), **views), report


# The last data set `validate_and_load` built with the default sites, and the key of its inputs:
# a notebook's "Run all" (and each report of a batch kernel) reuses it when not a byte changed
_LAST_LOADED: dict = {}


def _inputs_key(data_dir: str | Path, year: int | None, today: dt.date | None) -> tuple | None:
    """What validation reads: the files of ``data_dir`` and the active ``sites.yaml`` (sha256), the bounds.

    None when ``data_dir`` is not a directory (`_run` then says so).
    """
    from .settings import params_file

    folder = Path(data_dir).resolve()
    if not folder.is_dir():
        return None
    files = [folder / name for name in sorted(p.name for p in folder.iterdir())]
    files.append(params_file(SITES_FILE).resolve())
    digests = tuple(
        (str(f), hashlib.sha256(f.read_bytes()).hexdigest() if f.is_file() else None) for f in files
    )
    return str(folder), digests, year, today or dt.date.today()  # "data" and "/abs/data": one key


def refusal(report: ValidationReport) -> EspacepError:
    """The error that refuses invalid data: where the full list is, how to render anyway, the rejections."""
    return EspacepError(
        f"données rejetées dans {report.data_dir} (liste complète : "
        f"espacep validate --data {report.data_dir} ; rendre sans ces lignes : "
        "espacep report --accept-rejections) :\n" + report.format(max_per_table=MAX_SHOWN_IN_ERROR)
    )


def load_dataset(
    data_dir: str | Path,
    sites: Sites | None = None,
    allow_rejections: bool = False,
    year: int | None = None,
    today: dt.date | None = None,
) -> Dataset:
    """Validate ``data_dir`` and return the typed `Dataset`.

    Raises ``EspacepError`` with ``report.format()`` (at most `MAX_SHOWN_IN_ERROR`
    rejections per table) when anything is rejected, so
    rendering refuses invalid data. With ``allow_rejections=True`` only the
    accepted rows are returned and, when rows were rejected, a `UserWarning`
    carries the per-table counts (use `validate_and_load` to get the report).
    """
    dataset, report = validate_and_load(data_dir, sites, year, today)
    if not report.ok:
        if not allow_rejections:
            raise refusal(report)
        counts = "; ".join(
            f"{t.file}: {t.rejected} rejetées sur {t.read}" for t in report.tables.values() if not t.ok
        )
        warnings.warn(f"lignes rejetées ignorées ({counts})", UserWarning, stacklevel=2)
    return dataset
