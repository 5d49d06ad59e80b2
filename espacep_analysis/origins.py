"""Nationality (ISO 3166-1 alpha-2) -> region of origin (``params/origins.yaml``).

The UN M49 sub-region of a code comes from country_converter; the YAML maps
sub-regions to the report's groups and lists per-country overrides (the
field's "Europe de l'Est" is wider than M49's). Conversions are cached per
unique code: country_converter matches one name at a time with regexes, which
is far too slow per row. Nothing is read at import time.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .errors import EspacepError

DEFAULT_ORIGINS_FILE = Path(__file__).resolve().parent.parent / "params" / "origins.yaml"

# Origin group -> French label, in display order (the one place they are defined).
ORIGIN_LABELS: dict[str, str] = {
    "belgium": "Belgique",
    "western_europe": "Europe de l'Ouest",
    "eastern_europe": "Europe de l'Est",
    "sub_saharan_africa": "Afrique subsaharienne",
    "north_africa": "Afrique du Nord",
    "latin_america": "Amérique latine",
    "asia": "Asie",
    "other": "Autres",
    "unknown": "Inconnue",
}
ORIGIN_GROUPS = tuple(ORIGIN_LABELS)
UNKNOWN = "unknown"
_ISO2 = re.compile(r"^[A-Z]{2}$")
_NOT_FOUND = "\x00not found"


@dataclass(frozen=True)
class Origins:
    """The mapping read from ``params/origins.yaml``.

    ``un_regions``: M49 sub-region (country_converter spelling) -> group;
    ``overrides``: ISO2 code -> group, applied first.
    """

    un_regions: dict[str, str]
    overrides: dict[str, str]


def _check_groups(mapping: dict, where: str, groups: set[str], path: Path) -> None:
    bad = {key: value for key, value in mapping.items() if value not in groups}
    if bad:
        raise EspacepError(f"{path}: {where}: unknown origin group(s) {bad}; expected one of {sorted(groups)}")


@functools.lru_cache(maxsize=8)
def load_origins(path: str | Path = DEFAULT_ORIGINS_FILE) -> Origins:
    """Read and check ``params/origins.yaml`` (cached per path).

    Raises
    ------
    EspacepError
        When the file cannot be read, a section is missing or a mapping names
        a group not in :data:`ORIGIN_GROUPS`.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EspacepError(f"{path}: cannot read origin groups: {exc}") from None
    for key in ("un_regions", "overrides"):
        if not isinstance(raw, dict) or not isinstance(raw.get(key), dict):
            raise EspacepError(f"{path}: top level: missing mapping {key!r}")
    un_regions = {str(k): str(v) for k, v in raw["un_regions"].items()}
    overrides = {str(k).upper(): str(v) for k, v in raw["overrides"].items()}
    _check_groups(un_regions, "un_regions", set(ORIGIN_GROUPS), path)
    _check_groups(overrides, "overrides", set(ORIGIN_GROUPS), path)
    return Origins(un_regions=un_regions, overrides=overrides)


@functools.lru_cache(maxsize=1)
def _converter():
    """A country_converter instance that works under pandas 2 and 3.

    country_converter 1.3 reads its table with ``converters=str``; under
    pandas 3 this turns Namibia's ISO2 code "NA" into a missing value and the
    constructor fails. We read the same bundled table ourselves, as text
    without NA parsing, and hand it over as a DataFrame.
    """
    import country_converter as coco

    table = pd.read_csv(
        coco.country_converter.COUNTRY_DATA_FILE,
        sep="\t",
        encoding="utf-8",
        dtype=object,
        keep_default_na=False,
    )
    table["obsolete"] = table["obsolete"].replace("", None)
    return coco.CountryConverter(country_data=table)


@functools.lru_cache(maxsize=4096)
def un_region(code: str) -> str | None:
    """UN M49 sub-region of an ISO2 code per country_converter, None if unknown."""
    if not _ISO2.match(code):
        return None
    result = _converter().convert(names=[code], src="ISO2", to="UNregion", not_found=_NOT_FOUND)
    result = result[0] if isinstance(result, list) and len(result) == 1 else result
    if not isinstance(result, str) or result in (_NOT_FOUND, ""):
        return None
    return result


def origin_group(code, origins: Origins | None = None) -> str:
    """Origin group of one ISO2 code ('' or missing -> ``unknown``).

    Raises
    ------
    EspacepError
        When the code is not an ISO 3166-1 alpha-2 code country_converter knows,
        or its M49 sub-region is not mapped in ``params/origins.yaml``.
    """
    origins = origins or load_origins()
    if code is None or code is pd.NA or (isinstance(code, float) and code != code):
        return UNKNOWN
    code = str(code).strip().upper()
    if not code:
        return UNKNOWN
    if code in origins.overrides:
        return origins.overrides[code]
    region = un_region(code)
    if region is None:
        raise EspacepError(f"nationality {code!r}: not an ISO 3166-1 alpha-2 country code")
    if region not in origins.un_regions:
        raise EspacepError(
            f"nationality {code!r}: UN sub-region {region!r} is not mapped in params/origins.yaml (un_regions)"
        )
    return origins.un_regions[region]


def origin_groups(codes: pd.Series, origins: Origins | None = None) -> pd.Series:
    """Origin group of each code of ``codes`` (same index), converting each unique code once.

    Missing or empty codes map to ``unknown``. Raises :class:`EspacepError`
    naming the first unrecognised code.
    """
    origins = origins or load_origins()
    codes = pd.Series(codes, copy=False)
    mapping = {code: origin_group(code, origins) for code in codes.dropna().unique()}
    groups = codes.map(mapping).fillna(UNKNOWN)
    return groups.astype("string").rename("origin")


def unrecognised_codes(codes) -> list[str]:
    """The distinct non-empty values of ``codes`` that are not ISO2 codes country_converter knows.

    For validation: ``origin_groups`` raises on these.
    """
    origins = load_origins()
    bad = []
    for code in pd.Series(codes).dropna().unique():
        code = str(code).strip().upper()
        if code and code not in origins.overrides and un_region(code) is None:
            bad.append(code)
    return sorted(bad)
