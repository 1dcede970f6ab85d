"""Schema validation of one parsed input file, in plain language: each ``jsonschema`` error
becomes a ``Problem`` located at ``file:line:column`` with its field path, a message that
says what was given and what was expected (with did-you-mean suggestions) and a ``To fix:``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # jsonschema ships no type information and types-jsonschema is not a project dependency.
    import jsonschema  # type: ignore[import-untyped]

from planner import names
from planner.errors import Problem
from planner.load.files import file_of_kind
from planner.load.schemas import (
    entry_validators,
    fast_validator_for,
    home_of,
    subschema,
    validator_for,
)
from planner.load.yamlpos import Parsed, YamlPath, format_path, problem_at

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
    "failure_domains": "failure domain name",
    "classify": "classifier threshold",
}
_NAME_OF = {
    "workloads": "workload name",
    "sites": "site name",
    "node_classes": "node class name",
    "depends_on": "workload name",
}

_RULE_ID_HINT = "a rule id such as HP-COST-001 (HP-, upper-case category, -, three digits)"


def document_problems(kind: str, parsed: Parsed, file: str) -> list[Problem]:
    """What is wrong with the document ``parsed`` (from ``file``) against the schema of
    ``kind``: that it is not a mapping, else one problem per field."""
    if not isinstance(parsed.data, dict):
        line, column = parsed.where(())
        return [
            Problem(
                file,
                line,
                column,
                "",
                f"expected a mapping with apiVersion, kind, ..., got {_describe(parsed.data)}",
                f"see `hybridplan schema {kind}`",
            )
        ]
    return _schema_problems(kind, parsed, file)


MAX_INVALID_ENTRIES = 200
"""Entries of one list explained at most (the rest are counted in one more problem)."""


def _schema_problems(kind: str, parsed: Parsed, file: str) -> list[Problem]:
    """Validate ``parsed.data`` against the schema of ``kind``; one problem per field.

    The compiled validator clears a valid document at once; otherwise only the invalid
    entries of the top-level lists (at most ``MAX_INVALID_ENTRIES`` each) are explained.
    """
    if fast_validator_for(kind.lower()).is_valid(parsed.data):
        return []
    document, renumber, untold = _invalid_part(kind.lower(), parsed)
    problems: list[Problem] = []
    by_field: dict[str, Problem] = {}
    for error in validator_for(kind.lower()).iter_errors(document):
        if len(error.path) >= 2 and error.path[0] in renumber:
            error.path[1] = renumber[error.path[0]][error.path[1]]
        for problem in _translate(error, parsed, file, kind):
            if problem.message.startswith("unknown field"):
                problems.append(problem)
                continue
            # One problem per field: a name that breaks both pattern and length, or an
            # empty reason (minLength and pattern), reads best as one message.
            by_field.setdefault(problem.field, problem)
    problems.extend(by_field.values())
    for key, (count, first) in untold.items():
        problems.append(
            problem_at(
                parsed,
                file,
                (key, first),
                f"{count} more entries of {key} from here on fail the schema (not listed)",
                "fix the problems listed, then validate again",
            )
        )
    if not problems:
        # The two validators disagree (ECMA-262 ``$`` does not match before a final
        # newline; Python's does): the compiled one is right, say what it found.
        for error in fast_validator_for(kind.lower()).iter_errors(parsed.data):
            path = tuple(error.instance_path)
            problems.append(
                problem_at(parsed, file, path, error.message, f"see `hybridplan schema {kind}`")
            )
    return problems


def _invalid_part(
    kind: str, parsed: Parsed
) -> tuple[dict[str, Any], dict[str, list[int]], dict[str, tuple[int, int]]]:
    """The document with each top-level list cut to its invalid entries (at most
    ``MAX_INVALID_ENTRIES``; a valid first entry where none is invalid, so a list never
    becomes empty), the original index of each kept entry by list, and how many invalid
    entries were left out (and the index of the first) by list."""
    document = dict(parsed.data)
    renumber: dict[str, list[int]] = {}
    untold: dict[str, tuple[int, int]] = {}
    for key, check in entry_validators(kind).items():
        entries = document.get(key)
        if not isinstance(entries, list) or not entries:
            continue
        bad = [i for i, entry in enumerate(entries) if not check.is_valid(entry)]
        kept = bad[:MAX_INVALID_ENTRIES] or [0]
        if len(bad) > len(kept):
            untold[key] = (len(bad) - len(kept), bad[len(kept)])
        document[key] = [entries[i] for i in kept]
        renumber[key] = kept
    return document, renumber, untold


def _fmt_number(value: object) -> str:
    """A number as written: ``3`` for ``3.0``, ``1e+300`` (not 301 digits) for huge ones."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
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
    root: Mapping[str, Any] = validator_for(kind.lower()).schema

    if in_property_names and isinstance(instance, str):
        key_path = (*path, instance)
        if validator == "enum" and isinstance(value, list):
            known = [str(v) for v in value]
            close = names.nearest_name(instance, known)
            hint = f"did you mean '{close}'? " if close else ""
            message = f"unknown {_what(path)} '{instance}'"
            fix = f"{hint}use one of: {', '.join(known)}"
            return [problem_at(parsed, file, key_path, message, fix, key=True)]
        return [_pattern_problem(parsed, file, key_path, instance, str(value), key=True)]

    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        out = []
        for extra in instance:
            if extra in allowed:
                continue
            close = names.nearest_name(extra, allowed)
            home = None if close else home_of(root, schema, extra)
            message = f"unknown field '{extra}'"
            if close:
                message += f"; did you mean '{close}'?"
                fix = f"rename it to '{close}'"
            elif home:
                message += f" here; it belongs under '{home}'"
                fix = f"move it into {format_path((*path, home))}"
            else:
                fix = f"remove it (allowed here: {', '.join(allowed)})"
            out.append(problem_at(parsed, file, (*path, extra), message, fix, key=True))
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
                    _required_fix(kind, subschema(root, (*path, missing)), str(missing)),
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
        return [problem_at(parsed, file, path, message, fix)]

    if validator == "enum":
        allowed = [str(v) for v in value]
        message = f"{instance!r} is not allowed; expected one of: {', '.join(allowed)}"
        close = names.nearest_name(str(instance), allowed)
        fix = f"did you mean '{close}'?" if close else f"use one of: {', '.join(allowed)}"
        return [problem_at(parsed, file, path, message, fix)]

    if validator == "const":
        message = f"must be {value!r}, got {_describe(instance)}"
        fix = f"set {format_path(path) or 'it'}: {value}"
        if path == ("kind",):
            fix += f" ({file_of_kind(str(value))} holds kind {value})"
        return [problem_at(parsed, file, path, message, fix)]

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
        return [problem_at(parsed, file, path, message, f"use a value {words} {bound}")]

    if validator == "minItems":
        if path in (("workloads",), ("sites",)) and instance == []:
            what = path[0]
            noun = "inventory" if what == "workloads" else "site list"
            message = f"the {noun} is empty: no {what}"
            fix = f"add at least one entry under {what} (see `hybridplan schema {kind}`)"
            return [problem_at(parsed, file, path, message, fix)]
        message = f"must have at least {value} item{'s' if value != 1 else ''}"
        return [problem_at(parsed, file, path, message, "add an entry")]

    if validator == "uniqueItems":
        return [
            problem_at(parsed, file, path, "contains duplicates", "remove the repeated entries")
        ]

    if validator == "minLength":
        description = _first_sentence(str(schema.get("description", "")))
        fix = f"give a value: {description}" if description else "give a value"
        return [problem_at(parsed, file, path, "must not be empty", fix)]

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
        return [problem_at(parsed, file, path, message, fix)]

    if validator == "not":
        description = str(schema.get("description", "not allowed here"))
        key = path[-1] if path else ""
        message = f"field '{key}' is not allowed here: {description}"
        return [problem_at(parsed, file, path, message, "remove it", key=True)]

    if validator in ("oneOf", "anyOf"):
        return _translate_choice(error, parsed, file, kind)

    return [problem_at(parsed, file, path, error.message, f"see `hybridplan schema {kind}`")]


