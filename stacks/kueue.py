"""``GpuTrainingPool``: Kueue queues and training Jobs on a GPU cluster (Kueue v0.19,
``kueue.x-k8s.io/v1beta2``), with quotas the hardware can hold.

- a ResourceFlavor per flavor of the site (owned site: per GPU type; AWS site: per training
  NodePool), annotated with the GPUs its nodes hold for training;
- a Cohort ``hybridplan-training`` and per team a ClusterQueue ``training-<team>`` in it:
  nominal quotas that add up to at most each flavor's GPUs (so a 64-GPU Job is never
  admitted where 56 are free), borrowing limits that keep a team within the flavor,
  preemption of lower-priority work, flavors in the plan's price order; a LocalQueue
  ``training`` per team namespace;
- the ``hybridplan-training`` WorkloadPriorityClass and PriorityClass (training outranks
  tier-3 services, yields to tier 1 and 2) and a ``hybridplan-training`` ServiceAccount per
  team namespace;
- when the plan bursts (a training placement split between this pool and other sites): the
  MultiKueue objects of :mod:`stacks.multikueue`, a ClusterQueue ``training-burst`` guarded
  by the MultiKueue AdmissionCheck, and a LocalQueue ``training-burst`` per team;
- on a MultiKueue worker (``serves_burst``): the ``training-burst`` LocalQueues, pointing at
  the team's local ClusterQueue, and the ServiceAccount, RBAC and token the manager uses;
- the training Jobs of :mod:`stacks.training_jobs`.

Why two queues rather than one queue with two flavors: Kueue refuses a MultiKueue
admission check scoped to some flavors of a ClusterQueue (``onFlavors``; the queue turns
inactive with ``MultiKueueAdmissionCheckAppliedPerFlavor``, kubernetes-sigs/kueue#8987).
So "owned pool first" is the plan's split itself: the share the plan keeps on the pool runs
in the local queue, and only the share it bursts goes through MultiKueue to the cloud.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .labels import base_labels
from .multikueue import manager_objects, worker_access
from .prerequisites import require_kueue
from .spec import (
    BURST_QUEUE,
    COHORT,
    LOCAL_QUEUE,
    TRAINING_SERVICE_ACCOUNT,
    FlavorSpec,
    GpuTrainingPoolArgs,
    QuotaSpec,
    team_queue,
)
from .training_jobs import EFA, GPU, TRAINING_PRIORITY_CLASS, job_metadata, job_spec

TYPE = "hybridplan:kueue:GpuTrainingPool"
API = "kueue.x-k8s.io/v1beta2"
CAPACITY_ANNOTATION = "hybridplan.io/capacity-gpus"
"""On a ResourceFlavor: the GPUs its nodes hold for training (HP-DEP-050 caps quotas at it)."""
TRAINING_PRIORITY = 5_000
"""Between tier 3 (1,000) and tier 2 (10,000) of ``stacks.kubernetes.PRIORITY_BY_TIER``."""


def resource_groups(quotas: tuple[QuotaSpec, ...]) -> list[dict[str, Any]]:
    """One resource group over every flavor: CPU, memory, GPUs and, when any flavor has
    them, EFA devices (a Job asking for a resource its queue does not cover is never
    admitted); GPU borrowing limits where set."""
    efa = any(q.efa for q in quotas)
    covered = ["cpu", "memory", GPU, *([EFA] if efa else [])]
    flavors = []
    for q in quotas:
        gpu: dict[str, Any] = {"name": GPU, "nominalQuota": q.gpus}
        if q.borrowing_limit_gpus is not None:
            gpu["borrowingLimit"] = q.borrowing_limit_gpus
        resources: list[dict[str, Any]] = [
            {"name": "cpu", "nominalQuota": q.cpu},
            {"name": "memory", "nominalQuota": q.memory},
            gpu,
        ]
        if efa:
            resources.append({"name": EFA, "nominalQuota": q.efa})
        flavors.append({"name": q.flavor, "resources": resources})
    return [{"coveredResources": covered, "flavors": flavors}]


class KubernetesObject(pulumi.CustomResource):
    """An object of a custom kind whose fields sit beside ``spec`` (a WorkloadPriorityClass
    has ``value`` and ``description``), which ``k8s.apiextensions.CustomResource`` cannot
    express: registered with the Kubernetes provider's type token, inputs as the object."""

    def __init__(
        self,
        name: str,
        *,
        api_version: str,
        kind: str,
        fields: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"apiVersion": api_version, "kind": kind, **fields}
        super().__init__(f"kubernetes:{api_version}:{kind}", name, props, opts)


