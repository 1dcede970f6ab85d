"""How a workload's pods run, beyond its size: the user and group, probes, and for a
database its engine, data path, credentials Secret and operator (see
:mod:`planner.images` for the known images)."""

from __future__ import annotations

from planner.images import CREDENTIAL_KEY, SINGLE_PRIMARY, cnpg_image, profile
from planner.model import STATEFUL_KINDS, Site, Workload, WorkloadKind
from stacks.spec import DatabaseSpec, ProbeSpec, SecretRefSpec, SecuritySpec

CNPG = "cloudnative-pg"
"""The CloudNativePG operator, as sites.yaml ``cluster.operators`` names it."""
__all__ = ["CNPG", "SINGLE_PRIMARY", "database", "image_for", "operator", "probe", "security"]


def secret_name(w: Workload) -> str:
    """The existing Secret with a database's credentials (``<name>-credentials`` unless the
    inventory names one)."""
    return w.deploy.secret or f"{w.name}-credentials"


def operator(w: Workload, site: Site) -> str | None:
    """The operator that runs database ``w`` on ``site``, ``None`` for a StatefulSet."""
    known = profile(w.image or "")
    if known is not None and known.engine == "postgres" and CNPG in site.cluster.operators:
        return CNPG
    return None


def security(w: Workload) -> SecuritySpec | None:
    """Explicit user and group: the inventory's, else the known database image's, else
    ``None`` (``runAsNonRoot`` with the image's own numeric user)."""
    d = w.deploy
    if d.run_as_user is not None:
        group = d.run_as_group or d.run_as_user
        return SecuritySpec(d.run_as_user, group, d.fs_group or group)
    known = profile(w.image or "") if w.kind in STATEFUL_KINDS else None
    if known is None:
        return None
    return SecuritySpec(known.uid, known.uid, known.uid)


def probe(w: Workload) -> ProbeSpec | None:
    """The known database's probe command, else a TCP probe on the first port; batch and
    port-less workloads get none (nothing to probe from outside)."""
    if w.kind is WorkloadKind.BATCH:
        return None
    known = profile(w.image or "") if w.kind in STATEFUL_KINDS else None
    if known is not None and known.probe_command:
        return ProbeSpec(command=known.probe_command)
    if w.ports:
        return ProbeSpec(tcp_port=w.ports[0])
    return None


def database(w: Workload, site: Site, planned_replicas: int) -> DatabaseSpec | None:
    """The database section of ``w`` on ``site`` (``None`` for other kinds).
    ``check_inputs`` has refused an unknown image without ``deploy.data_path``."""
    if w.kind not in STATEFUL_KINDS:
        return None
    known = profile(w.image or "")
    op = operator(w, site)
    if op == CNPG:
        return DatabaseSpec(
            engine="postgres",
            data_path=known.data_path if known else "",
            operator=op,
            secret=SecretRefSpec(name=secret_name(w), key=CREDENTIAL_KEY, env=""),
            planned_replicas=planned_replicas,
            snapshot_class=site.cluster.snapshot_class,
        )
    data_path = w.deploy.data_path or (known.data_path if known else "/data")
    return DatabaseSpec(
        engine=known.engine if known else "custom",
        data_path=data_path,
        env=dict(known.env) if known else {},
        args=known.args if known else (),
        secret=SecretRefSpec(name=secret_name(w), key=CREDENTIAL_KEY, env=known.credential_env)
        if known
        else None,
        planned_replicas=planned_replicas,
    )


def image_for(w: Workload, site: Site) -> str:
    """The image the stack runs: CloudNativePG's operand image under that operator."""
    image = w.image or ""  # check_inputs refuses a workload without one
    return cnpg_image(image) if operator(w, site) == CNPG else image
