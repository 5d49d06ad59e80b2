"""Declared figures and narrative paragraphs: what no data row can give, as data.

Each funder's report quotes numbers that come from elsewhere (website and
Facebook audience, staff counts, events counted by hand) and prints narrative
paragraphs. They live in ``params/<year>/<funder>.yaml``, an ordered, open list
of items per report section::

    funder: aviq          # must equal the file name
    year: 2019            # must equal the directory name
    synthetic: false      # optional: true marks invented example values
    sections:             # keys: the funder's sections (SECTIONS below)
      internet:
        narrative: >-     # optional paragraph(s), Markdown subset (markup.py)
          Nous communiquons chaque semaine avec ...
        items:            # optional, printed in this order
          - key: newsletter_readers        # code, unique in the file
            label: Lecteurs de notre lettre d'information
            value: 1200                    # number >= 0, or A_COMPLETER
            unit: persons                  # one of DECLARED_UNITS (units.py)
            source: page Facebook, 31/12   # optional note

The sections are code (the notebooks print their headings); the items are
data: a new year's events need no code change. ``A_COMPLETER`` (`TODO`) marks
a value or a narrative still to fill (written by ``espacep new-year``); a
report whose params hold one is refused unless rendered as a draft.

:func:`load_declared` reads and checks one file (through `config`): unknown
fields, wrong types, unknown units or sections and duplicate keys raise
:class:`ConfigError` naming the file, the line and the key path.
:func:`declared_figures` turns the filled items into rows of the figures
table (id ``<funder>.declared.<key>``). Nothing is read at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import config, units
from .banners import DRAFT
from .errors import ConfigError, EspacepError

if TYPE_CHECKING:  # pandas is imported by the functions that build figures: reading params stays light
    import pandas as pd

TODO = "A_COMPLETER"
DRAFT_BANNER = DRAFT  # banners.BANNERS["draft"]: the one banner table
# A declared value reads as a count, a share or a duration; statistics are never declared.
DECLARED_UNITS: tuple[str, ...] = units.COUNT_UNITS + ("proportion", "ratio", "years", "days")
WHOLE_UNITS: tuple[str, ...] = units.COUNT_UNITS

# funder -> section key -> French heading (report order). The notebooks print one heading per section.
SECTIONS: dict[str, dict[str, str]] = {
    "aviq": {
        "proximity": "Stratégie 1 : Travail de proximité",
        "internet": "Stratégie 2 : Prévention sur internet",
        "tools": "Stratégie 3 : Production d'outils de prévention",
        "medical": "Stratégie 4 : Consultations médicales gratuites délocalisées",
        "violence": "Stratégie 5 : Prévention des violences",
        "harm_reduction": "Stratégie 6 : Réduction des risques (usagers de drogues)",
        "clients": "Stratégie 7 : Sensibilisation des clients",
        "professionals": "Stratégie 8 : Sensibilisation des professionnels",
        "advocacy": "Stratégie 9 : Plaidoyer politique",
        "evaluation": "Stratégie 10 : Évaluation formative",
        "demands": "Action sociale globale : profil des demandes",
        "social_activities": "Action sociale globale : nouvelles activités collectives",
    },
    "cocof": {
        "proximity": "Action 1 : Travail de proximité",
        "unplanned": "Action 1 : actions non prévues initialement",
        "adjustments": "Action 1 : ajustements envisagés",
        "internet": "Action 2 : Prévention sur internet",
        "tools": "Action 3 : Production d'outils de prévention",
        "medical": "Action 4 : Consultations médicales gratuites délocalisées",
        "violence": "Action 5 : Prévention des violences",
        "harm_reduction": "Action 6 : Réduction des risques (usagers de drogues)",
        "clients": "Action 7 : Sensibilisation des clients",
        "professionals": "Action 8 : Sensibilisation des professionnels",
        "social_work": "Programme d'action sociale globale à Bruxelles",
    },
}
FUNDERS_WITH_PARAMS = tuple(SECTIONS)


class UnfilledParams(EspacepError):
    """Params still hold ``A_COMPLETER`` items and the report was not asked as a draft."""


# --- the schema ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag(config.Kind):
    """``true`` or ``false``."""

    def errors(self, value, at):
        return [] if isinstance(value, bool) else at.fail(f"expected true or false, got {config.show(value)}")


@dataclass(frozen=True)
class Value(config.Kind):
    """A number >= 0, or the marker `TODO` (still to fill)."""

    def errors(self, value, at):
        if value == TODO:
            return []
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return at.fail(f"expected a number >= 0 or {TODO}, got {config.show(value)}")
        return at.fail(f"expected a number >= 0, got {value}") if value < 0 else []


ITEM = config.Record(
    {
        "key": config.Code(),
        "label": config.Text(),
        "value": Value(),
        "unit": config.Choice(DECLARED_UNITS),
        "source": config.Text(),
    },
    optional=("source",),
)
SECTION = config.Record(
    {"narrative": config.Text(), "items": config.ListOf(ITEM)}, optional=("narrative", "items")
)


def file_kind(funder: str) -> config.Record:
    """The schema of ``params/<year>/<funder>.yaml``."""
    sections = config.MapOf(SECTION, key=config.Choice(tuple(SECTIONS[funder])), min_items=0)
    return config.Record(
        {
            "funder": config.Choice((funder,)),
            "year": config.Integer(1990),
            "synthetic": Flag(),
            "sections": sections,
        },
        optional=("synthetic", "sections"),
    )


# --- the content --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One declared figure; ``value`` None while it reads `TODO`."""

    section: str
    key: str
    label: str
    value: float | None
    unit: str
    source: str = ""

    @property
    def todo(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Declared:
    """One funder's declared content for one year (read-only).

    ``sections``: section key -> items in file order; ``narrative``: section
    key -> filled paragraph; ``missing``: ``section.key`` (or
    ``section.narrative``) of everything still `TODO`, in file order.
    """

    funder: str
    year: int
    sections: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)
    narrative: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    path: str = ""
    synthetic: bool = False

    def items(self, section: str) -> tuple[Item, ...]:
        """The items of ``section`` in file order (filled and to fill)."""
        return self.sections.get(section, ())

    @property
    def figures(self) -> Mapping[str, float]:
        """Key -> value of the filled items."""
        return MappingProxyType(
            {i.key: i.value for s in self.sections.values() for i in s if i.value is not None}
        )

    def missing_lines(self) -> list[str]:
        """``"<file>: <section.key>"`` for every item still to fill."""
        return [f"{self.path}: {key}" for key in self.missing]


