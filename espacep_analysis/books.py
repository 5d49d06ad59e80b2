"""The rapport moral: one yearly document made of parts of the funders' reports, declared in ``params/book.yaml``.

The composition is data (`BOOK_FILE` in the params directory): the book's
output folder, its title and its parts in order, each a funder of the registry
(`funders`), the keys of the sections of that funder's report it prints, and
the part's heading. `load` reads and validates it strictly (`config`: unknown
keys, a funder or a section the registry does not know, a section printed
twice are ``file:line: key: problem`` errors). `headings` lays the book's
headings out (`Heading`); the book notebook is generated from them
(`notebooks.book_notebook`) and the batch renders it like a funder's report
(``espacep report --book``).

Headings and numbers
--------------------
A part is a level-2 heading numbered in book order (``3. Notre Programme ...``).
A funder's chapters (`funders.Section.chapter`, or a level-2 section) become
level-3 headings numbered inside their part (``1.2 Les données
socio-économiques``), their sections one level lower (``1.2.1 Répartition selon
l'âge``). A part that holds a single chapter of its funder *is* that chapter:
the part's heading replaces the chapter's, and its sections keep their levels
(``5.1 Lieu de la première rencontre de l'année``). Numbers that are labels
(``Stratégie 1 :``, ``Action 2 :``) are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config, funders, settings
from .errors import ConfigError

BOOK_FILE = "book.yaml"
_FOLDER = re.compile(r"[a-z][a-z0-9-]*")
_NUMBER = re.compile(r"^\d+(\.\d+)*\.?$")  # "1.", "2.3": renumbered in the book (not "Stratégie 1 :")
_LEADING_NUMBER = re.compile(r"^\d+(\.\d+)*\.?\s+")

SCHEMA = config.Record(
    {
        "folder": config.Text(),
        "title": config.Text(),
        "parts": config.ListOf(
            config.Record(
                {
                    "heading": config.Text(),
                    "funder": config.Code(),
                    "sections": config.ListOf(config.Code(), min_items=1),
                }
            ),
            min_items=1,
        ),
    }
)


@dataclass(frozen=True)
class BookPart:
    """One part of the book: ``sections`` (keys) of ``funder``'s report under ``heading``."""

    heading: str
    funder: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class BookSpec:
    """The book: its folder under ``outputs/<year>/``, its title, its parts in order."""

    folder: str
    title: str
    parts: tuple[BookPart, ...]

    @property
    def funders(self) -> list[str]:
        """The funders of the book, in order of first appearance."""
        return list(dict.fromkeys(part.funder for part in self.parts))


@dataclass(frozen=True)
class Heading:
    """One heading of the book: its level and markdown text; ``funder``/``key`` of the section it opens, if any.

    Level 0 is no heading: a section that is its own chapter, whose heading the chapter's (or the
    part's) already printed.
    """

    level: int
    text: str
    funder: str = ""
    key: str = ""


def path(params_dir: str | Path | None = None) -> Path:
    """``book.yaml`` of ``params_dir`` (None: the active params directory)."""
    return Path(params_dir or settings.params_dir()) / BOOK_FILE


def load(params_dir: str | Path | None = None) -> BookSpec:
    """The book declared in ``params_dir/book.yaml`` (None: the active params directory), validated.

    Raises `ConfigError` listing every problem as ``file:line: key: problem``.
    """
    file = path(params_dir)
    raw = config.load_checked(file, SCHEMA, "book composition")
    where = config.display(file)
    problems = _folder_problems(raw, where) + [
        line for i, part in enumerate(raw["parts"]) for line in _part_problems(raw["parts"], i, part, where)
    ]
    problems += _repeated_sections(raw["parts"], where)
    if problems:
        raise ConfigError("\n".join(problems))
    parts = tuple(BookPart(p["heading"], p["funder"], tuple(p["sections"])) for p in raw["parts"])
    return BookSpec(raw["folder"], raw["title"], parts)


