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

from . import config
from .codes import iso_country_codes
from .errors import ConfigError, EspacepError

ORIGINS_FILE = "origins.yaml"  # in the params directory (`settings.params_dir`)

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


@dataclass(frozen=True)
class Origins:
    """The mapping read from ``params/origins.yaml``.

    ``un_regions``: M49 sub-region (country_converter spelling) -> group;
    ``overrides``: ISO2 code -> group, applied first.
    """

    un_regions: dict[str, str]
    overrides: dict[str, str]


def _schema() -> config.Record:
    """``params/origins.yaml``: sub-region -> group, ISO code -> group, nothing else."""
    group = config.Choice(ORIGIN_GROUPS)
    iso = config.Choice(tuple(iso_country_codes()))
    return config.Record(
        {
            "un_regions": config.MapOf(group, key=config.Text()),
            "overrides": config.MapOf(group, key=iso, min_items=0),
        }
    )


def _unmapped(origins: Origins) -> dict[str, list[str]]:
    """Current ISO codes no rule of ``origins`` places: sub-region (or '') -> codes."""
    out: dict[str, list[str]] = {}
    for code in iso_country_codes():
        region = un_region(code)
        if code not in origins.overrides and region not in origins.un_regions:
            out.setdefault(region or "", []).append(code)
    return out


def _check_complete(origins: Origins, raw: dict, where: str) -> None:
    """Every current ISO 3166-1 code gets a group, or a `ConfigError` names the codes."""
    missing = _unmapped(origins)
    if not missing:
        return
    lines = []
    for region, codes in sorted(missing.items()):
        if region:
            lines.append(
                config.problem(
                    where,
                    config.line_of(raw, "un_regions"),
                    "un_regions",
                    f"UN sub-region {region!r} has no group, so nationalities {', '.join(codes)} "
                    f"would have no origin; map it to one of: {', '.join(ORIGIN_GROUPS)}",
                )
            )
        else:
            lines.append(
                config.problem(
                    where,
                    config.line_of(raw, "overrides"),
                    "overrides",
                    f"ISO codes {', '.join(codes)} have no UN sub-region in country_converter; "
                    "give each a group here",
                )
            )
    raise ConfigError("\n".join(lines))


def load_origins(path: str | Path | None = None) -> Origins:
    """Read and check ``params/origins.yaml`` strictly (cached per path).

    ``path`` defaults to ``origins.yaml`` of the active params directory (`settings.params_file`).

    Every key must be known, written once and of the right type (overrides are
    keyed by current ISO 3166-1 alpha-2 codes, quoted when YAML would read them
    otherwise: ``'NO'``), and every current ISO code must get a group, by its
    override or its UN sub-region, so that no valid nationality stops a report.

    Raises
    ------
    ConfigError
        Naming the file, the line and the key path of each problem.
    """
    if path is None:
        from .settings import params_file

        path = params_file(ORIGINS_FILE)
    return _load_origins(str(path))


@functools.lru_cache(maxsize=8)
def _load_origins(path: str) -> Origins:
    """`load_origins` of one resolved path (cached)."""
    raw = config.load_checked(path, _schema(), "origin groups")
    origins = Origins(
        un_regions={str(k): str(v) for k, v in raw["un_regions"].items()},
        overrides={str(k): str(v) for k, v in raw["overrides"].items()},
    )
    _check_complete(origins, raw, config.display(Path(path)))
    return origins


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


@functools.lru_cache(maxsize=1)
def _m49_regions() -> dict[str, str]:
    """ISO2 code -> UN M49 sub-region, from country_converter's table (current countries).

    The table's ISO2 column holds a regular expression for a few countries
    (``^GB$|^UK$``, ``^GR$|^EL$``): every two-letter code it names is taken.
    """
    table = _converter().data
    current = table.loc[table["obsolete"].isna()]
    out: dict[str, str] = {}
    for pattern, region in zip(current["ISO2"], current["UNregion"]):
        for code in re.findall(r"[A-Z]{2}", str(pattern)):
            if region:
                out.setdefault(code, str(region))
    return out


def un_region(code: str) -> str | None:
    """UN M49 sub-region of an ISO2 code per country_converter, None if unknown."""
    if not isinstance(code, str) or not _ISO2.match(code):
        return None
    return _m49_regions().get(code)


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
