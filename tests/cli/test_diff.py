"""``hybridplan diff``: exit codes and output on two plan.json files."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
from plan_fakes import check_gfm, sample_plan, sample_project
from typer.testing import CliRunner

from planner.cli import app
from planner.model import Plan
from planner.money import Money
from planner.report import render_plan_json

runner = CliRunner()


def _head() -> Plan:
    base = sample_plan()
    keep = tuple(p for p in base.placements if p.workload != "search-api")
    return replace(
        base,
        placements=keep,
        per_month=Money.total((p.per_month for p in keep), "USD"),
        findings=base.findings[:1],
    )


@pytest.fixture
def plans(tmp_path: Path) -> tuple[Path, Path]:
    """Two plan.json files: the sample plan and one without search-api."""
    project = sample_project()
    base, head = tmp_path / "base" / "plan.json", tmp_path / "head" / "plan.json"
    base.parent.mkdir()
    head.parent.mkdir()
    base.write_text(render_plan_json(sample_plan(), project), encoding="utf-8")
    head.write_text(render_plan_json(_head(), project), encoding="utf-8")
    return base, head


def test_diff_md(plans: tuple[Path, Path]) -> None:
    """The default output is GFM naming the removed workload and the resolved finding."""
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 0, result.output
    assert "### Workloads removed (1)" in result.output
    assert "`search-api`" in result.output
    assert "### Findings resolved (1)" in result.output
    check_gfm(result.output)


def test_diff_json_accepts_out_folders(plans: tuple[Path, Path]) -> None:
    """--format json prints the diff document; OUT folders stand for their plan.json."""
    result = runner.invoke(
        app, ["diff", str(plans[0].parent), str(plans[1].parent), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "PlanDiff"
    assert [w["name"] for w in data["removed"]] == ["search-api"]
    assert data["totals"]["delta_usd_per_month"] == -100.0


def test_diff_output_file(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """--output writes the diff to a file instead of stdout."""
    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1]), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("## Plan diff:")


def test_diff_missing_file(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """A missing file is an input error (exit 2) that says what to pass instead."""
    result = runner.invoke(app, ["diff", str(plans[0]), str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "cannot read the plan" in result.output
    assert "To fix:" in result.output
    assert "planning project" not in result.output  # a plan file, not a project folder


def test_diff_invalid_plan(plans: tuple[Path, Path]) -> None:
    """A plan.json that breaks the schema is rejected with the failing field (exit 2)."""
    data = json.loads(plans[1].read_text(encoding="utf-8"))
    data["totals"]["usd_per_month"] = "lots"
    plans[1].write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 2
    assert "totals.usd_per_month" in result.output


def test_diff_not_json(plans: tuple[Path, Path]) -> None:
    """A file that is not JSON is rejected with its line and column (exit 2)."""
    plans[1].write_text("{\n  oops\n}\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 2
    assert "plan.json:2:3" in result.output
    assert "is not a valid plan.json" in result.output
    assert "planning project" not in result.output
    assert "To fix:" in result.output


def test_diff_help() -> None:
    """--help shows the docstring with an example."""
    result = runner.invoke(app, ["diff", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan diff" in result.output


@pytest.mark.slow  # plans examples/acme twice
def test_diff_of_two_example_plans(acme_dir: Path, tmp_path: Path) -> None:
    """Planning acme, then acme with cheaper P5s, and diffing the two shows the GPU moves."""
    import shutil

    import yaml

    base_out, head_out = tmp_path / "base", tmp_path / "head"
    first = runner.invoke(app, ["plan", str(acme_dir), "--out", str(base_out)])
    assert first.exit_code in (0, 1), first.output
    work = tmp_path / "acme"
    shutil.copytree(acme_dir, work, ignore=shutil.ignore_patterns("out", "__pycache__"))
    sites = yaml.safe_load((work / "sites.yaml").read_text(encoding="utf-8"))
    for site in sites["sites"]:
        if site["name"] == "aws-us-east-1":
            site["price_overrides"] = {
                "aws.p5.48xlarge.us-east-1.on-demand": 20.0,
                "aws.p5.48xlarge.us-east-1.spot": 8.0,
                "aws.p5.48xlarge.us-east-1.capacity-block": 12.0,
            }
    (work / "sites.yaml").write_text(yaml.safe_dump(sites, sort_keys=False), encoding="utf-8")
    second = runner.invoke(app, ["plan", str(work), "--out", str(head_out)])
    assert second.exit_code in (0, 1), second.output
    result = runner.invoke(app, ["diff", str(base_out), str(head_out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    base = json.loads((base_out / "plan.json").read_text(encoding="utf-8"))
    head = json.loads((head_out / "plan.json").read_text(encoding="utf-8"))
    expected = round(head["totals"]["usd_per_month"] - base["totals"]["usd_per_month"], 2)
    assert data["totals"]["delta_usd_per_month"] == expected

    # What the workloads are charged falls; but the GPU pool is owned today, so moving work
    # off it does not stop paying for it: its idle owned capacity grows (whole estates,
    # issue #12), and the plan's total counts it.
    def charged(plan: dict[str, Any]) -> float:
        """What the plan charges its workloads a month (the total less idle capacity)."""
        t = plan["totals"]
        return float(t["usd_per_month"] - t["idle_owned_usd_per_month"])

    assert charged(head) < charged(base)
    assert head["totals"]["idle_owned_usd_per_month"] > base["totals"]["idle_owned_usd_per_month"]
    assert data["moves"], "cheaper P5s should move some GPU work to the cloud"
    assert {m["name"] for m in data["moves"]} <= {
        w["name"] for w in base["workloads"] if w["kind"] in ("training", "inference")
    }
    assert data["added"] == []
    assert data["removed"] == []
    assert data["base"]["input_digest"] != data["head"]["input_digest"]
    md = runner.invoke(app, ["diff", str(base_out), str(head_out)])
    check_gfm(md.output)


def test_diff_reads_a_schema_1_base_against_a_schema_2_head_in_eur(
    plans: tuple[Path, Path],
) -> None:
    """A schema-1 base (currency "USD") against a schema-2 head shown in EUR at 1.0465:
    exit 0, the headline's head total is the USD total / 1.0465 to the cent, units EUR
    (finding messages, made by the core, keep quoting USD)."""
    base, head = plans
    old = json.loads(base.read_text(encoding="utf-8"))
    old.update(schema_version=1, currency="USD")
    base.write_text(json.dumps(old), encoding="utf-8")
    new = json.loads(head.read_text(encoding="utf-8"))
    new["currency"] = {
        "code": "EUR",
        "usd_per_unit": 1.0465,
        "date": "2025-02-21",
        "source": "ecb-eur-usd-2025-02-21",
    }
    head.write_text(json.dumps(new), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(base), str(head)])
    assert result.exit_code == 0, result.output
    usd = Money.of(str(new["totals"]["usd_per_month"]), "USD")
    eur = (usd.to_decimal() / Decimal("1.0465")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    headline = result.output.splitlines()[0]
    assert f"→ {eur:,.2f} EUR/month" in headline
    assert "USD" not in headline  # finding messages quote the core's USD figures
    assert "| monthly cost (EUR/month) |" in result.output
    check_gfm(result.output)
