"""The audit's rules on what the outputs are made of: file types, embedded files, machine paths.

`espacep_analysis.audit` looks for identifiers of the data; the rules here fail
the audit on what could carry the data out whatever its content:

- **Tree** (`walk_outputs`): a symbolic link anywhere (never followed), a
  leftover temporary folder or file of the batch (``.<name>.tmp-<pid>/``,
  ``.<name>.old-<pid>/``, ``.<name>.tmp``, ``*.tmp-<pid>``) and a file of a type
  the batch does not produce (`SCANNED_SUFFIXES`, `IMAGE_SUFFIXES`, the empty
  ``.lock``, the batch's ``.data-dir`` record of the data directory (`espacep audit`
  without ``--data`` reads it), the disclosure cache's ``.pkl`` files directly in
  ``<output>/.cache``) are findings.
- **Embedded files** (`embedded_findings`): a ``data:`` URI is allowed only
  when it is a base64 PNG, JPEG or SVG image whose bytes really are one
  (checked by their signature; an SVG's text, a chart's labels, is then
  searched with the text around it); any other ``data:`` URI, and any run of
  `MIN_BASE64_RUN` or more base64 characters that decodes (an embedded file
  outside a data URI), is a finding. Notebook image outputs (``image/png``,
  ``image/jpeg``) are checked the same way; other binary outputs
  (``application/pdf``, ...) are findings.
- **Word and Excel files** (`office_text`): a ``.docx`` or ``.xlsx`` is a zip
  of XML parts; a part that is neither XML nor an image of `IMAGE_SUFFIXES`
  (an embedded file, a macro) is a finding, and an image part must be one.
- **Machine paths** (`machine_path_findings`): an absolute POSIX path of two
  components or more (``/a/b``), not part of a URL or of a longer word
  (``http://host/a/b``, ``Liège/Namur``, ``40/195`` are not paths), is a
  finding when it starts, component by component, with a private root (the
  home directory, the data, output and repository directories, the temporary
  directory, ``/home``, ``/root``, ``/Users``, ``/tmp``, ``/var/tmp``,
  ``/work``, ``/mnt``, ``/media``, ``/private``, ``/var/folders``) or when its
  first two components exist on this machine. A Windows path of two
  components or more (``C:\\Users\\x``) is always a finding.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tempfile
from pathlib import Path

SCANNED_SUFFIXES = (
    ".html",
    ".htm",
    ".ipynb",
    ".csv",
    ".tsv",
    ".txt",
    ".json",
    ".md",
    ".svg",
    ".xml",
    ".yaml",
    ".yml",
    ".log",
    ".pdf",
)
OFFICE_SUFFIXES = (".docx", ".xlsx")  # zip packages of XML parts: `office_text` reads them too


def scanned_suffixes() -> tuple[str, ...]:
    """`SCANNED_SUFFIXES` and the suffix of every registered output format (`renderers`): none escapes the audit."""
    from . import renderers

    return tuple(dict.fromkeys(SCANNED_SUFFIXES + renderers.suffixes()))


IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/svg+xml": (b"<?xml", b"<svg"),
}
IMAGE_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
CACHE_DIR, CACHE_SUFFIX, LOCK_FILE, KEEP_FILE = ".cache", ".pkl", ".lock", ".gitkeep"
DATA_RECORD = ".data-dir"  # batch.DATA_RECORD: the last run's data directory, never published
MIN_BASE64_RUN = 100
PRIVATE_ROOTS = (
    "/home",
    "/root",
    "/Users",
    "/tmp",
    "/var/tmp",
    "/work",
    "/mnt",
    "/media",
    "/private",
    "/var/folders",
)
_TEMP_DIR = re.compile(r"^\..+\.(?:tmp|old)-\d+$")
_TEMP_FILE = re.compile(r"^\..+\.tmp$|\.tmp-\d+$")
_DATA_URI = re.compile(
    r"(?<![\w-])data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+(?:=[^;,\s\"'<>()]*)?)*)"
    r",(?P<payload>[^\s\"'<>()]*)",
    re.IGNORECASE,
)
_BASE64_RUN = re.compile(rf"[A-Za-z0-9+/]{{{MIN_BASE64_RUN},}}={{0,2}}")
_POSIX_PATH = re.compile(r"(?<![\w.:/\\~-])(?:/[\w@%+~.-]+){2,}")
_WINDOWS_PATH = re.compile(r"(?<![\w\\])[A-Za-z]:(?:\\{1,2}[\w .@~-]+){2,}")


def walk_outputs(root: Path) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """The files to scan under ``root`` and the tree's findings ``(file, kind, what)``.

    Symbolic links are reported and never followed; leftover temporary
    folders are reported and not entered (a report inside one is not
    published); files of unknown type are reported.
    """
    files, findings = [], []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs):
            path = here / name
            if path.is_symlink():
                findings.append((str(path), "symlink", f"-> {os.readlink(path)}"))
            elif _TEMP_DIR.match(name):
                findings.append((str(path), "leftover_temp", "temporary folder of an interrupted run"))
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and not _TEMP_DIR.match(d))
        for name in sorted(names):
            kind = _file_kind(here / name, root)
            if kind == "scan":
                files.append(here / name)
            elif kind:
                findings.append((str(here / name), kind[0], kind[1]))
    return files, findings


def _is_lock_record(path: Path) -> bool:
    """An empty lock, or the running batch's owner record (pid, start time, boot id, host) and nothing else."""
    import json

    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        return True
    try:
        record = json.loads(text)
    except ValueError:
        return False
    return (
        isinstance(record, dict)
        and set(record) == {"pid", "start", "boot", "host"}
        and all(isinstance(v, int | float | str) and len(str(v)) < 100 for v in record.values())
    )


