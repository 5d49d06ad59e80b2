"""Declared figures and narrative paragraphs: what no data row can give.

Each funder's report quotes numbers that come from elsewhere (website and
Facebook audience, staff counts, events counted by hand) and prints narrative
paragraphs. They live in ``params/<year>/<funder>.yaml``::

    funder: aviq          # must equal the file name
    year: 2019            # must equal the directory name
    declared:             # optional; closed list of keys per funder, integers >= 0
      facebook_friends: 1231
    narrative:            # optional; closed list of sections per funder, texts
      internet: >-
        Nous communiquons chaque semaine avec ...

:func:`load_declared` reads and checks one file (through `config.load_yaml`):
unknown keys, duplicate keys and wrong types raise :class:`ConfigError` naming
the file, the line, the key path and the expected type. :func:`declared_figures` turns the figures into rows of the
tidy figures table (id ``<funder>.declared.<key>``), so they reach
``figures.csv`` like the computed ones. Nothing is read at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from . import config
from .errors import ConfigError, EspacepError
from .indicators import common

TOP_LEVEL_KEYS = ("funder", "year", "declared", "narrative")

# funder -> declared key -> (unit, French label). Keys absent from a file are simply not reported.
DECLARED_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "aviq": {
        "facebook_friends": ("persons", "Amis Facebook avec qui nous communiquons chaque semaine"),
        "website_visits": ("visits", "Visites du site www.espacep.be"),
        "info4escorts_visits": ("visits", "Visites du site www.info4escorts.be"),
        "medical_partners": ("persons", "Médecins partenaires dont nos travailleurs ont organisé les tournées en RW"),
        "condom_sales": ("count", "Ventes de préservatifs répertoriées en RW"),
        "exhibition_visitors": ("persons", "Visiteurs de l'exposition « bustes » (marche namuroise du 17 décembre)"),
        "stand_visitors": ("persons", "Personnes touchées au stand de l'Erotix World à Mons"),
        "video_capsules": ("count", "Nouvelles capsules vidéo sur la traite des êtres humains"),
        "brochure_languages": ("count", "Langues de la brochure de promotion du dépistage et de la vaccination"),
        "evaluation_hours": ("count", "Heures d'évaluation formative"),
        "evaluation_workers": ("persons", "Travailleurs ayant participé à l'évaluation formative"),
        "health_survey_target": ("persons", "TDS visés par la nouvelle enquête santé"),
    },
    "cocof": {
        "social_workers": ("persons", "Travailleurs sociaux se répartissant les territoires bruxellois"),
        "website_visits": ("visits", "Visites du site www.espacep.be"),
        "info4escorts_visits": ("visits", "Visites du site www.info4escorts.be"),
        "info4escorts_new_visits": ("visits", "Nouvelles visites du site www.info4escorts.be"),
        "info4escorts_brussels_visits": ("visits", "Visites bruxelloises du site www.info4escorts.be"),
        "info4escorts_months_counted": ("count", "Mois de comptage des visites du site www.info4escorts.be"),
        "chat_sessions_per_week": ("count", "Permanences chat par semaine sur Quartier Rouge"),
        "course_participants": ("persons", "TDS ayant participé aux cours de FLE et d'alphabétisation"),
        "video_capsules": ("count", "Nouvelles capsules vidéo sur la traite des êtres humains"),
        "mdm_visit_participants": ("persons", "TDS à la rencontre avec MDM et la visite du centre Athéna"),
        "cire_meeting_participants": ("persons", "TDS à la rencontre avec un juriste du CIRE (permis de séjour)"),
        "literacy_workshops": ("count", "Animations avec Lire et Écrire"),
        "literacy_workshop_participants": ("persons", "TDS présentes aux animations avec Lire et Écrire"),
        "lawyer_meetings": ("count", "Réunions avec un avocat (actions en justice contre les taxes)"),
        "lawyer_meeting_sex_workers": ("persons", "TDS présentes aux réunions avec l'avocat"),
        "lawyer_meeting_owners": ("persons", "Propriétaires présents aux réunions avec l'avocat"),
        "march_participants": ("persons", "Participants à la marche du 17 décembre"),
        "march_sex_workers": ("persons", "TDS parmi les participants à la marche du 17 décembre"),
        "open_letter_cosigners": ("count", "Associations cosignataires de la carte blanche d'UTSOPI"),
        "rat_followed_persons": ("persons", "Personnes suivies à Espace P… par un médecin du RAT"),
        "syringe_supplied_injectors": ("persons", "Injectrices en rue ravitaillées en seringues"),
    },
}

# funder -> narrative section key -> French heading (report order)
NARRATIVE_SECTIONS: dict[str, dict[str, str]] = {
    "aviq": {
        "proximity": "Stratégie 1 : Travail de proximité",
        "internet": "Stratégie 2 : Prévention sur internet",
        "tools": "Stratégie 3 : Production d'outils de prévention",
        "medical": "Stratégie 4 : Consultations médicales gratuites délocalisées",
        "violence": "Stratégie 5 : Prévention des violences",
        "harm_reduction": "Stratégie 6 : Réduction des risques (usagers de drogues)",
        "clients": "Stratégie 7 : Sensibilisation des clients",
        "professionals": "Stratégie 8 : Sensibilisation des professionnels",
        "advocacy": "Stratégie 9 : Plaidoyer politique",
        "evaluation": "Stratégie 10 : Évaluation formative",
        "social_activities": "Action sociale globale : nouvelles activités collectives",
    },
    "cocof": {
        "proximity": "Action 1 : Travail de proximité",
        "unplanned": "Action 1 : actions non prévues initialement",
        "adjustments": "Action 1 : ajustements envisagés",
        "internet": "Action 2 : Prévention sur internet",
        "tools": "Action 3 : Production d'outils de prévention",
        "medical": "Action 4 : Consultations médicales gratuites délocalisées",
        "violence": "Action 5 : Prévention des violences",
        "harm_reduction": "Action 6 : Réduction des risques (usagers de drogues)",
        "clients": "Action 7 : Sensibilisation des clients",
        "professionals": "Action 8 : Sensibilisation des professionnels",
        "social_work": "Programme d'action sociale globale à Bruxelles",
    },
}


@dataclass(frozen=True)
class Declared:
    """One funder's declared figures and narrative for one year (read-only mappings)."""

    funder: str
    year: int
    figures: Mapping[str, int] = field(default_factory=dict)
    narrative: Mapping[str, str] = field(default_factory=dict)
    path: str = ""


