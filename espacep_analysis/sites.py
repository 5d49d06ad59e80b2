"""Site hierarchy (site -> antenna -> province -> region) and funder scopes.

Loaded from ``params/sites.yaml`` into a typed, immutable object. Nothing is
read at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config
from .errors import ConfigError, EspacepError

SITES_FILE = "sites.yaml"  # in the params directory (`settings.params_dir`)


@dataclass(frozen=True)
class Sites:
    """The site hierarchy and each funder's regions.

    ``frame`` has one row per site code (its index) and the columns
    ``site_label, antenna, antenna_label, province, province_label, region,
    region_label``.
    """

    frame: pd.DataFrame
    funder_regions: dict[str, tuple[str, ...]]
    funder_labels: dict[str, str]
    funder_min_cell: dict[str, int]

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
                }
            )
        ),
    }
)
"""``params/sites.yaml``: every key required, no other key (see `config`)."""

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
    if path is None:
        from .settings import params_file

        path = params_file(SITES_FILE)
    raw = config.load_checked(path, SITES_SCHEMA, "site hierarchy")
    _check_references(raw, config.display(Path(path)))
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
    )
