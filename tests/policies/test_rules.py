"""Every rule against its pass/ and fail/ fixtures, asserted as exact sets of findings.

A fixture (``<RULE-ID>/{pass,fail}/<case>.yaml``) describes a small world - workloads, a
plan, emitted resources, waivers, the rule's params and level - and, for fail cases, the
exact set of ``(scope_kind, scope)`` the rule reports, optionally with message fragments,
``cannot_evaluate`` and level; ``expect_prunes`` and ``expect_constraints`` pin what the
rule hands the solver. Only the rule under test runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from policy_world import FIXTURES, TODAY, case_files, load_case, plan, project, records

from planner.fx import plain
from planner.model import Finding
from planner.money import Money
from planner.policy import constraints_for, evaluate_plan, evaluate_resources
from planner.policy.registry import by_id, registry_problems
from policies.registry import RULES

RULES_BY_ID = by_id(RULES)
CASES = case_files()


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.stem}"


def _findings(rule_id: str, case: dict[str, Any]) -> tuple[Finding, ...]:
    rule = RULES_BY_ID[rule_id]
    proj = project(case, rule_id)
    today = date.fromisoformat(str(case.get("today", TODAY)))
    return evaluate_plan(proj, plan(case), today=today, rules=[rule]) + evaluate_resources(
        records(case), proj, today, rules=[rule]
    )


def test_registry_is_well_formed() -> None:
    """Ids are unique and well formed, names start with "Ensure", every rule checks something."""
    assert registry_problems(RULES) == []


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    """Each registered rule has a fixture folder with at least one pass and one fail case."""
    folders = {p.name for p in FIXTURES.iterdir() if p.name.startswith("HP-")}
    assert folders == set(RULES_BY_ID)
    for rule_id in RULES_BY_ID:
        for outcome in ("pass", "fail"):
            assert list((FIXTURES / rule_id / outcome).glob("*.yaml")), f"{rule_id}/{outcome}"


@pytest.mark.parametrize("path", CASES, ids=[_id(p) for p in CASES])
def test_rule_fixture(path: Path) -> None:
    """The rule reports exactly the fixture's expected findings (none for a pass case)."""
    rule_id, outcome = path.parent.parent.name, path.parent.name
    case = load_case(path)
    expected = case.get("expect", [])
    if outcome == "pass":
        assert not expected, "a pass fixture expects no findings"
    else:
        assert expected, "a fail fixture expects findings"
    findings = [f for f in _findings(rule_id, case) if not f.waived]
    got = {
        (f.rule_id, f.scope_kind, f.scope, bool(f.evidence.get("cannot_evaluate")))
        for f in findings
    }
    want = {
        (rule_id, e["scope_kind"], e["scope"], bool(e.get("cannot_evaluate"))) for e in expected
    }
    assert got == want, [f.message for f in findings]
    for e in expected:
        (match,) = [
            f
            for f in findings
            if (f.scope_kind, f.scope, bool(f.evidence.get("cannot_evaluate")))
            == (e["scope_kind"], e["scope"], bool(e.get("cannot_evaluate")))
        ]
        for fragment in e.get("message_contains", []):
            assert fragment in plain(match.message)
        if "level" in e:
            assert match.level.value == e["level"]
        if e.get("cannot_evaluate"):
            assert match.message.startswith("cannot evaluate: ")
            assert match.level.value == "advisory"


@pytest.mark.parametrize(
    "path",
    [p for p in CASES if "expect_prunes" in load_case(p) or "expect_constraints" in load_case(p)],
    ids=_id,
)
def test_rule_constraints(path: Path) -> None:
    """What the rule hands the solver (prunes, budgets, spread) is exactly the fixture's."""
    rule_id = path.parent.parent.name
    case = load_case(path)
    c = constraints_for(project(case, rule_id), rules=[RULES_BY_ID[rule_id]])
    if "expect_prunes" in case:
        got = {(p.workload, p.site, p.option.value if p.option else None) for p in c.prunes}
        want = {(p["workload"], p["site"], p["option"]) for p in case["expect_prunes"]}
        assert got == want
        assert {p.rule_id for p in c.prunes} == {rule_id}
    for field, value in case.get("expect_constraints", {}).items():
        assert getattr(c, field) == _as_money(field, value)


def _as_money(field: str, value: Any) -> Any:
    """A fixture's budgets are plain USD numbers; the constraints hold them as Money."""
    if not field.endswith("_per_month") or value is None:
        return value
    if isinstance(value, dict):
        return {k: Money.from_float(float(v), "USD") for k, v in value.items()}
    return Money.from_float(float(value), "USD")
