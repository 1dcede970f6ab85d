"""Every stack emitted for the mini plan, run offline under Pulumi mocks: counts, key
fields, tags, parenting, and schema validation of every Kubernetes object."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from planner.preview import PreviewResource, PreviewResult

Preview = Callable[[str], PreviewResult]

pytestmark = pytest.mark.preview

SITES = ("colo-eu", "gpu-pool-us", "aws-eu-west-1", "aws-us-east-1")
K = "kubernetes:"
KUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:"

EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "colo-eu": {
        "hybridplan:kubernetes:KubernetesWorkloads": 1,
        "kubernetes:apps/v1:Deployment": 1,
        "kubernetes:apps/v1:StatefulSet": 1,
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1,
        "kubernetes:core/v1:Namespace": 1,
        "kubernetes:core/v1:ResourceQuota": 1,
        "kubernetes:core/v1:Service": 2,
        "kubernetes:policy/v1:PodDisruptionBudget": 2,
        "kubernetes:scheduling.k8s.io/v1:PriorityClass": 1,
    },
    "gpu-pool-us": {
        "hybridplan:kubernetes:KubernetesWorkloads": 1,
        "hybridplan:kueue:GpuTrainingPool": 1,
        "kubernetes:batch/v1:Job": 2,
        "kubernetes:core/v1:Namespace": 1,
        "kubernetes:core/v1:ResourceQuota": 1,
        "kubernetes:core/v1:Secret": 1,
        "kubernetes:core/v1:ServiceAccount": 1,
        KUEUE + "AdmissionCheck": 1,
        KUEUE + "ClusterQueue": 2,
        KUEUE + "Cohort": 1,
        KUEUE + "LocalQueue": 2,
        KUEUE + "MultiKueueCluster": 1,
        KUEUE + "MultiKueueConfig": 1,
        KUEUE + "ResourceFlavor": 2,
        KUEUE + "WorkloadPriorityClass": 1,
        "kubernetes:scheduling.k8s.io/v1:PriorityClass": 1,
    },
    "aws-eu-west-1": {
        "aws:budgets/budget:Budget": 1,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicPolicy:TopicPolicy": 1,
        "hybridplan:aws:AwsCostGuard": 1,
        "hybridplan:kubernetes:KubernetesWorkloads": 1,
        "kubernetes:apps/v1:Deployment": 1,
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1,
        "kubernetes:core/v1:Namespace": 1,
        "kubernetes:core/v1:ResourceQuota": 1,
        "kubernetes:core/v1:Service": 1,
        "kubernetes:policy/v1:PodDisruptionBudget": 1,
        "kubernetes:scheduling.k8s.io/v1:PriorityClass": 1,
        "pulumi:providers:aws": 1,
        "pulumi:providers:kubernetes": 1,
    },
    "aws-us-east-1": {
        "aws:budgets/budget:Budget": 1,
        "aws:eks/accessEntry:AccessEntry": 1,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
        "aws:s3/bucketPolicy:BucketPolicy": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
        "aws:s3/bucketVersioning:BucketVersioning": 1,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicPolicy:TopicPolicy": 1,
        "hybridplan:aws:AwsBurst": 1,
        "hybridplan:aws:AwsCostGuard": 1,
        "hybridplan:kubernetes:KubernetesWorkloads": 1,
        "hybridplan:kueue:GpuTrainingPool": 1,
        "kubernetes:core/v1:Namespace": 1,
        "kubernetes:core/v1:ResourceQuota": 1,
        "kubernetes:core/v1:Secret": 1,
        "kubernetes:core/v1:ServiceAccount": 2,
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": 1,
        "kubernetes:karpenter.sh/v1:NodePool": 1,
        "kubernetes:karpenter.sh/v1alpha1:NodeOverlay": 1,
        KUEUE + "ClusterQueue": 1,
        KUEUE + "Cohort": 1,
        KUEUE + "LocalQueue": 2,
        KUEUE + "ResourceFlavor": 1,
        KUEUE + "WorkloadPriorityClass": 1,
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 1,
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": 1,
        "kubernetes:scheduling.k8s.io/v1:PriorityClass": 1,
        "pulumi:providers:aws": 1,
        "pulumi:providers:kubernetes": 1,
    },
}

UNTAGGABLE_AWS = {
    "aws:iam/rolePolicy:RolePolicy",
    "pulumi:providers:aws",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:sns/topicPolicy:TopicPolicy",
}


def _spec(r: PreviewResource) -> dict[str, Any]:
    spec: dict[str, Any] = r.inputs["spec"]
    return spec


def _pod(r: PreviewResource) -> dict[str, Any]:
    pod: dict[str, Any] = _spec(r)["template"]["spec"]
    return pod


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_stack_previews_cleanly(preview_of: Preview, site: str) -> None:
    """The program runs, no URN repeats, and every Kubernetes object validates (1.33)."""
    result = preview_of(site)
    assert result.problems == ()
    k8s_objects = [r for r in result.resources if r.custom and r.type.startswith(K)]
    assert result.validated == len(k8s_objects) > 0


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_resource_counts(preview_of: Preview, site: str) -> None:
    """Exactly the expected resources, by type."""
    assert preview_of(site).counts() == EXPECTED_COUNTS[site]


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_children_are_parented_to_components(preview_of: Preview, site: str) -> None:
    """Every provider resource is a child of a hybridplan component (parent=self); the
    stack's explicit providers sit at the stack level."""
    for r in preview_of(site).resources:
        parent_type = r.parent.split("::")[2] if r.parent else ""
        if r.type.startswith("pulumi:providers:"):
            assert parent_type == "pulumi:pulumi:Stack", r.urn
        elif r.custom:
            assert parent_type.split("$")[-1].startswith("hybridplan:"), r.urn
        else:
            assert r.type.startswith("hybridplan:")
            assert parent_type == "pulumi:pulumi:Stack"


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_kubernetes_objects_carry_plan_labels(preview_of: Preview, site: str) -> None:
    """Every Kubernetes object is labelled managed-by hybridplan with the plan id."""
    for r in preview_of(site).resources:
        if r.custom and r.type.startswith(K):
            labels = r.inputs["metadata"]["labels"]
            assert labels["app.kubernetes.io/managed-by"] == "hybridplan", r.name
            assert labels["hybridplan.io/plan"] == "0123456789ab", r.name


