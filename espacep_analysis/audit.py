"""The identifier audit: no pseudonym, birth date or data path in anything rendered.

``espacep audit OUTPUT_DIR --data DIR`` reads the identifiers from the input
data (every value of a ``pseudonym`` column, every birth date when a birth
date column exists, the absolute path of the data directory and the names of
real exports), then scans every rendered file under ``OUTPUT_DIR`` for them:
HTML, executed notebooks (metadata and outputs), CSV, JSON, text, the text
of PDFs and of Word and Excel files. It also flags tables of row-level records (a table with a
``pseudonym`` column) in notebook outputs and HTML. Any finding fails the run.

Public API: :class:`Finding`, :class:`Identifiers`, :func:`collect_identifiers`,
:func:`audit_outputs`, :func:`format_findings`, :func:`audit_exit_status`,
:func:`run_audit` (what the CLI calls).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from . import renderers
from .audit_files import (
    OFFICE_SUFFIXES,
    SCANNED_SUFFIXES,
    embedded_findings,
    machine_path_findings,
    notebook_embeds,
    office_reader,
    office_text,
    private_roots,
    walk_outputs,
)
from .errors import DataError, EspacepError, ParameterError

REPO_ROOT = Path(__file__).resolve().parent.parent

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
# Suffixes `_scan_file` reads itself (text, JSON, markup, PDF); any other registered format is read by
# its renderer's ``text_fn`` (`renderers.text_reader`).
NATIVE_SUFFIXES = (*SCANNED_SUFFIXES,)
PSEUDONYM_COLUMNS = ("pseudonym", "pseudonyme")
BIRTH_DATE_COLUMNS = ("birth_date", "date_of_birth", "birthdate", "date_naissance", "date_de_naissance")
# Table names whose export file names reveal nothing (persons.csv, ...)
GENERIC_TABLE_NAMES = (
    "persons",
    "consultations",
    "lab_results",
    "medical_acts",
    "contacts",
    "social_actions",
    "activities",
    "sites",
)
MIN_PSEUDONYM_LENGTH = 3
HEADER_SEARCH_ROWS = 10
CONTEXT_CHARS = 30
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SKIPPED_JSON_KEYS = ("image/png", "image/jpeg")  # checked by audit_files.notebook_embeds


@dataclass(frozen=True)
class Finding:
    """One identifier found in a rendered file.

    ``kind`` is ``pseudonym``, ``birth_date``, ``data_path``, ``export_name``,
    ``row_records`` or ``unreadable`` (a file the audit could not read fails
    the audit too).
    """

    file: str
    kind: str
    match: str
    context: str


@dataclass(frozen=True)
class Identifiers:
    """What must never appear in a rendered file."""

    pseudonyms: frozenset[str]
    birth_dates: frozenset[str]
    paths: tuple[str, ...]
    export_names: frozenset[str]


# --- reading the identifiers from the data ----------------------------------------------


def _decode(raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover (latin-1 decodes anything)


def _text_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV/TSV export as raw text (encoding and delimiter detected)."""
    text = _decode(path.read_bytes())
    first = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    delimiter = max((";", ",", "\t"), key=lambda d: sum(line.count(d) for line in first))
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    """Rows of every sheet of a workbook, cells as text (dates kept as dates)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise DataError(f"{path} : classeur illisible pour l'audit : {exc}") from None
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield ["" if v is None else v for v in row]
            yield []  # sheet boundary: the next sheet looks for its own header
    finally:
        book.close()


def _loader_rows(path: Path) -> list[list] | None:
    """Rows (header first) read by the project's loader, or None if it cannot help.

    ``load.read_table`` is the reader the reports use (encodings, separators,
    title rows above the header); the audit's own readers are the fallback
    for files it rejects or reads without an identifier column.
    """
    try:
        from .load import read_table
    except ImportError:  # pragma: no cover (the loader ships with the package)
        return None
    try:
        frame, _ = read_table(path)
    except EspacepError:
        return None
    header = [_norm(c) for c in frame.columns]
    if not any(c in PSEUDONYM_COLUMNS + BIRTH_DATE_COLUMNS for c in header):
        return None
    return [header] + frame.astype("string").fillna("").to_numpy(dtype=object).tolist()


def _norm(name) -> str:
    return str(name).strip().strip('"').lstrip("\ufeff").strip().lower()


def _date_forms(value) -> set[str]:
    """Spellings of a birth date that a report could print."""
    d: date | None
    if isinstance(value, datetime | date):
        d = value.date() if isinstance(value, datetime) else value
    else:
        text = str(value).strip()
        d = None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                d = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if d is None:
            return {text} if len(text) >= 6 else set()
    return {
        d.isoformat(),
        d.strftime("%d/%m/%Y"),
        d.strftime("%d-%m-%Y"),
        d.strftime("%d.%m.%Y"),
        f"{d.day}/{d.month}/{d.year}",
    }


def _scan_table(rows: Iterable[list], pseudonyms: set, birth_dates: set) -> None:
    """Collect identifiers from one table's rows (header found within the first rows)."""
    header, seen = None, 0
    for row in rows:
        if not row:  # sheet boundary
            header, seen = None, 0
            continue
        if header is None:
            seen += 1
            names = [_norm(c) for c in row]
            if any(n in PSEUDONYM_COLUMNS + BIRTH_DATE_COLUMNS for n in names):
                header = names
            continue
        for name, value in zip(header, row):
            if name in PSEUDONYM_COLUMNS:
                text = str(value).strip()
                if len(text) >= MIN_PSEUDONYM_LENGTH:
                    pseudonyms.add(text)
            elif name in BIRTH_DATE_COLUMNS and str(value).strip():
                birth_dates.update(_date_forms(value))


