"""Charts of the AViQ and Cocof pages that `plots` does not have (counts, not shares).

Same conventions as :mod:`espacep_analysis.plots` (whose private style helpers
it reuses): a `matplotlib.figure.Figure` on its own Agg canvas, seaborn's fixed
style, axis texts from `fmt`, nothing at import.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import fmt
from ..errors import EspacepError
from ..plots import MAIN_COLOUR, PALETTE, _attach, _new_figure, _style

LABEL_WIDTH = 34  # bar labels are wrapped to lines of at most this many characters
COUNT_LABEL = "Nombre"  # French for every lang, as the whole document (render.DOCUMENT_LANG)


def bar_counts(
    figures: pd.DataFrame,
    title: str | None = None,
    lang: str = fmt.DEFAULT_LANG,
    xlabel: str | None = None,
    group_title: str | None = None,
    colours: Mapping[str, str] | None = None,
):
    """Horizontal bars of counts (contacts per site, demands), labelled with the formatted count.

    Parameters
    ----------
    figures : DataFrame
        One row per bar, top to bottom in the order given, with ``label`` and
        ``value`` (a count; NaN, e.g. a masked figure, draws no bar). Optional
        ``text``: the bar's printed label (default: the value formatted by
        `fmt.number`; pass the mask, ``"< 5"``, for masked figures). Optional
        ``group``: bars of one group share a colour and the legend names the
        groups (e.g. the province of each site).
    title : str, optional
        Written above the chart, from its left edge (``fig.get_suptitle()``).
    lang : str
    xlabel : str, optional
        Axis label (default ``"Nombre"``).
    group_title : str, optional
        Title of the legend when ``group`` is given.
    colours : mapping, optional
        Colour of each group (e.g. `plots.place_colours`: a province has the same colour in
        every report); groups it lacks take the palette's colours in order of appearance.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its bars (``ax.patches``) are in row order with widths = values (0 when NaN).
    """
    missing = [c for c in ("label", "value") if c not in figures.columns]
    if missing:
        raise EspacepError(f"bar_counts: the figures lack column(s) {missing}")
    if figures.empty:
        raise EspacepError("bar_counts: no figure to draw")
    value = figures["value"].to_numpy(dtype=float)
    texts = list(figures["text"]) if "text" in figures.columns else [fmt.number(v, 0, lang) for v in value]
    groups = list(figures["group"]) if "group" in figures.columns else None
    y = np.arange(len(figures), dtype=float)
    with _style():
        names = list(dict.fromkeys(groups)) if groups else []
        chosen = {n: (colours or {}).get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)}
        bar_colours = [chosen[g] for g in groups] if groups else [MAIN_COLOUR] * len(figures)
        fig = _new_figure(7.0, 0.4 * len(figures) + 1.3)
        ax = fig.add_subplot()
        ax.barh(y, np.nan_to_num(value, nan=0.0), color=bar_colours, height=0.7)
        for yi, v, text in zip(y, value, texts):
            ax.annotate(
                str(text),
                (0 if np.isnan(v) else v, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, [textwrap.fill(str(s), LABEL_WIDTH) for s in figures["label"]])
        ax.set_ylim(len(figures) - 0.5, -0.5)
        ax.set_xlim(0, max(np.nanmax(np.append(value, 0.0)) * 1.18, 1.0))
        ax.xaxis.set_major_formatter(lambda x, pos: fmt.number(x, 0, lang))
        ax.set_xlabel(xlabel or COUNT_LABEL)
        ax.grid(axis="y", visible=False)
        if names:
            from matplotlib.patches import Patch

            handles = [Patch(color=chosen[n], label=str(n)) for n in names]
            ax.legend(handles=handles, title=group_title, loc="lower right", fontsize=8, title_fontsize=8)
        if title:  # over the whole figure: long bar labels would push an axes title off the canvas
            fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize="medium")
    data = pd.DataFrame({"label": figures["label"].astype(str).tolist(), "value": value, "text": texts})
    if groups:
        data["group"] = [str(g) for g in groups]
    return _attach(fig, "Barres horizontales (nombres)", data, title)
