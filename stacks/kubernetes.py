"""``KubernetesWorkloads``: the plan's services and databases on one Kubernetes cluster.

Per team: a Namespace and a ResourceQuota sized from the plan. Per tier present: a
PriorityClass ``hybridplan-tier-<n>``. Per workload: a Deployment (StatefulSet for
databases, plus its headless Service), requests and limits from right-sizing, the planned
replicas, topology spread across failure domains for tier 1, a PodDisruptionBudget when
replicated, a Service when it has ports, a HorizontalPodAutoscaler for diurnal and bursty
classes. Batch workloads become suspended ``batch/v1`` Jobs (parallelism = planned
replicas): a ready-to-run template the team's scheduler resumes, never a Deployment that
would restart finished work. GPU workloads get the ``hybridplan.io/gpu-type`` node selector
and the ``nvidia.com/gpu`` toleration. Every child is named from the workload (or team, or
tier), never from a position.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from stacks.labels import (
    REPLICAS_TOTAL_ANNOTATION,
    SITES_ANNOTATION,
    USD_ANNOTATION,
    WORKLOAD_ANNOTATION,
    base_labels,
    pod_labels,
    selector_labels,
    workload_labels,
)
from stacks.spec import SPOT_TAINT, KubernetesWorkloadsArgs, WorkloadSpec

TYPE = "hybridplan:kubernetes:KubernetesWorkloads"

PRIORITY_BY_TIER = {1: 100_000, 2: 10_000, 3: 1_000}
"""PriorityClass values: tier 1 preempts tier 2 preempts tier 3 (user range < 1e9)."""
DEFAULT_PRIORITY = 100

ZONE_KEY = "topology.kubernetes.io/zone"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
SPOT_TOLERATION = {"key": SPOT_TAINT, "operator": "Exists", "effect": "NoSchedule"}


def priority_class_name(tier: int) -> str:
    return f"hybridplan-tier-{tier}"


def _pod_security() -> dict[str, Any]:
    return {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def _container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }


class KubernetesWorkloads(pulumi.ComponentResource):
    """Namespaces, quotas, priority classes and the workloads the plan puts on a cluster."""

    namespaces: dict[str, k8s.core.v1.Namespace]

    def __init__(
        self,
        name: str,
        args: KubernetesWorkloadsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        stack = args.stack
        self.namespaces = {}
        for tier in args.priority_tiers:
            k8s.scheduling.v1.PriorityClass(
                priority_class_name(tier),
                metadata={"name": priority_class_name(tier), "labels": base_labels(stack)},
                value=PRIORITY_BY_TIER.get(tier, DEFAULT_PRIORITY),
                global_default=False,
                preemption_policy="PreemptLowerPriority",
                description=f"hybridplan tier {tier} workloads",
                opts=child,
            )
        for team in args.teams:
            ns = k8s.core.v1.Namespace(
                f"{team.name}-namespace",
                metadata={
                    "name": team.name,
                    "labels": {
                        **base_labels(stack),
                        "hybridplan.io/team": team.name,
                        # Every pod emitted here meets the "restricted" Pod Security profile.
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
                # Deleting a namespace deletes everything in it, the PVCs of its databases
                # included: when a re-plan moves a team's last workload off this cluster,
                # Pulumi forgets the namespace and leaves it to the team to delete.
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
            self.namespaces[team.name] = ns
            k8s.core.v1.ResourceQuota(
                f"{team.name}-quota",
                metadata={
                    "name": "hybridplan",
                    "namespace": team.name,
                    "labels": {**base_labels(stack), "hybridplan.io/team": team.name},
                },
                spec={"hard": dict(team.quota)},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[ns]),
            )
        for w in args.workloads:
            self._workload(w)
        self.register_outputs({"namespaces": sorted(self.namespaces)})

    # ------------------------------------------------------------------ per workload

    def _opts(self, w: WorkloadSpec) -> pulumi.ResourceOptions:
        deps: list[pulumi.Resource] = []
        if w.team in self.namespaces:
            deps.append(self.namespaces[w.team])
        return pulumi.ResourceOptions(parent=self, depends_on=deps)

    def _metadata(self, w: WorkloadSpec, name: str | None = None) -> dict[str, Any]:
        annotations = {USD_ANNOTATION: w.usd_per_month, WORKLOAD_ANNOTATION: w.name}
        if w.replicas_total is not None and len(w.sites) > 1:
            annotations[REPLICAS_TOTAL_ANNOTATION] = str(w.replicas_total)
            annotations[SITES_ANNOTATION] = ",".join(w.sites)
        return {
            "name": name or w.name,
            "namespace": w.team,
            "labels": workload_labels(
                self._args.stack,
                name=w.name,
                team=w.team,
                tier=w.tier,
                cls=w.cls,
                component=w.kind,
            ),
            "annotations": annotations,
        }

    def _pod_template(self, w: WorkloadSpec) -> dict[str, Any]:
        labels = workload_labels(
            self._args.stack, name=w.name, team=w.team, tier=w.tier, cls=w.cls, component=w.kind
        )
        container: dict[str, Any] = {
            "name": w.name,
            "image": w.image,
            "resources": {"requests": dict(w.requests), "limits": dict(w.limits)},
            "securityContext": _container_security(),
        }
        if w.ports:
            container["ports"] = [
                {"name": f"p{port}", "containerPort": port, "protocol": "TCP"} for port in w.ports
            ]
        if w.storage is not None:
            container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        spec: dict[str, Any] = {
            "priorityClassName": priority_class_name(w.tier),
            "securityContext": _pod_security(),
            "automountServiceAccountToken": False,
            "containers": [container],
        }
        if w.gpu_type is not None:
            spec["nodeSelector"] = {"hybridplan.io/gpu-type": w.gpu_type}
            spec["tolerations"] = [dict(GPU_TOLERATION)]
            if "spot" in w.option.split("+"):
                # Karpenter's spot NodePools carry this taint: only what the plan put on
                # spot may land there (a tier-1 GPU service never does).
                spec["tolerations"].append(dict(SPOT_TOLERATION))
        if w.spread:
            spec["topologySpreadConstraints"] = [
                {
                    "maxSkew": 1,
                    "topologyKey": ZONE_KEY,
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {"matchLabels": selector_labels(w.name)},
                }
            ]
        # No plan id and no cost in the template: see ``pod_labels``.
        return {
            "metadata": {
                "labels": pod_labels(labels),
                "annotations": {WORKLOAD_ANNOTATION: w.name},
            },
            "spec": spec,
        }

    def _workload(self, w: WorkloadSpec) -> None:
        opts = self._opts(w)
        selector = {"matchLabels": selector_labels(w.name)}
        if w.kind == "database":
            headless = f"{w.name}-headless"
            k8s.core.v1.Service(
                f"{w.name}-headless-service",
                metadata=self._metadata(w, headless),
                spec={
                    "clusterIP": "None",
                    "selector": selector_labels(w.name),
                    "ports": [
                        {"name": f"p{p}", "port": p, "targetPort": p, "protocol": "TCP"}
                        for p in w.ports
                    ],
                },
                opts=opts,
            )
            claim: list[dict[str, Any]] = []
            if w.storage is not None:
                claim = [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": w.storage}},
                        },
                    }
                ]
            k8s.apps.v1.StatefulSet(
                f"{w.name}-statefulset",
                metadata=self._metadata(w),
                spec={
                    "serviceName": headless,
                    "replicas": w.replicas,
                    "podManagementPolicy": "OrderedReady",
                    "selector": selector,
                    "template": self._pod_template(w),
                    "volumeClaimTemplates": claim,
                },
                opts=opts,
            )
        elif w.kind == "batch":
            template = self._pod_template(w)
            template["spec"]["restartPolicy"] = "OnFailure"
            k8s.batch.v1.Job(
                f"{w.name}-job",
                metadata=self._metadata(w),
                spec={
                    "suspend": True,
                    "parallelism": w.replicas,
                    "completions": w.replicas,
                    "backoffLimit": 6,
                    "template": template,
                },
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=opts.depends_on,
                    # Whoever runs the batch flips spec.suspend: do not fight it.
                    ignore_changes=["spec.suspend"],
                    # completions of a (NonIndexed) Job is immutable: a re-plan that changes
                    # the replicas replaces the Job instead of failing `pulumi up`.
                    replace_on_changes=["spec.completions"],
                ),
            )
        else:
            template = self._pod_template(w)
            if w.storage is not None:
                template["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
            spec: dict[str, Any] = {
                "selector": selector,
                "template": template,
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0 if w.tier == 1 else 1, "maxSurge": 1},
                },
            }
            deployment_opts = opts
            if w.autoscale is None:
                spec["replicas"] = w.replicas
            else:
                # The HPA owns the replica count after creation: start at its minimum, and
                # never apply spec.replicas again - with server-side apply that would
                # conflict with the HPA's scale subresource (failing `pulumi up`) or, forced,
                # cut a scaled-out workload back to its minimum at peak.
                spec["replicas"] = w.autoscale.min_replicas
                deployment_opts = pulumi.ResourceOptions.merge(
                    opts, pulumi.ResourceOptions(ignore_changes=["spec.replicas"])
                )
            k8s.apps.v1.Deployment(
                f"{w.name}-deployment",
                metadata=self._metadata(w),
                spec=spec,
                opts=deployment_opts,
            )
        if w.ports and w.kind != "database":
            k8s.core.v1.Service(
                f"{w.name}-service",
                metadata=self._metadata(w),
                spec={
                    "type": "ClusterIP",
                    "selector": selector_labels(w.name),
                    "ports": [
                        {"name": f"p{p}", "port": p, "targetPort": p, "protocol": "TCP"}
                        for p in w.ports
                    ],
                },
                opts=opts,
            )
        if w.disruption_budget:
            k8s.policy.v1.PodDisruptionBudget(
                f"{w.name}-pdb",
                metadata=self._metadata(w),
                spec={"maxUnavailable": 1, "selector": selector},
                opts=opts,
            )
        if w.autoscale is not None:
            target_kind = "StatefulSet" if w.kind == "database" else "Deployment"
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{w.name}-hpa",
                metadata=self._metadata(w),
                spec={
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": target_kind,
                        "name": w.name,
                    },
                    "minReplicas": w.autoscale.min_replicas,
                    "maxReplicas": w.autoscale.max_replicas,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {
                                    "type": "Utilization",
                                    "averageUtilization": w.autoscale.target_cpu_utilization_pct,
                                },
                            },
                        }
                    ],
                },
                opts=opts,
            )
