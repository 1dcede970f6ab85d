"""The cloud instance choices of a whole fleet for ``FleetPricer``, kept per site group,
option and workload row (not in the ``PriceCache``: dropped with the pricer).

``fleet_choices`` answers, with ``choose_batch.choose_rows`` (one request x
instance matrix per site group and option), what ``cloud.choose`` answers for every
instance-choosing workload at its request; and primes the ``PriceCache`` with the choices
at each workload's declared size on its current site (its baseline and double running).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.choose_batch import Query, choose_rows, prime_cloud_choices, queries_for
from planner.cost.cloud import INSTANCE_OPTIONS, CloudPrice
from planner.cost.cloud_lines import choice_args
from planner.cost.managed import SERVICES
from planner.errors import InputError
from planner.model import PricingOption, Project, Resources, Site, Workload

Choices = tuple[list["CloudPrice | None"], list[int]]
"""Per workload row: the batch instance choice (``None``: the scalar path says why) and
the replicas per instance before the cap (-1: nothing fits whatever the option)."""

Columns = tuple[list[int], list[Resources], list["int | None"], list["int | None"]]
"""The instance-choosing rows as columns: row, request, replicas, cap."""

Groups = Mapping[Hashable, tuple[Site, set[PricingOption]]]
"""Per site group (provider, price region, overrides): one of its sites and the options
its sites sell."""


@dataclass(frozen=True, slots=True)
class FleetChoices:
    """The batch choices of a fleet (module docstring)."""

    rows: Mapping[str, tuple[int, Workload, Resources]]
    """Workload name -> its row, and the workload and request it was answered for."""
    choices: Mapping[tuple[Hashable, PricingOption], Choices]
    """(site group, option) -> the answers by row; absent where the group's prices raise
    an input error (the scalar path raises it, located)."""
    order: tuple[tuple[Workload, Resources], ...] = ()
    """The workload and request of each row, in row order."""

    def row(self, workload: Workload, request: Resources) -> int:
        """The row answered for ``workload`` at ``request``; -1 when none was."""
        hit = self.rows.get(workload.name)
        if (
            hit is not None
            and (hit[1] is workload or hit[1] == workload)
            and (hit[2] is request or hit[2] == request)
        ):
            return hit[0]
        return -1


def fleet_choices(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    groups: Groups,
    *,
    cache: PriceCache,
) -> FleetChoices:
    """Every instance choice of ``project``'s workloads (at ``requests``, else declared) on
    the cloud site ``groups``; the current sites' choices primed into ``cache``."""
    rows: dict[str, tuple[int, Workload, Resources]] = {}
    ordered: list[tuple[Workload, Resources]] = []
    for w in sorted(project.workloads, key=lambda w: w.name):
        req = requests.get(w.name, w.resources)
        rows[w.name] = (len(ordered), w, req)
        ordered.append((w, req))
    choices: dict[tuple[Hashable, PricingOption], Choices] = {}
    columns = _columns(ordered)
    for gkey, (site, options) in groups.items():
        for option in sorted(options):
            if option in INSTANCE_OPTIONS:
                got = _group(site, option, ordered, catalogue, columns)
                if got is not None:
                    choices[(gkey, option)] = got
    # what each workload pays today: priced for its baseline and double running
    sites = {s.name: s for s in project.sites}
    current: list[Query] = []
    for w, _ in ordered:
        cur = sites.get(w.current_site) if w.current_site is not None else None
        if cur is not None:
            current.extend(queries_for(w, w.resources, (cur,)))
    prime_cloud_choices(current, catalogue, cache)
    return FleetChoices(rows, choices, tuple(ordered))


def _group(
    site: Site,
    option: PricingOption,
    rows: list[tuple[Workload, Resources]],
    catalogue: Catalogue,
    columns: Columns,
) -> Choices | None:
    """The choices of every instance-choosing workload on one site group and option."""
    at, requests, replicas, caps = columns
    if option is PricingOption.CAPACITY_BLOCK:  # sold for GPU instances only
        gpu = [n for n, r in enumerate(requests) if r.gpus > 0]
        at = [at[n] for n in gpu]
        requests, replicas, caps = (
            [requests[n] for n in gpu],
            [replicas[n] for n in gpu],
            [caps[n] for n in gpu],
        )
    if not at:
        return None
    try:
        answers, fits = choose_rows(
            site, option, catalogue, requests=requests, replicas=replicas, caps=caps
        )
    except InputError:
        return None  # the scalar path raises it again, located
    out: list[CloudPrice | None] = [None] * len(rows)
    packed = [0] * len(rows)
    for n, answer, fit in zip(at, answers, fits, strict=True):
        out[n] = answer
        packed[n] = fit
    return out, packed


def _columns(rows: list[tuple[Workload, Resources]]) -> Columns:
    """The rows that choose an instance (no managed service or object store), as columns:
    row, request, replicas and cap (``choice_args``)."""
    at: list[int] = []
    requests: list[Resources] = []
    replicas: list[int | None] = []
    caps: list[int | None] = []
    for n, (w, req) in enumerate(rows):
        if w.kind in SERVICES or w.objects is not None:
            continue
        _, k, cap = choice_args(w, req)
        at.append(n)
        requests.append(req)
        replicas.append(k)
        caps.append(cap)
    return at, requests, replicas, caps
