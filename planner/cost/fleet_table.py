"""A cloud site's service offers for every workload row of a fleet at once (``FleetPricer``).

For one site and option, ``service_table`` walks the batch instance choices of the site's
group (``fleet_choices``) row by row and gives each row the offer's lines and their sum
in cents, with no per-offer objects beyond the shared lines: a service's compute lines
depend only on the chosen instance, its count and packing, the replicas, the tier-1 cap
(and whether it binds) and the billed hours; its storage and egress lines only on the
replicas, the storage per replica and the egress volume. Each distinct combination is
priced once by the scalar line functions (``cloud_lines.compute_lines``, ``fixed_lines``)
on the first row that has it, and every row with the same combination shares the result.

A row is ``None`` where the scalar path must answer (nothing chosen: the reason; a workload
that is not priced by the shared lines: training, managed services, object stores, CDN
egress).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.catalogue import Catalogue
from planner.cost.builders import cents_money
from planner.cost.cache import PriceCache
from planner.cost.cloud import egress_items
from planner.cost.cloud_lines import choice_args, compute_lines, fixed_lines, storage_lines
from planner.cost.common import total
from planner.cost.fleet_choices import Choices
from planner.cost.fleet_facts import ALWAYS, PricedCents, SiteFacts, WorkloadFacts, hours_key
from planner.cost.managed import SERVICES
from planner.cost.priced import Priced
from planner.model import LineItem, PricingOption, Resources, Site, Workload
from planner.money import Money

if TYPE_CHECKING:
    from planner.cost.cloud import CloudPrice

Row = tuple[tuple[LineItem, ...], Money, str]
"""An offer's line items, their sum, and the instance type."""

Lines = tuple[tuple[LineItem, ...], int]
"""Line items and the sum of their cents."""


@dataclass(frozen=True, slots=True)
class RowFacts:
    """What a service row's lines read of its workload, for every row of the batch
    (``None`` where the row is not priced by the shared lines)."""

    rows: tuple[tuple[Workload, Resources], ...]
    shared: tuple[bool, ...]
    """Priced by the shared lines: no training, managed service, object store or CDN egress."""
    replicas: tuple[int, ...]
    caps: tuple[int | None, ...]
    hours: tuple[Hashable, ...]
    """``fleet_facts.hours_key`` of each row's workload."""
    fixed: tuple[tuple[int, float, float], ...]
    """What its storage and egress lines read: replicas, storage per replica, egress."""


def row_facts(rows: Sequence[tuple[Workload, Resources]]) -> RowFacts:
    """``RowFacts`` of the batch rows (in row order)."""
    shared, replicas, caps, hours, fixed = [], [], [], [], []
    for w, req in rows:
        shared.append(
            w.training is None
            and w.objects is None
            and w.kind not in SERVICES
            and w.data.cdn_egress_gib_per_month <= 0
        )
        _, n, cap = choice_args(w, req)
        replicas.append(w.replicas if n is None else n)
        caps.append(cap)
        hours.append(hours_key(w))
        fixed.append((w.replicas, req.storage_gib, w.data.egress_gib_per_month))
    return RowFacts(
        tuple(rows), tuple(shared), tuple(replicas), tuple(caps), tuple(hours), tuple(fixed)
    )


