"""Nationality -> origin group (params/origins.yaml + country_converter's UN M49 sub-regions).

Expected groups checked by hand against the UN M49 sub-region of each country
(https://unstats.un.org/unsd/methodology/m49/) and the overrides documented in
params/origins.yaml (former Eastern bloc / Yugoslavia / USSR in Europe -> Eastern Europe).
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

from espacep_analysis import origins
from espacep_analysis.errors import EspacepError

HAND_CHECKED = {
    # code: (M49 sub-region, expected group)
    "BE": ("Western Europe", "belgium"),  # override
    "FR": ("Western Europe", "western_europe"),
    "NL": ("Western Europe", "western_europe"),
    "IT": ("Southern Europe", "western_europe"),
    "ES": ("Southern Europe", "western_europe"),
    "GB": ("Northern Europe", "western_europe"),
    "RO": ("Eastern Europe", "eastern_europe"),
    "BG": ("Eastern Europe", "eastern_europe"),
    "PL": ("Eastern Europe", "eastern_europe"),
    "HU": ("Eastern Europe", "eastern_europe"),
    "CZ": ("Eastern Europe", "eastern_europe"),
    "SK": ("Eastern Europe", "eastern_europe"),
    "MD": ("Eastern Europe", "eastern_europe"),
    "UA": ("Eastern Europe", "eastern_europe"),
    "RU": ("Eastern Europe", "eastern_europe"),
    "BY": ("Eastern Europe", "eastern_europe"),
    "AL": ("Southern Europe", "eastern_europe"),  # override: Western Balkans
    "XK": ("Southern Europe", "eastern_europe"),
    "RS": ("Southern Europe", "eastern_europe"),
    "MK": ("Southern Europe", "eastern_europe"),
    "BA": ("Southern Europe", "eastern_europe"),
    "ME": ("Southern Europe", "eastern_europe"),
    "LT": ("Northern Europe", "eastern_europe"),  # override: Baltic states
    "NG": ("Western Africa", "sub_saharan_africa"),
    "CM": ("Middle Africa", "sub_saharan_africa"),
    "KE": ("Eastern Africa", "sub_saharan_africa"),
    "NA": ("Southern Africa", "sub_saharan_africa"),  # Namibia: "NA" is not a missing value
    "MA": ("Northern Africa", "north_africa"),
    "DZ": ("Northern Africa", "north_africa"),
    "BR": ("South America", "latin_america"),
    "DO": ("Caribbean", "latin_america"),
    "MX": ("Central America", "latin_america"),
    "TH": ("South-eastern Asia", "asia"),
    "CN": ("Eastern Asia", "asia"),
    "TR": ("Western Asia", "asia"),
    "US": ("Northern America", "other"),
    "AU": ("Australia and New Zealand", "other"),
}


@pytest.mark.parametrize("code", sorted(HAND_CHECKED))
def test_hand_checked_countries(code):
    region, group = HAND_CHECKED[code]
    assert origins.un_region(code) == region
    assert origins.origin_group(code) == group


def test_vectorised_mapping_keeps_index_and_handles_missing():
    codes = pd.Series(["RO", pd.NA, "", " be ", "ng", "RO"], index=[10, 11, 12, 13, 14, 15], dtype="string")
    groups = origins.origin_groups(codes)
    assert groups.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert groups.tolist() == [
        "eastern_europe",
        "unknown",
        "unknown",
        "belgium",
        "sub_saharan_africa",
        "eastern_europe",
    ]


def test_unrecognised_code_raises():
    with pytest.raises(EspacepError, match="'XX'"):
        origins.origin_groups(pd.Series(["BE", "XX"], dtype="string"))
    with pytest.raises(EspacepError, match="'ROU'"):
        origins.origin_group("ROU")
    assert origins.unrecognised_codes(["BE", "XX", "ROU", None, ""]) == ["ROU", "XX"]


def test_every_current_m49_subregion_is_mapped():
    table = origins._converter().data
    current = set(table.loc[table["obsolete"].isna(), "UNregion"]) - {""}
    assert len(current) == 23
    assert current <= set(origins.load_origins().un_regions)


def test_groups_and_labels():
    assert origins.ORIGIN_GROUPS == (
        "belgium",
        "western_europe",
        "eastern_europe",
        "sub_saharan_africa",
        "north_africa",
        "latin_america",
        "asia",
        "other",
        "unknown",
    )
    assert origins.ORIGIN_LABELS["sub_saharan_africa"] == "Afrique subsaharienne"
    assert origins.ORIGIN_LABELS["eastern_europe"] == "Europe de l'Est"


def test_conversion_is_cached_per_code():
    codes = pd.Series(["BE", "RO", "NG", "BR", "TH", "MA", "FR", "AL"] * 25_000, dtype="string")
    origins.origin_groups(codes.head(8))  # warm the per-code cache
    start = time.perf_counter()
    groups = origins.origin_groups(codes)
    assert time.perf_counter() - start < 1.0
    assert groups.value_counts()["eastern_europe"] == 50_000  # RO and AL


def test_bad_yaml_raises(tmp_path):
    bad = tmp_path / "origins.yaml"
    bad.write_text("un_regions: {Western Europe: westeurope}\noverrides: {}\n", encoding="utf-8")
    with pytest.raises(EspacepError, match="westeurope"):
        origins.load_origins(bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text("un_regions: {}\n", encoding="utf-8")
    with pytest.raises(EspacepError, match="overrides"):
        origins.load_origins(missing)
