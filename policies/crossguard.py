"""The CrossGuard side: the same rule functions as resource and stack validation policies.

``pulumi preview --policy-pack policies --policy-pack-config stacks/<site>/policy-config.json``
runs ``__main__.py``, which builds a ``PolicyPack`` from :func:`build_policies`. Every rule
with a resource check becomes one policy named by its rule id: a resource validation when
the rule looks at one resource at a time, a stack validation when it needs the whole stack
(PodDisruptionBudgets, S3 companions). The pack config (``planner.policy.pack_config``)
carries the project's level, resolved parameters and waivers of each rule.

Unknown values: Pulumi wraps inputs in a proxy that raises on an unknown value. We read
through the proxy (:func:`plain`) so the rule sees the unknown as such and says "cannot
evaluate"; the definite violations are reported first, then the unknowns are raised as
``UnknownValueError`` so that the engine shows an advisory "can't run policy during
preview" diagnostic naming them, instead of the rule passing silently.

Constructing ``PolicyPack`` starts a gRPC server and blocks: it happens only in
``__main__.py``; tests call these functions directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from planner.model import Finding, Level, Waiver
from planner.policy import (
    ResourceRecord,
    Rule,
    apply_waivers,
    check_resource_rule,
    pack_config_schema,
)
from planner.policy import params as pm
from policies.registry import RULES

PACK_NAME = "hybridplan"

_LEVELS = {
    Level.ADVISORY: EnforcementLevel.ADVISORY,
    Level.MANDATORY: EnforcementLevel.MANDATORY,
    Level.DISABLED: EnforcementLevel.DISABLED,
}


def plain(value: Any) -> Any:
    """A plain copy of Pulumi's property proxies (dicts, lists), without the unknown checks:
    unknown sentinels stay as they are, for the rules to recognise."""
    if isinstance(value, Mapping):
        target = _target(value)
        return {str(k): plain(target[k]) for k in target}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in _target(value)]
    return value


def _target(value: Any) -> Any:
    """The wrapped container of a ``pulumi_policy.proxy`` proxy, or ``value`` itself."""
    if type(value).__module__ == "pulumi_policy.proxy":
        return value["__target"]
    return value


def record_from_args(args: ResourceValidationArgs, stack: str = "") -> ResourceRecord:
    """A resource validation's resource as a generic record."""
    provider = plain(args.provider.props) if args.provider is not None else {}
    return ResourceRecord(
        type=args.resource_type,
        name=args.name,
        props=plain(args.props),
        urn=args.urn,
        parent=(args.opts.parent or "") if args.opts is not None else "",
        provider_props=provider,
        stack=stack,
    )


def record_from_resource(r: PolicyResource, stack: str = "") -> ResourceRecord:
    """A stack validation's resource as a generic record, with its dependencies."""
    provider = plain(r.provider.props) if r.provider is not None else {}
    return ResourceRecord(
        type=r.resource_type,
        name=r.name,
        props=plain(r.props),
        urn=r.urn,
        parent=r.parent.urn if r.parent is not None else "",
        dependencies=tuple(d.urn for d in r.dependencies),
        property_dependencies={
            k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()
        },
        provider_props=provider,
        stack=stack,
    )


def _waivers(config: Mapping[str, Any]) -> tuple[Waiver, ...]:
    out = []
    rule_id = str(config.get("__rule_id", ""))
    for w in config.get("waivers") or ():
        m = plain(w)
        out.append(
            Waiver(
                rule_id=rule_id,
                scope_kind=str(m.get("scope_kind", "")),
                scope=str(m.get("scope", "")),
                reason=str(m.get("reason", "")),
                expires=str(m.get("expires", "")),
            )
        )
    return tuple(out)


def run_rule(
    rule: Rule,
    config: Mapping[str, Any],
    records: Sequence[ResourceRecord],
    today: date,
) -> tuple[Finding, ...]:
    """The rule's unwaived findings on ``records`` under a pack config entry (missing
    parameters take the rule's defaults; the level is CrossGuard's business)."""
    cfg = plain(config)
    overrides = {k: v for k, v in cfg.items() if k not in ("waivers", "enforcementLevel")}
    params = pm.resolve(rule, None, overrides)
    findings = check_resource_rule(rule, Level.MANDATORY, params, records)
    waivers = _waivers({**cfg, "__rule_id": rule.id})
    return tuple(f for f in apply_waivers(findings, waivers, today) if not f.waived)


def report(findings: Iterable[Finding], report_violation: ReportViolation, *, stack: bool) -> None:
    """Report definite findings; then raise the cannot-evaluate ones as an unknown value."""
    unknown: list[str] = []
    for f in findings:
        if f.evidence.get("cannot_evaluate"):
            unknown.append(f"{f.scope}: {f.message}")
            continue
        urn = f.evidence.get("urn") if stack else None
        report_violation(f"{f.scope}: {f.message}", urn if isinstance(urn, str) else None)
    if unknown:
        err = UnknownValueError(UNKNOWN_STRING_VALUE, [])
        err.message = "; ".join(unknown)
        raise err


def resource_validation(rule: Rule, today: Callable[[], date] = date.today) -> Any:
    """The CrossGuard resource validation function of ``rule``."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        findings = run_rule(rule, args.get_config(), [record_from_args(args)], today())
        report(findings, report_violation, stack=False)

    return validate


def stack_validation(rule: Rule, today: Callable[[], date] = date.today) -> Any:
    """The CrossGuard stack validation function of ``rule``."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        records = [record_from_resource(r) for r in args.resources]
        findings = run_rule(rule, args.get_config(), records, today())
        report(findings, report_violation, stack=True)

    return validate


def build_policies(
    rules: Sequence[Rule] = RULES, today: Callable[[], date] = date.today
) -> list[Any]:
    """One CrossGuard policy per rule with a resource check, named by its rule id."""
    policies: list[Any] = []
    for rule in rules:
        if rule.check_resources is None:
            continue
        common: dict[str, Any] = {
            "name": rule.id,
            "description": rule.name,
            "enforcement_level": _LEVELS[rule.level],
            "config_schema": PolicyConfigSchema(properties=pack_config_schema(rule)),
            "display_name": rule.name,
            "tags": [rule.category.value],
            "remediation_steps": rule.fix,
        }
        if rule.resource_scope == "stack":
            policies.append(StackValidationPolicy(validate=stack_validation(rule, today), **common))
        else:
            policies.append(
                ResourceValidationPolicy(validate=resource_validation(rule, today), **common)
            )
    return policies
