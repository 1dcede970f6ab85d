"""Findings as JSON-ready values (``hybridplan check --format json``)."""

from __future__ import annotations

from collections.abc import Iterable

from planner.model import Finding, Level
from planner.policy import params as pm


def finding_to_dict(f: Finding) -> dict[str, object]:
    """One finding; keys are stable, evidence keys sorted."""
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "category": f.category.value,
        "level": f.level.value,
        "scope_kind": f.scope_kind,
        "scope": f.scope,
        "message": f.message,
        "evidence": pm.to_json(f.evidence),
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
    }


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts: mandatory (failing), advisory, waived, cannot_evaluate."""
    counts = {"mandatory": 0, "advisory": 0, "waived": 0, "cannot_evaluate": 0}
    for f in findings:
        if f.waived:
            counts["waived"] += 1
        elif f.evidence.get("cannot_evaluate"):
            counts["cannot_evaluate"] += 1
        elif f.level is Level.MANDATORY:
            counts["mandatory"] += 1
        else:
            counts["advisory"] += 1
    return counts


def findings_to_json(findings: Iterable[Finding]) -> dict[str, object]:
    """``{"summary": {...}, "findings": [...]}`` in the given (sorted) order."""
    items = list(findings)
    return {"summary": summary(items), "findings": [finding_to_dict(f) for f in items]}
