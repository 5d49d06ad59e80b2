"""Strict configuration (issue 11, item 5): every params file is read by `config`.

Each bad file is the committed one with one change; the expected message names
the file, the line (found here by searching the text, not by the code under
test), the key path and the problem.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from espacep_analysis import config, declared, origins
from espacep_analysis.errors import ConfigError, EspacepError
from espacep_analysis.sites import funder_formats, load_sites
from espacep_analysis.synthetic.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]
SITES = (ROOT / "params" / "sites.yaml").read_text(encoding="utf-8")
ORIGINS = (ROOT / "params" / "origins.yaml").read_text(encoding="utf-8")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in ``tmp_path`` so that messages show ``params/...`` paths."""
    (tmp_path / "params").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def line_of(text: str, fragment: str, after: str | None = None) -> int:
    """1-based line of the first line holding ``fragment`` (below ``after`` when given)."""
    lines = text.splitlines()
    start = 0 if after is None else next(i for i, ln in enumerate(lines) if after in ln)
    return next(i + 1 for i, ln in enumerate(lines) if i >= start and fragment in ln)


def sites_error(text: str) -> str:
    Path("params/sites.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_sites("params/sites.yaml")
    return str(info.value)


# --- sites.yaml ----------------------------------------------------------------------------------
def test_committed_params_files_are_valid():
    load_sites()
    origins._load_origins.cache_clear()
    origins.load_origins()
    assert len(load_targets()) > 100
    for path in sorted(ROOT.glob("params/[0-9]*/*.yaml")):
        declared.load_declared(path.stem, int(path.parent.name), ROOT / "params")


def test_sites_typo_in_min_cell_is_an_unknown_key(in_tmp):
    text = SITES.replace(
        "regions: [bruxelles, wallonie, flandre], min_cell: 5",
        "regions: [bruxelles, wallonie, flandre], min_cel: 10",
    )
    n = line_of(text, "min_cel: 10")
    assert sites_error(text).splitlines() == [
        f"params/sites.yaml:{n}: funders.inami.min_cel: unknown key; expected one of: label, "
        "regions, min_cell, formats",
        f"params/sites.yaml:{n}: funders.inami.min_cell: missing key",
    ]


def test_sites_funder_formats_are_optional_ordered_and_checked(in_tmp):
    assert funder_formats(ROOT / "params" / "sites.yaml") == {"inami": None, "aviq": None, "cocof": None}
    entry = 'aviq: {label: "AViQ", regions: [wallonie], min_cell: 5'
    path = Path("params/sites.yaml")
    path.write_text(SITES.replace(entry, entry + ", formats: [xlsx, pdf]"), encoding="utf-8")
    # rendering order, and the PDF brings the HTML it is printed from
    assert funder_formats(path)["aviq"] == ("html", "pdf", "xlsx")
    text = SITES.replace(entry, entry + ", formats: [html, odt]")
    assert sites_error(text) == (
        f"params/sites.yaml:{line_of(text, 'odt')}: funders.aviq.formats[1]: unknown format 'odt'; "
        "expected one of: html, pdf, docx, xlsx"
    )
    text = SITES.replace(entry, entry + ", formats: []")
    assert sites_error(text) == (
        f"params/sites.yaml:{line_of(text, 'formats: []')}: funders.aviq.formats: "
        "expected a list of at least 1 item(s)"
    )


def test_sites_duplicated_funder_entry_is_refused(in_tmp):
    """A second ``inami:`` with ``min_cell: 0`` used to win and switch masking off."""
    text = SITES + '  inami: {label: "INAMI", regions: [bruxelles], min_cell: 0}\n'
    first, second = line_of(text, "  inami:"), len(text.splitlines())
    assert sites_error(text) == (
        f"params/sites.yaml:{second}: funders.inami: duplicate key (first written at line "
        f"{first}); a key may appear only once in a mapping"
    )


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('liege: {label: "Liège", province: liege}', "liege: {province: liege}", "antennas.liege.label"),
        ('namur: {label: "Namur", province: namur}', 'namur: {label: "Namur"}', "antennas.namur.province"),
        ('namur: {label: "Namur", region: wallonie}', 'namur: {label: "Namur"}', "provinces.namur.region"),
    ],
)
def test_sites_missing_field_names_the_entry_and_its_line(in_tmp, old, new, key):
    text = SITES.replace(old, new)
    assert sites_error(text) == f"params/sites.yaml:{line_of(text, new)}: {key}: missing key"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "min_cell: 5}\n  aviq",
            "min_cell: '5'}\n  aviq",
            "funders.inami.min_cell: expected a whole number, got '5'",
        ),
        (
            'aviq: {label: "AViQ", regions: [wallonie]',
            'aviq: {label: "AViQ", regions: wallonie',
            "funders.aviq.regions: expected a list, got 'wallonie'",
        ),
        (
            'cocof: {label: "Cocof", regions: [bruxelles], min_cell: 5}',
            'cocof: {label: "Cocof", regions: [bruxelles], min_cell: -1}',
            "funders.cocof.min_cell: expected a whole number >= 0, got -1",
        ),
        (
            'arlon: {label: "Arlon", antenna: arlon}',
            "arlon: {label: 12, antenna: arlon}",
            "sites.arlon.label: expected a non-empty text, got 12",
        ),
        (
            '  mons: {label: "Mons", antenna: mons}',
            '  Mons: {label: "Mons", antenna: mons}',
            "sites.Mons: expected a code in lower-case letters, digits and _ (e.g. saint_trond), "
            "got 'Mons'",
        ),
        (
            'tournai: {label: "Tournai", antenna: tournai}',
            'tournai: {label: "Tournai", antenna: dour}',
            "sites.tournai.antenna: unknown antenna 'dour'; expected one of: bruxelles, liege, namur, "
            "mons, charleroi, arlon, tournai, pasop",
        ),
    ],
)
def test_sites_wrong_types_and_references(in_tmp, old, new, message):
    assert SITES.count(old) == 1, old
    text = SITES.replace(old, new)
    changed = line_of(text, new.splitlines()[-1] if "\n" not in new else new.split("\n")[0])
    assert sites_error(text) == f"params/sites.yaml:{changed}: {message}"


