"""The built-in rule set, registered explicitly (no discovery by glob or star import).

To add a rule: create ``rules/hp_<cat>_<nnn>_<what>.py`` defining ``RULE``, import it here,
add it to ``RULES``, and add ``tests/policies/<RULE-ID>/{pass,fail}/`` fixtures.
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
    hp_hyg_001_requests_limits,
    hp_hyg_002_no_privileged,
    hp_hyg_003_s3_encryption,
    hp_hyg_004_s3_public_access_block,
    hp_hyg_005_cost_allocation_tags,
    hp_hyg_006_waiver_expiry,
    hp_res_001_data_residency,
    hp_sla_001_min_replicas,
    hp_sla_002_failure_domains,
    hp_sla_003_no_spot_tier1,
    hp_sla_004_site_availability,
    hp_sla_005_pod_disruption_budget,
    hp_sla_006_cpu_limit_peaks,
)

RULES: tuple[Rule, ...] = (
    hp_cost_001_team_budget.RULE,
    hp_cost_002_total_budget.RULE,
    hp_cost_003_site_budget.RULE,
    hp_cost_004_cloud_share.RULE,
    hp_cost_005_gpu_hour_price.RULE,
    hp_cost_006_no_on_demand_gpu.RULE,
    hp_cost_007_move_threshold.RULE,
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
)