def _first_sentence(text: str) -> str:
    """First sentence, without its period, lower-cased unless it starts with an acronym."""
    first = re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", text.strip())[0].rstrip(".")
    if first[:2].isupper():
        return first
    return first[:1].lower() + first[1:]


def _required_fix(kind: str, prop: Mapping[str, Any] | None, missing: str) -> str:
    if missing == "apiVersion":
        return "add apiVersion: hybridplan/v1"
    if missing == "kind":
        return f"add kind: {kind}"
    description = _first_sentence(str((prop or {}).get("description", "")))
    if description:
        return f"add {missing}: {description}"
    return f"add {missing} (see `hybridplan schema {kind}`)"


MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
"""A month, YYYY-MM (project.json billing.until)."""
CURRENCY_PATTERN = "^[A-Z]{3}$"
"""An ISO 4217 currency code (project.json billing.currency)."""
DURATION_PATTERN = "^([0-9]+(ms|s|m|h|d|w|y))+$"
"""A Prometheus duration (project.json prometheus.step, prometheus.range)."""
HTTP_URL_PATTERN = "^https?://[^\\s/?#]+[^\\s?#]*$"
"""An http(s) URL without query or fragment (project.json prometheus.url)."""
IDENTIFIER_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
"""An environment variable or Prometheus label name (project.json prometheus.auth)."""
HEADER_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
"""An HTTP header name, RFC 9110 token (project.json prometheus.auth.header)."""


