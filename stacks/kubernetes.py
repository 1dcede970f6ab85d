"""``KubernetesWorkloads``: the plan's services, databases and batch on one Kubernetes
cluster.

Per team: a Namespace (``restricted`` Pod Security), a ResourceQuota sized from the plan and
the NetworkPolicies of :mod:`.network` (default deny, DNS, training). Per tier present: a
PriorityClass ``hybridplan-tier-<n>``. Per workload: a Deployment (services and inference;
databases: :mod:`.databases`), requests and limits from right-sizing, the planned replicas,
topology spread across failure domains for tier 1, readiness and liveness probes, a
PodDisruptionBudget when replicated, a Service when it has ports, a HorizontalPodAutoscaler
for diurnal and bursty classes, its NetworkPolicy. Batch workloads become a CronJob when the
inventory gives a schedule, else a suspended ``batch/v1`` Job (parallelism = planned
replicas) that the team's scheduler resumes - with ``pulumi.com/skipAwait``, since Pulumi
would otherwise wait for it to complete and fail ``pulumi up`` after 10 minutes. GPU
workloads get the ``hybridplan.io/gpu-type`` node selector and the ``nvidia.com/gpu``
toleration. Every child is named from the workload (or team, or tier), never from a
position.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from . import network
from .databases import CNPG, cnpg_pod_labels, create_database
from .labels import (
    MIGRATION_ANNOTATION,
    PLANNED_REPLICAS_ANNOTATION,
    REPLICAS_TOTAL_ANNOTATION,
    SITES_ANNOTATION,
    SKIP_AWAIT,
    USD_ANNOTATION,
    WORKLOAD_ANNOTATION,
    base_labels,
    selector_labels,
    workload_labels,
)
from .pods import pod_template, priority_class_name
from .spec import KubernetesWorkloadsArgs, WorkloadSpec

TYPE = "hybridplan:kubernetes:KubernetesWorkloads"

PRIORITY_BY_TIER = {1: 100_000, 2: 10_000, 3: 1_000}
"""PriorityClass values: tier 1 preempts tier 2 preempts tier 3 (user range < 1e9)."""
DEFAULT_PRIORITY = 100
JOB_BACKOFF_LIMIT = 6


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
            team_labels = {**base_labels(stack), "hybridplan.io/team": team.name}
            ns = k8s.core.v1.Namespace(
                f"{team.name}-namespace",
                metadata={
                    "name": team.name,
                    "labels": {
                        **team_labels,
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
            in_ns = pulumi.ResourceOptions(parent=self, depends_on=[ns])
            k8s.core.v1.ResourceQuota(
                f"{team.name}-quota",
                metadata={"name": "hybridplan", "namespace": team.name, "labels": team_labels},
                spec={"hard": dict(team.quota)},
                opts=in_ns,
            )
            policies = {"default-deny": network.default_deny(), "allow-dns": network.allow_dns()}
            if team.training:
                policies["allow-training"] = network.allow_training()
            for policy, spec in policies.items():
                k8s.networking.v1.NetworkPolicy(
                    f"{team.name}-{policy}",
                    metadata={"name": policy, "namespace": team.name, "labels": team_labels},
                    spec=spec,
                    opts=in_ns,
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

    def _labels(self, w: WorkloadSpec) -> dict[str, str]:
        return workload_labels(
            self._args.stack, name=w.name, team=w.team, tier=w.tier, cls=w.cls, component=w.kind
        )

    def _metadata(
        self, w: WorkloadSpec, name: str | None = None, extra: dict[str, str] | None = None
    ) -> dict[str, Any]:
        annotations = {USD_ANNOTATION: w.usd_per_month, WORKLOAD_ANNOTATION: w.name}
        if w.replicas_total is not None and len(w.sites) > 1:
            annotations[REPLICAS_TOTAL_ANNOTATION] = str(w.replicas_total)
            annotations[SITES_ANNOTATION] = ",".join(w.sites)
        db = w.database
        if db is not None and db.planned_replicas != w.replicas and db.operator is None:
            annotations[PLANNED_REPLICAS_ANNOTATION] = str(db.planned_replicas)
        if db is not None and db.migration is not None:
            annotations[MIGRATION_ANNOTATION] = f"{db.migration.role}:{db.migration.peer_site}"
        return {
            "name": name or w.name,
            "namespace": w.team,
            "labels": self._labels(w),
            "annotations": {**annotations, **(extra or {})},
        }

    def _workload(self, w: WorkloadSpec) -> None:
        opts = self._opts(w)
        operated = w.database is not None and w.database.operator == CNPG
        if w.kind == "database":
            create_database(w, self._metadata(w), self._labels(w), opts)
        elif w.kind == "batch":
            self._batch(w, opts)
        else:
            self._deployment(w, opts)
        if w.ports and w.kind not in ("database", "batch"):
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
        if w.disruption_budget and not operated:
            k8s.policy.v1.PodDisruptionBudget(
                f"{w.name}-pdb",
                metadata=self._metadata(w),
                spec={"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(w.name)}},
                opts=opts,
            )
        if w.autoscale is not None:
            self._autoscaler(w, opts)
        pods = cnpg_pod_labels(w.name) if operated else selector_labels(w.name)
        policy = network.workload_policy(w, pods)
        if policy is not None:
            k8s.networking.v1.NetworkPolicy(
                f"{w.name}-network-policy",
                metadata=self._metadata(w),
                spec=policy,
                opts=opts,
            )

    def _batch(self, w: WorkloadSpec, opts: pulumi.ResourceOptions) -> None:
        template = pod_template(w, self._labels(w))
        template["spec"]["restartPolicy"] = "OnFailure"
        job = {
            "parallelism": w.replicas,
            "completions": w.replicas,
            "backoffLimit": JOB_BACKOFF_LIMIT,
            "template": template,
        }
        if w.schedule is not None:
            # A CronJob is not awaited; its Jobs are the controller's, not Pulumi's.
            k8s.batch.v1.CronJob(
                f"{w.name}-cronjob",
                metadata=self._metadata(w),
                spec={
                    "schedule": w.schedule,
                    "concurrencyPolicy": "Forbid",
                    "successfulJobsHistoryLimit": 3,
                    "failedJobsHistoryLimit": 3,
                    "jobTemplate": {"spec": job},
                },
                opts=opts,
            )
            return
        k8s.batch.v1.Job(
            f"{w.name}-job",
            metadata=self._metadata(w, extra=SKIP_AWAIT),
            spec={"suspend": True, **job},
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

    def _deployment(self, w: WorkloadSpec, opts: pulumi.ResourceOptions) -> None:
        spec: dict[str, Any] = {
            "selector": {"matchLabels": selector_labels(w.name)},
            "template": pod_template(w, self._labels(w)),
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
            # never apply spec.replicas again - with server-side apply that would conflict
            # with the HPA's scale subresource (failing `pulumi up`) or, forced, cut a
            # scaled-out workload back to its minimum at peak.
            spec["replicas"] = w.autoscale.min_replicas
            deployment_opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(ignore_changes=["spec.replicas"])
            )
        k8s.apps.v1.Deployment(
            f"{w.name}-deployment", metadata=self._metadata(w), spec=spec, opts=deployment_opts
        )

    def _autoscaler(self, w: WorkloadSpec, opts: pulumi.ResourceOptions) -> None:
        assert w.autoscale is not None
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{w.name}-hpa",
            metadata=self._metadata(w),
            spec={
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": w.name},
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
