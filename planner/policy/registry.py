"""Lookups over a rule set, and what makes one well formed.

The built-in rules live one per file under ``policies/rules/`` and are listed explicitly in
``policies/registry.py`` (no discovery by glob). They import this package's rule model;
this package never imports them: callers pass the rule set in (``rules=RULES``).
"""

from __future__ import annotations

from collections.abc import Iterable

from planner.policy.rule import RULE_ID_RE, Rule


def by_id(rules: Iterable[Rule]) -> dict[str, Rule]:
    return {r.id: r for r in rules}


def registry_problems(rules: Iterable[Rule]) -> list[str]:
    """What is wrong with a rule set: duplicate or malformed ids, names not starting with
    "Ensure", resource checks without a valid scope, rules that check nothing."""
    problems: list[str] = []
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            problems.append(f"{r.id}: duplicate id")
        seen.add(r.id)
        if not RULE_ID_RE.match(r.id):
            problems.append(f"{r.id}: id must look like HP-COST-001")
        if not r.name.startswith("Ensure "):
            problems.append(f"{r.id}: name must start with 'Ensure '")
        if r.resource_scope not in ("resource", "stack"):
            problems.append(f"{r.id}: resource_scope must be 'resource' or 'stack'")
        if r.check_plan is None and r.check_resources is None:
            problems.append(f"{r.id}: checks nothing")
        if len({p.name for p in r.params}) != len(r.params):
            problems.append(f"{r.id}: duplicate parameter names")
    return problems
