"""HP-SLA-005: Ensure every replicated service has a PodDisruptionBudget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _namespace(r: rs.ResourceRecord) -> object:
    ns = rs.get(r.props, "metadata.namespace")
    return "default" if ns is None else ns


def _matches(
    pdb: rs.ResourceRecord, namespace: object, pod_labels: Mapping[str, object]
) -> bool | None:
    """Whether ``pdb`` selects pods with ``pod_labels`` in ``namespace`` (None: unknown)."""
    pdb_ns = _namespace(pdb)
    selector = rs.get(pdb.props, "spec.selector.matchLabels")
    if rs.is_unknown(pdb_ns) or rs.is_unknown(namespace) or rs.is_unknown(selector):
        return None
    wanted = rs.as_mapping(selector)
    if pdb_ns != namespace or not wanted:
        return False
    if any(rs.is_unknown(v) for v in wanted.values()):
        return None
    return all(pod_labels.get(k) == v for k, v in wanted.items())


def _blocks(pdb: rs.ResourceRecord, replicas: int) -> bool | None:
    """Whether ``pdb`` allows no eviction at all of ``replicas`` pods (None: unknown):
    ``maxUnavailable: 0`` or a ``minAvailable`` of every pod. A node drain then hangs."""
    most = rs.get(pdb.props, "spec.maxUnavailable")
    least = rs.get(pdb.props, "spec.minAvailable")
    if rs.is_unknown(most) or rs.is_unknown(least):
        return None
    if most in (0, "0", "0%"):
        return True
    if least == "100%":
        return True
    return isinstance(least, int | float) and not isinstance(least, bool) and least >= replicas


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    pdbs = [r for r in ctx.resources if r.type == PDB]
    for r in ctx.resources:
        if r.type not in rs.K8S_REPLICATED:
            continue
        evidence = rs.subject(r)
        replicas = rs.get(r.props, "spec.replicas")
        pod_labels = rs.get(r.props, "spec.template.metadata.labels")
        if rs.is_unknown(replicas) or rs.is_unknown(pod_labels):
            yield Violation(
                "resource",
                r.name,
                f"replicas or pod labels of {r.name} are unknown",
                evidence,
                cannot_evaluate=True,
            )
            continue
        if replicas is None or int(float(str(replicas))) < 2:
            continue
        results = [_matches(p, _namespace(r), rs.as_mapping(pod_labels)) for p in pdbs]
        if True in results:
            have = int(float(str(replicas)))
            matching = [p for p, m in zip(pdbs, results, strict=True) if m is True]
            blocking = [p.name for p in matching if _blocks(p, have) is True]
            if blocking:
                yield Violation(
                    "resource",
                    r.name,
                    f"PodDisruptionBudget {', '.join(blocking)} allows no eviction of the "
                    f"{have} replicas of {r.name}: node drains and upgrades would hang",
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
            f"{r.name} runs {int(float(str(replicas)))} replicas with no PodDisruptionBudget "
            "selecting its pods",
            {**evidence, "replicas": int(float(str(replicas)))},
        )


RULE = Rule(
    id="HP-SLA-005",
    name="Ensure every replicated service has a PodDisruptionBudget",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="Without a PodDisruptionBudget a node drain or cluster upgrade may evict "
    "every replica of a service at once; with one that allows no eviction (maxUnavailable 0, "
    "minAvailable of every replica) drains and upgrades hang.",
    fix="Emit a policy/v1 PodDisruptionBudget in the same namespace whose selector matches "
    "the pod template's labels and that allows at least one eviction (maxUnavailable >= 1).",
    check_resources=check_resources,
    resource_scope="stack",
)
