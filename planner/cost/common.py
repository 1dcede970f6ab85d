"""Helpers shared by the cost models: formula numbers, line items, site lookups of prices,
validation. Pure: values in, values out.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from planner.catalogue import Catalogue, Price, validate_overrides
from planner.errors import InputError, Problem
from planner.fx import CODE, said_number
from planner.model import (
    HOURS_PER_MONTH,
    GpuPoolMode,
    LineItem,
    OwnedCost,
    Settings,
    Site,
    SiteKind,
)
from planner.money import Money, decimal_of, significant

H = HOURS_PER_MONTH
"""Hours per month as a float, for capacity (usage) figures."""

HOURS = decimal_of(HOURS_PER_MONTH)
"""Hours per month as an exact ``Decimal``, for money."""

PCT = Decimal(100)


@functools.lru_cache(maxsize=1 << 16)
def num(x: float | Decimal | int) -> str:
    """A number for a formula: up to 6 significant digits, thousands separators.

    Memoised: a pure function of the number's value (equal values, whatever their type,
    write the same text), and offers repeat the same few prices and quantities."""
    d = decimal_of(x)
    if d == 0:
        return "0"
    if abs(d) >= 1000:
        return f"{d:,.2f}".rstrip("0").rstrip(".")
    return significant(d)


def pnum(x: float | Decimal | int) -> str:
    """A unit price's number in a formula (``num``), marked so that it is shown in the
    project currency (``planner.fx.render_text``); the caller writes ``CODE`` after it.
    Memoised like ``num`` (pricing writes about a hundred per workload), on the number as
    ``str`` writes it: the mark keeps that text, and equal Decimals (``0.23``, ``0.230``)
    hash alike, so a memo on the value alone would give whichever came first."""
    return _pnum(x, str(x))


@functools.lru_cache(maxsize=1 << 16)
def _pnum(x: float | Decimal | int, _text: str) -> str:
    return said_number(x, num(x))


def unit_price(x: float | Decimal | int) -> str:
    """A unit price in a formula with its currency: ``0.856 USD`` (marked, ``pnum``)."""
    return _unit_price(x, str(x))


@functools.lru_cache(maxsize=1 << 16)
def _unit_price(x: float | Decimal | int, _text: str) -> str:
    return f"{pnum(x)} {CODE}"


@dataclass(frozen=True, slots=True)
class Tiered:
    """A volume priced through tiers: the exact total, the formula's parts and the keys."""

    usd: Decimal
    parts: tuple[str, ...]
    """``"<GiB> GiB x <price>"`` per tier used, in tier order."""
    keys: tuple[str, ...]
    """The price keys of the tiers used."""


def through_tiers(
    gib: float, tiers: Sequence[Price], price_of: Callable[[Price], Decimal]
) -> Tiered:
    """``gib`` a month through volume ``tiers`` (in order; each up to its ``up_to_gib``,
    an open last one), each GiB at ``price_of(tier)`` of the tier it falls in."""
    left, lower, usd = decimal_of(gib), Decimal(0), Decimal(0)
    parts: list[str] = []
    keys: list[str] = []
    for t in tiers:
        upper = t.up_to_gib if t.up_to_gib is not None else Decimal("Infinity")
        amount = min(left, upper - lower)
        if amount > 0:
            p = price_of(t)
            usd += amount * p
            parts.append(f"{num(amount)} GiB x {pnum(p)}")
            keys.append(t.key)
            left -= amount
        lower = upper
        if left <= 0:
            break
    return Tiered(usd, tuple(parts), tuple(keys))


def item(name: str, amount: Money, formula: str, *sources: str) -> LineItem:
    return LineItem(name=name, amount=amount, formula=formula, sources=sources)


def total(items: Iterable[LineItem], currency: str) -> Money:
    """The exact sum of the items' amounts."""
    return Money.total((i.amount for i in items), currency)


def site_file(site: Site) -> tuple[str, int, int]:
    if site.source is None:
        return ("sites.yaml", 0, 0)
    return (site.source.file, site.source.line, site.source.column)


def site_problem(site: Site, fld: str, message: str, fix: str) -> Problem:
    f, line, col = site_file(site)
    return Problem(f, line, col, f"sites.{site.name}.{fld}", message, fix)