class GpuTrainingPool(pulumi.ComponentResource):
    """Kueue flavors, queues, MultiKueue burst and the training Jobs of one cluster."""

    multikueue_token: k8s.core.v1.Secret | None = None
    """On a MultiKueue worker: the token Secret the manager's kubeconfig is built from."""

    def __init__(
        self,
        name: str,
        args: GpuTrainingPoolArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        self._args = args
        labels = base_labels(args.stack)
        self._labels = labels
        child = pulumi.ResourceOptions(parent=self)
        self.kueue_version = require_kueue(self)
        priority = self._priorities()
        accounts = [
            k8s.core.v1.ServiceAccount(
                f"{team}-training-serviceaccount",
                metadata={
                    "name": TRAINING_SERVICE_ACCOUNT,
                    "namespace": team,
                    "labels": {**labels, "hybridplan.io/team": team},
                },
                automount_service_account_token=False,
                opts=child,
            )
            for team in args.teams
        ]
        flavors = [self._flavor(f) for f in args.flavors]
        local: dict[str, pulumi.Resource] = {}
        if args.queues:
            cohort = k8s.apiextensions.CustomResource(
                "training-cohort",
                api_version=API,
                kind="Cohort",
                metadata={"name": COHORT, "labels": labels},
                spec={},
                opts=child,
            )
            for q in args.queues:
                local[q.team] = self._team_queue(q.team, q.quotas, [cohort, *flavors])
        burst_cq = self._burst() if args.burst is not None else None
        queues: list[pulumi.Resource] = []
        for team in args.teams:
            own = [local[team]] if team in local else []
            queues.append(self._local_queue(team, LOCAL_QUEUE, team_queue(team), own))
            if burst_cq is not None:
                queues.append(self._local_queue(team, BURST_QUEUE, BURST_QUEUE, [burst_cq]))
            elif args.serves_burst:
                queues.append(self._local_queue(team, BURST_QUEUE, team_queue(team), own))
        if args.serves_burst:
            self.multikueue_token = worker_access(self, labels)
        for job in args.jobs:
            k8s.batch.v1.Job(
                f"{job.name}-job",
                metadata=job_metadata(job, args.stack),
                spec=job_spec(job, args.stack),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[*queues, *priority, *accounts],
                    # Kueue flips spec.suspend when it admits the Job: do not fight it.
                    ignore_changes=["spec.suspend"],
                ),
            )
        self.register_outputs({"flavors": [f.name for f in args.flavors]})

    # ------------------------------------------------------------------ pieces

    def _priorities(self) -> list[pulumi.Resource]:
        """The WorkloadPriorityClass (Kueue's order) and PriorityClass (the scheduler's)."""
        description = "hybridplan training: above tier-3 services, below tiers 1 and 2"
        return [
            KubernetesObject(
                "training-workloadpriorityclass",
                api_version=API,
                kind="WorkloadPriorityClass",
                fields={
                    "metadata": {"name": TRAINING_PRIORITY_CLASS, "labels": self._labels},
                    "value": TRAINING_PRIORITY,
                    "description": description,
                },
                opts=pulumi.ResourceOptions(parent=self),
            ),
            k8s.scheduling.v1.PriorityClass(
                "training-priorityclass",
                metadata={"name": TRAINING_PRIORITY_CLASS, "labels": self._labels},
                value=TRAINING_PRIORITY,
                global_default=False,
                preemption_policy="PreemptLowerPriority",
                description=description,
                opts=pulumi.ResourceOptions(parent=self),
            ),
        ]

    def _flavor(self, f: FlavorSpec) -> pulumi.Resource:
        return k8s.apiextensions.CustomResource(
            f"{f.name}-flavor",
            api_version=API,
            kind="ResourceFlavor",
            metadata={
                "name": f.name,
                "labels": {**self._labels, "hybridplan.io/gpu-type": f.gpu_type},
                "annotations": {CAPACITY_ANNOTATION: str(f.capacity_gpus)},
            },
            spec={
                "nodeLabels": dict(f.node_labels),
                "tolerations": [
                    {"key": key, "operator": "Exists", "effect": "NoSchedule"}
                    for key in f.tolerations
                ],
            },
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _team_queue(
        self, team: str, quotas: tuple[QuotaSpec, ...], deps: list[pulumi.Resource]
    ) -> pulumi.Resource:
        return k8s.apiextensions.CustomResource(
            f"{team_queue(team)}-clusterqueue",
            api_version=API,
            kind="ClusterQueue",
            metadata={
                "name": team_queue(team),
                "labels": {**self._labels, "hybridplan.io/team": team},
            },
            spec={
                "cohortName": COHORT,
                "namespaceSelector": _namespaces([team]),
                "queueingStrategy": "BestEffortFIFO",
                "preemption": {
                    "withinClusterQueue": "LowerPriority",
                    "reclaimWithinCohort": "Any",
                },
                "resourceGroups": resource_groups(quotas),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )

    def _local_queue(
        self, team: str, name: str, cluster_queue: str, deps: list[pulumi.Resource]
    ) -> pulumi.Resource:
        return k8s.apiextensions.CustomResource(
            f"{team}-{name}-localqueue",
            api_version=API,
            kind="LocalQueue",
            metadata={
                "name": name,
                "namespace": team,
                "labels": {**self._labels, "hybridplan.io/team": team},
            },
            spec={"clusterQueue": cluster_queue},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=deps,
                # Kueue refuses to change a LocalQueue's ClusterQueue (immutable field):
                # when the queue it points at changes, Pulumi replaces the LocalQueue.
                replace_on_changes=["spec.clusterQueue"],
            ),
        )

    def _burst(self) -> pulumi.Resource:
        burst = self._args.burst
        assert burst is not None
        check = manager_objects(self, burst, self._labels)
        flavors = [self._flavor(f) for f in burst.flavors]
        return k8s.apiextensions.CustomResource(
            "training-burst-clusterqueue",
            api_version=API,
            kind="ClusterQueue",
            metadata={"name": BURST_QUEUE, "labels": self._labels},
            spec={
                "namespaceSelector": _namespaces(self._args.teams),
                "queueingStrategy": "BestEffortFIFO",
                "resourceGroups": resource_groups(burst.quotas),
                # Applies to every flavor of this queue: Kueue rejects a MultiKueue check
                # scoped with onFlavors (see the module docstring).
                "admissionChecksStrategy": {"admissionChecks": [{"name": BURST_QUEUE}]},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[check, *flavors]),
        )


def _namespaces(teams: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Only the namespaces of these teams may use the queue."""
    return {
        "matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": list(teams)}
        ]
    }
