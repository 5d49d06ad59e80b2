"""``outputs/index.html``: every report by year and funder, for the people who read them.

One table per year (latest first), one row per funder (then the rapport moral, under its
title, when ``--book`` rendered it): its warning banners
(`banners`: synthetic data, internal run, ...), status, links to the
HTML, the PDF and ``figures.csv``, when and how fast it was rendered, and the
sha256 of its ``provenance.json`` (which names the input files' hashes, the
parameters and the code version). Plain HTML with a small print style sheet:
readable in a browser, printable on A4. Deterministic: the page depends only
on the files under the output directory and the batch's statuses (no clock,
no random id), and it is rewritten only when its content changes.

Public API: :class:`IndexEntry`, :func:`collect_entries`, :func:`render_index`,
:func:`write_index`.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, funders
from .stamps import STATUS_FAILED, STATUS_OK, STATUS_UNCHANGED, read_stamp, write_if_changed

if TYPE_CHECKING:  # the batch imports this module: no import back at run time
    from .batch import JobResult

INDEX_NAME = "index.html"
DATA_LINKS = (  # the notebook's own products linked after the documents
    ("figures.csv", "figures.csv"),
    ("figures-excel.csv", "CSV pour Excel"),
)


def product_links() -> list[tuple[str, str]]:
    """``(file name, link text)`` of every report product the index links: the formats' (`renderers`), then data."""
    from . import renderers

    return [*renderers.links(), *DATA_LINKS]