def collect_identifiers(data_dir: str | Path) -> Identifiers:
    """Read every identifier the rendered outputs must not contain.

    Parameters
    ----------
    data_dir : path
        The input data directory (searched recursively for ``.csv``, ``.tsv``,
        ``.txt`` and ``.xlsx`` exports).

    Returns
    -------
    Identifiers

    Raises
    ------
    EspacepError
        When the directory does not exist or no ``pseudonym`` column is found
        (an audit that knows no pseudonym would pass vacuously).

    Notes
    -----
    Values are read as raw text (no parsing, no validation), with the
    project's loader (:func:`espacep_analysis.load.read_table`) when it reads
    the file, else with the audit's own reader: UTF-8 (with or without BOM),
    then Windows-1252; comma, semicolon or tab delimited; the header may sit
    below a few title rows. Pseudonyms shorter than
    ``MIN_PSEUDONYM_LENGTH`` characters are not searched (they would match
    ordinary text). A year of birth is not an identifier on its own, and a
    pseudonym combined with anything is caught by the pseudonym. Names of
    export files are identifiers only for real exports (a path component
    named ``raw``) and when they are not a plain table name (``persons.csv``
    reveals nothing and the provenance block lists input files).
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise ParameterError(f"audit : le dossier de données {root} n'existe pas")
    pseudonyms: set[str] = set()
    birth_dates: set[str] = set()
    export_names: set[str] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES):
        rows: Iterable[list] | None = _loader_rows(path) if path.suffix.lower() in (".csv", ".xlsx") else None
        if rows is None:
            rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _text_rows(path)
        _scan_table(rows, pseudonyms, birth_dates)
        if "raw" in path.resolve().parts and path.stem.lower() not in GENERIC_TABLE_NAMES:
            export_names.add(path.name)
    if not pseudonyms:
        raise DataError(
            f"audit : aucune colonne 'pseudonym' remplie sous {root} ; "
            "impossible de chercher les identifiants dans les sorties"
        )
    paths = {str(root.resolve()), str(root.absolute())}
    return Identifiers(
        frozenset(pseudonyms),
        frozenset(birth_dates),
        tuple(sorted(paths, key=len, reverse=True)),
        frozenset(export_names),
    )


# --- matching ---------------------------------------------------------------------------


def _trie_regex(words: Iterable[str]) -> str:
    """One regex alternative for many literals, factored as a trie (fast in ``re``)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            body = ("(?:" + body + ")?") if len(alts) == 1 else body + "?"
        return body

    return build(trie)


@dataclass(frozen=True)
class _Matcher:
    tokens: re.Pattern | None  # pseudonyms and birth dates, whole tokens
    literals: re.Pattern | None  # paths and export names, as whole names (not a prefix of a longer one)
    kinds: dict[str, str]  # lower-cased literal -> kind
    roots: tuple[str, ...] = ()  # private roots of this machine (audit_files.private_roots)
    data_paths: tuple[str, ...] = ()  # reported as data_path, not again as machine_path


