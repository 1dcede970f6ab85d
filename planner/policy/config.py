"""The project's policy configuration: checking it, and turning it into the CrossGuard pack
config each emitted stack carries (``stacks/<site>/policy-config.json``).

Pack config format (``pulumi preview --policy-pack policies --policy-pack-config FILE``)::

    {"HP-HYG-001": {"enforcementLevel": "mandatory", "require_cpu_limit": true,
                    "waivers": [{"scope_kind": "workload", "scope": "x",
                                 "reason": "...", "expires": "2027-03-31"}]}, ...}

One entry per rule with a resource check (the CrossGuard policy name is the rule id), with
every parameter resolved (defaults, settings, overrides) because CrossGuard does not apply
schema defaults for us in tests, and the rule's waivers (the pack checks expiry on the day
it runs).
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.errors import Problem
from planner.layout import POLICIES
from planner.model import PolicyConfig, Project, Waiver
from planner.policy import params as pm
from planner.policy.engine import effective_level, effective_params
from planner.policy.registry import by_id
from planner.policy.rule import SCOPE_KINDS, Rule
from planner.policy.waivers import expiry


def waiver_json(w: Waiver) -> dict[str, str]:
    return {
        "scope_kind": w.scope_kind,
        "scope": w.scope,
        "reason": w.reason,
        "expires": str(w.expires),
    }


def pack_config(project: Project, *, rules: Sequence[Rule]) -> dict[str, object]:
    """The CrossGuard pack config for ``project`` (JSON-ready, keys sorted on dump)."""
    out: dict[str, object] = {}
    for rule in rules:
        if rule.check_resources is None:
            continue
        entry: dict[str, object] = {"enforcementLevel": effective_level(rule, project).value}
        entry.update(effective_params(rule, project))
        entry["waivers"] = [
            waiver_json(w) for w in project.policies.waivers if w.rule_id == rule.id
        ]
        out[rule.id] = entry
    return out


WAIVERS_SCHEMA: dict[str, object] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "scope_kind": {"type": "string", "enum": list(SCOPE_KINDS)},
            "scope": {"type": "string"},
            "reason": {"type": "string"},
            "expires": {"type": "string"},
        },
        "required": ["scope_kind", "scope", "reason", "expires"],
    },
}


def pack_config_schema(rule: Rule) -> dict[str, dict[str, object]]:
    """JSON Schema ``properties`` of one rule's pack config (CrossGuard ``config_schema``)."""
    props: dict[str, dict[str, object]] = {}
    for p in rule.params:
        schema = p.kind.json_schema(nullable=p.nullable)
        props[p.name] = {**schema, "description": p.description}
    props["waivers"] = {**WAIVERS_SCHEMA, "description": "Waivers of this rule."}
    return props


def _where(w: Waiver) -> tuple[str, int, int]:
    if w.source is None:
        return POLICIES, 0, 0
    return w.source.file, w.source.line, w.source.column


def policy_problems(config: PolicyConfig, *, rules: Sequence[Rule]) -> list[Problem]:
    """What is wrong with a project's policy config that a JSON Schema cannot see: unknown
    rule ids and parameters, parameter values of the wrong type, waivers without a reason,
    with an unknown scope kind or an unreadable expiry. For the loader to report as input
    errors (exit 2)."""
    known = by_id(rules)
    ids = ", ".join(sorted(known))
    problems: list[Problem] = []
    for rc in config.rules:
        field = f"rules.{rc.rule_id}"
        rule = known.get(rc.rule_id)
        if rule is None:
            problems.append(
                Problem(POLICIES, 0, 0, field, f"unknown rule {rc.rule_id!r}", f"use one of {ids}")
            )
            continue
        names = {p.name for p in rule.params}
        for name, value in sorted(rc.params.items()):
            if name not in names:
                problems.append(
                    Problem(
                        POLICIES,
                        0,
                        0,
                        f"{field}.params.{name}",
                        f"{rc.rule_id} has no parameter {name!r}",
                        f"use one of {', '.join(sorted(names)) or '(none)'}",
                    )
                )
                continue
            error = pm.type_error(rule.param(name), value)
            if error:
                problems.append(
                    Problem(
                        POLICIES,
                        0,
                        0,
                        f"{field}.params.{name}",
                        f"{name} {error}",
                        rule.param(name).description,
                    )
                )
    for i, w in enumerate(config.waivers):
        file, line, column = _where(w)
        field = f"waivers[{i}]"
        if w.rule_id not in known:
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"{field}.rule",
                    f"unknown rule {w.rule_id!r}",
                    f"use one of {ids}",
                )
            )
        if not w.reason.strip():
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"{field}.reason",
                    "a waiver needs a reason",
                    "say why the exception is acceptable (e.g. a risk ticket)",
                )
            )
        if w.scope_kind not in SCOPE_KINDS:
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"{field}.scope",
                    f"unknown scope kind {w.scope_kind!r}",
                    "scope a waiver to one workload, team or site",
                )
            )
        if expiry(w) is None:
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"{field}.expires",
                    f"expiry {w.expires!r} is not a date",
                    "write it as YYYY-MM-DD",
                )
            )
    return sorted(problems, key=Problem.sort_key)