def price(catalogue: Catalogue, key: str, site: Site, *, needed_for: str) -> Decimal:
    """The exact price under ``key`` for ``site`` (its override first). A missing key is an
    ``InputError`` naming the key and the site."""
    if key in site.price_overrides:
        return decimal_of(site.price_overrides[key])
    if key not in catalogue.prices:
        raise InputError(
            [
                site_problem(
                    site,
                    "price_overrides",
                    f"no price {key!r} in catalogue {catalogue.version} (needed for {needed_for})",
                    f"add `{key}` to the site's price_overrides or to the catalogue",
                )
            ],
            message=f"missing price for site {site.name}",
        )
    return catalogue.prices[key].value


def check_settings(settings: Settings, catalogue: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    # settings.currency is the currency figures are shown in (planner.fx): prices stay in
    # the catalogue's; a currency without a rate is refused where the plan is built
    if settings.engineering_usd_per_move < 0:
        problems.append(
            Problem(
                "project.yaml",
                0,
                0,
                "settings.engineering_usd_per_move",
                "negative engineering cost",
                "give a value >= 0",
            )
        )
    if settings.double_running_months < 0:
        problems.append(
            Problem(
                "project.yaml",
                0,
                0,
                "settings.double_running_months",
                "negative double-running period",
                "give a value >= 0",
            )
        )
    if settings.horizon_months < 1:
        problems.append(
            Problem(
                "project.yaml",
                0,
                0,
                "settings.horizon_months",
                "horizon must be at least 1 month",
                "give a value >= 1",
            )
        )
    return problems


def _check_owned(site: Site, oc: OwnedCost, prefix: str) -> list[Problem]:
    problems: list[Problem] = []

    def neg(fld: str, value: float | Decimal | None) -> None:
        if value is not None and (not math.isfinite(value) or value < 0):
            problems.append(
                site_problem(
                    site, f"{prefix}.{fld}", f"negative price {value:g}", "costs must be >= 0"
                )
            )

    if oc.depreciation_months is not None and oc.depreciation_months < 1:
        problems.append(
            site_problem(
                site,
                f"{prefix}.depreciation_months",
                f"depreciation of {oc.depreciation_months} months",
                "amortise over at least 1 month (60 = 5 years is the catalogue default)",
            )
        )
    if oc.pue is not None and oc.pue < 1:
        problems.append(
            site_problem(
                site,
                f"{prefix}.pue",
                f"PUE {oc.pue:g} is below 1",
                "PUE is facility power / IT power, so >= 1",
            )
        )
    if oc.support_pct_of_capex_per_year is not None and not (
        0 <= oc.support_pct_of_capex_per_year <= 100
    ):
        problems.append(
            site_problem(
                site,
                f"{prefix}.support_pct_of_capex_per_year",
                "support percentage outside [0, 100]",
                "give 0-100",
            )
        )
    if oc.discount_rate_pct is not None and not -100 < oc.discount_rate_pct <= 100:
        problems.append(
            site_problem(
                site,
                f"{prefix}.discount_rate_pct",
                "discount rate outside (-100, 100]",
                "give a percentage",
            )
        )
    neg("colo_usd_per_kw_month", oc.colo_usd_per_kw_month)
    neg("usd_per_kwh", oc.usd_per_kwh)
    neg("space_usd_per_month", oc.space_usd_per_month)
    neg("labour_usd_per_month", oc.labour_usd_per_month)
    for i, nc in enumerate(oc.node_classes):
        neg(f"node_classes[{i}].capex_usd", nc.capex_usd)
        neg(f"node_classes[{i}].power_kw", nc.power_kw)
        if nc.count < 0 or nc.cpu < 0 or nc.memory_gib < 0 or nc.gpus < 0:
            problems.append(
                site_problem(
                    site, f"{prefix}.node_classes[{i}]", "negative count or size", "give sizes >= 0"
                )
            )
        if nc.gpus > 0 and not nc.gpu_type:
            problems.append(
                site_problem(
                    site,
                    f"{prefix}.node_classes[{i}].gpu_type",
                    "GPUs without a gpu_type",
                    "name the GPU type (h100)",
                )
            )
    return problems


def _check_gpu_node_classes(site: Site) -> list[Problem]:
    """Every GPU type in an owned site's capacity must be in its node classes: the GPU rate
    comes from the node classes, so a type missing there would be priced at 0 USD."""
    oc, prefix = site.owned_cost, "cost.owned"
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        oc = gp.owned if gp is not None and gp.mode is GpuPoolMode.OWNED else None
        prefix = "cost.gpu_pool.owned"
    elif site.kind is not SiteKind.KUBERNETES:
        return []
    if oc is None or not oc.node_classes or site.capacity is None:
        return []  # without node classes, defaults are built from the capacity
    have = {nc.gpu_type for nc in oc.node_classes if nc.gpus > 0 and nc.count > 0}
    return [
        site_problem(
            site,
            f"capacity.gpus.{t}",
            f"{n} {t} GPUs in capacity but no node class under {prefix} has {t} "
            f"GPUs, so they would be priced at 0 USD",
            f"add a node class with gpu_type: {t} (count, capex_usd, power_kw), or "
            f"remove {t} from capacity",
        )
        for t, n in sorted(site.capacity.gpus.items())
        if n > 0 and t not in have
    ]


def check_site(site: Site, catalogue: Catalogue) -> list[Problem]:
    """Every cost-input problem of one site (all collected, none raised)."""
    problems: list[Problem] = []
    if not 0 < site.target_utilisation <= 1:
        problems.append(
            site_problem(
                site,
                "target_utilisation",
                f"utilisation target {site.target_utilisation:g} is outside (0, 1]",
                "give a fraction such as 0.75",
            )
        )
    f, _, _ = site_file(site)
    for p in validate_overrides(catalogue, site.price_overrides, where=f):
        problems.append(
            Problem(
                p.file,
                site_file(site)[1],
                site_file(site)[2],
                f"sites.{site.name}.{p.field}",
                p.message,
                p.fix,
            )
        )
    if site.owned_cost is not None:
        problems.extend(_check_owned(site, site.owned_cost, "cost.owned"))
    gp = site.gpu_pool_cost
    if gp is not None:
        if gp.owned is not None:
            problems.extend(_check_owned(site, gp.owned, "cost.gpu_pool.owned"))
        if gp.usd_per_gpu_hour is not None and gp.usd_per_gpu_hour < 0:
            problems.append(
                site_problem(
                    site,
                    "cost.gpu_pool.usd_per_gpu_hour",
                    f"negative price {gp.usd_per_gpu_hour:g}",
                    "prices must be >= 0",
                )
            )
        if gp.min_gpu_hours_per_month < 0:
            problems.append(
                site_problem(
                    site,
                    "cost.gpu_pool.min_gpu_hours_per_month",
                    "negative minimum commitment",
                    "give hours >= 0",
                )
            )
        if gp.realised_utilisation is not None and not 0 < gp.realised_utilisation <= 1:
            problems.append(
                site_problem(
                    site,
                    "cost.gpu_pool.realised_utilisation",
                    f"utilisation {gp.realised_utilisation:g} is outside (0, 1]",
                    "give a fraction such as 0.6",
                )
            )
        if gp.mode is GpuPoolMode.OWNED and gp.owned is None and site.capacity is None:
            problems.append(
                site_problem(
                    site,
                    "cost.gpu_pool.owned",
                    "owned GPU pool without node classes or capacity",
                    "describe the pool's node classes",
                )
            )
    problems.extend(_check_gpu_node_classes(site))
    cc = site.cloud_cost
    if site.kind is SiteKind.CLOUD:
        if cc is None:
            problems.append(
                site_problem(
                    site,
                    "cost.cloud",
                    "cloud site without cost inputs",
                    "add `cost: {cloud: {price_region: ...}}`",
                )
            )
        else:
            if not 0 <= cc.discount_pct < 100:
                problems.append(
                    site_problem(
                        site,
                        "cost.cloud.discount_pct",
                        f"discount {cc.discount_pct:g} % outside [0, 100)",
                        "give a percentage",
                    )
                )
            if cc.price_region not in catalogue.regions(site.provider):
                known = ", ".join(catalogue.regions(site.provider)) or "none"
                fams = ", ".join(catalogue.families(site.provider)) or "none"
                problems.append(
                    site_problem(
                        site,
                        "cost.cloud.price_region",
                        f"no {site.provider} prices for region {cc.price_region!r} in catalogue "
                        f"{catalogue.version} (families {fams})",
                        f"use a priced region ({known}) or add prices to the catalogue",
                    )
                )
    return problems


def raise_if(problems: list[Problem], message: str) -> None:
    if problems:
        raise InputError(problems, message=message)
