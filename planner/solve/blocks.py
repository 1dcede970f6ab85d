"""Blocks: workloads the solver decides together.

Identical workloads (same team, tier, replicas and the same offers up to the workload name)
aggregate into one *whole* block whose columns are integer counts of members placed on each
offer. A tier-1 workload that could use a site with fewer failure domains than it must span
becomes a *split* block (integer replica counts per offer, plus domain-cover variables). A
training workload becomes a *train* block (continuous fractions of its monthly GPU-hours).
Workloads in a latency-bound dependency are never aggregated (they need their own site
indicators).
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from planner.model import Constraints, Offer, Site, Workload

RELAXABLE_WORDS = ("residency", "pruned", "pinned", "availability", "policy")
"""Ineligible offers whose reason mentions one of these are rules a user may relax; the
infeasibility diagnosis may propose them. Others (GPU type absent, ...) are physical."""


class BlockKind(StrEnum):
    WHOLE = "whole"
    SPLIT = "split"
    TRAIN = "train"


@dataclass(frozen=True, slots=True)
class Block:
    """Workloads decided together. ``units`` is how many units the columns must sum to."""

    index: int
    kind: BlockKind
    members: tuple[str, ...]
    team: str
    tier: int
    replicas: int
    units: float
    per_member: float
    """Units per member: 1 for whole and train blocks, ``replicas`` for split blocks."""
    spread: int
    """Failure domains a split block must cover (0 otherwise)."""
    offers: tuple[Offer, ...]
    """The representative's eligible offers, sorted by (site, option)."""
    relaxable: tuple[Offer, ...] = ()
    """Ineligible offers a user could allow (residency, policy prunes, pins)."""
    current_site: str | None = None
    gpu_hours_per_month: float = 0.0
    pod_gpus: int = 0
    """Train blocks: the GPUs one pod of the Job asks for at once (its declared shape)."""


@functools.lru_cache(maxsize=4096)
def _relaxable_reason(reason: str) -> bool:
    low = reason.lower()
    return any(word in low for word in RELAXABLE_WORDS)


def is_relaxable(offer: Offer) -> bool:
    return _relaxable_reason(offer.reason or "")


def offer_sort_key(o: Offer) -> tuple[str, str]:
    # PricingOption is a StrEnum: its members compare as their string values
    return (o.site, o.option)


_BY_SITE_OPTION = operator.attrgetter("site", "option")
"""``offer_sort_key`` in C, for sorting every workload's offers."""


_Proto = tuple[str, BlockKind, tuple[Workload, ...], tuple[Offer, ...], tuple[Offer, ...], int]


def _signature(w: Workload, offers: Sequence[Offer], relax: Sequence[Offer]) -> tuple[object, ...]:
    def o_sig(o: Offer) -> tuple[object, ...]:
        return (
            o.site,
            o.option,
            o.per_month,
            o.migration,
            tuple(sorted(o.usage.items())),
            o.instance_type,
        )

    return (
        w.team,
        w.tier,
        w.replicas,
        w.current_site,
        tuple(o_sig(o) for o in offers),
        tuple((o.site, o.option, o.per_month, o.reason) for o in relax),
    )


def _rough_signature(
    w: Workload, offers: Sequence[Offer], relax: Sequence[Offer]
) -> tuple[object, ...]:
    """Part of ``_signature``, cheap to build: equal signatures have equal rough ones."""
    return (
        w.team,
        w.tier,
        w.replicas,
        w.current_site,
        len(offers),
        len(relax),
        tuple([o.per_month.cents for o in offers]),  # ints hash in C, Money in Python
    )


def _pays_per_site(offers: Sequence[Offer]) -> bool:
    """Whether the workload holds GPUs on each site it uses (``surge_gpus:<type>``)."""
    return any(k.startswith("surge_gpus:") for o in offers for k in o.usage)


