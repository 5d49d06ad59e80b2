"""Typed definitions of the figures: what each indicator is and which relations it takes part in.

Each funder's indicator module declares its indicators once, beside their
computation, with :func:`declare`: id, French label, unit, kind, and the
relations it takes part in:

- ``category``: the family of categories it belongs to (gender, cytology
  classes, ...). The sum of a family is declared against its total by a
  :class:`Partition` of the module (``partitions()``): a test checks that
  every family is.
- ``derived_from``: the counts a non-count figure is computed from (a mean
  age from the persons seen): masking one of them masks it.
- ``compared``: whether the report compares it across years (comparison rows).
- ``standalone``: it adds up with no other figure (masked alone).
- ``internal``: computed for internal runs only, never published.
- ``hierarchy``: how it adds up over the site hierarchy of the report's
  scope (:data:`HIERARCHIES`); `publish` makes those lines from the sites.
- ``extreme``: the order statistic it is (:data:`EXTREMES`: the youngest or
  oldest age), and ``distribution``, the function of its module giving the
  values it is the extreme of; published reports fold it (`publish`).

Disclosure control (partitions, dependencies), the comparison lists and the
pages read these declarations: no code parses structure out of an id.
Comparison rows carry their base indicator and years in columns of their own
(``base_indicator``, ``year_from``, ``year_to``, see :data:`FIGURE_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .errors import EspacepError
from .units import COUNT_UNITS

KINDS: tuple[str, ...] = ("count", "proportion", "ratio", "mean", "extreme", "median", "comparison")
"""What a figure's ``value`` is: a count, a proportion (numerator/denominator), a ratio, a mean,
an extreme (youngest, oldest), a median, or a comparison of a proportion across years."""

HIERARCHIES: dict[str, str] = {
    "exact": "antennas -> each region -> the whole scope, adding up exactly (consultations)",
    "persons": "antennas -> each region -> the whole scope, distinct persons counted once above the "
    "antennas they were seen at (lines not exact)",
    "antennas": "antennas -> the whole scope (a figure given per antenna and for the whole scope only; "
    "persons: not exact)",
    "sites": "sites -> provinces -> regions -> the whole scope, adding up exactly; only the lines "
    "whose parts are all published",
}
"""How an indicator adds up over the site hierarchy of its report's scope (``Indicator.hierarchy``),
each value with the partitions `disclosure.hierarchy_lines` makes of it (in this order)."""

EXTREMES: tuple[str, ...] = ("youngest", "oldest")
"""The order statistics an ``extreme`` indicator can be (``Indicator.extreme``): the smallest or the
largest of the ages its ``distribution`` gives."""

_KIND_OF_UNIT = {"proportion": "proportion", "ratio": "ratio"} | {unit: "count" for unit in COUNT_UNITS}

FIGURE_COLUMNS: list[str] = [
    "indicator",
    "label",
    "year",
    "scope",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "method",
    "unit",
    "base_indicator",
    "year_from",
    "year_to",
]
"""Columns of the figures table. ``base_indicator``, ``year_from`` and ``year_to`` are those of a
comparison row (the compared proportion and the years compared); empty on other rows."""


@dataclass(frozen=True)
class Indicator:
    """One indicator of a funder's report, as declared beside its computation.

    Attributes
    ----------
    id : str
        Full id (``inami.gender.woman``), the ``indicator`` column of its rows.
    label : str
        French label printed in the reports.
    unit : str
        Unit of ``value`` (see `units`).
    kind : str
        One of :data:`KINDS`.
    category : str
        The family of categories it belongs to (``""``: none); the label of
        the category alone is ``category_label``.
    category_label : str
        The label of the category within its family (``"Femmes"``, ``"ASCUS"``).
    compared : bool
        Compared across the years printed side by side (comparison rows).
    derived_from : tuple of str
        Full ids of the figures (same year and scope) it is computed from.
    standalone : bool
        Adds up with no other figure (disclosure control masks it alone).
    internal : bool
        Internal runs only: never published.
    hierarchy : str
        How it adds up over the site hierarchy (one of :data:`HIERARCHIES`; ``""``: it does not).
    extreme : str
        For kind ``extreme``, which order statistic it is (one of :data:`EXTREMES`).
    distribution : str
        For kind ``extreme``, the name of the function ``f(ds, year) -> pd.Series`` of its indicator
        module giving the values it is the extreme of (published reports print the
        ``min_cell``-th of them instead, `publish`).
    """

    id: str
    label: str
    unit: str
    kind: str
    category: str = ""
    category_label: str = ""
    compared: bool = False
    derived_from: tuple[str, ...] = ()
    standalone: bool = False
    internal: bool = False
    hierarchy: str = ""
    extreme: str = ""
    distribution: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise EspacepError(f"indicator {self.id!r}: unknown kind {self.kind!r}; expected one of {KINDS}")
        if self.kind == "proportion" and self.unit != "proportion":
            raise EspacepError(
                f"indicator {self.id!r}: a proportion has unit 'proportion', not {self.unit!r}"
            )
        if self.hierarchy and self.hierarchy not in HIERARCHIES:
            raise EspacepError(
                f"indicator {self.id!r}: unknown hierarchy {self.hierarchy!r}; "
                f"expected one of {list(HIERARCHIES)}"
            )
        if (self.kind == "extreme") != bool(self.extreme in EXTREMES and self.distribution):
            raise EspacepError(
                f"indicator {self.id!r} (kind {self.kind!r}): an extreme, and only an extreme, names its "
                f"side (one of {EXTREMES}, got {self.extreme!r}) and its distribution "
                f"(got {self.distribution!r})"
            )


@dataclass(frozen=True)
class Category:
    """A family of categories: ``codes`` -> French label of each, ids ``<prefix><name>.<code>``."""

    name: str
    labels: Mapping[str, str]


def declare(
    prefix: str,
    entries: Mapping[str, tuple[str, str]],
    *,
    categories: Sequence[Category] = (),
    kinds: Mapping[str, str] | None = None,
    compared: Iterable[str] = (),
    derived_from: Mapping[str, Sequence[str]] | None = None,
    standalone: Iterable[str] = (),
    internal: Iterable[str] = (),
    hierarchy: Mapping[str, str] | None = None,
    extremes: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Indicator]:
    """A funder's indicators, keyed by full id, from its declarations.

    Parameters
    ----------
    prefix : str
        The funder's id prefix (``"inami."``).
    entries : mapping
        Name (id without ``prefix``) -> (French label, unit), for every
        indicator, the members of ``categories`` included.
    categories : sequence of Category
        The families of categories; member ``<name>.<code>`` of each must be in ``entries``.
    kinds : mapping, optional
        Name -> kind, for the indicators whose kind the unit does not give
        (a count unit gives ``count``, ``proportion`` and ``ratio`` their own).
    compared, standalone, internal : iterable of str
        Names of the indicators with that property.
    derived_from : mapping, optional
        Name -> names of the figures it is computed from.
    hierarchy : mapping, optional
        Name -> how it adds up over the site hierarchy (one of :data:`HIERARCHIES`).
    extremes : mapping, optional
        Name -> (side, distribution) of an indicator of kind ``extreme``: one of
        :data:`EXTREMES` and the name of the module's function ``f(ds, year)``
        giving the values it is the extreme of.

    Returns
    -------
    dict
        Full id -> :class:`Indicator`, in the order of ``entries``.

    Raises
    ------
    EspacepError
        A name that is not in ``entries`` (a typo would silently leave an
        indicator out of a relation), or an indicator without a kind.
    """
    kinds, derived_from = dict(kinds or {}), dict(derived_from or {})
    hierarchy, extremes = dict(hierarchy or {}), dict(extremes or {})
    members = {f"{c.name}.{code}": (c.name, text) for c in categories for code, text in c.labels.items()}
    named = {
        "kinds": kinds,
        "compared": (compared := tuple(compared)),
        "derived_from": [*derived_from, *(s for v in derived_from.values() for s in v)],
        "standalone": (standalone := tuple(standalone)),
        "internal": (internal := tuple(internal)),
        "categories": members,
        "hierarchy": hierarchy,
        "extremes": extremes,
    }
    for what, names in named.items():
        unknown = sorted(set(names) - set(entries))
        if unknown:
            raise EspacepError(f"declare({prefix!r}): {what} names unknown indicators {unknown}")
    out = {}
    for name, (label, unit) in entries.items():
        kind = kinds.get(name) or _KIND_OF_UNIT.get(unit)
        if kind is None:
            raise EspacepError(f"declare({prefix!r}): give the kind of {name!r} (unit {unit!r})")
        category, category_label = members.get(name, ("", ""))
        out[prefix + name] = Indicator(
            id=prefix + name,
            label=label,
            unit=unit,
            kind=kind,
            category=prefix + category if category else "",
            category_label=category_label,
            compared=name in compared,
            derived_from=tuple(prefix + s for s in derived_from.get(name, ())),
            standalone=name in standalone,
            internal=name in internal,
            hierarchy=hierarchy.get(name, ""),
            extreme=extremes.get(name, ("", ""))[0],
            distribution=extremes.get(name, ("", ""))[1],
        )
    return out


def labels_and_units(definitions: Mapping[str, Indicator]) -> dict[str, tuple[str, str]]:
    """Full id -> (label, unit), the view the row builders use."""
    return {i.id: (i.label, i.unit) for i in definitions.values()}


def ids_where(definitions: Mapping[str, Indicator], flag: str) -> tuple[str, ...]:
    """Full ids, in declaration order, of the indicators whose boolean attribute ``flag`` is true."""
    return tuple(i.id for i in definitions.values() if getattr(i, flag))


def category_members(definitions: Mapping[str, Indicator], category: str) -> tuple[str, ...]:
    """Full ids of the members of the family ``category`` (full name, e.g. ``inami.gender``), in order."""
    return tuple(i.id for i in definitions.values() if i.category == category)


def categories(definitions: Mapping[str, Indicator]) -> tuple[str, ...]:
    """The families of categories declared (full names), in order."""
    return tuple(dict.fromkeys(i.category for i in definitions.values() if i.category))


def depends_on(*definitions: Mapping[str, Indicator]) -> dict[str, tuple[str, ...]]:
    """Full id -> full ids of the figures it is computed from, for disclosure control."""
    return {i.id: i.derived_from for defs in definitions for i in defs.values() if i.derived_from}


# --- relations between figures (disclosure control) ------------------------------------------


@dataclass(frozen=True)
class Partition:
    """Figures of one report that add up to a total.

    Each of ``parts`` and ``total`` is an indicator id (the figure at the
    scope of the line, i.e. of the total), an ``(indicator, scope)`` pair
    (a fixed scope) or a :class:`Denominator`. One line is made per year
    (and per scope when the total is given as a bare id).

    Examples
    --------
    Gender (numerators of the proportions) adds up to the persons seen, in
    every scope: ``Partition(("inami.gender.woman", "inami.gender.man",
    "inami.gender.trans"), "inami.persons_seen")``. Consultations per antenna
    add up to the Wallonia total: ``Partition((("inami.consultations",
    "antenna:liege"), ...), ("inami.consultations", "region:wallonie"))``.
    Persons per antenna do not quite (a person seen in two antennas counts
    once in the region): declare such partitions with ``exact=False``.
    """

    parts: tuple
    total: object
    exact: bool = True
    rest: bool = False  # the parts may leave out an unpublished rest (e.g. codes not recorded)


@dataclass(frozen=True)
class Denominator:
    """The denominator of a proportion, as a cell of a :class:`Partition`.

    Reports print "20,5 % (40/195)": the denominator is a published count as
    much as the numerator, and may be the total of another table (the
    interpretable smears are the sum of the cytology classes; the persons of
    known age are the sum of the age bands). While masking, it is a count
    cell of its own: when it has to be masked, the proportion is masked with
    it and its denominator blanked. ``scope`` None means the scope of the line.
    """

    indicator: str
    scope: str | None = None


def referenced_ids(partitions: Iterable[Partition]) -> set[str]:
    """The indicator ids a list of partitions names (parts and totals, denominators included)."""
    ids = set()
    for part in partitions:
        for ref in (*part.parts, part.total):
            if isinstance(ref, Denominator):
                ids.add(ref.indicator)
            else:
                ids.add(ref if isinstance(ref, str) else ref[0])
    return ids