def _matcher(ids: Identifiers, roots: tuple[str, ...] = ()) -> _Matcher:
    kinds: dict[str, str] = {}
    for kind, values in (
        ("birth_date", ids.birth_dates),
        ("pseudonym", ids.pseudonyms),
        ("export_name", ids.export_names),
        ("data_path", ids.paths),
    ):
        for value in values:
            kinds[value.lower()] = kind
    tokens = [v.lower() for v in ids.pseudonyms | ids.birth_dates]
    literals = [v.lower() for v in ids.export_names] + [p.lower() for p in ids.paths if len(p) > 3]
    compile_ = lambda body, fmt: re.compile(fmt.format(body), re.IGNORECASE) if body else None  # noqa: E731
    return _Matcher(
        compile_(_trie_regex(tokens), r"(?<!\w)(?:{})(?!\w)"),
        compile_("|".join(re.escape(w) for w in sorted(literals, key=len, reverse=True)), r"(?:{})(?![\w-])"),
        kinds,
        roots,
        ids.paths,
    )


def _context(text: str, start: int, end: int) -> str:
    snippet = text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]
    return " ".join(snippet.split())


def _match_text(text: str, matcher: _Matcher, file: str) -> list[Finding]:
    findings = []
    for pattern in (matcher.tokens, matcher.literals):
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            kind = matcher.kinds.get(m.group(0).lower(), "data_path")
            findings.append(Finding(file, kind, m.group(0), _context(text, m.start(), m.end())))
    for path, start in machine_path_findings(text, matcher.roots, matcher.data_paths):
        findings.append(Finding(file, "machine_path", path, _context(text, start, start + len(path))))
    return findings


# --- row-level tables -----------------------------------------------------------------------

_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def _record_tables(markup: str, file: str, max_rows: int) -> list[Finding]:
    """HTML tables with an identifier column and more than ``max_rows`` body rows."""
    findings = []
    for table in _TABLE.findall(markup):
        end_head = re.search(r"</thead>", table, re.IGNORECASE)
        head, body = (table[: end_head.end()], table[end_head.end() :]) if end_head else (table, table)
        names = {_norm(html.unescape(_TAGS.sub("", c))) for c in _HEAD_CELL.findall(head)}
        columns = sorted(names & set(PSEUDONYM_COLUMNS + BIRTH_DATE_COLUMNS))
        n_rows = len(_ROW.findall(body)) - (0 if end_head else 1)
        if columns and n_rows > max_rows:
            findings.append(
                Finding(
                    file,
                    "row_records",
                    f"{n_rows} rows with column {columns[0]}",
                    _context(_TAGS.sub(" ", html.unescape(table)), 0, 80),
                )
            )
    return findings


def _plain_records(text: str, file: str, max_rows: int) -> list[Finding]:
    """A printed DataFrame (text/plain) whose header line names an identifier column."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = {_norm(w) for w in lines[0].split()}
    columns = sorted(header & set(PSEUDONYM_COLUMNS + BIRTH_DATE_COLUMNS))
    n_rows = sum(1 for line in lines[1:] if not line.lstrip().startswith("["))
    if columns and n_rows > max_rows:
        return [
            Finding(file, "row_records", f"{n_rows} rows with column {columns[0]}", _context(text, 0, 80))
        ]
    return []


# --- reading the rendered files ---------------------------------------------------------------


def _json_strings(node, key: str = "") -> Iterator[str]:
    """Every key and string value of a JSON document, images left out."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            if k not in _SKIPPED_JSON_KEYS:
                yield from _json_strings(v, str(k))
    elif isinstance(node, list):
        if node and all(isinstance(x, str) for x in node):  # notebook multi-line strings
            yield "".join(node)
        else:
            for x in node:
                yield from _json_strings(x, key)
    elif node is not None:
        yield str(node)


def _notebook_records(nb: dict, file: str, max_rows: int) -> list[Finding]:
    """Row-level tables in the outputs of an executed notebook."""
    findings = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) or {}
            join = lambda v: "".join(v) if isinstance(v, list) else str(v)  # noqa: E731
            if "text/html" in data:
                findings += _record_tables(join(data["text/html"]), file, max_rows)
            elif "text/plain" in data:
                findings += _plain_records(join(data["text/plain"]), file, max_rows)
            if "text" in output:  # stream output (print)
                findings += _plain_records(join(output["text"]), file, max_rows)
    return findings


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(v) for v in (reader.metadata or {}).values()]
    return "\n".join(parts)


