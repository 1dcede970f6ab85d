"""Reading two plan.json files and comparing them (``hybridplan diff``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from planner.errors import InputError, Problem
from planner.fx import FxRate
from planner.load.schemas import schema_for


def read_plan_json(path: Path) -> dict[str, Any]:
    """Read and validate one plan.json; every problem is reported with its location."""
    # jsonschema ships no type information; types-jsonschema is not a project dependency.
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    label = path.as_posix()
    if path.is_dir() and (path / "plan.json").is_file():
        path = path / "plan.json"
        label = path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    label,
                    0,
                    0,
                    "",
                    f"cannot read the plan: {exc.strerror or exc}",
                    "pass a plan.json written by `hybridplan plan DIR --out OUT` "
                    "(or the OUT folder)",
                )
            ],
            message=f"cannot read {label}",
        ) from None
    try:
        data = json.loads(text, parse_float=Decimal)  # amounts exactly as written
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    label,
                    exc.lineno,
                    exc.colno,
                    "",
                    f"not JSON: {exc.msg}",
                    "pass a plan.json written by `hybridplan plan DIR --out OUT`",
                )
            ],
            message=f"{label} is not a valid plan.json",
        ) from None
    validator = Draft202012Validator(_schema(data))
    problems = [
        Problem(
            label,
            0,
            0,
            "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(
                "."
            ),
            e.message,
            "regenerate it with the same hybridplan version as the other plan",
        )
        for e in validator.iter_errors(data)
    ]
    if problems:
        raise InputError(problems[:20], message=f"{label} is not a valid plan.json")
    result: dict[str, Any] = data
    return result


def _schema(data: object) -> dict[str, Any]:
    """The plan.json schema for ``data``'s ``schema_version``: 2 as published; 1 the same
    but for ``currency``, then the code (every amount is USD in both)."""
    schema: dict[str, Any] = schema_for("plan")
    if isinstance(data, dict) and data.get("schema_version") == 1:
        props = {
            **schema["properties"],
            "schema_version": {"const": 1},
            "currency": {"type": "string"},
        }
        schema = {**schema, "properties": props}
    return schema


def diff_plan_files(base: Path, head: Path) -> dict[str, Any]:
    """What changed from the plan in ``base`` to the one in ``head`` (each a plan.json or the
    OUT folder holding it): ``planner.report.diff_plans`` of the two, each validated first."""
    from planner.report import diff_plans

    return diff_plans(read_plan_json(base), read_plan_json(head))


def head_rate(head: Path) -> FxRate:
    """The project currency ``head``'s plan.json (schema 2) is shown in; USD for schema 1."""
    from planner.report.shown import rate_of

    return rate_of(read_plan_json(head).get("currency"))
