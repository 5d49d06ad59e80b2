"""Synthetic, calibrated record-level data (the embedded default data set).

``generate(out_dir, seed)`` writes ``persons.csv``, ``consultations.csv``,
``lab_results.csv`` and ``medical_acts.csv``, and the outreach tables
``contacts.csv``, ``social_actions.csv`` and ``activities.csv``, for the years of
`design.FIRST_YEAR` .. `design.LAST_YEAR` (calibrated up to
`design.CALIBRATED_LAST_YEAR`, plausible after it: `next_year`), in the canonical export format
(UTF-8, comma, ISO dates, ``yes``/``no``, empty for missing, columns of
``codes.COLUMNS``). The rows reproduce every published figure of
``params/targets.yaml`` by construction (counts are allocated exactly: k
positives among n tested, ...); only what no figure fixes is random. The
output is a deterministic function of the seed, the targets and the design.

Calibration lives here alone: nothing in the pipeline imports this package.
The outreach tables are built after every medical year, from the medical
rows (the persons seen in consultation are met in outreach too), with their
own random stream (``default_rng([seed, design.OUTREACH_STREAM])``): the
medical tables are the same bytes as before they existed. See `outreach`,
`social`, `activities` and `outreach_spec`.

To add a table: give it columns in ``codes.COLUMNS``, build its rows in
`build_year` or `build_outreach` (or a function they call), and list it in
`TABLES`; `write_tables` formats any table the same way.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..codes import COLUMNS
from ..errors import EspacepError
from ..sites import Sites, load_sites
from . import design as D
from .activities import activity_rows
from .acts import act_rows, plan_vaccination
from .labs import balance_region, hand_over, lab_rows, plan_tests
from .next_year import derived_book
from .outreach import OutreachWorld, build_contacts, contact_rows, go_online, met_persons, plan_first_contacts
from .outreach_spec import PREFIX, outreach_spec
from .people import Person, World, select_year
from .social import assign_places, check_shares, medical_demand_rows, social_rows
from .spec import YearSpec, year_spec
from .targets import TargetBook, load_targets
from .visits import (
    REGION_OF_ANTENNA,
    Visit,
    consultation_counts,
    consultation_rows,
    move_some,
    place_days,
    place_sites,
    weekdays,
)

__all__ = ["DEFAULT_SEED", "TABLES", "generate", "main"]

TABLES = (
    "persons",
    "consultations",
    "lab_results",
    "medical_acts",
    "contacts",
    "social_actions",
    "activities",
)
DEFAULT_SEED = D.DEFAULT_SEED


def _place_consultations(world: World, spec: YearSpec, visits: list[Visit], days: list[dt.date]) -> None:
    for region, total in spec.region_consultations.items():
        mine = [v for v in visits if REGION_OF_ANTENNA[v.person.antenna] == region]
        for v, n in zip(mine, consultation_counts(world.rng, mine, total, f"{spec.year} {region}")):
            place_days(world.rng, v, n, days)
            place_sites(world, v)
    move_some(world, visits, D.WALLONIA_MOVERS)
    for v in visits:
        if v.new:
            v.person.inclusion = v.dates[0]


def _lab_table(rows: list[list]) -> list[tuple]:
    return [(r[0].person.pseudonym, r[1], r[0].sites[r[1]], r[2], r[3], r[4], r[5]) for r in rows]


def build_year(world: World, spec: YearSpec, last_day: dt.date) -> dict[str, list[tuple]]:
    """Rows of every event table for one year (persons are written once, at the end)."""
    rng = world.rng
    members, new_ids = select_year(world, spec)
    visits = [Visit(person=p, new=p.pid in new_ids) for p in members]
    plan_tests(rng, spec, visits)
    days = weekdays(spec.year)
    plan_vaccination(rng, spec, visits, days)
    _place_consultations(world, spec, visits, days)
    consultations = consultation_rows(rng, spec, visits)
    labs = lab_rows(rng, visits)
    acts = act_rows(rng, spec, visits)
    if spec.wallonia_rows is not None:
        region = world.sites.frame["region"]
        in_wallonia = lambda site: region[site] == "wallonie"  # noqa: E731
        n_acts = sum(1 for a in acts if in_wallonia(a[2]))
        balance_region(rng, labs, visits, n_acts, spec.wallonia_rows, in_wallonia, f"{spec.year} wallonie")
    hand_over(rng, labs, spec.results_given, last_day)
    return {"consultations": consultations, "lab_results": _lab_table(labs), "medical_acts": acts}


def _person_rows(persons: list[Person]) -> list[tuple]:
    return [(p.pseudonym, p.birth_year, p.gender, p.nationality, p.inclusion) for p in persons]


def build_outreach(ow: OutreachWorld, book: TargetBook, region: str, year: int) -> dict[str, list[tuple]]:
    """Contacts, social actions and activities of one region and year."""
    spec = outreach_spec(ow.rng, book, ow.sites, region, year)
    days = weekdays(year)
    met = met_persons(ow, spec, days)
    medical_rows = medical_demand_rows(ow, spec, met)
    social = assign_places(ow, spec, met, medical_rows, days)
    plan_first_contacts(ow, spec, met, days)
    contacts = build_contacts(ow, spec, met, days)
    go_online(ow, spec, met)
    actions = social_rows(ow, spec, social, medical_rows)
    check_shares(book, PREFIX[region], year, actions)
    return {
        "contacts": contact_rows(contacts),
        "social_actions": actions,
        "activities": activity_rows(ow.rng, book, ow.sites, region, year),
    }


def _medical_years(world: World, book: TargetBook, years: range, tables: dict[str, list[tuple]]) -> None:
    """Append the consultations, lab results and medical acts of ``years`` to ``tables``.

    Results are handed over by 31 December of the year's data set: the last
    calibrated year for the calibrated years (as when the data ended there).
    """
    for year in years:
        last_day = dt.date(max(year, D.CALIBRATED_LAST_YEAR), 12, 31)
        for name, rows in build_year(world, year_spec(book, year), last_day).items():
            tables[name].extend(rows)


def _outreach_years(
    ow: OutreachWorld, book: TargetBook, years: range, tables: dict[str, list[tuple]]
) -> None:
    """Append the contacts, social actions and activities of ``years`` (every outreach region)."""
    for year in years:
        for region in D.OUTREACH_REGIONS:
            for name, rows in build_outreach(ow, book, region, year).items():
                tables[name].extend(rows)


def build_tables(
    seed: int = DEFAULT_SEED, targets_path: str | Path | None = None, sites: Sites | None = None
) -> dict[str, list[tuple]]:
    """All rows of all tables, unformatted (dates as `datetime.date`, booleans as bool).

    The calibrated years first (medical, then outreach), then the later years
    (`next_year`) continuing both random streams: adding them changes no
    calibrated row.
    """
    targets = load_targets(targets_path)
    book = TargetBook(targets)
    world = World(np.random.default_rng(seed), sites if sites is not None else load_sites())
    tables: dict[str, list[tuple]] = {name: [] for name in TABLES}
    calibrated = range(D.FIRST_YEAR, D.CALIBRATED_LAST_YEAR + 1)
    _medical_years(world, book, calibrated, tables)
    outreach = OutreachWorld(
        np.random.default_rng([seed, D.OUTREACH_STREAM]), world.sites, world.persons, tables["consultations"]
    )
    outreach.taken |= world._pseudonyms
    _outreach_years(outreach, book, calibrated, tables)
    later = range(D.CALIBRATED_LAST_YEAR + 1, D.LAST_YEAR + 1)
    if later:
        book = derived_book(book, targets, np.random.default_rng([seed, D.NEXT_YEAR_STREAM]))
        world._pseudonyms |= outreach.taken
        known, first = len(world.persons), len(tables["consultations"])
        _medical_years(world, book, later, tables)
        outreach.add_medical(world.persons[known:], tables["consultations"][first:])
        _outreach_years(outreach, book, later, tables)
    tables["persons"] = _person_rows(world.persons)
    return tables


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# The same text as `_cell` for the exact types of most cells, without the isinstance chain
_FAST_CELL: dict[type, Callable[[Any], str]] = {
    type(None): lambda v: "",
    bool: lambda v: "yes" if v else "no",
    dt.date: dt.date.isoformat,
    str: str,
    int: str,
}


def _text_row(row) -> list[str]:
    return [_FAST_CELL.get(type(v), _cell)(v) for v in row]


def _sort_key(columns: tuple[str, ...]):
    """Row order of a table: events by date, site, pseudonym, then the other columns; persons by pseudonym."""
    date = next((i for i, c in enumerate(columns) if c in ("date", "sample_date")), None)
    if date is None:
        return None
    first = [date] + [columns.index(c) for c in ("site", "pseudonym") if c in columns]
    order = first + [i for i in range(len(columns)) if i not in first]
    return lambda row: tuple(row[i] for i in order)


def write_tables(out_dir: str | Path, tables: dict[str, list[tuple]]) -> dict[str, int]:
    """Write each table as ``<name>.csv`` (sorted rows, header ``codes.COLUMNS[name]``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in tables.items():
        text_rows = [_text_row(row) for row in rows]
        text_rows.sort(key=_sort_key(COLUMNS[name]))
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS[name])
            writer.writerows(text_rows)
        counts[name] = len(rows)
    return counts


