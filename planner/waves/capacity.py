"""Capacity of the owned sites month by month, and what each workload uses there. Pure.

* **capacity** of site ``s`` in month ``m``: its usable capacity with the plan (physical x
  target utilisation, servers the plan buys included), less what has not arrived by ``m``:
  a site bought for the plan (``purchase_month >= 1``) has none before that month, bought
  servers none before their delivery month (the lead time);
* **use** of ``s`` during wave ``k``: the workloads that do not move (their parts there;
  those on bought servers from their delivery), the moves of waves ``1..k`` (they arrive at
  the wave's start) and the moves of waves ``k..`` still running at ``s`` today (they leave
  once their wave's double running ends).

Resources checked: ``cpu``, ``memory_gib`` and ``gpus:<type>`` (GPU-hours are a monthly
volume the pool splits, not a room to fit in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from planner.model import Offer, Plan, Project

Usage = Mapping[str, float]
"""Resource -> amount (``cpu`` cores, ``memory_gib``, ``gpus:<type>``)."""

EPSILON = 1e-6
"""Slack of a capacity comparison (usage is summed from floats)."""


def _room(resource: str) -> bool:
    return resource in ("cpu", "memory_gib") or resource.startswith("gpus:")


def _add(into: dict[str, float], usage: Usage, factor: float = 1.0) -> None:
    for res, val in usage.items():
        if _room(res):
            into[res] = into.get(res, 0.0) + val * factor


def _training(usage: Usage) -> dict[str, float]:
    """A training offer's room: its peak GPUs while it runs (as the solver counts them)."""
    out = {k: v for k, v in usage.items() if k in ("cpu", "memory_gib")}
    for k, v in usage.items():
        if k.startswith("gpus:"):
            out[k] = usage.get("peak_" + k, v)
    return out


@dataclass(frozen=True, slots=True)
class WorkloadUse:
    """What one workload uses on each owned site: with the plan (``after``), today
    (``today``, on its current site), and the month its part on bought servers arrives."""

    after: Mapping[str, Usage] = field(default_factory=dict)
    today: Mapping[str, Usage] = field(default_factory=dict)
    ready_month: int = 1


def _offer(offers: Iterable[Offer], site: str, option: str | None = None) -> Offer | None:
    for o in offers:
        if o.site == site and (option is None or o.option.value == option):
            return o
    return None


def workload_uses(
    plan: Plan, project: Project, offers: Mapping[str, tuple[Offer, ...]]
) -> dict[str, WorkloadUse]:
    """Every placed workload's use of the sites that have a capacity (``offers``: each
    workload's priced offers, ``Candidates.all_offers``)."""
    owned = {s.name for s in project.sites if s.capacity is not None}
    arrive = {(b.site, b.node_class): max(1, b.month) for b in plan.purchases}
    out: dict[str, WorkloadUse] = {}
    for p in plan.placements:
        w = project.find_workload(p.workload)
        mine = offers.get(p.workload, ())
        total = sum(a.replicas for a in p.assignments) or 1
        after: dict[str, dict[str, float]] = {}
        ready = 1
        for a in p.assignments:
            if a.bought:
                ready = max(ready, arrive.get((a.site, a.bought), 1))
            o = _offer(mine, a.site, a.option.value)
            if a.site not in owned or o is None:
                continue
            if a.gpu_hours_per_month is not None and w is not None and w.training:
                share = a.gpu_hours_per_month / w.training.gpu_hours_per_month
                _add(after.setdefault(a.site, {}), _training(o.usage), share)
            else:
                _add(after.setdefault(a.site, {}), o.usage, a.replicas / total)
        today: dict[str, dict[str, float]] = {}
        if p.previous_site is not None and p.previous_site in owned:
            o = _offer(mine, p.previous_site)
            if o is not None:
                room = _training(o.usage) if w is not None and w.training else o.usage
                _add(today.setdefault(p.previous_site, {}), room)
        out[p.workload] = WorkloadUse(after, today, ready)
    return out


@dataclass(frozen=True, slots=True)
class SiteRoom:
    """One owned site's usable capacity, and when its parts arrive."""

    site: str
    capacity: Mapping[str, float]
    """With the plan (bought servers included)."""
    from_month: int = 1
    """The site itself is usable from this month (bought for the plan)."""
    arrivals: tuple[tuple[int, Mapping[str, float]], ...] = ()
    """(delivery month, usable capacity) of the servers the plan buys here."""

    def at(self, month: int) -> dict[str, float]:
        """Usable capacity in ``month``."""
        if month < self.from_month:
            return {}
        cap = {k: v for k, v in self.capacity.items() if _room(k)}
        for when, extra in self.arrivals:
            if when > month:
                for res, val in extra.items():
                    if res in cap:
                        cap[res] = cap[res] - val
        return cap


def site_rooms(plan: Plan, project: Project) -> tuple[SiteRoom, ...]:
    """The owned sites' rooms, sorted by site."""
    usage = {u.site: u for u in plan.site_usage}
    starts = {e.site: max(1, e.purchase_month) for e in plan.estates}
    out = []
    for site in sorted(project.sites, key=lambda s: s.name):
        if site.capacity is None or site.name not in usage:
            continue
        models = {b.name: b for b in site.buy}
        arrivals = []
        for b in plan.purchases:
            m = models.get(b.node_class)
            if b.site != site.name or m is None:
                continue
            u = site.target_utilisation * b.units
            extra = {"cpu": m.cpu * u, "memory_gib": m.memory_gib * u}
            if m.gpus and m.gpu_type:
                extra[f"gpus:{m.gpu_type}"] = m.gpus * u
            arrivals.append((max(1, b.month), extra))
        out.append(
            SiteRoom(
                site.name, usage[site.name].capacity, starts.get(site.name, 1), tuple(arrivals)
            )
        )
    return tuple(out)


def use_in_wave(
    site: str,
    wave_of: Mapping[str, int],
    wave: int,
    month: int,
    uses: Mapping[str, WorkloadUse],
) -> dict[str, float]:
    """What ``site`` holds during ``wave`` (starting in ``month``) when the moved workloads
    move in the waves ``wave_of`` gives them (a move not yet scheduled: a wave number past
    every wave, so it is still where it runs today); see the module docstring."""
    used: dict[str, float] = {}
    for name in sorted(uses):
        u = uses[name]
        k = wave_of.get(name)
        if k is None:  # does not move: where the plan puts it, once its servers arrive
            if site in u.after and u.ready_month <= month:
                _add(used, u.after[site])
            continue
        if k <= wave and site in u.after:
            _add(used, u.after[site])
        if k >= wave and site in u.today:
            _add(used, u.today[site])
    return used


def overflow(room: SiteRoom, used: Usage, month: int) -> str | None:
    """``colo-us cpu 260.0 > 240.0 in month 3`` when ``used`` does not fit, else ``None``."""
    return overflow_of(room.site, room.at(month), used, month)


def overflow_of(site: str, cap: Mapping[str, float], used: Usage, month: int) -> str | None:
    """``overflow`` with the site's capacity in ``month`` (``SiteRoom.at``) given."""
    for res in sorted(used):
        have = cap.get(res, 0.0)
        if used[res] > have + EPSILON * max(1.0, have):
            return f"{site} {res} {used[res]:.1f} > {have:.1f} in month {month}"
    return None
