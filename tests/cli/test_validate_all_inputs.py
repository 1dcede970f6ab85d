"""`hybridplan validate` checks what `plan` checks: project files, telemetry files and cost
inputs, every problem of every file in one pass."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from typer.testing import CliRunner

from planner.cli import app

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
runner = CliRunner()


def _mini(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "project"))


def _break_telemetry(root: Path) -> None:
    data = gzip.compress((MINI / "telemetry" / "checkout-api.csv").read_bytes() * 50)
    (root / "telemetry" / "more.csv.gz").write_bytes(data[: len(data) // 2])


def test_a_truncated_telemetry_file_fails_validate_as_it_fails_plan(tmp_path: Path) -> None:
    """validate reads the telemetry (plan does): a truncated .gz is a located exit 2."""
    root = _mini(tmp_path)
    _break_telemetry(root)
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2
    assert "telemetry/more.csv.gz: cannot read: Compressed file ended" in result.stderr
    plan = runner.invoke(app, ["plan", str(root), "--out", str(tmp_path / "out")])
    assert plan.exit_code == 2
    assert "telemetry/more.csv.gz: cannot read" in plan.stderr


def test_no_telemetry_skips_reading_it(tmp_path: Path) -> None:
    """--no-telemetry checks the project files and cost inputs only (faster)."""
    root = _mini(tmp_path)
    _break_telemetry(root)
    result = runner.invoke(app, ["validate", str(root), "--no-telemetry"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().endswith("(telemetry not read)")


def test_cost_inputs_are_checked(tmp_path: Path) -> None:
    """A cloud site priced from a region the catalogue lacks fails validate at its site."""
    root = _mini(tmp_path)
    sites = root / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8").replace("price_region: eu-west-1", "price_region: mars-1")
    )
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2
    assert "sites.yaml:51:5: sites.aws-eu-west-1.cost.cloud.price_region:" in result.stderr
    assert "no aws prices for region 'mars-1'" in result.stderr


def test_problems_of_project_and_telemetry_files_come_in_one_pass(tmp_path: Path) -> None:
    """Broken project files do not hide broken telemetry: both are listed, each located."""
    root = _mini(tmp_path)
    _break_telemetry(root)
    inventory = root / "inventory.yaml"
    inventory.write_text(inventory.read_text(encoding="utf-8").replace("tier: 1", "tier: 9", 1))
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 2
    assert '"file": "telemetry/more.csv.gz"' in result.stdout
    assert '"field": "workloads[0].tier"' in result.stdout
