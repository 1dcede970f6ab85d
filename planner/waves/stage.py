"""A plan as it stands after wave ``k``: what ``emit --wave K`` renders stacks for. Pure.

The workloads moved by waves ``1..k`` are where the plan puts them; every other moved
workload stays where it runs today, priced by its offer there (the usual option of its
current site), with no migration. Workloads that do not move are unchanged. Applying the
stacks of wave 1, then 2, ... moves the estate one wave at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from planner.errors import UsageError
from planner.model import Assignment, Offer, Placement, Plan, PricingOption
from planner.money import Money

_USUAL = (
    PricingOption.OWNED,
    PricingOption.LEASED,
    PricingOption.ON_DEMAND,
    PricingOption.COMMIT_1Y,
    PricingOption.COMMIT_3Y,
)
"""The option a workload is taken to run on today, in order of preference, when the
inventory does not say (``current_option``)."""


def _today(p: Placement, offers: tuple[Offer, ...], option: PricingOption | None) -> Placement:
    here = [o for o in offers if o.site == p.previous_site]
    prefer = (option, *_USUAL) if option is not None else _USUAL
    chosen = next((o for opt in prefer for o in here if o.option is opt), None)
    if chosen is None and here:
        chosen = here[0]
    if chosen is None:
        raise UsageError(
            f"{p.workload} cannot be staged at {p.previous_site}: no priced offer there",
            fix="emit the whole plan (without --wave), or give the site the workload's "
            "resources so it can be priced where it runs today",
        )
    replicas = sum(a.replicas for a in p.assignments)
    return Placement(
        workload=p.workload,
        assignments=(
            Assignment(
                site=chosen.site,
                option=chosen.option,
                replicas=replicas,
                per_month=chosen.per_month,
                instance_type=chosen.instance_type,
            ),
        ),
        per_month=chosen.per_month,
        migration=Money.zero(p.migration.currency),
        previous_site=p.previous_site,
        reason=f"stays at {p.previous_site} until its migration wave",
    )


def plan_at_wave(
    plan: Plan,
    offers: Mapping[str, tuple[Offer, ...]],
    wave: int,
    current_option: Mapping[str, PricingOption | None] | None = None,
) -> Plan:
    """``plan`` after waves ``1..wave`` (``0``: before any; see the module docstring).
    ``current_option``: how each workload is paid for today (inventory), by name. A wave
    the plan does not have is a ``UsageError``."""
    waves = plan.waves
    count = 0 if waves is None else len(waves.waves)
    if not 0 <= wave <= count:
        raise UsageError(
            f"--wave {wave}: the plan has {count} migration wave{'s' if count != 1 else ''}",
            fix=f"give a wave from 0 (nothing moved yet) to {count}",
        )
    if waves is None:
        return plan
    later = {m.workload for m in waves.moves if m.wave > wave}
    options = current_option or {}
    placements = tuple(
        _today(p, offers.get(p.workload, ()), options.get(p.workload)) if p.workload in later else p
        for p in plan.placements
    )
    return replace(plan, placements=placements)
