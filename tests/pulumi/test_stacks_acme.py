"""Every stack of examples/acme, planned by the real pipeline and previewed offline: each
previews cleanly, and replicas, GPU limits, budgets and tags match the plan."""

from __future__ import annotations

import json
import math
import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from acme_preview import AcmePreviewed
from venv_cache import cached_venv

from planner.app import PlanOutcome, load_inputs, render_plan_files
from planner.catalogue import load_default_catalogue
from planner.model import Plan, Project, WorkloadKind
from planner.money import Money
from planner.policy.capacity import CAPACITY_TYPE
from planner.preview import PreviewResult, kubernetes_object, preview_findings
from policies.registry import PREVIEW_RULES
from policies.rules.hp_hyg_005_cost_allocation_tags import DEFAULT_TYPES

TAGGABLE = frozenset(DEFAULT_TYPES)
"""AWS types that take tags (HP-HYG-005's list): each must carry the cost tags."""

TODAY = date(2026, 11, 27)
"""A fixed planning date: waiver expiry is the only thing the date changes."""

pytestmark = pytest.mark.preview


class Acme(NamedTuple):
    out: Path
    plan: Plan
    project: Project
    files: dict[str, str]
    previews: dict[str, PreviewResult]


def _plan(acme_dir: Path, out: Path) -> PlanOutcome:
    """examples/acme planned as of TODAY, every output rendered for ``out``."""
    inputs = load_inputs(acme_dir)
    return render_plan_files(inputs, catalogue=load_default_catalogue(), today=TODAY, out=out)


@pytest.fixture(scope="module")
def acme(acme_previewed: AcmePreviewed) -> Acme:
    """examples/acme planned into a temporary OUT, and every stack previewed once."""
    assert acme_previewed.today == TODAY
    outcome = acme_previewed.outcome
    return Acme(
        acme_previewed.out,
        outcome.plan,
        outcome.project,
        dict(outcome.files),
        acme_previewed.previews,
    )


def test_every_acme_stack_previews_cleanly(
    acme: Acme,
) -> None:
    """One stack per used site; each runs, has no duplicate URN, all objects validate, and
    the preview rules find nothing among them."""
    plan, previews = acme.plan, acme.previews
    used = {a.site for p in plan.placements for a in p.assignments if a.replicas > 0}
    assert set(previews) == used
    for site, result in previews.items():
        assert result.problems == (), site
        assert result.validated > 0, site
        assert preview_findings(result, rules=PREVIEW_RULES, today=TODAY) == (), site


def test_acme_replicas_match_the_plan(
    acme: Acme,
) -> None:
    """Workload objects run the planned replicas per site (HPA floor when autoscaled); a
    database StatefulSet runs one primary and records the plan's figure, a CloudNativePG
    Cluster runs the planned instances."""
    plan, project, previews = acme.plan, acme.project, acme.previews
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for p in plan.placements:
        for a in p.assignments:
            planned[(a.site, p.workload)] += a.replicas
    checked = 0
    for site, result in previews.items():
        hpas = {
            r.inputs["spec"]["scaleTargetRef"]["name"]: r.inputs["spec"]
            for r in result.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        }
        for type_ in ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"):
            for r in result.of_type(type_):
                name = r.inputs["metadata"]["name"]
                want = planned[(site, name)]
                got = r.inputs["spec"]["replicas"]
                annotations = r.inputs["metadata"]["annotations"]
                if name in hpas:
                    assert hpas[name]["minReplicas"] <= want <= hpas[name]["maxReplicas"]
                    assert got == hpas[name]["minReplicas"]
                elif "hybridplan.io/planned-replicas" in annotations:
                    assert got == 1, (site, name)  # a single-primary database
                    planned_here = annotations["hybridplan.io/planned-replicas"]
                    assert int(planned_here) == want, (site, name)
                else:
                    assert got == want, (site, name)
                checked += 1
        for r in result.of_type("kubernetes:postgresql.cnpg.io/v1:Cluster"):
            name = r.inputs["metadata"]["name"]
            assert r.inputs["spec"]["instances"] == planned[(site, name)], (site, name)
            checked += 1
        for type_ in ("kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"):
            for r in result.of_type(type_):
                workload = project.workload(
                    r.inputs["metadata"]["annotations"]["hybridplan.io/workload"]
                )
                if workload.kind is not WorkloadKind.BATCH:
                    continue
                spec = r.inputs["spec"]
                job = spec["jobTemplate"]["spec"] if type_.endswith("CronJob") else spec
                assert job["parallelism"] == planned[(site, workload.name)]
                checked += 1
    assert checked >= len(project.workloads) // 2


