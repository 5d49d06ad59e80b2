"""The package's layering: data flow one way, checked on the import statements (AST, no import run).

Layers, lowest first: the base (errors, settings, codes, the funder registry,
statistics, formatting, ...), ``load``, ``indicators``, ``disclosure``,
``pages``, the renderers (HTML/PDF, index, audit, notebooks), then ``batch`` and
``cli``. A module imports only modules of its own layer or below (imports under
``if TYPE_CHECKING:`` are type hints, not imports, and are skipped). ``stats``
is a leaf; ``synthetic`` (the example data generator) is imported by nothing in
the pipeline, only by the command line's ``synthetic`` command; a shared
indicator or page module imports no funder's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "espacep_analysis"
ROOT = "espacep_analysis"
LAYERS = [
    (
        "base",
        "espacep_analysis errors files units codes config settings sites dataset schemas origins banners "
        "markup fmt plots stats funders stamps lifecycle audit_files provenance renderers spreadsheet "
        "definitions document blocks_html books years",
    ),
    ("load", "load rejections"),
    ("indicators", "indicators declared"),
    ("disclosure", "disclosure publish"),
    ("pages", "pages"),
    ("renderers", "render index audit notebooks docx_report xlsx_report"),
    ("entry points", "batch cli clitext api"),
]
# An import of a higher layer allowed on purpose, with why.
ALLOWED = {
    # the indicator modules declare their partitions with disclosure's plain data types
    ("indicators", "disclosure"): {"Partition", "Denominator", "Relation"},
}
SHARED = {
    "indicators.common",
    "indicators.outreach",
    "indicators.comparisons",
    "pages.common",
    "pages.outreach",
}
FUNDER_MODULES = {f"{kind}.{f}" for kind in ("indicators", "pages") for f in ("inami", "aviq", "cocof")}


def _name(path: Path) -> str:
    parts = [ROOT, *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(test)


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module imported, names taken from it) of every import in ``path``, outside TYPE_CHECKING blocks."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    stack = [ast.parse(path.read_text(encoding="utf-8"))]
    while stack:
        node = stack.pop()
        if _type_checking(node):
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            for alias in node.names:  # `from . import x`: x may be a module
                sub = f"{base}.{alias.name}"
                is_module = (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").is_file() or (
                    PACKAGE.parent / sub.replace(".", "/")
                ).is_dir()
                found.append((sub, set()) if is_module else (base, {alias.name}))
    return [(m, names) for m, names in found if m == ROOT or m.startswith(ROOT + ".")]


def _short(module: str) -> str:
    return module.removeprefix(ROOT + ".") if module != ROOT else ROOT


def _layer(module: str) -> int:
    short = _short(module)
    for rank, (_, members) in enumerate(LAYERS):
        for member in members.split():
            if short == member or short.startswith(member + "."):
                return rank
    raise AssertionError(f"{module}: in no layer of tests/test_layering.py")


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "synthetic" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _short(_name(p)))
def test_module_imports_only_its_layer_or_below(path):
    here = _name(path)
    problems = []
    for module, names in _imports(path):
        if _short(module).startswith("synthetic"):
            if _short(here) != "cli":
                problems.append(f"imports {module} (the synthetic generator)")
            continue
        low, high = _layer(here), _layer(module)
        allowed = ALLOWED.get((LAYERS[low][0], LAYERS[high][0]), set())
        if high > low and not (names and names <= allowed):
            problems.append(f"{LAYERS[low][0]} imports {LAYERS[high][0]}: {module} {sorted(names) or ''}")
        if _short(here) in SHARED and _short(module) in FUNDER_MODULES:
            problems.append(f"shared module imports the funder module {module}")
    assert not problems, f"{here}: " + "; ".join(problems)


def test_stats_is_a_leaf():
    imported = {m for m, _ in _imports(PACKAGE / "stats.py")}
    assert imported <= {f"{ROOT}.errors"}, imported


def test_no_import_cycle_between_modules():
    graph = {_name(p): {m for m, _ in _imports(p) if m != _name(p)} for p in PACKAGE.rglob("*.py")}
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError(" -> ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if not (node.startswith(nxt + ".") or nxt == ROOT):  # a package's own __init__, the root
                visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
