"""CLI tests for `hybridplan cost`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"

runner = CliRunner()


def _copy_mini(tmp_path: Path) -> Path:
    dst = tmp_path / "mini"
    shutil.copytree(MINI, dst)
    return dst


def test_table_lists_every_site_and_marks_the_cheapest() -> None:
    """payments-db: colo-eu is cheapest; ineligible offers carry their reason."""
    result = runner.invoke(
        app, ["cost", str(MINI), "--workload", "payments-db"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "colo-eu / owned (cheapest)" in out
    assert "ineligible aws-us-east-1/on-demand: residency: data must stay in eu" in out
    assert "ineligible gpu-pool-us/owned: gpu-pool sites host GPU workloads only" in out
    assert "USD/month" in out
    assert "owned rates colo-eu" in out


def test_json_is_complete_and_sorted() -> None:
    """--format json: offers sorted (eligible by cost first), line items sum to the total."""
    result = runner.invoke(app, ["cost", str(MINI), "-w", "llm-finetune", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["catalogue"]["version"] == "2025-h1"
    assert data["cost_input_digest"].startswith("sha256:")
    offers = data["offers"]
    eligible = [o for o in offers if o["eligible"]]
    assert eligible[0]["cheapest"]
    assert eligible[0]["site"] == "gpu-pool-us"
    costs = [o["usd_per_month"] for o in eligible]
    assert costs == sorted(costs)
    for o in eligible:
        assert sum(i["usd_per_month"] for i in o["line_items"]) == pytest.approx(
            o["usd_per_month"], abs=0.05
        )
    assert data["owned_rates"]["gpu-pool-us"]["usd_per_gpu_hour"]["h100"] > 0


def test_unknown_workload_exits_2_with_suggestion() -> None:
    """A misspelt workload name is a usage error with the nearest names."""
    result = runner.invoke(app, ["cost", str(MINI), "--workload", "payments-bd"])
    assert result.exit_code == 2
    assert "unknown workload 'payments-bd'" in result.stderr
    assert "payments-db" in result.stderr


def test_missing_workload_option_exits_2() -> None:
    """Without --workload the command explains what to pass."""
    result = runner.invoke(app, ["cost", str(MINI)])
    assert result.exit_code == 2
    assert "--workload" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "depreciation_months: 60",
            "depreciation_months: 0",
            "cost.owned.depreciation_months: must be >= 1",
        ),
        (
            "colo_usd_per_kw_month: 217.30",
            "colo_usd_per_kw_month: -5",
            "colo_usd_per_kw_month: must be >= 0, got -5",
        ),
        (
            "target_utilisation: 0.75",
            "target_utilisation: 1.5",
            "target_utilisation: must be <= 1, got 1.5",
        ),
        (
            "aws.p5.48xlarge.us-east-1.on-demand: 55.04",
            "aws.p5.48xlarge.us-east-1.on-demand: -1",
            "must be >= 0, got -1",
        ),
        ("price_region: eu-west-1", "price_region: ap-south-9", "no aws prices for region"),
    ],
    ids=[
        "zero-depreciation",
        "negative-colo",
        "utilisation",
        "negative-override",
        "missing-region",
    ],
)
def test_bad_site_inputs_exit_2(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Each bad cost input in sites.yaml is a clear error with exit code 2 (the loader's
    schema catches most with file:line; the cost model re-checks them for hand-built input,
    see tests/unit/test_cost_validation.py)."""
    root = _copy_mini(tmp_path)
    sites = root / "sites.yaml"
    text = sites.read_text()
    assert old in text
    sites.write_text(text.replace(old, new))
    result = runner.invoke(app, ["cost", str(root), "--workload", "checkout-api"])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_unknown_currency_exits_2(tmp_path: Path) -> None:
    """currency: JPY in project.yaml is rejected where it is written (no catalogue rate)."""
    root = _copy_mini(tmp_path)
    project = root / "project.yaml"
    text = project.read_text()
    line = text[: text.index("currency: USD")].count("\n") + 1
    project.write_text(text.replace("currency: USD", "currency: JPY"))
    result = runner.invoke(app, ["cost", str(root), "--workload", "checkout-api"])
    assert result.exit_code == 2, result.output
    assert f"project.yaml:{line}:" in result.stderr
    assert "settings.currency: 'JPY' is not allowed" in result.stderr


