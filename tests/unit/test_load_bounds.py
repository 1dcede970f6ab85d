"""Tests for the finite bounds of the input schemas: every number a planning project gives
has a documented ceiling, so no input can overflow the cost model into inf or NaN."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.errors import InputError
from planner.load import load_project, schema_for

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"
INPUT_KINDS = ("inventory", "sites", "project", "policies")


def _numeric_nodes(node: object, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") in ("number", "integer"):
            yield path, node
        for key, child in node.items():
            if key != "if":  # a condition's sub-schema describes no value
                yield from _numeric_nodes(child, f"{path}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _numeric_nodes(child, f"{path}/{i}")


@pytest.mark.parametrize("kind", INPUT_KINDS)
def test_every_number_in_the_input_schemas_has_a_documented_ceiling(kind: str) -> None:
    """Each number or integer has a maximum (or is an enum/const) its description states."""
    unbounded = [
        path
        for path, node in _numeric_nodes(schema_for(kind))
        if not {"maximum", "exclusiveMaximum", "enum", "const"} & set(node)
    ]
    assert unbounded == []
    for path, node in _numeric_nodes(schema_for(kind)):
        if "maximum" in node and node["maximum"] not in (1, 3, 100):
            assert "at most" in node.get("description", ""), path


def test_rule_parameters_are_bounded_at_any_depth() -> None:
    """Numbers inside rule parameters (also nested) are bounded by the policies schema."""
    definition = schema_for("policies")["$defs"]["param_value"]
    assert definition["then"]["maximum"] == 10**15


def test_huge_numbers_are_located_input_errors(tmp_path: Path) -> None:
    """1e308 capex and labour, a 1e9-month horizon and a huge threshold or budget are each
    rejected at their line (they used to reach plan.json as NaN)."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    sites = root / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8")
        .replace("capex_usd: 30000", "capex_usd: 1e308")
        .replace("labour_usd_per_month: 4000", "labour_usd_per_month: 1e308"),
        encoding="utf-8",
    )
    (root / "project.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Project\nsettings:\n"
        "  horizon_months: 1000000000\n  classify: {min_days: 1e300}\n",
        encoding="utf-8",
    )
    (root / "policies.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Policies\nrules:\n"
        "  HP-COST-002:\n    params: {max_usd_per_month: 1e300}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_project(root)
    assert [(p.file, p.line, p.field, p.message) for p in caught.value.problems] == [
        (
            "policies.yaml",
            5,
            "rules.HP-COST-002.params.max_usd_per_month",
            "must be <= 1000000000000000, got 1e+300",
        ),
        ("project.yaml", 4, "settings.horizon_months", "must be <= 360, got 1000000000"),
        ("project.yaml", 5, "settings.classify.min_days", "must be <= 1000000, got 1e+300"),
        (
            "sites.yaml",
            19,
            "sites[0].cost.owned.node_classes[0].capex_usd",
            "must be <= 100000000, got 1e+308",
        ),
        (
            "sites.yaml",
            26,
            "sites[0].cost.owned.labour_usd_per_month",
            "must be <= 1000000000, got 1e+308",
        ),
    ]


def test_a_cloud_site_cannot_offer_owned_capacity(tmp_path: Path) -> None:
    """A cloud region sells on-demand, commitments, spot and capacity blocks, not owned or
    leased hardware (which crashed the cost model)."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    sites = root / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8").replace(
            "options: [on-demand, commit-1y, commit-3y, spot]", "options: [owned]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_project(root)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (63, "sites[2].cost.cloud.options[0]")
    assert "'owned' is not allowed" in problem.message


def test_classifier_threshold_names_in_the_schema_are_the_calibrated_ones() -> None:
    """settings.classify accepts exactly the thresholds planner.classify documents."""
    from planner.classify.calibration import DEFAULTS

    classify = schema_for("project")["properties"]["settings"]["properties"]["classify"]
    assert classify["propertyNames"]["enum"] == sorted(DEFAULTS)


def test_an_unknown_classifier_threshold_is_located_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt threshold is reported at its key (plan used to say project.yaml only)."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    (root / "project.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Project\nsettings:\n  classify: {min_dayz: 2}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_project(root)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.field) == (4, 14, "settings.classify.min_dayz")
    assert problem.fix.startswith("did you mean 'min_days'?")


def test_an_unreadable_file_is_a_problem_at_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project file that cannot be read (permissions, I/O) is a located problem."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "sites.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputError) as caught:
        load_project(root)
    assert [(p.file, p.message) for p in caught.value.problems] == [
        ("sites.yaml", "cannot read: Permission denied")
    ]


def test_huge_prices_are_located_input_errors(tmp_path: Path) -> None:
    """A 1e308 negotiated price or colocation rate (the issue's 'prices 1e308', NaN in the
    cost model) is rejected at its line, with the ceiling."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    sites = root / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8")
        .replace(
            "aws.p5.48xlarge.us-east-1.on-demand: 55.04",
            "aws.p5.48xlarge.us-east-1.on-demand: 1e308",
        )
        .replace("colo_usd_per_kw_month: 217.30", "colo_usd_per_kw_month: 1e308"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_project(root)
    assert [(p.file, p.line, p.message) for p in caught.value.problems] == [
        ("sites.yaml", 23, "must be <= 100000, got 1e+308"),
        ("sites.yaml", 77, "must be <= 1000000000, got 1e+308"),
    ]
