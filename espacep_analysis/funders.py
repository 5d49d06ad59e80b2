"""The funder registry: one `FunderSpec` per funder, the single place a funder is declared.

Everything that lists, titles or dispatches funders reads this registry: the
joint disclosure control (`publish`), the batch and its index, the command
line's ``--funders``, the report's title page, the methods note, the declared
params (`declared`) and the funder notebooks, which are generated from the
spec (`notebook_for`). An unknown funder is an `EspacepError` naming the
known ones (`get`).

The three funders of the package are declared below (`BUILTIN`). A spec names
its code by dotted path (``"package.module"`` or ``"package.module:function"``),
imported only when used, so that this module stays a leaf of the package.

Registering a funder outside the package
----------------------------------------
The environment variable ``ESPACEP_FUNDERS`` lists, separated by commas, the
modules that declare further funders: importable module names
(``my_reports.ngo_funder``) or paths to ``.py`` files. Each module defines
``FUNDER`` (a `FunderSpec`) or ``FUNDERS`` (a list of them). An environment
variable is inherited by everything a run starts: the batch's worker processes,
their Jupyter kernels and a notebook opened by hand from the same shell, so all
of them see the same registry (`ids` lists it). The funder's notebook is then
generated from its spec (`espacep_analysis.notebooks`).

A funder also needs an entry under ``funders:`` of ``params/sites.yaml``
(its regions, hence the sites its report covers, and its disclosure
threshold ``min_cell``) and, when it has declared figures, a file
``params/<year>/<funder>.yaml`` per year.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EspacepError

ENV = "ESPACEP_FUNDERS"


# What every indicator module defines (an indicator is declared in DEFINITIONS, beside its computation)
INDICATOR_MODULE_NAMES = ("compute_figures", "DEFINITIONS")


@dataclass(frozen=True)
class Section:
    """One section of a report: its heading and the page function that fills it.

    ``page`` is the dotted path ``"module:function"`` of a function
    ``section(report) -> list[Block]`` (the same signature for every section).
    The notebook prints ``chapter`` (a level-2 heading, when the section opens
    a chapter), then the heading ``number heading`` at ``level``, then the
    section's blocks. ``narrative`` is the key of the section in
    ``params/<year>/<funder>.yaml`` whose narrative paragraph it prints, if any.
    """

    key: str
    number: str
    heading: str
    page: str
    narrative: str | None = None
    level: int = 3
    chapter: str = ""

    def markdown(self) -> str:
        """The notebook's markdown cell of the section's headings."""
        title = f"{self.number} {self.heading}" if self.number else self.heading
        head = f"{'#' * self.level} {title}"
        return f"## {self.chapter}\n\n{head}" if self.chapter else head

    def function(self) -> Callable:
        """The page function ``section(report) -> list[Block]``."""
        return resolve(self.page)


@dataclass(frozen=True)
class SharedFigure:
    """A figure a report reprints from another funder's report (equal by definition).

    ``indicator`` of this funder at ``scope`` equals ``source_indicator`` of
    ``source`` at the same scope; disclosure control masks both or neither.
    """

    source: str
    source_indicator: str
    indicator: str
    scope: str


@dataclass(frozen=True)
class FunderSpec:
    """Everything the code knows of one funder.

    Parameters
    ----------
    id : the funder code (``outputs/<year>/<id>/``, ``params/<year>/<id>.yaml``).
    title : its name as printed (French): title page, index, notebook title.
    scope : the entry of ``funders:`` in ``params/sites.yaml`` whose regions
        are the report's sites (its geographic scope).
    indicators : dotted path of the indicator module; it defines
        ``compute_figures(ds, year, method=, level=)`` (unmasked figures) and
        ``DEFINITIONS`` (`definitions.declare`), and may define ``partitions()``
        (the figures that add up inside the report, besides the site hierarchy
        its definitions declare: `publish.partitions_of`).
    partitions : optional dotted path of ``partitions(figures, sites) -> list[Partition]``
        replacing `publish.partitions_of` for this funder (empty: the generic one).
    declared : the sections of ``params/<year>/<id>.yaml`` (key -> French
        heading, report order), or None when every figure comes from the
        exports (no params file).
    relations : figures reprinted from another funder's report.
    threshold : the entry of ``funders:`` in ``params/sites.yaml`` whose
        ``min_cell`` is the report's disclosure threshold.
    sections : the report's sections, in order.
    methods : the methods note's paragraph on where the report's figures come from.
    """

    id: str
    title: str
    scope: str
    indicators: str
    sections: tuple[Section, ...]
    methods: str
    partitions: str = ""
    declared: dict[str, str] | None = None
    relations: tuple[SharedFigure, ...] = ()
    threshold: str = ""
    origin: str = field(default="", compare=False)  # the module that declared it (registry listing)

    @property
    def threshold_key(self) -> str:
        """The ``params/sites.yaml`` funder entry giving ``min_cell`` (default: the funder's own)."""
        return self.threshold or self.id

    def indicator_module(self):
        """The indicator module, checked: ``compute_figures``, ``DEFINITIONS`` (`definitions.declare`).

        It may define ``partitions()`` (`publish.partitions_of`); it defines
        the ``distribution`` function each extreme of ``DEFINITIONS`` names.
        Raises `EspacepError` naming what the module lacks.
        """
        module = importlib.import_module(self.indicators)
        declared = getattr(module, "DEFINITIONS", {}).values()  # and each extreme's distribution function
        wanted = [*INDICATOR_MODULE_NAMES, *(getattr(i, "distribution", "") for i in declared)]
        lacking = [name for name in dict.fromkeys(wanted) if name and not hasattr(module, name)]
        if lacking:
            raise EspacepError(
                f"funder {self.id!r}: the indicator module {self.indicators!r} lacks {', '.join(lacking)} "
                "(see the README, 'Adding a funder')"
            )
        return module

    def section(self, key: str) -> Callable:
        """The page function of section ``key``."""
        for section in self.sections:
            if section.key == key:
                return section.function()
        raise EspacepError(
            f"{self.id}: unknown section {key!r}; expected one of {[s.key for s in self.sections]}"
        )


def resolve(path: str):
    """``"package.module:name"`` -> that object; ``"package.module"`` -> the module."""
    module, _, name = path.partition(":")
    found = importlib.import_module(module)
    return getattr(found, name) if name else found


# --- the funders of the package -----------------------------------------------------------------

_PAGES = "espacep_analysis.pages.sections"
_FROM_ROWS = (
    "Les prévalences comptent des personnes : une personne est positive si au moins un de ses "
    "tests de l'année l'est ; le dénominateur est le nombre de personnes testées."
)
_FROM_INAMI = (
    "Les chiffres médicaux de la région sont ceux du rapport INAMI (même définition : personnes "
    "vues en consultation). Les chiffres déclarés (visites de sites, réunions, ...) ne viennent "
    "pas des exports et sont repris des paramètres de l'année."
)


def _inami_medical(funder: str, region: str) -> tuple[SharedFigure, ...]:
    """``funder``'s medical figures of ``region``: INAMI's region figures (migrant share: its count)."""
    return tuple(
        SharedFigure("inami", f"inami.{name}", f"{funder}.inami.{name}", f"region:{region}")
        for name in ("persons_seen", "consultations", "migrant_share")
    )


def _sections(funder: str, rows: list[tuple]) -> tuple[Section, ...]:
    """Sections from ``(key, number, heading, options)`` rows; the page is ``pages.sections.<funder>_<key>``."""
    return tuple(
        Section(key, number, heading, f"{_PAGES}:{funder}_{key}", **options)
        for key, number, heading, options in rows
    )


INAMI = FunderSpec(
    id="inami",
    title="INAMI",
    scope="inami",
    indicators="espacep_analysis.indicators.inami",
    methods=_FROM_ROWS,
    sections=_sections(
        "inami",
        [
            (
                "contacts",
                "1.1",
                "Nombre de travailleurs du sexe vus et nombre de consultations (critère 1)",
                {"chapter": "1. Les contacts"},
            ),
            ("new_known", "1.2", "Nouveaux contacts / anciens contacts", {}),
            ("workplaces", "1.3", "Lieu de rencontre", {}),
            (
                "age",
                "2.1",
                "Répartition selon l'âge (critère 2)",
                {"chapter": "2. Les données socio-économiques"},
            ),
            ("gender", "2.2", "Répartition selon le sexe (critère 4)", {}),
            ("nationality", "2.3", "Répartition selon la nationalité (critère 3)", {}),
            (
                "gp_gyn",
                "3.1",
                "Médecin traitant et gynécologue (critères 5 et 6)",
                {"chapter": "3. La couverture médico-sociale"},
            ),
            ("coverage", "3.2", "La couverture sociale (critère 7)", {}),
            ("screening", "4.1", "Les analyses des IST (critère 9)", {"chapter": "4. Épidémiologie"}),
            ("cervical", "4.2", "Le dépistage du cancer du col", {}),
            ("vaccination", "5.", "La vaccination", {"level": 2}),
            ("follow_up", "6.", "Le suivi médical et administratif (critères 10 et 11)", {"level": 2}),
        ],
    ),
)

AVIQ = FunderSpec(
    id="aviq",
    title="AViQ",
    scope="aviq",
    indicators="espacep_analysis.indicators.aviq",
    methods=_FROM_INAMI,
    relations=_inami_medical("aviq", "wallonie"),
    declared={
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
        "demands": "Action sociale globale : profil des demandes",
        "social_activities": "Action sociale globale : nouvelles activités collectives",
    },
    sections=_sections(
        "aviq",
        [
            (
                "proximity",
                "Stratégie 1 :",
                "Travail de proximité auprès des personnes prostituées et des exploitants des lieux "
                "de prostitution",
                {
                    "narrative": "proximity",
                    "chapter": "1. Notre Programme de Promotion de la Santé subsidié par l'AViQ",
                },
            ),
            ("internet", "Stratégie 2 :", "Prévention sur internet", {"narrative": "internet"}),
            (
                "tools",
                "Stratégie 3 :",
                "Production d'outils de prévention adaptés en plusieurs langues",
                {"narrative": "tools"},
            ),
            (
                "medical",
                "Stratégie 4 :",
                "Organisation de consultations médicales gratuites délocalisées sur les lieux de "
                "prostitution (subside AVIQ et subside INAMI)",
                {"narrative": "medical"},
            ),
            (
                "violence",
                "Stratégie 5 :",
                "Actions spécifiques de renforcement des capacités du public pour la prévention des "
                "violences",
                {"narrative": "violence"},
            ),
            (
                "harm_reduction",
                "Stratégie 6 :",
                "Actions spécifiques de réduction des risques à l'intention des usagers de drogues "
                "licites/illicites",
                {"narrative": "harm_reduction"},
            ),
            ("clients", "Stratégie 7 :", "Sensibilisation des clients", {"narrative": "clients"}),
            (
                "professionals",
                "Stratégie 8 :",
                "Sensibilisation des professionnels de la santé/action sociale/police",
                {"narrative": "professionals"},
            ),
            (
                "advocacy",
                "Stratégie 9 :",
                "Plaidoyer politique contre la criminalisation du travail du sexe",
                {"narrative": "advocacy"},
            ),
            (
                "evaluation",
                "Stratégie 10 :",
                "Organisation d'ateliers d'évaluation formative",
                {"narrative": "evaluation"},
            ),
            (
                "first_contact",
                "2.1",
                "Lieu de la première rencontre de l'année",
                {"chapter": "2. Notre Programme d'Action Sociale Globale en Wallonie"},
            ),
            ("demands", "2.2", "Profil des demandes", {"narrative": "demands"}),
            (
                "social_activities",
                "2.3",
                "Nouvelles activités collectives",
                {"narrative": "social_activities"},
            ),
        ],
    ),
)

COCOF = FunderSpec(
    id="cocof",
    title="Cocof",
    scope="cocof",
    indicators="espacep_analysis.indicators.cocof",
    methods=_FROM_INAMI,
    relations=_inami_medical("cocof", "bruxelles"),
    declared={
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
    sections=_sections(
        "cocof",
        [
            (
                "proximity",
                "Action 1 :",
                "Travail de proximité auprès des travailleurs du sexe et des exploitants de lieux de "
                "prostitution",
                {
                    "narrative": "proximity",
                    "chapter": "1. Notre Programme de Promotion de la Santé en milieu de prostitution en "
                    "région bruxelloise",
                },
            ),
            ("unplanned", "", "Actions non prévues initialement", {"narrative": "unplanned", "level": 4}),
            ("adjustments", "", "Ajustements envisagés", {"narrative": "adjustments", "level": 4}),
            ("internet", "Action 2 :", "Prévention sur internet", {"narrative": "internet"}),
            (
                "tools",
                "Action 3 :",
                "Production d'outils de prévention adaptés en plusieurs langues",
                {"narrative": "tools"},
            ),
            (
                "medical",
                "Action 4 :",
                "Organisation de consultations médicales gratuites délocalisées sur les lieux de "
                "prostitution",
                {"narrative": "medical"},
            ),
            (
                "violence",
                "Action 5 :",
                "Actions spécifiques de renforcement des capacités pour la prévention des violences",
                {"narrative": "violence"},
            ),
            (
                "harm_reduction",
                "Action 6 :",
                "Actions spécifiques de réduction des risques à l'intention des TDS usagers de drogues "
                "licites/illicites",
                {"narrative": "harm_reduction"},
            ),
            ("clients", "Action 7 :", "Sensibilisation des clients", {"narrative": "clients"}),
            (
                "professionals",
                "Action 8 :",
                "Sensibilisation des professionnels de la santé, de l'action sociale et de la police",
                {"narrative": "professionals"},
            ),
            (
                "social_work",
                "2.",
                "Notre Programme d'Action Sociale Globale à Bruxelles",
                {"narrative": "social_work", "level": 2},
            ),
        ],
    ),
)

BUILTIN: tuple[FunderSpec, ...] = (INAMI, AVIQ, COCOF)


# --- the registry -------------------------------------------------------------------------------


def registered() -> dict[str, FunderSpec]:
    """Every funder, id -> spec: the package's (`BUILTIN`) then those of ``ESPACEP_FUNDERS``, in order.

    Raises
    ------
    EspacepError
        A module of ``ESPACEP_FUNDERS`` that cannot be imported or declares no
        `FunderSpec`, or two funders with the same id.
    """
    found = {spec.id: spec for spec in BUILTIN}
    for entry in _entries():
        for spec in _declared_in(entry):
            if spec.id in found:
                raise EspacepError(f"{ENV}: {entry} declares the funder {spec.id!r} a second time")
            found[spec.id] = spec
    return found


def ids() -> tuple[str, ...]:
    """The funder ids, in registry order (the order of the index and of the batch's jobs)."""
    return tuple(registered())


def get(funder: str) -> FunderSpec:
    """The spec of ``funder``; an `EspacepError` naming the known funders when there is none."""
    every = registered()
    if funder not in every:
        raise EspacepError(f"financeur inconnu {funder!r} ; attendus parmi {list(every)}")
    return every[funder]


def title(funder: str) -> str:
    """The printed name of ``funder`` (``"AViQ"``); an unknown code is printed as it is."""
    spec = registered().get(funder)
    return spec.title if spec else funder


def code_digest() -> str:
    """sha256 of the ids and of the sources of the funders declared outside the package (cache keys)."""
    digest = hashlib.sha256()
    for spec in registered().values():
        digest.update(spec.id.encode())
        if spec.origin:
            digest.update(_source(spec.origin))
    return digest.hexdigest()


def _entries() -> list[str]:
    """The module names or ``.py`` paths listed in ``ESPACEP_FUNDERS``."""
    return [part.strip() for part in os.environ.get(ENV, "").split(",") if part.strip()]


def _declared_in(entry: str) -> list[FunderSpec]:
    """The specs module ``entry`` declares (``FUNDER`` or ``FUNDERS``), each tagged with its origin."""
    module = _import(entry)
    specs = list(getattr(module, "FUNDERS", [])) + ([module.FUNDER] if hasattr(module, "FUNDER") else [])
    if not specs or not all(isinstance(spec, FunderSpec) for spec in specs):
        raise EspacepError(f"{ENV}: {entry} defines no FUNDER (a funders.FunderSpec) nor FUNDERS")
    origin = getattr(module, "__file__", "") or ""
    return [FunderSpec(**{**spec.__dict__, "origin": origin}) for spec in specs]


def _import(entry: str):
    """Import a module by name, or a ``.py`` file by path (registered in ``sys.modules`` by its stem)."""
    import sys

    if not entry.endswith(".py"):
        try:
            return importlib.import_module(entry)
        except ImportError as error:
            raise EspacepError(f"{ENV}: cannot import {entry!r}: {error}") from None
    path = Path(entry).expanduser().resolve()
    name = path.stem
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return sys.modules[name]
    if not path.is_file():
        raise EspacepError(f"{ENV}: {entry}: file not found")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise EspacepError(f"{ENV}: {entry}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _source(path: str) -> bytes:
    """The bytes of the file at ``path`` (empty when it cannot be read)."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""
