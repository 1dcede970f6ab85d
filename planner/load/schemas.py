"""The JSON Schemas shipped in ``planner/schemas/`` (also published by ``hybridplan schema
KIND``): reading one, cached validators per kind, and finding the sub-schema that describes
a path (following local ``$ref``s) so messages can quote its description.

Two validators of the same schema: ``jsonschema-rs`` (compiled, ~100x faster) answers
whether a document, or each entry of its top-level lists, is valid; ``jsonschema``
(pure Python) explains the invalid ones, its errors carrying what ``schema_problems`` words
(the keyword, the failing sub-schemas of a ``oneOf``...). A valid 100,000-workload inventory
never reaches the slow one."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jsonschema_rs

from planner import names
from planner.errors import UsageError
from planner.load.yamlpos import YamlPath

SCHEMA_KINDS: tuple[str, ...] = ("project", "inventory", "sites", "policies", "plan")
"""Kinds ``schema_for`` knows, lower case; each is ``planner/schemas/<kind>.json``."""


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (case-insensitive: project, inventory, sites, policies,
    plan), freshly parsed (callers may modify it). Raises ``UsageError`` for an unknown kind
    or a schema file that is not installed."""
    key = kind.strip().lower()
    if key not in SCHEMA_KINDS:
        close = names.nearest_name(key, SCHEMA_KINDS)
        hint = f"did you mean '{close}'? " if close else ""
        raise UsageError(
            f"unknown schema kind '{kind}'",
            fix=f"{hint}use one of: {', '.join(SCHEMA_KINDS)}",
        )
    resource = resources.files("planner").joinpath("schemas").joinpath(f"{key}.json")
    if not resource.is_file():
        raise UsageError(
            f"the {key} schema is not available in this installation",
            fix=f"reinstall hybridplan; expected planner/schemas/{key}.json",
        )
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


@functools.cache
def validator_for(kind: str) -> Any:
    """A cached ``jsonschema.Draft202012Validator`` for ``kind`` (imported here: only an
    invalid document needs it, and importing it costs a fifth of a second)."""
    # jsonschema ships no type information and types-jsonschema is not a project dependency.
    import jsonschema  # type: ignore[import-untyped]

    return jsonschema.Draft202012Validator(schema_for(kind))


@functools.cache
def fast_validator_for(kind: str) -> jsonschema_rs.Validator:
    """A cached compiled validator for ``kind``: validity only, no explanations."""
    return jsonschema_rs.Draft202012Validator(schema_for(kind))


@functools.cache
def entry_validators(kind: str) -> dict[str, jsonschema_rs.Validator]:
    """Compiled validators of the entries of ``kind``'s top-level lists that may be checked
    one by one (``workloads`` -> the workload schema): lists with no constraint across
    entries (``uniqueItems``, ``contains``, ``maxItems``) and at most one required entry."""
    root = schema_for(kind)
    found: dict[str, jsonschema_rs.Validator] = {}
    for name, prop in root.get("properties", {}).items():
        if not isinstance(prop, dict) or prop.get("type") != "array" or "items" not in prop:
            continue
        if {"uniqueItems", "contains", "maxItems"} & set(prop) or prop.get("minItems", 0) > 1:
            continue
        item = {**prop["items"], "$defs": root.get("$defs", {})}
        found[name] = jsonschema_rs.Draft202012Validator(item)
    return found


def _deref(root: Mapping[str, Any], node: object) -> Mapping[str, Any] | None:
    """Follow a local ``#/$defs/name`` reference; the referrer's own keys (its
    description) win over the target's."""
    if not isinstance(node, dict):
        return None
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = _deref(root, root.get("$defs", {}).get(ref.removeprefix("#/$defs/")))
        if target is not None:
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def subschema(root: Mapping[str, Any], path: YamlPath) -> Mapping[str, Any] | None:
    """The schema describing the value at ``path`` (``None`` where it branches)."""
    node = _deref(root, root)
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            node = _deref(root, node.get("items"))
        elif part in node.get("properties", {}):
            node = _deref(root, node["properties"][part])
        else:
            node = _deref(root, node.get("additionalProperties"))
    return node


def home_of(root: Mapping[str, Any], schema: Mapping[str, Any], key: str) -> str | None:
    """The property of ``schema`` whose object (or list of objects) accepts ``key``: where a
    misplaced field belongs (``gpu_type`` written beside ``resources`` instead of in it)."""
    for name, prop in schema.get("properties", {}).items():
        child = _deref(root, prop)
        if child is not None and child.get("type") == "array":
            child = _deref(root, child.get("items"))
        if child is not None and key in child.get("properties", {}):
            return str(name)
    return None