def _active(params_dir: str | Path | None) -> Path:
    """``params_dir``, or the active params directory (`settings.params_dir`) when None."""
    from .settings import params_dir as active_params_dir

    return Path(params_dir or active_params_dir())


def declared_path(funder: str, year: int, params_dir: str | Path | None = None) -> Path:
    """``<params_dir>/<year>/<funder>.yaml`` (default: the active params directory, `settings.params_dir`)."""
    return _active(params_dir) / str(int(year)) / f"{funder}.yaml"


def _missing_file(path: Path, funder: str, year: int) -> ConfigError:
    return ConfigError(
        f"{config.display(path)}: file not found; the declared figures and narrative of {funder} for {int(year)} "
        f"go there: run `espacep new-year {int(year)}` to create it from the previous year, then fill every "
        f"{TODO}"
    )


def _duplicates(raw: dict, where: str) -> list[str]:
    """One problem per item key written twice in the file (with both lines)."""
    seen: dict[str, int | None] = {}
    out: list[str] = []
    for name, section in (raw.get("sections") or {}).items():
        for i, item in enumerate(section.get("items") or []):
            key, line = item.get("key"), config.line_of(section["items"], i)
            if key in seen:
                out.append(
                    config.problem(
                        where,
                        line,
                        f"sections.{name}.items[{i}].key",
                        f"duplicate key {key!r} (first written at line {seen[key]})",
                    )
                )
            seen.setdefault(key, line)
    return out


def _value_problems(raw: dict, where: str) -> list[str]:
    """Whole numbers for count units, at most 1 for proportions."""
    out = []
    for name, section in (raw.get("sections") or {}).items():
        for i, item in enumerate(section.get("items") or []):
            value, unit = item.get("value"), item.get("unit")
            at = config.At(where, config.line_of(item, "value"), f"sections.{name}.items[{i}].value")
            if value == TODO:
                continue
            if unit in WHOLE_UNITS and float(value) != int(value):
                out += at.fail(f"expected a whole number for unit {unit}, got {value}")
            if unit == "proportion" and value > 1:
                out += at.fail(f"expected a proportion between 0 and 1, got {value}")
    return out


