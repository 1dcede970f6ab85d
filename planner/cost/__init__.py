"""Total cost of ownership of one workload on one site, line by line, and over a horizon.

Pure: the catalogue and settings are passed in; nothing here reads files, the environment or
the clock. Amounts are ``planner.money.Money`` (each line item rounded to the cent once),
rates ``Decimal``. Modules:

* ``offers``: ``offers_for`` (the solver's entry point), usage, eligibility;
* ``pricing``: one option of one site (``price_option``, ``price_on``), dispatching to
  ``cloud_lines`` (instances, spot, discounts, storage, egress) and ``owned_lines`` (owned
  rates, leased pools);
* ``migration``: what a workload pays today (``baseline_items``) and moving it;
* ``cloud``: cheapest fitting instance per pricing option, tiered egress;
* ``owned``: owned estate -> effective USD per core-hour, GiB-hour, GPU-hour; break-even
  (``nodes``: the servers priced; ``estate``: the estate's monthly lines; ``split``: the
  reference prices that split their cost);
* ``horizon``: cash and accrual views by month, totals, payback, NPV (the one definition);
* ``cache``: ``PriceCache``, the memo a caller passes in for one run;
* ``digest``: ``cost_input_digest``;
* ``common``: validation of cost inputs (``validate_cost_inputs``) and formula numbers.
"""

from __future__ import annotations

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.common import check_settings, check_site, raise_if
from planner.cost.digest import cost_input_digest
from planner.cost.estate import amortised_usd_per_month
from planner.cost.horizon import (
    CashItem,
    HorizonSummary,
    Ledger,
    annuity_factor,
    compare,
    horizon_summary,
    ledger,
)
from planner.cost.migration import baseline_items, baseline_option, migration_items
from planner.cost.offers import offers_for, owned_rates_by_site, usage_of
from planner.cost.owned import OwnedRates, breakeven_utilisation, owned_rates
from planner.cost.owned_lines import pool_commitment_items
from planner.cost.pricing import price_on
from planner.cost.split import SplitWeights, split_weights
from planner.model import Project


def validate_cost_inputs(project: Project, catalogue: Catalogue) -> None:
    """Raise one ``InputError`` listing every cost-input problem of the project: currency,
    utilisation targets, negative prices, depreciation months, unknown override keys."""
    problems = check_settings(project.settings, catalogue)
    for site in project.sites:
        problems.extend(check_site(site, catalogue))
    raise_if(problems, "invalid cost inputs")


__all__ = [
    "CashItem",
    "HorizonSummary",
    "Ledger",
    "OwnedRates",
    "PriceCache",
    "SplitWeights",
    "amortised_usd_per_month",
    "annuity_factor",
    "baseline_items",
    "baseline_option",
    "breakeven_utilisation",
    "compare",
    "cost_input_digest",
    "horizon_summary",
    "ledger",
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