def _is_data_record(path: Path) -> bool:
    """The batch's data-directory record: ``{"data_dir": "<absolute path>"}`` and nothing else."""
    import json

    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and set(record) == {"data_dir"}
        and isinstance(record["data_dir"], str)
        and os.path.isabs(record["data_dir"])
        and "\n" not in record["data_dir"]
        and len(record["data_dir"]) < 4096
    )


def _file_kind(path: Path, root: Path) -> str | tuple[str, str] | None:
    """``"scan"``, None (a known file with nothing to read) or a finding ``(kind, what)``."""
    suffix, name = path.suffix.lower(), path.name
    if path.is_symlink():
        return ("symlink", f"-> {os.readlink(path)}")
    if _TEMP_FILE.search(name):
        return ("leftover_temp", "temporary file of an interrupted write")
    if suffix in scanned_suffixes():
        return "scan"
    if name == DATA_RECORD and path.parent == root:
        return (
            None
            if _is_data_record(path)
            else ("unknown_file", "a data record holding something else than the data directory")
        )
    if name == KEEP_FILE and path.parent == root:  # git's placeholder for the empty outputs/ folder
        return None if path.stat().st_size == 0 else ("unknown_file", "a non-empty .gitkeep")
    if name == LOCK_FILE and path.parent == root:
        return (
            None
            if _is_lock_record(path)
            else ("unknown_file", "a lock file holding something else than its owner")
        )
    if suffix == CACHE_SUFFIX and path.parent == root / CACHE_DIR:
        return None  # the disclosure cache: aggregates computed from the data, never published
    if suffix in IMAGE_SUFFIXES:
        with open(path, "rb") as handle:
            head = handle.read(16)
        ok = head.startswith(IMAGE_SIGNATURES[IMAGE_SUFFIXES[suffix]])
        return None if ok else ("embedded_file", f"{suffix} file that is not an image")
    return ("unknown_file", f"file type {suffix or name!r} is not one the batch produces")


def is_image(mime: str, payload: str) -> bool:
    """Whether ``payload`` (base64) decodes to an image of type ``mime`` (by its signature)."""
    signatures = IMAGE_SIGNATURES.get(mime.lower())
    if not signatures:
        return False
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return data.lstrip().startswith(signatures)


