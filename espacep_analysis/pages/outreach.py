"""Page helpers shared by the outreach reports (AViQ, Cocof, and any funder with declared content).

The declared narrative and items of a section, the per-year tables of outreach
figures, the note printed when an outreach table is absent, the migrant share
of the persons seen in a region (INAMI's figure). They format figures of the
`FigureBook`; nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import fmt
from ..declared import Declared
from ..indicators.common import ALL
from ..markup import plain
from . import trends
from .common import FigureBook, Text, prose, rows_table

# Where each outreach table's absence is explained
TABLE_WHAT = {
    "contacts": "de contacts de proximité",
    "social_actions": "de démarches sociales",
    "activities": "d'activités collectives",
}


def narrative_block(declared: Declared | None, key: str) -> list:
    """The declared narrative paragraph of section ``key`` as a block, or nothing."""
    text = declared.narrative.get(key, "") if declared else ""
    return [Text(text.strip())] if text and text.strip() else []


def declared_lines(book: FigureBook, declared: Declared | None, section: str) -> list:
    """A bullet list ``- <label> : <value> (<earlier years>)`` of the section's filled items, in file order.

    The value is formatted by its unit (``1 231``, ``12,5 %``) or masked; the
    label prints exactly as written (`markup.plain`). Items still to fill
    print nothing here: a draft lists them in its methods note.
    """
    if declared is None:
        return []
    lines = []
    for item in declared.items(section):
        ind = f"{declared.funder}.declared.{item.key}"
        if book.has(ind):
            label = plain(item.label)
            lines.append(
                "- "
                + book.clause(
                    f"{label} : {book.say(ind)}{book.paren_history(ind)}",
                    [ind],
                    f"{label} : chiffre non publié",
                )
            )
    return [prose("\n".join(lines))] if lines else []


def declared_section(book: FigureBook, declared: Declared | None, section: str) -> list:
    """The declared content of ``section``: its narrative, then its items."""
    return narrative_block(declared, section) + declared_lines(book, declared, section)


def years_and(book: FigureBook, indicator: str, scope: str = ALL) -> str:
    """``" (488 en 2017 et 584 en 2018)"``: the previous years present, oldest first, or ``""`` (`say`)."""
    items = [
        f"{book.say(indicator, y, scope)} en {y}"
        for y in sorted(book.previous)
        if book.has(indicator, y, scope)
    ]
    if not items:
        return ""
    text = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]
    return f" ({text})"


def absent(book: FigureBook, table: str) -> Text:
    """The note printed instead of a section whose outreach table has no row in the report year."""
    return Text(
        f"*Pas de données {TABLE_WHAT[table]} pour {book.year} : le fichier {table}.csv des "
        f"exports est absent ou ne couvre pas cette année.*"
    )


def nothing_to_report(book: FigureBook, declared: Declared | None, section: str) -> Text:
    """The note under a section heading with nothing to print (no declared text or figure, no data).

    ``"Rien à signaler en 2017."``; in a draft whose section still holds items to fill,
    ``"Chiffres déclarés à compléter."`` (the methods note lists them).
    """
    if declared is not None and any(item.todo for item in declared.items(section)):
        return Text("*Chiffres déclarés à compléter.*")
    return Text(f"*Rien à signaler {book.period}.*")


def _years(book: FigureBook, items: Sequence[tuple[str, str]]) -> list[int]:
    """The report year and the previous years with at least one of ``items`` (id, scope), ascending."""
    years = [y for y in [*book.previous, book.year] if any(book.has(i, y, s) for i, s in items)]
    return sorted(years)


def _item(entry) -> tuple[str, str]:
    return (entry, ALL) if isinstance(entry, str) else tuple(entry)


def trend_table(
    book: FigureBook,
    items: Sequence,
    caption: str,
    labels: Mapping[str, str] | None = None,
    footnote: str = "",
    first_header: str = "Indicateur",
) -> list:
    """One line per figure (its label, or ``labels[id]``), one column per year; ``[]`` when none is present.

    ``items`` are ids (scope ``all``) or ``(id, scope)`` pairs; figures absent
    from the book are left out, a year without the figure prints an en dash.
    """
    pairs = [_item(e) for e in items]
    pairs = [(i, s) for i, s in pairs if any(book.has(i, y, s) for y in [book.year, *book.previous])]
    if not pairs:
        return []
    years = _years(book, pairs)
    rows = []
    for ind, scope in pairs:
        some = next(y for y in [book.year, *book.previous] if book.has(ind, y, scope))
        label = (labels or {}).get(ind, book.row(ind, some, scope)["label"])
        cells = [book.text(ind, y, scope) if book.has(ind, y, scope) else fmt.MISSING for y in years]
        rows.append(([label, *cells], False))
    return [rows_table([first_header, *map(str, years)], rows, caption=caption, footnote=footnote)]


def sentences(parts: Sequence[str]) -> list:
    """The non-empty sentences ``parts`` as one generated block (`prose`), or nothing."""
    text = " ".join(fmt.capitalized(p) for p in parts if p)
    return [prose(text)] if text else []


def migrant_share(book: FigureBook, indicator: str, scope: str, where: str) -> list:
    """The migrant share of the persons seen in the region, its earlier years and its comparison (INAMI's figure)."""
    if not book.has(indicator, book.year, scope):
        return []
    text = (
        book.clause(
            f"Les migrantes constituent {book.say(indicator, scope=scope)} des TDS vus {where}"
            f"{book.paren_history(indicator, scope)}{trends.short_verdict(book, indicator, scope=scope)}",
            [(indicator, book.year, scope)],
            f"La part de migrantes parmi les TDS vus {where} {book.period} n'est pas publiée",
        )
        + "."
    )
    blocks: list = [prose(text)]
    if book.previous:
        blocks.append(
            trends.comparison_table(
                book,
                [(indicator, scope, "Part de migrants (nationalité connue, non belge)")],
                f"Évolution de la part de migrants parmi les TDS vus {where}",
            )
        )
    return blocks
