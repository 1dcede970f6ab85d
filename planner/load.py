"""The input boundary: a planning folder -> JSON Schema validation -> cross-references ->
a validated, frozen ``Project``.

``load_project`` reads ``inventory.yaml`` and ``sites.yaml`` (required), ``policies.yaml``
and ``project.yaml`` (optional), lists ``telemetry/`` and digests every input file. It
collects every problem in every file in one pass - YAML syntax, duplicate keys, schema
violations (translated into plain language, with did-you-mean suggestions), invalid names
and broken references - and raises one ``InputError`` carrying all of them, each located as
``file:line:column`` with its field path and a ``To fix:``.

The schemas ship in ``planner/schemas/`` and are published by ``hybridplan schema KIND``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

# jsonschema ships no type information and types-jsonschema is not a project dependency.
import jsonschema  # type: ignore[import-untyped]

from planner import names
from planner.errors import InputError, Problem, UsageError
from planner.model import (
    Amortisation,
    Capacity,
    CloudCost,
    CostBasis,
    DataSpec,
    Dependency,
    GpuPoolCost,
    GpuPoolMode,
    Level,
    NodeClass,
    OwnedCost,
    PolicyConfig,
    PowerBilling,
    PricingOption,
    Profile,
    Project,
    Residency,
    Resources,
    RuleConfig,
    Settings,
    Site,
    SiteKind,
    SourceRef,
    TrainingSpec,
    Waiver,
    Workload,
    WorkloadKind,
)
from planner.policy.config import policy_problems
from planner.yamlpos import Parsed, YamlPath, format_path, parse_yaml
from policies.registry import RULES

SCHEMA_KINDS: tuple[str, ...] = ("project", "inventory", "sites", "policies", "plan")
"""Kinds ``schema_for`` knows, lower case; each is ``planner/schemas/<kind>.json``."""

INVENTORY = "inventory.yaml"
SITES = "sites.yaml"
POLICIES = "policies.yaml"
PROJECT = "project.yaml"
TELEMETRY_DIR = "telemetry"

# (file name, kind, required)
_INPUT_FILES: tuple[tuple[str, str, bool], ...] = (
    (INVENTORY, "Inventory", True),
    (SITES, "Sites", True),
    (POLICIES, "Policies", False),
    (PROJECT, "Project", False),
)


# --------------------------------------------------------------------------- schemas


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (case-insensitive: project, inventory, sites, policies,
    plan), freshly parsed (callers may modify it). Raises ``UsageError`` for an unknown kind
    or a schema file that is not installed."""
    key = kind.strip().lower()
    if key not in SCHEMA_KINDS:
        close = difflib.get_close_matches(key, SCHEMA_KINDS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
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
def _validator(kind: str) -> Any:
    """A cached ``jsonschema.Draft202012Validator`` for ``kind``."""
    return jsonschema.Draft202012Validator(schema_for(kind))


# --------------------------------------------------------------------------- entry point


def load_project(root: Path) -> Project:
    """Read, validate and build the planning project in ``root``.

    Raises ``InputError`` listing every problem found (all files, one pass).
    """
    root = Path(root)
    if not root.exists():
        raise InputError(
            [
                Problem(
                    str(root),
                    0,
                    0,
                    "",
                    "planning project folder does not exist",
                    "pass the folder that holds inventory.yaml and sites.yaml, "
                    "e.g. `hybridplan validate examples/acme`",
                )
            ]
        )
    if not root.is_dir():
        raise InputError(
            [
                Problem(
                    str(root),
                    0,
                    0,
                    "",
                    "not a folder; expected a planning project folder",
                    "pass the folder that holds inventory.yaml and sites.yaml, not a file in it",
                )
            ]
        )

    problems: list[Problem] = []
    digests: dict[str, str] = {}
    docs: dict[str, Parsed] = {}
    for file, kind, required in _INPUT_FILES:
        parsed = _read_document(
            root, file, kind, required=required, problems=problems, digests=digests
        )
        if parsed is not None:
            docs[kind] = parsed

    telemetry = _list_telemetry(root, problems, digests)
    problems.extend(_cross_reference_problems(docs))
    if problems:
        raise InputError(_dedupe(problems))

    inventory, sites = docs["Inventory"], docs["Sites"]
    policies = docs.get("Policies")
    project = docs.get("Project")
    policy_config = _policies(policies) if policies is not None else PolicyConfig()
    if policies is not None:
        rule_problems = [
            _locate_policy_problem(policies, p) for p in policy_problems(policy_config, rules=RULES)
        ]
        if rule_problems:
            raise InputError(_dedupe(rule_problems))
    return Project(
        root=str(root),
        workloads=tuple(
            _workload(w, _source(inventory, INVENTORY, ("workloads", i)))
            for i, w in enumerate(inventory.data["workloads"])
        ),
        sites=tuple(
            _site(s, _source(sites, SITES, ("sites", i))) for i, s in enumerate(sites.data["sites"])
        ),
        policies=policy_config,
        settings=_settings(project.data.get("settings", {})) if project else Settings(),
        telemetry_files=telemetry,
        digests=dict(sorted(digests.items())),
    )


def _locate_policy_problem(doc: Parsed, problem: Problem) -> Problem:
    """Give a rule-registry problem (unknown rule id or parameter, bad parameter type) the
    line and column of the field it names in policies.yaml."""
    if problem.line > 0:
        return problem
    path: list[str | int] = []
    for part in problem.field.split("."):
        name, _, index = part.partition("[")
        if name:
            path.append(name)
        if index:
            path.append(int(index.rstrip("]")))
    # rule ids contain no dots, so "rules.HP-COST-001.params.x" splits cleanly
    line, column = doc.where(tuple(path), key=True)
    return replace(problem, line=line, column=column)


def _read_document(
    root: Path,
    file: str,
    kind: str,
    *,
    required: bool,
    problems: list[Problem],
    digests: dict[str, str],
) -> Parsed | None:
    """Read, parse and schema-check one file; ``None`` if it is absent or unusable."""
    path = root / file
    if not path.exists():
        if required:
            problems.append(
                Problem(
                    file,
                    0,
                    0,
                    "",
                    f"required file {file} is missing",
                    f"create it (see `hybridplan schema {kind}`)",
                )
            )
        return None
    if not path.is_file():
        problems.append(Problem(file, 0, 0, "", "is not a regular file", "make it a YAML file"))
        return None
    raw = path.read_bytes()
    digests[file] = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(file, 0, 0, "", f"not valid UTF-8 ({exc.reason})", "save the file as UTF-8")
        )
        return None
    parsed = parse_yaml(text, file)
    problems.extend(parsed.problems)
    if parsed.data is None:
        if not parsed.problems:
            problems.append(
                Problem(
                    file,
                    0,
                    0,
                    "",
                    "the file is empty",
                    f"add apiVersion: hybridplan/v1 and kind: {kind} "
                    f"(see `hybridplan schema {kind}`)",
                )
            )
        return None
    if not isinstance(parsed.data, dict):
        line, column = parsed.where(())
        problems.append(
            Problem(
                file,
                line,
                column,
                "",
                f"expected a mapping with apiVersion, kind, ..., got {_describe(parsed.data)}",
                f"see `hybridplan schema {kind}`",
            )
        )
        return None
    problems.extend(_schema_problems(kind, parsed, file))
    return parsed


