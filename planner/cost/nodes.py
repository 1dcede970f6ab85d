"""The servers of an owned site: its own node classes, or default nodes from the catalogue
(exact prices) for a site that gives only its capacity."""

from __future__ import annotations

import math
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.common import price, site_problem
from planner.errors import InputError
from planner.model import GpuPoolMode, NodeClass, OwnedCost, Site, SiteKind


def owned_inputs(site: Site) -> OwnedCost | None:
    """The owned-cost inputs of a site (kubernetes: ``cost.owned``; gpu-pool in owned mode:
    ``cost.gpu_pool.owned``)."""
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is None:
            return OwnedCost()
        if gp.mode is not GpuPoolMode.OWNED:
            return None
        return gp.owned or OwnedCost()
    if site.kind is SiteKind.KUBERNETES:
        return site.owned_cost or OwnedCost()
    return None


def node_classes(site: Site, oc: OwnedCost, catalogue: Catalogue) -> tuple[NodeClass, ...]:
    """The site's node classes, or ``default_node_classes`` when it lists none."""
    return oc.node_classes or default_node_classes(site, catalogue)


def _default(site: Site, catalogue: Catalogue, shape: str, needed_for: str) -> tuple[Decimal, ...]:
    return tuple(
        price(catalogue, f"owned.node.{shape}.{part}", site, needed_for=needed_for)
        for part in ("capex-usd", "power-kw")
    )


def default_node_classes(site: Site, catalogue: Catalogue) -> tuple[NodeClass, ...]:
    """Node classes for a site that gives capacity but no node classes: GPU nodes of the
    catalogue's default shape per GPU type, then general-purpose nodes for the remaining
    cores (rounded up), priced exactly from the catalogue."""
    cap = site.capacity
    if cap is None:
        raise InputError(
            [
                site_problem(
                    site,
                    "cost",
                    "owned site without node classes or capacity",
                    "list node_classes under cost.owned (or give capacity)",
                )
            ],
            message=f"cannot price owned site {site.name}",
        )
    out: list[NodeClass] = []
    cpu_left = cap.cpu
    for gpu_type, count in sorted(cap.gpus.items()):
        shape = next((n for n in catalogue.node_defaults.values() if n.gpu_type == gpu_type), None)
        if shape is None:
            raise InputError(
                [
                    site_problem(
                        site,
                        "capacity.gpus",
                        f"no default {gpu_type} node in catalogue {catalogue.version}",
                        "list node_classes under cost.owned",
                    )
                ],
                message=f"cannot price owned site {site.name}",
            )
        n = math.ceil(count / max(shape.gpus, 1))
        capex, kw = _default(site, catalogue, shape.name, "default GPU node")
        out.append(
            NodeClass(shape.name, n, shape.cpu, shape.memory_gib, capex, kw, shape.gpus, gpu_type)
        )
        cpu_left -= n * shape.cpu
    gp_shape = catalogue.node_defaults.get("general-purpose")
    if cpu_left > 0 and gp_shape is not None:
        capex, kw = _default(site, catalogue, "general-purpose", "default node")
        out.append(
            NodeClass(
                gp_shape.name,
                math.ceil(cpu_left / gp_shape.cpu),
                gp_shape.cpu,
                gp_shape.memory_gib,
                capex,
                kw,
            )
        )
    return tuple(out)
