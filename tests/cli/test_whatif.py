"""``hybridplan what-if`` on examples/acme: deterministic, and equal to re-planning the
changed inputs from scratch."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.money import decimal_of

runner = CliRunner()

SCENARIO = [
    {"price": "aws-us-east-1.aws.p5=-45%"},
    {"capacity": "gpu-pool-us.gpus.h100=+64"},
    {"move": "reporting-db=aws-eu-west-1"},
    {"horizon": 60},
]

# plan.json fields that name the inputs rather than describe the plan
PROVENANCE = ("generated_by", "input_digest", "inputs")


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _plan_from_scratch(acme: Path, tmp_path: Path) -> dict[str, Any]:
    """Copy acme, edit its YAML the way SCENARIO says, and run `hybridplan plan` on it."""
    work = tmp_path / "acme"
    shutil.copytree(acme, work, ignore=shutil.ignore_patterns("out", "__pycache__"))
    from planner.catalogue import load_default_catalogue

    catalogue = load_default_catalogue()
    sites = yaml.safe_load((work / "sites.yaml").read_text(encoding="utf-8"))
    for site in sites["sites"]:
        if site["name"] == "aws-us-east-1":
            overrides = site.setdefault("price_overrides", {})
            for key, price in catalogue.prices.items():
                if key.startswith("aws.p5."):
                    # as a user would type the cut price into sites.yaml (exact decimals)
                    cut = decimal_of(overrides.get(key, price.value)) * Decimal("0.55")
                    overrides[key] = float(cut)
        if site["name"] == "gpu-pool-us":
            # the 8 servers the what-if adds are bought now: their own class, month 1
            classes = site["cost"]["gpu_pool"]["owned"]["node_classes"]
            node = classes[0]
            classes.append(
                {**node, "name": f"{node['name']}-added", "count": 8, "purchase_month": 1}
            )
            cap = site["capacity"]
            cap["cpu"] += 8 * node["cpu"]
            cap["memory_gib"] += 8 * node["memory_gib"]
            cap["gpus"]["h100"] += 64
    (work / "sites.yaml").write_text(yaml.safe_dump(sites, sort_keys=False), encoding="utf-8")
    inv = yaml.safe_load((work / "inventory.yaml").read_text(encoding="utf-8"))
    for w in inv["workloads"]:
        if w["name"] == "reporting-db":
            w["pinned_site"] = "aws-eu-west-1"
    (work / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False), encoding="utf-8")
    proj = yaml.safe_load((work / "project.yaml").read_text(encoding="utf-8"))
    proj.setdefault("settings", {})["horizon_months"] = 60
    (work / "project.yaml").write_text(yaml.safe_dump(proj, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(work), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SCENARIO as a YAML file."""
    path = tmp_path_factory.mktemp("scenario") / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    return path


@pytest.mark.slow  # a what-if and a plan of examples/acme
def test_whatif_agrees_with_replanning(acme_dir: Path, tmp_path: Path, scenario_file: Path) -> None:
    """A scenario's plan equals planning the edited inputs from scratch (same figures)."""
    whatif = _json(["what-if", str(acme_dir), "--scenario", str(scenario_file), "--format", "json"])
    scratch = _plan_from_scratch(acme_dir, tmp_path)
    got = {k: v for k, v in whatif["plan"].items() if k not in PROVENANCE}
    want = {k: v for k, v in scratch.items() if k not in PROVENANCE}
    assert got == want
    moved = {m["name"]: m for m in whatif["diff"]["moves"]}
    assert moved["reporting-db"]["head_sites"] == ["aws-eu-west-1"]
    assert whatif["plan"]["totals"]["horizon_months"] == 60


@pytest.mark.slow  # two what-ifs on examples/acme
def test_whatif_is_deterministic(acme_dir: Path, scenario_file: Path) -> None:
    """Two runs of the same scenario print identical JSON."""
    args = ["what-if", str(acme_dir), "--scenario", str(scenario_file), "--format", "json"]
    assert _json(args) == _json(args)


@pytest.mark.slow  # two what-ifs on examples/acme
def test_whatif_table_and_md(acme_dir: Path) -> None:
    """The table names the change and the delta; md is a GFM diff titled with the change."""
    args = ["what-if", str(acme_dir), "--price", "aws.p5=-45%"]
    table = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "price aws.p5 -45 %" in table.output
    assert "What-if vs the base plan" in table.output
    # recsys-train runs on both in the base plan: one placement over two sites, not a list
    assert "aws-us-east-1 + gpu-pool-us (spot)" in table.output
    md = runner.invoke(app, [*args, "--format", "md"])
    assert md.exit_code == 0, md.output
    assert md.output.startswith("## What-if: price aws.p5 -45 %")
    assert "aws-us-east-1 + gpu-pool-us (spot)" in md.output
    from plan_fakes import check_gfm

    check_gfm(md.output)


def test_whatif_sweep(acme_dir: Path) -> None:
    """A price sweep gives one row per value and names where the training lands."""
    data = _json(
        [
            "what-if",
            str(acme_dir),
            "--sweep",
            "aws.p5=-60%..0%:30%",
            "--watch",
            "foundation-finetune",
            "--format",
            "json",
        ]
    )
    assert [r["label"] for r in data["rows"]] == ["-60 %", "-30 %", "+0 %"]
    assert "foundation-finetune" in data["watched"]
    assert all("foundation-finetune" in r["sites"] for r in data["rows"])
    assert data["rows"][-1]["delta_usd_per_month"] == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--price", "aws.p6=-10%"], "no catalogue key matches"),
        (["--move", "nope=colo-eu"], "unknown workload"),
        (["--capacity", "aws-eu-west-1.cpu=+10"], "cloud site"),
        (["--sweep", "aws.p5=0..1"], "FROM..TO:STEP"),
    ],
    ids=["no-change", "unknown-price", "unknown-workload", "cloud-capacity", "bad-sweep"],
)
def test_whatif_usage_errors(acme_dir: Path, args: list[str], message: str) -> None:
    """Bad flags exit 2 with the reason and a fix."""
    result = runner.invoke(app, ["what-if", str(acme_dir), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "To fix:" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo: [\n", "the scenario scenario.yaml is not valid YAML"),
        (None, "cannot read the scenario scenario.yaml"),
    ],
    ids=["bad-yaml", "missing"],
)
def test_whatif_bad_scenario_file(
    acme_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | None, message: str
) -> None:
    """A scenario file that cannot be read or parsed is named as such (not as a problem in
    the planning project), in one line with a fix."""
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "scenario.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["what-if", str(acme_dir), "--scenario", "scenario.yaml"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "planning project" not in result.output
    assert "To fix:" in result.output
    assert "<unicode string>" not in result.output


def test_whatif_help() -> None:
    """--help shows the docstring with an example."""
    result = runner.invoke(app, ["what-if", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan what-if" in result.output