def _pdf_text_or_error(path: Path) -> tuple[str | None, str | None]:
    """(text, None), or (None, the error) for a PDF that cannot be read (run in a worker process)."""
    try:
        return _pdf_text(path), None
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _start_pdf_texts(paths: list[Path]):
    """Start extracting the PDFs' text in parallel; returns a function that waits for ``{path: (text, error)}``.

    pypdf is pure Python: the PDFs (most of the audit's time) are read in
    worker processes, while the caller collects the identifiers.
    """
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2:
        return lambda: {p: _pdf_text_or_error(p) for p in paths}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    futures = [pool.submit(_pdf_text_or_error, p) for p in paths]

    def wait() -> dict[Path, tuple[str | None, str | None]]:
        try:
            return {p: f.result() for p, f in zip(paths, futures)}
        finally:
            pool.shutdown()

    return wait


def _rendered_texts(
    paths: list[Path], texts: dict[str, str]
) -> tuple[dict[Path, tuple[str | None, str | None]], list[Path]]:
    """The PDFs of ``paths`` whose sha256 is a key of ``texts`` -> (that text, None); the others, to parse."""
    known: dict[Path, tuple[str | None, str | None]] = {}
    unknown = []
    for path in paths:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if texts else None
        except OSError:
            digest = None  # unreadable: parsing it reports the error
        if digest is not None and digest in texts:
            known[path] = (texts[digest], None)
        else:
            unknown.append(path)
    return known, unknown


