"""Policy as code: the rule model, evaluation at plan time and on emitted resources,
constraints for the solver, waivers, the CrossGuard pack config and SARIF output. Pure.

The rules themselves live one per file under ``policies/rules/`` and are registered
explicitly in ``policies/registry.py``; they import this package, never the reverse, so
every function here takes the rule set as an argument (``rules=policies.registry.RULES``).
"""

from __future__ import annotations

from planner.policy.config import pack_config, pack_config_schema, policy_problems
from planner.policy.engine import (
    check_resource_rule,
    constraints_for,
    effective_level,
    effective_params,
    evaluate_plan,
    evaluate_resources,
    mandatory_failures,
    relax_cost_limits,
)
from planner.policy.resources import UNKNOWN, ResourceRecord
from planner.policy.rule import Param, ParamKind, Rule, Violation
from planner.policy.waivers import apply_waivers

__all__ = [
    "UNKNOWN",
    "Param",
    "ParamKind",
    "ResourceRecord",
    "Rule",
    "Violation",
    "apply_waivers",
    "check_resource_rule",
    "constraints_for",
    "effective_level",
    "effective_params",
    "evaluate_plan",
    "evaluate_resources",
    "mandatory_failures",
    "pack_config",
    "pack_config_schema",
    "policy_problems",
    "relax_cost_limits",
]
