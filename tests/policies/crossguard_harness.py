"""Calling the CrossGuard pack's validation functions as the Pulumi engine would: props
behind ``unknown_checking_proxy``, values as JSON (numbers as floats), parents, providers and
property dependencies filled in, and a ``report_violation`` that records."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from policy_world import TODAY
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from planner.policy import ResourceRecord
from policies.crossguard import build_policies

POLICIES = {p.name: p for p in build_policies(today=lambda: TODAY)}


class Recorder:
    """A report_violation that records (message, urn)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.calls.append((message, urn))


def resource_opts(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def provider_of(r: ResourceRecord) -> PolicyProviderResource | None:
    if not r.provider_props:
        return None
    props = unknown_checking_proxy(json_like(dict(r.provider_props)))
    return PolicyProviderResource("pulumi:providers:aws", props, "urn:provider", "aws")


def urn_of(r: ResourceRecord) -> str:
    return r.urn or f"urn:pulumi:prod::site::{r.type}::{r.name}"


def json_like(value: Any) -> Any:
    """What comes over the wire: JSON types, every number a float."""
    return json.loads(json.dumps(value), parse_int=float)


def validate_resource(
    rule_id: str, r: ResourceRecord, config: Mapping[str, Any], rec: Recorder | None = None
) -> Recorder:
    policy = POLICIES[rule_id]
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        r.type,
        unknown_checking_proxy(json_like(dict(r.props))),
        urn_of(r),
        r.name,
        resource_opts(r.parent or None),
        provider_of(r),
        json_like(dict(config)),
    )
    rec = rec or Recorder()
    policy.validate(args, rec)
    return rec


def validate_stack(
    rule_id: str,
    rs: Sequence[ResourceRecord],
    config: Mapping[str, Any],
    rec: Recorder | None = None,
) -> Recorder:
    policy = POLICIES[rule_id]
    assert isinstance(policy, StackValidationPolicy)
    by_urn = {
        urn_of(r): PolicyResource(
            r.type,
            unknown_checking_proxy(json_like(dict(r.props))),
            urn_of(r),
            r.name,
            resource_opts(r.parent or None),
            provider_of(r),
            None,
            [],
            {},
        )
        for r in rs
    }
    for r in rs:
        res = by_urn[urn_of(r)]
        res.parent = by_urn.get(r.parent)
        res.property_dependencies = {
            k: [by_urn[u] for u in v if u in by_urn] for k, v in r.property_dependencies.items()
        }
    rec = rec or Recorder()
    policy.validate(StackValidationArgs(list(by_urn.values()), json_like(dict(config))), rec)
    return rec


def with_engine_dependencies(records: Sequence[ResourceRecord]) -> list[ResourceRecord]:
    """Records with the property dependencies the Pulumi engine would send: an input whose
    value is another resource's id (``bucket=bucket.id``) depends on that resource. The
    offline preview knows ids but not dependencies; the engine knows dependencies while the
    ids of new resources are still unknown."""
    ids = {r.id: r.urn for r in records if r.id and r.urn}
    out = []
    for r in records:
        deps = dict(r.property_dependencies)
        for key, value in r.props.items():
            if isinstance(value, str) and value in ids and key not in deps:
                deps[key] = (ids[value],)
        out.append(dataclasses.replace(r, property_dependencies=deps))
    return out


def run_pack(
    rule_ids: Sequence[str],
    records: Sequence[ResourceRecord],
    configs: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Run the pack's policies over records grouped by stack, with each stack's pack config
    (``configs[stack][rule_id]``, enforcementLevel dropped as the engine does). Returns the
    reported ``(rule_id, resource name)`` and the ``(rule_id, message)`` of unknowns."""
    reported: set[tuple[str, str]] = set()
    unknown: set[tuple[str, str]] = set()
    by_name = {r.name for r in records}
    records = with_engine_dependencies(records)
    for stack in sorted({r.stack for r in records}):
        group = [r for r in records if r.stack == stack]
        for rule_id in rule_ids:
            config = {
                k: v
                for k, v in configs.get(stack, {}).get(rule_id, {}).items()
                if k != "enforcementLevel"
            }
            policy = POLICIES[rule_id]
            batches = [group] if isinstance(policy, StackValidationPolicy) else [[r] for r in group]
            for batch in batches:
                rec = Recorder()
                try:
                    if isinstance(policy, StackValidationPolicy):
                        validate_stack(rule_id, batch, config, rec)
                    else:
                        validate_resource(rule_id, batch[0], config, rec)
                except UnknownValueError as err:
                    unknown.add((rule_id, err.message))
                for message, _ in rec.calls:
                    name = message.split(":", 1)[0]
                    assert name in by_name, message
                    reported.add((rule_id, name))
    return reported, unknown