def _scan_file(
    path: Path, matcher: _Matcher, max_rows: int, pdf: tuple[str | None, str | None] | None = None
) -> list[Finding]:
    """Findings of one rendered file (by its suffix); ``pdf`` is the PDF's (text, error) when already read."""
    file, suffix = str(path), path.suffix.lower()
    try:
        if suffix == ".pdf":
            text, error = pdf if pdf is not None else (_pdf_text(path), None)
            if error is not None:
                return [Finding(file, "unreadable", "", error)]
            return _match_text(text or "", matcher, file)
        if suffix not in NATIVE_SUFFIXES and (reader := renderers.text_reader(suffix)) is not None:
            embeds: list[tuple[str, str]] = []
            text = reader(path)  # a registered format (docx, xlsx, ...)
            if suffix in OFFICE_SUFFIXES:  # what the libraries read, every XML part, no embedded file
                same = getattr(reader, "__qualname__", "") == office_reader(suffix)  # (`renderers.lazy`)
                extra, embeds = office_text(path, text if same else None)
                text = extra if same else f"{text}\n{extra}"
            embeds += embedded_findings(text)[1]
            return _dedupe([Finding(file, k, w, "") for k, w in embeds] + _match_text(text, matcher, file))
        raw = path.read_bytes().decode("utf-8", errors="replace")
    except Exception as exc:  # a file we cannot read must not pass silently
        return [Finding(file, "unreadable", "", f"{type(exc).__name__}: {exc}")]
    is_json = suffix in (".ipynb", ".json")
    text, embeds = embedded_findings(raw, runs=not is_json)
    findings = [Finding(file, kind, what, "") for kind, what in embeds] + _match_text(text, matcher, file)
    if is_json:
        try:
            doc = json.loads(raw)
        except ValueError:
            _, embeds = embedded_findings(text)  # scanned as text
            return _dedupe(findings + [Finding(file, kind, what, "") for kind, what in embeds])
        decoded, embeds = embedded_findings("\n".join(_json_strings(doc)))
        embeds += notebook_embeds(doc) if suffix == ".ipynb" else []
        findings += [Finding(file, kind, what, "") for kind, what in embeds]
        findings += [f for f in _match_text(decoded, matcher, file) if f not in findings]
        if suffix == ".ipynb":
            findings += _notebook_records(doc, file, max_rows)
    elif suffix in (".html", ".htm", ".svg", ".xml"):
        unescaped = html.unescape(text)
        if unescaped != text:
            findings += [f for f in _match_text(unescaped, matcher, file) if f not in findings]
        findings += _record_tables(text, file, max_rows)
    return _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (file, kind, match): the first context is enough."""
    seen, out = set(), []
    for f in findings:
        key = (f.file, f.kind, f.match.lower())
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def identifier_matcher(data_dir: str | Path, output_dir: str | Path) -> _Matcher:
    """Every identifier of ``data_dir`` (`collect_identifiers`) and the machine's private paths
    (`audit_files.private_roots`), compiled for `audit_outputs`: the batch prepares it while the
    reports render."""
    return _matcher(collect_identifiers(data_dir), private_roots(data_dir, Path(output_dir), REPO_ROOT))


def audit_outputs(
    output_dir: str | Path,
    data_dir: str | Path,
    *,
    max_record_rows: int = 0,
    pdf_texts: dict | None = None,
    matcher: _Matcher | None = None,
) -> list[Finding]:
    """Scan every rendered file under ``output_dir`` for identifiers of ``data_dir``.

    Parameters
    ----------
    output_dir : path
        The rendered outputs (searched recursively).
    data_dir : path
        The input data the outputs were computed from.
    max_record_rows : int
        A table (HTML or printed DataFrame) with a ``pseudonym`` (or birth
        date) column and more than this many rows is reported as row-level
        records.
    pdf_texts : dict, optional
        sha256 of a PDF -> the text `render.to_pdf` drew into it (its pages, document
        information and XMP metadata, `render.take_page_texts`): a PDF whose bytes have
        that sha256 is searched in this text instead of being parsed back with pypdf.
        Any other PDF (not rendered in this run, or changed since) is parsed.
    matcher : optional
        `identifier_matcher` of ``data_dir`` and ``output_dir``, compiled beforehand
        (by the batch, during the run); computed here when not given.

    Returns
    -------
    list of Finding
        Sorted by file; one per (file, kind, match). Empty when clean.

    Notes
    -----
    Files scanned: `audit_files.scanned_suffixes` (HTML, notebooks, CSV, JSON, text, PDF
    text via pypdf, and every format of the renderer registry through its
    reader; Word and Excel files also through python-docx and openpyxl and
    their XML parts, `audit_files.office_text`); a file of another type is a
    finding (`audit_files.walk_outputs`); images are checked to be images
    and not searched, and so are images embedded as base64, but for the text of an SVG image
    (a chart's labels), which is searched. Notebooks and JSON are scanned both as
    written and with their strings decoded (``\\u`` escapes), HTML also with
    entities decoded, so metadata (papermill parameters, paths) is covered.
    Pseudonyms and birth dates match as whole tokens (not inside a longer
    word or number), case-insensitively; paths and export names match
    anywhere. All identifiers are compiled into one trie-shaped regular
    expression, so the cost is one pass over each file. The PDFs' text is
    extracted in worker processes while the identifiers are collected (but
    for those of ``pdf_texts``).
    """
    out = Path(output_dir)
    if not out.is_dir():
        raise ParameterError(f"audit : le dossier de sorties {out} n'existe pas")
    paths, tree = walk_outputs(out)
    paths.sort()
    known, unknown = _rendered_texts([p for p in paths if p.suffix.lower() == ".pdf"], pdf_texts or {})
    parsed = _start_pdf_texts(unknown)
    matcher = matcher or identifier_matcher(data_dir, out)
    pdfs = {**known, **parsed()}
    findings: list[Finding] = [Finding(file, kind, what, "") for file, kind, what in tree]
    for path in paths:
        findings += _scan_file(path, matcher, max_record_rows, pdfs.get(path))
    return findings


def format_findings(findings: Iterable[Finding]) -> str:
    """Human-readable report: one line per finding, then a summary line."""
    findings = list(findings)
    if not findings:
        return "audit : aucun identifiant trouvé dans les sorties"
    lines = [f"{f.file} : {f.kind} : {f.match!r} dans \u00ab{f.context}\u00bb" for f in findings]
    files = len({f.file for f in findings})
    lines.append(f"audit : ÉCHEC, constats : {len(findings)}, fichiers : {files}")
    return "\n".join(lines)


def audit_exit_status(findings: Iterable[Finding]) -> int:
    """0 when clean, 1 when anything was found."""
    return 1 if any(True for _ in findings) else 0


def run_audit(
    output_dir: str | Path, data_dir: str | Path, *, out: TextIO | None = None, max_record_rows: int = 0
) -> int:
    """What ``espacep audit OUTPUT_DIR --data DIR`` does: scan, print, return the exit status.

    Raises :class:`EspacepError` for a missing directory or data without
    pseudonyms (the CLI prints the message and exits non-zero).
    """
    findings = audit_outputs(output_dir, data_dir, max_record_rows=max_record_rows)
    print(format_findings(findings), file=out or sys.stdout)
    return audit_exit_status(findings)
