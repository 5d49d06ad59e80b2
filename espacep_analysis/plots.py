"""Charts for the reports (seaborn style, French labels, deterministic output).

Every function returns a `matplotlib.figure.Figure` drawn on its own Agg canvas:
pyplot and the global backend are never touched, so the functions work the
same in a script, in a papermill kernel and in JupyterLab, and nothing happens
at import. In a notebook, show a chart with `show` (it embeds an SVG, and a PNG for
the Word document, both with fixed metadata, so the executed notebook and the HTML are byte-identical from run to
run); save one with `save`.

Charts are vector graphics (SVG, glyphs drawn as paths: the same DejaVu Sans in the HTML, the
PDF and any browser) in the colour-blind-safe palette of Okabe and Ito (`PALETTE`); a province
or an antenna has the same colour in every report (`place_colours`, from the order of
``params/sites.yaml``).

Axis texts come from `fmt`, so percentages read ``"10 %"`` and decimals use a
comma, like the tables.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import fmt
from .errors import EspacepError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

DPI = 150
# "1" in the environment: `show` adds the chart's PNG (set by the batch's kernel for a report one of
# whose formats reads it, Word: `renderers.Renderer.reads_png`); unset or anything else: the SVG
# alone, which JupyterLab, the HTML and the PDF show (a hand run draws no image nobody reads)
PNG_ENV = "ESPACEP_CHART_PNG"
# The fonts of the report's text (``report.css``, ``html { font-family }``), in its order.
# DejaVu Sans ships with matplotlib and with WeasyPrint's set-up (fonts-dejavu-core), so the charts
# are laid out with it everywhere; a browser without it falls back like the text around them.
FONT_FAMILIES = ("DejaVu Sans", "Helvetica Neue", "Arial")
# One look for every chart: seaborn's "whitegrid" style and "notebook" context,
# plus the few settings that make output independent of the machine.
_RC: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": list(FONT_FAMILIES),
    "svg.hashsalt": "espacep",  # deterministic ids in SVG output
    # Text as <text>, not a path per glyph: the PDF draws it with the report's own font (selectable,
    # searchable) and WeasyPrint no longer parses a glyph outline at every use (issue 15:
    # a quarter less CPU per PDF). Each text carries FONT_FAMILIES, then "sans-serif".
    "svg.fonttype": "none",
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
}
# Chart texts are French, as the whole document: ``lang`` selects the number formats only
# (see `render.DOCUMENT_LANG`).
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Blue first: the colour of single-series charts.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAIN_COLOUR = PALETTE[0]
_TEXTS = {
    "prevalence": "Prévalence (IC 95 %)",
    "age": "Âge (années)",
    "persons": "Nombre de personnes",
    "share": "Part des personnes",
    "mean": "moyenne",
}


def _texts(lang: str) -> dict[str, str]:
    """The chart texts (French for every ``lang``; an unknown ``lang`` is refused)."""
    fmt.normalize_lang(lang)
    return _TEXTS


def _new_figure(width: float, height: float):
    """A Figure on its own Agg canvas (no pyplot, no global backend change)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style():
    """Context manager applying the charts' fixed seaborn style."""
    import contextlib

    import matplotlib as mpl
    import seaborn as sns

    stack = contextlib.ExitStack()
    stack.enter_context(mpl.rc_context())
    stack.enter_context(sns.axes_style("whitegrid"))
    stack.enter_context(sns.plotting_context("notebook", font_scale=0.9))
    stack.enter_context(mpl.rc_context(_RC))
    return stack


def _tick_decimals(ticks) -> int:
    """Decimals a percentage tick label needs for the step between ``ticks`` (proportions)."""
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    return max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step > 0 else 0


