"""The monthly cost of an owned estate, line by line: capex (straight line or annuity),
power, space, labour and support (the model is in ``planner.cost.owned``'s docstring). Each
line is rounded to the cent once; the unrounded charges feed the effective rates."""

from __future__ import annotations

from decimal import Decimal

from planner.cost.common import PCT, item, num, unit_price
from planner.fx import CODE
from planner.model import Amortisation, LineItem, NodeClass, OwnedCost, PowerBilling
from planner.money import Money, decimal_of

CAPEX_LINE = "capex (amortised)"
"""The name of the amortised capital charge among an estate's line items."""

MONTHS_PER_YEAR = 12


def _site_total(value: Decimal, fld: str, what: str) -> str:
    """Formula of a site-level monthly total; a 0 (the default when the site gives none) says
    so, because there is no catalogue default for space or labour."""
    if value == 0:
        return f"0 {CODE}/month (none given: set {fld} for {what})"
    return f"{unit_price(value)}/month"


def monthly_rate(annual_pct: Decimal | float) -> Decimal:
    """The monthly rate ``(1 + i)^(1/12) - 1`` of an annual percentage ``i``."""
    return (1 + decimal_of(annual_pct) / PCT) ** (Decimal(1) / MONTHS_PER_YEAR) - 1


def amortised_usd_per_month(
    capex_usd: Decimal | float,
    months: int,
    amortisation: Amortisation,
    discount_rate_pct: Decimal | float,
) -> Decimal:
    """Monthly capital charge (unrounded): ``capex / months`` (straight line) or the annuity
    payment ``capex r / (1 - (1 + r)^-months)``."""
    capex = decimal_of(capex_usd)
    if amortisation is Amortisation.ANNUITY:
        r = monthly_rate(discount_rate_pct)
        if r > 0:
            return capex * r / (1 - (1 + r) ** -months)
    return capex / months


def power_formula(
    oc: OwnedCost,
    classes: tuple[NodeClass, ...],
    *,
    kw_total: Decimal,
    kw_price: Decimal,
    pue: Decimal,
    kwh_price: Decimal,
) -> str:
    kw_txt = " + ".join(f"{nc.count} x {num(nc.power_kw)} kW" for nc in classes)
    if oc.power_billing is PowerBilling.PER_KW_MONTH:
        out = f"({kw_txt}) = {num(kw_total)} kW x {unit_price(kw_price)}/kW-month"
        if oc.pue is not None:
            out += " (PUE not applied: the colo kW price includes cooling)"
        return out
    return f"({kw_txt}) = {num(kw_total)} kW x PUE {num(pue)} x {unit_price(kwh_price)}/kWh x 730 h"


def estate_items(
    *,
    s: str,
    classes: tuple[NodeClass, ...],
    marginal: bool,
    annuity: bool,
    capex: tuple[Decimal, Decimal],
    months: tuple[int, str],
    rate: tuple[Decimal, str],
    power: tuple[Decimal, str],
    power_src: tuple[str, ...],
    space: Decimal,
    labour: Decimal,
    support: tuple[Decimal, str],
    currency: str,
) -> tuple[LineItem, ...]:
    """The estate's monthly cost, line by line, each rounded to the cent."""
    capex_total, capex_month = capex
    months_n, months_src = months
    rate_pct, rate_src = rate
    support_pct, support_src = support
    classes_txt = " + ".join(
        f"{nc.count} x {unit_price(nc.capex_usd)} ({nc.name})" for nc in classes
    )
    if annuity:
        capex_formula = (
            f"annuity of ({classes_txt}) = {unit_price(capex_total)} over {months_n} "
            f"months at {num(rate_pct)} %/yr"
        )
    else:
        capex_formula = f"({classes_txt}) = {unit_price(capex_total)} / {months_n} months"
    nil = Money.zero(currency)
    zero = "0 (sunk under cost_basis: marginal)"

    def m(value: Decimal) -> Money:
        return Money.of(value, currency)

    return (
        item(
            CAPEX_LINE,
            nil if marginal else m(capex_month),
            zero if marginal else capex_formula,
            f"{s}.node_classes",
            months_src,
            *((rate_src,) if annuity else ()),
        ),
        item("power", m(power[0]), power[1], *power_src),
        item(
            "space",
            nil if marginal else m(space),
            zero
            if marginal
            else _site_total(space, "space_usd_per_month", "racks, cross-connects or rent"),
            f"{s}.space_usd_per_month",
        ),
        item(
            "labour",
            nil if marginal else m(labour),
            zero
            if marginal
            else _site_total(labour, "labour_usd_per_month", "the staff share that runs the site"),
            f"{s}.labour_usd_per_month",
        ),
        item(
            "support",
            nil if marginal else m(capex_total * support_pct / PCT / MONTHS_PER_YEAR),
            zero if marginal else f"{unit_price(capex_total)} x {num(support_pct)} %/yr / 12",
            support_src,
        ),
    )
