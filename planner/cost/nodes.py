"""The servers of an owned site, as exact cost inputs: its own node classes, or default
nodes from the catalogue for a site that gives only its capacity."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.common import price, site_problem
from planner.errors import InputError
from planner.model import GpuPoolMode, NodeClass, OwnedCost, Site, SiteKind
from planner.money import decimal_of


@dataclass(frozen=True, slots=True)
class Nodes:
    """A homogeneous group of owned servers with exact prices (``NodeClass`` as priced)."""

    name: str
    count: int
    cpu: float
    memory_gib: float
    capex_usd: Decimal
    """Per server."""
    power_kw: Decimal
    """Per server."""
    gpus: int = 0
    gpu_type: str | None = None

    @classmethod
    def of(cls, nc: NodeClass) -> Nodes:
        """A node class of ``sites.yaml``, its capex and power read exactly."""
        return cls(
            nc.name,
            nc.count,
            nc.cpu,
            nc.memory_gib,
            decimal_of(nc.capex_usd),
            decimal_of(nc.power_kw),
            nc.gpus,
            nc.gpu_type,
        )


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


def site_nodes(site: Site, oc: OwnedCost, catalogue: Catalogue) -> tuple[Nodes, ...]:
    """The site's node classes, or ``default_nodes`` when it lists none."""
    if oc.node_classes:
        return tuple(Nodes.of(nc) for nc in oc.node_classes)
    return default_nodes(site, catalogue)


def _default(site: Site, catalogue: Catalogue, shape: str, needed_for: str) -> tuple[Decimal, ...]:
    return tuple(
        price(catalogue, f"owned.node.{shape}.{part}", site, needed_for=needed_for)
        for part in ("capex-usd", "power-kw")
    )


def default_nodes(site: Site, catalogue: Catalogue) -> tuple[Nodes, ...]:
    """Node classes for a site that gives capacity but no node classes: GPU nodes of the
    catalogue's default shape per GPU type, then general-purpose nodes for the remaining
    cores (rounded up)."""
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
    out: list[Nodes] = []
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
            Nodes(shape.name, n, shape.cpu, shape.memory_gib, capex, kw, shape.gpus, gpu_type)
        )
        cpu_left -= n * shape.cpu
    gp_shape = catalogue.node_defaults.get("general-purpose")
    if cpu_left > 0 and gp_shape is not None:
        capex, kw = _default(site, catalogue, "general-purpose", "default node")
        out.append(
            Nodes(
                gp_shape.name,
                math.ceil(cpu_left / gp_shape.cpu),
                gp_shape.cpu,
                gp_shape.memory_gib,
                capex,
                kw,
            )
        )
    return tuple(out)
