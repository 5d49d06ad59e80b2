"""The registry of output formats: every document a report is rendered to, by name.

A format is a `Renderer`: the suffix and file name of its product, the function
that writes it from a rendered job (`RenderJob`), and the function that reads
its text back for the identifier audit. Everything that lists formats derives
from this registry, so a new format cannot escape any of them:

- the batch's products, their order of rendering and its up-to-date stamps
  (`products`, `render_all`);
- the links of ``outputs/index.html`` (`links`);
- the file types the identifier audit scans, and how it reads their text
  (`suffixes`, `text_reader`).

Register a format in `_builtins` (or from a module listed in `FORMAT_MODULES`)::

    register("xlsx", Renderer(".xlsx", "figures.xlsx", lazy(mod, "write_xlsx"), lazy(mod, "xlsx_text"), "Excel"))

``write_xlsx(job: RenderJob) -> Path`` writes ``job.work / "figures.xlsx"`` (it
may read the products of the formats registered before it, e.g.
``job.work / "figures.csv"``) and ``xlsx_text(path) -> str`` returns every
string and number of the file, for the audit. Formats render in the order they
were registered: ``pdf`` reads ``report.html``, so it comes after ``html``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import EspacepError


@dataclass(frozen=True)
class RenderJob:
    """What a renderer renders from: one executed report notebook and its title-page facts.

    Parameters
    ----------
    executed : Path
        The executed notebook (papermill; its metadata holds the provenance).
    work : Path
        The report's working directory: every product is written there
        (``figures.csv`` and ``provenance.json`` are already there).
    title : str
        The report's title (title page, ``<title>``, document properties).
    funder : str
        Funder code (``inami``, ...).
    year : int
    lang : str
        Babel locale of the numbers (``fr_BE``, ...).
    """

    executed: Path
    work: Path
    title: str
    funder: str
    year: int
    lang: str


@dataclass(frozen=True)
class Renderer:
    """One output format.

    Parameters
    ----------
    suffix : str
        The product's suffix (``".docx"``): the audit scans every file with it.
    product_name : str
        The product's file name in the report's folder (``"report.docx"``).
    render_fn : callable
        ``render_fn(job: RenderJob) -> Path``: writes ``job.work / product_name`` (atomically).
    text_fn : callable
        ``text_fn(path) -> str``: the document's text (every string a reader
        can see, metadata included), scanned by the identifier audit.
    label : str
        The link text in ``outputs/index.html`` (default: the suffix in capitals).
    reads_png : bool
        Whether ``render_fn`` reads the charts' PNG (``image/png``) from the executed notebook
        (default True). The batch's notebooks draw that PNG only when a format of the report
        reads it (`plots.PNG_ENV`).
    """

    suffix: str
    product_name: str
    render_fn: Callable[[RenderJob], Path]
    text_fn: Callable[[Path], str]
    label: str = ""
    reads_png: bool = True

    @property
    def link_text(self) -> str:
        return self.label or self.suffix.lstrip(".").upper()


_REGISTRY: dict[str, Renderer] = {}
# Modules that register more formats when imported (besides the built-in ones of `_builtins`).
FORMAT_MODULES: list[str] = []
_loaded = False


def register(name: str, renderer: Renderer) -> Renderer:
    """Register (or replace) the format ``name``; returns ``renderer``."""
    if not renderer.suffix.startswith(".") or renderer.suffix != renderer.suffix.lower():
        raise EspacepError(
            f"renderer {name!r}: suffix must be lower case with a dot, got {renderer.suffix!r}"
        )
    if not callable(renderer.render_fn) or not callable(renderer.text_fn):
        raise EspacepError(f"renderer {name!r}: render_fn and text_fn must be callables")
    _REGISTRY[name] = renderer
    return renderer


def lazy(module: str, function: str) -> Callable:
    """``module.function``, imported at the first call: listing formats imports no renderer (no pandas).

    The batch checks its stamps before any heavy import (see ``tests/test_batch.py``), and the
    check lists the formats' products: register with ``lazy`` rather than a function object.
    """

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), function)(*args, **kwargs)

    call.__qualname__ = f"{module}.{function}"
    return call


def _builtins() -> None:
    """The built-in formats, in rendering order: ``html``, then ``pdf`` (printed from it), ``docx``, ``xlsx``."""
    html, docx = "espacep_analysis.render", "espacep_analysis.docx_report"
    register(
        "html",
        Renderer(".html", "report.html", lazy(html, "render_html"), lazy(html, "html_text"), "HTML", False),
    )
    register(
        "pdf", Renderer(".pdf", "report.pdf", lazy(html, "render_pdf"), lazy(html, "pdf_text"), "PDF", False)
    )
    register("docx", Renderer(".docx", "report.docx", lazy(docx, "render"), lazy(docx, "docx_text"), "Word"))
    xlsx, audit_files = "espacep_analysis.xlsx_report", "espacep_analysis.audit_files"
    register(
        "xlsx",
        Renderer(
            ".xlsx", "figures.xlsx", lazy(xlsx, "render"), lazy(audit_files, "xlsx_text"), "Excel", False
        ),
    )


def _load() -> None:
    """Register the built-in formats and import the modules that register more (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    _builtins()
    for module in FORMAT_MODULES:
        importlib.import_module(module)


def names() -> list[str]:
    """The registered format names, in registration (= rendering) order."""
    _load()
    return list(_REGISTRY)


def get(name: str) -> Renderer:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise EspacepError(f"unknown format {name!r}; known: {', '.join(_REGISTRY)}") from None


def selected(formats: Iterable[str] | None = None) -> list[str]:
    """``formats`` checked and put in rendering order (None: every registered format)."""
    known = names()
    if formats is None:
        return known
    wanted = list(dict.fromkeys(formats))
    for name in wanted:
        get(name)
    return [name for name in known if name in wanted]


def requested(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats someone asked for (``--formats``, a funder's ``formats:``), checked and in rendering order;
    ``pdf`` brings ``html``, from which the PDF is printed."""
    wanted = list(formats)
    if "pdf" in wanted and "html" not in wanted:
        wanted.append("html")
    return tuple(selected(wanted))


def products(formats: Iterable[str] | None = None) -> list[str]:
    """The product file names of ``formats`` (None: all), in rendering order."""
    return [get(name).product_name for name in selected(formats)]


def links(formats: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """``(product_name, link text)`` of ``formats`` (None: all), for ``outputs/index.html``."""
    return [(get(name).product_name, get(name).link_text) for name in selected(formats)]


def suffixes() -> tuple[str, ...]:
    """The suffixes of every registered format (the audit scans them all)."""
    return tuple(dict.fromkeys(get(name).suffix for name in names()))


def text_reader(suffix: str) -> Callable[[Path], str] | None:
    """The ``text_fn`` of the format with ``suffix`` (None when no format has it)."""
    for name in names():
        if _REGISTRY[name].suffix == suffix.lower():
            return _REGISTRY[name].text_fn
    return None


def render_all(job: RenderJob, formats: Iterable[str] | None = None, begin: Callable | None = None) -> None:
    """Render ``job`` in every format of ``formats`` (None: all), in order; ``begin(name)`` announces each."""
    for name in selected(formats):
        if begin is not None:
            begin(name)
        get(name).render_fn(job)