def _pattern_problem(
    parsed: Parsed, file: str, path: YamlPath, value: str, pattern: str, *, key: bool = False
) -> Problem:
    if pattern == names.LABEL_SCHEMA_PATTERN:
        issue = names.check_label(value, what=_what(path))
        if issue is not None:
            return problem_at(parsed, file, path, issue.message, issue.fix, key=key)
    if "HP-" in pattern:
        message = f"{value!r} is not {_RULE_ID_HINT}"
        return problem_at(parsed, file, path, message, "use an id such as HP-COST-001", key=key)
    if pattern == "^[1-3]$":
        message = f"{value!r} is not a tier (1, 2 or 3)"
        return problem_at(parsed, file, path, message, "use 1, 2 or 3", key=key)
    if pattern == MONTH_PATTERN:
        message = f"expected a month YYYY-MM, got {value!r}"
        return problem_at(parsed, file, path, message, "write the month as e.g. 2025-06", key=key)
    if pattern == CURRENCY_PATTERN:
        message = f"{value!r} is not a currency code"
        return problem_at(parsed, file, path, message, "use an ISO 4217 code such as USD", key=key)
    if pattern == DURATION_PATTERN:
        message = f"{value!r} is not a duration"
        return problem_at(parsed, file, path, message, "write e.g. 30s, 5m, 1h30m or 30d", key=key)
    if pattern == HTTP_URL_PATTERN:
        message = f"{value!r} is not an http(s) URL"
        fix = "give the base URL of the server's API, e.g. http://prometheus:9090"
        return problem_at(parsed, file, path, message, fix, key=key)
    if pattern == IDENTIFIER_PATTERN:
        message = f"{value!r} is not a name"
        fix = "use letters, digits and _, not starting with a digit (e.g. PROM_TOKEN)"
        return problem_at(parsed, file, path, message, fix, key=key)
    if pattern == HEADER_PATTERN:
        message = f"{value!r} is not an HTTP header name"
        return problem_at(parsed, file, path, message, "e.g. X-Scope-OrgID", key=key)
    if "[0-9]{4}" in pattern:
        message = f"expected a date YYYY-MM-DD, got {value!r}"
        return problem_at(parsed, file, path, message, "write the date as e.g. 2027-03-31", key=key)
    if pattern == names.IMAGE_PATTERN:
        message = f"image {value!r} is not a plain image reference"
        fix = "use registry/path:tag or registry/path@sha256:digest (no spaces or quotes)"
        return problem_at(parsed, file, path, message, fix, key=key)
    if pattern == r"\S":
        return problem_at(parsed, file, path, "must not be blank", "give a value", key=key)
    message = f"{value!r} does not match the pattern {pattern}"
    return problem_at(parsed, file, path, message, "change the value to match", key=key)


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
    return [problem_at(parsed, file, path, message, fix)]