def test_acme_gpu_limits_match_the_inventory(
    acme: Acme,
) -> None:
    """Every pod of a GPU workload asks for its declared nvidia.com/gpu count."""
    project, previews = acme.project, acme.previews
    gpu_pods = 0
    for result in previews.values():
        for r in result.resources:
            if r.type not in ("kubernetes:batch/v1:Job", "kubernetes:apps/v1:Deployment"):
                continue
            name = r.inputs["metadata"]["annotations"]["hybridplan.io/workload"]
            gpus = project.workload(name).resources.gpus
            container = r.inputs["spec"]["template"]["spec"]["containers"][0]
            limit = container["resources"]["limits"].get("nvidia.com/gpu")
            assert limit == (str(gpus) if gpus else None), name
            gpu_pods += bool(gpus)
    assert gpu_pods > 0


def test_acme_budgets_and_tags(
    acme: Acme,
) -> None:
    """AWS budgets equal the plan's monthly cost per site; AWS resources carry tags."""
    plan, project, previews = acme.plan, acme.project, acme.previews
    for site, result in previews.items():
        if project.site(site).provider != "aws":
            assert not [r for r in result.resources if r.type.startswith("aws:")]
            continue
        total = Money.total(
            (a.per_month for p in plan.placements for a in p.assignments if a.site == site),
            "USD",
        )
        budget = result.named("aws:budgets/budget:Budget", "budget")
        assert budget.inputs["limitAmount"] == total.format(unit=False, group=False)
        for r in result.resources:
            tags = r.inputs.get("tags")
            if r.type in TAGGABLE:
                assert tags, f"{r.urn} carries no tags"
            if not r.type.startswith("aws:") or tags is None:
                continue
            if isinstance(tags, list):
                tags = {t["key"]: t["value"] for t in tags}
            assert tags["hybridplan:site"] == site, r.urn


def test_acme_emit_is_deterministic(acme: Acme, acme_dir: Path) -> None:
    """Planning and emitting again (same inputs, same OUT) gives byte-identical stacks."""
    again = _plan(acme_dir, acme.out).files
    stacks = {p: t for p, t in acme.files.items() if p.startswith("stacks/")}
    assert len(stacks) > 5
    assert {p: t for p, t in again.items() if p.startswith("stacks/")} == stacks


def test_acme_job_replicas_can_change(acme: Acme) -> None:
    """A re-plan that changes a Job's replicas can be applied: Indexed Jobs keep completions
    equal to parallelism (mutable together), others are replaced on a completions change
    (spec.completions of a NonIndexed Job is immutable)."""
    jobs = [r for p in acme.previews.values() for r in p.of_type("kubernetes:batch/v1:Job")]
    assert jobs
    for r in jobs:
        spec = r.inputs["spec"]
        if spec.get("completionMode") == "Indexed":
            assert spec["completions"] == spec["parallelism"], r.urn
        else:
            assert "spec.completions" in r.replace_on_changes, r.urn
        assert "spec.suspend" in r.ignore_changes, r.urn


KUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:"
NODEPOOL = "kubernetes:karpenter.sh/v1:NodePool"


def _gpu_quota(cq_inputs: dict[str, object]) -> dict[str, int]:
    """flavor -> nominal nvidia.com/gpu of a ClusterQueue's inputs."""
    out: dict[str, int] = {}
    for group in cq_inputs["spec"]["resourceGroups"]:  # type: ignore[index]
        for flavor in group["flavors"]:
            for r in flavor["resources"]:
                if r["name"] == "nvidia.com/gpu":
                    out[flavor["name"]] = int(r["nominalQuota"])
    return out


