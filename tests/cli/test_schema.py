"""CLI tests for `hybridplan schema`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.load.yamlpos import parse_yaml

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"
SCHEMAS = Path(__file__).resolve().parents[2] / "planner" / "schemas"

runner = CliRunner()


@pytest.mark.parametrize(
    ("kind", "file"),
    [
        ("inventory", "inventory.yaml"),
        ("Sites", "sites.yaml"),
        ("POLICIES", "policies.yaml"),
        ("project", "project.yaml"),
    ],
    ids=["inventory", "sites", "policies", "project"],
)
def test_schema_prints_json_that_validates_mini(kind: str, file: str) -> None:
    """`schema KIND` prints a valid draft 2020-12 schema accepting the mini project's file."""
    result = runner.invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = parse_yaml((MINI / file).read_text(encoding="utf-8"), file).data
    jsonschema.Draft202012Validator(schema).validate(data)


def test_printed_inventory_schema_rejects_a_bad_inventory() -> None:
    """The published inventory schema catches an unknown field, as editors will."""
    schema = json.loads(runner.invoke(app, ["schema", "inventory"]).stdout)
    data = parse_yaml((MINI / "inventory.yaml").read_text(encoding="utf-8"), "i").data
    data["workloads"][0]["resources"]["memory_gb"] = 4
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)


@pytest.mark.skipif(
    not (SCHEMAS / "plan.json").exists(), reason="plan.json is written by the report issue"
)
def test_plan_schema_is_served_by_file_name() -> None:
    """`schema plan` prints planner/schemas/plan.json unchanged."""
    result = runner.invoke(app, ["schema", "plan"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((SCHEMAS / "plan.json").read_text())


def test_unknown_kind_exits_2_with_suggestion() -> None:
    """An unknown kind exits 2 and suggests the nearest one."""
    result = runner.invoke(app, ["schema", "inventroy"])
    assert result.exit_code == 2
    assert "unknown schema kind 'inventroy'" in result.stderr
    assert "did you mean 'inventory'?" in result.stderr


def test_help_has_an_example() -> None:
    """schema --help shows the docstring with an example."""
    result = runner.invoke(app, ["schema", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan schema inventory" in result.stdout