def embedded_findings(text: str, runs: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with its report images removed, and ``(kind, what)`` of each other embedded file.

    An SVG image is replaced by its decoded text (a chart's labels), so that it is searched.

    A ``data:`` URI that is not a base64 image of `IMAGE_SIGNATURES` is a
    ``data_uri`` finding; a base64 run of `MIN_BASE64_RUN` characters or more
    outside the images is an ``embedded_file`` finding (only when ``runs``:
    a notebook's raw text holds its image outputs, checked by
    `notebook_embeds`, and its decoded strings are searched instead).
    """
    findings = []

    def check(match: re.Match) -> str:
        mime, params, payload = match["mime"] or "", match["params"] or "", match["payload"]
        if not (params.lower().endswith(";base64") and is_image(mime, payload)):
            findings.append(("data_uri", f"data:{mime}{params},{payload[:40]}"))
            return " "
        if mime.lower() == "image/svg+xml":  # a chart's labels are text: searched like the page's
            svg = base64.b64decode("".join(payload.split())).decode("utf-8", errors="replace")
            return f" {svg} "
        return " "

    rest = _DATA_URI.sub(check, text)
    if runs:
        findings += [
            ("embedded_file", f"{len(m.group(0))} base64 characters: {m.group(0)[:40]}")
            for m in _BASE64_RUN.finditer(rest)
            if _decodes(m.group(0))
        ]
    return rest, findings


def notebook_embeds(nb: dict) -> list[tuple[str, str]]:
    """``(kind, what)`` of each notebook output image that is not the image it claims to be."""
    findings = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) or []:
            for mime, value in (output.get("data", {}) or {}).items():
                payload = "".join(value) if isinstance(value, list) else str(value)
                if mime in ("image/png", "image/jpeg") and not is_image(mime, payload):
                    findings.append(("embedded_file", f"{mime} output that is not an image: {payload[:40]}"))
    return findings


def _decodes(run: str) -> bool:
    """A run of base64 characters that is not plain text or digits (mixed case and digits) and decodes."""
    if not (re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and re.search(r"[0-9+/]", run)):
        return False
    body = run.rstrip("=")
    try:
        base64.b64decode(body[: len(body) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def private_roots(*dirs: str | Path) -> tuple[str, ...]:
    """The roots whose paths are private: ``dirs`` (resolved and as given), home, temp, `PRIVATE_ROOTS`."""
    roots = set(PRIVATE_ROOTS) | {str(Path.home()), tempfile.gettempdir()}
    for folder in dirs:
        roots |= {str(Path(folder).absolute()), str(Path(folder).resolve())}
    return tuple(sorted((r.rstrip("/") for r in roots if r not in ("", "/")), key=len, reverse=True))


def _is_machine_path(path: str, roots: tuple[str, ...]) -> bool:
    if any(path == r or path.startswith(r + "/") for r in roots):
        return True
    first_two = "/".join(path.split("/")[:3])
    return os.path.exists(first_two)


def machine_path_findings(
    text: str, roots: tuple[str, ...], known: tuple[str, ...] = ()
) -> list[tuple[str, int]]:
    """``(path, offset)`` of each absolute path of this machine in ``text`` (see the module docstring).

    Paths starting with one of ``known`` (the data directory, reported as
    ``data_path`` by the identifier audit) are left out.
    """
    found = []
    for match in _POSIX_PATH.finditer(text):
        path = match.group(0).rstrip(".")
        if any(path == k or path.startswith(k + "/") for k in known):
            continue
        if _is_machine_path(path, roots):
            found.append((path, match.start()))
    found += [(m.group(0), m.start()) for m in _WINDOWS_PATH.finditer(text)]
    return found


def office_reader(suffix: str) -> str:
    """``module.function`` of the library reader `office_text` starts with for ``suffix`` (``.docx``, ``.xlsx``)."""
    return f"{__name__}.{'_docx_text' if suffix.lower() == '.docx' else 'xlsx_text'}"


def office_text(path: Path, library_text: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The text of a ``.docx`` or ``.xlsx`` and ``(kind, what)`` of each part that is not XML or an image.

    The text is what python-docx or openpyxl read (paragraphs, tables, headers
    and footers, cells, sheet names, comments, document properties; a date
    cell as ``YYYY-MM-DD``), then every XML part of the package with its
    entities decoded (hidden sheets, defined names, anything the libraries
    leave out). ``library_text``: the first part when the caller already read it with the same
    reader (`office_reader`), so that the workbook or document is not parsed twice. Raises what
    the libraries raise on a file they cannot read.
    """
    import html
    import zipfile

    reader = _docx_text if path.suffix.lower() == ".docx" else xlsx_text
    parts, findings = [reader(path) if library_text is None else library_text], []
    with zipfile.ZipFile(path) as package:
        for member in package.infolist():
            name, suffix = member.filename, Path(member.filename).suffix.lower()
            data = package.read(member)
            if name.lower().endswith((".xml", ".rels", ".vml")):
                parts.append(html.unescape(data.decode("utf-8", errors="replace")))
            elif suffix in IMAGE_SUFFIXES:
                if not data.startswith(IMAGE_SIGNATURES[IMAGE_SUFFIXES[suffix]]):
                    findings.append(("embedded_file", f"{name}: {suffix} part that is not an image"))
            elif not name.endswith("/"):
                findings.append(("embedded_file", f"{name}: part of type {suffix or name!r}"))
    return "\n".join(parts), findings


def _properties_text(props) -> list[str]:
    """The document properties (title, author, comments, ...) as text."""
    names: tuple[str, ...] = ("title", "subject", "creator", "author", "keywords", "description", "comments")
    names += ("category", "last_modified_by", "identifier", "language", "version", "content_status")
    return [str(getattr(props, n)) for n in names if getattr(props, n, None)]


def _docx_text(path: Path) -> str:
    """Paragraphs, tables (nested ones too), headers, footers and properties of a Word document."""
    import docx

    document = docx.Document(str(path))
    lines = _properties_text(document.core_properties)

    def walk(container) -> None:
        lines.extend(p.text for p in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            walk(part)
    return "\n".join(lines)


def xlsx_text(path: Path) -> str:
    """Sheet names, every cell (dates as ``YYYY-MM-DD``), comments and properties of a workbook."""
    import datetime as dt

    from openpyxl import load_workbook

    book = load_workbook(path, data_only=False)
    lines = _properties_text(book.properties) + list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, dt.datetime | dt.date):
                    value = (value.date() if isinstance(value, dt.datetime) else value).isoformat()
                if value is not None:
                    lines.append(str(value))
                if cell.comment is not None:
                    lines.append(cell.comment.text)
    return "\n".join(lines)