PLAN_DEPENDENT = {
    "hybridplan.io/plan",
    "hybridplan.io/usd-per-month",
    "hybridplan.io/gpu-hours-per-month",
}


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_pod_templates_do_not_change_with_the_plan(preview_of: Preview, site: str) -> None:
    """Pod templates carry no plan id, cost or GPU-hours: a re-plan must not roll every pod
    or make Pulumi replace a running (immutable-template) Job."""
    templates = 0
    for r in preview_of(site).resources:
        pods = r.type.startswith(("kubernetes:apps/", "kubernetes:batch/"))
        template = r.inputs.get("spec", {}).get("template") if pods else None
        if not isinstance(template, dict):
            continue
        templates += 1
        meta = template.get("metadata", {})
        keys = set(meta.get("labels", {})) | set(meta.get("annotations", {}))
        assert not keys & PLAN_DEPENDENT, (r.name, sorted(keys & PLAN_DEPENDENT))
        assert meta["labels"]["app.kubernetes.io/name"], r.name
    assert templates > 0 or site == "aws-us-east-1"


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_autoscaled_replicas_are_left_to_the_hpa(preview_of: Preview, site: str) -> None:
    """A Deployment an HPA scales ignores spec.replicas after creation (server-side apply
    would otherwise conflict with the HPA, or reset it); others keep it; Jobs leave
    spec.suspend to Kueue / the team's scheduler."""
    result = preview_of(site)
    hpa = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
    scaled = {
        (r.inputs["metadata"]["namespace"], _spec(r)["scaleTargetRef"]["name"])
        for r in result.of_type(hpa)
    }
    for r in result.of_type("kubernetes:apps/v1:Deployment"):
        key = (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        assert ("spec.replicas" in r.ignore_changes) == (key in scaled), r.name
    for r in result.of_type("kubernetes:batch/v1:Job"):
        assert r.ignore_changes == ("spec.suspend",), r.name


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_namespaces_outlive_the_stack(preview_of: Preview, site: str) -> None:
    """Team namespaces are retained on delete (deleting one deletes its databases' PVCs);
    nothing else is."""
    for r in preview_of(site).resources:
        assert r.retain_on_delete == (r.type == "kubernetes:core/v1:Namespace"), r.name


def test_colo_eu_workloads(preview_of: Preview) -> None:
    """colo-eu: right-sized, spread, non-privileged Deployment; StatefulSet database; quota."""
    result = preview_of("colo-eu")
    deploy = result.named("kubernetes:apps/v1:Deployment", "checkout-api-deployment")
    assert deploy.inputs["metadata"]["namespace"] == "payments"
    assert _spec(deploy)["replicas"] == 3
    container = _pod(deploy)["containers"][0]
    assert container["resources"] == {
        "requests": {"cpu": "1500m", "memory": "3277Mi"},
        "limits": {"cpu": "1500m", "memory": "3277Mi"},
    }
    assert container["securityContext"]["privileged"] is False
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert _pod(deploy)["securityContext"]["runAsNonRoot"] is True
    spread = _pod(deploy)["topologySpreadConstraints"][0]
    assert (spread["topologyKey"], spread["maxSkew"]) == ("topology.kubernetes.io/zone", 1)
    labels = deploy.inputs["metadata"]["labels"]
    assert {k: labels[k] for k in labels if k.startswith("hybridplan.io/")} == {
        "hybridplan.io/class": "diurnal",
        "hybridplan.io/plan": "0123456789ab",
        "hybridplan.io/site": "colo-eu",
        "hybridplan.io/team": "payments",
        "hybridplan.io/tier": "1",
    }
    assert labels["app.kubernetes.io/name"] == "checkout-api"
    assert deploy.inputs["metadata"]["annotations"]["hybridplan.io/usd-per-month"] == "410.00"
    assert _pod(deploy)["priorityClassName"] == "hybridplan-tier-1"
    hpa = result.named("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "checkout-api-hpa")
    assert (_spec(hpa)["minReplicas"], _spec(hpa)["maxReplicas"]) == (3, 3)
    pdb = result.named("kubernetes:policy/v1:PodDisruptionBudget", "checkout-api-pdb")
    assert _spec(pdb)["maxUnavailable"] == 1
    db = result.named("kubernetes:apps/v1:StatefulSet", "payments-db-statefulset")
    assert _spec(db)["replicas"] == 3
    assert _spec(db)["serviceName"] == "payments-db-headless"
    claim = _spec(db)["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]
    assert claim == {"storage": "500Gi"}
    headless = result.named("kubernetes:core/v1:Service", "payments-db-headless-service")
    assert _spec(headless)["clusterIP"] == "None"
    quota = result.named("kubernetes:core/v1:ResourceQuota", "payments-quota")
    assert _spec(quota)["hard"] == {
        "limits.cpu": "18",
        "limits.memory": "109Gi",
        "persistentvolumeclaims": "3",
        "pods": "7",
        "requests.cpu": "18",
        "requests.memory": "109Gi",
        "requests.storage": "1500Gi",
    }


def test_gpu_pool_training_and_multikueue(preview_of: Preview) -> None:
    """gpu-pool-us: pool share in the team's local queue, capped at the pool's 54 usable
    GPUs; burst share through MultiKueue to AWS, its kubeconfig read from the worker's
    stack."""
    result = preview_of("gpu-pool-us")
    local = result.named("kubernetes:batch/v1:Job", "llm-finetune-job")
    burst = result.named("kubernetes:batch/v1:Job", "llm-finetune-burst-job")
    for job, queue in ((local, "training"), (burst, "training-burst")):
        labels = job.inputs["metadata"]["labels"]
        assert labels["kueue.x-k8s.io/queue-name"] == queue
        assert labels["kueue.x-k8s.io/priority-class"] == "hybridplan-training"
        assert _spec(job)["suspend"] is True
        assert _spec(job)["parallelism"] == 1
        assert _spec(job)["podFailurePolicy"]["rules"][0]["action"] == "Ignore"
        container = _pod(job)["containers"][0]
        assert container["resources"]["limits"]["nvidia.com/gpu"] == "8"
        assert "vpc.amazonaws.com/efa" not in container["resources"]["limits"]  # one pod
        assert _pod(job)["nodeSelector"] == {"hybridplan.io/gpu-type": "h100"}
        assert _pod(job)["tolerations"][0]["key"] == "nvidia.com/gpu"
        assert _pod(job)["priorityClassName"] == "hybridplan-training"
        assert _pod(job)["serviceAccountName"] == "hybridplan-training"
    assert "managedBy" not in _spec(local)
    assert _spec(burst)["managedBy"] == "kueue.x-k8s.io/multikueue"
    annotations = burst.inputs["metadata"]["annotations"]
    assert annotations["hybridplan.io/gpu-hours-per-month"] == "1000.00"
    flavor = result.named(KUEUE + "ResourceFlavor", "h100-flavor")
    assert flavor.inputs["metadata"]["annotations"] == {"hybridplan.io/capacity-gpus": "54"}
    cq = result.named(KUEUE + "ClusterQueue", "training-ml-clusterqueue")
    assert _spec(cq)["cohortName"] == "hybridplan-training"
    assert _spec(cq)["resourceGroups"][0]["flavors"] == [
        {
            "name": "h100",
            "resources": [
                {"name": "cpu", "nominalQuota": "648"},
                {"name": "memory", "nominalQuota": "6912Gi"},
                {"name": "nvidia.com/gpu", "nominalQuota": 54, "borrowingLimit": 0},
            ],
        }
    ]
    assert "admissionChecksStrategy" not in _spec(cq)
    burst_cq = result.named(KUEUE + "ClusterQueue", "training-burst-clusterqueue")
    assert _spec(burst_cq)["admissionChecksStrategy"] == {
        "admissionChecks": [{"name": "training-burst"}]
    }
    assert _spec(burst_cq)["resourceGroups"][0]["flavors"][0]["name"] == "h100-burst"
    check = result.named(KUEUE + "AdmissionCheck", "burst-admissioncheck")
    assert _spec(check)["controllerName"] == "kueue.x-k8s.io/multikueue"
    assert _spec(check)["parameters"]["kind"] == "MultiKueueConfig"
    config = result.named(KUEUE + "MultiKueueConfig", "burst-multikueueconfig")
    assert _spec(config)["clusters"] == ["aws-us-east-1"]
    cluster = result.named(KUEUE + "MultiKueueCluster", "aws-us-east-1-multikueuecluster")
    assert _spec(cluster)["clusterSource"]["kubeConfig"] == {
        "locationType": "Secret",
        "location": "multikueue-aws-us-east-1",
    }
    secret = result.named("kubernetes:core/v1:Secret", "aws-us-east-1-multikueue-kubeconfig")
    assert secret.inputs["metadata"] == {
        "name": "multikueue-aws-us-east-1",
        "namespace": "kueue-system",
        "labels": secret.inputs["metadata"]["labels"],
    }
    assert set(secret.inputs["stringData"]) == {"kubeconfig"}
    queues = {
        (r.inputs["metadata"]["name"], _spec(r)["clusterQueue"])
        for r in result.of_type(KUEUE + "LocalQueue")
    }
    assert queues == {("training", "training-ml"), ("training-burst", "training-burst")}
    for r in result.of_type(KUEUE + "LocalQueue"):
        assert r.replace_on_changes == ("spec.clusterQueue",), r.name
    wpc = result.named(KUEUE + "WorkloadPriorityClass", "training-workloadpriorityclass")
    pc = result.named("kubernetes:scheduling.k8s.io/v1:PriorityClass", "training-priorityclass")
    assert wpc.inputs["value"] == pc.inputs["value"] == 5000


def test_aws_us_east_1_burst_capacity(preview_of: Preview) -> None:
    """aws-us-east-1: a spot Karpenter NodePool for the priced node, nodes that can join
    (EC2_LINUX access entry, IMDSv2 hop limit 1), Pod Identity to a private bucket, the
    MultiKueue worker's account, a budget; everything through explicit providers."""
    result = preview_of("aws-us-east-1")
    pool = result.named("kubernetes:karpenter.sh/v1:NodePool", "training-h100-spot-nodepool")
    spec = _spec(pool)
    assert spec["limits"] == {"nvidia.com/gpu": "8"}
    assert spec["weight"] == 100
    requirements = {r["key"]: r["values"] for r in spec["template"]["spec"]["requirements"]}
    assert requirements == {
        "karpenter.sh/capacity-type": ["spot"],
        "node.kubernetes.io/instance-type": ["p5.48xlarge"],
    }
    assert {t["key"] for t in spec["template"]["spec"]["taints"]} == {
        "nvidia.com/gpu",
        "hybridplan.io/training",
        "hybridplan.io/spot",
    }
    assert pool.inputs["metadata"]["annotations"]["hybridplan.io/priced-option"] == "spot"
    node_class = result.named(
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "hybridplan-gpu-ec2nodeclass"
    )
    nc = _spec(node_class)
    assert nc["role"] == "hybridplan-aws-us-east-1-gpu-nodes"
    assert nc["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert nc["metadataOptions"]["httpTokens"] == "required"
    assert nc["subnetSelectorTerms"] == [{"id": "subnet-mock-a"}, {"id": "subnet-mock-b"}]
    assert nc["securityGroupSelectorTerms"] == [{"id": "sg-mock-cluster"}]
    assert nc["blockDeviceMappings"][0]["ebs"]["encrypted"] is True
    entry = result.named("aws:eks/accessEntry:AccessEntry", "node-access-entry")
    assert entry.inputs["type"] == "EC2_LINUX"
    assert entry.inputs["principalArn"] == (
        "arn:aws:iam::123456789012:role/hybridplan-aws-us-east-1-gpu-nodes"
    )
    identity = result.named(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "ml-checkpoint-identity"
    )
    assert (identity.inputs["namespace"], identity.inputs["serviceAccount"]) == (
        "ml",
        "hybridplan-training",
    )
    pab = result.named(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "checkpoints-public-access-block"
    )
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(pab.inputs[f] is True for f in flags)
    sse = result.named(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "checkpoints-encryption",
    )
    rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["sseAlgorithm"] == "aws:kms"
    lifecycle = result.named(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "checkpoints-lifecycle",
    )
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 30
    policy = json.loads(
        result.named("aws:iam/rolePolicy:RolePolicy", "checkpoint-role-bucket").inputs["policy"]
    )
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {"arn:aws:mock:::checkpoints", "arn:aws:mock:::checkpoints/*"}
    assert all("*" not in a for s in policy["Statement"] for a in s["Action"])
    trust = json.loads(
        result.named("aws:iam/role:Role", "checkpoint-role").inputs["assumeRolePolicy"]
    )
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    budget = result.named("aws:budgets/budget:Budget", "budget")
    assert (budget.inputs["limitAmount"], budget.inputs["limitUnit"]) == ("18000.00", "USD")
    assert budget.inputs["costFilters"] == [
        {"name": "TagKeyValue", "values": ["user:hybridplan:site$aws-us-east-1"]}
    ]
    alerts = sorted((n["notificationType"], n["threshold"]) for n in budget.inputs["notifications"])
    assert alerts == [("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    worker_queue = result.named(KUEUE + "LocalQueue", "ml-training-burst-localqueue")
    assert _spec(worker_queue)["clusterQueue"] == "training-ml"
    flavor = result.named(KUEUE + "ResourceFlavor", "h100-spot-flavor")
    assert _spec(flavor)["nodeLabels"] == {
        "hybridplan.io/gpu-type": "h100",
        "hybridplan.io/node-pool": "training-h100-spot",
    }
    assert spec["template"]["metadata"]["labels"]["hybridplan.io/node-pool"] == (
        "training-h100-spot"
    )
    token = result.named("kubernetes:core/v1:Secret", "multikueue-token")
    assert token.inputs["type"] == "kubernetes.io/service-account-token"
    assert not result.of_type("kubernetes:batch/v1:Job")


@pytest.mark.parametrize("site", ["aws-eu-west-1", "aws-us-east-1"])
def test_aws_stacks_use_explicit_providers(preview_of: Preview, site: str) -> None:
    """Every AWS and Kubernetes resource of an AWS stack goes through the stack's own
    providers (region from config, the EKS cluster's kubeconfig), never a default one."""
    result = preview_of(site)
    aws_provider = result.named("pulumi:providers:aws", "aws")
    assert aws_provider.inputs["region"] == site.removeprefix("aws-")
    kube = json.loads(
        result.named("pulumi:providers:kubernetes", "kubernetes").inputs["kubeconfig"]
    )
    user = kube["users"][0]["user"]["exec"]
    assert user["command"] == "aws"
    assert user["args"][:4] == ["eks", "get-token", "--cluster-name", site]
    assert kube["clusters"][0]["cluster"]["server"] == "https://mock.eks.invalid"
    custom = [r for r in result.resources if r.custom and not r.type.startswith("pulumi:")]
    assert custom
    for r in custom:
        package = r.type.split(":")[0]
        provider_urn, _ = r.provider.rsplit("::", 1)
        assert provider_urn.endswith(f"pulumi:providers:{package}::{package}"), r.urn


@pytest.mark.parametrize("site", ["aws-eu-west-1", "aws-us-east-1"])
def test_aws_resources_carry_cost_allocation_tags(preview_of: Preview, site: str) -> None:
    """Every taggable AWS resource has the hybridplan cost-allocation tags."""
    for r in preview_of(site).resources:
        if not r.type.startswith("aws:") or r.type in UNTAGGABLE_AWS:
            continue
        tags = r.inputs["tags"]
        if isinstance(tags, list):
            tags = {t["key"]: t["value"] for t in tags}
        assert tags["hybridplan:site"] == site, r.urn
        assert tags["hybridplan:plan"] == "0123456789ab", r.urn
        assert tags["hybridplan:env"] == "prod", r.urn


def test_aws_eu_west_1_service_on_eks(preview_of: Preview) -> None:
    """search-api on EKS: 2 replicas, bursty HPA 2..6, site budget at the plan's cost."""
    result = preview_of("aws-eu-west-1")
    deploy = result.named("kubernetes:apps/v1:Deployment", "search-api-deployment")
    assert _spec(deploy)["replicas"] == 2
    assert "topologySpreadConstraints" not in _pod(deploy)
    hpa = result.named("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "search-api-hpa")
    assert (_spec(hpa)["minReplicas"], _spec(hpa)["maxReplicas"]) == (2, 6)
    service = result.named("kubernetes:core/v1:Service", "search-api-service")
    assert [p["port"] for p in _spec(service)["ports"]] == [8080, 9090]
    budget = result.named("aws:budgets/budget:Budget", "budget")
    assert budget.inputs["limitAmount"] == "95.00"
