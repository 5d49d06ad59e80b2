"""Checking a published target of params/targets.yaml against a figures table.

Shared by tests/test_calibration.py and tests/test_synthetic.py (figures computed in
memory) and tests/test_report_inami.py (figures read back from a rendered figures.csv).
The tolerance rules are those documented in the header of params/targets.yaml,
written here independently of the generator's own reading of them.

``ALL_TARGETS`` holds every target; ``FUNDER_TARGETS[funder]`` those whose id starts
with ``<funder>.``; ``TARGETS`` is kept as the INAMI targets (what the INAMI report's
figures.csv must carry).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from espacep_analysis import funders

ROOT = Path(__file__).resolve().parent.parent
TARGETS_FILE = ROOT / "params" / "targets.yaml"
FUNDERS = funders.ids()  # the funder registry
ALL_TARGETS = yaml.load(
    TARGETS_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
)["targets"]


def funder(t: dict) -> str:
    """The funder whose `compute_figures` gives the target: the prefix of its id."""
    return t["id"].split(".", 1)[0]


FUNDER_TARGETS = {f: [t for t in ALL_TARGETS if funder(t) == f] for f in FUNDERS}
TARGETS = FUNDER_TARGETS["inami"]
TOLERANCES = ("exact", "half_unit", "truncated", "largest", "majority", "within_2pct", "greater_than")


def key(t: dict) -> str:
    field = t.get("field", "value")
    return f"{t['id']}{'' if field == 'value' else f'[{field}]'}-{t['year']}-{t['scope']}"


def unit(printed: str) -> float:
    """One unit of the last printed digit: "48%" -> 0.01, "34,5%" -> 0.001, "2,6" -> 0.1."""
    number = re.search(r"\d+(?:[.,]\d+)?", printed).group().replace(",", ".")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return 10.0**-decimals / (100 if "%" in printed else 1)


def check(target: dict, table: pd.DataFrame) -> None:
    """Assert that ``table`` (a figures table of the target's year) reproduces ``target``."""
    scope, field = target["scope"], target.get("field", "value")
    year_rows = table[table["year"] == target["year"]]
    rows = year_rows[(year_rows["indicator"] == target["id"]) & (year_rows["scope"] == scope)]
    assert len(rows) == 1, f"{key(target)}: {len(rows)} rows in the figures table"
    got = float(rows.iloc[0][field])
    value, tolerance = target["value"], target["tolerance"]
    if tolerance == "exact":
        assert got == value
    elif tolerance == "half_unit":
        half = unit(target["printed"]) / 2
        assert abs(got - value) <= half + 1e-12, f"{got} not within {value} ± {half}"
    elif tolerance == "truncated":
        assert value - 1e-12 <= got < value + unit(target["printed"]), f"{got} does not truncate to {value}"
    elif tolerance == "majority":
        assert got > 0.5
    elif tolerance == "within_2pct":
        assert abs(got - value) <= 0.02 * value, f"{got} not within 2 % of {value}"
    elif tolerance == "greater_than":
        assert got > value, f"{got} not > {value}"
    elif tolerance == "largest":
        prefix = target["id"].rsplit(".", 1)[0] + "."
        siblings = year_rows[
            year_rows["indicator"].str.startswith(prefix)
            & (year_rows["scope"] == scope)
            & (year_rows["indicator"] != target["id"])
        ]
        assert len(siblings) > 0 and got > siblings["value"].max()
    else:
        raise AssertionError(f"unknown tolerance {tolerance!r}")