def _percent_formatter(axis, lang: str):
    """Tick labels as percentages, with as many decimals as the tick step needs.

    Matplotlib labels the ticks through ``format_ticks(locs)``, with ``locs`` the axis's
    major tick locations: the decimals are computed once from them there, instead of asking
    the locator again for every label (a third of a chart's drawing time). A label asked
    for alone (``formatter(x)``) still reads the axis's ticks.
    """
    from matplotlib.ticker import Formatter

    class PercentTicks(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return fmt.percent(x, _tick_decimals(axis.get_majorticklocs()), lang)

        def format_ticks(self, values) -> list[str]:
            self.set_locs(values)
            decimals = _tick_decimals(values)
            return [fmt.percent(x, decimals, lang) for x in values]

    return PercentTicks()


def _attach(fig, kind: str, data: pd.DataFrame | None, title: str | None):
    """Keep on ``fig`` what `document.Chart` needs: the kind of chart, its data (``label``, ``text``,
    ``value``, optionally ``group``) and its title; returns ``fig``."""
    fig.espacep_chart = {"kind": kind, "data": data, "title": title or ""}
    return fig


def _texts_of(figures: pd.DataFrame, formatted: Sequence[str]) -> list[str]:
    """The printed value of each row: its mask (``mask_label``, e.g. ``"< 5"``) when masked, else ``formatted``."""
    if "mask_label" not in figures.columns:
        return list(formatted)
    masks = figures["mask_label"].tolist()
    return [str(m) if isinstance(m, str) and m else t for m, t in zip(masks, formatted)]


def _check_columns(figures: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in figures.columns]
    if missing:
        raise EspacepError(f"{what}: the figures lack column(s) {missing}")
    labels = list(figures["label"])
    if len(set(labels)) != len(labels):
        raise EspacepError(f"{what}: duplicate labels {sorted({x for x in labels if labels.count(x) > 1})}")


def prevalence_ci(figures: pd.DataFrame, title: str | None = None, lang: str = fmt.DEFAULT_LANG):
    """Point estimate and confidence interval per test, one row per figure.

    Parameters
    ----------
    figures : DataFrame
        Figures rows with ``label``, ``value``, ``lower``, ``upper``
        (proportions in [0, 1]), top to bottom in the order given. Rows with a
        missing value keep their label and draw nothing.
    title : str, optional
    lang : str

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its first container is the `ErrorbarContainer` whose bars
        span exactly [lower, upper] of each row.
    """
    _check_columns(figures, ("label", "value", "lower", "upper"), "prevalence_ci")
    texts = _texts(lang)
    value = figures["value"].to_numpy(dtype=float)
    lower = figures["lower"].to_numpy(dtype=float)
    upper = figures["upper"].to_numpy(dtype=float)
    y = np.arange(len(figures), dtype=float)
    xerr = np.nan_to_num(np.vstack([value - lower, upper - value]), nan=0.0)
    with _style():
        fig = _new_figure(7.0, 0.5 * len(figures) + 1.2)
        ax = fig.add_subplot()
        ax.errorbar(value, y, xerr=xerr, fmt="o", color=MAIN_COLOUR, capsize=4, markersize=6)
        # a masked row draws no point but prints its mask ("x"), as the table does
        labels = _texts_of(figures, [fmt.percent(v, 1, lang) if not np.isnan(v) else "" for v in value])
        for yi, v, hi, label in zip(y, value, upper, labels):
            if label:
                x_text = 0.0 if np.isnan(v) else v if np.isnan(hi) else hi
                ax.annotate(
                    label,
                    (x_text, yi),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                )
        ax.set_yticks(y, [str(s) for s in figures["label"]])
        ax.set_ylim(len(figures) - 0.5, -0.5)
        top = np.nanmax(np.concatenate([upper, value, [0.01]]))
        ax.set_xlim(0, top * 1.25)
        ax.xaxis.set_major_formatter(_percent_formatter(ax.xaxis, lang))
        ax.set_xlabel(texts["prevalence"])
        if title:
            ax.set_title(title)
    shown = [
        f"{fmt.percent(v, 1, lang)} (IC {fmt.ci(lo, hi, 1, lang)})" if not np.isnan(v) else fmt.MISSING
        for v, lo, hi in zip(value, lower, upper)
    ]
    data = pd.DataFrame({"label": figures["label"].astype(str).tolist(), "value": value})
    return _attach(
        fig, "Points avec intervalles de confiance", data.assign(text=_texts_of(figures, shown)), title
    )


def age_histogram(
    ages: Sequence[float], title: str | None = None, binwidth: int = 5, lang: str = fmt.DEFAULT_LANG
):
    """Histogram of ages with bins ``[a, a + binwidth)`` starting at a multiple of ``binwidth``.

    Parameters
    ----------
    ages : sequence of numbers
        One age per person (missing values are dropped).
    title : str, optional
    binwidth : int
    lang : str

    Returns
    -------
    matplotlib.figure.Figure
        Bars (``ax.patches``) in bin order, heights = counts; a dashed line at the mean.
    """
    a = pd.to_numeric(pd.Series(ages, dtype="float64"), errors="coerce").dropna().to_numpy()
    if a.size == 0:
        raise EspacepError("age_histogram: no ages to plot")
    edges = np.arange(math.floor(a.min() / binwidth) * binwidth, a.max() + binwidth + 1e-9, binwidth)
    if edges[-1] <= a.max():  # the last bin is half-open too: make sure it holds the maximum
        edges = np.append(edges, edges[-1] + binwidth)
    texts = _texts(lang)
    with _style():
        import seaborn as sns

        fig = _new_figure(7.0, 3.5)
        ax = fig.add_subplot()
        sns.histplot(x=a, bins=edges, ax=ax, color=MAIN_COLOUR, edgecolor="white")
        m = float(a.mean())
        ax.axvline(m, color="0.3", linestyle="--", linewidth=1)
        ax.annotate(
            f"{texts['mean']} {fmt.mean(m, 1, lang)}",
            (m, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -12),
            textcoords="offset points",
            fontsize=8,
        )
        ax.set_xlabel(texts["age"])
        ax.set_ylabel(texts["persons"])
        ax.set_xticks(edges)
        ax.xaxis.set_major_formatter(lambda x, pos: fmt.number(x, 0, lang))
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(lambda x, pos: fmt.number(x, 0, lang))
        if title:
            ax.set_title(title)
    return _attach(fig, f"Histogramme des âges (moyenne {fmt.mean(m, 1, lang)} ans)", None, title)


def bar_shares(
    figures: pd.DataFrame, title: str | None = None, lang: str = fmt.DEFAULT_LANG, percent_decimals: int = 0
):
    """Horizontal bars of shares (origins, places of work), labelled with the percentage.

    Parameters
    ----------
    figures : DataFrame
        Figures rows with ``label`` and ``value`` (a proportion), top to bottom in
        the order given. A missing value draws no bar and is labelled `fmt.MISSING`,
        a masked one (``mask_label``) its mask.
    title : str, optional
    lang : str
    percent_decimals : int
        Decimals of the bar labels.

    Returns
    -------
    matplotlib.figure.Figure
        Bars (``ax.patches``) in row order, widths = values.
    """
    _check_columns(figures, ("label", "value"), "bar_shares")
    value = figures["value"].to_numpy(dtype=float)
    y = np.arange(len(figures), dtype=float)
    with _style():
        fig = _new_figure(7.0, 0.45 * len(figures) + 1.2)
        ax = fig.add_subplot()
        ax.barh(y, np.nan_to_num(value, nan=0.0), color=MAIN_COLOUR, height=0.7)
        # a masked share prints its mask ("x"), as the table does
        labels = _texts_of(figures, [fmt.percent(v, percent_decimals, lang) for v in value])
        for yi, v, label in zip(y, value, labels):
            ax.annotate(
                label,
                (0 if np.isnan(v) else v, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, [str(s) for s in figures["label"]])
        ax.set_ylim(len(figures) - 0.5, -0.5)
        ax.set_xlim(0, max(np.nanmax(np.append(value, 0.0)) * 1.2, 0.05))
        ax.xaxis.set_major_formatter(_percent_formatter(ax.xaxis, lang))
        ax.set_xlabel(_texts(lang)["share"])
        ax.grid(axis="y", visible=False)
        if title:
            ax.set_title(title)
    shown = [fmt.percent(v, percent_decimals, lang) for v in value]
    data = pd.DataFrame({"label": figures["label"].astype(str).tolist(), "value": value})
    return _attach(fig, "Barres horizontales", data.assign(text=_texts_of(figures, shown)), title)


def place_colours(level: str, sites=None) -> dict[str, str]:
    """The colour of every province or antenna, by its order in ``params/sites.yaml``.

    Parameters
    ----------
    level : str
        ``"province"`` or ``"antenna"``.
    sites : sites.Sites, optional
        Default: `sites.load_sites` of the active params.

    Returns
    -------
    dict
        Code and label (both keys) -> colour of `PALETTE`, cycling after its eighth colour.
    """
    if level not in ("province", "antenna"):
        raise EspacepError(f"place_colours: level must be 'province' or 'antenna', got {level!r}")
    if sites is None:
        from .sites import load_sites

        sites = load_sites()
    pairs = dict.fromkeys(zip(sites.frame[level], sites.frame[f"{level}_label"]))
    colours = {}
    for i, (code, label) in enumerate(pairs):
        colours[code] = colours[label] = PALETTE[i % len(PALETTE)]
    return colours


def svg_bytes(fig) -> bytes:
    """The figure as SVG bytes: no date, no creator, fixed ids (byte-stable)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    return buf.getvalue()


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, without the software-version metadata (byte-stable)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def save(fig, path: str | Path, dpi: int = DPI) -> Path:
    """Write the figure as PNG or SVG (by suffix) with fixed metadata (no date, no version)."""
    path = Path(path)
    suffix = path.suffix.lower()
    with _style():
        if suffix == ".png":
            fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
        elif suffix == ".svg":
            fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
        else:
            raise EspacepError(f"plots.save: unsupported file type {suffix!r} for {path} (use .png or .svg)")
    return path


def show(fig, alt: str | None = None, dpi: int = DPI, caption: str = "", extra: dict | None = None) -> None:
    """Display the figure in a notebook as an embedded SVG with an alternative text.

    ``alt`` defaults to the axes title; the HTML template writes it into the
    ``<img alt>`` attribute and ``caption`` (``"Figure 2 – …"``) into the
    ``<figcaption>``, both from the ``image/svg+xml`` output's metadata.
    ``extra``: more MIME data of the same output (the chart's block). When
    `PNG_ENV` is ``"1"`` the output also holds the chart as a PNG at ``dpi``
    (``image/png``): the HTML and the PDF print the SVG, the Word document
    (`docx_report`) the PNG. The batch sets it for a report rendered in a
    format that reads the PNG; otherwise (``--formats html,pdf``, a hand run
    in JupyterLab) it is not drawn: drawing it is a third of a chart's cost.
    """
    import os

    from IPython.display import display

    if alt is None:
        titles = (ax.get_title(loc=loc) for ax in fig.axes for loc in ("left", "center", "right"))
        alt = next((t for t in titles if t), "Graphique")
    data = {"image/svg+xml": svg_bytes(fig).decode("utf-8")}
    if os.environ.get(PNG_ENV) == "1":
        data["image/png"] = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
    meta = {"alt": alt, **({"caption": caption} if caption else {})}
    metadata = {mime: meta for mime in data}
    display({**data, "text/plain": alt, **(extra or {})}, raw=True, metadata=metadata)


def age_pyramid(
    counts: pd.DataFrame,
    title: str | None = None,
    lang: str = fmt.DEFAULT_LANG,
    left: Sequence[str] = ("man", "trans"),
    right: Sequence[str] = ("woman",),
    labels: Mapping[str, str] | None = None,
    note: str | None = None,
):
    """Age pyramid: persons per age band, some genders to the left, the others to the right.

    Parameters
    ----------
    counts : DataFrame
        One row per (band, gender) with columns ``band`` (the band's label,
        youngest first in order of appearance), ``gender`` (code) and
        ``persons`` (count; NaN, e.g. a masked count, draws nothing).
    title : str, optional
    lang : str
    left, right : sequence of str
        Gender codes drawn to the left (stacked outwards in this order) and
        to the right of the axis.
    labels : mapping, optional
        Legend text per gender code (default: the code).
    note : str, optional
        A line under the chart (e.g. that masked counts are not drawn).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; bands top = oldest. Stacked segments are drawn as
        overlapping bars from the axis: the bar of the k-th gender of a side
        reaches the cumulated count of the first k genders.
    """
    missing = [c for c in ("band", "gender", "persons") if c not in counts.columns]
    if missing:
        raise EspacepError(f"age_pyramid: the counts lack column(s) {missing}")
    unknown = sorted(set(counts["gender"]) - set(left) - set(right))
    if unknown:
        raise EspacepError(f"age_pyramid: gender(s) {unknown} are on neither side")
    bands = list(dict.fromkeys(counts["band"]))[::-1]  # oldest at the top
    wide = counts.pivot_table(index="band", columns="gender", values="persons", aggfunc="sum", dropna=False)
    wide = wide.reindex(index=bands, columns=[*left, *right]).astype(float)
    bars = []
    for side, sign in ((left, -1.0), (right, 1.0)):
        cumulated = wide[list(side)].fillna(0.0).cumsum(axis=1)
        for code in reversed(side):  # outermost first, so inner segments are drawn over it
            bars.append(pd.DataFrame({"band": bands, "gender": code, "x": sign * cumulated[code].to_numpy()}))
    long = pd.concat(bars, ignore_index=True)
    names = dict(labels or {})
    long["gender"] = long["gender"].map(lambda c: names.get(c, c))
    order = [names.get(c, c) for c in [*reversed(left), *reversed(right)]]
    with _style():
        import seaborn as sns

        palette = dict(zip([names.get(c, c) for c in [*left, *right]], PALETTE))
        fig = _new_figure(7.0, 0.45 * len(bands) + 1.6)
        ax = fig.add_subplot()
        sns.barplot(
            data=long,
            x="x",
            y="band",
            hue="gender",
            hue_order=order,
            order=bands,
            dodge=False,
            orient="h",
            palette=palette,
            ax=ax,
            width=0.8,
            errorbar=None,
        )
        limit = max(float(np.nanmax(np.abs(long["x"].to_numpy()))), 1.0) * 1.1
        ax.set_xlim(-limit, limit)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.xaxis.set_major_formatter(lambda x, pos: fmt.number(abs(x), 0, lang))
        ax.set_xlabel(_texts(lang)["persons"])
        ax.set_ylabel("")
        ax.legend(title=None, loc="upper left", fontsize=8)
        if note:
            fig.text(0.01, 0.0, note, fontsize=7, ha="left", va="bottom")
        if title:
            ax.set_title(title)
    persons = counts["persons"].to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "label": counts["band"].astype(str).tolist(),
            "group": counts["gender"].map(lambda c: names.get(c, c)).astype(str).tolist(),
            "value": persons,
            "text": [fmt.number(v, 0, lang) if not np.isnan(v) else "masqué" for v in persons],
        }
    )
    return _attach(fig, "Pyramide des âges (personnes par classe d'âge et par sexe)", data, title)
