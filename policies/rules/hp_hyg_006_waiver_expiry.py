"""HP-HYG-006: Ensure policy waivers have not expired."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy.rule import PlanContext, Rule, Violation
from planner.policy.waivers import expiry


def check(ctx: PlanContext) -> Iterator[Violation]:
    if ctx.today is None:
        return
    for w in ctx.project.policies.waivers:
        end = expiry(w)
        if end is not None and end >= ctx.today:
            continue
        when = (
            f"expired on {w.expires}" if end is not None else f"has no valid expiry ({w.expires!r})"
        )
        evidence: dict[str, object] = {
            w.scope_kind: w.scope,
            "waived_rule": w.rule_id,
            "expires": str(w.expires),
            "reason": w.reason,
        }
        if w.source is not None:
            evidence["source"] = f"{w.source.file}:{w.source.line}"
        yield Violation(
            w.scope_kind,
            w.scope,
            f"the waiver of {w.rule_id} for {w.scope_kind} {w.scope} {when} and no longer "
            f"applies (reason given: {w.reason})",
            evidence,
        )


RULE = Rule(
    id="HP-HYG-006",
    name="Ensure policy waivers have not expired",
    category=Category.HYGIENE,
    level=Level.ADVISORY,
    description="A waiver is a dated exception; once expired it stops covering findings and "
    "must be renewed with a fresh reason or removed.",
    fix="Fix what the waiver covered, or renew it in policies.yaml with a new expiry and reason.",
    check_plan=check,
)