def _check(raw, funder: str, year: int, where: str) -> None:
    """Schema, then the year, duplicate keys and unit-dependent values; every problem at once."""
    config.check(raw, file_kind(funder), where)
    problems = []
    if raw["year"] != int(year):
        problems.append(
            config.problem(
                where,
                config.line_of(raw, "year"),
                "year",
                f"expected {int(year)} (the directory name), got {raw['year']}",
            )
        )
    problems += _duplicates(raw, where) + _value_problems(raw, where)
    if problems:
        raise ConfigError("\n".join(problems))


def _section(name: str, raw: dict) -> tuple[tuple[Item, ...], str | None, list[str]]:
    """Items, filled narrative (or None) and missing keys of one section."""
    items = tuple(
        Item(
            name,
            i["key"],
            i["label"].strip(),
            None if i["value"] == TODO else float(i["value"]),
            i["unit"],
            (i.get("source") or "").strip(),
        )
        for i in raw.get("items") or []
    )
    missing = [f"{name}.{i.key}" for i in items if i.todo]
    text = raw.get("narrative")
    if text is not None and text.strip() == TODO:
        missing.insert(0, f"{name}.narrative")
        text = None
    return items, (text.strip() if text else None), missing


def load_declared(funder: str, year: int, params_dir: str | Path | None = None) -> Declared:
    """Read and check ``params/<year>/<funder>.yaml``.

    Raises
    ------
    EspacepError
        For an unknown funder, a missing file (the message names it and
        ``espacep new-year``), or a file breaking the schema; each problem
        names the file, the line and the key path, e.g.
        ``params/2019/aviq.yaml:12: sections.internet.items[0].unit: expected one of: ...``.
    """
    if funder not in SECTIONS:
        raise EspacepError(
            f"unknown funder {funder!r} for declared figures; expected one of {sorted(SECTIONS)}"
        )
    path = declared_path(funder, year, params_dir)
    if not path.is_file():
        raise _missing_file(path, funder, year)
    where = config.display(path)
    raw = config.load_yaml(path, "declared figures")
    _check(raw, funder, year, where)
    sections, narrative, missing = {}, {}, []
    for name, body in (raw.get("sections") or {}).items():
        items, text, todo = _section(name, body)
        sections[name] = items
        missing += todo
        if text:
            narrative[name] = text
    return Declared(
        funder,
        int(year),
        MappingProxyType(sections),
        MappingProxyType(narrative),
        tuple(missing),
        where,
        bool(raw.get("synthetic", False)),
    )


def require_filled(declared: list[Declared]) -> None:
    """Raise `UnfilledParams` listing every item still `TODO` in ``declared`` (all files at once)."""
    lines = [line for d in declared for line in d.missing_lines()]
    if lines:
        raise UnfilledParams(
            f"{len(lines)} declared item(s) still read {TODO}; fill them, or render a draft with --draft:\n"
            + "\n".join(f"  {line}" for line in lines)
        )


# --- figures ------------------------------------------------------------------------------------


def declared_figures(declared: Declared, funder: str, year: int) -> pd.DataFrame:
    """The filled items as rows of the tidy figures table (scope ``all``, file order).

    Raises
    ------
    EspacepError
        When ``declared`` was read for another funder or year.
    """
    from .indicators import common

    if declared.funder != funder or declared.year != int(year):
        raise EspacepError(
            f"{declared.path or 'declared figures'}: read for {declared.funder} {declared.year}, "
            f"asked for {funder} {int(year)}"
        )
    items = [i for s in declared.sections.values() for i in s if not i.todo]
    if not items:
        return common.empty_figures()
    return common.figures_frame(
        [f"{funder}.declared.{i.key}" for i in items],
        [i.label for i in items],
        int(year),
        common.ALL,
        [i.value for i in items],
        [i.unit for i in items],
    )


def missing_figures(declared: Declared) -> pd.DataFrame:
    """The items still to fill as figure rows with no value (a draft's ``figures.csv`` lists them)."""
    from .indicators import common

    items = [i for s in declared.sections.values() for i in s if i.todo]
    if not items:
        return common.empty_figures()
    return common.figures_frame(
        [f"{declared.funder}.declared.{i.key}" for i in items],
        [i.label for i in items],
        declared.year,
        common.ALL,
        [math.nan] * len(items),
        [i.unit for i in items],
    )