def test_help_has_an_example() -> None:
    """--help shows the docstring with an example."""
    result = runner.invoke(app, ["cost", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan cost" in result.stdout


def test_request_basis_is_reported() -> None:
    """Without usable telemetry the declared request is priced, and JSON says so."""
    for extra in ([], ["--declared"]):
        result = runner.invoke(
            app, ["cost", str(MINI), "-w", "checkout-api", "--format", "json", *extra]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["request"]["basis"] == "declared"
        assert data["current_usd_per_month"] == pytest.approx(270.33)


ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"


def test_current_cost_and_offers_say_which_request_they_price() -> None:
    """payments-db: today's 2,270.64 is the DECLARED 3 x (8 cores, 64 GiB) on 3 x m6i.4xlarge
    on demand (3 x 730 x 0.856 = 1,874.64 + EBS 3 x 1,500 x 0.088 = 396), while the offers
    price the right-sized request, whose memory (p99 55.65 GiB x 1.2 = 66.78) is above the
    declared 64 GiB and needs bigger instances: both requests and the excess are shown."""
    result = runner.invoke(app, ["cost", str(ACME), "-w", "payments-db", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["request"]["basis"] == "right-sized"
    assert data["request"]["memory_gib"] == pytest.approx(66.78)
    assert (data["declared_request"]["cpu"], data["declared_request"]["memory_gib"]) == (8, 64)
    assert data["current_request_basis"] == "declared"
    assert data["current_usd_per_month"] == pytest.approx(2270.64)
    cur = {i["name"]: i["usd_per_month"] for i in data["current_line_items"]}
    assert cur == pytest.approx(
        {"compute (m6i.4xlarge, on-demand)": 1874.64, "storage (EBS gp3)": 396.0}
    )
    table = runner.invoke(
        app, ["cost", str(ACME), "-w", "payments-db"], env={"COLUMNS": "250"}
    ).stdout
    assert (
        "offers priced at the right-sized request 3 x (4.38 cores, 66.78 GiB, 1500 GiB "
        "storage) (declared: 3 x (8 cores, 64 GiB, 1500 GiB storage)); right-sized memory "
        "is ABOVE the declared request"
    ) in table
    assert (
        "current site: aws-eu-west-1, on-demand, at the declared request 3 x (8 cores, "
        "64 GiB, 1500 GiB storage): 2,270.64 USD/month"
    ) in table
    assert "today: aws-eu-west-1 / on-demand (declared request)" in table
    assert "Offers at the right-sized request" in table


def test_training_header_says_compute_is_per_gpu_hour() -> None:
    """foundation-finetune: 30,000 GPU-h/month is what the compute lines price (capacity
    block 30,000 x 39.33 / 8 = 147,487.50), so the header says so next to the request."""
    result = runner.invoke(
        app, ["cost", str(ACME), "-w", "foundation-finetune"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "training compute is priced per GPU-hour (30,000.00 GPU-h/month), the request "
        "picks the instance and sizes storage"
    ) in result.stdout
    data = json.loads(
        runner.invoke(
            app, ["cost", str(ACME), "-w", "foundation-finetune", "--format", "json"]
        ).stdout
    )
    assert data["request"]["gpu_hours_per_month"] == 30000
    cb = next(
        o for o in data["offers"] if (o["site"], o["option"]) == ("aws-us-east-1", "capacity-block")
    )
    assert cb["line_items"][0]["usd_per_month"] == pytest.approx(147487.5)
