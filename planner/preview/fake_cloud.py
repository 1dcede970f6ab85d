"""The fixed, obviously fake answers the offline preview's mocks give where a real run would
ask the cloud: the state a new resource reports back (ids, ARNs) and the lookups (invokes)
the ``stacks`` components make (the EKS cluster, SSM AMI parameters, the caller's account).

Standard library only, and importing nothing from hybridplan: the clean-virtualenv test
copies this file beside an emitted stack (where hybridplan is not installed) so a stack run
there sees the same cloud as ``planner.preview.runner``.
"""

from __future__ import annotations

from typing import Any

MOCK_ACCOUNT = "123456789012"
MOCK_EKS_VERSION = "1.31"
"""The Kubernetes version the mock EKS cluster reports (the AMI lookup follows it)."""


def mock_id(name: str) -> str:
    """The physical id the preview's mocks give the resource with logical name ``name``
    (companions such as a bucket's encryption configuration refer to their bucket by it)."""
    return f"{name}-id"


def resource_state(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """What a new resource of type ``typ`` reports back: its inputs, plus the ARN and name
    an AWS resource gets and the bucket name S3 derives from a prefix."""
    state = dict(inputs)
    if typ == "pulumi:pulumi:StackReference":
        # Another stack's outputs are not known offline: every output reads as missing.
        state["outputs"] = {}
    if typ.startswith("aws:"):
        state.setdefault("arn", f"arn:aws:mock:::{name}")
        state.setdefault("name", name)
        if typ == "aws:s3/bucket:Bucket":
            state.setdefault("bucket", f"{inputs.get('bucketPrefix', '')}mock")
    return state


def invoke_result(function: str, args: dict[str, Any]) -> dict[str, Any]:
    """The answer to the lookup ``function`` (a Pulumi invoke token) called with ``args``;
    empty for any other lookup."""
    if function == "aws:eks/getCluster:getCluster":
        name = str(args.get("name", "cluster"))
        return {
            "id": name,
            "name": name,
            "arn": f"arn:aws:eks:mock:{MOCK_ACCOUNT}:cluster/{name}",
            "endpoint": "https://mock.eks.invalid",
            "version": MOCK_EKS_VERSION,
            "certificateAuthorities": [{"data": "TU9DSy1DQQ=="}],
            "kubernetesNetworkConfigs": [{"serviceIpv4Cidr": "172.20.0.0/16"}],
            "vpcConfig": {
                "subnetIds": ["subnet-mock-a", "subnet-mock-b"],
                "clusterSecurityGroupId": "sg-mock-cluster",
            },
        }
    if function == "aws:ssm/getParameter:getParameter":
        name = str(args.get("name"))
        parts = name.split("/")
        # An EKS AMI parameter names its Kubernetes version: echo it in the fake AMI id.
        eks = name.startswith("/aws/service/eks/optimized-ami/") and len(parts) > 5
        version = parts[5] if eks else ""
        return {
            "id": name,
            "name": name,
            "value": f"ami-0mock-k8s-{version.replace('.', '-')}" if version else "ami-0mock",
            "type": "String",
        }
    if function == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "id": MOCK_ACCOUNT,
            "accountId": MOCK_ACCOUNT,
            "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/mock",
            "userId": "MOCK",
        }
    return {}
