"""Charts added by the statistical-depth work (issue 4), to be merged into `plots`.

Same conventions as :mod:`espacep_analysis.plots` (whose private style helpers
it reuses): a `matplotlib.figure.Figure` on its own Agg canvas, seaborn's fixed
style, axis texts from `fmt`, nothing at import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import fmt
from .errors import EspacepError
from .plots import _new_figure, _style

_LEFT_LABEL = {"fr_BE": "Nombre de personnes", "nl_BE": "Aantal personen", "en": "Number of persons"}


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

        palette = dict(zip([names.get(c, c) for c in [*left, *right]], sns.color_palette("colorblind")))
        fig = _new_figure(7.0, 0.45 * len(bands) + 1.6)
        ax = fig.add_subplot()
        sns.barplot(data=long, x="x", y="band", hue="gender", hue_order=order, order=bands, dodge=False,
                    orient="h", palette=palette, ax=ax, width=0.8, errorbar=None)
        limit = max(float(np.nanmax(np.abs(long["x"].to_numpy()))), 1.0) * 1.1
        ax.set_xlim(-limit, limit)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.xaxis.set_major_formatter(lambda x, pos: fmt.number(abs(x), 0, lang))
        ax.set_xlabel(_LEFT_LABEL[fmt.normalize_lang(lang)])
        ax.set_ylabel("")
        ax.legend(title=None, loc="upper left", fontsize=8)
        if note:
            fig.text(0.01, 0.0, note, fontsize=7, ha="left", va="bottom")
        if title:
            ax.set_title(title)
    return fig