# --- reading --------------------------------------------------------------------------------


_display = config.display
_show = config.show


def _fail(where: str, key: str, message: str, line: int | None = None):
    raise ConfigError(config.problem(where, line, key, message))


def _mapping(value, where: str, key: str, line: int | None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, key, f"expected a mapping of keys to values, got {_show(value)}", line)
    return value


def _check_keys(mapping: dict, allowed: Sequence[str], where: str, prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            _fail(where, f"{prefix}{key}", f"unknown key; expected one of: {', '.join(allowed)}",
                  config.line_of(mapping, key))


def _integer(value, where: str, key: str, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, key, f"expected an integer, got {_show(value)}", line)
    if value < 0:
        _fail(where, key, f"expected an integer >= 0, got {value}", line)
    return int(value)


def _text(value, where: str, key: str, line: int | None) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, key, f"expected a non-empty text, got {_show(value)}", line)
    return value.strip()


def declared_path(funder: str, year: int, params_dir: str | Path | None = None) -> Path:
    """``<params_dir>/<year>/<funder>.yaml`` (default: the active params directory, `settings.params_dir`)."""
    from .settings import params_dir as active_params_dir

    return Path(params_dir or active_params_dir()) / str(int(year)) / f"{funder}.yaml"


def _read_yaml(path: Path, where: str) -> dict:
    """The file's top-level mapping, read by `config.load_yaml` (duplicate keys, lines)."""
    if not path.is_file():
        raise ConfigError(
            f"{where}: file not found; rule: the declared figures and narrative of each funder and year "
            "are in params/<year>/<funder>.yaml"
        )
    raw = config.load_yaml(path, "declared figures")
    if not isinstance(raw, dict):
        _fail(where, "", f"expected a mapping with keys {', '.join(TOP_LEVEL_KEYS)}, got {_show(raw)}",
              getattr(raw, "line", 1))
    return raw


