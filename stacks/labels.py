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
PLANNED_REPLICAS_ANNOTATION = "hybridplan.io/planned-replicas"
"""Replicas the plan sized, where the object runs fewer (a database without an operator)."""
MIGRATION_ANNOTATION = "hybridplan.io/migration"
"""``source:<site>`` / ``target:<site>`` on a database the plan moves between sites."""
PREREQUISITE_ANNOTATION = "hybridplan.io/prerequisite"
"""On a custom resource: the operator (installed on the cluster, declared by the site) whose
CRD it needs (HP-DEP-006 reads it)."""
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
"""pulumi-kubernetes waits, on create and update, until a Deployment, StatefulSet, Job, Pod,
Service or Ingress is ready (10 minutes, then the update fails; the resource docstrings of
pulumi-kubernetes 4.x list the conditions). A Job is ready when it has completed: a
suspended Job never does. Objects Pulumi must not wait for carry this annotation."""


def base_labels(stack: StackInfo) -> dict[str, str]:
    """Labels on every Kubernetes object of the stack. Not the plan id: it changes with
    every input, and would make every re-plan touch every object (it is a stack output)."""
    return {
        "app.kubernetes.io/managed-by": MANAGED_BY,
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
"""Label of the plan id: no longer set on objects (see ``base_labels``); kept so that
``pod_labels`` strips it from labels written by older stacks."""


def pod_labels(labels: dict[str, str]) -> dict[str, str]:
    """The labels of a pod template: ``labels`` without the plan id.

    A pod template must not change when only the plan does (new input digest, new costs):
    every change rolls every pod of a Deployment or StatefulSet, and a Job's template is
    immutable, so Pulumi would replace the Job - killing a running training or batch run.
    The cost stays on the objects' own metadata; the plan id is a stack output."""
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
