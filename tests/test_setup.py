"""Tests of the project set-up: dependency lists agree, notebooks are committed clean,
git ignores what must never be committed, the README opens with the two commands,
and the Makefile / CI entry point are wired as documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook, new_output
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
NOT_PACKAGES = {"python", "pip"}  # conda entries that are the interpreter / installer, not dependencies


def _pyproject_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    out = {}
    for text in requirements:
        req = Requirement(text)
        out[canonicalize_name(req.name)] = req.specifier
    return out


def _conda_requirements() -> tuple[dict[str, SpecifierSet], SpecifierSet]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    assert env["channels"] == ["conda-forge"]
    out, python = {}, None
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the pip: section installs the project itself
            assert entry == {"pip": ["-e ."]}
            continue
        name, _, spec = entry.partition(" ")
        spec = SpecifierSet(spec.replace(" ", ""))
        if name == "python":
            python = spec
        elif name not in NOT_PACKAGES:
            out[canonicalize_name(name)] = spec
    return out, python


def test_environment_yml_matches_pyproject():
    pip_side = _pyproject_requirements()
    conda_side, python = _conda_requirements()
    assert sorted(conda_side) == sorted(pip_side)
    for name, spec in pip_side.items():
        assert conda_side[name] == spec, f"{name}: pyproject {spec} vs environment.yml {conda_side[name]}"
    requires_python = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "requires-python"
    ]
    assert python == SpecifierSet(requires_python) == SpecifierSet(">=3.11")


def test_every_dependency_has_a_bounded_range():
    for name, spec in _pyproject_requirements().items():
        operators = {s.operator for s in spec}
        assert ">=" in operators and "<" in operators, f"{name} {spec}: pin a range, >=low,<high"


def _notebook_problems(path: Path) -> list[str]:
    """Why a notebook is not committable: outputs or execution counts left in it."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path.name}: cell {i} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path.name}: cell {i} has an execution count")
    return problems


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    problems = [p for nb in notebooks for p in _notebook_problems(nb)]
    assert problems == [], "clear the outputs (Jupyter: Edit > Clear Outputs of All Cells):\n" + "\n".join(
        problems
    )


def test_notebook_check_detects_outputs_and_counts(tmp_path):
    clean = new_notebook(cells=[new_code_cell("x = 1")])
    dirty = new_notebook(
        cells=[
            new_code_cell("x = 1"),
            new_code_cell(
                "x",
                execution_count=3,
                outputs=[new_output("execute_result", {"text/plain": "1"}, execution_count=3)],
            ),
        ]
    )
    nbformat.write(clean, tmp_path / "clean.ipynb")
    nbformat.write(dirty, tmp_path / "dirty.ipynb")
    assert _notebook_problems(tmp_path / "clean.ipynb") == []
    assert _notebook_problems(tmp_path / "dirty.ipynb") == [
        "dirty.ipynb: cell 1 has outputs",
        "dirty.ipynb: cell 1 has an execution count",
    ]


def _git_ignored(paths: list[str]) -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(paths),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return set(result.stdout.split())


def test_gitignore_keeps_real_data_and_outputs_out_of_git():
    must_ignore = [
        "data/raw/persons.csv",
        "data/raw/2019/export.xlsx",
        "outputs/2019/inami/report.pdf",
        "outputs/index.html",
        "rejections.csv",
        ".venv/bin/python",
        # a report's products written outside outputs/ (a notebook run with output_dir=".")
        "figures.csv",
        "figures-excel.csv",
        "provenance.json",
        "notebooks/report.pdf",
    ]
    must_keep = [
        "data/synthetic/persons.csv",
        "data/README.md",
        "outputs/.gitkeep",
        "notebooks/inami.ipynb",
        "params/sites.yaml",
    ]
    ignored = _git_ignored(must_ignore + must_keep)
    assert ignored == set(must_ignore)


def test_no_report_product_is_tracked():
    # a benchmark wrote figures.csv, figures-excel.csv and provenance.json at the project root, and
    # they were committed: no file a report produces may be tracked, wherever it is
    products = {"figures.csv", "figures-excel.csv", "figures.xlsx", "provenance.json", "report.ipynb"}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    names = [Path(p) for p in tracked.stdout.splitlines()]
    assert [p for p in names if p.name in products or p.suffix in {".pdf", ".docx", ".xlsx"}] == []


def _readme_commands() -> list[str]:
    """Command lines of the README's fenced shell blocks, in order."""
    text = (ROOT / "README.md").read_text("utf-8")
    commands = []
    for block in re.findall(r"^```(?:sh|bash|shell|console)?\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_readme_opens_with_make_report_and_make_test():
    text = (ROOT / "README.md").read_text("utf-8")
    first_block = re.search(r"^```(?:sh|bash|shell|console)?\n(.*?)^```", text, flags=re.M | re.S)
    assert first_block is not None
    before = text[: first_block.start()]
    assert [ln for ln in before.splitlines() if ln.strip() and not ln.startswith("#")] == []  # only the title
    assert [ln.strip() for ln in first_block.group(1).splitlines() if ln.strip()] == [
        "make report",
        "make test",
    ]
    assert _readme_commands()[:2] == ["make report", "make test"]


def test_ci_runs_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "make test"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_makefile_targets_dry_run(tmp_path):
    """`make -n` on a copy without .venv: what report and test would run, in order."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)

    def dry(target: str) -> str:
        result = subprocess.run(
            ["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    report, test = dry("report"), dry("test")
    assert (
        report.index("-m venv .venv") < report.index("pip install") < report.index(".venv/bin/espacep report")
    )
    assert "pip install --disable-pip-version-check -e ." in report and "[test]" not in report
    assert test.index("-m venv .venv") < test.index("-e '.[test]'") < test.index(".venv/bin/pytest")
    for out in (report, test):
        assert "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core" in out
        assert "apt-get install -y" in out and "dpkg -s" in out
    clean = dry("clean")
    assert "rm -rf .venv" in clean and "data" not in clean