def load_declared(funder: str, year: int, params_dir: str | Path | None = None) -> Declared:
    """Read and check ``params/<year>/<funder>.yaml``.

    Raises
    ------
    EspacepError
        For an unknown funder, a missing or unreadable file, an unknown or
        duplicate key, a missing ``funder`` / ``year``, a ``funder`` or ``year``
        that does not match the file's place, or a value of the wrong type;
        the message names the file, the key path and the expected type, e.g.
        ``params/2019/aviq.yaml:12: declared.facebook_friends: expected an integer, got 'beaucoup'``.
    """
    if funder not in DECLARED_FIELDS:
        raise EspacepError(f"unknown funder {funder!r} for declared figures; expected one of {sorted(DECLARED_FIELDS)}")
    path = declared_path(funder, year, params_dir)
    where = _display(path)
    raw = _read_yaml(path, where)
    line = functools.partial(config.line_of, raw)
    _check_keys(raw, TOP_LEVEL_KEYS, where, "")
    for key in ("funder", "year"):
        if key not in raw:
            _fail(where, key, f"missing key (expected {funder!r} for funder, {int(year)} for year)",
                  raw.line)
    if raw["funder"] != funder:
        _fail(where, "funder", f"expected {funder!r} (the file name), got {_show(raw['funder'])}",
              line("funder"))
    if _integer(raw["year"], where, "year", line("year")) != int(year):
        _fail(where, "year", f"expected {int(year)} (the directory name), got {raw['year']}",
              line("year"))
    figures = _mapping(raw.get("declared"), where, "declared", line("declared"))
    _check_keys(figures, list(DECLARED_FIELDS[funder]), where, "declared.")
    narrative = _mapping(raw.get("narrative"), where, "narrative", line("narrative"))
    _check_keys(narrative, list(NARRATIVE_SECTIONS[funder]), where, "narrative.")
    checked_figures = {key: _integer(value, where, f"declared.{key}", config.line_of(figures, key))
                       for key, value in figures.items()}
    checked_narrative = {key: _text(value, where, f"narrative.{key}", config.line_of(narrative, key))
                         for key, value in narrative.items()}
    return Declared(
        funder=funder, year=int(year), figures=MappingProxyType(checked_figures),
        narrative=MappingProxyType(checked_narrative), path=where,
    )


# --- figures -----------------------------------------------------------------------------------


def declared_indicators(funder: str) -> dict[str, tuple[str, str]]:
    """Full id (``<funder>.declared.<key>``) -> (French label, unit), in the order of :data:`DECLARED_FIELDS`."""
    return {f"{funder}.declared.{key}": (label, unit) for key, (unit, label) in DECLARED_FIELDS[funder].items()}


def declared_figures(declared: Declared, funder: str, year: int) -> pd.DataFrame:
    """The declared figures as rows of the tidy figures table (scope ``all``, no CI, method empty).

    Rows follow the order of :data:`DECLARED_FIELDS`; keys absent from the
    file give no row.

    Raises
    ------
    EspacepError
        When ``declared`` was read for another funder or year.
    """
    if declared.funder != funder or declared.year != int(year):
        raise EspacepError(
            f"{declared.path or 'declared figures'}: read for {declared.funder} {declared.year}, "
            f"asked for {funder} {int(year)}"
        )
    registry = declared_indicators(funder)
    keys = [key for key in DECLARED_FIELDS[funder] if key in declared.figures]
    if not keys:
        return common.empty_figures()
    ids = [f"{funder}.declared.{key}" for key in keys]
    return common.figures_frame(
        ids, [registry[i][0] for i in ids], int(year), common.ALL,
        [float(declared.figures[key]) for key in keys], [registry[i][1] for i in ids],
    )


def declared_history(funder: str, year: int, n_previous: int = 2,
                     params_dir: str | Path | None = None) -> pd.DataFrame:
    """Declared figures of ``year`` (its file is required) and of the previous years whose file exists.

    The report compares with earlier years (e.g. info4escorts visits of 2018
    quoted in the 2019 AViQ section); rows are ordered by year.
    """
    if isinstance(n_previous, bool) or not isinstance(n_previous, int) or n_previous < 0:
        raise EspacepError(f"n_previous must be a whole number >= 0, got {n_previous!r}")
    parts = []
    for y in range(int(year) - n_previous, int(year) + 1):
        if y != int(year) and not declared_path(funder, y, params_dir).is_file():
            continue
        parts.append(declared_figures(load_declared(funder, y, params_dir), funder, y))
    return common.concat_figures(parts)
