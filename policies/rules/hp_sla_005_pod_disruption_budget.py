"""HP-SLA-005: Ensure every replicated service has a PodDisruptionBudget."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _matches(pdb: kube.KubeObject, namespace: object, pod_labels: object) -> bool | None:
    """Whether ``pdb`` selects pods with ``pod_labels`` in ``namespace`` (None: unknown)."""
    if rs.is_unknown(pdb.namespace) or rs.is_unknown(namespace):
        return None
    if pdb.namespace != namespace:
        return False
    return kube.selects(pdb.get("spec.selector"), pod_labels)


def _blocks(pdb: kube.KubeObject, replicas: int) -> bool | None:
    """Whether ``pdb`` allows no eviction at all of ``replicas`` pods (None: unknown):
    ``maxUnavailable: 0`` or a ``minAvailable`` of every pod. A node drain then hangs."""
    most = pdb.get("spec.maxUnavailable")
    least = pdb.get("spec.minAvailable")
    if rs.is_unknown(most) or rs.is_unknown(least):
        return None
    if most in (0, "0", "0%"):
        return True
    if least == "100%":
        return True
    return isinstance(least, int | float) and not isinstance(least, bool) and least >= replicas


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    pdbs = [o for o in objects if o.record.type == PDB]
    for o in objects:
        r = o.record
        if r.type not in rs.K8S_REPLICATED:
            continue
        evidence = rs.subject(r)
        replicas = o.get("spec.replicas")
        pod_labels = o.get("spec.template.metadata.labels")
        if rs.is_unknown(replicas) or rs.is_unknown(pod_labels):
            yield Violation(
                "resource",
                r.name,
                f"replicas or pod labels of {r.name} are unknown",
                evidence,
                cannot_evaluate=True,
            )
            continue
        # Kubernetes runs one replica when none is set.
        have = 1 if replicas is None else int(float(str(replicas)))
        if have < 1:
            continue
        results = [_matches(p, o.namespace, pod_labels) for p in pdbs]
        if True in results:
            matching = [p for p, m in zip(pdbs, results, strict=True) if m is True]
            blocking = [p.record.name for p in matching if _blocks(p, have) is True]
            if blocking:
                yield Violation(
                    "resource",
                    r.name,
                    f"PodDisruptionBudget {', '.join(blocking)} allows no eviction of the "
                    f"{have} replica{'s' if have != 1 else ''} of {r.name}: node drains and "
                    "upgrades would hang",
                    {**evidence, "replicas": have, "blocking": blocking},
                )
            elif any(_blocks(p, have) is None for p in matching):
                yield Violation(
                    "resource",
                    r.name,
                    f"a PodDisruptionBudget of {r.name} has an unknown budget",
                    evidence,
                    cannot_evaluate=True,
                )
            continue
        if have < 2:
            continue  # one replica needs no budget (but one that blocks it is reported)
        if None in results:
            yield Violation(
                "resource",
                r.name,
                f"a PodDisruptionBudget selector or namespace is unknown, so {r.name} "
                "cannot be matched",
                evidence,
                cannot_evaluate=True,
            )
            continue
        yield Violation(
            "resource",
            r.name,
            f"{r.name} runs {have} replicas with no PodDisruptionBudget selecting its pods",
            {**evidence, "replicas": have},
        )


RULE = Rule(
    id="HP-SLA-005",
    name="Ensure every replicated service has a PodDisruptionBudget",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="Without a PodDisruptionBudget a node drain or cluster upgrade may evict "
    "every replica of a service at once; with one that allows no eviction (maxUnavailable 0, "
    "minAvailable of every replica, whatever the number of replicas) drains and upgrades "
    "hang.",
    fix="Emit a policy/v1 PodDisruptionBudget in the same namespace whose selector matches "
    "the pod template's labels and that allows at least one eviction (maxUnavailable >= 1).",
    check_resources=check_resources,
    resource_scope="stack",
)
