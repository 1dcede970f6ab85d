"""Who may talk to whom: each workload's NetworkPolicy peers from the inventory's
``depends_on``, as the stacks' default-deny namespaces need them.

Ingress: from every workload that depends on this one (its pods when they run on the same
site, any address when they run elsewhere), on this workload's ports; a service or
inference workload nobody depends on is an entry point, open on its ports. Egress: to every
dependency (its pods on the same site, any address elsewhere), on the dependency's ports
(every port when it declares none). A CloudNativePG database also admits its own instances
(replication) and the operator (namespace ``cnpg-system``: status on 8000, PostgreSQL), and
egresses anywhere: its instance manager calls the Kubernetes API, whose address a
NetworkPolicy cannot name portably.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from planner.model import Project, Workload, WorkloadKind
from stacks.spec import NetworkSpec, PeerSpec

CNPG_NAMESPACE = "cnpg-system"
CNPG_STATUS_PORT = 8000
ENTRY_KINDS = (WorkloadKind.SERVICE, WorkloadKind.INFERENCE)


def _peers(
    others: Sequence[Workload], here: Collection[str], ports: tuple[int, ...]
) -> list[PeerSpec]:
    out: set[PeerSpec] = set()
    for v in others:
        if v.name in here:
            out.add(PeerSpec(namespace=v.team, workload=v.name, ports=ports))
        else:
            out.add(PeerSpec(ports=ports))
    return sorted(out, key=lambda p: (p.namespace or "", p.workload or "", p.ports))


def network(
    w: Workload,
    project: Project,
    here: Collection[str],
    placed: Collection[str],
    *,
    cnpg: bool,
    callers: Sequence[Workload] | None = None,
) -> NetworkSpec:
    """The peers of ``w`` (``here``: workloads on this site; ``placed``: anywhere;
    ``callers``: the placed workloads depending on ``w`` in inventory order, from the emit
    index - scanned from the inventory when not given)."""
    if callers is None:
        callers = [
            v
            for v in project.workloads
            if v.name in placed and any(d.name == w.name for d in v.depends_on)
        ]
    ports = tuple(w.ports)
    ingress = _peers(callers, here, ports)
    if not callers and w.kind in ENTRY_KINDS and ports:
        ingress = [PeerSpec(ports=ports)]
    egress: list[PeerSpec] = []
    for d in w.depends_on:
        if d.name not in placed:
            continue
        dep = project.workload(d.name)
        egress.extend(_peers([dep], here, tuple(dep.ports)))
    if cnpg:
        ingress.extend(
            [
                PeerSpec(namespace=w.team, workload=w.name, ports=ports),
                PeerSpec(namespace=CNPG_NAMESPACE, ports=(CNPG_STATUS_PORT, *ports)),
            ]
        )
    return NetworkSpec(
        ingress=tuple(dict.fromkeys(ingress)),
        egress=tuple(dict.fromkeys(egress)),
        egress_anywhere=cnpg,
    )
