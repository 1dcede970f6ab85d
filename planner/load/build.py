"""Model objects from validated input: the plain dicts of inventory, sites, policies and
project files, already checked against their schemas and each other, become the frozen
``Project`` the core plans with; every workload, site and waiver keeps its source line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.layout import INVENTORY, POLICIES, PROJECT, SITES
from planner.load.yamlpos import Parsed, YamlPath
from planner.model import (
    Amortisation,
    BuyableClass,
    Capacity,
    CloudCost,
    ClusterSpec,
    CostBasis,
    DataSpec,
    Dependency,
    DeploySpec,
    GpuPoolCost,
    GpuPoolMode,
    Level,
    ManagedSpec,
    NodeClass,
    ObjectStoreSpec,
    OwnedCost,
    PolicyConfig,
    PowerBilling,
    PricingOption,
    Profile,
    Project,
    Residency,
    Resources,
    RuleConfig,
    Settings,
    Site,
    SiteKind,
    SourceRef,
    TrainingSpec,
    Waiver,
    WaveSettings,
    Workload,
    WorkloadKind,
)


def build_project(
    root: str,
    *,
    inventory: Parsed,
    sites: Parsed,
    policies: PolicyConfig,
    project: Parsed | None,
    telemetry_files: tuple[str, ...],
    digests: Mapping[str, str],
) -> Project:
    """The ``Project`` of validated documents (``policies`` already built and checked)."""
    return Project(
        root=root,
        workloads=tuple(
            _workload(w, SourceRef(INVENTORY, line, column))
            for w, (line, column) in zip(
                inventory.data["workloads"], inventory.item_positions(("workloads",)), strict=True
            )
        ),
        sites=tuple(_site(s, sites, i) for i, s in enumerate(sites.data["sites"])),
        policies=policies,
        settings=_settings(project.data.get("settings", {}), project) if project else Settings(),
        telemetry_files=telemetry_files,
        digests=dict(sorted(digests.items())),
    )


def _source(parsed: Parsed, file: str, path: YamlPath) -> SourceRef:
    line, column = parsed.where(path)
    return SourceRef(file, line, column)


def _opt_float(d: Mapping[str, Any], key: str) -> float | None:
    value = d.get(key)
    return None if value is None else float(value)


_KINDS = {k.value: k for k in WorkloadKind}
_RESIDENCIES = {r.value: r for r in Residency}
_OPTIONS = {o.value: o for o in PricingOption}
_PROFILES = {p.value: p for p in Profile}
"""Enum members by value: a dict lookup, where calling the Enum is a slow path per workload."""


def _workload(w: Mapping[str, Any], source: SourceRef) -> Workload:
    res = w["resources"]
    data = w.get("data", {})
    training = w.get("training")
    objects = w.get("objects")
    managed = w.get("managed")
    deps = tuple(
        Dependency(d)
        if isinstance(d, str)
        else Dependency(d["name"], _opt_float(d, "max_latency_ms"))
        for d in w.get("depends_on", ())
    )
    return Workload(
        name=w["name"],
        team=w["team"],
        kind=_KINDS[w["kind"]],
        tier=int(w["tier"]),
        replicas=int(w["replicas"]),
        resources=Resources(
            cpu=float(res["cpu"]),
            memory_gib=float(res["memory_gib"]),
            gpus=int(res.get("gpus", 0)),
            gpu_type=res.get("gpu_type"),
            storage_gib=float(res.get("storage_gib", 0.0)),
        ),
        data=DataSpec(
            residency=_RESIDENCIES[data.get("residency", Residency.ANY.value)],
            egress_gib_per_month=float(data.get("egress_gib_per_month", 0.0)),
            dataset_gib=float(data.get("dataset_gib", 0.0)),
            cdn_egress_gib_per_month=float(data.get("cdn_egress_gib_per_month", 0.0)),
        ),
        depends_on=deps,
        current_site=w.get("current_site"),
        current_option=_OPTIONS[w["current_option"]] if "current_option" in w else None,
        pinned_site=w.get("pinned_site"),
        profile=_PROFILES[w["profile"]] if "profile" in w else None,
        telemetry=w.get("telemetry"),
        hours_per_month=(
            float(w["hours_per_month"]) if w.get("hours_per_month") is not None else None
        ),
        training=(
            TrainingSpec(
                gpu_hours_per_month=float(training["gpu_hours_per_month"]),
                deadline_days=(
                    int(training["deadline_days"]) if "deadline_days" in training else None
                ),
                checkpoint_gib=float(training.get("checkpoint_gib", 0.0)),
            )
            if training is not None
            else None
        ),
        objects=(
            ObjectStoreSpec(
                stored_gib=float(objects["stored_gib"]),
                infrequent_pct=float(objects.get("infrequent_pct", 0.0)),
                put_requests_per_month=float(objects.get("put_requests_per_month", 0.0)),
                get_requests_per_month=float(objects.get("get_requests_per_month", 0.0)),
            )
            if objects is not None
            else None
        ),
        managed=(
            ManagedSpec(
                engine=str(managed["engine"]),
                extra_backup_gib=float(managed.get("extra_backup_gib", 0.0)),
            )
            if managed is not None
            else None
        ),
        image=w.get("image"),
        ports=tuple(map(int, w.get("ports", ()))),
        allow_spot=bool(w.get("allow_spot", True)),
        deploy=_deploy(w.get("deploy", {})),
        source=source,
    )


_NO_DEPLOY = DeploySpec()
"""The deploy settings of a workload without ``deploy:`` (most), built once."""


def _deploy(d: Mapping[str, Any]) -> DeploySpec:
    if not d:
        return _NO_DEPLOY

    def opt_int(key: str) -> int | None:
        return None if d.get(key) is None else int(d[key])

    return DeploySpec(
        schedule=d.get("schedule"),
        secret=d.get("secret"),
        run_as_user=opt_int("run_as_user"),
        run_as_group=opt_int("run_as_group"),
        fs_group=opt_int("fs_group"),
        data_path=d.get("data_path"),
        migrated_from=d.get("migrated_from"),
    )


def _cluster(d: Mapping[str, Any]) -> ClusterSpec:
    return ClusterSpec(
        context=d.get("context"),
        storage_class=d.get("storage_class"),
        snapshot_class=d.get("snapshot_class"),
        operators=tuple(str(o) for o in d.get("operators", [])),
    )


def _owned(d: Mapping[str, Any]) -> OwnedCost:
    depreciation = d.get("depreciation_months")
    return OwnedCost(
        node_classes=tuple(
            NodeClass(
                name=n["name"],
                count=int(n["count"]),
                cpu=float(n["cpu"]),
                memory_gib=float(n["memory_gib"]),
                capex_usd=float(n["capex_usd"]),
                power_kw=float(n["power_kw"]),
                gpus=int(n.get("gpus", 0)),
                gpu_type=n.get("gpu_type"),
                purchase_month=(
                    int(n["purchase_month"]) if n.get("purchase_month") is not None else None
                ),
            )
            for n in d.get("node_classes", [])
        ),
        amortisation=Amortisation(d.get("amortisation", Amortisation.STRAIGHT_LINE.value)),
        depreciation_months=int(depreciation) if depreciation is not None else None,
        discount_rate_pct=_opt_float(d, "discount_rate_pct"),
        power_billing=PowerBilling(d.get("power_billing", PowerBilling.PER_KW_MONTH.value)),
        colo_usd_per_kw_month=_opt_float(d, "colo_usd_per_kw_month"),
        usd_per_kwh=_opt_float(d, "usd_per_kwh"),
        pue=_opt_float(d, "pue"),
        space_usd_per_month=float(d.get("space_usd_per_month", 0.0)),
        labour_usd_per_month=float(d.get("labour_usd_per_month", 0.0)),
        support_pct_of_capex_per_year=_opt_float(d, "support_pct_of_capex_per_year"),
        cost_basis=CostBasis(d.get("cost_basis", CostBasis.AVERAGE.value)),
        purchase_month=int(d.get("purchase_month", 0)),
        residual_value_pct=float(d.get("residual_value_pct", 0.0)),
        refresh=bool(d.get("refresh", False)),
        racks_and_power_paid=bool(d.get("racks_and_power_paid", False)),
    )


def _buy(b: Mapping[str, Any], source: SourceRef) -> BuyableClass:
    return BuyableClass(
        name=b["name"],
        cpu=float(b["cpu"]),
        memory_gib=float(b["memory_gib"]),
        capex_usd=float(b["capex_usd"]),
        power_kw=float(b["power_kw"]),
        max_units=int(b["max_units"]),
        lead_time_months=int(b.get("lead_time_months", 0)),
        gpus=int(b.get("gpus", 0)),
        gpu_type=b.get("gpu_type"),
        source=source,
    )


def _site(s: Mapping[str, Any], parsed: Parsed, index: int) -> Site:
    source = _source(parsed, SITES, ("sites", index))
    cost = s.get("cost", {})
    capacity = s.get("capacity")
    gpu_pool = cost.get("gpu_pool")
    cloud = cost.get("cloud")
    return Site(
        name=s["name"],
        kind=SiteKind(s["kind"]),
        provider=s["provider"],
        region=s["region"],
        jurisdiction=Residency(s["jurisdiction"]),
        failure_domains=tuple(s["failure_domains"]),
        availability_pct=float(s["availability"]),
        capacity=(
            Capacity(
                cpu=float(capacity["cpu"]),
                memory_gib=float(capacity["memory_gib"]),
                gpus={str(k): int(v) for k, v in capacity.get("gpus", {}).items()},
            )
            if capacity is not None
            else None
        ),
        target_utilisation=float(s.get("target_utilisation", 0.8)),
        latency_ms={str(k): float(v) for k, v in s.get("latency_ms", {}).items()},
        owned_cost=_owned(cost["owned"]) if "owned" in cost else None,
        gpu_pool_cost=(
            GpuPoolCost(
                mode=GpuPoolMode(gpu_pool.get("mode", GpuPoolMode.OWNED.value)),
                owned=_owned(gpu_pool["owned"]) if "owned" in gpu_pool else None,
                usd_per_gpu_hour=_opt_float(gpu_pool, "usd_per_gpu_hour"),
                min_gpu_hours_per_month=float(gpu_pool.get("min_gpu_hours_per_month", 0.0)),
                realised_utilisation=_opt_float(gpu_pool, "realised_utilisation"),
            )
            if gpu_pool is not None
            else None
        ),
        cloud_cost=(
            CloudCost(
                price_region=cloud["price_region"],
                discount_pct=float(cloud.get("discount_pct", 0.0)),
                options=tuple(PricingOption(o) for o in cloud["options"])
                if "options" in cloud
                else CloudCost(price_region="").options,
            )
            if cloud is not None
            else None
        ),
        price_overrides={str(k): float(v) for k, v in s.get("price_overrides", {}).items()},
        cluster=_cluster(s.get("cluster", {})),
        buy=tuple(
            _buy(b, _source(parsed, SITES, ("sites", index, "buy", j)))
            for j, b in enumerate(s.get("buy", []))
        ),
        source=source,
    )


def build_policies(doc: Parsed) -> PolicyConfig:
    """The rule settings and waivers of a validated policies.yaml."""
    data = doc.data
    rules = tuple(
        RuleConfig(
            rule_id=rule_id,
            level=Level(cfg["level"]) if "level" in cfg else None,
            params=dict(cfg.get("params", {})),
        )
        for rule_id, cfg in data.get("rules", {}).items()
    )
    waivers = []
    for i, w in enumerate(data.get("waivers", [])):
        ((scope_kind, scope),) = w["scope"].items()
        waivers.append(
            Waiver(
                rule_id=w["rule"],
                scope_kind=scope_kind,
                scope=scope,
                reason=w["reason"],
                expires=w["expires"],
                source=_source(doc, POLICIES, ("waivers", i)),
            )
        )
    return PolicyConfig(rules=rules, waivers=tuple(waivers))


def _settings(s: Mapping[str, Any], doc: Parsed) -> Settings:
    defaults = Settings()
    return Settings(
        currency_source=(
            _source(doc, PROJECT, ("settings", "currency")) if "currency" in s else None
        ),
        horizon_months=int(s.get("horizon_months", defaults.horizon_months)),
        discount_rate_pct=float(s.get("discount_rate_pct", defaults.discount_rate_pct)),
        currency=str(s.get("currency", defaults.currency)),
        headroom=float(s.get("headroom", defaults.headroom)),
        classify={str(k): float(v) for k, v in s.get("classify", {}).items()},
        engineering_usd_per_move=float(
            s.get("engineering_usd_per_move", defaults.engineering_usd_per_move)
        ),
        double_running_months=float(s.get("double_running_months", defaults.double_running_months)),
        double_running_months_by_kind={
            **defaults.double_running_months_by_kind,
            **{str(k): float(v) for k, v in s.get("double_running_months_by_kind", {}).items()},
        },
        egress_exit_waiver=bool(s.get("egress_exit_waiver", defaults.egress_exit_waiver)),
        solver_time_limit_s=float(s.get("solver_time_limit_s", defaults.solver_time_limit_s)),
        solver_gap=float(s.get("solver_gap", defaults.solver_gap)),
        tier_availability_pct={
            **defaults.tier_availability_pct,
            **{int(k): float(v) for k, v in s.get("tier_availability_pct", {}).items()},
        },
        min_replicas_by_tier={
            **defaults.min_replicas_by_tier,
            **{int(k): int(v) for k, v in s.get("min_replicas_by_tier", {}).items()},
        },
        waves=_waves(s.get("waves", {})),
    )


def _waves(w: Mapping[str, Any]) -> WaveSettings:
    d = WaveSettings()
    return WaveSettings(
        max_moves_per_wave=int(w.get("max_moves_per_wave", d.max_moves_per_wave)),
        max_data_tb_per_wave=float(w.get("max_data_tb_per_wave", d.max_data_tb_per_wave)),
        start_month=str(w["start_month"]) if "start_month" in w else d.start_month,
    )
