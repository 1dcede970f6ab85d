"""The CrossGuard pack config generated from policies.yaml, and the policy-config checks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from policy_world import project

from planner.errors import Problem
from planner.load import load_project
from planner.model import Level, PolicyConfig, RuleConfig, Settings, Waiver
from planner.policy import pack_config, pack_config_schema, policy_problems
from policies.registry import RULES

RESOURCE_RULES = {r.id for r in RULES if r.check_resources is not None}


def test_pack_config_of_mini(mini_dir: Path) -> None:
    """One entry per resource rule, with level, resolved params and the rule's waivers."""
    config = pack_config(load_project(mini_dir), rules=RULES)
    assert set(config) == RESOURCE_RULES
    sla1 = config["HP-SLA-001"]
    assert isinstance(sla1, dict)
    assert sla1["enforcementLevel"] == "mandatory"
    assert sla1["min_replicas_by_tier"] == {"1": 3, "2": 2, "3": 1}
    sla2 = config["HP-SLA-002"]
    assert isinstance(sla2, dict)
    assert sla2["waivers"] == [
        {
            "scope_kind": "workload",
            "scope": "llm-finetune",
            "reason": "Research job; a single failure domain is acceptable (RISK-114).",
            "expires": "2027-03-31",
        }
    ]
    json.dumps(config, sort_keys=True)  # JSON-ready


def test_pack_config_validates_against_each_policy_schema(mini_dir: Path) -> None:
    """Each entry (less enforcementLevel) is valid under the config schema the pack declares."""
    config = pack_config(load_project(mini_dir), rules=RULES)
    for rule in RULES:
        if rule.id not in config:
            continue
        entry = dict(config[rule.id])  # type: ignore[call-overload]
        entry.pop("enforcementLevel")
        schema = {
            "type": "object",
            "properties": pack_config_schema(rule),
            "additionalProperties": False,
        }
        errors = list(Draft202012Validator(schema).iter_errors(entry))
        assert not errors, (rule.id, [e.message for e in errors])


def test_pack_config_follows_settings_and_overrides() -> None:
    """Settings give defaults (tier minimums); policies.yaml overrides them and the level."""
    proj = project(
        {"rules": {"HP-HYG-001": {"level": "advisory", "params": {"require_cpu_limit": False}}}}
    )
    proj = replace(proj, settings=Settings(min_replicas_by_tier={1: 5}))
    config = pack_config(proj, rules=RULES)
    assert config["HP-HYG-001"] == {
        "enforcementLevel": "advisory",
        "require_cpu_limit": False,
        "waivers": [],
    }
    assert config["HP-SLA-001"]["min_replicas_by_tier"] == {"1": 5}  # type: ignore[index]


@pytest.mark.parametrize(
    ("config", "field", "fragment"),
    [
        (PolicyConfig(rules=(RuleConfig("HP-COST-042"),)), "rules.HP-COST-042", "unknown rule"),
        (
            PolicyConfig(rules=(RuleConfig("HP-COST-001", params={"budget": 1}),)),
            "rules.HP-COST-001.params.budget",
            "no parameter 'budget'",
        ),
        (
            PolicyConfig(rules=(RuleConfig("HP-COST-002", params={"max_usd_per_month": "lots"}),)),
            "rules.HP-COST-002.params.max_usd_per_month",
            "must be a number",
        ),
        (
            PolicyConfig(waivers=(Waiver("HP-SLA-002", "workload", "x", "  ", "2027-01-01"),)),
            "waivers[0].reason",
            "needs a reason",
        ),
        (
            PolicyConfig(waivers=(Waiver("HP-SLA-002", "workload", "x", "r", "soon"),)),
            "waivers[0].expires",
            "not a date",
        ),
        (
            PolicyConfig(waivers=(Waiver("HP-SLA-002", "cluster", "x", "r", "2027-01-01"),)),
            "waivers[0].scope",
            "unknown scope kind",
        ),
    ],
    ids=["unknown-rule", "unknown-param", "param-type", "no-reason", "bad-expiry", "bad-scope"],
)
def test_policy_problems(config: PolicyConfig, field: str, fragment: str) -> None:
    """Each mistake in a policy config is one located problem with a fix."""
    (problem,) = policy_problems(config, rules=RULES)
    assert isinstance(problem, Problem)
    assert problem.field == field
    assert fragment in problem.message
    assert problem.fix


def test_mini_policy_config_is_clean(mini_dir: Path) -> None:
    """The bundled mini project's policies.yaml has no problems."""
    assert policy_problems(load_project(mini_dir).policies, rules=RULES) == []


def test_levels_are_model_levels() -> None:
    """Every rule's default level is a model Level (the pack maps them to CrossGuard's)."""
    assert {r.level for r in RULES} <= set(Level)
