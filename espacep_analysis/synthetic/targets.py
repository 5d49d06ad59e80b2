"""The published figures (``params/targets.yaml``) as typed objects, for the generator.

Only the generator reads targets; the indicator code never does. A target's
tolerance turns its printed value into an interval, and `pick_count` /
`pick_denominator` find the integer counts whose ratio falls inside it, so the
generator can hit every figure by construction.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import EspacepError

TARGETS_FILE = "targets.yaml"  # in the params directory; an input of the generator only, never of a report
TOLERANCES = ("exact", "half_unit", "truncated", "largest", "majority", "within_2pct", "greater_than")
# "environ 7500": the figure is within this share of the printed value (tolerance within_2pct)
APPROX_SHARE = 0.02
STATUSES = ("ok", "inconsistent")
FIELDS = ("value", "numerator", "denominator")
REQUIRED_KEYS = ("id", "year", "scope", "printed", "value", "tolerance", "source")
OPTIONAL_KEYS = ("field", "note", "status")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Counts are chosen strictly inside the interval, this far from its edges
_MARGIN = 1e-9


@dataclass(frozen=True)
class Target:
    """One published figure: see the header of ``params/targets.yaml``."""

    id: str
    year: int
    scope: str
    printed: str
    value: float | None
    tolerance: str
    source: str
    field: str = "value"
    status: str = "ok"
    note: str = ""

    @functools.cached_property
    def unit(self) -> float:
        """One unit of the last printed digit, on the scale of ``value``."""
        match = _NUMBER.search(self.printed)
        if match is None:
            return math.nan
        text = match.group().replace(",", ".")
        decimals = len(text.split(".")[1]) if "." in text else 0
        unit = 10.0**-decimals
        return unit / 100 if "%" in self.printed else unit

    @property
    def number(self) -> float:
        """``value``, for a target that has one (the tolerance ``majority`` has none)."""
        if self.value is None:
            raise EspacepError(f"target {self.key}: no value for tolerance {self.tolerance!r}")
        return self.value

    def bounds(self) -> tuple[float, float, bool]:
        """``(low, high, high_included)`` of the accepted figures (numeric tolerances)."""
        if self.tolerance == "exact":
            return self.number, self.number, True
        if self.tolerance == "half_unit":
            return self.number - self.unit / 2, self.number + self.unit / 2, True
        if self.tolerance == "truncated":
            return self.number, self.number + self.unit, False
        if self.tolerance == "majority":
            return 0.5, math.inf, True
        if self.tolerance == "within_2pct":
            return self.number * (1 - APPROX_SHARE), self.number * (1 + APPROX_SHARE), True
        if self.tolerance == "greater_than":
            return self.number, math.inf, True
        raise EspacepError(f"target {self.key}: tolerance {self.tolerance!r} has no interval")

    def contains(self, figure: float, margin: float = 0.0) -> bool:
        """Whether ``figure`` satisfies the target, ``margin`` inside the interval's edges."""
        low, high, high_included = self.bounds()
        if self.tolerance == "majority":
            return figure > 0.5 + margin
        if self.tolerance == "greater_than":
            return figure > self.number + margin
        if self.tolerance == "exact":
            return abs(figure - self.number) <= margin
        upper_ok = figure <= high - margin if high_included else figure < high - margin
        return figure >= low + margin and upper_ok

    @property
    def key(self) -> str:
        suffix = "" if self.field == "value" else f"[{self.field}]"
        return f"{self.id}{suffix}-{self.year}-{self.scope}"


