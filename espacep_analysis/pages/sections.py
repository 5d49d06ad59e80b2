"""The section functions of the package's funders: every one is ``section(report) -> list[Block]``.

The registry (`espacep_analysis.funders`) names them ``pages.sections.<funder>_<key>``;
each passes the parts of the `Report` its page needs to the page function of
``pages/<funder>.py`` (which builds the blocks from the figures). A section whose page has
nothing to print says so under its heading (`outreach.nothing_to_report`): a funder never
reads a heading followed by nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from . import aviq, cocof, inami
from .outreach import nothing_to_report


def _section(page: Callable, *fields: str) -> Callable:
    """``section(report)`` calling ``page`` with the report's ``fields`` (attributes of `Report`).

    The section's key is the page function's name (``aviq.clients`` fills ``clients``).
    """

    def section(report) -> list:
        blocks = page(*(getattr(report, name) for name in fields))
        return blocks or [nothing_to_report(report.book, report.declared, page.__name__)]

    section.__name__ = page.__name__
    section.__qualname__ = page.__qualname__
    section.__doc__ = f"{page.__module__}.{page.__name__}({', '.join(fields)}) of the report."
    return section


# inami
inami_contacts = _section(inami.contacts, "book", "antenna_labels")
inami_new_known = _section(inami.new_known, "book")
inami_workplaces = _section(inami.workplaces, "book")
inami_age = _section(inami.age, "book", "ages")
inami_gender = _section(inami.gender, "book")
inami_nationality = _section(inami.nationality, "book", "antenna_labels")
inami_gp_gyn = _section(inami.gp_gyn, "book")
inami_coverage = _section(inami.coverage, "book")
inami_screening = _section(inami.screening, "book", "method", "level")
inami_cervical = _section(inami.cervical, "book")
inami_vaccination = _section(inami.vaccination, "book")
inami_follow_up = _section(inami.follow_up, "book")

# aviq
aviq_proximity = _section(aviq.proximity, "book", "declared")
aviq_internet = _section(aviq.internet, "book", "declared")
aviq_tools = _section(aviq.tools, "book", "declared")
aviq_medical = _section(aviq.medical, "book", "declared")
aviq_violence = _section(aviq.violence, "book", "declared")
aviq_harm_reduction = _section(aviq.harm_reduction, "book", "declared")
aviq_clients = _section(aviq.clients, "book", "declared")
aviq_professionals = _section(aviq.professionals, "book", "declared")
aviq_advocacy = _section(aviq.advocacy, "book", "declared")
aviq_evaluation = _section(aviq.evaluation, "book", "declared")
aviq_first_contact = _section(aviq.first_contact, "book")
aviq_demands = _section(aviq.demands, "book", "declared")
aviq_social_activities = _section(aviq.social_activities, "book", "declared")

# cocof
cocof_proximity = _section(cocof.proximity, "book", "declared")
cocof_unplanned = _section(cocof.unplanned, "book", "declared")
cocof_adjustments = _section(cocof.adjustments, "book", "declared")
cocof_internet = _section(cocof.internet, "book", "declared")
cocof_tools = _section(cocof.tools, "book", "declared")
cocof_medical = _section(cocof.medical, "book", "declared")
cocof_violence = _section(cocof.violence, "book", "declared")
cocof_harm_reduction = _section(cocof.harm_reduction, "book", "declared")
cocof_clients = _section(cocof.clients, "book", "declared")
cocof_professionals = _section(cocof.professionals, "book", "declared")
cocof_social_work = _section(cocof.social_work, "book", "declared")
