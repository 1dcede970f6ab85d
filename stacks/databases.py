"""Databases: a CloudNativePG ``Cluster`` where the site runs the operator (PostgreSQL),
else a single-primary StatefulSet.

Three replicas of a database image are three unrelated primaries with three diverging
copies of the data, so without an operator the StatefulSet runs one replica (the plan's
figure is kept in ``hybridplan.io/planned-replicas``); replication, failover and backups
are the operator's job: a CloudNativePG Cluster of ``instances`` = planned replicas
(one primary, streaming standbys, its own PodDisruptionBudgets and Services ``<name>-rw``
/ ``-ro`` / ``-r``), bootstrapped with the credentials of an existing Secret, and a daily
volume-snapshot backup when the site names a VolumeSnapshotClass.

Data-bearing resources are ``protect``-ed and ``retainOnDelete``: a re-plan that drops or
would replace one fails ``pulumi up`` (deleting a Cluster deletes its volumes) instead of
deleting data; a StatefulSet keeps its volume claims when deleted or scaled down.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .labels import PREREQUISITE_ANNOTATION, pod_labels, selector_labels
from .pods import DATA_VOLUME, ZONE_KEY, pod_template, priority_class_name
from .spec import WorkloadSpec

CNPG = "cloudnative-pg"
CNPG_API = "postgresql.cnpg.io/v1"
CNPG_CLUSTER_LABEL = "cnpg.io/cluster"
BACKUP_SCHEDULE = "0 0 3 * * *"
"""Daily at 03:00 (CloudNativePG schedules have a seconds field first)."""
APP_DATABASE = "app"
"""Database and owner CloudNativePG's ``initdb`` creates (its default names)."""


def keep_data(opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """``opts`` + protect + retainOnDelete: never deleted or replaced by ``pulumi up``."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(protect=True, retain_on_delete=True)
    )


def headless_service(w: WorkloadSpec, metadata: dict[str, Any]) -> dict[str, Any]:
    """The spec of a StatefulSet's headless Service (its pods' DNS names)."""
    return {
        "clusterIP": "None",
        "selector": selector_labels(w.name),
        "ports": [
            {"name": f"p{p}", "port": p, "targetPort": p, "protocol": "TCP"} for p in w.ports
        ],
    }


def statefulset_spec(w: WorkloadSpec, labels: dict[str, str], headless: str) -> dict[str, Any]:
    """A single-primary StatefulSet: one replica, the data volume on the site's storage
    class, kept when the StatefulSet is deleted or scaled down."""
    claims: list[dict[str, Any]] = []
    if w.storage is not None:
        claim_spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": w.storage}},
        }
        if w.storage_class is not None:
            claim_spec["storageClassName"] = w.storage_class
        claims = [{"metadata": {"name": DATA_VOLUME}, "spec": claim_spec}]
    return {
        "serviceName": headless,
        "replicas": w.replicas,
        "podManagementPolicy": "OrderedReady",
        "selector": {"matchLabels": selector_labels(w.name)},
        "template": pod_template(w, labels),
        "volumeClaimTemplates": claims,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
    }


def cnpg_pod_labels(name: str) -> dict[str, str]:
    """The labels CloudNativePG gives every instance pod of Cluster ``name``."""
    return {CNPG_CLUSTER_LABEL: name}


def cnpg_cluster_spec(w: WorkloadSpec, labels: dict[str, str]) -> dict[str, Any]:
    """The spec of a CloudNativePG Cluster for ``w`` (see the module docstring)."""
    db = w.database
    assert db is not None  # only called for databases
    spec: dict[str, Any] = {
        "instances": db.planned_replicas,
        "imageName": w.image,
        "primaryUpdateStrategy": "unsupervised",
        "priorityClassName": priority_class_name(w.tier),
        "resources": {"requests": dict(w.requests), "limits": dict(w.limits)},
        # Pods get the workload's labels, so NetworkPolicies and selectors find them.
        "inheritedMetadata": {"labels": pod_labels(labels)},
        "enablePDB": True,
    }
    if w.storage is not None:
        spec["storage"] = {"size": w.storage}
        if w.storage_class is not None:
            spec["storage"]["storageClass"] = w.storage_class
    if db.secret is not None:
        spec["bootstrap"] = {
            "initdb": {
                "database": APP_DATABASE,
                "owner": APP_DATABASE,
                "secret": {"name": db.secret.name},
            }
        }
    if w.spread:
        spec["affinity"] = {
            "enablePodAntiAffinity": True,
            "podAntiAffinityType": "required",
            "topologyKey": ZONE_KEY,
        }
    if db.snapshot_class is not None:
        spec["backup"] = {"volumeSnapshot": {"className": db.snapshot_class}}
    return spec


def scheduled_backup_spec(w: WorkloadSpec) -> dict[str, Any]:
    return {
        "schedule": BACKUP_SCHEDULE,
        "cluster": {"name": w.name},
        "method": "volumeSnapshot",
        "backupOwnerReference": "self",
        "immediate": True,
    }


def create_database(
    w: WorkloadSpec,
    metadata: dict[str, Any],
    labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> None:
    """The database's objects: Cluster (+ ScheduledBackup) or headless Service +
    StatefulSet."""
    db = w.database
    if db is not None and db.operator == CNPG:
        # The site declares the operator installed: say so on its objects (HP-DEP-006).
        metadata = {
            **metadata,
            "annotations": {**metadata["annotations"], PREREQUISITE_ANNOTATION: CNPG},
        }
        k8s.apiextensions.CustomResource(
            f"{w.name}-cluster",
            api_version=CNPG_API,
            kind="Cluster",
            metadata=metadata,
            spec=cnpg_cluster_spec(w, labels),
            opts=keep_data(opts),
        )
        if db.snapshot_class is not None:
            k8s.apiextensions.CustomResource(
                f"{w.name}-backup",
                api_version=CNPG_API,
                kind="ScheduledBackup",
                metadata=metadata,
                spec=scheduled_backup_spec(w),
                opts=opts,
            )
        return
    headless = f"{w.name}-headless"
    k8s.core.v1.Service(
        f"{w.name}-headless-service",
        metadata={**metadata, "name": headless},
        spec=headless_service(w, metadata),
        opts=opts,
    )
    k8s.apps.v1.StatefulSet(
        f"{w.name}-statefulset",
        metadata=metadata,
        spec=statefulset_spec(w, labels, headless),
        opts=keep_data(opts),
    )