def _target(entry: dict, index: int, path: Path, line: int | None = None) -> Target:
    where = config.problem(config.display(path), line, f"targets[{index}]", "").removesuffix(": ")
    if not isinstance(entry, dict):
        raise EspacepError(f"{where}: expected a mapping, got {type(entry).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    unknown = sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if missing or unknown:
        raise EspacepError(f"{where}: missing key(s) {missing}, unknown key(s) {unknown}")
    checks = (("tolerance", TOLERANCES), ("status", STATUSES), ("field", FIELDS))
    for key, allowed in checks:
        if key in entry and entry[key] not in allowed:
            raise EspacepError(f"{where}: {key} {entry[key]!r} not one of {allowed}")
    if entry.get("status") == "inconsistent" and not entry.get("note"):
        raise EspacepError(f"{where}: an inconsistent target needs a note")
    value, source = entry["value"], entry["source"]
    if isinstance(source, list):  # a sum of figures printed in several sentences
        if not source or not all(isinstance(part, str) for part in source):
            raise EspacepError(f"{where}: source must be a sentence or a list of sentences")
        source = " … ".join(source)
    if value is not None and not isinstance(value, int | float):
        raise EspacepError(f"{where}: value {value!r} is not a number")
    if value is None and entry["tolerance"] != "largest":
        raise EspacepError(f"{where}: value may be empty only with tolerance 'largest'")
    return Target(
        id=str(entry["id"]),
        year=int(entry["year"]),
        scope=str(entry["scope"]),
        printed=str(entry["printed"]),
        value=None if value is None else float(value),
        tolerance=entry["tolerance"],
        source=str(source),
        field=entry.get("field", "value"),
        status=entry.get("status", "ok"),
        note=str(entry.get("note", "")).strip(),
    )


def load_targets(path: str | Path | None = None) -> list[Target]:
    """Read and check ``params/targets.yaml``; keys (id, year, scope, field) are unique.

    ``path`` defaults to ``targets.yaml`` of the project's params directory (`settings.params_file`).
    """
    if path is None:
        from ..settings import params_file

        path = params_file(TARGETS_FILE)
    path = Path(path)
    raw = config.load_yaml(path, "targets")  # duplicate keys and syntax errors, with lines
    if not isinstance(raw, dict) or not isinstance(raw.get("targets"), list):
        raise EspacepError(f"{config.display(path)}: expected a top-level 'targets' list")
    targets = [
        _target(entry, i, path, config.line_of(raw["targets"], i)) for i, entry in enumerate(raw["targets"])
    ]
    seen: dict[str, int] = {}
    for i, target in enumerate(targets):
        if target.key in seen:
            raise EspacepError(f"{path}: targets[{i}] repeats targets[{seen[target.key]}] ({target.key})")
        seen[target.key] = i
    return targets


class TargetBook:
    """The reproducible (status ``ok``) targets, looked up by id, year, scope and field."""

    def __init__(self, targets: list[Target]):
        self._by_key = {(t.id, t.year, t.scope, t.field): t for t in targets if t.status == "ok"}

    def get(self, indicator: str, year: int, scope: str = "all", field: str = "value") -> Target | None:
        """The target of ``inami.<indicator>``, or None when the report prints none."""
        return self._by_key.get((f"inami.{indicator}", year, scope, field))

    def find(self, full_id: str, year: int, scope: str = "all", field: str = "value") -> Target | None:
        """The target of any funder's indicator ``full_id`` (e.g. ``aviq.contacts``), or None."""
        return self._by_key.get((full_id, year, scope, field))

    def scopes(self, full_id: str, year: int) -> dict[str, Target]:
        """Every scope with a target of ``full_id`` in ``year`` (field ``value``)."""
        return {s: t for (i, y, s, f), t in self._by_key.items() if (i, y, f) == (full_id, year, "value")}

    def count(self, indicator: str, year: int, scope: str = "all") -> int | None:
        """A printed count: the target's value, or its numerator for a proportion."""
        numerator = self.get(indicator, year, scope, "numerator")
        if numerator is not None:
            return int(numerator.number)
        target = self.get(indicator, year, scope)
        return int(target.number) if target is not None and target.tolerance == "exact" else None

    def with_tolerance(self, tolerance: str) -> list[Target]:
        return [t for t in self._by_key.values() if t.tolerance == tolerance]


def pick_count(target: Target, n: int) -> int:
    """The integer k nearest ``value * n`` with k / n inside the target's interval."""
    if n <= 0:
        raise EspacepError(f"target {target.key}: cannot hit a share of {n} persons")
    centre = (0.5 if target.tolerance == "majority" else target.number) * n
    low, high, _ = target.bounds()
    high = high if math.isfinite(high) else 1.0
    span = range(max(0, math.floor(low * n) - 1), math.ceil(high * n) + 2)
    candidates = [k for k in span if target.contains(k / n, _MARGIN)]
    if not candidates:
        raise EspacepError(f"target {target.key}: no count out of {n} gives {target.printed}")
    return min(candidates, key=lambda k: (abs(k - centre), k))


def approx_count(target: Target, draw: float) -> int:
    """An integer count that satisfies a count target; ``draw`` in [0, 1) places it in its interval.

    ``exact``: the value. ``within_2pct``: a count in the middle 60 % of the
    interval (an "environ" figure is rarely the round number itself).
    ``greater_than``: value + 1 .. value + 15 %.
    """
    if target.tolerance == "exact":
        return int(target.number)
    if target.tolerance == "within_2pct":
        low = math.ceil(target.number * (1 - 0.6 * APPROX_SHARE))
        high = math.floor(target.number * (1 + 0.6 * APPROX_SHARE))
    elif target.tolerance == "greater_than":
        low = math.floor(target.number) + 1
        high = max(low, math.floor(target.number * 1.15))
    else:
        raise EspacepError(f"target {target.key}: tolerance {target.tolerance!r} is not one of a count")
    count = low + int(draw * (high - low + 1))
    if not target.contains(count):
        raise EspacepError(f"target {target.key}: no count near {target.printed}")
    return count


def pick_denominator(target: Target, k: int, n_design: int) -> int:
    """The denominator nearest ``n_design`` with k / n inside the target's interval."""
    for step in range(0, 10 * max(n_design, 1)):
        for n in (n_design - step, n_design + step):
            if n > 0 and target.contains(k / n, _MARGIN):
                return n
    raise EspacepError(f"target {target.key}: no denominator gives {k} / n = {target.printed}")


def fit_denominator(targets: list[Target | None], n_design: int) -> int:
    """The denominator nearest ``n_design`` for which every given share target has a count."""
    shares = [t for t in targets if t is not None]
    for step in range(0, max(n_design, 1)):
        for n in (n_design - step, n_design + step):
            if n > 0 and all(_has_count(t, n) for t in shares):
                return n
    raise EspacepError(f"no denominator near {n_design} fits {[t.key for t in shares]}")


def _has_count(target: Target, n: int) -> bool:
    try:
        pick_count(target, n)
    except EspacepError:
        return False
    return True


def share_count(book: TargetBook, indicator: str, year: int, n: int, rate: float, scope: str = "all") -> int:
    """Count out of ``n``: the printed numerator, else the printed share, else ``rate * n``."""
    numerator = book.get(indicator, year, scope, "numerator")
    if numerator is not None:
        return int(numerator.number)
    share = book.get(indicator, year, scope)
    if share is not None:
        return pick_count(share, n)
    return int(round(rate * n))