def test_acme_kueue_quotas_fit_the_hardware(acme: Acme) -> None:
    """On every acme site the Kueue quotas of a flavor add up to at most what its nodes
    hold - on the owned pool sites.yaml's GPUs x target utilisation (it held 80 GPUs of quota
    on gpu-pool-us's 64), in AWS the NodePool's GPU limit - and no Job asks for more GPUs at
    once than a flavor holds."""
    owned_checked = cloud_checked = 0
    for site_name, result in acme.previews.items():
        site = acme.project.site(site_name)
        pools = {
            r.inputs["spec"]["template"]["metadata"]["labels"]["hybridplan.io/node-pool"]: int(
                r.inputs["spec"]["limits"]["nvidia.com/gpu"]
            )
            for r in result.of_type(NODEPOOL)
        }
        held: dict[str, int] = defaultdict(int)
        for cq in result.of_type(KUEUE + "ClusterQueue"):
            if "admissionChecksStrategy" in cq.inputs["spec"]:
                continue  # MultiKueue: the quota of the workers
            for flavor, gpus in _gpu_quota(cq.inputs).items():
                held[flavor] += gpus
        flavors = {
            r.inputs["metadata"]["name"]: r
            for r in result.of_type(KUEUE + "ResourceFlavor")
            if r.inputs["metadata"]["name"] in held
        }
        largest = 0
        for name, flavor in flavors.items():
            pool = flavor.inputs["spec"]["nodeLabels"].get("hybridplan.io/node-pool")
            if pool is not None:
                hold = pools[pool]
                cloud_checked += 1
            else:
                assert site.capacity is not None
                gpu = flavor.inputs["spec"]["nodeLabels"]["hybridplan.io/gpu-type"]
                hold = math.floor(site.capacity.gpus[gpu] * site.target_utilisation)
                owned_checked += 1
            assert held[name] <= hold, (site_name, name, held[name], hold)
            largest = max(largest, held[name])
        for job in result.of_type("kubernetes:batch/v1:Job"):
            spec = job.inputs["spec"]
            labels = job.inputs["metadata"]["labels"]
            if labels.get("kueue.x-k8s.io/queue-name") != "training":
                continue
            limits = spec["template"]["spec"]["containers"][0]["resources"]["limits"]
            assert spec["parallelism"] * int(limits["nvidia.com/gpu"]) <= largest, job.urn
    assert owned_checked >= 1
    assert cloud_checked >= 1


def test_acme_gpu_nodes_can_join(acme: Acme) -> None:
    """Every EC2NodeClass of every acme stack names a role the stack creates, with an
    EC2_LINUX access entry for exactly that role: no node would fail to join."""
    classes = 0
    for result in acme.previews.values():
        roles = {r.inputs.get("name") for r in result.of_type("aws:iam/role:Role")}
        entries = {
            (r.inputs["principalArn"].rsplit("/", 1)[-1], r.inputs["type"])
            for r in result.of_type("aws:eks/accessEntry:AccessEntry")
        }
        for nc in result.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
            role = nc.inputs["spec"]["role"]
            assert role in roles, nc.urn
            assert (role, "EC2_LINUX") in entries, nc.urn
            classes += 1
    assert classes > 0


def test_acme_node_pools_are_what_was_priced(acme: Acme) -> None:
    """Every GPU assignment the plan makes on an AWS site has a NodePool of its pricing
    option's capacity type and instance type, and no NodePool provisions an option the plan
    did not price there."""
    checked = 0
    for site_name, result in acme.previews.items():
        if acme.project.site(site_name).provider != "aws":
            continue
        pools = {
            (
                r.inputs["metadata"]["annotations"]["hybridplan.io/priced-option"],
                tuple(
                    next(
                        q["values"]
                        for q in r.inputs["spec"]["template"]["spec"]["requirements"]
                        if q["key"] == "karpenter.sh/capacity-type"
                    )
                ),
            )
            for r in result.of_type(NODEPOOL)
        }
        priced = set()
        for p in acme.plan.placements:
            if acme.project.workload(p.workload).resources.gpus == 0:
                continue
            for a in p.assignments:
                if a.site == site_name:
                    priced.add((a.option.value, (CAPACITY_TYPE[a.option],)))
                    checked += 1
        assert pools == priced, site_name
    assert checked > 0


CHECKOV = "checkov==3.3.30"
WAIVERS = Path(__file__).resolve().parents[2] / "policies" / "checkov-waivers.yaml"


@pytest.mark.slow
def test_checkov_failures_are_fixed_or_waived(acme: Acme, tmp_path: Path) -> None:
    """checkov over every Kubernetes object the acme stacks apply fails exactly the checks
    policies/checkov-waivers.yaml lists with a reason (and only on the resources a waiver
    narrows itself to)."""
    objects = tmp_path / "objects"
    objects.mkdir()
    for site, result in sorted(acme.previews.items()):
        docs = [o for r in result.resources if (o := kubernetes_object(r)) is not None]
        (objects / f"{site}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=True))
    python = cached_venv("checkov", CHECKOV) / "bin" / "python"
    command = [str(python), "-m", "checkov.main", "-d", str(objects), "--framework", "kubernetes"]
    proc = subprocess.run(
        [*command, "-o", "json", "--compact"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    assert reports[0]["summary"]["parsing_errors"] == 0
    failed: dict[str, set[str]] = defaultdict(set)
    for r in reports:
        for check in r["results"]["failed_checks"]:
            failed[check["check_id"]].add(check["resource"])
    waivers = yaml.safe_load(WAIVERS.read_text(encoding="utf-8"))
    assert set(failed) == set(waivers), {k: sorted(v)[:3] for k, v in failed.items()}
    for check_id, waiver in waivers.items():
        assert len(waiver["reason"]) > 40, check_id
        if "only" in waiver:
            assert failed[check_id] <= set(waiver["only"]), (check_id, failed[check_id])
