"""Purchasing changes: how the plan buys capacity, apart from where it runs (issue #12).

For every part of a placement on a cloud site whose pricing option differs from what the
workload pays there today (``planner.cost.migration.baseline_option``):

* a **commitment to sign** (commit-1y, commit-3y; also for a workload that moves or is new:
  the reviewer signs it all the same). Its committed amount is the offer's compute line
  (billed every hour of the term, whatever the workload uses) for this part
  (``per_month`` share of the offer), ``x term_months`` over the term. Its **break-even
  utilisation** is ``committed / on-demand at 730 h`` for the same part: the share of the
  hours the workload must run for the commitment to cost no more than paying on demand
  for the hours used (an on-demand offer priced for a declared ``hours_per_month`` is
  scaled back to 730 h). Training's on demand is priced per GPU-hour used: its 730 h
  figure is that price x the GPU-hours the commitment bills (whole instances every hour),
  so the break-even is the committed GPU-hour rate / the on-demand one;
* a **commitment to let lapse**: today on a commitment, with the plan on another option
  on the same site, or moved away (the move's saving);
* **spot adopted**, or **another option** (on-demand, capacity blocks).

A workload that stays on its site in one part has its own saving: today's monthly cost
(``Plan.workload_baseline_per_month``) less the plan's (right-sizing included). Option
changes of a moved workload other than a commitment are part of the move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from planner.cost.cloud_lines import billed_hours
from planner.cost.common import HOURS
from planner.cost.migration import baseline_option
from planner.model import (
    Assignment,
    Offer,
    Placement,
    PricingOption,
    Project,
    PurchasingChange,
    SiteKind,
    Workload,
)
from planner.money import Money

KINDS: tuple[str, ...] = ("sign", "lapse", "spot", "other")
"""The kinds of change, in the order reports list them."""
UTILISATION_DIGITS = Decimal("0.0001")


def _kind(before: PricingOption | None, after: PricingOption) -> str:
    if after.term_months:
        return "sign"
    if before is not None and before.term_months:
        return "lapse"
    return "spot" if after is PricingOption.SPOT else "other"


def _compute(offer: Offer | None) -> Money | None:
    """The offer's compute (or GPU-hours) line: what a commitment commits to."""
    if offer is None:
        return None
    for li in offer.line_items:
        if li.name.startswith(("compute (", "GPU-hours (")):
            return li.amount
    return None


def _offer(offers: Sequence[Offer], site: str, option: PricingOption) -> Offer | None:
    return next((o for o in offers if o.site == site and o.option is option), None)


def _commitment(
    w: Workload, a: Assignment, offers: Sequence[Offer]
) -> tuple[Money | None, Money | None, Decimal | None]:
    """(committed per month, on-demand at 730 h per month, break-even utilisation) of
    part ``a`` on a commitment."""
    chosen = _offer(offers, a.site, a.option)
    committed = _compute(chosen)
    if chosen is None or committed is None or not chosen.per_month:
        return None, None, None
    share = Fraction(a.per_month.cents, chosen.per_month.cents)
    committed = committed.times(share)
    od_offer = _offer(offers, a.site, PricingOption.ON_DEMAND)
    od = _compute(od_offer)
    if od is None or od_offer is None:
        return committed, None, None
    factor = _to_full(w, od_offer, chosen)
    if factor is None:
        return committed, None, None
    full = od.times(share * factor)
    if not full:
        return committed, None, None
    ratio = Decimal(committed.cents) / Decimal(full.cents)
    return committed, full, ratio.quantize(UTILISATION_DIGITS, rounding=ROUND_HALF_EVEN)


def _to_full(w: Workload, od_offer: Offer, chosen: Offer) -> Fraction | None:
    """The factor from the on-demand compute line to on demand for the capacity the
    commitment bills every hour: 730 h / the hours on demand bills, or for training the
    GPU-hours the commitment bills / the GPU-hours on demand bills (the used ones)."""
    if w.training is None:
        hours, _ = billed_hours(w, PricingOption.ON_DEMAND)
        return Fraction(HOURS) / Fraction(hours)
    used, billed = od_offer.billed_gpu_hours, chosen.billed_gpu_hours
    if not used or not billed:
        return None
    return Fraction(billed) / Fraction(used)


def _changes_of(
    p: Placement, w: Workload, project: Project, offers: Sequence[Offer], base: Money | None
) -> list[PurchasingChange]:
    out: list[PurchasingChange] = []
    single = len(p.assignments) == 1
    if p.moved and p.previous_site is not None and p.assignments:
        was = baseline_option(project.site(p.previous_site), w.current_option)
        if was.term_months and project.site(p.previous_site).kind is SiteKind.CLOUD:
            out.append(
                PurchasingChange(
                    p.workload,
                    p.previous_site,
                    "lapse",
                    was,
                    p.assignments[0].option,
                    p.per_month,
                    moved=True,
                )
            )
    for a in p.assignments:
        site = project.site(a.site)
        if site.kind is not SiteKind.CLOUD:
            continue
        here = a.site == p.previous_site
        before_opt = baseline_option(site, w.current_option) if here else None
        if before_opt is a.option:
            continue
        kind = _kind(before_opt, a.option)
        if not here and kind != "sign":
            continue  # the move's
        before = base if here and single else None
        committed = full = ratio = None
        if kind == "sign":
            committed, full, ratio = _commitment(w, a, offers)
        term = a.option.term_months
        out.append(
            PurchasingChange(
                workload=p.workload,
                site=a.site,
                kind=kind,
                from_option=before_opt,
                to_option=a.option,
                after_per_month=a.per_month,
                before_per_month=before,
                saving_per_month=None if before is None else before - a.per_month,
                moved=not here,
                term_months=term,
                committed_per_month=committed,
                committed_total=None if committed is None else committed * term,
                on_demand_per_month=full,
                break_even_utilisation=ratio,
            )
        )
    return out


def purchasing_changes(
    placements: Sequence[Placement],
    project: Project,
    offers: Mapping[str, Sequence[Offer]],
    baseline: Mapping[str, Money],
) -> tuple[PurchasingChange, ...]:
    """Every purchasing change of ``placements`` (see the module docstring), by kind,
    workload and site."""
    out: list[PurchasingChange] = []
    for p in placements:
        w = project.find_workload(p.workload)
        if w is None:
            continue
        out.extend(_changes_of(p, w, project, offers.get(p.workload, ()), baseline.get(w.name)))
    return tuple(sorted(out, key=lambda c: (KINDS.index(c.kind), c.workload, c.site)))
