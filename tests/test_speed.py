"""Issue 15: the work the package's processes avoid (no timings here: see benchmarks/)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent


def _in_fresh_python(code: str) -> dict:
    """Run ``code`` (which prints one JSON value) in a new interpreter of this venv; return the value."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)


def test_reading_a_notebook_does_not_build_the_iri_grammar():
    """jsonschema imports rfc3987_syntax (a Lark grammar, ~1 s of CPU) unless the package keeps it out."""
    found = _in_fresh_python(
        "import json, sys; import espacep_analysis, nbformat, jsonschema._format as f; "
        "print(json.dumps([sys.modules.get('rfc3987_syntax') is not None, hasattr(f, 'is_iri')]))"
    )
    try:
        importlib.metadata.distribution("rfc3987-syntax")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("rfc3987_syntax is not installed: nothing to keep out")
    assert found == [False, False]


@pytest.mark.parametrize("name", ["inami", "aviq", "cocof"])
def test_notebooks_still_validate_without_it(name):
    """nbformat's schemas use no "iri" format: validation still accepts a notebook and refuses a broken one."""
    import espacep_analysis  # noqa: F401  (the package's import keeps rfc3987_syntax out)

    nb = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    nb.cells[0]["cell_type"] = "no such type"
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nb)
