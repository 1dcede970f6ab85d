"""``GpuTrainingPool``: Kueue queues and training Jobs on a GPU cluster (Kueue v0.19).

Objects (``kueue.x-k8s.io/v1beta2``):

- a ResourceFlavor per GPU type of this cluster (node labels + the ``nvidia.com/gpu``
  toleration) and a ClusterQueue ``training`` holding the GPU, CPU and memory quota the
  plan gives training here; a LocalQueue ``training`` per team;
- when the plan bursts (a training placement split between this pool and a cloud site):
  a MultiKueueCluster per cloud worker, a MultiKueueConfig listing them, an AdmissionCheck
  (controller ``kueue.x-k8s.io/multikueue``), a ClusterQueue ``training-burst`` with the
  burst quota guarded by that check, and a LocalQueue ``training-burst`` per team;
- on a MultiKueue worker (``serves_burst``): the ``training-burst`` LocalQueues, pointing
  at the local ``training`` ClusterQueue, so that dispatched workloads find their queue;
- the training Jobs (``batch/v1``), created suspended with the
  ``kueue.x-k8s.io/queue-name`` label: the pool share of each workload in ``training``,
  the burst share in ``training-burst`` with ``managedBy: kueue.x-k8s.io/multikueue``.

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

from stacks.labels import (
    USD_ANNOTATION,
    WORKLOAD_ANNOTATION,
    base_labels,
    pod_labels,
    workload_labels,
)
from stacks.spec import BURST_QUEUE, LOCAL_QUEUE, FlavorSpec, GpuTrainingPoolArgs, JobSpec

TYPE = "hybridplan:kueue:GpuTrainingPool"
API = "kueue.x-k8s.io/v1beta2"
GPU = "nvidia.com/gpu"
MULTIKUEUE_CONTROLLER = "kueue.x-k8s.io/multikueue"
GPU_TOLERATION = {"key": GPU, "operator": "Exists", "effect": "NoSchedule"}


def _quota(flavors: tuple[FlavorSpec, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "resources": [
                {"name": "cpu", "nominalQuota": f.cpu},
                {"name": "memory", "nominalQuota": f.memory},
                {"name": GPU, "nominalQuota": f.gpus},
            ],
        }
        for f in flavors
    ]


class GpuTrainingPool(pulumi.ComponentResource):
    """Kueue flavors, queues, MultiKueue burst and the training Jobs of one cluster."""

    def __init__(
        self,
        name: str,
        args: GpuTrainingPoolArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        self._args = args
        stack = args.stack
        labels = base_labels(stack)
        flavor_objs = [self._flavor(f, labels) for f in args.flavors]
        local_cq: list[pulumi.Resource] = []
        if args.flavors:
            local_cq.append(
                k8s.apiextensions.CustomResource(
                    "training-clusterqueue",
                    api_version=API,
                    kind="ClusterQueue",
                    metadata={"name": LOCAL_QUEUE, "labels": labels},
                    spec={
                        "namespaceSelector": self._team_selector(),
                        "queueingStrategy": "BestEffortFIFO",
                        "resourceGroups": [
                            {
                                "coveredResources": ["cpu", "memory", GPU],
                                "flavors": _quota(args.flavors),
                            }
                        ],
                    },
                    opts=pulumi.ResourceOptions(parent=self, depends_on=flavor_objs),
                )
            )
        burst_cq = [self._multikueue(labels)] if args.burst is not None else []
        queues: list[pulumi.Resource] = []
        for team in args.teams:
            queues.append(self._local_queue(team, LOCAL_QUEUE, LOCAL_QUEUE, labels, local_cq))
            if args.burst is not None:
                queues.append(self._local_queue(team, BURST_QUEUE, BURST_QUEUE, labels, burst_cq))
            elif args.serves_burst:
                queues.append(self._local_queue(team, BURST_QUEUE, LOCAL_QUEUE, labels, local_cq))
        for job in args.jobs:
            self._job(job, queues)
        self.register_outputs({"flavors": [f.name for f in args.flavors]})

    # ------------------------------------------------------------------ pieces

    def _team_selector(self) -> dict[str, Any]:
        """Only the namespaces of the teams the plan gives training quota to."""
        return {
            "matchExpressions": [
                {
                    "key": "kubernetes.io/metadata.name",
                    "operator": "In",
                    "values": list(self._args.teams),
                }
            ]
        }

    def _flavor(self, f: FlavorSpec, labels: dict[str, str]) -> pulumi.Resource:
        spec: dict[str, Any] = {
            "nodeLabels": dict(f.node_labels),
            "tolerations": [dict(GPU_TOLERATION)],
        }
        return k8s.apiextensions.CustomResource(
            f"{f.name}-flavor",
            api_version=API,
            kind="ResourceFlavor",
            metadata={"name": f.name, "labels": {**labels, "hybridplan.io/gpu-type": f.gpu_type}},
            spec=spec,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _local_queue(
        self,
        team: str,
        name: str,
        cluster_queue: str,
        labels: dict[str, str],
        deps: list[pulumi.Resource],
    ) -> pulumi.Resource:
        return k8s.apiextensions.CustomResource(
            f"{team}-{name}-localqueue",
            api_version=API,
            kind="LocalQueue",
            metadata={
                "name": name,
                "namespace": team,
                "labels": {**labels, "hybridplan.io/team": team},
            },
            spec={"clusterQueue": cluster_queue},
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )

    def _multikueue(self, labels: dict[str, str]) -> pulumi.Resource:
        burst = self._args.burst
        assert burst is not None
        opts = pulumi.ResourceOptions(parent=self)
        clusters = [
            k8s.apiextensions.CustomResource(
                f"{cluster}-multikueuecluster",
                api_version=API,
                kind="MultiKueueCluster",
                metadata={"name": cluster, "labels": labels},
                spec={
                    "clusterSource": {
                        "kubeConfig": {
                            "locationType": "Secret",
                            "location": burst.kubeconfig_secrets[cluster],
                        }
                    }
                },
                opts=opts,
            )
            for cluster in burst.clusters
        ]
        config = k8s.apiextensions.CustomResource(
            "burst-multikueueconfig",
            api_version=API,
            kind="MultiKueueConfig",
            metadata={"name": BURST_QUEUE, "labels": labels},
            spec={"clusters": list(burst.clusters)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=clusters),
        )
        check = k8s.apiextensions.CustomResource(
            "burst-admissioncheck",
            api_version=API,
            kind="AdmissionCheck",
            metadata={"name": BURST_QUEUE, "labels": labels},
            spec={
                "controllerName": MULTIKUEUE_CONTROLLER,
                "parameters": {
                    "apiGroup": "kueue.x-k8s.io",
                    "kind": "MultiKueueConfig",
                    "name": BURST_QUEUE,
                },
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[config]),
        )
        flavors = [self._flavor(f, labels) for f in burst.flavors]
        return k8s.apiextensions.CustomResource(
            "training-burst-clusterqueue",
            api_version=API,
            kind="ClusterQueue",
            metadata={"name": BURST_QUEUE, "labels": labels},
            spec={
                "namespaceSelector": self._team_selector(),
                "queueingStrategy": "BestEffortFIFO",
                "resourceGroups": [
                    {"coveredResources": ["cpu", "memory", GPU], "flavors": _quota(burst.flavors)}
                ],
                # Applies to every flavor of this queue: Kueue rejects a MultiKueue check
                # scoped with onFlavors (see the module docstring).
                "admissionChecksStrategy": {"admissionChecks": [{"name": BURST_QUEUE}]},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[check, *flavors]),
        )

    def _job(self, job: JobSpec, deps: list[pulumi.Resource]) -> None:
        stack = self._args.stack
        labels = {
            **workload_labels(
                stack,
                name=job.workload,
                team=job.team,
                tier=job.tier,
                cls="ai-training",
                component="training",
            ),
            "kueue.x-k8s.io/queue-name": job.queue,
        }
        annotations = {
            USD_ANNOTATION: job.usd_per_month,
            WORKLOAD_ANNOTATION: job.workload,
            "hybridplan.io/gpu-hours-per-month": job.gpu_hours_per_month,
        }
        limits = {**job.requests, GPU: str(job.gpus_per_pod)}
        spec: dict[str, Any] = {
            "suspend": True,
            "parallelism": job.parallelism,
            "completions": job.parallelism,
            "completionMode": "Indexed",
            "backoffLimit": 6,
            "template": {
                # No plan id, cost or GPU-hours in the (immutable) template: a re-plan
                # must not make Pulumi replace a running Job (see ``pod_labels``).
                "metadata": {
                    "labels": pod_labels(
                        {k: v for k, v in labels.items() if k != "kueue.x-k8s.io/queue-name"}
                    ),
                    "annotations": {WORKLOAD_ANNOTATION: job.workload},
                },
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "nodeSelector": {"hybridplan.io/gpu-type": job.gpu_type},
                    "tolerations": [dict(GPU_TOLERATION)],
                    "containers": [
                        {
                            "name": "trainer",
                            "image": job.image,
                            "resources": {"requests": dict(limits), "limits": dict(limits)},
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "privileged": False,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                },
            },
        }
        if job.multikueue:
            spec["managedBy"] = MULTIKUEUE_CONTROLLER
        k8s.batch.v1.Job(
            f"{job.name}-job",
            metadata={
                "name": job.name,
                "namespace": job.team,
                "labels": labels,
                "annotations": annotations,
            },
            spec=spec,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=deps,
                # Kueue flips spec.suspend when it admits the Job: do not fight it.
                ignore_changes=["spec.suspend"],
            ),
        )
