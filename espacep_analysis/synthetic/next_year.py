"""The years after the calibrated ones (`design.CALIBRATED_LAST_YEAR`): plausible, not calibrated.

No report prints a figure for them, so nothing is reproduced: their design is
the last calibrated year's, with small random changes. `derived_book` adds,
for each later year, the volumes of `DERIVED` (persons seen, new persons,
consultations, vaccination and acts, as printed for the calibrated year)
each multiplied by ``1 + VOLUME_CHANGE * N(0, 1)``, drawn from its own random
stream; every other count comes from the design rates of `design`, as for the
figures the report leaves free. The outreach tables of these years take the
typical (2019) volumes of `design` with their usual noise.

The calibrated years are generated first, medical and outreach tables, exactly
as before these years existed; the later years continue both random streams
after them, so the rows of 2017-2019 keep their bytes.
"""

from __future__ import annotations

import numpy as np

from ..errors import EspacepError
from . import design as D
from .targets import Target, TargetBook

# inami.<id> and scope of the counts carried over from the last calibrated year
DERIVED = (
    ("persons_seen", "all"),
    ("persons_seen", "region:wallonie"),
    ("persons_seen", "site:saint_trond"),
    ("new_persons", "all"),
    ("consultations", "all"),
    ("consultations", "region:wallonie"),
    ("consultations", "site:saint_trond"),
    ("vaccinated_persons", "all"),
    ("vaccine_doses", "all"),
    ("contraception_prescriptions", "all"),
    ("treatments", "all"),
    ("referrals", "all"),
    ("counsels", "all"),
    ("abortion_supports", "all"),
    ("pregnancy_followups", "all"),
)
VOLUME_CHANGE = 0.05  # relative sd of a year-on-year change of a derived count


def derived_targets(book: TargetBook, rng: np.random.Generator, year: int) -> list[Target]:
    """`DERIVED` counts of ``year``: the calibrated year's, each changed by a small random factor."""
    out = []
    for indicator, scope in DERIVED:
        source = book.get(indicator, D.CALIBRATED_LAST_YEAR, scope)
        factor = 1 + VOLUME_CHANGE * rng.normal()
        if source is None:
            raise EspacepError(f"targets.yaml: no {indicator} ({scope}) in {D.CALIBRATED_LAST_YEAR}")
        value = max(0, round(source.number * factor))
        out.append(
            Target(
                id=f"inami.{indicator}",
                year=year,
                scope=scope,
                printed=str(value),
                value=float(value),
                tolerance="exact",
                source=f"synthétique : {D.CALIBRATED_LAST_YEAR} x {factor:.3f}",
                note="not calibrated: derived from the last calibrated year",
            )
        )
    return out


def derived_book(book: TargetBook, targets: list[Target], rng: np.random.Generator) -> TargetBook:
    """``targets`` plus the derived counts of every year after `design.CALIBRATED_LAST_YEAR`."""
    later = range(D.CALIBRATED_LAST_YEAR + 1, D.LAST_YEAR + 1)
    return TargetBook(list(targets) + [t for year in later for t in derived_targets(book, rng, year)])