def declared_history(
    funder: str, year: int, n_previous: int = 2, params_dir: str | Path | None = None
) -> pd.DataFrame:
    """Filled declared figures of ``year`` (its file is required) and of the previous years whose file exists.

    The report compares with earlier years (e.g. info4escorts visits of 2018
    beside 2019's); rows are ordered by year.
    """
    from .indicators import common

    if isinstance(n_previous, bool) or not isinstance(n_previous, int) or n_previous < 0:
        raise EspacepError(f"n_previous must be a whole number >= 0, got {n_previous!r}")
    parts = []
    for y in range(int(year) - n_previous, int(year) + 1):
        if y != int(year) and not declared_path(funder, y, params_dir).is_file():
            continue
        parts.append(declared_figures(load_declared(funder, y, params_dir), funder, y))
    return common.concat_figures(parts)


# --- writing (espacep new-year) -------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A one-line YAML scalar: double-quoted, escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _folded(text: str, indent: str, width: int = 96) -> list[str]:
    """A ``>-`` block: the text's paragraphs wrapped at ``width`` (blank line between paragraphs)."""
    import textwrap

    lines = []
    for k, para in enumerate(p for p in text.split("\n\n") if p.strip()):
        if k:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(para.split()),
            width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
    return lines


def to_yaml(declared: Declared, header: str = "") -> str:
    """``declared`` written back in the params format (``A_COMPLETER`` for what is still to fill)."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += [f"funder: {declared.funder}", f"year: {declared.year}"]
    if declared.synthetic:
        out.append("synthetic: true")
    out.append("sections:")
    for name, items in declared.sections.items():
        out.append(f"  {name}:")
        if name in declared.narrative or f"{name}.narrative" in declared.missing:
            if name in declared.narrative:
                out += ["    narrative: >-", *_folded(declared.narrative[name], "      ")]
            else:
                out.append(f"    narrative: {TODO}")
        if items:
            out.append("    items:")
        for i in items:
            out += [
                f"      - key: {i.key}",
                f"        label: {_quoted(i.label)}",
                f"        value: {TODO if i.value is None else _number(i.value)}",
                f"        unit: {i.unit}",
            ]
            if i.source:
                out.append(f"        source: {_quoted(i.source)}")
    return "\n".join(out) + "\n"


def emptied(declared: Declared, year: int) -> Declared:
    """``declared`` carried to ``year``: same sections and items, every value and narrative `TODO`, no source."""
    sections = {
        name: tuple(Item(name, i.key, i.label, None, i.unit) for i in items)
        for name, items in declared.sections.items()
    }
    missing = []
    for name, items in sections.items():
        if name in declared.narrative or f"{name}.narrative" in declared.missing:
            missing.append(f"{name}.narrative")
        missing += [f"{name}.{i.key}" for i in items]
    return Declared(declared.funder, int(year), sections, {}, tuple(missing))


def params_years(params_dir: str | Path) -> list[int]:
    """The years with a ``params/<year>/`` folder, ascending."""
    return sorted(int(p.name) for p in Path(params_dir).iterdir() if p.is_dir() and p.name.isdigit())


def new_year(year: int, params_dir: str | Path | None = None) -> list[Declared]:
    """Create ``params/<year>/`` from the latest earlier year: the same items, everything `TODO`.

    Returns the new files' content (each one's ``missing`` is what to fill).

    Raises
    ------
    EspacepError
        When ``params/<year>/`` exists (nothing is overwritten), when no
        earlier year exists, or when an earlier file is invalid.
    """
    params_dir = _active(params_dir)
    target = Path(params_dir) / str(int(year))
    if target.exists():
        raise ConfigError(
            f"{config.display(target)} existe déjà ; new-year n'écrase jamais une année : "
            "modifiez ses fichiers, ou supprimez d'abord le dossier"
        )
    earlier = [y for y in params_years(params_dir) if y < int(year)]
    if not earlier:
        raise ConfigError(
            f"aucun dossier params/<année>/ avant {int(year)} dans {config.display(Path(params_dir))}"
        )
    source = earlier[-1]
    funders = [f for f in SECTIONS if declared_path(f, source, params_dir).is_file()]
    new = [emptied(load_declared(f, source, params_dir), year) for f in funders]  # all read before writing
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.mkdir(parents=True)
    for d in new:
        header = (
            f"{d.funder} {d.year}: created by `espacep new-year {d.year}` from params/{source}/{d.funder}.yaml.\n"
            f"Replace every {TODO} (values and narratives); add, remove or reorder items freely."
        )
        (tmp / f"{d.funder}.yaml").write_text(to_yaml(d, header), encoding="utf-8")
    tmp.rename(target)
    return [
        Declared(
            d.funder,
            d.year,
            d.sections,
            d.narrative,
            d.missing,
            config.display(declared_path(d.funder, year, params_dir)),
        )
        for d in new
    ]


# --- history: published figures of the years before the record-level data -------------------------

HISTORY_FILE = "history.yaml"
HISTORY_ITEM = config.Record(
    {
        "indicator": config.Text(),
        "scope": config.Text(),
        "year": config.Integer(1990),
        "value": config.Number(),
        "source": config.Text(),
    },
    optional=("scope",),
)
HISTORY = config.Record({"history": config.ListOf(HISTORY_ITEM)})


def _registry() -> dict[str, tuple[str, str]]:
    """Every computed indicator id -> (French label, unit)."""
    from .indicators import aviq, cocof, inami

    return {**inami.INDICATORS, **aviq.INDICATORS, **cocof.INDICATORS}


def _history_problems(items: list, where: str, registry: dict) -> list[str]:
    """Unknown indicators, values that do not fit the unit, the same (indicator, scope, year) twice."""
    out: list[str] = []
    seen: dict[tuple, int | None] = {}
    for i, item in enumerate(items):
        at = config.At(where, config.line_of(items, i), f"history[{i}]")
        if item["indicator"] not in registry:
            out += at.fail(f"indicator: unknown id {item['indicator']!r} (ids: docs/indicators_*.md)")
            continue
        unit, value = registry[item["indicator"]][1], item["value"]
        if value < 0 or (unit == "proportion" and value > 1) or (unit in WHOLE_UNITS and value != int(value)):
            out += at.fail(
                f"value: {value} does not fit unit {unit} (counts: whole numbers >= 0; "
                "proportions: between 0 and 1)"
            )
        key = (item["indicator"], item.get("scope", "all"), item["year"])
        if key in seen:
            out += at.fail(f"{key[0]} {key[1]} {key[2]} already given at line {seen[key]}")
        seen.setdefault(key, at.line)
    return out


def load_history(params_dir: str | Path | None = None) -> pd.DataFrame:
    """``params/history.yaml`` as figure rows (labels and units of the indicators); empty when absent.

    Raises
    ------
    ConfigError
        For a file breaking the schema: unknown field, wrong type, unknown
        indicator, a value that does not fit its unit, a duplicate entry
        (each with file, line and key path).
    """
    from .indicators import common

    path = Path(_active(params_dir)) / HISTORY_FILE
    if not path.is_file():
        return common.empty_figures()
    where = config.display(path)
    raw = config.load_checked(path, HISTORY, "published history")
    registry = _registry()
    problems = _history_problems(raw["history"], where, registry)
    if problems:
        raise ConfigError("\n".join(problems))
    items = raw["history"]
    if not items:
        return common.empty_figures()
    frames = [
        common.figures_frame(
            [i["indicator"]],
            [registry[i["indicator"]][0]],
            int(i["year"]),
            i.get("scope", common.ALL),
            [float(i["value"])],
            [registry[i["indicator"]][1]],
        )
        for i in items
    ]
    return common.concat_figures(frames)


def history_for(figures: pd.DataFrame, year: int, params_dir: str | Path | None = None) -> pd.DataFrame:
    """The published values of ``params/history.yaml`` a report quotes.

    Those of an (indicator, scope) the report's ``figures`` hold, for a year
    before ``year`` that the figures do not compute (computed years win).
    """
    history = load_history(params_dir)
    if history.empty or figures.empty:
        return history.iloc[0:0]
    pairs = set(zip(figures["indicator"], figures["scope"]))
    computed = set(zip(figures["indicator"], figures["scope"], figures["year"].astype(int)))
    keep = [
        (i, s) in pairs and (i, s, int(y)) not in computed and int(y) < int(year)
        for i, s, y in zip(history["indicator"], history["scope"], history["year"])
    ]
    return history.loc[keep].reset_index(drop=True)
