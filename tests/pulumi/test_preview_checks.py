"""The offline preview's own checks: config passed as the CLI does, secrets redacted,
duplicate URNs caught, invalid Kubernetes and Kueue objects reported; and the preview rules
(policies.registry.PREVIEW_RULES, run by the policy engine) catching objects that validate
one by one but would misbehave together."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.errors import UsageError
from planner.model import Finding
from planner.policy import evaluate_resources
from planner.preview import (
    REDACTED,
    PreviewResource,
    PreviewResult,
    check,
    cli_config_env,
    policy_records,
    preview_findings,
    read_stack,
    run_preview,
    validate_object,
)
from policies.registry import PREVIEW_RULES

TODAY = date(2026, 11, 27)

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "team"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
}
CLUSTER_QUEUE: dict[str, Any] = {
    "apiVersion": "kueue.x-k8s.io/v1beta2",
    "kind": "ClusterQueue",
    "metadata": {"name": "training"},
    "spec": {
        "namespaceSelector": {},
        "resourceGroups": [
            {
                "coveredResources": ["nvidia.com/gpu"],
                "flavors": [
                    {"name": "h100", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 8}]}
                ],
            }
        ],
    },
}


def _with(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(obj))
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    return out


def test_valid_objects_pass() -> None:
    """A plain Deployment and a Kueue ClusterQueue validate."""
    assert validate_object(DEPLOYMENT, "1.33") is None
    assert validate_object(CLUSTER_QUEUE, "1.33") is None


@pytest.mark.parametrize(
    ("obj", "needle"),
    [
        (_with(DEPLOYMENT, "spec.replicas", "two"), "spec.replicas"),
        (_with(DEPLOYMENT, "spec.bogus", 1), "'bogus' was unexpected"),
        (
            _with(DEPLOYMENT, "spec.template.spec.containers.0.resurces", {}),
            "'resurces' was unexpected",
        ),
        (_with(CLUSTER_QUEUE, "spec.admissionChecks", ["x"]), "'admissionChecks' was unexpected"),
        (
            _with(
                CLUSTER_QUEUE, "spec.resourceGroups.0.flavors.0.resources.0.nominalQuota", "8 GPUs"
            ),
            "does not match",
        ),
        (_with(CLUSTER_QUEUE, "metadata.labels", {"a": 1}), "metadata.labels.a"),
        ({**CLUSTER_QUEUE, "kind": "Queue"}, "no schema for custom resource"),
    ],
    ids=[
        "replicas-type",
        "unknown-field",
        "misspelt-container-field",
        "kueue-v1beta1-field-in-v1beta2",
        "bad-quantity",
        "label-not-string",
        "unknown-kueue-kind",
    ],
)
def test_invalid_objects_are_reported(obj: dict[str, Any], needle: str) -> None:
    """Strict validation names the offending field."""
    error = validate_object(obj, "1.33")
    assert error is not None
    assert needle in error


def test_kubernetes_version_matters() -> None:
    """Job.spec.managedBy is unknown in 1.29 and valid in 1.33."""
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {
            "managedBy": "kueue.x-k8s.io/multikueue",
            "template": {"spec": {"containers": []}},
        },
    }
    assert validate_object(job, "1.33") is None
    error = validate_object(job, "1.29")
    assert error is not None
    assert "managedBy" in error


def test_check_skips_non_kubernetes_resources() -> None:
    """Components and AWS resources are not schema-checked; Kubernetes ones are."""
    resources = [
        PreviewResource("urn:a", "hybridplan:kubernetes:KubernetesWorkloads", "w", "", False),
        PreviewResource("urn:b", "aws:s3/bucket:Bucket", "b", "", True, {"bucketPrefix": "x"}),
        PreviewResource("urn:c", "kubernetes:apps/v1:Deployment", "d", "", True, DEPLOYMENT),
    ]
    assert check(resources, "1.33") == ([], 1)


def test_config_is_passed_as_the_pulumi_cli_passes_it() -> None:
    """Keys fully qualified, structured values as JSON, secure values redacted and listed."""
    env = cli_config_env(
        "proj",
        {
            "stack": {"site": "x", "tiers": [1, 2]},
            "aws:region": "eu-west-1",
            "enabled": True,
            "token": {"secure": "v1:abc"},
        },
    )
    config = json.loads(env["PULUMI_CONFIG"])
    assert config == {
        "proj:stack": '{"site": "x", "tiers": [1, 2]}',
        "aws:region": "eu-west-1",
        "proj:enabled": "true",
        "proj:token": REDACTED,
    }
    assert json.loads(env["PULUMI_CONFIG_SECRET_KEYS"]) == ["proj:token"]


def test_pulumi_secrets_are_redacted_by_the_runner() -> None:
    """A secret input leaves the runner masked, keeping its shape for validation."""
    # The runner imports pulumi; only its pure helper is exercised here.
    from pulumi.runtime import rpc

    from planner.preview.runner import redact

    wrapped = {rpc._special_sig_key: rpc._special_secret_sig, "value": "hunter2"}
    nested = {rpc._special_sig_key: rpc._special_secret_sig, "value": {"k": "v", "n": 7}}
    assert redact({"data": {"password": wrapped}, "replicas": 2.0, "map": nested}) == {
        "data": {"password": REDACTED},
        "replicas": 2,
        "map": {"k": REDACTED, "n": 0},
    }


def test_read_stack_needs_a_stack_folder(tmp_path: Path) -> None:
    """A folder without Pulumi.yaml is a usage error with a fix."""
    with pytest.raises(UsageError, match="not a Pulumi stack folder"):
        read_stack(tmp_path)


@pytest.mark.preview
def test_duplicate_urns_secrets_and_program_errors(tmp_path: Path, mini_out: Path) -> None:
    """Duplicate URNs and program errors fail the preview; secrets are redacted."""
    stack = tmp_path / "dup"
    shutil.copytree(mini_out / "stacks" / "colo-eu", stack)
    (stack / "Pulumi.prod.yaml").write_text(
        "config:\n  hybridplan-colo-eu:token:\n    secure: v1:AAAA\n", encoding="utf-8"
    )
    (stack / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_kubernetes as k8s\n"
        "token = pulumi.Config().require('token')\n"
        "secret = pulumi.Output.secret('hunter2')\n"
        "for _ in range(2):\n"
        "    k8s.core.v1.ConfigMap('same', metadata={'name': 'same'}, data={'t': token})\n"
        "k8s.core.v1.Secret('s', metadata={'name': 's'}, string_data={'p': secret})\n",
        encoding="utf-8",
    )
    result = run_preview(stack)
    assert any(p.startswith("duplicate URN:") and p.endswith("::same") for p in result.problems)
    configmap = result.of_type("kubernetes:core/v1:ConfigMap")[0]
    assert configmap.inputs["data"] == {"t": REDACTED}
    secret = result.of_type("kubernetes:core/v1:Secret")[0]
    assert secret.inputs["stringData"] == {"p": REDACTED}
    assert "hunter2" not in repr(result)
    (stack / "__main__.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    failed = run_preview(stack)
    assert failed.problems == ("the program failed: RuntimeError: boom",)


@pytest.mark.preview
def test_a_config_too_large_for_an_environment_variable_previews(
    tmp_path: Path, mini_out: Path
) -> None:
    """A stack config over 256 KiB (execve caps one environment variable at 128 KiB)
    reaches the program whole: the child gets it by file."""
    stack = tmp_path / "big"
    shutil.copytree(mini_out / "stacks" / "colo-eu", stack)
    blob = "x" * (300 * 1024)
    (stack / "Pulumi.prod.yaml").write_text(
        f"config:\n  hybridplan-colo-eu:blob: {blob}\n", encoding="utf-8"
    )
    (stack / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_kubernetes as k8s\n"
        "blob = pulumi.Config().require('blob')\n"
        "k8s.core.v1.ConfigMap('big', metadata={'name': 'big'}, data={'n': str(len(blob))})\n",
        encoding="utf-8",
    )
    result = run_preview(stack)
    assert result.problems == ()
    (configmap,) = result.of_type("kubernetes:core/v1:ConfigMap")
    assert configmap.inputs["data"] == {"n": str(300 * 1024)}


@pytest.mark.preview
def test_the_time_limit_is_cpu_time(tmp_path: Path, mini_out: Path) -> None:
    """A program that spins past its CPU-time limit is stopped and reported as a timeout
    naming CPU time (the limit is CPU, not wall time, so a loaded machine does not trip it);
    within its limit the same stack previews."""
    stack = tmp_path / "spin"
    shutil.copytree(mini_out / "stacks" / "colo-eu", stack)
    (stack / "Pulumi.prod.yaml").write_text("config: {}\n", encoding="utf-8")
    (stack / "__main__.py").write_text("while True:\n    pass\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"used more than 2 s of CPU time"):
        run_preview(stack, timeout_s=2)
    (stack / "__main__.py").write_text("import pulumi\n", encoding="utf-8")
    assert run_preview(stack, timeout_s=60).problems == ()


def _mutated(
    resources: tuple[PreviewResource, ...], type_: str, edit: Any
) -> list[PreviewResource]:
    """``resources`` with the first of ``type_`` (``type::name`` picks one) edited in a copy."""
    import copy
    import dataclasses

    type_, _, name = type_.partition("::")
    out: list[PreviewResource] = []
    done = False
    for r in resources:
        if not done and r.type == type_ and (not name or r.name == name):
            inputs = copy.deepcopy(dict(r.inputs))
            edit(inputs)
            out.append(dataclasses.replace(r, inputs=inputs))
            done = True
            continue
        out.append(r)
    assert done, type_
    return out


def _set_path(path: str, value: Any) -> Any:
    def edit(inputs: dict[str, Any]) -> None:
        node: Any = inputs
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value

    return edit


DEP = "kubernetes:apps/v1:Deployment"
STS = "kubernetes:apps/v1:StatefulSet"
PDB_T = "kubernetes:policy/v1:PodDisruptionBudget"
HPA_T = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SVC = "kubernetes:core/v1:Service"
POD = "spec.template.spec"
BROKEN = [
    (
        "colo-eu",
        DEP,
        _set_path("spec.selector.matchLabels", {"app.kubernetes.io/name": "x"}),
        "HP-HYG-008",
        "does not select its own pod template",
    ),
    (
        "colo-eu",
        DEP,
        _set_path(f"{POD}.priorityClassName", "gold"),
        "HP-HYG-009",
        "priority class 'gold'",
    ),
    (
        "colo-eu",
        DEP,
        _set_path(f"{POD}.topologySpreadConstraints.0.labelSelector.matchLabels", {"a": "b"}),
        "HP-HYG-008",
        "spread constraint",
    ),
    (
        "colo-eu",
        DEP,
        _set_path(f"{POD}.containers.0.resources.limits.memory", "1Gi"),
        "HP-HYG-011",
        "memory limit 1Gi < request",
    ),
    (
        "colo-eu",
        DEP,
        _set_path("metadata.namespace", "nowhere"),
        "HP-HYG-009",
        "namespace 'nowhere'",
    ),
    (
        "aws-eu-west-1",
        STS,
        _set_path("spec.serviceName", "db"),
        "HP-HYG-009",
        "no headless Service 'db'",
    ),
    (
        "colo-eu",
        PDB_T,
        _set_path(
            "spec",
            {
                "minAvailable": 3,
                "selector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "checkout-api",
                        "app.kubernetes.io/instance": "checkout-api",
                    }
                },
            },
        ),
        "HP-SLA-005",
        "allows no eviction",
    ),
    ("colo-eu", PDB_T, _set_path("spec.maxUnavailable", 0), "HP-SLA-005", "allows no eviction"),
    (
        "colo-eu",
        PDB_T,
        _set_path("spec.selector.matchLabels", {"a": "b"}),
        "HP-HYG-008",
        "selects no pod",
    ),
    (
        "colo-eu",
        HPA_T,
        _set_path("spec.minReplicas", 9),
        "HP-HYG-012",
        "minReplicas 9 > maxReplicas",
    ),
    (
        "colo-eu",
        HPA_T,
        _set_path("spec.scaleTargetRef.kind", "StatefulSet"),
        "HP-HYG-009",
        "scale target",
    ),
    (
        "colo-eu",
        SVC,
        _set_path("spec.selector", {"a": "b"}),
        "HP-HYG-008",
        "selects no pod template",
    ),
    (
        "aws-eu-west-1",
        SVC + "::search-cache-headless-service",
        _set_path("metadata.name", "search-api"),
        "HP-HYG-007",
        "Service web/search-api is also applied by",
    ),
    (
        "gpu-pool-us",
        "kubernetes:batch/v1:Job",
        lambda i: i["metadata"]["labels"].update({"kueue.x-k8s.io/queue-name": "fast"}),
        "HP-HYG-010",
        "LocalQueue ml/fast",
    ),
    (
        "gpu-pool-us",
        "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue",
        _set_path("spec.clusterQueue", "gone"),
        "HP-HYG-010",
        "ClusterQueue 'gone'",
    ),
    (
        "gpu-pool-us",
        "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue",
        _set_path("spec.resourceGroups.0.flavors.0.name", "a100"),
        "HP-HYG-010",
        "ResourceFlavor 'a100'",
    ),
    (
        "gpu-pool-us",
        "kubernetes:kueue.x-k8s.io/v1beta2:MultiKueueConfig",
        _set_path("spec.clusters", ["aws-x"]),
        "HP-HYG-010",
        "MultiKueueCluster 'aws-x'",
    ),
]


def _preview_rules(site: str, resources: list[PreviewResource]) -> tuple[Finding, ...]:
    """What the preview rules find among ``resources`` of stack ``site`` (no project)."""
    result = PreviewResult(site, "p", "prod", "1.33", tuple(resources), (), 0.0, 0)
    return evaluate_resources(policy_records(result, site), None, TODAY, rules=PREVIEW_RULES)


@pytest.mark.preview
def test_emitted_stacks_pass_the_preview_rules(preview_of: Any) -> None:
    """The mini stacks have no dangling reference, empty selector or blocking PDB."""
    for site in ("colo-eu", "gpu-pool-us", "aws-eu-west-1", "aws-us-east-1"):
        assert preview_findings(preview_of(site), rules=PREVIEW_RULES, today=TODAY) == (), site


@pytest.mark.preview
@pytest.mark.parametrize(
    ("site", "type_", "edit", "rule_id", "needle"),
    BROKEN,
    ids=[
        "selector-misses-template",
        "missing-priority-class",
        "spread-selector-misses-pods",
        "limit-below-request",
        "namespace-not-created",
        "statefulset-without-headless-service",
        "pdb-min-available-blocks-drains",
        "pdb-max-unavailable-0",
        "pdb-selects-nothing",
        "hpa-min-above-max",
        "hpa-wrong-target-kind",
        "service-selects-nothing",
        "two-resources-one-object",
        "job-queue-missing",
        "localqueue-to-missing-clusterqueue",
        "clusterqueue-missing-flavor",
        "multikueue-missing-cluster",
    ],
)
def test_cross_object_problems_are_reported(
    preview_of: Any, *, site: str, type_: str, edit: Any, rule_id: str, needle: str
) -> None:
    """Objects that validate one by one but would misbehave together are reported by the
    preview rule that owns the problem, as a mandatory finding (the preview fails)."""
    resources = _mutated(preview_of(site).resources, type_, edit)
    findings = _preview_rules(site, resources)
    assert findings, findings
    hits = [f for f in findings if f.rule_id == rule_id and needle in f.message]
    assert hits, [(f.rule_id, f.message) for f in findings]
    assert all(f.level.value == "mandatory" for f in hits)
