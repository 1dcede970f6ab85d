"""Small worlds for policy tests, built from compact dicts (the rule fixtures' YAML) with
the shared world's builders (``tests/world/``).

Every field has a default so that a fixture states only what its rule looks at. Unless a
fixture lists its own ``sites``, the project has the mini world's four sites (an EU colo
cluster, a one-domain US GPU pool, two AWS regions of which us-east-1 sells capacity
blocks) and the fixture's ``extra_sites``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import world
import yaml

from planner.fx import USD, FxRate
from planner.model import (
    Capacity,
    CloudCost,
    ClusterSpec,
    DataSpec,
    GpuPoolCost,
    GpuPoolMode,
    Level,
    PeakCheck,
    Placement,
    Plan,
    PolicyConfig,
    PricingOption,
    Project,
    Residency,
    Resources,
    RuleConfig,
    Site,
    SiteKind,
    SiteUsage,
    SolverInfo,
    SourceRef,
    TrainingSpec,
    Waiver,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from planner.policy import ResourceRecord

TODAY = date(2026, 11, 27)
FIXTURES = Path(__file__).resolve().parent


def site(d: Mapping[str, Any]) -> Site:
    """A fixture's site: owned sites hold 512 cores and 4 TiB, cloud sites sell on-demand
    unless ``options`` says more; a pool with ``gpu_pool_usd_per_gpu_hour`` is leased."""
    kind = SiteKind(d.get("kind", "cloud"))
    changes: dict[str, Any] = {"provider": d["provider"]} if "provider" in d else {}
    if kind is SiteKind.CLOUD:
        changes["cloud_cost"] = CloudCost(
            price_region=d.get("region", d["name"]),
            options=tuple(PricingOption(o) for o in d.get("options", ["on-demand"])),
        )
    if "gpus" in d:  # an owned site's GPUs (512 cores and 4 TiB beside them)
        changes["capacity"] = Capacity(cpu=512, memory_gib=4096, gpus=dict(d["gpus"]))
        changes["target_utilisation"] = float(d.get("target_utilisation", 0.8))
    if "gpu_pool_usd_per_gpu_hour" in d:
        changes["gpu_pool_cost"] = GpuPoolCost(
            mode=GpuPoolMode(d.get("gpu_pool_mode", "leased")),
            usd_per_gpu_hour=float(d["gpu_pool_usd_per_gpu_hour"]),
        )
    return world.site(
        d["name"],
        kind,
        region=d.get("region", d["name"]),
        jurisdiction=Residency(d.get("jurisdiction", "eu")),
        failure_domains=tuple(d.get("failure_domains", ["a"])),
        availability_pct=float(d.get("availability_pct", 99.9)),
        cluster=ClusterSpec(operators=tuple(d.get("operators", ()))),
        source=SourceRef("sites.yaml", int(d.get("line", 0))),
        **changes,
    )


def workload(d: Mapping[str, Any]) -> Workload:
    """A fixture's workload: a service of team-a, tier 2, two replicas of 1 core / 2 GiB."""
    res = d.get("resources", {})
    training = None
    if "gpu_hours_per_month" in d:
        training = TrainingSpec(gpu_hours_per_month=float(d["gpu_hours_per_month"]))
    return world.workload(
        d["name"],
        WorkloadKind(d.get("kind", "service")),
        team=d.get("team", "team-a"),
        tier=int(d.get("tier", 2)),
        replicas=int(d.get("replicas", 2)),
        resources=Resources(
            cpu=float(res.get("cpu", 1)),
            memory_gib=float(res.get("memory_gib", 2)),
            gpus=int(res.get("gpus", 0)),
            gpu_type=res.get("gpu_type"),
        ),
        data=DataSpec(residency=Residency(d.get("residency", "any"))),
        current_site=d.get("current_site"),
        training=training,
        allow_spot=bool(d.get("allow_spot", True)),
        image=d.get("image"),
        source=SourceRef("inventory.yaml", int(d.get("line", 0))),
    )


def waiver(d: Mapping[str, Any]) -> Waiver:
    ((kind, scope),) = d["scope"].items()
    return Waiver(
        rule_id=d["rule"],
        scope_kind=kind,
        scope=scope,
        reason=d.get("reason", ""),
        expires=str(d["expires"]),
        source=SourceRef("policies.yaml", int(d.get("line", 0))),
    )


def project(case: Mapping[str, Any], rule_id: str | None = None) -> Project:
    """The case's project; ``params``/``level`` configure ``rule_id``; ``rules`` configures
    several rules at once (``{id: {level, params}}``)."""
    configs = []
    if rule_id is not None and ("params" in case or "level" in case):
        level = Level(case["level"]) if "level" in case else None
        configs.append(RuleConfig(rule_id, level, dict(case.get("params", {}))))
    for rid, cfg in case.get("rules", {}).items():
        level = Level(cfg["level"]) if "level" in cfg else None
        configs.append(RuleConfig(rid, level, dict(cfg.get("params", {}))))
    if "sites" in case:
        sites = tuple(site(s) for s in case["sites"])
    else:
        sites = (*world.mini_sites(), *(site(s) for s in case.get("extra_sites", [])))
    return world.project(
        (workload(w) for w in case.get("workloads", [])),
        sites,
        root=case.get("root", "tests/data/policy"),
        policies=PolicyConfig(
            rules=tuple(configs), waivers=tuple(waiver(w) for w in case.get("waivers", []))
        ),
    )