def _list_telemetry(
    root: Path, problems: list[Problem], digests: dict[str, str]
) -> tuple[str, ...]:
    """Relative paths of the files under ``telemetry/`` (hidden files skipped), sorted."""
    folder = root / TELEMETRY_DIR
    if not folder.exists():
        return ()
    if not folder.is_dir():
        problems.append(
            Problem(TELEMETRY_DIR, 0, 0, "", "is not a folder", "make telemetry/ a folder of files")
        )
        return ()
    found: list[str] = []
    for path in folder.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        rel = relative.as_posix()
        found.append(rel)
        digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return tuple(sorted(found))


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out: list[Problem] = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# --------------------------------------------------------------------------- schema errors

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}

_NAME_WHAT = {
    "team": "team name",
    "gpu_type": "GPU type",
    "current_site": "site name",
    "pinned_site": "site name",
    "workload": "workload name",
    "site": "site name",
    "latency_ms": "site name",
    "gpus": "GPU type",
}
_NAME_OF = {
    "workloads": "workload name",
    "sites": "site name",
    "node_classes": "node class name",
    "depends_on": "workload name",
}

_RULE_ID_HINT = "a rule id such as HP-COST-001 (HP-, upper-case category, -, three digits)"


def _schema_problems(kind: str, parsed: Parsed, file: str) -> list[Problem]:
    """Validate ``parsed.data`` against the schema of ``kind``; one problem per field."""
    problems: list[Problem] = []
    by_field: dict[str, Problem] = {}
    for error in _validator(kind.lower()).iter_errors(parsed.data):
        for problem in _translate(error, parsed, file, kind):
            if problem.message.startswith("unknown field"):
                problems.append(problem)
                continue
            # One problem per field: a name that breaks both pattern and length, or an
            # empty reason (minLength and pattern), reads best as one message.
            by_field.setdefault(problem.field, problem)
    problems.extend(by_field.values())
    return problems