# status -> (label shown, CSS class, explanation shown as a tooltip)
STATUS_TEXT = {
    STATUS_OK: ("à jour", "ok", "rendu avec les entrées actuelles"),
    STATUS_UNCHANGED: ("à jour", "ok", "rendu avec les entrées actuelles"),
    STATUS_FAILED: ("échec", "fail", "le dernier lancement a échoué (détail dans son journal)"),
    "unchecked": ("non vérifié", "note", "rapport présent, hors du dernier lancement"),
    "incomplete": ("incomplet", "fail", "dossier sans tampon : rapport inachevé"),
}
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; line-height: 1.4;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #444; margin-top: 1.8rem; }
table { border-collapse: collapse; width: 100%; }
.table-scroll { max-width: 100%; overflow-x: auto; }  /* a phone scrolls the table, not the page */
th, td { border: 1px solid #bbb; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
code { font-size: .75rem; word-break: break-all; }
.ok { color: #1b5e20; } .fail { color: #a40000; font-weight: bold; } .note { color: #6d4c00; }
.small { font-size: .85rem; color: #555; }
.banner { margin-top: .3rem; padding: .15rem .4rem; border: 2px solid #a40000; background: #fff3cd;
          color: #a40000; font-weight: bold; font-size: .85rem; }
@media print {
  @page { size: A4 landscape; margin: 1.5cm; }
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  a { color: inherit; text-decoration: none; }
  section { break-inside: avoid; }
}
""".strip()


@dataclass(frozen=True)
class IndexEntry:
    """One report's row in the index."""

    year: int
    funder: str
    status: str  # a key of STATUS_TEXT
    files: tuple[str, ...]  # products present in outputs/<year>/<funder>/
    seconds: float | None = None
    rendered_at: str | None = None
    provenance_sha256: str | None = None
    banners: tuple[str, ...] = ()  # the report's warning banners (`banners`), from its provenance.json
    missing: tuple[str, ...] = ()  # declared items still to fill (a draft), from its provenance.json
    title: str = ""  # the rapport moral's title, from its provenance.json (a funder's report: its funder)

    @property
    def label(self) -> str:
        """What the row is called: the funder's name, or the rapport moral's title."""
        return self.title or funders.title(self.funder)


def _banners(path: Path) -> tuple[str, ...]:
    """The ``banners`` list of a report's ``provenance.json`` (none when absent or unreadable)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("banners", [])
    except (OSError, ValueError, AttributeError):
        return ()
    return tuple(str(text) for text in found) if isinstance(found, list) else ()


def _title(path: Path) -> str:
    """The ``title`` of a rapport moral's ``provenance.json`` (empty for a funder's report)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("title", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _missing(path: Path) -> tuple[str, ...]:
    """``declared_missing`` of a report's ``provenance.json``: the declared items of a draft still to fill."""
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("declared_missing") or ()
    except (OSError, ValueError, AttributeError):
        return ()
    return tuple(str(item) for item in found) if isinstance(found, list | tuple) else ()


def collect_entries(output_dir: str | Path, results: Sequence[JobResult] = ()) -> list[IndexEntry]:
    """Every report directory under ``output_dir`` and every report of ``results``.

    The status comes from ``results`` (this batch) when the report is in it
    (rendered now or unchanged: both are "à jour", so the page does not change
    when a batch finds nothing to do);
    otherwise from the directory: ``unchecked`` with a stamp, ``incomplete``
    without one.
    """
    root = Path(output_dir)
    statuses = {(r.year, r.funder): r.status for r in results}
    keys = set(statuses)
    for year_dir in (p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        keys |= {
            (int(year_dir.name), d.name)
            for d in year_dir.iterdir()
            if d.is_dir() and not d.name.startswith(".")
        }
    order = {f: i for i, f in enumerate(funders.ids())}
    entries = []
    for year, funder in sorted(keys, key=lambda k: (-k[0], order.get(k[1], len(order)), k[1])):
        folder = root / str(year) / funder
        stamp = read_stamp(folder) or {}
        status = statuses.get((year, funder)) or ("unchecked" if stamp else "incomplete")
        entries.append(
            IndexEntry(
                year=year,
                funder=funder,
                status=status,
                files=tuple(name for name, _ in product_links() if (folder / name).is_file()),
                seconds=stamp.get("seconds"),
                rendered_at=stamp.get("rendered_at"),
                provenance_sha256=_sha256(folder / "provenance.json"),
                banners=_banners(folder / "provenance.json"),
                missing=_missing(folder / "provenance.json"),
                title=_title(folder / "provenance.json"),
            )
        )
    return entries


def _when(iso: str | None) -> str:
    """``2019-12-31T08:05:00Z`` -> ``31/12/2019 08:05 UTC``."""
    if not iso or len(iso) < 16:
        return "—"
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]} {iso[11:16]} UTC"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + "\u00a0s"


def _row(entry: IndexEntry) -> str:
    label, css, why = STATUS_TEXT[entry.status]
    base = f"{entry.year}/{entry.funder}/"
    links = (
        " · ".join(
            f'<a href="{html.escape(base + name)}">{text}</a>'
            for name, text in product_links()
            if name in entry.files
        )
        or "—"
    )
    if entry.status == STATUS_FAILED and entry.files:
        label += " (version précédente conservée)"
    digest = f"<code>{entry.provenance_sha256}</code>" if entry.provenance_sha256 else "—"
    warnings = "".join(f'<div class="banner">{html.escape(text)}</div>' for text in entry.banners)
    if entry.missing:
        items = "".join(f"<li>{html.escape(m)}</li>" for m in entry.missing)
        links += f'<p class="small">Chiffres déclarés à compléter :</p><ul class="small">{items}</ul>'
    return (
        f"<tr><td>{html.escape(entry.label)}{warnings}</td>"
        f'<td class="{css}" title="{why}">{label}</td><td>{links}</td>'
        f'<td>{_when(entry.rendered_at)}</td><td class="num">{_seconds(entry.seconds)}</td>'
        f"<td>{digest}</td></tr>"
    )


def render_index(entries: list[IndexEntry]) -> str:
    """The index page (French), one section per year, latest year first."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Rapports annuels d'Espace P… : index</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        "<h1>Rapports annuels d'Espace P…</h1>",
        '<p class="small">Rapports par année et par financeur. L\'empreinte de provenance est le '
        "sha256 du fichier <code>provenance.json</code> du rapport (fichiers d'entrée, "
        "paramètres, version du code).</p>",
    ]
    if not entries:
        parts.append("<p>Aucun rapport.</p>")
    for year in dict.fromkeys(e.year for e in entries):
        parts += [
            f"<section><h2>{year}</h2>",
            '<div class="table-scroll"><table>',
            "<thead><tr><th>Financeur</th><th>Statut</th><th>Fichiers</th><th>Rendu le</th>"
            "<th>Durée</th><th>Empreinte de provenance (sha256)</th></tr></thead>",
            "<tbody>",
        ]
        parts += [_row(e) for e in entries if e.year == year]
        parts += ["</tbody>", "</table></div>", "</section>"]
    parts += [
        f'<p class="small">Produit par espacep-analysis {html.escape(__version__)}.</p>',
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_index(output_dir: str | Path, results: Sequence[JobResult] = ()) -> Path:
    """Write ``output_dir/index.html`` (atomically, and only when its content changed)."""
    path = Path(output_dir) / INDEX_NAME
    write_if_changed(path, render_index(collect_entries(output_dir, results)))
    return path
