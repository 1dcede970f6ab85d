"""CLI tests for `hybridplan baseline`."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from planner.cli import app

BILLED = Path(__file__).resolve().parents[1] / "data" / "billed"
MINI = Path(__file__).resolve().parents[1] / "data" / "mini"

runner = CliRunner()


def test_table_shows_workloads_coverage_and_commitments() -> None:
    """The table lists each workload's monthly figures, the coverage and the commitment."""
    result = runner.invoke(app, ["baseline", str(BILLED)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "3 full month(s) averaged (2025-04 to 2025-06); partial months left out: 2025-07" in out
    assert "checkout-api │    383.00 │   133.00 │   539.67 │    250.00 │" in out
    assert "Coverage: 98.14 % of 2,156.67 USD/month mapped" in out
    assert "Amazon Simple Storage Service" in out
    assert "savingsplan/sp-1 │ yes      │ 2026-03-31 │ checkout-api 250.00" in out


def test_json_has_exact_amounts_and_sources() -> None:
    """--format json: amounts as numbers with their cents, each workload's source is bill."""
    result = runner.invoke(app, ["baseline", str(BILLED), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"effective_per_month": 619.33' in result.stdout
    data = json.loads(result.stdout)
    assert data["months"] == ["2025-04", "2025-05", "2025-06"]
    assert {w["workload"]: w["source"] for w in data["workloads"]} == {
        "checkout-api": "bill",
        "llm-finetune": "bill",
        "payments-db": "bill",
    }
    assert data["coverage"]["pct_mapped"] == 98.14
    assert data["commitments"][0]["expires"] == "2026-03-31"


def test_project_without_a_bill_exits_2() -> None:
    """No billing section: exit 2 and a fix that shows the section to add."""
    result = runner.invoke(app, ["baseline", str(MINI)])
    assert result.exit_code == 2
    assert "the project names no bill" in result.stderr
    assert "To fix: add a billing: section" in result.stderr


def test_corrupt_export_exits_2_without_traceback(tmp_path: Path) -> None:
    """A damaged gzip export is a located input error, never a traceback."""
    root = tmp_path / "billed"
    shutil.copytree(BILLED, root)
    text = (root / "project.yaml").read_text(encoding="utf-8")
    (root / "project.yaml").write_text(text.replace("bills/*.csv", "bills/*.gz"), encoding="utf-8")
    data = gzip.compress((root / "bills" / "aws-focus-2025q2.csv").read_bytes())
    (root / "bills" / "aws.csv.gz").write_bytes(data[:40])
    result = runner.invoke(app, ["baseline", str(root)])
    assert result.exit_code == 2
    assert "bills/aws.csv.gz: cannot read this export" in result.stderr
    assert "Traceback" not in result.output


def test_help_has_an_example() -> None:
    """--help explains the command and ends with an example."""
    result = runner.invoke(app, ["baseline", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: hybridplan baseline" in result.stdout
    assert "FOCUS" in result.stdout


def test_bad_memory_limit_is_a_usage_error() -> None:
    """--memory-limit must be a size: exit 2 with an example, before any file is read."""
    result = runner.invoke(app, ["baseline", str(BILLED), "--memory-limit", "lots"])
    assert result.exit_code == 2
    assert "--memory-limit 'lots' is not a size" in result.stderr
    assert "640MB" in result.stderr


def test_importing_the_cli_does_not_load_duckdb() -> None:
    """DuckDB is imported when a bill is read, not by every command's start-up."""
    code = "import sys, planner.cli; sys.exit('duckdb' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    assert proc.returncode == 0, proc.stderr