def test_sites_yaml_syntax_error_has_its_line(in_tmp):
    text = SITES.replace(
        'bruxelles: {label: "Bruxelles", antenna: bruxelles}',
        'bruxelles: {label: "Bruxelles", antenna: bruxelles',
    )
    message = sites_error(text)
    assert re.fullmatch(r"params/sites\.yaml:\d+: top level: not valid YAML: .+", message), message


# --- origins.yaml ------------------------------------------------------------------------------------
def origins_error(text: str) -> str:
    path = Path("params/origins.yaml")
    path.write_text(text, encoding="utf-8")
    origins._load_origins.cache_clear()
    with pytest.raises(ConfigError) as info:
        origins.load_origins(path)
    return str(info.value)


def test_origins_every_current_iso_code_needs_a_group(in_tmp):
    """A valid nationality without an origin would stop the report late: refused in the file."""
    text = ORIGINS.replace("  Caribbean: latin_america\n", "")
    assert origins_error(text) == (
        f"params/origins.yaml:{line_of(text, 'un_regions:', after='# UN M49')}: un_regions: UN "
        "sub-region 'Caribbean' has no group, so nationalities AG, AI, AW, BB, BL, BQ, BS, CU, "
        "CW, DM, DO, GD, GP, HT, JM, KN, KY, LC, MF, MQ, MS, PR, SX, TC, TT, VC, VG, VI would "
        "have no origin; map it to one of: belgium, western_europe, eastern_europe, "
        "sub_saharan_africa, north_africa, latin_america, asia, other, unknown"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  BE: belgium\n",
            "  UK: western_europe\n  BE: belgium\n",
            "overrides.UK: expected one of: AD, AE, ",
        ),
        (
            "  BE: belgium\n",
            "  NO: western_europe\n  BE: belgium\n",  # YAML 1.1 reads NO as false
            "overrides.False: expected one of: AD, AE, ",
        ),
        (
            "  BE: belgium\n",
            "  BE: belgium\n  BE: western_europe\n",
            "overrides.BE: duplicate key (first written at line ",
        ),
        (
            "  Caribbean: latin_america\n",
            "  Caribbean: latin_americas\n",
            "un_regions.Caribbean: expected one of: belgium, western_europe, ",
        ),
        ("overrides:\n", "overides:\n", "overides: unknown key; expected one of: un_regions, overrides"),
    ],
)
def test_origins_keys_values_and_duplicates(in_tmp, old, new, message):
    assert ORIGINS.count(old) == 1
    text = ORIGINS.replace(old, new)
    got = origins_error(text).splitlines()[0]
    target = new.splitlines()[-1] if "duplicate" in message else new.splitlines()[0]
    assert got.startswith(f"params/origins.yaml:{line_of(text, target)}: {message}"), got


# --- targets.yaml and the per-year params ------------------------------------------------------------
def test_targets_duplicate_key_is_refused_with_its_line(in_tmp):
    path = Path("params/targets.yaml")
    path.write_text(
        "targets:\n- {id: inami.persons_seen, year: 2019, year: 2018, scope: all,\n"
        "   printed: '1076', value: 1076, tolerance: exact, source: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_targets(path)
    assert str(info.value) == (
        "params/targets.yaml:2: targets[0].year: duplicate key (first "
        "written at line 2); a key may appear only once in a mapping"
    )


def test_declared_duplicate_min_cell_like_key_has_both_lines(in_tmp):
    (in_tmp / "params" / "2019").mkdir()
    shutil.copyfile(ROOT / "params" / "2019" / "cocof.yaml", "params/2019/cocof.yaml")
    text = Path("params/2019/cocof.yaml").read_text(encoding="utf-8") + "year: 2019\n"
    Path("params/2019/cocof.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        declared.load_declared("cocof", 2019, "params")
    assert str(info.value) == (
        f"params/2019/cocof.yaml:{len(text.splitlines())}: year: duplicate key (first written at "
        f"line {line_of(text, 'year: 2019')}); a key may appear only once in a mapping"
    )


def test_every_params_read_goes_through_config():
    """No module parses YAML itself: config.load_yaml is the one place."""
    offenders = []
    for path in sorted((ROOT / "espacep_analysis").rglob("*.py")):
        if path.name != "config.py" and re.search(r"yaml\.(safe_)?load\(", path.read_text("utf-8")):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_config_errors_are_espacep_errors():
    assert issubclass(ConfigError, EspacepError)
    assert config.problem("params/x.yaml", 3, "a.b", "missing key") == ("params/x.yaml:3: a.b: missing key")
