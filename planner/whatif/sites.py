"""Changes to sites: prices (catalogue keys, site price overrides and owned-cost
parameters) and owned capacity. Pure: each returns new values, inputs untouched.

A catalogue price change also applies to sites that override the same key (a 45 % cut of P5
prices cuts a negotiated P5 price too). A capacity change of a site with listed node classes
adds or removes whole nodes, so capex and power follow the capacity.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.nodes import default_node_classes, owned_inputs
from planner.model import (
    Capacity,
    GpuPoolCost,
    GpuPoolMode,
    NodeClass,
    OwnedCost,
    Project,
    Site,
    SiteKind,
)
from planner.money import decimal_of
from planner.whatif.parse import Change, change_error, did_you_mean

SITE_PARAMS: tuple[str, ...] = ("power", "capex", "labour", "space", "gpu-hour")
"""Site-scoped price parameters ``SITE.PARAM`` understands (besides catalogue keys)."""


def matching_keys(pattern: str, keys: Sequence[str]) -> list[str]:
    """Catalogue keys selected by ``pattern``: the key itself, a dotted prefix, or a glob."""
    if pattern in keys:
        return [pattern]
    if any(c in pattern for c in "*?["):
        return sorted(k for k in keys if fnmatch.fnmatchcase(k, pattern))
    return sorted(k for k in keys if k.startswith(pattern + "."))


def replace_site(project: Project, site: Site) -> Project:
    return replace(project, sites=tuple(site if s.name == site.name else s for s in project.sites))


def site_named(project: Project, name: str, change: Change) -> Site:
    try:
        return project.site(name)
    except KeyError:
        names = [s.name for s in project.sites]
        raise change_error(
            change.kind,
            change.text,
            f"unknown site {name!r}",
            f"{did_you_mean(name, names)}sites: {', '.join(sorted(names))}",
        ) from None


def _owned_costs(site: Site) -> list[tuple[str, OwnedCost]]:
    out: list[tuple[str, OwnedCost]] = []
    if site.owned_cost is not None:
        out.append(("owned", site.owned_cost))
    if site.gpu_pool_cost is not None and site.gpu_pool_cost.owned is not None:
        out.append(("gpu_pool", site.gpu_pool_cost.owned))
    return out


def _ensure_owned(site: Site) -> Site:
    """Make the implicit owned-cost inputs explicit (all defaults: the catalogue's), the way
    ``planner.cost`` reads a kubernetes or owned gpu-pool site without cost inputs."""
    if site.kind is SiteKind.KUBERNETES and site.owned_cost is None:
        return replace(site, owned_cost=OwnedCost())
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is None:
            return replace(site, gpu_pool_cost=GpuPoolCost(owned=OwnedCost()))
        if gp.mode is GpuPoolMode.OWNED and gp.owned is None:
            return replace(site, gpu_pool_cost=replace(gp, owned=OwnedCost()))
    return site


def _with_owned(site: Site, where: str, oc: OwnedCost) -> Site:
    if where == "owned":
        return replace(site, owned_cost=oc)
    assert site.gpu_pool_cost is not None  # only returned by _owned_costs when present
    return replace(site, gpu_pool_cost=replace(site.gpu_pool_cost, owned=oc))


def _site_override(site: Site, catalogue: Catalogue, key: str, change: Change) -> Site:
    old = catalogue.value(key, site.price_overrides)
    overrides: dict[str, float | Decimal] = dict(site.price_overrides)
    overrides[key] = change.applied_to(old)
    return replace(site, price_overrides=overrides)


def _apply_site_param(site: Site, param: str, catalogue: Catalogue, change: Change) -> Site:
    if param in ("power", "capex", "labour", "space"):
        site = _ensure_owned(site)
    owned = _owned_costs(site)
    if param == "power":
        if not owned:
            raise change_error(
                "price", change.text, f"site {site.name} has no owned power cost", "-"
            )
        for where, oc in owned:
            new = oc
            if oc.colo_usd_per_kw_month is not None:
                new = replace(
                    new, colo_usd_per_kw_month=change.applied_to(oc.colo_usd_per_kw_month)
                )
            else:
                site = _site_override(site, catalogue, "owned.colo-usd-per-kw-month", change)
            if oc.usd_per_kwh is not None:
                new = replace(new, usd_per_kwh=change.applied_to(oc.usd_per_kwh))
            else:
                site = _site_override(site, catalogue, "owned.usd-per-kwh", change)
            site = _with_owned(site, where, new)
        return site
    if param == "capex":
        if not owned:
            raise change_error("price", change.text, f"site {site.name} has no owned hardware", "-")
        for where, oc in owned:
            if oc.node_classes:
                classes = tuple(
                    replace(nc, capex_usd=change.applied_to(decimal_of(nc.capex_usd)))
                    for nc in oc.node_classes
                )
                site = _with_owned(site, where, replace(oc, node_classes=classes))
            else:
                for key in matching_keys("owned.node.*.capex-usd", list(catalogue.prices)):
                    site = _site_override(site, catalogue, key, change)
        return site
    if param in ("labour", "space"):
        if not owned:
            raise change_error("price", change.text, f"site {site.name} has no owned cost", "-")
        for where, oc in owned:
            if param == "labour":
                new = replace(oc, labour_usd_per_month=change.applied_to(oc.labour_usd_per_month))
            else:
                new = replace(oc, space_usd_per_month=change.applied_to(oc.space_usd_per_month))
            site = _with_owned(site, where, new)
        return site
    if param == "gpu-hour":
        gp = site.gpu_pool_cost
        if gp is None or gp.usd_per_gpu_hour is None:
            raise change_error(
                "price",
                change.text,
                f"site {site.name} has no contract price per GPU-hour",
                "gpu-hour applies to leased or GPUaaS pools; use SITE.capex or SITE.power "
                "for owned pools",
            )
        return replace(
            site, gpu_pool_cost=replace(gp, usd_per_gpu_hour=change.applied_to(gp.usd_per_gpu_hour))
        )
    keys = matching_keys(param, list(catalogue.prices))
    if not keys:
        raise change_error(
            "price",
            change.text,
            f"{param!r} is neither a site parameter nor a catalogue key",
            f"{did_you_mean(param, [*SITE_PARAMS, *catalogue.prices])}site parameters: "
            f"{', '.join(SITE_PARAMS)}; or a catalogue key, dotted prefix or glob",
        )
    for key in keys:
        site = _site_override(site, catalogue, key, change)
    return site


def apply_price(
    project: Project, catalogue: Catalogue, change: Change
) -> tuple[Project, Catalogue, str]:
    head, _, rest = change.target.partition(".")
    if rest and head in {s.name for s in project.sites}:
        site = _apply_site_param(project.site(head), rest, catalogue, change)
        return replace_site(project, site), catalogue, f"{change.describe()} (site {head})"
    keys = matching_keys(change.target, list(catalogue.prices))
    if not keys:
        raise change_error(
            "price",
            change.text,
            f"no catalogue key matches {change.target!r}",
            f"{did_you_mean(change.target, list(catalogue.prices))}give a catalogue key, a "
            "dotted prefix (aws.p5), a glob (aws.*.spot) or SITE.PARAM "
            f"({', '.join(SITE_PARAMS)})",
        )
    overrides = {k: change.applied_to(catalogue.value(k)) for k in keys}
    negative = sorted(k for k, v in overrides.items() if v < 0)
    if negative:
        raise change_error(
            "price", change.text, f"{negative[0]} would be negative", "use a smaller cut"
        )
    catalogue = catalogue.with_overrides(overrides, label=f"what-if {change.text}")
    sites = []
    for s in project.sites:
        hit = [k for k in keys if k in s.price_overrides]
        new: dict[str, float | Decimal] = dict(s.price_overrides)
        for k in hit:
            new[k] = change.applied_to(decimal_of(s.price_overrides[k]))
        sites.append(replace(s, price_overrides=new) if hit else s)
    project = replace(project, sites=tuple(sites))
    shown = keys[0] if len(keys) == 1 else f"{len(keys)} keys ({keys[0]}, ...)"
    return project, catalogue, f"{change.describe()}: {shown}"


def _resource_of(change: Change) -> tuple[str, str, str | None]:
    site, _, res = change.target.partition(".")
    if res in ("cpu", "memory_gib"):
        return site, res, None
    m = re.fullmatch(r"gpus\.([a-z0-9-]+)", res)
    if m:
        return site, "gpus", m.group(1)
    raise change_error(
        "capacity",
        change.text,
        f"unknown resource {res!r}",
        "use SITE.cpu, SITE.memory_gib or SITE.gpus.<type> (e.g. gpu-pool-us.gpus.h100=+64)",
    )


def _grow_nodes(
    classes: tuple[NodeClass, ...], res: str, gpu_type: str | None, delta: float
) -> tuple[tuple[NodeClass, ...], NodeClass | None, int]:
    """Add or remove whole nodes of the class that carries ``res`` (GPU type, or the class
    without GPUs for cpu/memory) so the estate's capex and power follow the capacity."""
    if res == "gpus":
        pick = [nc for nc in classes if nc.gpu_type == gpu_type and nc.gpus > 0]
    else:
        pick = [nc for nc in classes if nc.gpus == 0] or list(classes)
    if not pick or delta == 0:
        return classes, None, 0
    nc = pick[0]
    per_node = {"gpus": nc.gpus, "cpu": nc.cpu, "memory_gib": nc.memory_gib}[res]
    nodes = math.ceil(abs(delta) / per_node) if per_node > 0 else 0
    if delta > 0 and nodes:
        # bought now: an estate of their own, capex cash in month 1 (not sunk)
        added = replace(nc, name=f"{nc.name}-added", count=nodes, purchase_month=1)
        return (*classes, added), nc, nodes
    nodes = -min(nodes, nc.count)
    new = replace(nc, count=nc.count + nodes)
    return tuple(new if c is nc else c for c in classes), nc, nodes


def apply_capacity(
    project: Project, change: Change, catalogue: Catalogue | None = None
) -> tuple[Project, str]:
    """Set or change one resource of an owned site. Nodes it adds are bought now (month 1):
    listed node classes grow by whole nodes; a site without them gets the catalogue's
    default nodes listed, the added ones apart (``catalogue`` given)."""
    name, res, gpu_type = _resource_of(change)
    site = site_named(project, name, change)
    cap = site.capacity
    if cap is None:
        raise change_error(
            "capacity",
            change.text,
            f"{name} is a cloud site: its capacity is unlimited",
            "change the capacity of an owned site (kubernetes or gpu-pool)",
        )
    old = float(cap.gpus.get(gpu_type or "", 0) if res == "gpus" else getattr(cap, res))
    target = change.applied_to(old)
    if target < 0:
        raise change_error(
            "capacity", change.text, f"capacity would be {target:g}", "use a smaller cut"
        )
    note = f"{change.describe()}: {old:g} -> {target:g}"
    owned = _owned_costs(site)
    classes_before = next((oc.node_classes for _, oc in owned if oc.node_classes), ())
    if classes_before:
        where, oc = next((w, o) for w, o in owned if o.node_classes)
        classes, nc, nodes = _grow_nodes(classes_before, res, gpu_type, target - old)
        if nc is not None and nodes:
            site = _with_owned(site, where, replace(oc, node_classes=classes))
            gpus = dict(cap.gpus)
            if nc.gpu_type:
                gpus[nc.gpu_type] = gpus.get(nc.gpu_type, 0) + nodes * nc.gpus
            cap = Capacity(
                cpu=cap.cpu + nodes * nc.cpu,
                memory_gib=cap.memory_gib + nodes * nc.memory_gib,
                gpus={k: v for k, v in sorted(gpus.items()) if v > 0},
            )
            bought = " bought in month 1, capex cash then" if nodes > 0 else ""
            note += f" ({nodes:+d} x {nc.name} nodes{bought}: capex, power and all their resources)"
            return replace_site(project, replace(site, capacity=cap)), note
    if res == "gpus":
        assert gpu_type is not None
        gpus = dict(cap.gpus)
        gpus[gpu_type] = round(target)
        cap = replace(cap, gpus={k: v for k, v in sorted(gpus.items()) if v > 0})
    elif res == "cpu":
        cap = replace(cap, cpu=target)
    else:
        cap = replace(cap, memory_gib=target)
    grown = replace(site, capacity=cap)
    if catalogue is not None and target > old:
        grown, bought = _bought_defaults(site, grown, catalogue)
        if bought:
            note += f" ({bought} bought in month 1, capex cash then)"
    return replace_site(project, grown), note


def _bought_defaults(before: Site, after: Site, catalogue: Catalogue) -> tuple[Site, str]:
    """``after`` (more capacity, no listed node classes) with the catalogue's default nodes
    listed: those ``before`` had, plus the ones the added capacity needs as their own
    classes bought in month 1 (the same nodes, so the same cost, split by purchase)."""
    oc = owned_inputs(after)
    if oc is None:
        return after, ""
    old = {n.name: n for n in default_node_classes(before, catalogue)}
    added = []
    for n in default_node_classes(after, catalogue):
        more = n.count - (old[n.name].count if n.name in old else 0)
        if more > 0:
            added.append(replace(n, name=f"{n.name}-added", count=more, purchase_month=1))
    if not added:
        return after, ""
    site = _ensure_owned(after)
    where, _ = _owned_costs(site)[0]
    classes = (*old.values(), *added)
    site = _with_owned(site, where, replace(oc, node_classes=classes))
    return site, ", ".join(f"{n.count} x {n.name}" for n in added)
