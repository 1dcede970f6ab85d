"""The pod template of a workload: container, resources, user and group, probes, the data
volume and the Secret it reads, placement (priority, GPU, zone spread).

Every pod meets the ``restricted`` Pod Security profile: non-root (with an explicit UID and
GID when the config gives them, so an image whose ``USER`` is root still starts), seccomp
``RuntimeDefault``, no privilege escalation, every capability dropped, no service account
token. The template holds no plan id and no cost (see :func:`~.labels.pod_labels`).
"""

from __future__ import annotations

from typing import Any

from .labels import WORKLOAD_ANNOTATION, pod_labels, selector_labels
from .spec import SPOT_TAINT, ProbeSpec, WorkloadSpec

ZONE_KEY = "topology.kubernetes.io/zone"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
SPOT_TOLERATION = {"key": SPOT_TAINT, "operator": "Exists", "effect": "NoSchedule"}
DATA_VOLUME = "data"

PROBE_TIMINGS = {
    "readiness": {"periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
    "liveness": {
        "initialDelaySeconds": 30,
        "periodSeconds": 20,
        "timeoutSeconds": 5,
        "failureThreshold": 6,
    },
}
"""Readiness from the start; liveness only after 30 s and six misses (two minutes): a slow
start or a busy moment must not get a database killed."""


def priority_class_name(tier: int) -> str:
    return f"hybridplan-tier-{tier}"


def pod_security(w: WorkloadSpec) -> dict[str, Any]:
    """The pod's securityContext: the config's user and group when it has them."""
    out: dict[str, Any] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    if w.security is not None:
        out["runAsUser"] = w.security.run_as_user
        out["runAsGroup"] = w.security.run_as_group
        out["fsGroup"] = w.security.fs_group
        out["fsGroupChangePolicy"] = "OnRootMismatch"
    return out


def container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }


def _probe_action(probe: ProbeSpec) -> dict[str, Any]:
    if probe.command:
        return {"exec": {"command": list(probe.command)}}
    return {"tcpSocket": {"port": probe.tcp_port}}


def probes(probe: ProbeSpec | None) -> dict[str, Any]:
    """``readinessProbe`` and ``livenessProbe`` of a container (none without a probe)."""
    if probe is None:
        return {}
    return {
        f"{kind}Probe": {**_probe_action(probe), **timings}
        for kind, timings in PROBE_TIMINGS.items()
    }


def container(w: WorkloadSpec) -> dict[str, Any]:
    """The workload's one container."""
    out: dict[str, Any] = {
        "name": w.name,
        "image": w.image,
        "resources": {"requests": dict(w.requests), "limits": dict(w.limits)},
        "securityContext": container_security(),
        **probes(w.probe),
    }
    if w.ports:
        out["ports"] = [
            {"name": f"p{port}", "containerPort": port, "protocol": "TCP"} for port in w.ports
        ]
    db = w.database
    if db is not None:
        env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(db.env.items())]
        if db.secret is not None:
            env.append(
                {
                    "name": db.secret.env,
                    "valueFrom": {"secretKeyRef": {"name": db.secret.name, "key": db.secret.key}},
                }
            )
        if env:
            out["env"] = env
        if db.args:
            out["args"] = list(db.args)
        if w.storage is not None:
            out["volumeMounts"] = [{"name": DATA_VOLUME, "mountPath": db.data_path}]
    return out


def pod_template(w: WorkloadSpec, labels: dict[str, str]) -> dict[str, Any]:
    """The pod template of ``w`` labelled ``labels`` (minus the plan id)."""
    spec: dict[str, Any] = {
        "priorityClassName": priority_class_name(w.tier),
        "securityContext": pod_security(w),
        "automountServiceAccountToken": False,
        "containers": [container(w)],
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
    return {
        "metadata": {"labels": pod_labels(labels), "annotations": {WORKLOAD_ANNOTATION: w.name}},
        "spec": spec,
    }
