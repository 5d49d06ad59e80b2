"""Warning banners of a report: one list of strings, printed on every page, the title page and the index.

A report's banners are decided once, in the notebook (`pages.build_report`),
from the conditions that make it unfit to send as is, and stored in its
provenance record (``provenance.json``, key ``banners``). From there:

- the nbconvert template prints them at the top of the HTML (title page) and,
  in the PDF, as the running header of every page (`render.to_html` reads them
  from the executed notebook's ``metadata.espacep.provenance``);
- ``outputs/index.html`` shows them in the report's row (`index.collect_entries`).

Adding a banner is one line in `BANNERS` (its condition name and its text),
plus passing the condition to `report_banners` where it is known. Conditions:

- ``synthetic``: the data are the embedded synthetic set. Detected from the
  rows themselves (`is_synthetic`): a pseudonym starting with ``SYN-``, the
  prefix only the generator writes (``espacep synthetic``); it travels with the
  files wherever they are copied, unlike a marker file.
- ``internal``: small counts are not masked (``--min-cell 0`` or 1).
- ``draft``: declared items of ``params/<year>/<funder>.yaml`` still read
  ``A_COMPLETER`` and the report was rendered with ``--draft``; the missing
  items are also listed in the methods note and the index.
"""

from __future__ import annotations

SYNTHETIC = "DONNÉES SYNTHÉTIQUES – exemple, ne pas diffuser"
INTERNAL = "USAGE INTERNE – petits effectifs non masqués"
DRAFT = "BROUILLON – chiffres déclarés à compléter"  # declared.DRAFT_BANNER
# condition -> banner text, in the order they are printed
BANNERS: dict[str, str] = {
    "synthetic": SYNTHETIC,
    "internal": INTERNAL,
    "draft": DRAFT,
}
SYNTHETIC_PREFIX = "SYN-"


def report_banners(**conditions: bool) -> list[str]:
    """The banners whose condition holds, in `BANNERS` order (``report_banners(synthetic=True)``).

    Raises `ValueError` for a condition `BANNERS` does not know (a typo must not drop a banner).
    """
    unknown = sorted(set(conditions) - set(BANNERS))
    if unknown:
        raise ValueError(f"unknown banner condition(s) {unknown}; known: {sorted(BANNERS)}")
    return [text for name, text in BANNERS.items() if conditions.get(name)]


def is_synthetic(pseudonyms) -> bool:
    """Whether any pseudonym (an iterable or pandas Series of text) carries the generator's ``SYN-`` prefix."""
    return any(isinstance(p, str) and p.startswith(SYNTHETIC_PREFIX) for p in pseudonyms)


def is_internal(min_cell: int) -> bool:
    """A run without masking of small counts (threshold 0 or 1)."""
    return int(min_cell) <= 1
