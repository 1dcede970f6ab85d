"""Waivers: a rule id, a scope (workload, team or site), a reason and an expiry date.

A waiver is active through its expiry date (inclusive) and covers a finding of its rule
whose scope is the waiver's scope, or whose evidence names it (a team waiver covers the
findings on that team's workloads and resources). An expired waiver covers nothing; rule
``HP-HYG-006`` reports it. A waiver with an unreadable expiry date counts as expired.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date

from planner.model import Finding, Waiver


def expiry(w: Waiver) -> date | None:
    """The expiry date, or ``None`` if it does not parse as ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(str(w.expires))
    except ValueError:
        return None


def is_active(w: Waiver, today: date) -> bool:
    end = expiry(w)
    return end is not None and today <= end


def _names(evidence: Mapping[str, object], kind: str) -> set[str]:
    names: set[str] = set()
    one = evidence.get(kind)
    if isinstance(one, str):
        names.add(one)
    many = evidence.get(f"{kind}s")
    if isinstance(many, list | tuple):
        names.update(str(x) for x in many)
    return names


def covers(w: Waiver, f: Finding) -> bool:
    """True if ``w`` is for ``f``'s rule and names ``f``'s scope or its evidence."""
    if w.rule_id != f.rule_id:
        return False
    if f.scope_kind == w.scope_kind and f.scope == w.scope:
        return True
    return w.scope in _names(f.evidence, w.scope_kind)


def covers_subject(
    w: Waiver, rule_id: str, *, workload: str = "", team: str = "", site: str = ""
) -> bool:
    """True if ``w`` is for ``rule_id`` and names one of the given subjects (constraints)."""
    if w.rule_id != rule_id:
        return False
    named = {"workload": workload, "team": team, "site": site}.get(w.scope_kind, "")
    return bool(named) and named == w.scope


def apply_waivers(
    findings: Iterable[Finding], waivers: Iterable[Waiver], today: date
) -> tuple[Finding, ...]:
    """Mark findings covered by an active waiver as waived (new values; inputs untouched)."""
    active = [w for w in waivers if is_active(w, today)]
    out: list[Finding] = []
    for f in findings:
        match = next((w for w in active if covers(w, f)), None)
        if match is None or f.waived:
            out.append(f)
        else:
            out.append(
                dataclasses.replace(
                    f, waived=True, waiver_reason=f"{match.reason} (expires {match.expires})"
                )
            )
    return tuple(out)
