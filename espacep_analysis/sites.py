"""Site hierarchy (site -> antenna -> province -> region) and funder scopes.

Loaded from ``params/sites.yaml`` into a typed, immutable object. Nothing is
read at import time, and pandas is imported only to build the hierarchy
(`load_sites`): the batch reads the funders' formats (`funder_formats`) on its
light path, before any heavy import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import config
from .errors import ConfigError, EspacepError

if TYPE_CHECKING:
    import pandas as pd

SITES_FILE = "sites.yaml"  # in the params directory (`settings.params_dir`)


@dataclass(frozen=True)
class Sites:
    """The site hierarchy and each funder's regions.

    ``frame`` has one row per site code (its index) and the columns
    ``site_label, antenna, antenna_label, province, province_label, region,
    region_label``. ``antenna_order`` is the order of the antennas in ``sites.yaml``: the published
    order, used wherever antennas are listed (sentences and tables).
    """

    frame: pd.DataFrame
    funder_regions: dict[str, tuple[str, ...]]
    funder_labels: dict[str, str]
    funder_min_cell: dict[str, int]
    antenna_order: tuple[str, ...] = ()  # the antennas in the order of ``antennas:`` (the published order)

    def antenna_labels(self) -> dict[str, str]:
        """Antenna code -> label, in `antenna_order` (then any antenna it leaves out, in site order)."""
        labels = dict(zip(self.frame["antenna"], self.frame["antenna_label"]))
        order = [a for a in self.antenna_order if a in labels]
        return {a: labels[a] for a in [*order, *[a for a in labels if a not in order]]}

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.frame.index)

    def sites_of(self, level: str, code: str) -> list[str]:
        """Site codes whose ``level`` (antenna, province, region) equals ``code``."""
        if level == "site":
            return [code] if code in self.frame.index else []
        if level not in ("antenna", "province", "region"):
            raise EspacepError(f"unknown hierarchy level {level!r}")
        return list(self.frame.index[self.frame[level] == code])

    def funder_sites(self, funder: str) -> list[str]:
        """Site codes in the scope of ``funder`` (inami, aviq, cocof)."""
        if funder not in self.funder_regions:
            raise EspacepError(f"unknown funder {funder!r}; expected one of {sorted(self.funder_regions)}")
        regions = self.funder_regions[funder]
        return list(self.frame.index[self.frame["region"].isin(regions)])


@dataclass(frozen=True)
class FormatName(config.Kind):
    """The name of a registered output format (`renderers.names`, read when checking: a format
    registered by a module of `renderers.FORMAT_MODULES` is known too)."""

    def errors(self, value, at):
        from . import renderers

        known = renderers.names()
        if value not in known:
            return at.fail(f"unknown format {config.show(value)}; expected one of: {', '.join(known)}")
        return []


_LABELLED: dict[str, config.Kind] = {"label": config.Text()}
SITES_SCHEMA = config.Record(
    {
        "regions": config.MapOf(config.Record(_LABELLED)),
        "provinces": config.MapOf(config.Record({**_LABELLED, "region": config.Code()})),
        "antennas": config.MapOf(config.Record({**_LABELLED, "province": config.Code()})),
        "sites": config.MapOf(config.Record({**_LABELLED, "antenna": config.Code()})),
        "funders": config.MapOf(
            config.Record(
                {
                    **_LABELLED,
                    "regions": config.ListOf(config.Code(), min_items=1),
                    "min_cell": config.Integer(minimum=0),
                    "formats": config.ListOf(FormatName(), min_items=1),
                },
                optional=("formats",),
            )
        ),
    }
)
"""``params/sites.yaml``: every key required (but a funder's ``formats``), no other key (see `config`)."""

# (section, parent key, parent section) of each reference between levels
_REFERENCES = (
    ("provinces", "region", "regions"),
    ("antennas", "province", "provinces"),
    ("sites", "antenna", "antennas"),
)


def _check_references(raw: dict, where: str) -> None:
    """Every parent named (province's region, ..., funder's regions) exists, with its line."""
    errors = []
    for section, key, parents in _REFERENCES:
        for code, entry in raw[section].items():
            if entry[key] not in raw[parents]:
                errors.append(
                    config.problem(
                        where,
                        config.line_of(entry, key),
                        f"{section}.{code}.{key}",
                        f"unknown {key} {entry[key]!r}; expected one of: " f"{', '.join(raw[parents])}",
                    )
                )
    for name, spec in raw["funders"].items():
        for i, region in enumerate(spec["regions"]):
            if region not in raw["regions"]:
                errors.append(
                    config.problem(
                        where,
                        config.line_of(spec["regions"], i),
                        f"funders.{name}.regions[{i}]",
                        f"unknown region {region!r}; expected one of: " f"{', '.join(raw['regions'])}",
                    )
                )
    if errors:
        raise ConfigError("\n".join(errors))


def load_sites(path: str | Path | None = None) -> Sites:
    """Read ``params/sites.yaml`` strictly (see `SITES_SCHEMA`) into a `Sites`.

    ``path`` defaults to ``sites.yaml`` of the active params directory (`settings.params_file`).

    Raises
    ------
    ConfigError
        For an unknown, duplicate or missing key, a value of the wrong type or a
        reference to an undeclared parent; each problem names the file, the line
        and the key path, e.g. ``params/sites.yaml:40: funders.inami.min_cel: unknown key; ...``.
    """
    import pandas as pd

    raw = _load_raw(path)
    regions, provinces, antennas = raw["regions"], raw["provinces"], raw["antennas"]
    rows = []
    for code, site in raw["sites"].items():
        antenna = site["antenna"]
        province = antennas[antenna]["province"]
        region = provinces[province]["region"]
        rows.append(
            {
                "site": code,
                "site_label": site["label"],
                "antenna": antenna,
                "antenna_label": antennas[antenna]["label"],
                "province": province,
                "province_label": provinces[province]["label"],
                "region": region,
                "region_label": regions[region]["label"],
            }
        )
    funders = raw["funders"]
    return Sites(
        frame=pd.DataFrame(rows).set_index("site"),
        funder_regions={name: tuple(spec["regions"]) for name, spec in funders.items()},
        funder_labels={name: spec["label"] for name, spec in funders.items()},
        funder_min_cell={name: int(spec["min_cell"]) for name, spec in funders.items()},
        antenna_order=tuple(antennas),
    )


def _load_raw(path: str | Path | None):
    """``sites.yaml`` (default: the active params directory's) read and checked: schema and references."""
    if path is None:
        from .settings import params_file

        path = params_file(SITES_FILE)
    raw = config.load_checked(path, SITES_SCHEMA, "site hierarchy")
    _check_references(raw, config.display(Path(path)))
    return raw


def funder_formats(path: str | Path | None = None) -> dict[str, tuple[str, ...] | None]:
    """Each funder's default output formats: its ``formats:`` in ``sites.yaml``, None without (every format).

    A funder that wants fewer documents lists them (``formats: [html, pdf]``);
    ``espacep report --formats`` overrides it. The list is put in rendering
    order and ``pdf`` brings ``html``, from which it is printed
    (`renderers.requested`). Reads no pandas (the batch's light path).

    Raises
    ------
    ConfigError
        As `load_sites`; an unknown format names the file, line, key path
        (``funders.aviq.formats[1]``) and the registered formats.
    """
    from . import renderers

    funders = _load_raw(path)["funders"]
    return {
        name: renderers.requested(spec["formats"]) if "formats" in spec else None
        for name, spec in funders.items()
    }