README = """# Synthetic data set (not real persons)

Every row in this directory is **synthetic**: generated by a program, not
exported from Espace P…'s records. Pseudonyms are `SYN-` followed by six hex
digits. The set is the embedded default data of the reports (`make report`)
and the test data of every feature.

It was generated with

    espacep synthetic --out data/synthetic --seed {seed}

(`espacep_analysis.synthetic.generate("data/synthetic", seed={seed})`), which
reads the published figures of `params/targets.yaml` and builds rows that
reproduce each of them (counts exactly, percentages and means within the
printed rounding) for {first}-{calibrated}. What no figure fixes is drawn at random
from the design constants of `espacep_analysis/synthetic/design.py`.

{later_years} plausible but **not calibrated**: no report prints its figures. Its
design is {calibrated}'s with small random changes (persons seen, new persons,
consultations, vaccination and acts: the {calibrated} count times 1 + 5 % x a normal
draw; the other rates from the design constants; see
`espacep_analysis/synthetic/next_year.py`). It is generated after {first}-{calibrated},
whose rows did not change when it was added. The
output depends only on the seed, the targets and the design: regenerate
after changing any of them (`tests/test_synthetic.py` fails until the
committed files equal what the generator writes). This file is written by
the generator too.

The outreach tables (`contacts.csv`, `social_actions.csv`, `activities.csv`)
reuse the pseudonyms of `persons.csv` for the persons also seen in
consultation; most persons met in outreach never consult and appear only
there (as in the real exports, whose outreach pseudonyms are not looked up in
persons).

Format: the canonical export (UTF-8, comma, ISO dates, `yes`/`no`, empty
cell for a missing value, columns of `espacep_analysis.codes.COLUMNS`);
see `data/README.md` for the data dictionary.

| file | rows |
|---|---|
"""