def _folder_problems(raw: dict, where: str) -> list[str]:
    folder = raw["folder"]
    line = config.line_of(raw, "folder")
    if not _FOLDER.fullmatch(folder):
        return [
            config.problem(
                where, line, "folder", f"expected lower-case letters, digits and -, got {folder!r}"
            )
        ]
    if folder in funders.ids():
        return [
            config.problem(where, line, "folder", f"{folder!r} is a funder's folder; choose another name")
        ]
    return []


def _part_problems(parts: list, i: int, part: dict, where: str) -> list[str]:
    """A funder the registry does not know; a section its spec does not declare."""
    key = f"parts[{i}]"
    if part["funder"] not in funders.ids():
        line = config.line_of(part, "funder")
        known = ", ".join(funders.ids())
        return [
            config.problem(
                where, line, f"{key}.funder", f"unknown funder {part['funder']!r}; expected one of: {known}"
            )
        ]
    declared = [section.key for section in funders.get(part["funder"]).sections]
    out = []
    for j, section in enumerate(part["sections"]):
        if section not in declared:
            out.append(
                config.problem(
                    where,
                    config.line_of(part["sections"], j),
                    f"{key}.sections[{j}]",
                    f"unknown section {section!r} of funder {part['funder']}; expected one of: {', '.join(declared)}",
                )
            )
    return out


def _repeated_sections(parts: list, where: str) -> list[str]:
    """A section printed twice in the book."""
    seen: set[tuple[str, str]] = set()
    out = []
    for i, part in enumerate(parts):
        for j, section in enumerate(part["sections"]):
            if (part["funder"], section) in seen:
                out.append(
                    config.problem(
                        where,
                        config.line_of(part["sections"], j),
                        f"parts[{i}].sections[{j}]",
                        f"section {section!r} of funder {part['funder']} is already in the book",
                    )
                )
            seen.add((part["funder"], section))
    return out


# --- headings ------------------------------------------------------------------------------------


def headings(spec: BookSpec) -> list[Heading]:
    """Every heading of the book in order; the one opening a section names it (``funder``, ``key``)."""
    from .markup import plain  # the part's heading comes from the params: printed as written

    out: list[Heading] = []
    for number, part in enumerate(spec.parts, start=1):
        out.append(Heading(2, f"{number}. {plain(part.heading)}"))
        out += _part_headings(part, str(number))
    return out


def _chapters(funder: str) -> dict[str, str]:
    """Section key -> the heading of its chapter in ``funder``'s report (a level-2 section is its own chapter)."""
    found, current = {}, ""
    for section in funders.get(funder).sections:
        if section.chapter:
            current = section.chapter
        elif section.level <= 2:
            current = f"{section.number} {section.heading}"
        found[section.key] = current
    return found


def _part_headings(part: BookPart, prefix: str) -> list[Heading]:
    """The headings of one part's sections (see the module's docstring for the levels and numbers)."""
    sections = {section.key: section for section in funders.get(part.funder).sections}
    chapter_of = _chapters(part.funder)
    single = len({chapter_of[key] for key in part.sections}) == 1
    out: list[Heading] = []
    chapter, chapters, count = None, 0, 0
    for key in part.sections:
        section = sections[key]
        if chapter_of[key] != chapter:
            chapter, count = chapter_of[key], 0
            if not single:
                chapters += 1
                out.append(Heading(3, f"{prefix}.{chapters} {_LEADING_NUMBER.sub('', chapter)}"))
        if section.level <= 2 and not section.chapter:  # the section is its chapter: heading printed above
            out.append(Heading(0, "", part.funder, key))
            continue
        base = prefix if single else f"{prefix}.{chapters}"
        if _NUMBER.match(section.number):
            count += 1
            number = f"{base}.{count}"
        else:
            number = section.number
        title = f"{number} {section.heading}" if number else section.heading
        out.append(Heading(section.level + (0 if single else 1), title, part.funder, key))
    return out
