"""The training Job of a :class:`~stacks.spec.JobSpec` (``batch/v1``), as Kueue and
Karpenter need it:

- created suspended, labelled with its LocalQueue (``kueue.x-k8s.io/queue-name``) and the
  ``hybridplan-training`` WorkloadPriorityClass; MultiKueue-managed (``managedBy``) for the
  burst share;
- pods with the ``hybridplan-training`` PriorityClass (training outranks tier-3 services),
  the ``hybridplan-training`` ServiceAccount (EKS Pod Identity on AWS), the GPU node selector
  and toleration, whole-GPU requests and limits, EFA devices for multi-node training on EFA
  instances, and ``karpenter.sh/do-not-disrupt`` (Karpenter does not consolidate or drift
  the node of a running trainer);
- a ``podFailurePolicy``: a pod disrupted by preemption, a spot interruption or a node drain
  (``DisruptionTarget``) does not count against ``backoffLimit``; an exit code that says the
  command cannot run (126, 127) fails the Job at once instead of retrying it.
"""

from __future__ import annotations

from typing import Any

from .labels import USD_ANNOTATION, WORKLOAD_ANNOTATION, pod_labels, workload_labels
from .spec import GPU_TAINT, GPU_TYPE_LABEL, TRAINING_SERVICE_ACCOUNT, JobSpec, StackInfo

GPU = "nvidia.com/gpu"
EFA = "vpc.amazonaws.com/efa"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
MULTIKUEUE_CONTROLLER = "kueue.x-k8s.io/multikueue"
TRAINING_PRIORITY_CLASS = "hybridplan-training"
"""Name of both the PriorityClass of training pods and the Kueue WorkloadPriorityClass."""
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
PLANNED_PARALLELISM_ANNOTATION = "hybridplan.io/planned-parallelism"
TRAINER = "trainer"
BACKOFF_LIMIT = 6
POD_FAILURE_POLICY: dict[str, Any] = {
    "rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        {
            "action": "FailJob",
            "onExitCodes": {"containerName": TRAINER, "operator": "In", "values": [126, 127]},
        },
    ]
}
GPU_TOLERATION = {"key": GPU_TAINT, "operator": "Exists", "effect": "NoSchedule"}


def job_metadata(job: JobSpec, stack: StackInfo) -> dict[str, Any]:
    """The Job's own labels and annotations (the plan's figures live here, not in the
    immutable pod template: a re-plan must not replace a running Job)."""
    annotations = {
        USD_ANNOTATION: job.usd_per_month,
        WORKLOAD_ANNOTATION: job.workload,
        "hybridplan.io/gpu-hours-per-month": job.gpu_hours_per_month,
    }
    if job.planned_parallelism is not None:
        annotations[PLANNED_PARALLELISM_ANNOTATION] = str(job.planned_parallelism)
    return {
        "name": job.name,
        "namespace": job.team,
        "labels": {
            **_labels(job, stack),
            QUEUE_LABEL: job.queue,
            PRIORITY_LABEL: TRAINING_PRIORITY_CLASS,
        },
        "annotations": annotations,
    }


def _labels(job: JobSpec, stack: StackInfo) -> dict[str, str]:
    return workload_labels(
        stack,
        name=job.workload,
        team=job.team,
        tier=job.tier,
        cls="ai-training",
        component="training",
    )


def job_spec(job: JobSpec, stack: StackInfo) -> dict[str, Any]:
    """The Job's ``spec`` (see the module docstring)."""
    resources = {**job.requests, GPU: str(job.gpus_per_pod)}
    if job.efa_per_pod > 0:
        resources[EFA] = str(job.efa_per_pod)
    spec: dict[str, Any] = {
        "suspend": True,
        "parallelism": job.parallelism,
        "completions": job.parallelism,
        "completionMode": "Indexed",
        "backoffLimit": BACKOFF_LIMIT,
        "podFailurePolicy": POD_FAILURE_POLICY,
        "template": {
            "metadata": {
                "labels": pod_labels(_labels(job, stack)),
                "annotations": {WORKLOAD_ANNOTATION: job.workload, DO_NOT_DISRUPT: "true"},
            },
            "spec": {
                "restartPolicy": "Never",
                "priorityClassName": TRAINING_PRIORITY_CLASS,
                "serviceAccountName": TRAINING_SERVICE_ACCOUNT,
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "nodeSelector": {GPU_TYPE_LABEL: job.gpu_type},
                "tolerations": [dict(GPU_TOLERATION)],
                "containers": [
                    {
                        "name": TRAINER,
                        "image": job.image,
                        "resources": {"requests": dict(resources), "limits": dict(resources)},
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
    return spec