def generate(
    out_dir: str | Path, seed: int = DEFAULT_SEED, targets_path: str | Path | None = None
) -> dict[str, int]:
    """Generate the synthetic data set (CSV files and README.md) into ``out_dir``.

    Returns the rows written per table.
    """
    counts = write_tables(out_dir, build_tables(seed, targets_path))
    later = list(range(D.CALIBRATED_LAST_YEAR + 1, D.LAST_YEAR + 1))
    text = README.format(
        seed=seed,
        first=D.FIRST_YEAR,
        calibrated=D.CALIBRATED_LAST_YEAR,
        later_years=(", ".join(map(str, later)) + (" is" if len(later) == 1 else " are"))
        if later
        else "No later year is",
    )
    text += "".join(f"| `{name}.csv` | {n} |\n" for name, n in counts.items())
    (Path(out_dir) / "README.md").write_text(text, encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    """``espacep synthetic --out DIR --seed N [--targets FILE]``."""
    parser = argparse.ArgumentParser(prog="espacep synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/synthetic", help="output directory")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--targets", default=None, help="targets YAML (default: params/targets.yaml of the project)"
    )
    args = parser.parse_args(argv)
    try:
        counts = generate(args.out, args.seed, args.targets)
    except EspacepError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    for name, n in counts.items():
        print(f"{name}: {n} lignes")
    return 0
