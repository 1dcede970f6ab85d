"""The CrossGuard pack, run on the previewed resources of the stacks emitted for
examples/acme, reports the same violations as the plan-time check (``evaluate_resources``,
what ``hybridplan check --stacks`` runs) - on the stacks as emitted, and on a copy edited
by hand the way a pull request might break them."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from acme_preview import AcmePreviewed
from crossguard_harness import run_pack

from planner.load import load_project
from planner.model import Level, Project
from planner.policy import ResourceRecord, evaluate_resources
from policies.registry import RULES

pytestmark = pytest.mark.preview

TODAY = date(2026, 11, 27)
RESOURCE_RULES = [r.id for r in RULES if r.check_resources is not None]


@pytest.fixture(scope="module")
def acme_stacks(
    acme_dir: Path, acme_previewed: AcmePreviewed
) -> tuple[Project, tuple[ResourceRecord, ...], dict[str, Any]]:
    """examples/acme planned and emitted; every stack previewed offline (shared, once)."""
    from planner.preview import policy_records

    assert acme_previewed.today == TODAY
    records: list[ResourceRecord] = []
    configs: dict[str, Any] = {}
    for site, result in sorted(acme_previewed.previews.items()):
        assert result.ok, result.problems
        records.extend(policy_records(result, site))
        site_dir = acme_previewed.out / "stacks" / site
        configs[site] = json.loads((site_dir / "policy-config.json").read_text(encoding="utf-8"))
    return load_project(acme_dir), tuple(records), configs


def _plan_time(project: Project, records: tuple[ResourceRecord, ...]) -> set[tuple[str, str]]:
    findings = evaluate_resources(records, project, TODAY, rules=RULES)
    assert not [f for f in findings if f.evidence.get("cannot_evaluate")]
    return {(f.rule_id, f.scope) for f in findings if not f.waived}


def test_emitted_stacks_pass_and_both_sides_agree(
    acme_stacks: tuple[Project, tuple[ResourceRecord, ...], dict[str, Any]],
) -> None:
    """The emitted stacks break no resource rule, by either check."""
    project, records, configs = acme_stacks
    assert len(records) > 100
    assert {c["HP-HYG-002"]["enforcementLevel"] for c in configs.values()} == {"mandatory"}
    reported, unknown = run_pack(RESOURCE_RULES, records, configs)
    assert unknown == set()
    assert reported == _plan_time(project, records) == set()


def _labels(r: ResourceRecord) -> dict[str, Any]:
    labels: dict[str, Any] = r.props["metadata"]["labels"]  # type: ignore[index]
    return labels


def _edit(records: tuple[ResourceRecord, ...]) -> tuple[ResourceRecord, ...]:
    """Break the stacks: one edit per rule, as a careless pull request would."""
    out: list[ResourceRecord] = []
    edits: dict[str, Callable[[dict[str, Any]], None]] = {}
    deployments = [r for r in records if r.type == "kubernetes:apps/v1:Deployment"]
    tier1 = [r for r in deployments if _labels(r)["hybridplan.io/tier"] == "1"]
    others = [r for r in deployments if r not in tier1]

    def one_replica(p: dict[str, Any]) -> None:
        p["spec"]["replicas"] = 1

    def no_spread(p: dict[str, Any]) -> None:
        del p["spec"]["template"]["spec"]["topologySpreadConstraints"]

    def privileged(p: dict[str, Any]) -> None:
        p["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {"privileged": True}

    def no_limits(p: dict[str, Any]) -> None:
        del p["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]

    def no_team(p: dict[str, Any]) -> None:
        del p["metadata"]["labels"]["hybridplan.io/team"]

    def untagged(p: dict[str, Any]) -> None:
        p["tags"] = {}

    edits[tier1[0].key] = one_replica
    edits[tier1[1].key] = no_spread
    edits[others[0].key] = privileged
    edits[others[1].key] = no_limits
    edits[others[2].key] = no_team

    def two_hops(p: dict[str, Any]) -> None:
        p["spec"]["metadataOptions"]["httpPutResponseHopLimit"] = 2

    role = next(r for r in records if r.type == "aws:iam/role:Role" and r.name == "node-role")
    edits[role.key] = untagged
    node_class = next(
        r for r in records if r.type == "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
    )
    edits[node_class.key] = two_hops
    dropped = {
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:eks/accessEntry:AccessEntry",
    }
    pdb = next(
        r
        for r in records
        if r.type == "kubernetes:policy/v1:PodDisruptionBudget"
        and r.props["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]  # type: ignore[index]
        == others[3].props["metadata"]["labels"]["app.kubernetes.io/name"]
    )  # type: ignore[index]
    for r in records:
        if r.type in dropped or r is pdb:
            continue
        if r.key in edits:
            props = copy.deepcopy(dict(r.props))
            edits[r.key](props)
            out.append(dataclasses.replace(r, props=props))
            continue
        out.append(r)
    return tuple(out)


def test_broken_stacks_are_reported_the_same_by_both(
    acme_stacks: tuple[Project, tuple[ResourceRecord, ...], dict[str, Any]],
) -> None:
    """After the edits, the pack and the plan-time check report the same, non-empty set of
    (rule, resource), covering every kind of edit."""
    project, records, configs = acme_stacks
    broken = _edit(records)
    reported, unknown = run_pack(RESOURCE_RULES, broken, configs)
    assert unknown == set()
    plan_time = _plan_time(project, broken)
    assert reported == plan_time
    assert {rule for rule, _ in reported} == {
        "HP-SLA-001",
        "HP-SLA-002",
        "HP-SLA-005",
        "HP-HYG-001",
        "HP-HYG-002",
        "HP-HYG-003",
        "HP-HYG-004",
        "HP-HYG-005",
        "HP-DEP-051",
        "HP-DEP-053",
    }
    levels = {f.level for f in evaluate_resources(broken, project, TODAY, rules=RULES)}
    assert levels == {Level.MANDATORY}