def placement(d: Mapping[str, Any]) -> Placement:
    """A fixture's placement: its assignments (on-demand, one replica, free by default)."""
    return world.placement(
        d["workload"],
        (
            world.assignment(
                a["site"],
                PricingOption(a.get("option", "on-demand")),
                int(a.get("replicas", 1)),
                float(a.get("usd_per_month", 0.0)),
                gpu_hours_per_month=(
                    float(a["gpu_hours_per_month"]) if "gpu_hours_per_month" in a else None
                ),
            )
            for a in d.get("assignments", [])
        ),
        migration=world.usd(float(d.get("migration_usd", 0.0))),
        previous_site=d.get("previous_site"),
        binding=tuple(d.get("binding", ())),
    )


def plan(case: Mapping[str, Any]) -> Plan:
    """A fixture's plan, as a rule-based solver would report it."""
    return world.plan(
        (placement(p) for p in case.get("placements", [])),
        classifications=tuple(
            world.classification(
                c["workload"],
                WorkloadClass(c["cls"]),
                peak_check=PeakCheck(**c["peak_check"]) if "peak_check" in c else None,
            )
            for c in case.get("classifications", [])
        ),
        solver=SolverInfo("rule", "optimal", 0.0, None, None, 0.0),
        site_usage=tuple(
            SiteUsage(
                site=u["site"],
                used={k: float(v) for k, v in u.get("used", {}).items()},
                capacity={k: float(v) for k, v in u.get("capacity", {}).items()},
                per_month=world.usd(float(u.get("usd_per_month", 0.0))),
            )
            for u in case.get("site_usage", [])
        ),
        workload_baseline_per_month={
            k: world.usd(float(v)) for k, v in case.get("baseline_usd_per_month", {}).items()
        },
        currency=_rate(case.get("currency")),
        catalogue_captured=str(case.get("catalogue_captured", "")),
    )


def _rate(d: Mapping[str, Any] | None) -> FxRate:
    """A fixture's project currency: ``{code, usd_per_unit, date, source}`` (USD if none)."""
    if d is None:
        return USD
    return FxRate(
        str(d["code"]), Decimal(str(d["usd_per_unit"])), str(d["date"]), str(d.get("source", ""))
    )


def _set(target: Any, dotted: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts/lists, creating dicts on the way."""
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is None:
        target.pop(last, None)
    else:
        target[last] = value


def record(d: Mapping[str, Any]) -> ResourceRecord:
    """A record from a fixture entry; ``deployment: {...}`` builds one with
    :func:`deployment`, then ``set: {dotted.path: value}`` edits it (null deletes)."""
    d = copy.deepcopy(dict(d))
    if "deployment" in d:
        d = {**deployment(**d["deployment"]), **{k: v for k, v in d.items() if k != "deployment"}}
    for path, value in d.get("set", {}).items():
        _set(d, path, value)
    return ResourceRecord(
        type=d["type"],
        name=d["name"],
        props=d.get("props", {}),
        urn=d.get("urn", ""),
        parent=d.get("parent", ""),
        property_dependencies={k: tuple(v) for k, v in d.get("property_dependencies", {}).items()},
        provider_props=d.get("provider_props", {}),
        stack=d.get("stack", ""),
        id=d.get("id", ""),
    )


def records(case: Mapping[str, Any]) -> tuple[ResourceRecord, ...]:
    return tuple(record(r) for r in case.get("resources", []))


def load_case(path: Path) -> dict[str, Any]:
    """The fixture at ``path``, parsed once per process (collection reads each fixture to
    parametrize, then the test reads it again); a copy the caller may change."""
    return copy.deepcopy(_parsed_case(path))


@functools.cache
def _parsed_case(path: Path) -> dict[str, Any]:
    # libyaml's safe loader when built (the same values for these fixtures, 8x faster)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    assert isinstance(data, dict), f"{path}: a fixture is a mapping"
    return data


def case_files(rule_dirs: Sequence[Path] | None = None) -> list[Path]:
    """Every ``<RULE-ID>/{pass,fail}/*.yaml`` fixture, sorted."""
    dirs = rule_dirs or sorted(p for p in FIXTURES.iterdir() if p.name.startswith("HP-"))
    return sorted(f for d in dirs for f in d.glob("*/*.yaml"))


# Pod-creating objects the hygiene fixtures build on.
def deployment(
    name: str,
    *,
    replicas: int = 3,
    tier: int = 2,
    containers: list[dict[str, Any]] | None = None,
    spread: bool = True,
) -> dict[str, Any]:
    """A Deployment record as the emitted stacks write it (labels of stacks/labels.py)."""
    labels = {
        "app.kubernetes.io/name": name,
        "hybridplan.io/team": "team-a",
        "hybridplan.io/tier": str(tier),
    }
    spec: dict[str, Any] = {
        "containers": containers
        or [
            {
                "name": "main",
                "image": "registry.example.com/app:1.0",
                "resources": {
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                    "limits": {"cpu": "1", "memory": "1Gi"},
                },
            }
        ]
    }
    if spread:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
            }
        ]
    return {
        "type": "kubernetes:apps/v1:Deployment",
        "name": name,
        "props": {
            "metadata": {"name": name, "namespace": "team-a", "labels": labels},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                "template": {"metadata": {"labels": labels}, "spec": spec},
            },
        },
    }
