"""Provenance of a rendered report: what went in, with which code and settings.

The same record is shown at the end of every report, stored in the executed
notebook's metadata and written beside ``figures.csv`` as ``provenance.json``.
It holds no path and no record: file names, their sha256, parameters, versions.
The render time honours ``SOURCE_DATE_EPOCH`` so that identical inputs give
identical outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from . import __version__

REPO_ROOT = Path(__file__).resolve().parent.parent


def render_time(environ: Mapping[str, str] | None = None) -> str:
    """ISO 8601 UTC time of the render: ``SOURCE_DATE_EPOCH`` when set, else now (to the second)."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    else:
        moment = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def git_state(repo: Path = REPO_ROOT) -> dict:
    """``{"commit": sha or None, "dirty": bool or None}`` of the code that rendered the report.

    ``dirty`` ignores files git ignores (``outputs/``, ``data/raw/``), so rendering
    does not make the tree dirty.
    """

    def run(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    status = run("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit.strip() if commit else None,
        "dirty": None if status is None else bool(status.strip()),
    }


def collect(
    funder: str,
    year: int,
    sources: dict[str, str],
    parameters: dict,
    left_out: dict[str, dict[str, int]] | None = None,
) -> dict:
    """The provenance record of one report.

    Parameters
    ----------
    funder, year : the report.
    sources : file name -> sha256 of every input file read (``Dataset.sources``).
    parameters : the notebook's parameters (paths are reduced to their last component).
    left_out : with ``--accept-rejections``, ``{file: {"read": n, "left_out": k}}`` of
        the files whose rejected rows were left out (recorded as ``rows_left_out``).
    """
    shown = {k: (Path(v).name if k.endswith("_dir") and v else v) for k, v in sorted(parameters.items())}
    record = {
        "funder": funder,
        "year": int(year),
        "inputs": dict(sorted(sources.items())),
        "parameters": shown,
        "package": {"name": "espacep-analysis", "version": __version__},
        "git": git_state(),
        "rendered_at": render_time(),
    }
    if left_out is not None:
        record["rows_left_out"] = dict(left_out)
    return record


def to_json(record: dict) -> str:
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_markdown(record: dict) -> str:
    """The provenance block printed at the end of a report (French)."""
    git = record["git"]
    commit = git["commit"][:12] if git["commit"] else "inconnu"
    dirty = {True: " (arbre modifié, non validé)", False: "", None: ""}[git["dirty"]]
    params = ", ".join(f"{k} = {v}" for k, v in record["parameters"].items())
    lines = [
        f"- Paramètres : {params}",
        f"- Code : espacep-analysis {record['package']['version']}, commit {commit}{dirty}",
        f"- Rendu : {record['rendered_at']}",
        "- Fichiers d'entrée (sha256) :",
    ]
    lines += [f"    - `{name}` : `{digest}`" for name, digest in record["inputs"].items()]
    if "rows_left_out" in record:
        shown = (
            "; ".join(
                f"`{name}` : {c['left_out']} sur {c['read']}" for name, c in record["rows_left_out"].items()
            )
            or "aucune"
        )
        lines.append(f"- Lignes rejetées laissées de côté (--accept-rejections) : {shown}")
    return "\n".join(lines)
