"""Site hierarchy (site -> antenna -> province -> region) and funder scopes.

Loaded from ``params/sites.yaml`` into a typed, immutable object. Nothing is
read at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .errors import EspacepError

DEFAULT_SITES_FILE = Path(__file__).resolve().parent.parent / "params" / "sites.yaml"


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
            raise EspacepError(
                f"unknown funder {funder!r}; expected one of {sorted(self.funder_regions)}"
            )
        regions = self.funder_regions[funder]
        return list(self.frame.index[self.frame["region"].isin(regions)])


def _require(mapping: dict, key: str, where: str, path: Path):
    if not isinstance(mapping, dict) or key not in mapping:
        raise EspacepError(f"{path}: {where}: missing key {key!r}")
    return mapping[key]


def load_sites(path: str | Path = DEFAULT_SITES_FILE) -> Sites:
    """Read and check the site hierarchy YAML; every parent reference must exist."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EspacepError(f"{path}: cannot read site hierarchy: {exc}") from None
    regions = _require(raw, "regions", "top level", path)
    provinces = _require(raw, "provinces", "top level", path)
    antennas = _require(raw, "antennas", "top level", path)
    sites = _require(raw, "sites", "top level", path)
    funders = _require(raw, "funders", "top level", path)
    rows = []
    for code, site in sites.items():
        antenna = _require(site, "antenna", f"sites.{code}", path)
        if antenna not in antennas:
            raise EspacepError(f"{path}: sites.{code}.antenna: unknown antenna {antenna!r}")
        province = antennas[antenna]["province"]
        if province not in provinces:
            raise EspacepError(f"{path}: antennas.{antenna}.province: unknown province {province!r}")
        region = provinces[province]["region"]
        if region not in regions:
            raise EspacepError(f"{path}: provinces.{province}.region: unknown region {region!r}")
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
    frame = pd.DataFrame(rows).set_index("site")
    funder_regions = {}
    for name, spec in funders.items():
        unknown = set(spec["regions"]) - set(regions)
        if unknown:
            raise EspacepError(f"{path}: funders.{name}.regions: unknown region(s) {sorted(unknown)}")
        funder_regions[name] = tuple(spec["regions"])
    labels = {name: spec.get("label", name) for name, spec in funders.items()}
    min_cell = {}
    for name, spec in funders.items():
        value = spec.get("min_cell", 5)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EspacepError(f"{path}: funders.{name}.min_cell: expected a whole number >= 0, got {value!r}")
        min_cell[name] = value
    return Sites(frame=frame, funder_regions=funder_regions, funder_labels=labels, funder_min_cell=min_cell)
