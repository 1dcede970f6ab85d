"""SARIF 2.1.0 output: structure (a schema subset GitHub code scanning relies on), levels,
locations and suppressions."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from jsonschema import Draft202012Validator
from policy_world import TODAY, plan, project

from planner.model import Category, Finding, Level
from planner.money import json_text
from planner.policy import evaluate_plan
from planner.policy.output import finding_from_dict, finding_to_dict, findings_to_json
from planner.policy.sarif import to_sarif
from policies.registry import RULES

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that code scanning needs.
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "fullDescription": {"$ref": "#/$defs/message"},
                                                "help": {"$ref": "#/$defs/message"},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {"$ref": "#/$defs/level"}
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "locations"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"$ref": "#/$defs/level"},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {
                                                                "type": "string",
                                                                "minLength": 1,
                                                            }
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {"kind": {"enum": ["inSource", "external"]}},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "message": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string"}},
        },
        "level": {"enum": ["none", "note", "warning", "error"]},
    },
}

WORLD: dict[str, Any] = {
    "root": "examples/demo",
    "workloads": [
        {"name": "checkout-api", "team": "payments", "tier": 1, "replicas": 3, "line": 5},
        {"name": "search-api", "team": "search", "tier": 2, "replicas": 1, "line": 19},
    ],
    "placements": [
        {
            "workload": "checkout-api",
            "assignments": [
                {"site": "gpu-pool-us", "option": "owned", "replicas": 3, "usd_per_month": 900}
            ],
        },
        {
            "workload": "search-api",
            "assignments": [{"site": "aws-eu-west-1", "replicas": 1, "usd_per_month": 100}],
        },
    ],
    "rules": {"HP-COST-001": {"params": {"budgets_usd_per_month": {"payments": 10}}}},
    "waivers": [
        {
            "rule": "HP-SLA-001",
            "scope": {"workload": "search-api"},
            "reason": "RISK-7",
            "expires": "2027-01-01",
        }
    ],
}


def _sarif(**kw: Any) -> dict[str, Any]:
    proj = project(WORLD)
    findings = evaluate_plan(proj, plan(WORLD), today=TODAY, rules=RULES)
    return to_sarif(findings, RULES, project=proj, **kw)


def test_sarif_validates_against_the_subset() -> None:
    """The log is valid under the schema subset and survives a JSON round trip (money in
    the evidence written exactly by json_text)."""
    log = json.loads(json_text(_sarif()))
    errors = [e.message for e in Draft202012Validator(SARIF_SUBSET).iter_errors(log)]
    assert errors == []


def test_sarif_rules_and_results() -> None:
    """Every rule is described; results point at their rule, with levels and locations."""
    (run,) = _sarif()["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r.id for r in RULES)
    assert rules[0]["shortDescription"]["text"].startswith("Ensure ")
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    budget = by_rule["HP-COST-001"]
    assert budget["level"] == "error"
    assert budget["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "examples/demo/inventory.yaml"
    )
    assert budget["locations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    spread = by_rule["HP-SLA-004"]
    assert spread["locations"][0]["logicalLocations"] == [
        {"name": "checkout-api", "kind": "workload"}
    ]


def test_waived_findings_are_suppressed() -> None:
    """A waived finding carries an external suppression with the waiver's reason."""
    (run,) = _sarif()["runs"]
    (waived,) = [r for r in run["results"] if "suppressions" in r]
    assert waived["ruleId"] == "HP-SLA-001"
    assert waived["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "RISK-7 (expires 2027-01-01)"}
    ]


def test_uri_prefix_and_stable_fingerprints() -> None:
    """The URI prefix is configurable, and fingerprints do not change between runs."""
    a, b = _sarif(uri_prefix=""), _sarif(uri_prefix="")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in a["runs"][0]["results"]
    }
    assert uris == {"inventory.yaml"}
    assert [r["partialFingerprints"] for r in a["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in b["runs"][0]["results"]
    ]


def test_findings_json() -> None:
    """The JSON report has a summary and every finding with its evidence."""
    proj = project(WORLD)
    data = findings_to_json(evaluate_plan(proj, plan(WORLD), today=TODAY, rules=RULES))
    assert data["summary"] == {"mandatory": 3, "advisory": 0, "waived": 1, "cannot_evaluate": 0}
    first = data["findings"][0]  # type: ignore[index]
    assert set(first) == {
        "rule_id",
        "name",
        "category",
        "level",
        "scope_kind",
        "scope",
        "message",
        "evidence",
        "waived",
        "waiver_reason",
    }
    json.loads(json_text(data))


def _finding(rule_id: str, level: Level, **evidence: object) -> Finding:
    return Finding(
        rule_id, "Ensure x", Category.COST, level, "plan", "total", "m", evidence=evidence
    )


MIXED = (
    _finding("HP-A-001", Level.ADVISORY, share=0.123456789),
    _finding("HP-B-001", Level.MANDATORY, sites={"b", "a"}),
    _finding("HP-A-002", Level.MANDATORY, ratio=float("nan")),
)


def test_findings_json_mandatory_first_like_plan_json() -> None:
    """check --format json lists findings in plan.json's order (mandatory first, then rule
    id), whatever order they come in, and writes each one as plan.json does."""
    from plan_fakes import sample_plan, sample_project

    from planner.report import plan_to_dict

    data = findings_to_json(MIXED)
    assert [f["rule_id"] for f in data["findings"]] == ["HP-A-002", "HP-B-001", "HP-A-001"]  # type: ignore[index]
    in_plan = plan_to_dict(
        dataclasses.replace(sample_plan(), findings=tuple(reversed(MIXED))), sample_project()
    )["findings"]
    assert data["findings"] == in_plan
    results = to_sarif(MIXED, RULES)["runs"][0]["results"]  # type: ignore[index]
    assert [r["ruleId"] for r in results] == ["HP-A-002", "HP-B-001", "HP-A-001"]


def test_evidence_is_json_safe_and_rounded() -> None:
    """Evidence floats are rounded to 4 places, NaN is text and sets are sorted lists, in
    the JSON report and in SARIF alike; a written finding reads back as itself."""
    data = findings_to_json(MIXED)
    evidence = [f["evidence"] for f in data["findings"]]  # type: ignore[index]
    assert evidence == [{"ratio": "nan"}, {"sites": ["a", "b"]}, {"share": 0.1235}]
    json.dumps(data, allow_nan=False)
    results = to_sarif(MIXED, RULES)["runs"][0]["results"]  # type: ignore[index]
    assert [r["properties"]["evidence"] for r in results] == evidence
    written = finding_to_dict(MIXED[0])
    assert finding_to_dict(finding_from_dict(written)) == written