def service_table(
    facts: RowFacts,
    site: Site,
    option: PricingOption,
    choices: Choices,
    catalogue: Catalogue,
    *,
    by_hour: bool,
    always: Hashable,
    tails: dict[Hashable, Lines],
    cache: PriceCache,
) -> list[Row | None]:
    """Every row's service offer on ``site`` under ``option`` (module docstring): the
    lines and sum ``FleetPricer._service`` gives for the row's batch choice. ``tails``:
    the site's storage and egress lines by ``RowFacts.fixed`` (shared by its options)."""
    cur = catalogue.currency
    answers, fits = choices
    heads: dict[Hashable, Lines] = {}
    out: list[Row | None] = []
    caps, hours, fixed, rows = facts.caps, facts.hours, facts.fixed, facts.rows
    for r, chosen in enumerate(answers):
        if chosen is None or not facts.shared[r]:
            out.append(None)
            continue
        n, cap = facts.replicas[r], caps[r]
        binds = cap is not None and fits[r] > cap  # _service_notes: the tier-1 cap binds
        inst = chosen.instance
        billed = hours[r] if by_hour else always
        key = (inst.key, chosen.count, chosen.per_instance, n, cap, binds, billed)
        head = heads.get(key)
        if head is None:
            w, req = rows[r]
            got = compute_lines(w, req, site, catalogue, option=option, chosen=chosen).items
            head = heads[key] = (got, total(got, cur).cents)
        tail = tails.get(fixed[r])
        if tail is None:
            tail = tails[fixed[r]] = _tail(fixed[r], site, catalogue, tails, cache)
        out.append((head[0] + tail[0], cents_money(head[1] + tail[1], cur), inst.name))
    return out


def _tail(
    fixed: tuple[int, float, float],
    site: Site,
    catalogue: Catalogue,
    parts: dict[Hashable, Lines],
    cache: PriceCache,
) -> Lines:
    """``fixed_lines`` (no training) for ``RowFacts.fixed`` = (replicas, storage per
    replica, egress): its storage and egress lines, each shared through ``parts`` by the
    rows with the same storage or the same egress (keys unlike ``RowFacts.fixed``)."""
    replicas, storage_gib, egress_gib = fixed
    skey = ("storage", replicas, storage_gib)
    storage = parts.get(skey)
    if storage is None:
        got = storage_lines(replicas, storage_gib, site, catalogue)
        storage = parts[skey] = (got, cents_of(got))
    ekey = ("egress", egress_gib)
    egress = parts.get(ekey)
    if egress is None:
        got = egress_items(site, catalogue, egress_gib, cache=cache)
        egress = parts[ekey] = (got, cents_of(got))
    return storage[0] + egress[0], storage[1] + egress[1]


def service_lines(
    wf: WorkloadFacts,
    sf: SiteFacts,
    option: PricingOption,
    chosen: CloudPrice,
    catalogue: Catalogue,
    *,
    fit: int,
    by_hour: bool,
    memo: dict[Hashable, Lines],
    cache: PriceCache,
    request: Resources | None = None,
) -> PricedCents:
    """One service offer's cloud lines (a row ``service_table`` leaves to the scalar path:
    a choice not in the batch), from ``memo`` shared by the pricer's sites
    (``compute_lines`` and ``fixed_lines`` on a miss: the key holds everything they read);
    no CDN egress. ``request``: the request priced (the workload's ``wf.request`` when
    ``None``; its declared one for its baseline)."""
    w, site = wf.workload, sf.site
    if request is None:
        request = wf.request
    n, cap = wf.replicas, wf.cap
    assert n is not None
    binds = cap is not None and fit > cap  # _service_notes: the tier-1 cap binds
    hours = wf.by_hour if by_hour else ALWAYS
    inst = chosen.instance
    key = (sf.serial, option, inst.key, chosen.count, chosen.per_instance, n, cap, binds, hours)
    head = memo.get(key)
    if head is None:
        lines = compute_lines(w, request, site, catalogue, option=option, chosen=chosen)
        head = memo[key] = (lines.items, cents_of(lines.items))
    fkey = (sf.serial, n, request.storage_gib, w.data.egress_gib_per_month)
    fixed = memo.get(fkey)
    if fixed is None:
        got = fixed_lines(w, request, site, catalogue, training=False, cache=cache)
        fixed = memo[fkey] = (tuple(got), cents_of(got))
    return Priced(head[0] + fixed[0], instance_type=inst.name), head[1] + fixed[1]


def cents_of(items: Iterable[LineItem]) -> int:
    """The exact sum of the items in cents (``common.total``: a fleet's lines are all
    priced in the catalogue's currency, so there is no mixed sum to refuse)."""
    return sum([i.amount.cents for i in items])