def _fmt_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _describe(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {_fmt_number(value)}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _expected(type_value: object) -> str:
    types = [type_value] if isinstance(type_value, str) else list(type_value or [])  # type: ignore[call-overload]
    return " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)


def _path(error: jsonschema.ValidationError) -> YamlPath:
    return tuple(error.absolute_path)


def _problem(
    parsed: Parsed, file: str, path: YamlPath, message: str, fix: str, *, key: bool = False
) -> Problem:
    line, column = parsed.where(path, key=key)
    return Problem(file, line, column, format_path(path), message, fix)


def _what(path: YamlPath) -> str:
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return "name"
    last = keys[-1]
    if last == "name" and len(keys) >= 2:
        return _NAME_OF.get(keys[-2], "name")
    if last in _NAME_WHAT:
        return _NAME_WHAT[last]
    # A key inside a map such as latency_ms or capacity.gpus.
    if len(keys) >= 2 and keys[-2] in _NAME_WHAT:
        return _NAME_WHAT[keys[-2]]
    return last.replace("_", " ")


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def _one_of_fix(word: str, options: Sequence[str], limit: int = 12) -> str:
    close = _did_you_mean(word, options)
    listed = ", ".join(options[:limit]) + (", ..." if len(options) > limit else "")
    if close:
        return f"did you mean '{close}'? (known: {listed})"
    return f"use one of: {listed}" if options else "define it first"


def _translate(
    error: jsonschema.ValidationError, parsed: Parsed, file: str, kind: str
) -> list[Problem]:
    """Turn one jsonschema error into plain-language problems."""
    path = _path(error)
    validator = str(error.validator)
    value = error.validator_value
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    in_property_names = "propertyNames" in error.relative_schema_path
    root: Mapping[str, Any] = _validator(kind.lower()).schema

    if in_property_names and isinstance(instance, str):
        key_path = (*path, instance)
        return [_pattern_problem(parsed, file, key_path, instance, str(value), key=True)]

    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        out = []
        for extra in instance:
            if extra in allowed:
                continue
            close = _did_you_mean(extra, allowed)
            home = None if close else _home_of(root, schema, extra)
            message = f"unknown field '{extra}'"
            if close:
                message += f"; did you mean '{close}'?"
                fix = f"rename it to '{close}'"
            elif home:
                message += f" here; it belongs under '{home}'"
                fix = f"move it into {format_path((*path, home))}"
            else:
                fix = f"remove it (allowed here: {', '.join(allowed)})"
            out.append(_problem(parsed, file, (*path, extra), message, fix, key=True))
        return out

    if validator == "required" and isinstance(instance, dict):
        out = []
        conditional = any(p in ("then", "else") for p in error.relative_schema_path)
        for missing in value:
            if missing in instance or repr(missing) not in error.message:
                continue
            described = conditional and "description" in schema
            reason = f" ({schema['description']})" if described else ""
            out.append(
                Problem(
                    file,
                    *parsed.where(path),
                    format_path((*path, missing)),
                    f"missing required field '{missing}'{reason}",
                    _required_fix(kind, _subschema(root, (*path, missing)), str(missing)),
                )
            )
        return out

    if validator == "type":
        expected = _expected(value)
        fix = f"use {expected}"
        if value == "boolean" and isinstance(instance, str):
            fix = "write true or false (yes/no/on/off are read as strings)"
        elif value in ("number", "integer") and isinstance(instance, str):
            fix = f"write {expected} without quotes or units (the unit is in the field name)"
        elif value == "integer" and isinstance(instance, float):
            fix = f"use a whole number, e.g. {round(instance)}"
        message = f"expected {expected}, got {_describe(instance)}"
        return [_problem(parsed, file, path, message, fix)]

    if validator == "enum":
        allowed = [str(v) for v in value]
        message = f"{instance!r} is not allowed; expected one of: {', '.join(allowed)}"
        close = _did_you_mean(str(instance), allowed)
        fix = f"did you mean '{close}'?" if close else f"use one of: {', '.join(allowed)}"
        return [_problem(parsed, file, path, message, fix)]

    if validator == "const":
        message = f"must be {value!r}, got {_describe(instance)}"
        fix = f"set {format_path(path) or 'it'}: {value}"
        if path == ("kind",):
            fix += f" ({_file_of_kind(str(value))} holds kind {value})"
        return [_problem(parsed, file, path, message, fix)]

    bounds = {
        "minimum": (">=", "at least"),
        "exclusiveMinimum": (">", "greater than"),
        "maximum": ("<=", "at most"),
        "exclusiveMaximum": ("<", "less than"),
    }
    if validator in bounds:
        op, words = bounds[validator]
        bound = _fmt_number(value)
        message = f"must be {op} {bound}, got {_fmt_number(instance)}"
        return [_problem(parsed, file, path, message, f"use a value {words} {bound}")]

    if validator == "minItems":
        if path in (("workloads",), ("sites",)) and instance == []:
            what = path[0]
            noun = "inventory" if what == "workloads" else "site list"
            message = f"the {noun} is empty: no {what}"
            fix = f"add at least one entry under {what} (see `hybridplan schema {kind}`)"
            return [_problem(parsed, file, path, message, fix)]
        message = f"must have at least {value} item{'s' if value != 1 else ''}"
        return [_problem(parsed, file, path, message, "add an entry")]

    if validator == "uniqueItems":
        return [_problem(parsed, file, path, "contains duplicates", "remove the repeated entries")]

    if validator == "minLength":
        description = _first_sentence(str(schema.get("description", "")))
        fix = f"give a value: {description}" if description else "give a value"
        return [_problem(parsed, file, path, "must not be empty", fix)]

    if validator == "pattern" and isinstance(instance, str):
        return [_pattern_problem(parsed, file, path, instance, str(value))]

    if validator in ("minProperties", "maxProperties") and isinstance(instance, dict):
        description = _first_sentence(str(schema.get("description", "")))
        given = ", ".join(instance) or "none"
        message = f"expected {description}; given: {given}"
        if validator == "maxProperties":
            fix = f"keep at most {value} of them"
        else:
            fix = f"give at least {value} of them"
        return [_problem(parsed, file, path, message, fix)]

    if validator == "not":
        description = str(schema.get("description", "not allowed here"))
        key = path[-1] if path else ""
        message = f"field '{key}' is not allowed here: {description}"
        return [_problem(parsed, file, path, message, "remove it", key=True)]

    if validator in ("oneOf", "anyOf"):
        return _translate_choice(error, parsed, file, kind)

    return [_problem(parsed, file, path, error.message, f"see `hybridplan schema {kind}`")]


def _first_sentence(text: str) -> str:
    """First sentence, without its period, lower-cased unless it starts with an acronym."""
    first = re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", text.strip())[0].rstrip(".")
    if first[:2].isupper():
        return first
    return first[:1].lower() + first[1:]


def _file_of_kind(kind: str) -> str:
    for file, k, _ in _INPUT_FILES:
        if k == kind:
            return file
    return "this file"


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


def _subschema(root: Mapping[str, Any], path: YamlPath) -> Mapping[str, Any] | None:
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


def _home_of(root: Mapping[str, Any], schema: Mapping[str, Any], key: str) -> str | None:
    """The property of ``schema`` whose object (or list of objects) accepts ``key``: where a
    misplaced field belongs (``gpu_type`` written beside ``resources`` instead of in it)."""
    for name, prop in schema.get("properties", {}).items():
        child = _deref(root, prop)
        if child is not None and child.get("type") == "array":
            child = _deref(root, child.get("items"))
        if child is not None and key in child.get("properties", {}):
            return str(name)
    return None


def _required_fix(kind: str, prop: Mapping[str, Any] | None, missing: str) -> str:
    if missing == "apiVersion":
        return "add apiVersion: hybridplan/v1"
    if missing == "kind":
        return f"add kind: {kind}"
    description = _first_sentence(str((prop or {}).get("description", "")))
    if description:
        return f"add {missing}: {description}"
    return f"add {missing} (see `hybridplan schema {kind}`)"


def _pattern_problem(
    parsed: Parsed, file: str, path: YamlPath, value: str, pattern: str, *, key: bool = False
) -> Problem:
    if pattern == names.LABEL_SCHEMA_PATTERN:
        issue = names.check_label(value, what=_what(path))
        if issue is not None:
            return _problem(parsed, file, path, issue.message, issue.fix, key=key)
    if "HP-" in pattern:
        message = f"{value!r} is not {_RULE_ID_HINT}"
        return _problem(parsed, file, path, message, "use an id such as HP-COST-001", key=key)
    if pattern == "^[1-3]$":
        message = f"{value!r} is not a tier (1, 2 or 3)"
        return _problem(parsed, file, path, message, "use 1, 2 or 3", key=key)
    if "[0-9]{4}" in pattern:
        message = f"expected a date YYYY-MM-DD, got {value!r}"
        return _problem(parsed, file, path, message, "write the date as e.g. 2027-03-31", key=key)
    if pattern == r"\S":
        return _problem(parsed, file, path, "must not be blank", "give a value", key=key)
    message = f"{value!r} does not match the pattern {pattern}"
    return _problem(parsed, file, path, message, "change the value to match", key=key)


def _translate_choice(
    error: jsonschema.ValidationError, parsed: Parsed, file: str, kind: str
) -> list[Problem]:
    """oneOf/anyOf: report the branch whose type matches, else what types were expected."""
    branches: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context or []:
        index = sub.relative_schema_path[0]
        if isinstance(index, int):
            branches.setdefault(index, []).append(sub)
    options = error.validator_value if isinstance(error.validator_value, list) else []
    for index, _ in enumerate(options):
        subs = branches.get(index, [])
        type_clash = any(s.validator == "type" and not s.relative_path for s in subs)
        if not type_clash and subs:
            return [p for s in subs for p in _translate(s, parsed, file, kind)]
    types = [str(o.get("type", "value")) for o in options if isinstance(o, dict)]
    path = _path(error)
    message = f"expected {_expected(types)}, got {_describe(error.instance)}"
    schema = error.schema if isinstance(error.schema, dict) else {}
    fix = str(schema.get("description", f"see `hybridplan schema {kind}`"))
    return [_problem(parsed, file, path, message, fix)]


# --------------------------------------------------------------------------- cross-references


@dataclass(frozen=True, slots=True)
class _Named:
    index: int
    item: dict[str, Any]
    name: str | None


def _has_list(parsed: Parsed | None, key: str) -> bool:
    return (
        parsed is not None
        and isinstance(parsed.data, dict)
        and isinstance(parsed.data.get(key), list)
    )


def _entries(parsed: Parsed | None, key: str) -> list[_Named]:
    if parsed is None or not isinstance(parsed.data, dict):
        return []
    items = parsed.data.get(key)
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            name = item.get("name")
            out.append(_Named(i, item, name if isinstance(name, str) else None))
    return out


def _duplicates(
    parsed: Parsed, file: str, key: str, noun: str, entries: list[_Named]
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for e in entries:
        if e.name is None:
            continue
        if e.name in first:
            line, _ = parsed.where((key, first[e.name], "name"))
            yield _problem(
                parsed,
                file,
                (key, e.index, "name"),
                f"duplicate {noun} name '{e.name}' (first defined on line {line})",
                f"rename one of them; {noun} names must be unique",
            )
        else:
            first[e.name] = e.index


def _cross_reference_problems(docs: Mapping[str, Parsed]) -> list[Problem]:
    """Duplicate names and references between workloads, sites and waivers."""
    problems: list[Problem] = []
    inventory = docs.get("Inventory")
    sites_doc = docs.get("Sites")
    # A reference can only be checked against a list that was actually read.
    if not _has_list(inventory, "workloads"):
        inventory = None
    if not _has_list(sites_doc, "sites"):
        sites_doc = None
    workloads = _entries(inventory, "workloads")
    sites = _entries(sites_doc, "sites")
    if inventory is not None:
        problems.extend(_duplicates(inventory, INVENTORY, "workloads", "workload", workloads))
    if sites_doc is not None:
        problems.extend(_duplicates(sites_doc, SITES, "sites", "site", sites))

    workload_names = list(dict.fromkeys(w.name for w in workloads if w.name))
    site_names = list(dict.fromkeys(s.name for s in sites if s.name))
    offered: set[str] = set()
    for s in sites:
        capacity = s.item.get("capacity")
        gpus = capacity.get("gpus") if isinstance(capacity, dict) else None
        if isinstance(gpus, dict):
            offered.update(str(k) for k in gpus)
        offered.update(_cloud_gpu_types(s.item))

    if inventory is not None:
        for w in workloads:
            problems.extend(
                _workload_refs(
                    inventory,
                    w,
                    workload_names=workload_names,
                    site_names=site_names,
                    offered=offered,
                    sites_doc=sites_doc,
                )
            )
    if sites_doc is not None:
        for s in sites:
            latency = s.item.get("latency_ms")
            if not isinstance(latency, dict):
                continue
            for target in latency:
                if target not in site_names:
                    problems.append(
                        _problem(
                            sites_doc,
                            SITES,
                            ("sites", s.index, "latency_ms", target),
                            f"unknown site '{target}' in latency_ms",
                            _one_of_fix(target, site_names),
                            key=True,
                        )
                    )
    policies = docs.get("Policies")
    if policies is not None:
        teams = list(
            dict.fromkeys(w.item["team"] for w in workloads if isinstance(w.item.get("team"), str))
        )
        known = {
            "workload": (workload_names, inventory is not None),
            "team": (teams, inventory is not None),
            "site": (site_names, sites_doc is not None),
        }
        problems.extend(_waiver_refs(policies, known))
    return problems


_CLOUD_OPTIONS = ("on-demand", "commit-1y", "commit-3y", "spot", "capacity-block")
_OWNED_OPTIONS = ("owned", "leased")


def _current_option_refs(
    doc: Parsed, w: _Named, option: str, sites_doc: Parsed
) -> Iterator[Problem]:
    """``current_option`` needs a ``current_site`` and must be one that site's kind sells."""
    path: YamlPath = ("workloads", w.index, "current_option")
    current = w.item.get("current_site")
    if not isinstance(current, str):
        yield _problem(
            doc,
            INVENTORY,
            path,
            "current_option is set but current_site is not",
            "add current_site, or remove current_option",
        )
        return
    data = sites_doc.data if isinstance(sites_doc.data, dict) else {}
    listed = data.get("sites")
    kinds = {
        s.get("name"): s.get("kind")
        for s in (listed if isinstance(listed, list) else [])
        if isinstance(s, dict)
    }
    kind = kinds.get(current)
    allowed = _CLOUD_OPTIONS if kind == "cloud" else _OWNED_OPTIONS
    if kind is not None and option not in allowed:
        yield _problem(
            doc,
            INVENTORY,
            path,
            f"'{option}' is not sold by {kind} site '{current}'",
            f"use one of: {', '.join(allowed)}",
        )


def _cloud_gpu_types(site: Mapping[str, Any]) -> set[str]:
    """GPU types a cloud site sells: those of the instance types the packaged catalogue
    prices in the site's price region (a cloud site declares no capacity)."""
    if site.get("kind") != "cloud":
        return set()
    from planner.catalogue import load_default_catalogue

    cost = site.get("cost")
    cloud = cost.get("cloud") if isinstance(cost, dict) else None
    region = cloud.get("price_region") if isinstance(cloud, dict) else None
    region = region if isinstance(region, str) else site.get("region")
    provider = site.get("provider")
    if not isinstance(region, str) or not isinstance(provider, str):
        return set()
    instances = load_default_catalogue().instances_in(provider, region)
    return {i.gpu_type for i in instances if i.gpu_type}


def _workload_refs(
    doc: Parsed,
    w: _Named,
    *,
    workload_names: list[str],
    site_names: list[str],
    offered: set[str],
    sites_doc: Parsed | None,
) -> Iterator[Problem]:
    base: YamlPath = ("workloads", w.index)
    if sites_doc is not None:
        for field in ("current_site", "pinned_site"):
            target = w.item.get(field)
            if isinstance(target, str) and target not in site_names:
                yield _problem(
                    doc,
                    INVENTORY,
                    (*base, field),
                    f"unknown site '{target}'",
                    _one_of_fix(target, site_names),
                )
        resources = w.item.get("resources")
        if w.item.get("kind") == "training" and isinstance(resources, dict):
            gpus = resources.get("gpus", 0)
            if isinstance(gpus, int | float) and not isinstance(gpus, bool) and gpus < 1:
                yield _problem(
                    doc,
                    INVENTORY,
                    (*base, "resources", "gpus") if "gpus" in resources else (*base, "resources"),
                    "a training workload needs GPUs (its demand is GPU-hours)",
                    "set resources.gpus (GPUs per replica, at least 1) and resources.gpu_type,"
                    " or use kind: batch for CPU-only jobs",
                )
        option = w.item.get("current_option")
        if isinstance(option, str):
            yield from _current_option_refs(doc, w, option, sites_doc)
        resources_ = w.item.get("resources")
        gpu_type = resources_.get("gpu_type") if isinstance(resources_, dict) else None
        if isinstance(gpu_type, str) and gpu_type not in offered:
            listed = ", ".join(sorted(offered)) or "none"
            close = _did_you_mean(gpu_type, sorted(offered))
            hint = f"did you mean '{close}'? or " if close else ""
            yield _problem(
                doc,
                INVENTORY,
                (*base, "resources", "gpu_type"),
                f"no site offers GPU type '{gpu_type}' (offered: {listed})",
                f"{hint}add it to a site's capacity.gpus in sites.yaml",
            )
    depends = w.item.get("depends_on")
    if isinstance(depends, list):
        for j, dep in enumerate(depends):
            path: YamlPath = (*base, "depends_on", j)
            target = dep
            if isinstance(dep, dict):
                target = dep.get("name")
                path = (*path, "name")
            if not isinstance(target, str):
                continue
            if target == w.name:
                yield _problem(
                    doc,
                    INVENTORY,
                    path,
                    f"workload '{target}' depends on itself",
                    "remove this entry",
                )
            elif target not in workload_names:
                yield _problem(
                    doc,
                    INVENTORY,
                    path,
                    f"unknown workload '{target}'",
                    _one_of_fix(target, workload_names),
                )


def _waiver_refs(doc: Parsed, known: Mapping[str, tuple[list[str], bool]]) -> Iterator[Problem]:
    for entry in _entries(doc, "waivers"):
        base: YamlPath = ("waivers", entry.index)
        expires = entry.item.get("expires")
        if isinstance(expires, str) and len(expires) == 10 and expires[4] == "-":
            try:
                date.fromisoformat(expires)
            except ValueError:
                yield _problem(
                    doc,
                    POLICIES,
                    (*base, "expires"),
                    f"{expires!r} is not a calendar date",
                    "use a real date YYYY-MM-DD, e.g. 2027-03-31",
                )
        scope = entry.item.get("scope")
        if not isinstance(scope, dict):
            continue
        for scope_kind, target in scope.items():
            names_known, checkable = known.get(scope_kind, ([], False))
            if checkable and isinstance(target, str) and target not in names_known:
                yield _problem(
                    doc,
                    POLICIES,
                    (*base, "scope", scope_kind),
                    f"unknown {scope_kind} '{target}'",
                    _one_of_fix(target, names_known),
                )


# --------------------------------------------------------------------------- model building


def _source(parsed: Parsed, file: str, path: YamlPath) -> SourceRef:
    line, column = parsed.where(path)
    return SourceRef(file, line, column)


def _opt_float(d: Mapping[str, Any], key: str) -> float | None:
    value = d.get(key)
    return None if value is None else float(value)


def _workload(w: Mapping[str, Any], source: SourceRef) -> Workload:
    res = w["resources"]
    data = w.get("data", {})
    training = w.get("training")
    deps = tuple(
        Dependency(d)
        if isinstance(d, str)
        else Dependency(d["name"], _opt_float(d, "max_latency_ms"))
        for d in w.get("depends_on", [])
    )
    return Workload(
        name=w["name"],
        team=w["team"],
        kind=WorkloadKind(w["kind"]),
        tier=int(w["tier"]),
        replicas=int(w["replicas"]),
        resources=Resources(
            cpu=float(res["cpu"]),
            memory_gib=float(res["memory_gib"]),
            gpus=int(res.get("gpus", 0)),
            gpu_type=res.get("gpu_type"),
            storage_gib=float(res.get("storage_gib", 0.0)),
        ),
        data=DataSpec(
            residency=Residency(data.get("residency", Residency.ANY.value)),
            egress_gib_per_month=float(data.get("egress_gib_per_month", 0.0)),
            dataset_gib=float(data.get("dataset_gib", 0.0)),
        ),
        depends_on=deps,
        current_site=w.get("current_site"),
        current_option=(PricingOption(w["current_option"]) if "current_option" in w else None),
        pinned_site=w.get("pinned_site"),
        profile=Profile(w["profile"]) if "profile" in w else None,
        telemetry=w.get("telemetry"),
        training=(
            TrainingSpec(
                gpu_hours_per_month=float(training["gpu_hours_per_month"]),
                deadline_days=(
                    int(training["deadline_days"]) if "deadline_days" in training else None
                ),
                checkpoint_gib=float(training.get("checkpoint_gib", 0.0)),
            )
            if training is not None
            else None
        ),
        image=w.get("image"),
        ports=tuple(int(p) for p in w.get("ports", [])),
        allow_spot=bool(w.get("allow_spot", True)),
        source=source,
    )


def _owned(d: Mapping[str, Any]) -> OwnedCost:
    depreciation = d.get("depreciation_months")
    return OwnedCost(
        node_classes=tuple(
            NodeClass(
                name=n["name"],
                count=int(n["count"]),
                cpu=float(n["cpu"]),
                memory_gib=float(n["memory_gib"]),
                capex_usd=float(n["capex_usd"]),
                power_kw=float(n["power_kw"]),
                gpus=int(n.get("gpus", 0)),
                gpu_type=n.get("gpu_type"),
            )
            for n in d.get("node_classes", [])
        ),
        amortisation=Amortisation(d.get("amortisation", Amortisation.STRAIGHT_LINE.value)),
        depreciation_months=int(depreciation) if depreciation is not None else None,
        discount_rate_pct=_opt_float(d, "discount_rate_pct"),
        power_billing=PowerBilling(d.get("power_billing", PowerBilling.PER_KW_MONTH.value)),
        colo_usd_per_kw_month=_opt_float(d, "colo_usd_per_kw_month"),
        usd_per_kwh=_opt_float(d, "usd_per_kwh"),
        pue=_opt_float(d, "pue"),
        space_usd_per_month=float(d.get("space_usd_per_month", 0.0)),
        labour_usd_per_month=float(d.get("labour_usd_per_month", 0.0)),
        support_pct_of_capex_per_year=_opt_float(d, "support_pct_of_capex_per_year"),
        cost_basis=CostBasis(d.get("cost_basis", CostBasis.AVERAGE.value)),
    )


def _site(s: Mapping[str, Any], source: SourceRef) -> Site:
    cost = s.get("cost", {})
    capacity = s.get("capacity")
    gpu_pool = cost.get("gpu_pool")
    cloud = cost.get("cloud")
    return Site(
        name=s["name"],
        kind=SiteKind(s["kind"]),
        provider=s["provider"],
        region=s["region"],
        jurisdiction=Residency(s["jurisdiction"]),
        failure_domains=tuple(s["failure_domains"]),
        availability_pct=float(s["availability"]),
        capacity=(
            Capacity(
                cpu=float(capacity["cpu"]),
                memory_gib=float(capacity["memory_gib"]),
                gpus={str(k): int(v) for k, v in capacity.get("gpus", {}).items()},
            )
            if capacity is not None
            else None
        ),
        target_utilisation=float(s.get("target_utilisation", 0.8)),
        latency_ms={str(k): float(v) for k, v in s.get("latency_ms", {}).items()},
        owned_cost=_owned(cost["owned"]) if "owned" in cost else None,
        gpu_pool_cost=(
            GpuPoolCost(
                mode=GpuPoolMode(gpu_pool.get("mode", GpuPoolMode.OWNED.value)),
                owned=_owned(gpu_pool["owned"]) if "owned" in gpu_pool else None,
                usd_per_gpu_hour=_opt_float(gpu_pool, "usd_per_gpu_hour"),
                min_gpu_hours_per_month=float(gpu_pool.get("min_gpu_hours_per_month", 0.0)),
                realised_utilisation=_opt_float(gpu_pool, "realised_utilisation"),
            )
            if gpu_pool is not None
            else None
        ),
        cloud_cost=(
            CloudCost(
                price_region=cloud["price_region"],
                discount_pct=float(cloud.get("discount_pct", 0.0)),
                options=tuple(PricingOption(o) for o in cloud["options"])
                if "options" in cloud
                else CloudCost(price_region="").options,
            )
            if cloud is not None
            else None
        ),
        price_overrides={str(k): float(v) for k, v in s.get("price_overrides", {}).items()},
        source=source,
    )


def _policies(doc: Parsed) -> PolicyConfig:
    data = doc.data
    rules = tuple(
        RuleConfig(
            rule_id=rule_id,
            level=Level(cfg["level"]) if "level" in cfg else None,
            params=dict(cfg.get("params", {})),
        )
        for rule_id, cfg in data.get("rules", {}).items()
    )
    waivers = []
    for i, w in enumerate(data.get("waivers", [])):
        ((scope_kind, scope),) = w["scope"].items()
        waivers.append(
            Waiver(
                rule_id=w["rule"],
                scope_kind=scope_kind,
                scope=scope,
                reason=w["reason"],
                expires=w["expires"],
                source=_source(doc, POLICIES, ("waivers", i)),
            )
        )
    return PolicyConfig(rules=rules, waivers=tuple(waivers))


def _settings(s: Mapping[str, Any]) -> Settings:
    defaults = Settings()
    return Settings(
        horizon_months=int(s.get("horizon_months", defaults.horizon_months)),
        discount_rate_pct=float(s.get("discount_rate_pct", defaults.discount_rate_pct)),
        currency=str(s.get("currency", defaults.currency)),
        headroom=float(s.get("headroom", defaults.headroom)),
        classify={str(k): float(v) for k, v in s.get("classify", {}).items()},
        engineering_usd_per_move=float(
            s.get("engineering_usd_per_move", defaults.engineering_usd_per_move)
        ),
        double_running_months=float(s.get("double_running_months", defaults.double_running_months)),
        solver_time_limit_s=float(s.get("solver_time_limit_s", defaults.solver_time_limit_s)),
        solver_gap=float(s.get("solver_gap", defaults.solver_gap)),
        tier_availability_pct={
            **defaults.tier_availability_pct,
            **{int(k): float(v) for k, v in s.get("tier_availability_pct", {}).items()},
        },
        min_replicas_by_tier={
            **defaults.min_replicas_by_tier,
            **{int(k): int(v) for k, v in s.get("min_replicas_by_tier", {}).items()},
        },
    )
