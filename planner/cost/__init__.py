"""Total cost of ownership of one workload on one site, line by line, and over a horizon.

Pure: the catalogue and settings are passed in; nothing here reads files, the environment or
the clock. Modules:

* ``offers``: ``offers_for`` (the solver's entry point), migration, usage;
* ``cloud``: cheapest fitting instance per pricing option, storage, tiered egress;
* ``owned``: owned estate -> effective USD per core-hour, GiB-hour, GPU-hour; break-even;
* ``horizon``: totals over 12/36/60 months, break-even month, NPV;
* ``digest``: ``cost_input_digest``;
* ``common``: validation of cost inputs (``validate_cost_inputs``) and formatting.
"""

from __future__ import annotations

from planner.catalogue import Catalogue
from planner.cost.common import check_settings, check_site, raise_if
from planner.cost.digest import cost_input_digest
from planner.cost.horizon import HorizonSummary, annuity_factor, breakeven_month, horizon_summary
from planner.cost.offers import (
    baseline_option,
    migration_items,
    offers_for,
    owned_rates_by_site,
    pool_commitment_items,
    price_on,
    usage_of,
)
from planner.cost.owned import (
    OwnedRates,
    SplitWeights,
    amortised_usd_per_month,
    breakeven_utilisation,
    owned_rates,
    split_weights,
)
from planner.model import Project


def validate_cost_inputs(project: Project, catalogue: Catalogue) -> None:
    """Raise one ``InputError`` listing every cost-input problem of the project: currency,
    utilisation targets, negative prices, depreciation months, unknown override keys."""
    problems = check_settings(project.settings, catalogue)
    for site in project.sites:
        problems.extend(check_site(site, catalogue))
    raise_if(problems, "invalid cost inputs")


__all__ = [
    "HorizonSummary",
    "OwnedRates",
    "SplitWeights",
    "amortised_usd_per_month",
    "annuity_factor",
    "baseline_option",
    "breakeven_month",
    "breakeven_utilisation",
    "cost_input_digest",
    "horizon_summary",
    "migration_items",
    "offers_for",
    "owned_rates",
    "owned_rates_by_site",
    "pool_commitment_items",
    "price_on",
    "split_weights",
    "usage_of",
    "validate_cost_inputs",
]
