"""Labels, annotations and tags shared by every component."""

from __future__ import annotations

from .spec import StackInfo

MANAGED_BY = "hybridplan"
USD_ANNOTATION = "hybridplan.io/usd-per-month"
WORKLOAD_ANNOTATION = "hybridplan.io/workload"
REPLICAS_TOTAL_ANNOTATION = "hybridplan.io/replicas-total"
"""The workload's replicas over every site of the plan (on a workload split across sites)."""
SITES_ANNOTATION = "hybridplan.io/sites"
"""The sites the plan spreads the workload over, comma-separated (on a split workload)."""


def base_labels(stack: StackInfo) -> dict[str, str]:
    """Labels on every Kubernetes object of the stack."""
    return {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        PLAN_LABEL: stack.plan_id,
        "hybridplan.io/site": stack.site,
    }


def workload_labels(
    stack: StackInfo, *, name: str, team: str, tier: int, cls: str, component: str
) -> dict[str, str]:
    """Labels of one workload's objects: ``app.kubernetes.io/*`` and ``hybridplan.io/*``."""
    return {
        **base_labels(stack),
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": team,
        "hybridplan.io/team": team,
        "hybridplan.io/tier": str(tier),
        "hybridplan.io/class": cls,
    }


PLAN_LABEL = "hybridplan.io/plan"


def pod_labels(labels: dict[str, str]) -> dict[str, str]:
    """The labels of a pod template: ``labels`` without the plan id.

    A pod template must not change when only the plan does (new input digest, new costs):
    every change rolls every pod of a Deployment or StatefulSet, and a Job's template is
    immutable, so Pulumi would replace the Job - killing a running training or batch run.
    The plan id and the cost stay on the objects' own metadata."""
    return {k: v for k, v in labels.items() if k != PLAN_LABEL}


def selector_labels(name: str) -> dict[str, str]:
    """The immutable selector of a workload's pods (a subset of its labels)."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def cost_tags(stack: StackInfo, **extra: str) -> dict[str, str]:
    """Cost-allocation tags on every AWS resource (activate them in the billing console)."""
    return {
        "hybridplan:site": stack.site,
        "hybridplan:plan": stack.plan_id,
        "hybridplan:env": stack.env,
        "managed-by": MANAGED_BY,
        **extra,
    }