def build_blocks(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
    *,
    aggregate: bool = True,
) -> tuple[Block, ...]:
    """Group workloads into blocks (see the module docstring). ``offers`` holds every offer
    of each workload, eligible or not; pins are applied here."""
    by_site = {s.name: s for s in sites}
    in_latency: set[str] = set()
    names = {w.name for w in workloads}
    for w in workloads:
        for d in w.depends_on:
            if d.max_latency_ms is not None and d.name in names:
                in_latency.update((w.name, d.name))
    k_min = max(1, constraints.min_failure_domains_tier1)
    groups: dict[tuple[object, ...], list[tuple[Workload, tuple[Offer, ...], tuple[Offer, ...]]]]
    groups = defaultdict(list)
    rough: dict[tuple[object, ...], list[tuple[Workload, tuple[Offer, ...], tuple[Offer, ...]]]]
    rough = defaultdict(list)
    singles: list[tuple[BlockKind, Workload, tuple[Offer, ...], tuple[Offer, ...], int]] = []
    for w in sorted(workloads, key=lambda w: w.name):
        all_offers = sorted(offers.get(w.name, ()), key=_BY_SITE_OPTION)
        eligible = [o for o in all_offers if o.eligible and o.site in by_site]
        relax = [o for o in all_offers if not o.eligible and o.site in by_site and is_relaxable(o)]
        if w.pinned_site is not None:
            why = f"pinned to {w.pinned_site}"
            relax += [
                replace(o, eligible=False, reason=why) for o in eligible if o.site != w.pinned_site
            ]
            eligible = [o for o in eligible if o.site == w.pinned_site]
        relax.sort(key=_BY_SITE_OPTION)
        elig = tuple(eligible)
        rel = tuple(relax)
        spread = min(k_min, w.replicas) if w.tier == 1 else 0
        if w.training is not None:
            singles.append((BlockKind.TRAIN, w, elig, rel, 0))
            continue
        needs_split = spread >= 2 and any(
            len(by_site[o.site].failure_domains) < spread for o in (*elig, *rel)
        )
        kind = BlockKind.SPLIT if needs_split else BlockKind.WHOLE
        # a split block aggregates only when its spread is 2 (the cap formulation is exact)
        # and it pays no per-site GPU headroom (a site-use indicator of its own)
        alone = needs_split and (spread != 2 or _pays_per_site(elig))
        if not aggregate or w.name in in_latency or alone:
            singles.append((kind, w, elig, rel, spread))
        else:
            rough[(kind.value, spread, *_rough_signature(w, elig, rel))].append((w, elig, rel))
    # the full signature only where the rough one (a function of it) is shared: distinct
    # workloads are most of a real fleet, and their offers are many
    for key, members in rough.items():
        if len(members) == 1:
            groups[key].append(members[0])
            continue
        for w, elig, rel in members:
            groups[(*key[:2], *_signature(w, elig, rel))].append((w, elig, rel))

    protos: list[_Proto] = []
    for key, members in groups.items():
        ws = tuple(m[0] for m in members)
        kind = BlockKind(str(key[0]))
        spread = int(str(key[1]))
        protos.append((ws[0].name, kind, ws, members[0][1], members[0][2], spread))
    for kind, w, elig, rel, spread in singles:
        protos.append((w.name, kind, (w,), elig, rel, spread))
    protos.sort(key=lambda p: p[0])
    blocks: list[Block] = []
    for i, (_, kind, ws, elig, rel, spread) in enumerate(protos):
        w0 = ws[0]
        per_member = float(w0.replicas) if kind is BlockKind.SPLIT else 1.0
        units = per_member * len(ws) if kind is not BlockKind.TRAIN else 1.0
        blocks.append(
            Block(
                index=i,
                kind=kind,
                members=tuple(w.name for w in ws),
                team=w0.team,
                tier=w0.tier,
                replicas=w0.replicas,
                units=units,
                per_member=per_member,
                spread=spread,
                offers=elig,
                relaxable=rel,
                current_site=w0.current_site,
                gpu_hours_per_month=(
                    w0.training.gpu_hours_per_month if w0.training is not None else 0.0
                ),
                pod_gpus=w0.resources.gpus if w0.training is not None else 0,
            )
        )
    return tuple(blocks)


def latency_dependencies(workloads: Sequence[Workload]) -> dict[str, list[tuple[str, float]]]:
    """Each workload's latency-bound dependencies, sorted."""
    out: dict[str, list[tuple[str, float]]] = {}
    for w in sorted(workloads, key=lambda w: w.name):
        got = sorted(
            (d.name, float(d.max_latency_ms)) for d in w.depends_on if d.max_latency_ms is not None
        )
        if got:
            out[w.name] = got
    return out
