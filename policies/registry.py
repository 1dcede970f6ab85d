"""The built-in rule set, registered explicitly (no discovery by glob or star import).

To add a rule: create ``rules/hp_<cat>_<nnn>_<what>.py`` defining ``RULE``, import it here,
add it to ``RULES``, and add ``tests/policies/<RULE-ID>/{pass,fail}/`` fixtures.

``RULES`` is the set ``hybridplan plan``/``check`` and the CrossGuard pack run;
``PREVIEW_RULES`` the part ``hybridplan preview`` runs on one stack's objects on its own
(no project: default levels and parameters, no waivers).
"""

from __future__ import annotations

from planner.policy.rule import Rule
from policies.rules import (
    hp_cost_001_team_budget,
    hp_cost_002_total_budget,
    hp_cost_003_site_budget,
    hp_cost_004_cloud_share,
    hp_cost_005_gpu_hour_price,
    hp_cost_006_no_on_demand_gpu,
    hp_cost_007_move_threshold,
    hp_cost_008_capacity_shortfall,
    hp_cost_009_exchange_rate_stale,
    hp_dep_001_jobs_skip_await,
    hp_dep_002_root_images_need_a_user,
    hp_dep_003_claims_name_a_storage_class,
    hp_dep_004_replicated_databases_need_an_operator,
    hp_dep_005_planned_replicas_have_an_operator,
    hp_dep_006_custom_resources_have_their_crds,
    hp_dep_007_training_pods_fit_kueue,
    hp_dep_050_kueue_quota_fits_hardware,
    hp_dep_051_gpu_nodes_join,
    hp_dep_052_priced_capacity_type,
    hp_dep_053_imds_hop_limit,
    hp_dep_054_multi_node_training_efa_one_zone,
    hp_hyg_001_requests_limits,
    hp_hyg_002_no_privileged,
    hp_hyg_003_s3_encryption,
    hp_hyg_004_s3_public_access_block,
    hp_hyg_005_cost_allocation_tags,
    hp_hyg_006_waiver_expiry,
    hp_hyg_007_one_resource_per_object,
    hp_hyg_008_selectors_select_pods,
    hp_hyg_009_references_resolve,
    hp_hyg_010_kueue_references_resolve,
    hp_hyg_011_limits_not_below_requests,
    hp_hyg_012_autoscaler_bounds,
    hp_res_001_data_residency,
    hp_sla_001_min_replicas,
    hp_sla_002_failure_domains,
    hp_sla_003_no_spot_tier1,
    hp_sla_004_site_availability,
    hp_sla_005_pod_disruption_budget,
    hp_sla_006_cpu_limit_peaks,
)

OBJECT_RULES: tuple[Rule, ...] = (
    hp_hyg_007_one_resource_per_object.RULE,
    hp_hyg_008_selectors_select_pods.RULE,
    hp_hyg_009_references_resolve.RULE,
    hp_hyg_010_kueue_references_resolve.RULE,
    hp_hyg_011_limits_not_below_requests.RULE,
    hp_hyg_012_autoscaler_bounds.RULE,
)
"""What the Kubernetes objects of one stack do to each other - beyond schema validation, what
a real cluster would trip over: two resources applying one object, selectors that select
nothing, references to objects the stack does not create, limits below requests, autoscaler
bounds."""

DEPLOY_RULES: tuple[Rule, ...] = (
    hp_dep_001_jobs_skip_await.RULE,
    hp_dep_002_root_images_need_a_user.RULE,
    hp_dep_003_claims_name_a_storage_class.RULE,
    hp_dep_004_replicated_databases_need_an_operator.RULE,
    hp_dep_006_custom_resources_have_their_crds.RULE,
)
"""Deploy readiness of one stack's objects: what would make `pulumi up` hang or fail on a
real cluster (await semantics, users, storage, replication, CRDs)."""

AWS_DEPLOY_RULES: tuple[Rule, ...] = (
    hp_dep_050_kueue_quota_fits_hardware.RULE,
    hp_dep_051_gpu_nodes_join.RULE,
    hp_dep_052_priced_capacity_type.RULE,
    hp_dep_053_imds_hop_limit.RULE,
    hp_dep_054_multi_node_training_efa_one_zone.RULE,
)
"""What would make ``pulumi up`` of GPU capacity and Kueue fail or mislead on a real cluster:
quotas above the hardware, GPU nodes that cannot join, capacity types other than priced, the
instance metadata open to pods, multi-node training without EFA or across zones."""

RULES: tuple[Rule, ...] = (
    hp_cost_001_team_budget.RULE,
    hp_cost_002_total_budget.RULE,
    hp_cost_003_site_budget.RULE,
    hp_cost_004_cloud_share.RULE,
    hp_cost_005_gpu_hour_price.RULE,
    hp_cost_006_no_on_demand_gpu.RULE,
    hp_cost_007_move_threshold.RULE,
    hp_cost_008_capacity_shortfall.RULE,
    hp_cost_009_exchange_rate_stale.RULE,
    hp_sla_001_min_replicas.RULE,
    hp_sla_002_failure_domains.RULE,
    hp_sla_003_no_spot_tier1.RULE,
    hp_sla_004_site_availability.RULE,
    hp_sla_005_pod_disruption_budget.RULE,
    hp_sla_006_cpu_limit_peaks.RULE,
    hp_res_001_data_residency.RULE,
    hp_hyg_001_requests_limits.RULE,
    hp_hyg_002_no_privileged.RULE,
    hp_hyg_003_s3_encryption.RULE,
    hp_hyg_004_s3_public_access_block.RULE,
    hp_hyg_005_cost_allocation_tags.RULE,
    hp_hyg_006_waiver_expiry.RULE,
    *OBJECT_RULES,
    hp_dep_005_planned_replicas_have_an_operator.RULE,
    hp_dep_007_training_pods_fit_kueue.RULE,
    *DEPLOY_RULES,
    *AWS_DEPLOY_RULES,
)
"""Built-in rules in the order reports list them (cost, SLA, residency, hygiene, deploy)."""

PREVIEW_RULES: tuple[Rule, ...] = (
    hp_sla_005_pod_disruption_budget.RULE,
    *OBJECT_RULES,
    *DEPLOY_RULES,
    *AWS_DEPLOY_RULES,
)
"""What ``hybridplan preview`` runs on one stack (and fails on its mandatory findings): the
object rules, the PodDisruptionBudgets that block drains (HP-SLA-005) and deploy
readiness (HP-DEP-001.., HP-DEP-050..)."""
