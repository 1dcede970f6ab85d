"""Findings as JSON-ready values: the one serialisation of a finding and its one order.

``plan.json`` (``findings``), ``hybridplan check --format json``, the SARIF log and plan
diffs all write a finding with :func:`finding_to_dict` and list findings in
:func:`finding_sort_key` order: mandatory first, so what blocks a merge leads the list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from planner.model import Category, Finding, Level
from planner.money import Money

_LEVEL_ORDER = {Level.MANDATORY: 0, Level.ADVISORY: 1, Level.DISABLED: 2}


def finding_sort_key(f: Finding) -> tuple[int, str, str, str, str]:
    """Mandatory first (then advisory, then disabled), then rule id, scope and message."""
    return (_LEVEL_ORDER.get(f.level, 9), f.rule_id, f.scope_kind, f.scope, f.message)


_AS_IS = frozenset({type(None), bool, int, str, Decimal})
"""Evidence values kept as they are, by exact type (most are)."""


def evidence_to_json(value: object) -> Any:
    """Evidence as JSON-ready data with a stable shape: mappings and sets sorted, money and
    decimals exact (``Decimal``: write them with ``planner.money.json_text``), floats
    rounded to 4 decimals (no float noise), NaN and infinities as text, other objects as
    their ``str``. Plain dicts, lists and tuples and the scalars of ``_AS_IS`` are told by
    their exact type (a fleet's findings hold tens of thousands of values)."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {
            str(k): v if type(v) in _AS_IS else evidence_to_json(v)
            for k, v in sorted(value.items(), key=_key_text)  # type: ignore[attr-defined]
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _AS_IS else evidence_to_json(v) for v in value]  # type: ignore[attr-defined]
    return _other_to_json(value)


def _key_text(kv: tuple[object, object]) -> str:
    return str(kv[0])


def _other_to_json(value: object) -> Any:
    """``evidence_to_json`` of what is not a plain container or an exact scalar."""
    if value is None or isinstance(value, bool | int | str | Decimal):
        return value
    if isinstance(value, Money):
        return value.to_decimal()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return round(value, 4)
    if isinstance(value, Mapping):
        return {
            str(k): evidence_to_json(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(value, set | frozenset):
        return [evidence_to_json(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [evidence_to_json(v) for v in value]
    return str(value)


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding; keys are stable, evidence keys sorted."""
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "category": f.category.value,
        "level": f.level.value,
        "scope_kind": f.scope_kind,
        "scope": f.scope,
        "message": f.message,
        "evidence": evidence_to_json(f.evidence),
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
    }


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    """The finding :func:`finding_to_dict` wrote (its evidence as written: JSON data)."""
    return Finding(
        rule_id=str(d["rule_id"]),
        name=str(d["name"]),
        category=Category(d["category"]),
        level=Level(d["level"]),
        scope_kind=str(d["scope_kind"]),
        scope=str(d["scope"]),
        message=str(d["message"]),
        evidence=dict(d["evidence"]),
        waived=bool(d["waived"]),
        waiver_reason=d["waiver_reason"],
    )


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
    """``{"summary": {...}, "findings": [...]}``, findings in :func:`finding_sort_key` order."""
    items = sorted(findings, key=finding_sort_key)
    return {"summary": summary(items), "findings": [finding_to_dict(f) for f in items]}
