"""Where a run reads its inputs and writes its outputs: one `Settings` object.

Every command takes ``--data``, ``--params`` and (``report``) ``--output`` and
``--cache``; the batch passes the same directories to each notebook as
parameters (``data_dir``, ``params_dir``, ``output_dir``, ``cache_dir``) and the
notebook hands them to the library (`pages.build_report`), which makes the
params directory the active one (`activate`) for the loaders of
``sites.yaml``, ``origins.yaml`` and ``<year>/<funder>.yaml``.

Defaults come from the *project* of the working directory: the nearest
directory, from the working directory upwards, holding ``params/sites.yaml``
(`find_project`). Nothing locates configuration through the package's own
file path, so an installed package works from any directory given ``--data``
and ``--params``. Relative directories given to a notebook resolve against
that project (or the folder holding an absolute ``params_dir``), not against
the working directory, so a notebook runs the same from the repository root
and from ``notebooks/``.

``params/targets.yaml`` (the calibration targets of the synthetic generator)
is not an input of any report: it is left out of the params digests
(`runtime_params_files`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, EspacepError

PARAMS = "params"
PROJECT_MARKER = Path(PARAMS) / "sites.yaml"
DATA_DEFAULT = Path("data") / "synthetic"  # the embedded synthetic data set, relative to the project
OUTPUT_DEFAULT = "outputs"
SCRATCH = "scratch"  # hand-run notebooks write here (outside the published outputs/)
CACHE = ".cache"
# Inputs of the synthetic generator only, never of a report: not hashed into provenance, cache key or stamp.
NOT_RUNTIME_PARAMS = frozenset({"targets.yaml"})

_ACTIVE: dict[str, Path] = {}


class NoProject(EspacepError):
    """No project (a directory with ``params/sites.yaml``) above the working directory."""


@dataclass(frozen=True)
class Settings:
    """The directories of one run (absolute once `resolved`).

    ``output_dir`` is where a notebook writes ``figures.csv`` and
    ``provenance.json`` (the batch: its private working directory; by hand:
    ``scratch/<year>/<funder>`` of the project); ``cache_dir`` holds the
    disclosure cache.
    """

    data_dir: Path
    params_dir: Path
    output_dir: Path
    cache_dir: Path

    def resolved(self) -> Settings:
        """The same settings with absolute paths."""
        return Settings(
            *(Path(p).resolve() for p in (self.data_dir, self.params_dir, self.output_dir, self.cache_dir))
        )


def find_project(start: str | Path | None = None) -> Path | None:
    """The nearest directory from ``start`` (default: the working directory) upwards holding ``params/sites.yaml``."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return None


def project_root(start: str | Path | None = None) -> Path:
    """`find_project`, or `NoProject` naming the options to give instead."""
    root = find_project(start)
    if root is None:
        raise NoProject(
            f"no project found: neither {Path(start or os.getcwd()).resolve()} nor a parent "
            f"holds {PROJECT_MARKER.as_posix()}; give --data and --params (notebooks: "
            "data_dir and params_dir)"
        )
    return root


def default_params_dir() -> Path:
    """``params/`` of the working directory's project: the one default of the params directory."""
    return project_root() / PARAMS


def in_project(path: str | Path, start: str | Path | None = None) -> Path:
    """``path`` when absolute; otherwise ``path`` under the project of ``start`` (not the working directory)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root(start) / path


def activate(params_dir: str | Path) -> Path:
    """Make ``params_dir`` the params directory of this process (what `params_dir` returns).

    Raises `EspacepError` when it is not a directory holding ``sites.yaml``.
    """
    path = Path(params_dir).resolve()
    if not (path / "sites.yaml").is_file():
        raise ConfigError(f"--params : {params_dir} n'est pas un dossier de paramètres (pas de sites.yaml)")
    _ACTIVE["params"] = path
    return path


def params_dir() -> Path:
    """The active params directory (`activate`), else `default_params_dir`."""
    return _ACTIVE.get("params") or default_params_dir()


def params_file(name: str) -> Path:
    """``name`` (``sites.yaml``, ``origins.yaml``, ...) in the active params directory."""
    return params_dir() / name


def runtime_params_files(root: str | Path) -> list[Path]:
    """The YAML files under ``root`` a report reads: every one but `NOT_RUNTIME_PARAMS`, sorted."""
    root = Path(root)
    return sorted(
        p
        for p in root.rglob("*.yaml")
        if p.is_file() and p.relative_to(root).as_posix() not in NOT_RUNTIME_PARAMS
    )


def for_notebook(
    funder: str,
    year: int,
    data_dir: str = "",
    params_dir: str = "",
    output_dir: str = "",
    cache_dir: str = "",
) -> Settings:
    """The settings of a notebook run from its parameters (empty: the project's defaults), activated.

    The project is the folder holding an absolute ``params_dir``, else the
    working directory's project (`project_root`); relative paths resolve
    against it, never against the working directory. Defaults:
    ``data/synthetic``, ``params``, ``scratch/<year>/<funder>`` and
    ``scratch/.cache`` of the project: a hand run never writes into
    ``outputs/``, which the batch owns.
    """
    given = Path(params_dir).expanduser() if params_dir else None
    root = given.parent if given is not None and given.is_absolute() else project_root()
    scratch = Path(SCRATCH)
    chosen = Settings(
        data_dir=root / Path(data_dir or DATA_DEFAULT).expanduser(),
        params_dir=root / (given or PARAMS),
        output_dir=root / Path(output_dir or scratch / str(int(year)) / funder).expanduser(),
        cache_dir=root / Path(cache_dir or scratch / CACHE).expanduser(),
    ).resolved()
    activate(chosen.params_dir)
    return chosen
