"""A preview for people and programs: the few inputs worth a table column, and the JSON
document ``hybridplan preview --format json`` prints.

``planner.policy`` is imported inside the functions: :mod:`planner.preview` is also imported
by the preview's child process, which needs none of it."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from planner.preview.result import PreviewResource, PreviewResult

if TYPE_CHECKING:
    from planner.model import Finding

_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec.replicas",),
    "kubernetes:apps/v1:StatefulSet": ("spec.replicas", "spec.serviceName"),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ("spec.minReplicas", "spec.maxReplicas"),
    "kubernetes:core/v1:ResourceQuota": ("spec.hard",),
    "kubernetes:batch/v1:Job": ("spec.parallelism", "spec.suspend", "spec.managedBy"),
    "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": (
        "spec.resourceGroups",
        "spec.admissionChecksStrategy",
    ),
    "kubernetes:kueue.x-k8s.io/v1beta2:MultiKueueConfig": ("spec.clusters",),
    "kubernetes:karpenter.sh/v1:NodePool": ("spec.weight", "spec.limits"),
    "aws:eks/accessEntry:AccessEntry": ("principalArn", "type"),
    "aws:budgets/budget:Budget": ("limitAmount", "timeUnit"),
}


def key_inputs(resource: PreviewResource) -> dict[str, Any]:
    """A few inputs worth showing in a table (replicas, GPU quota, budget, names)."""
    from planner.policy.resources import as_list, as_mapping, get

    out: dict[str, Any] = {}
    meta = resource.inputs.get("metadata")
    if isinstance(meta, Mapping) and "name" in meta:
        ns = meta.get("namespace")
        out["k8s"] = f"{ns}/{meta['name']}" if ns else meta["name"]
    for dotted in _KEY_FIELDS.get(resource.type, ()):
        value = get(resource.inputs, dotted)
        if value is not None:
            out[dotted] = value
    if resource.type == "kubernetes:batch/v1:Job":
        containers = as_list(get(resource.inputs, "spec.template.spec.containers"))
        limits = [as_mapping(get(c, "resources.limits")) for c in containers]
        out["nvidia.com/gpu"] = [g.get("nvidia.com/gpu") for g in limits]
    return out


def finding_line(f: Finding) -> str:
    """A preview rule's finding on one line: ``<rule id> <resource>: <message>``."""
    return f"{f.rule_id} {f.scope}: {f.message}"


def failures(result: PreviewResult, findings: Sequence[Finding]) -> tuple[str, ...]:
    """Why the stack fails its preview: the result's problems, then each unwaived
    mandatory finding of the preview rules."""
    from planner.policy import mandatory_failures

    return result.problems + tuple(finding_line(f) for f in mandatory_failures(findings))


def as_json(result: PreviewResult, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    """The machine-readable preview (stable: sorted by URN), with the preview rules'
    findings under ``policy`` (as ``hybridplan check --format json`` writes them)."""
    from planner.policy.output import findings_to_json

    return {
        "stack_dir": result.stack_dir,
        "project": result.project,
        "stack": result.stack,
        "k8s_version": result.k8s_version,
        "ok": not failures(result, findings),
        "problems": list(result.problems),
        "policy": findings_to_json(findings),
        "validated_kubernetes_objects": result.validated,
        "counts": result.counts(),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "custom": r.custom,
                "inputs": copy.deepcopy(dict(r.inputs)),
                "ignore_changes": list(r.ignore_changes),
                "retain_on_delete": r.retain_on_delete,
                "replace_on_changes": list(r.replace_on_changes),
            }
            for r in result.resources
        ],
    }
